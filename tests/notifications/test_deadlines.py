"""Deadlines per flow: hitl:deadline tags, reminders to lease holders, escalation, on-timeout fail or approve."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from flows.definitions import deadlines, services
from flows.loops import lifecycle
from flows.models import ClaimGrant, HumanLoop, ReviewTask
from hitl.kernel import clock
from hitl.kernel.errors import InvalidInput
from notifications import sweeps, tasks
from notifications.models import Delivery, LoopStep
from tests import factories
from tests.notifications.conftest import notified_team

pytestmark = pytest.mark.django_db

TAGS = [
    {"Key": "hitl:deadline", "Value": "10m"},
    {"Key": "hitl:deadline:reminders", "Value": "5m"},
    {"Key": "hitl:deadline:escalate-at", "Value": "8m"},
    {"Key": "hitl:deadline:escalate-to", "Value": "team-b"},
]


def test_deadline_tags_are_checked_when_set(notified):
    arn = factories.flow_arn(notified.flow)
    with pytest.raises(InvalidInput, match="names work team team-b, which this account does not have"):
        services.add_tags(notified.account, arn, TAGS)
    with pytest.raises(InvalidInput, match="must be shorter than the flow's TaskAvailabilityLifetimeInSeconds"):
        services.add_tags(notified.account, arn, [{"Key": "hitl:deadline", "Value": "30d"}])
    with pytest.raises(InvalidInput, match="must come before the deadline"):
        services.add_tags(
            notified.account,
            arn,
            [{"Key": "hitl:deadline", "Value": "10m"}, {"Key": "hitl:deadline:reminders", "Value": "12m"}],
        )
    with pytest.raises(InvalidInput, match="must be one of fail, approve, escalate"):
        services.add_tags(
            notified.account,
            arn,
            [{"Key": "hitl:deadline", "Value": "10m"}, {"Key": "hitl:deadline:on-timeout", "Value": "shrug"}],
        )
    with pytest.raises(InvalidInput, match="is not a hitl deadline setting"):
        services.add_tags(notified.account, arn, [{"Key": "hitl:deadlines", "Value": "1"}])
    notified_team(notified.account, name="team-b")
    services.add_tags(notified.account, arn, TAGS)
    config = deadlines.of_flow(type(notified.flow).objects.get(id=notified.flow.id))
    assert config.steps() == [("reminder-1", 300), ("escalation", 480), ("timeout", 600)]


def _flow_with_deadline(notified, tags):
    notified_team(notified.account, name="team-b")
    services.add_tags(notified.account, factories.flow_arn(notified.flow), tags)
    return type(notified.flow).objects.get(id=notified.flow.id)


def test_the_reminder_goes_once_to_the_reviewer_holding_the_task(notified, smtp_server):
    flow = _flow_with_deadline(notified, TAGS)
    clock.set_now(dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC))
    loop = factories.human_loop(flow)
    holder = notified.reviewers[0]
    lifecycle.claim_next_task(holder)

    clock.advance(299)
    tasks.run_deadline_steps()
    assert not LoopStep.objects.exists()
    clock.advance(1)
    tasks.run_deadline_steps()
    tasks.run_deadline_steps()

    reminders = [m for m in smtp_server if m["Subject"].startswith("Reminder")]
    assert [m["To"] for m in reminders] == [holder.email]
    assert loop.name in reminders[0].get_body(("plain",)).get_content()
    assert LoopStep.objects.filter(human_loop=loop, step="reminder-1").count() == 1


def test_escalation_lets_team_b_claim_and_the_timeout_fails_the_loop_as_expired_with_why(notified, smtp_server):
    flow = _flow_with_deadline(notified, TAGS)
    team_b_reviewer = factories.user("b-only", email="b-only@example.com")
    team_b = type(notified.team).objects.get(name="team-b")
    team_b.memberships.create(user=team_b_reviewer)
    clock.set_now(dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC))
    loop = factories.human_loop(flow)
    assert lifecycle.claim_next_task(team_b_reviewer) is None  # not their team's work

    clock.advance(480)
    tasks.run_deadline_steps()
    assert ClaimGrant.objects.filter(human_loop=loop, workteam=team_b).exists()
    escalations = [m for m in smtp_server if m["Subject"].startswith("Escalated to you")]
    assert "b-only@example.com" in [m["To"] for m in escalations]
    task = lifecycle.claim_next_task(team_b_reviewer)
    assert task is not None and task.human_loop_id == loop.id

    clock.advance(120)
    tasks.run_deadline_steps()
    lifecycle.finalize_loop(loop.id)  # on commit in production

    loop.refresh_from_db()
    assert (loop.status, loop.failure_code) == ("Failed", "Expired")
    assert "deadline of 600 s passed" in loop.failure_reason
    assert ReviewTask.objects.get(id=task.id).state == "cancelled"
    event = loop.status_events.get().body["detail"]
    assert (event["humanLoopStatus"], event["failureCode"]) == ("Failed", "Expired")
    output = json.loads(open(_local_path(loop.output_s3_uri)).read())
    assert output["hitlTimeout"]["action"] == "fail" and output["hitlTimeout"]["deadlineSeconds"] == 600
    assert output["humanAnswers"] == []


def test_on_timeout_approve_completes_the_loop_and_says_so(notified):
    flow = _flow_with_deadline(
        notified, [{"Key": "hitl:deadline", "Value": "60"}, {"Key": "hitl:deadline:on-timeout", "Value": "approve"}]
    )
    loop = factories.human_loop(flow)
    clock.advance(61)
    sweeps.run_deadline_steps()
    lifecycle.finalize_loop(loop.id)

    loop.refresh_from_db()
    assert (loop.status, loop.failure_code) == ("Completed", "")
    assert json.loads(open(_local_path(loop.output_s3_uri)).read())["hitlTimeout"]["action"] == "approve"


def test_a_loop_answered_in_time_has_no_steps(notified):
    flow = _flow_with_deadline(notified, TAGS)
    loop = factories.human_loop(flow)
    task = lifecycle.claim_next_task(notified.reviewers[0])
    lifecycle.submit_task(notified.reviewers[0], task.id, {"sentiment": "Positive"})
    clock.advance(601)

    assert sweeps.run_deadline_steps() == 0
    assert HumanLoop.objects.get(id=loop.id).status == "InProgress"  # completing: its output is being written
    assert not Delivery.objects.exists()


def _local_path(uri: str) -> str:
    from django.conf import settings

    bucket, key = uri.removeprefix("s3://").split("/", 1)
    return str(settings.HITL_LOCAL_STORE_DIR / bucket / key)


def test_a_loop_keeps_the_deadline_of_the_flow_version_it_started_with(notified):
    flow = _flow_with_deadline(notified, [{"Key": "hitl:deadline", "Value": "10m"}])
    early = factories.human_loop(flow)
    services.add_tags(notified.account, factories.flow_arn(flow), [{"Key": "hitl:deadline", "Value": "1h"}])
    late = factories.human_loop(flow)
    assert early.flow_version_id != late.flow_version_id

    clock.advance(601)
    sweeps.run_deadline_steps()

    assert LoopStep.objects.filter(step="timeout").get().human_loop_id == early.id
    lifecycle.finalize_loop(early.id)
    assert HumanLoop.objects.get(id=early.id).status == "Failed"
    assert HumanLoop.objects.get(id=late.id).status == "InProgress"


def test_deleting_a_team_or_reviewer_an_escalation_named_removes_their_grants(notified):
    # ClaimGrant keeps no database constraint on who is granted (flows.models): Django's delete removes them.
    lead = factories.user("lead", email="lead@example.com")
    flow = _flow_with_deadline(
        notified,
        [
            {"Key": "hitl:deadline", "Value": "10m"},
            {"Key": "hitl:deadline:escalate-at", "Value": "8m"},
            {"Key": "hitl:deadline:escalate-to", "Value": "team-b user:lead"},
        ],
    )
    loop = factories.human_loop(flow)
    clock.advance(480)
    sweeps.run_deadline_steps()
    assert ClaimGrant.objects.filter(human_loop=loop).count() == 2

    type(notified.team).objects.get(name="team-b").delete()
    lead.delete()
    assert not ClaimGrant.objects.exists()
