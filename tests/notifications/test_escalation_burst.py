"""An escalation burst: thousands of loops escalated in one sweep tell each reviewer once, and a crash loses nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from flows.definitions import services
from flows.loops import bulk, lifecycle
from flows.models import ClaimGrant
from hitl.kernel import clock
from notifications import escalations, tasks
from notifications.models import Channel, Delivery, LoopStep, StepCursor
from tests import factories
from tests.notifications.conftest import channel, notified_team

pytestmark = pytest.mark.django_db


def _escalating_flow(notified, name: str, escalate_to: str):
    flow = factories.flow_definition(notified.account, notified.team, name=name)
    services.add_tags(
        notified.account,
        factories.flow_arn(flow),
        [
            {"Key": "hitl:deadline", "Value": "10m"},
            {"Key": "hitl:deadline:escalate-at", "Value": "8m"},
            {"Key": "hitl:deadline:escalate-to", "Value": escalate_to},
        ],
    )
    return type(flow).objects.get(id=flow.id)


def _start_many(flow, count: int) -> None:
    items = ({"HumanLoopName": f"{flow.name}-{n}", "InputContent": "{}"} for n in range(count))
    assert bulk.bulk_start_human_loops(flow.account, flow, items).created == count


@pytest.fixture
def burst(notified, http_receiver):
    """1,100 + 100 loops of two flows, all escalated at 8 min to team B (2 reviewers) and a named lead."""
    team_b, (b0, b1) = notified_team(notified.account, name="team-b")
    lead = factories.user("lead", email="lead@example.com")
    url, posted = http_receiver()
    channel(notified.account, Channel.Kind.SLACK, url=url + "/slack", secret="s")
    clock.set_now(dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC))
    # b1 is named too: still one message for them.
    big = _escalating_flow(notified, "big", f"team-b user:lead user:{b1.username}")
    small = _escalating_flow(notified, "small", "team-b")
    _start_many(big, 1100)
    _start_many(small, 100)
    clock.advance(8 * 60)
    return {"team_b": team_b, "people": [b0, b1, lead], "posted": posted, "flows": (big, small)}


def test_an_escalation_burst_sends_one_message_per_reviewer_and_shared_channel(burst, smtp_server):
    tasks.run_deadline_steps()

    b0, b1, lead = burst["people"]
    mails = sorted(smtp_server, key=lambda m: m["To"])
    assert [m["To"] for m in mails] == sorted([b0.email, b1.email, lead.email])
    by_to = {m["To"]: m for m in mails}
    assert by_to[b0.email]["Subject"] == "Escalated to you: 1200 tasks"  # both flows, one message
    assert by_to[b1.email]["Subject"] == "Escalated to you: 1200 tasks"
    assert by_to[lead.email]["Subject"] == "Escalated to you: 1100 Review sentiment tasks"  # named on the big flow only
    body = by_to[b0.email].get_body(("plain",)).get_content()
    assert "1100 loops of Review sentiment still need a reviewer" in body and "All 1100 escalated Review" in body
    assert [path for path, _, _ in burst["posted"]] == ["/slack"]  # the shared channel: once
    assert Delivery.objects.filter(kind=Delivery.Kind.ESCALATION).count() == 4

    assert not LoopStep.objects.exists()  # the step cursors are the record of the escalation: no row per loop
    assert ClaimGrant.objects.filter(workteam=burst["team_b"]).count() == 1200
    assert ClaimGrant.objects.filter(user=lead).count() == ClaimGrant.objects.filter(user=b1).count() == 1100
    task = lifecycle.claim_next_task(lead)  # the grant works: the lead is on no team of these flows
    assert task is not None and task.human_loop.flow_definition_id == burst["flows"][0].id

    clock.advance(1)
    tasks.run_deadline_steps()  # again: nothing twice
    assert len(smtp_server) == 3 and Delivery.objects.count() == 4


def test_a_sweep_killed_halfway_escalates_nothing_and_its_rerun_everything_once(burst, smtp_server, monkeypatch):
    def killed(taken):
        assert ClaimGrant.objects.filter(workteam=burst["team_b"]).count() == 1200  # the steps were taken...
        raise SystemExit("worker killed")  # ...and the process dies before the messages are recorded

    monkeypatch.setattr(escalations, "tell", killed)
    with pytest.raises(SystemExit):
        tasks.run_deadline_steps()
    assert not ClaimGrant.objects.exists() and not Delivery.objects.exists()
    # The escalation cursors did not move either.
    assert not StepCursor.objects.filter(step__startswith="escalation", created_at__isnull=False).exists()

    monkeypatch.undo()
    tasks.run_deadline_steps()
    tasks.run_deadline_steps()
    assert ClaimGrant.objects.filter(workteam=burst["team_b"]).count() == 1200
    assert sorted(m["To"] for m in smtp_server) == sorted(p.email for p in burst["people"])
