"""The loop lifecycle through the service layer, on the embedded default (eager Celery, local store)."""

import json

import pytest

from flows.delivery.storage import get_store
from flows.loops import lifecycle
from flows.models import HumanLoop
from hitl.kernel.errors import Conflict
from tests import factories as f


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_complete_a_task_count_2_loop_and_output_is_written():
    acct = f.account()
    alice, bob = f.user("alice"), f.user("bob")
    team = f.workteam(acct, members=[alice, bob])
    flow = f.flow_definition(acct, team, task_count=2)
    result = lifecycle.start_human_loop(
        account=acct, name="loop-1", flow_definition_arn=f.flow_arn(flow), input_content='{"taskObject": "ok"}'
    )
    assert result.created

    task_a = lifecycle.claim_next_task(alice)
    assert lifecycle.claim_next_task(alice) is None  # never two tasks of one loop
    task_b = lifecycle.claim_next_task(bob)
    lifecycle.submit_task(alice, task_a.id, {"sentiment": {"label": "Positive"}})
    assert HumanLoop.objects.get(name="loop-1").status == "InProgress"
    lifecycle.submit_task(bob, task_b.id, {"sentiment": {"label": "Mixed"}})

    loop = HumanLoop.objects.get(name="loop-1")
    assert loop.status == "Completed"
    bucket, key = loop.output_s3_uri.removeprefix("s3://").split("/", 1)
    document = json.loads(get_store().get(bucket, key))
    assert [a["answerContent"] for a in document["humanAnswers"]] == [
        {"sentiment": {"label": "Positive"}},
        {"sentiment": {"label": "Mixed"}},
    ]
    with pytest.raises(Conflict):
        lifecycle.submit_task(alice, task_a.id, {"again": True})
