"""Versioned flow definitions and task UIs (issue 17): pins, outputs, safety, diff and rollback."""

import json

import pytest

from flows.definitions import services, versions
from flows.delivery.storage import get_store
from flows.loops import lifecycle
from flows.models import FlowDefinitionVersion, HumanLoop, HumanTaskUiVersion
from hitl.kernel.errors import Conflict, InvalidInput
from review_ui import work
from tests import factories as f

V2_TEMPLATE = f.SENTIMENT_TEMPLATE.replace("What sentiment", "Which sentiment (v2)").replace(
    "</crowd-form>", '  <crowd-input name="comment" label="Why?"></crowd-input>\n</crowd-form>'
)
NO_SENTIMENT_TEMPLATE = '<crowd-form><crowd-input name="comment"></crowd-input></crowd-form>'


def _setup(task_count: int = 1):
    acct = f.account()
    reviewers = [f.user() for _ in range(task_count)]
    ui = f.human_task_ui(acct)
    flow = f.flow_definition(acct, f.workteam(acct, members=reviewers), ui, task_count=task_count)
    return acct, reviewers, ui, flow


def _answer(reviewer, answer=None) -> HumanLoop:
    task = lifecycle.claim_next_task(reviewer)
    page = work.render_task(task, reviewer)
    lifecycle.submit_task(reviewer, task.id, answer or {"sentiment": {"label": "Positive"}})
    return HumanLoop.objects.get(id=task.human_loop_id), page


def _output(loop: HumanLoop) -> dict:
    bucket, key = loop.output_s3_uri.removeprefix("s3://").split("/", 1)
    return json.loads(get_store().get(bucket, key))


@pytest.mark.django_db(transaction=True)
def test_loops_in_flight_keep_template_v1_new_loops_get_v2_and_outputs_name_both():
    acct, [reviewer], ui, flow = _setup()
    old_loops = [f.human_loop(flow, name=f"old-{n}") for n in range(100)]
    assert {loop.flow_version_id for loop in old_loops} == {flow.current_version_id}

    update = versions.update_human_task_ui(ui, content=V2_TEMPLATE, base_version=1, note="ask why")
    assert update.version.number == 2 and [v.number for v in update.flow_versions] == [2]
    new_loop = f.human_loop(flow, name="new-1")

    # Oldest task first: the 100 loops started on v1 render v1; the new one renders v2.
    finished_old, old_page = _answer(reviewer)
    assert finished_old.name == "old-0" and "What sentiment" in old_page and "comment" not in old_page
    for _ in range(99):
        _answer(reviewer)
    finished_new, new_page = _answer(reviewer, {"sentiment": {"label": "Negative"}, "comment": "meh"})
    assert finished_new.name == "new-1" and "Which sentiment (v2)" in new_page

    old_output, new_output = _output(finished_old), _output(finished_new)
    v1_sha = HumanTaskUiVersion.objects.get(human_task_ui=ui, number=1).content_sha256
    assert (old_output["hitlFlowDefinitionVersion"], old_output["hitlHumanTaskUiVersion"]) == (1, 1)
    assert old_output["hitlTemplateSha256"] == v1_sha
    assert (new_output["hitlFlowDefinitionVersion"], new_output["hitlHumanTaskUiVersion"]) == (2, 2)
    assert new_output["hitlTemplateSha256"] == update.version.content_sha256 != v1_sha
    assert new_loop.flow_version_id == update.flow_versions[0].id


@pytest.mark.django_db(transaction=True)
def test_a_template_dropping_an_answer_field_in_use_is_refused_unless_forced():
    acct, [reviewer], ui, flow = _setup()
    f.human_loop(flow)
    _answer(reviewer)

    with pytest.raises(InvalidInput, match="no longer has the answer fields sentiment"):
        versions.update_human_task_ui(ui, content=NO_SENTIMENT_TEMPLATE, base_version=1)
    assert ui.versions.count() == 1

    forced = versions.update_human_task_ui(ui, content=NO_SENTIMENT_TEMPLATE, base_version=1, force=True)
    assert forced.version.number == 2


