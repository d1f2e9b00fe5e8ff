"""The next task claimed ahead (issue 19): one ahead at most, shown later with a fresh time limit, given back unseen.

POST /portal/api/tasks/ahead, POST /portal/api/tasks/{id}/show and POST .../release {"unseen": true}:
the same claim and release as every other path, so team membership, exclusions and pausing hold.
"""

from __future__ import annotations

import datetime as dt

import pytest

from flows.loops import lifecycle
from flows.models import ReviewerStanding, ReviewTask, TaskExclusion
from hitl.kernel import clock
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _still_clock():
    clock.set_now(clock.now())  # seconds left are whole seconds; the tests read them exactly


def auth(user) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Token {factories.worker_token(user)}"}


def shown_task(reviewer, flow) -> ReviewTask:
    task = lifecycle.claim_next_task(reviewer, flow=flow)
    assert task is not None
    return task


def test_ahead_claims_one_task_besides_the_shown_one_and_never_a_second(client, flow, reviewer):
    loops = [factories.human_loop(flow, name=f"loop-{i}") for i in range(4)]
    shown = shown_task(reviewer, flow)
    headers = auth(reviewer)

    first = client.post(f"/portal/api/tasks/ahead?shown={shown.id}&flow=sentiment", **headers)
    again = client.post(f"/portal/api/tasks/ahead?shown={shown.id}&flow=sentiment", **headers)

    assert first.status_code == 200
    body = first.json()
    ahead = ReviewTask.objects.get(human_loop=loops[1])
    assert body == {
        "taskId": ahead.id,
        "title": "Review sentiment",
        "description": flow.task_description,
        "secondsLeft": 600,
        "frameUrl": f"/portal/tasks/{ahead.id}/frame",
        "submitUrl": f"/portal/api/tasks/{ahead.id}/submit",
        "releaseUrl": f"/portal/tasks/{ahead.id}/release",
        "apiReleaseUrl": f"/portal/api/tasks/{ahead.id}/release",
        "showUrl": f"/portal/api/tasks/{ahead.id}/show",
    }
    assert again.status_code == 200 and again.json()["taskId"] == ahead.id
    held = ReviewTask.objects.filter(worker=reviewer, state=ReviewTask.State.LEASED)
    assert sorted(held.values_list("id", flat=True)) == [shown.id, ahead.id]


def test_ahead_answers_204_when_nothing_else_waits_and_400_without_the_shown_task(client, flow, reviewer):
    factories.human_loop(flow, name="only-one")
    shown = shown_task(reviewer, flow)
    headers = auth(reviewer)

    assert client.post(f"/portal/api/tasks/ahead?shown={shown.id}", **headers).status_code == 204
    assert client.post(f"/portal/api/tasks/ahead?shown={shown.id}&flow=nope", **headers).status_code == 204
    response = client.post("/portal/api/tasks/ahead?shown=first", **headers)
    assert response.status_code == 400
    assert response.json() == {"message": "shown must be the id of the task on the reviewer's screen."}


def test_a_paused_reviewer_gets_no_task_ahead(client, flow, reviewer):
    factories.human_loop(flow, name="loop-a")
    factories.human_loop(flow, name="loop-b")
    shown = shown_task(reviewer, flow)
    ReviewerStanding.objects.create(worker=reviewer, flow_definition=flow, held=True, paused_at=clock.now())

    response = client.post(f"/portal/api/tasks/ahead?shown={shown.id}&flow=sentiment", **auth(reviewer))

    assert response.status_code == 204
    assert ReviewTask.objects.filter(worker=reviewer).count() == 1


def test_show_starts_a_full_time_limit_and_the_time_spent_counts_from_then(client, flow, reviewer):
    factories.human_loop(flow, name="loop-a")
    factories.human_loop(flow, name="loop-b")
    shown = shown_task(reviewer, flow)
    headers = auth(reviewer)
    ahead_id = client.post(f"/portal/api/tasks/ahead?shown={shown.id}", **headers).json()["taskId"]
    later = clock.now() + dt.timedelta(seconds=200)
    clock.set_now(later)

    response = client.post(f"/portal/api/tasks/{ahead_id}/show", **headers)

    assert response.status_code == 200
    assert response.json() == {"taskId": ahead_id, "secondsLeft": 600}
    task = ReviewTask.objects.get(id=ahead_id)
    assert task.accepted_at == later and task.lease_expires_at == later + dt.timedelta(seconds=600)
    clock.set_now(later + dt.timedelta(seconds=5))
    lifecycle.submit_task(reviewer, ahead_id, {"sentiment": {"label": "Positive"}})
    assert ReviewTask.objects.get(id=ahead_id).time_spent_seconds == 5.0


