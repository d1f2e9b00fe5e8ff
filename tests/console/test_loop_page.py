"""A loop's page (answers drawn, side by side, consolidated, timeline) and checking answers."""

from __future__ import annotations

import json

import pytest

from console.models import AnswerCheck
from flows.delivery.storage import get_store
from flows.models import HumanLoop, ReviewTask
from tests import factories as f
from tests.console.test_loops import answer
from workforce import services as workforce_services

BOX = {
    "annotatedResult": {
        "boundingBoxes": [{"label": "Cat", "left": 10, "top": 20, "width": 30, "height": 40}],
        "inputImageProperties": {"width": 200, "height": 100},
    }
}


@pytest.fixture
def second_reviewer(personas):
    reviewer = f.user("acme-second-reviewer")
    workforce_services.add_member(personas.tenant.team, reviewer)
    return reviewer


def read_output(loop: HumanLoop) -> dict:
    bucket, key = loop.output_s3_uri.removeprefix("s3://").split("/", 1)
    return json.loads(get_store().get(bucket, key))


def test_boxes_are_drawn_on_the_image_for_each_reviewer_side_by_side_with_the_consolidated_answer(
    client, personas, second_reviewer, django_capture_on_commit_callbacks
):
    f.read_location(personas.account, "acme-images")
    get_store().put("acme-images", "cat.png", b"\x89PNG fake", content_type="image/png")
    ui = f.human_task_ui(
        personas.account, content=open("flows/definitions/sample_templates/images/bounding-box.liquid.html").read()
    )
    flow = f.flow_definition(personas.account, personas.tenant.team, ui, task_count=2, name="acme-boxes")
    f.human_loop(flow, {"taskObject": "s3://acme-images/cat.png"}, name="cat-1")
    answer(personas.reviewer, flow, BOX, django_capture_on_commit_callbacks)
    other = {
        "annotatedResult": {
            **BOX["annotatedResult"],
            "boundingBoxes": [{**BOX["annotatedResult"]["boundingBoxes"][0], "left": 12}],
        }
    }
    loop = answer(second_reviewer, flow, other, django_capture_on_commit_callbacks)
    client.force_login(personas.owner)
    response = client.get(f"/console/loops/{loop.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert [r["who"] for r in response.context["reviewers"]] == ["acme-reviewer", "acme-second-reviewer"]
    first, second = (str(r["drawings"][0]["html"]) for r in response.context["reviewers"])
    assert '<rect class="shape" data-label="Cat" x="10.0" y="20.0" width="30.0" height="40.0"' in first
    assert '<rect class="shape" data-label="Cat" x="12.0" y="20.0"' in second
    consolidated = str(response.context["consolidated"]["drawings"][0]["html"])
    assert '<rect class="shape" data-label="Cat"' in consolidated
    assert page.count('viewBox="0 0 200.0 100.0"') == 3  # two reviewers and the consolidated answer
    assert '<image href="/portal/objects/' in page  # the image, through the account's read grant
    assert response.context["consolidated"]["answerCount"] == 2
    assert [event["what"] for event in response.context["timeline"]][0] == "Started"
    assert "Completed" in [event["what"] for event in response.context["timeline"]]


def test_entity_spans_are_highlighted_in_the_text_and_labels_shown_as_chips(
    client, personas, django_capture_on_commit_callbacks
):
    ui = f.human_task_ui(
        personas.account,
        content=open("flows/definitions/sample_templates/text/named-entity-recognition.liquid.html").read(),
    )
    flow = f.flow_definition(personas.account, personas.tenant.team, ui, name="acme-ner")
    f.human_loop(flow, {"taskObject": "Émile met Alice in Paris"}, name="ner-1")
    entities = {
        "entities": [{"label": "person", "startOffset": 10, "endOffset": 15}],
    }
    loop = answer(
        personas.reviewer, flow, {"entities": entities, "kind": {"label": "news"}}, django_capture_on_commit_callbacks
    )
    client.force_login(personas.owner)
    page = client.get(f"/console/loops/{loop.pk}/").content.decode()
    assert '<mark class="entity" data-label="person" style="border-color:' in page
    assert '">Alice<small>person</small></mark>' in page
    assert '">news</span>' in page


def test_the_outsider_cannot_open_the_loop_or_check_it(client, personas):
    loop = f.human_loop(personas.flow)
    client.force_login(personas.outsider.owner)
    assert client.get(f"/console/loops/{loop.pk}/").status_code == 404
    assert client.post(f"/console/loops/{loop.pk}/check", {"decision": "accept"}).status_code == 404
    assert not AnswerCheck.objects.exists()


def test_accepting_records_who_and_when(client, personas, django_capture_on_commit_callbacks):
    f.human_loop(personas.flow)
    loop = answer(
        personas.reviewer, personas.flow, {"sentiment": {"label": "Positive"}}, django_capture_on_commit_callbacks
    )
    client.force_login(personas.owner)
    response = client.post(f"/console/loops/{loop.pk}/check", {"decision": "accept", "note": "looks right"})
    assert response.status_code == 302
    check = AnswerCheck.objects.get()
    assert (check.decision, check.checked_by, check.note, check.answer) == (
        "accepted",
        "acme-owner",
        "looks right",
        None,
    )
    assert "Accepted by acme-owner" in client.get(f"/console/loops/{loop.pk}/").content.decode()


def test_a_correction_is_its_own_answer_written_beside_the_output_which_stays_as_it_was(
    client, personas, django_capture_on_commit_callbacks
):
    f.human_loop(personas.flow)
    loop = answer(
        personas.reviewer, personas.flow, {"sentiment": {"label": "Positive"}}, django_capture_on_commit_callbacks
    )
    output_before = read_output(loop)
    client.force_login(personas.owner)
    corrected = {"sentiment": {"label": "Negative"}}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/console/loops/{loop.pk}/check",
            {"decision": "correct", "answer": json.dumps(corrected), "note": "sarcasm"},
        )
    assert response.status_code == 302
    bucket, key = loop.output_s3_uri.removeprefix("s3://").split("/", 1)
    corrections = json.loads(get_store().get(bucket, key.rsplit("/", 1)[0] + "/corrections.json"))
    assert corrections["humanLoopName"] == loop.name
    assert [(c["correctedBy"], c["note"], c["answerContent"]) for c in corrections["corrections"]] == [
        ("acme-owner", "sarcasm", corrected)
    ]
    assert read_output(loop) == output_before
    assert ReviewTask.objects.get(human_loop=loop, state="submitted").answer == {"sentiment": {"label": "Positive"}}
    check = AnswerCheck.objects.get()
    assert check.written_to == f"s3://{bucket}/{key.rsplit('/', 1)[0]}/corrections.json"
    page = client.get(f"/console/loops/{loop.pk}/").content.decode()
    assert "Correction by acme-owner" in page