@pytest.mark.django_db
def test_a_stale_base_version_is_a_conflict():
    acct, _, ui, flow = _setup()
    versions.update_human_task_ui(ui, content=V2_TEMPLATE, base_version=1)
    with pytest.raises(Conflict, match="is at version 2, and this update was based on version 1"):
        versions.update_human_task_ui(ui, content=f.SENTIMENT_TEMPLATE, base_version=1)
    flow.refresh_from_db()
    versions.update_flow_definition(flow, {"task_title": "New title"}, base_version=2)
    with pytest.raises(Conflict, match="flow definition .* is at version 3"):
        versions.update_flow_definition(flow, {"task_title": "Other"}, base_version=2)


@pytest.mark.django_db(transaction=True)
def test_task_count_and_output_path_changes_apply_to_new_loops_only():
    acct, reviewers, ui, flow = _setup(task_count=2)
    old = f.human_loop(flow, name="old")
    versions.update_flow_definition(
        flow, {"task_count": 1, "s3_output_path": "s3://a2i-results/moved"}, base_version=1, note="one is enough"
    )
    new = f.human_loop(flow, name="new")
    assert old.review_tasks.count() == 2 and new.review_tasks.count() == 1

    _answer(reviewers[0])  # old's first answer: it still waits for its second (TaskCount 2, pinned)
    assert HumanLoop.objects.get(name="old").status == "InProgress"
    _answer(reviewers[0])  # new's only answer
    _answer(reviewers[1])  # old's second answer
    old, new = HumanLoop.objects.get(name="old"), HumanLoop.objects.get(name="new")
    assert old.status == new.status == "Completed"
    assert old.output_s3_uri.startswith("s3://a2i-results/reviews/")
    assert new.output_s3_uri.startswith("s3://a2i-results/moved/")


@pytest.mark.django_db
def test_diff_and_rollback_publish_the_old_version_as_a_new_one():
    acct, _, ui, flow = _setup()
    versions.update_human_task_ui(ui, content=V2_TEMPLATE, base_version=1)
    flow.refresh_from_db()
    versions.update_flow_definition(flow, {"task_title": "Sentiment v3"}, base_version=2)

    diff = versions.diff_flow_versions(flow, 1, 3)
    assert '-task_title: "Review sentiment"' in diff and '+task_title: "Sentiment v3"' in diff
    assert '+  <crowd-input name="comment"' in diff

    rolled = versions.roll_back_flow_definition(flow, 1, base_version=3)
    flow.refresh_from_db()
    assert (rolled.number, rolled.note) == (4, "Rollback to v1")
    assert flow.current_version_id == rolled.id and flow.task_title == "Review sentiment"
    assert rolled.template_id == FlowDefinitionVersion.objects.get(flow_definition=flow, number=1).template_id
    assert rolled.human_task_ui_version.number == 1
    assert versions.diff_flow_versions(flow, 1, 4) == ""


@pytest.mark.django_db
def test_creation_records_version_one_and_a_no_op_update_is_refused():
    acct = f.account()
    ui = services.create_human_task_ui(acct, name="ui-a", content=f.SENTIMENT_TEMPLATE, created_by="alice")
    assert (ui.current_version.number, ui.current_version.created_by) == (1, "alice")
    assert ui.current_version.content_sha256 == ui.template.sha256
    flow = f.flow_definition(acct, f.workteam(acct), ui)
    with pytest.raises(InvalidInput, match="changes nothing"):
        versions.update_flow_definition(flow, {"task_title": flow.task_title}, base_version=1)
    with pytest.raises(InvalidInput, match="cannot be changed: role_arn"):
        versions.update_flow_definition(flow, {"role_arn": "x"}, base_version=1)
