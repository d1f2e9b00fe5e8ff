"""The reviewer JSON API contract: next, submit, release, with `Authorization: Token <key>`."""

from __future__ import annotations

import datetime as dt

import pytest

from flows.models import HumanLoop, ReviewTask
from hitl.kernel import clock
from tests import factories

pytestmark = pytest.mark.django_db


def auth(user) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Token {factories.worker_token(user)}"}


def test_next_returns_the_task_with_its_rendered_html_then_204_when_the_queue_is_empty(client, flow, reviewer):
    loop = factories.human_loop(flow, {"taskObject": "Great <b>value</b>"}, name="loop-a")
    headers = auth(reviewer)

    response = client.get("/portal/api/tasks/next", **headers)

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"taskId", "humanLoopName", "flowDefinitionArn", "title", "input", "html", "leaseExpiresAt"}
    task = ReviewTask.objects.get(human_loop=loop)
    assert body["taskId"] == task.id
    assert body["humanLoopName"] == "loop-a"
    assert body["flowDefinitionArn"] == factories.flow_arn(flow)
    assert body["title"] == "Review sentiment"
    assert body["input"] == {"taskObject": "Great <b>value</b>"}
    assert "Great &lt;b&gt;value&lt;/b&gt;" in body["html"]
    assert "http://testserver/static/review_ui/elements/crowd-html-elements.js" in body["html"]
    expected_expiry = clock.now().replace(microsecond=0) + dt.timedelta(seconds=600)
    parsed = dt.datetime.strptime(body["leaseExpiresAt"], "%Y-%m-%dT%H:%M:%S.%f%z")
    assert body["leaseExpiresAt"].endswith("Z") and len(body["leaseExpiresAt"]) == 24
    assert abs((parsed - expected_expiry).total_seconds()) < 5
    task.refresh_from_db()
    assert task.state == ReviewTask.State.LEASED and task.worker == reviewer

    assert client.get("/portal/api/tasks/next", **headers).status_code == 204


def test_next_filters_by_flow_name(client, account, team, flow, reviewer):
    other_flow = factories.flow_definition(account, team, name="other-flow")
    factories.human_loop(other_flow, name="in-other-flow")
    headers = auth(reviewer)

    assert client.get("/portal/api/tasks/next?flow=sentiment", **headers).status_code == 204
    assert client.get("/portal/api/tasks/next?flow=no-such-flow", **headers).status_code == 204
    response = client.get("/portal/api/tasks/next?flow=other-flow", **headers)
    assert response.status_code == 200
    assert response.json()["humanLoopName"] == "in-other-flow"


@pytest.mark.django_db(transaction=True)  # the loop completes in an on-commit task
def test_submit_stores_the_answer_and_completes_the_loop(client, flow, reviewer):
    loop = factories.human_loop(flow, name="loop-b")
    headers = auth(reviewer)
    task_id = client.get("/portal/api/tasks/next", **headers).json()["taskId"]
    answer = {"sentiment": {"label": "Positive"}}

    response = client.post(
        f"/portal/api/tasks/{task_id}/submit", {"answerContent": answer}, content_type="application/json", **headers
    )

    assert response.status_code == 200
    assert response.json() == {"taskId": task_id, "status": "submitted"}
    task = ReviewTask.objects.get(id=task_id)
    assert task.state == ReviewTask.State.SUBMITTED and task.answer == answer
    loop.refresh_from_db()
    assert loop.status == HumanLoop.Status.COMPLETED


def test_submit_after_release_is_a_409_conflict(client, flow, reviewer):
    factories.human_loop(flow)
    headers = auth(reviewer)
    task_id = client.get("/portal/api/tasks/next", **headers).json()["taskId"]

    release = client.post(f"/portal/api/tasks/{task_id}/release", **headers)
    submit = client.post(
        f"/portal/api/tasks/{task_id}/submit",
        {"answerContent": {"sentiment": {"label": "Negative"}}},
        content_type="application/json",
        **headers,
    )

    assert release.status_code == 200
    assert release.json() == {"taskId": task_id, "status": "released"}
    assert ReviewTask.objects.get(id=task_id).state == ReviewTask.State.OPEN
    assert submit.status_code == 409
    assert "no longer assigned to you" in submit.json()["message"]


def test_submit_after_the_lease_ran_out_is_a_409(client, flow, reviewer):
    factories.human_loop(flow)
    headers = auth(reviewer)
    task_id = client.get("/portal/api/tasks/next", **headers).json()["taskId"]
    clock.advance(601)

    response = client.post(
        f"/portal/api/tasks/{task_id}/submit", {"answerContent": {}}, content_type="application/json", **headers
    )

    assert response.status_code == 409
    assert response.json()["message"]


