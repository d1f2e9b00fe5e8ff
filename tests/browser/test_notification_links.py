"""In Chromium: a reviewer opens the signed link of a notification, a forwarded one, and their settings page."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from flows.models import ReviewTask
from notifications import links
from tests import factories
from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser


def test_a_signed_link_signs_in_then_opens_the_task_and_a_forwarded_one_says_whose_it_is(portal):
    flow = portal.flow(factories.SENTIMENT_TEMPLATE, name="sentiment")
    loop = factories.human_loop(flow)
    someone_else = factories.user("sam", email="sam@example.com")
    mine = portal.url + urlsplit(links.task_url(portal.reviewer.pk, flow.id, loop.id)).path
    theirs = portal.url + urlsplit(links.task_url(someone_else.pk, flow.id, loop.id)).path

    portal.page.goto(mine)  # not signed in yet: the sign-in page, then the task
    portal.page.fill("input[name=login]", portal.reviewer.username)
    portal.page.fill("input[name=password]", "correct horse battery")
    portal.page.click("#login-button")
    portal.page.wait_for_selector("#task-frame.ready")
    assert ReviewTask.objects.get(human_loop=loop).worker == portal.reviewer

    portal.page.goto(theirs)
    assert portal.page.text_content("#link-heading") == "This link was sent to another reviewer"


def test_the_settings_page_saves_quiet_hours(portal):
    portal.sign_in()
    portal.page.goto(portal.url + "/notifications/settings/")
    assert portal.page.is_checked(f"#team-{portal.team.id}")
    portal.page.fill("#quiet_start", "22:00")
    portal.page.fill("#quiet_end", "07:00")
    portal.page.fill("#time_zone", "Europe/Berlin")
    portal.page.click("#save-settings")
    portal.page.wait_for_selector("#settings-saved")
    screenshot(portal.page, "notification-settings")
    settings_row = portal.reviewer.notification_settings
    assert (str(settings_row.quiet_start), str(settings_row.quiet_end)) == ("22:00:00", "07:00:00")