def test_show_refuses_a_task_whose_lease_ran_out_and_someone_elses_task(client, flow, reviewer, second_reviewer):
    factories.human_loop(flow, name="loop-a")
    factories.human_loop(flow, name="loop-b")
    shown = shown_task(reviewer, flow)
    ahead_id = client.post(f"/portal/api/tasks/ahead?shown={shown.id}", **auth(reviewer)).json()["taskId"]

    assert client.post(f"/portal/api/tasks/{ahead_id}/show", **auth(second_reviewer)).status_code == 404
    clock.set_now(clock.now() + dt.timedelta(seconds=601))
    response = client.post(f"/portal/api/tasks/{ahead_id}/show", **auth(reviewer))
    assert response.status_code == 409
    assert response.json() == {
        "message": "This task is no longer assigned to you (it was released or its time ran out)."
    }


def test_a_task_given_back_unseen_can_come_to_the_same_reviewer_again(client, flow, reviewer):
    loop = factories.human_loop(flow, name="loop-a")
    headers = auth(reviewer)
    task = shown_task(reviewer, flow)

    response = client.post(
        f"/portal/api/tasks/{task.id}/release", data={"unseen": True}, content_type="application/json", **headers
    )

    assert response.status_code == 200
    assert ReviewTask.objects.get(id=task.id).state == ReviewTask.State.OPEN
    assert not TaskExclusion.objects.filter(worker=reviewer, human_loop=loop).exists()
    assert lifecycle.claim_next_task(reviewer, flow=flow).id == task.id


def test_a_task_released_after_it_was_seen_never_comes_back_to_that_reviewer(client, flow, reviewer):
    loop = factories.human_loop(flow, name="loop-a")
    task = shown_task(reviewer, flow)

    assert client.post(f"/portal/api/tasks/{task.id}/release", **auth(reviewer)).status_code == 200

    assert TaskExclusion.objects.filter(worker=reviewer, human_loop=loop).exists()
    assert lifecycle.claim_next_task(reviewer, flow=flow) is None


def test_a_task_ahead_whose_lease_ran_out_unreleased_can_be_claimed_again_by_anyone(client, flow, reviewer):
    # The page went away without giving the task back (a crash, a lost network): the lease runs out
    # while the task was never on the screen, so its loop is not barred to this reviewer.
    seen = factories.human_loop(flow, name="loop-seen")
    never_seen = factories.human_loop(flow, name="loop-never-seen")
    shown = shown_task(reviewer, flow)
    ahead_id = client.post(f"/portal/api/tasks/ahead?shown={shown.id}", **auth(reviewer)).json()["taskId"]
    clock.set_now(clock.now() + dt.timedelta(seconds=601))

    again = lifecycle.claim_next_task(reviewer, flow=flow)  # its own sweep gives both leases back first

    assert again is not None and again.id == ahead_id and again.human_loop_id == never_seen.id
    # The task on the screen whose time ran out stays barred to that reviewer, as before.
    assert TaskExclusion.objects.filter(worker=reviewer, human_loop=seen).exists()
    lifecycle.release_task(reviewer, ahead_id, unseen=True)
    assert lifecycle.claim_next_task(reviewer, flow=flow).id == ahead_id


def test_a_task_ahead_whose_lease_ran_out_goes_to_another_reviewer(client, flow, reviewer, second_reviewer):
    factories.human_loop(flow, name="loop-seen")
    never_seen = factories.human_loop(flow, name="loop-never-seen")
    shown = shown_task(reviewer, flow)
    ahead_id = client.post(f"/portal/api/tasks/ahead?shown={shown.id}", **auth(reviewer)).json()["taskId"]
    assert lifecycle.claim_next_task(second_reviewer, flow=flow) is None  # both are leased
    clock.set_now(clock.now() + dt.timedelta(seconds=601))

    lifecycle.expire_leases()  # the beat's sweep this time

    assert ReviewTask.objects.get(id=ahead_id).state == ReviewTask.State.OPEN
    assert not TaskExclusion.objects.filter(worker=reviewer, human_loop=never_seen).exists()
    first = lifecycle.claim_next_task(second_reviewer, flow=flow)
    second = lifecycle.claim_next_task(second_reviewer, flow=flow)
    assert {first.id, second.id} == {shown.id, ahead_id}


def test_a_task_ahead_that_was_shown_is_barred_after_its_lease_ran_out(client, flow, reviewer):
    factories.human_loop(flow, name="loop-a")
    loop_b = factories.human_loop(flow, name="loop-b")
    shown = shown_task(reviewer, flow)
    headers = auth(reviewer)
    ahead_id = client.post(f"/portal/api/tasks/ahead?shown={shown.id}", **headers).json()["taskId"]
    assert client.post(f"/portal/api/tasks/{ahead_id}/show", **headers).status_code == 200
    clock.set_now(clock.now() + dt.timedelta(seconds=601))

    assert lifecycle.claim_next_task(reviewer, flow=flow) is None
    assert TaskExclusion.objects.filter(worker=reviewer, human_loop=loop_b).exists()
    assert ReviewTask.objects.get(id=ahead_id).state == ReviewTask.State.OPEN