@pytest.mark.parametrize(
    ("answer_text", "message"),
    [("{nope", "not valid JSON"), ("[1, 2]", "must be a JSON object")],
)
def test_a_correction_that_is_not_an_answer_object_is_refused(
    client, personas, django_capture_on_commit_callbacks, answer_text, message
):
    f.human_loop(personas.flow)
    loop = answer(
        personas.reviewer, personas.flow, {"sentiment": {"label": "Positive"}}, django_capture_on_commit_callbacks
    )
    client.force_login(personas.owner)
    response = client.post(f"/console/loops/{loop.pk}/check", {"decision": "correct", "answer": answer_text})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not AnswerCheck.objects.exists()


def test_an_open_loop_cannot_be_checked(client, personas):
    loop = f.human_loop(personas.flow)
    client.force_login(personas.owner)
    for decision in ("accept", "correct", "send_back"):
        response = client.post(f"/console/loops/{loop.pk}/check", {"decision": decision, "answer": "{}"})
        assert response.status_code == 400
        assert "only a Completed loop" in response.content.decode()
    assert not AnswerCheck.objects.exists()


def test_sending_back_reopens_the_loop_for_one_more_reviewer_and_it_completes_with_both_answers(
    client, personas, second_reviewer, django_capture_on_commit_callbacks
):
    f.human_loop(personas.flow)
    loop = answer(
        personas.reviewer, personas.flow, {"sentiment": {"label": "Positive"}}, django_capture_on_commit_callbacks
    )
    client.force_login(personas.owner)
    response = client.post(f"/console/loops/{loop.pk}/check", {"decision": "send_back"})
    assert response.status_code == 302
    loop.refresh_from_db()
    assert (loop.status, loop.finished_at) == ("InProgress", None)
    assert ReviewTask.objects.filter(human_loop=loop, state="open").count() == 1
    # The first reviewer cannot take it again; another one answers and the loop completes with both answers.
    assert lifecycle_claim(personas.reviewer, loop) is None
    answer(second_reviewer, personas.flow, {"sentiment": {"label": "Negative"}}, django_capture_on_commit_callbacks)
    loop.refresh_from_db()
    assert loop.status == "Completed"
    labels = [a["answerContent"]["sentiment"]["label"] for a in read_output(loop)["humanAnswers"]]
    assert labels == ["Positive", "Negative"]
    assert AnswerCheck.objects.get().decision == "sent_back"


def lifecycle_claim(reviewer, loop):
    from flows.loops import lifecycle

    return lifecycle.claim_next_task(reviewer, flow=loop.flow_definition)
