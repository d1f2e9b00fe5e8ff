"""/metrics after a scripted workload: every count matches what was done."""

from __future__ import annotations

import uuid

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from flows.delivery import outbox
from flows.loops import lifecycle
from flows.models import StatusEvent, WebhookDelivery, WebhookEndpoint
from hitl.kernel import clock
from tests import factories as f
from workforce import access_keys


def scrape(base_url: str) -> dict[tuple[str, tuple], float]:
    """Return {(sample name, sorted labels): value} from /metrics."""
    response = requests.get(f"{base_url}/metrics", timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def delta(before: dict, after: dict, name: str, **labels: str) -> float:
    key = (name, tuple(sorted(labels.items())))
    return after.get(key, 0.0) - before.get(key, 0.0)


@pytest.mark.django_db(transaction=True)
def test_metrics_count_the_scripted_workload(live_server, boto_client):
    acct = f.account()
    ana = f.user("ana")
    team = f.workteam(acct, members=[ana], name=f"metrics-team-{uuid.uuid4().hex[:6]}")
    flow = f.flow_definition(acct, team, name=f"m-flow-{uuid.uuid4().hex[:6]}")
    short = f.flow_definition(acct, team, name=f"m-short-{uuid.uuid4().hex[:6]}", task_availability_lifetime_seconds=60)
    before = scrape(live_server.url)
    # Frozen, so the durations below are exactly the advances: a loaded machine's real seconds must not leak in.
    clock.set_now(clock.now())

    def start(name, on=flow):
        return lifecycle.start_human_loop(
            account=acct, name=name, flow_definition_arn=f.flow_arn(on), input_content='{"taskObject": "t"}'
        )

    # Given: five loops. "done" is answered, "stopped" is stopped, "late" expires,
    # "held" is being worked on and "waiting" is still in the queue.
    for name in ("done", "stopped", "held", "waiting"):
        start(name)
    start("late", on=short)
    clock.advance(30)
    task = lifecycle.claim_next_task(ana)  # the oldest task: "done"
    clock.advance(12)
    lifecycle.submit_task(ana, task.id, {"sentiment": {"label": "Positive"}})
    lifecycle.stop_human_loop(account=acct, name="stopped")
    lifecycle.claim_next_task(ana)  # "held"
    clock.advance(60)
    assert lifecycle.expire_loops() == 1  # "late"
    lifecycle.record_output_failure(task.human_loop_id, "S3 said no", next_attempt_at=outbox.due_in(1))
    endpoint = WebhookEndpoint.objects.create(account=acct, url="https://hooks.invalid/x", secret="s")
    event = StatusEvent.objects.filter(human_loop__account=acct).first()
    WebhookDelivery.objects.create(event=event, endpoint=endpoint, state="pending", attempts=3)
    other = StatusEvent.objects.filter(human_loop__account=acct).exclude(id=event.id).first()
    WebhookDelivery.objects.create(event=other, endpoint=endpoint, state="delivered", attempts=2)
    runtime = boto_client("sagemaker-a2i-runtime", access_keys.create_access_key(acct))
    runtime.describe_human_loop(HumanLoopName="held")
    runtime.describe_human_loop(HumanLoopName="held")
    with pytest.raises(runtime.exceptions.ResourceNotFoundException):
        runtime.describe_human_loop(HumanLoopName="never")

    after = scrape(live_server.url)

    started = "hitl_human_loops_started_total"
    assert delta(before, after, started, flow_definition=flow.name) == 4
    assert delta(before, after, started, flow_definition=short.name) == 1
    finished = "hitl_human_loops_finished_total"
    assert delta(before, after, finished, flow_definition=flow.name, status="Completed") == 1
    assert delta(before, after, finished, flow_definition=flow.name, status="Stopped") == 1
    assert delta(before, after, finished, flow_definition=short.name, status="Failed") == 1
    assert delta(before, after, finished, flow_definition=flow.name, status="Failed") == 0
    claim = "hitl_task_claim_to_submit_seconds"
    assert delta(before, after, f"{claim}_count", flow_definition=flow.name) == 1
    assert delta(before, after, f"{claim}_sum", flow_definition=flow.name) == pytest.approx(12, abs=0.5)
    assert delta(before, after, f"{claim}_bucket", flow_definition=flow.name, le="5.0") == 0
    assert delta(before, after, f"{claim}_bucket", flow_definition=flow.name, le="15.0") == 1
    life = "hitl_human_loop_start_to_finish_seconds"
    assert delta(before, after, f"{life}_sum", flow_definition=flow.name, status="Completed") == pytest.approx(
        42, abs=1
    )
    assert after[("hitl_review_tasks", (("state", "open"), ("workteam", team.name)))] == 1  # "waiting"
    assert after[("hitl_review_tasks", (("state", "leased"), ("workteam", team.name)))] == 1  # "held"
    assert delta(before, after, "hitl_output_write_failures_total") == 1
    assert delta(before, after, "hitl_webhook_failures_total") == 3 + 1
    api = "hitl_api_request_duration_seconds_count"
    assert delta(before, after, api, operation="DescribeHumanLoop", result="OK") == 2
    assert delta(before, after, api, operation="DescribeHumanLoop", result="ResourceNotFoundException") == 1


@pytest.mark.django_db
def test_metrics_require_the_token_when_one_is_configured(client, settings):
    settings.HITL_METRICS_TOKEN = "s3cret"
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret").status_code == 200
