"""A signed link opens the task for its reviewer only; an expired or forwarded link gets a clear page."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from flows.models import ReviewTask
from hitl.kernel import clock
from notifications import links
from notifications.models import TeamOptOut
from tests import factories

pytestmark = pytest.mark.django_db


def _path(url: str) -> str:
    return urlsplit(url).path


def test_a_task_link_claims_the_loop_for_its_reviewer_and_opens_the_task(client, notified):
    reviewer = notified.reviewers[0]
    loop = factories.human_loop(notified.flow)
    url = links.task_url(reviewer.pk, notified.flow.id, loop.id)

    assert client.get(_path(url)).status_code == 302  # to sign in first
    client.force_login(reviewer)
    response = client.get(_path(url))

    assert response.status_code == 302 and response["Location"] == "/portal/work/"
    task = ReviewTask.objects.get(human_loop=loop)
    assert (task.state, task.worker) == ("leased", reviewer)
    assert client.get("/portal/work/").context["task"].id == task.id
    assert client.get(_path(url)).status_code == 302  # again: the task it already holds


def test_a_forwarded_link_says_it_was_sent_to_another_reviewer(client, notified):
    owner, forwarded_to = notified.reviewers
    loop = factories.human_loop(notified.flow)
    client.force_login(forwarded_to)

    response = client.get(_path(links.task_url(owner.pk, notified.flow.id, loop.id)))

    assert response.status_code == 403
    assert b"This link was sent to another reviewer" in response.content
    assert ReviewTask.objects.get(human_loop=loop).state == "open"


def test_an_expired_or_altered_link_gets_a_clear_page(client, notified, settings):
    settings.HITL_NOTIFY_LINK_SECONDS = 60
    reviewer = notified.reviewers[0]
    client.force_login(reviewer)
    loop = factories.human_loop(notified.flow)
    url = _path(links.task_url(reviewer.pk, notified.flow.id, loop.id))

    clock.advance(61)
    expired = client.get(url)
    altered = client.get(url[:-3] + "abc")

    assert expired.status_code == 410 and b"This link has expired" in expired.content
    assert altered.status_code == 400 and b"This link is not valid" in altered.content


def test_a_link_to_a_task_someone_else_took_says_so(client, notified):
    first, second = notified.reviewers
    loop = factories.human_loop(notified.flow)
    client.force_login(first)
    client.get(_path(links.task_url(first.pk, notified.flow.id, loop.id)))
    client.force_login(second)

    response = client.get(_path(links.task_url(second.pk, notified.flow.id, loop.id)))

    assert response.status_code == 409 and b"This task is no longer waiting" in response.content


def test_one_click_unsubscribe_turns_off_the_team_without_signing_in(client, notified):
    reviewer = notified.reviewers[0]
    url = _path(links.unsubscribe_url(reviewer.pk, notified.team.id))

    asked = client.get(url)
    assert asked.status_code == 200 and not TeamOptOut.objects.exists()
    # What a mail client sends for List-Unsubscribe-Post (RFC 8058), without a CSRF token.
    done = client.post(url, {"List-Unsubscribe": "One-Click"})

    assert done.status_code == 200 and b"no more notifications from team-a" in done.content
    assert TeamOptOut.objects.filter(user=reviewer, workteam=notified.team).exists()
    assert client.post(url[:-2] + "xx").status_code == 400


def test_the_settings_page_saves_quiet_hours_and_team_choices(client, notified):
    reviewer = notified.reviewers[0]
    client.force_login(reviewer)

    bad = client.post("/notifications/settings/", {"quiet_start": "22:00", "time_zone": "Mars/Olympus"})
    good = client.post(
        "/notifications/settings/",
        {"quiet_start": "22:00", "quiet_end": "07:00", "time_zone": "Europe/Berlin", "slack_user_id": "U123"},
    )

    assert bad.status_code == 400 and b"Mars/Olympus is not a time zone" in bad.content
    assert good.status_code == 200 and b"were saved" in good.content
    settings_row = reviewer.notification_settings
    assert (str(settings_row.quiet_start), settings_row.time_zone, settings_row.slack_user_id) == (
        "22:00:00",
        "Europe/Berlin",
        "U123",
    )
    assert TeamOptOut.objects.filter(user=reviewer, workteam=notified.team).exists()  # its box was left unticked