def test_submit_to_a_loop_past_its_lifetime_is_a_409(client, account, team, reviewer):
    short_lived = factories.flow_definition(
        account, team, name="short", task_availability_lifetime_seconds=60, task_time_limit_seconds=600
    )
    loop = factories.human_loop(short_lived)
    headers = auth(reviewer)
    task_id = client.get("/portal/api/tasks/next", **headers).json()["taskId"]
    clock.advance(61)  # the lease (600 s) is still valid, the loop's lifetime is over

    response = client.post(
        f"/portal/api/tasks/{task_id}/submit", {"answerContent": {"a": 1}}, content_type="application/json", **headers
    )

    assert response.status_code == 409
    assert loop.name in response.json()["message"]
    assert ReviewTask.objects.get(id=task_id).answer is None


@pytest.mark.parametrize("body", [{"answerContent": ["not", "an", "object"]}, {"answerContent": "text"}, {}, []])
def test_submit_without_a_json_object_answer_is_a_400(client, flow, reviewer, body):
    factories.human_loop(flow)
    headers = auth(reviewer)
    task_id = client.get("/portal/api/tasks/next", **headers).json()["taskId"]

    response = client.post(f"/portal/api/tasks/{task_id}/submit", body, content_type="application/json", **headers)

    assert response.status_code == 400
    assert response.json() == {"message": "answerContent must be a JSON object."}
    assert ReviewTask.objects.get(id=task_id).state == ReviewTask.State.LEASED


def test_malformed_json_is_a_400(client, flow, reviewer):
    factories.human_loop(flow)
    headers = auth(reviewer)
    task_id = client.get("/portal/api/tasks/next", **headers).json()["taskId"]

    response = client.post(
        f"/portal/api/tasks/{task_id}/submit", "{not json", content_type="application/json", **headers
    )

    assert response.status_code == 400
    assert "message" in response.json()


def test_another_reviewers_task_is_a_404_for_submit_and_release(client, flow, reviewer, second_reviewer):
    factories.human_loop(flow)
    task_id = client.get("/portal/api/tasks/next", **auth(reviewer)).json()["taskId"]
    intruder = auth(second_reviewer)

    submit = client.post(
        f"/portal/api/tasks/{task_id}/submit", {"answerContent": {"x": 1}}, content_type="application/json", **intruder
    )
    release = client.post(f"/portal/api/tasks/{task_id}/release", **intruder)

    assert submit.status_code == 404
    assert release.status_code == 404
    assert "message" in submit.json()
    task = ReviewTask.objects.get(id=task_id)
    assert task.state == ReviewTask.State.LEASED and task.worker == reviewer


def test_a_reviewer_outside_the_team_gets_no_work(client, flow, other_team, outsider):
    factories.human_loop(flow)

    assert client.get("/portal/api/tasks/next", **auth(outsider)).status_code == 204


def test_a_reviewer_never_gets_two_tasks_of_one_loop(client, account, team, reviewer, second_reviewer):
    two_reviews = factories.flow_definition(account, team, name="double", task_count=2)
    factories.human_loop(two_reviews)
    headers = auth(reviewer)

    assert client.get("/portal/api/tasks/next", **headers).status_code == 200
    assert client.get("/portal/api/tasks/next", **headers).status_code == 204
    assert client.get("/portal/api/tasks/next", **auth(second_reviewer)).status_code == 200


def test_bad_or_missing_credentials_are_refused(client, flow):
    assert client.get("/portal/api/tasks/next", HTTP_AUTHORIZATION="Token nope").status_code == 401
    assert client.get("/portal/api/tasks/next").status_code in (401, 403)


def test_session_posts_need_the_csrf_token_and_token_posts_do_not(flow, reviewer):
    from django.test import Client

    factories.human_loop(flow)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(reviewer)
    task_id = browser.get("/portal/api/tasks/next").json()["taskId"]

    without_token = browser.post(
        f"/portal/api/tasks/{task_id}/submit", {"answerContent": {"a": 1}}, content_type="application/json"
    )
    browser.get("/portal/")  # sets the csrftoken cookie
    csrf = browser.cookies["csrftoken"].value
    with_token = browser.post(
        f"/portal/api/tasks/{task_id}/submit",
        {"answerContent": {"a": 1}},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=csrf,
    )

    assert without_token.status_code == 403
    assert with_token.status_code == 200
