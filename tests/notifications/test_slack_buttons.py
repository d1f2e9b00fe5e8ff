"""Slack Claim buttons: Slack's v0 request signature is verified; two reviewers pressing at once get one claim."""

from __future__ import annotations

import json
import threading
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test import Client

from flows.models import ReviewTask
from hitl.kernel import clock
from notifications import slack
from notifications.models import Channel, ReviewerSettings
from tests import factories
from tests.notifications.conftest import channel, notified_team
from tests.review_ui.test_concurrent_claims import file_database, in_thread

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


def _press(client: Client, slack_channel: Channel, slack_user: str, loop_id: int, *, secret: str = SECRET, age=0):
    payload = {"type": "block_actions", "user": {"id": slack_user}, "actions": [{"value": str(loop_id)}]}
    body = urlencode({"payload": json.dumps(payload)}).encode()
    timestamp = str(int(clock.now().timestamp()) - age)
    return client.post(
        f"/notifications/slack/{slack_channel.id}/actions",
        data=body,
        content_type="application/x-www-form-urlencoded",
        HTTP_X_SLACK_REQUEST_TIMESTAMP=timestamp,
        HTTP_X_SLACK_SIGNATURE=slack.signature(secret, timestamp, body),
    )


def _setup():
    account = factories.account()
    team, people = notified_team(account)
    flow = factories.flow_definition(account, team, name="sentiment")
    for n, person in enumerate(people):
        ReviewerSettings.objects.create(user=person, slack_user_id=f"U{n}")
    return people, flow, channel(account, Channel.Kind.SLACK, url="http://127.0.0.1:9/unused", secret=SECRET)


def test_the_signature_matches_slacks_documented_example():
    # https://api.slack.com/authentication/verifying-requests-from-slack (the example's secret and body).
    body = (
        b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&"
        b"channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&"
        b"response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&"
        b"trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
    )
    expected = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
    assert slack.signature(SECRET, "1531420618", body) == expected


@pytest.mark.django_db
def test_a_press_claims_the_loop_for_the_linked_reviewer_and_bad_signatures_are_refused(client):
    people, flow, slack_channel = _setup()
    loop = factories.human_loop(flow)

    forged = _press(client, slack_channel, "U0", loop.id, secret="not-the-secret")
    stale = _press(client, slack_channel, "U0", loop.id, age=301)
    unknown = _press(client, slack_channel, "U-nobody", loop.id)
    assert (forged.status_code, stale.status_code) == (401, 401)
    assert "not linked to a hitl reviewer" in unknown.json()["text"]
    assert ReviewTask.objects.get(human_loop=loop).state == "open"

    pressed = _press(client, slack_channel, "U0", loop.id)

    assert pressed.status_code == 200 and "is yours for now" in pressed.json()["text"]
    task = ReviewTask.objects.get(human_loop=loop)
    assert (task.state, task.worker) == ("leased", people[0])
    again = _press(client, slack_channel, "U1", loop.id)
    assert "no task left for you" in again.json()["text"]


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_pressing_at_once_make_exactly_one_claim(tmp_path):
    people, flow, slack_channel = _setup()
    loop = factories.human_loop(flow)  # TaskCount 1: one task to take
    start = threading.Barrier(2)
    answers: dict[str, str] = {}

    def press(slack_user: str) -> None:
        try:
            start.wait()
            answers[slack_user] = _press(Client(), slack_channel, slack_user, loop.id).json()["text"]
        finally:
            connection.close()

    with file_database(tmp_path / "slack.sqlite3"):
        threads = [threading.Thread(target=press, args=(user,)) for user in ("U0", "U1")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        leases = in_thread(lambda: list(ReviewTask.objects.filter(state="leased").values_list("worker_id", flat=True)))

    assert len(leases) == 1
    assert sorted("is yours for now" in text for text in answers.values()) == [False, True]
    winner = next(user for user, text in answers.items() if "is yours" in text)
    assert leases == [people[int(winner[1])].id]
