"""A loop is reviewed with everything of the flow version it started on (issue 17).

Time limits, the title and description reviewers see, and the `hitl:` tags
(quality control, notifications, agent policy) are pinned as TaskCount and the
template are. Runs on SQLite (the ORM writers) and, in the PostgreSQL suite,
through flows.loops.hot_sql's claim and submit.
"""

import json

import pytest
from django.urls import reverse

from flows.definitions import editing, services, versions
from flows.delivery.storage import get_store
from flows.loops import lifecycle
from flows.models import FlowDefinitionVersion, HumanLoop
from hitl.kernel.errors import InvalidInput
from review_ui import work
from tests import factories as f

pytestmark = pytest.mark.django_db(transaction=True)


def _flow(reviewers: int = 1, **overrides):
    acct = f.account()
    people = [f.user() for _ in range(reviewers)]
    flow = f.flow_definition(acct, f.workteam(acct, members=people), **overrides)
    return flow, people


def _lease_seconds(task) -> float:
    return (task.lease_expires_at - task.accepted_at).total_seconds()


def test_a_loop_keeps_its_versions_time_limit_and_title_after_an_update():
    flow, [reviewer] = _flow(task_time_limit_seconds=600, task_title="Old title", task_description="Old words")
    old = f.human_loop(flow, name="old")
    versions.update_flow_definition(
        flow,
        {"task_time_limit_seconds": 60, "task_title": "New title", "task_description": "New words"},
        base_version=1,
    )
    new = f.human_loop(flow, name="new")

    first = lifecycle.claim_next_task(reviewer, flow=flow)
    assert first.human_loop_id == old.id and _lease_seconds(first) == 600
    assert work.task_payload(first, reviewer)["title"] == "Old title"
    lifecycle.submit_task(reviewer, first.id, {"sentiment": {"label": "Positive"}})

    second = lifecycle.claim_next_task(reviewer)  # by team: the flow comes from the cache
    assert second.human_loop_id == new.id and _lease_seconds(second) == 60
    assert work.task_payload(second, reviewer)["title"] == "New title"


def test_the_task_page_shows_the_title_and_description_of_the_loops_version(client):
    flow, [reviewer] = _flow(task_title="Old title", task_description="Old words")
    f.human_loop(flow, name="old")
    versions.update_flow_definition(flow, {"task_title": "New title", "task_description": "New words"}, base_version=1)
    client.force_login(reviewer)

    page = client.get(reverse("review_ui:work") + f"?flow={flow.name}").content.decode()

    assert "Old title" in page and "Old words" in page
    assert "New title" not in page and "New words" not in page


def _answer(person, flow):
    task = lifecycle.claim_next_task(person, flow=flow)
    lifecycle.submit_task(person, task.id, {"s": {"label": "pos"}})
    return HumanLoop.objects.get(id=task.human_loop_id)


def test_quality_tags_added_later_do_not_change_how_an_older_loop_is_decided():
    # Given a loop started with fixed overlap (TaskCount 2, A2I's rule)
    flow, people = _flow(reviewers=2, task_count=2)
    old = f.human_loop(flow, name="old")

    # When adaptive overlap is turned on with AddTags (one agreeing answer at 0.7 is enough for 0.5)
    services.add_tags(flow.account, f.flow_arn(flow), [{"Key": "hitl:overlap", "Value": "adaptive:1:2:0.5"}])
    new = f.human_loop(flow, name="new")

    # Then AddTags published version 2, the new loop follows it and the old one still needs two answers
    latest = FlowDefinitionVersion.objects.filter(flow_definition=flow).order_by("-number").first()
    assert (latest.number, latest.note) == (2, "AddTags hitl:overlap")
    assert latest.settings["hitl_tags"] == [{"Key": "hitl:overlap", "Value": "adaptive:1:2:0.5"}]
    assert new.flow_version_id == latest.id and new.review_tasks.count() == 1
    assert _answer(people[0], flow).status == "InProgress"  # old: 1 of its 2 answers
    assert _answer(people[0], flow).status == "Completed"  # new: adaptive, done at one answer
    assert _answer(people[1], flow).status == "Completed"  # old: its second answer
    output = get_store().get(*HumanLoop.objects.get(id=old.id).output_s3_uri.removeprefix("s3://").split("/", 1))
    assert len(json.loads(output)["humanAnswers"]) == 2


def test_tags_without_the_hitl_prefix_are_not_versioned():
    flow, _ = _flow()
    services.add_tags(flow.account, f.flow_arn(flow), [{"Key": "team", "Value": "ml"}])
    services.delete_tags(flow.account, f.flow_arn(flow), ["team"])

    assert FlowDefinitionVersion.objects.filter(flow_definition=flow).count() == 1


def test_deleting_a_hitl_tag_publishes_a_version_without_it():
    flow, _ = _flow(tags=[{"Key": "hitl:flag-below", "Value": "0.9"}, {"Key": "team", "Value": "ml"}])
    services.delete_tags(flow.account, f.flow_arn(flow), ["hitl:flag-below"])

    flow.refresh_from_db()
    latest = FlowDefinitionVersion.objects.get(id=flow.current_version_id)
    assert (latest.number, latest.settings["hitl_tags"]) == (2, [])
    assert flow.tags == [{"Key": "team", "Value": "ml"}]
    assert 'tag hitl:flag-below: "0.9"' in versions.diff_flow_versions(flow, 1, 2)


def test_hitl_tags_given_to_an_update_are_checked_as_add_tags_checks_them():
    flow, _ = _flow(tags=[{"Key": "team", "Value": "ml"}])
    with pytest.raises(InvalidInput, match="hitl:flag-below must be a number from 0 to 1"):
        versions.update_flow_definition(flow, {"hitl_tags": [{"Key": "hitl:flag-below", "Value": "2"}]}, base_version=1)
    with pytest.raises(InvalidInput, match="not a hitl: setting"):
        versions.update_flow_definition(flow, {"hitl_tags": [{"Key": "team", "Value": "x"}]}, base_version=1)

    versions.update_flow_definition(flow, {"hitl_tags": [{"Key": "hitl:flag-below", "Value": "0.8"}]}, base_version=1)
    flow.refresh_from_db()
    assert flow.tags == [{"Key": "team", "Value": "ml"}, {"Key": "hitl:flag-below", "Value": "0.8"}]


def test_deadline_tags_are_checked_against_the_new_versions_lifetime_on_every_edit_surface():
    flow, _ = _flow(task_availability_lifetime_seconds=7200, tags=[{"Key": "hitl:deadline", "Value": "1h"}])
    acct = flow.account

    with pytest.raises(InvalidInput, match="must be shorter than the flow's TaskAvailabilityLifetimeInSeconds"):
        editing.edit_flow_definition(acct, flow, {"task_availability_lifetime_seconds": 1800}, base_version=1)
    with pytest.raises(InvalidInput, match="names work team nobody"):
        editing.edit_flow_definition(
            acct,
            flow,
            {
                "hitl_tags": [
                    {"Key": "hitl:deadline", "Value": "1h"},
                    {"Key": "hitl:deadline:on-timeout", "Value": "escalate"},
                    {"Key": "hitl:deadline:escalate-to", "Value": "nobody"},
                ]
            },
            base_version=1,
        )

    version = editing.edit_flow_definition(
        acct, flow, {"hitl_tags": [{"Key": "hitl:deadline", "Value": "30m"}]}, base_version=1
    )
    loop = f.human_loop(flow)
    assert versions.pinned_tags(loop) == [{"Key": "hitl:deadline", "Value": "30m"}] == version.settings["hitl_tags"]
