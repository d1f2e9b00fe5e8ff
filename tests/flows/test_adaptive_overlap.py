"""Adaptive overlap (hitl:overlap=adaptive:MIN:MAX:TARGET): one more reviewer only while confidence is short.

Runs on SQLite and, in the PostgreSQL suite, through flows.loops.hot_sql's submit.
"""

import json

import pytest

from flows.delivery.storage import get_store
from flows.loops import lifecycle
from flows.models import HumanLoop, ReviewTask
from tests import factories as f

pytestmark = pytest.mark.django_db(transaction=True)


def _setup(overlap="adaptive:1:4:0.9", reviewers=4, task_count=1):
    acct = f.account()
    people = [f.user() for _ in range(reviewers)]
    team = f.workteam(acct, members=people)
    flow = f.flow_definition(acct, team, task_count=task_count, tags=[{"Key": "hitl:overlap", "Value": overlap}])
    return flow, people


def _answer(person, flow, label):
    task = lifecycle.claim_next_task(person, flow=flow)
    assert task is not None
    lifecycle.submit_task(person, task.id, {"s": {"label": label}})
    return task


def _consolidated(loop):
    bucket, key = loop.output_s3_uri.removeprefix("s3://").split("/", 1)
    return json.loads(get_store().get(bucket, key.replace("output.json", "consolidated.json")))


def test_agreeing_reviewers_stop_the_loop_once_the_target_confidence_is_reached():
    flow, people = _setup()
    loop = f.human_loop(flow)
    assert loop.review_tasks.count() == 1  # MIN

    # Without a fitted model each reviewer is assumed right 70% of the time over two labels:
    # one answer 0.7, two 0.845, three agreeing 0.927 >= 0.9.
    for n, person in enumerate(people[:3]):
        _answer(person, flow, "pos")
        loop.refresh_from_db()
        if n < 2:
            assert loop.status == "InProgress"
            assert loop.review_tasks.filter(state=ReviewTask.State.OPEN).count() == 1  # one more asked for

    assert loop.status == "Completed"
    assert loop.review_tasks.filter(state=ReviewTask.State.SUBMITTED).count() == 3
    assert lifecycle.claim_next_task(people[3], flow=flow) is None
    assert _consolidated(loop)["consolidatedAnswer"] == {"s": {"label": "pos"}}


def test_disagreeing_reviewers_stop_at_the_maximum_and_the_tie_is_flagged():
    flow, people = _setup()
    loop = f.human_loop(flow)

    for person, label in zip(people, ["pos", "neg", "pos", "neg"], strict=True):
        _answer(person, flow, label)

    loop.refresh_from_db()
    assert loop.status == "Completed"
    assert loop.review_tasks.filter(state=ReviewTask.State.SUBMITTED).count() == 4  # MAX
    consolidated = _consolidated(loop)
    assert consolidated["consolidatedAnswer"] == {"s": {"label": None}}
    assert consolidated["fields"]["s.label"]["flagged"] is True


def test_flows_without_the_tag_keep_a2is_task_count():
    flow, people = _setup(overlap="fixed", task_count=2)
    loop = f.human_loop(flow)
    assert loop.review_tasks.count() == 2

    _answer(people[0], flow, "pos")
    loop.refresh_from_db()
    assert loop.status == "InProgress"
    assert loop.review_tasks.count() == 2
    _answer(people[1], flow, "neg")
    loop.refresh_from_db()
    assert loop.status == "Completed"
    assert HumanLoop.objects.get(id=loop.id).review_tasks.count() == 2


def _stored_model(flow, people, evidence):
    """A fitted model saying every reviewer is right 99% of the time, resting on `evidence` judgments each."""
    from inference_adapters.models import FlowReliability

    sure = [[0.99, 0.01], [0.01, 0.99]]  # (observed, true)
    workers = {person.worker.worker_id: sure for person in people}
    FlowReliability.objects.create(
        flow_definition=flow,
        model={
            "fields": {
                "s.label": {
                    "classes": ["neg", "pos"],
                    "priors": [0.5, 0.5],
                    "judgments": 1000,
                    "iterations": 3,
                    "workers": workers,
                    "evidence": {worker: evidence for worker in workers},
                }
            },
            "workers": {worker: {"accuracy": 0.99, "judgments": evidence} for worker in workers},
        },
    )


@pytest.mark.parametrize(("evidence", "answers"), [(5, 2), (500, 1)])
def test_a_lone_answer_completes_the_loop_only_from_a_proven_reviewer(evidence, answers):
    # The model says 99% right; on 5 judgments that is mostly its prior, on 500 it is known.
    flow, people = _setup(overlap="adaptive:1:5:0.95", reviewers=2)
    _stored_model(flow, people, evidence)
    loop = f.human_loop(flow)

    _answer(people[0], flow, "pos")
    loop.refresh_from_db()
    if answers == 2:
        assert loop.status == "InProgress"
        assert loop.review_tasks.filter(state=ReviewTask.State.OPEN).count() == 1
        _answer(people[1], flow, "pos")
        loop.refresh_from_db()

    assert loop.status == "Completed"
    assert loop.review_tasks.filter(state=ReviewTask.State.SUBMITTED).count() == answers
