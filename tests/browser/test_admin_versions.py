"""Versions in the admin, in headless Chromium (issue 17): publish a template with a live preview, refusal,
diff, rollback, editing a flow's settings, scoping."""

from __future__ import annotations

import os

import pytest

# Playwright's sync API runs an event loop in this thread; Django refuses ORM calls next to one otherwise.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from playwright.sync_api import Page  # noqa: E402

from flows.definitions import versions  # noqa: E402
from flows.models import FlowDefinition, FlowDefinitionVersion, HumanTaskUi  # noqa: E402
from tests import factories as f  # noqa: E402
from tests.flows.test_versions import NO_SENTIMENT_TEMPLATE, V2_TEMPLATE, _answer  # noqa: E402
from tests.ops.test_admin_browser import admin_page  # noqa: E402, F401  (the signed-in superuser page)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_publish_refuse_diff_and_roll_back_in_the_admin(admin_page: Page, live_server):  # noqa: F811
    acct = f.account(name="acme")
    reviewer = f.user()
    ui = f.human_task_ui(acct, name="sentiment")
    flow = f.flow_definition(acct, f.workteam(acct, members=[reviewer]), ui, name="reviews")
    f.human_loop(flow)
    _answer(reviewer)
    page = admin_page

    page.goto(f"{live_server.url}/admin/flows/humantaskui/{ui.pk}/versions/")
    page.fill("textarea[name=content]", NO_SENTIMENT_TEMPLATE)
    page.click("button[name=publish]")
    assert "no longer has the answer fields sentiment" in page.inner_text(".messagelist")
    page.fill("textarea[name=content]", V2_TEMPLATE)
    page.fill("input[name=note]", "ask why")
    page.click("button[name=publish]")
    assert "Published sentiment v2." in page.inner_text(".messagelist")
    assert page.locator("tr.version-row").count() == 2
    page.fill("input[name=a]", "1")
    page.fill("input[name=b]", "2")
    page.click("text=Show diff")
    assert '+  <crowd-input name="comment"' in page.inner_text("#diff")

    page.goto(f"{live_server.url}/admin/flows/flowdefinition/{flow.pk}/change/")
    page.click("text=History, diff, rollback")
    assert page.locator("tr.version-row").count() == 2
    page.click("button:has-text('Roll back to v1')")
    assert "Published reviews v3 (Rollback to v1)." in page.inner_text(".messagelist")
    flow = FlowDefinition.objects.get(pk=flow.pk)
    assert flow.template_id == HumanTaskUi.objects.get(pk=ui.pk).versions.get(number=1).template_id


def test_another_accounts_staff_cannot_open_or_change_the_versions(chromium, live_server):
    from django.contrib.auth import get_user_model

    acct, other = f.account(name="acme"), f.account(name="other")
    ui = f.human_task_ui(acct, name="sentiment")
    staff = get_user_model().objects.create_user("otherlead", password="pw other lead", is_staff=True)
    other.admins.add(staff)
    context = chromium.new_context()
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "otherlead")
    page.fill("#id_password", "pw other lead")
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")
    response = page.goto(f"{live_server.url}/admin/flows/humantaskui/{ui.pk}/versions/")
    assert response.status == 404
    flow = f.flow_definition(acct, f.workteam(acct), ui, name="reviews")
    for action in ("versions", "edit"):
        assert page.goto(f"{live_server.url}/admin/flows/flowdefinition/{flow.pk}/{action}/").status == 404
    context.close()


def test_edit_a_flows_settings_in_the_admin_publishes_a_version_that_new_loops_get(admin_page: Page, live_server):  # noqa: F811
    acct = f.account(name="acme")
    flow = f.flow_definition(acct, f.workteam(acct, name="day-shift"), name="reviews", task_title="Review sentiment")
    night = f.workteam(acct, name="night-shift")
    before = f.human_loop(flow, name="before")
    page = admin_page

    page.goto(f"{live_server.url}/admin/flows/flowdefinition/{flow.pk}/versions/")
    page.click("#edit-settings")
    assert page.input_value("#id_task_title") == "Review sentiment"
    page.fill("#id_task_time_limit_seconds", "5")
    page.click("input[name=publish]")
    assert "task_time_limit_seconds must be a whole number from 30 to 28800" in page.inner_text("#flow-edit-errors")
    assert FlowDefinitionVersion.objects.filter(flow_definition=flow).count() == 1

    page.fill("#id_task_time_limit_seconds", "120")
    page.fill("#id_task_title", "Sentiment, night shift")
    page.select_option("#id_workteam", label="night-shift")
    page.fill("#id_hitl_tags", "hitl:flag-below=0.9")
    page.fill("#id_note", "move to nights")
    page.click("input[name=publish]")
    assert "Published reviews v2." in page.inner_text(".messagelist")
    assert page.locator("tr.version-row").count() == 2 and "move to nights" in page.inner_text("#versions")

    flow = FlowDefinition.objects.get(pk=flow.pk)
    assert (flow.workteam_id, flow.task_title, flow.task_time_limit_seconds) == (
        night.id,
        "Sentiment, night shift",
        120,
    )
    assert {"Key": "hitl:flag-below", "Value": "0.9"} in flow.tags
    after = f.human_loop(flow, name="after")
    assert versions.pinned_settings(before)["task_title"] == "Review sentiment"
    assert versions.pinned_settings(after)["task_title"] == "Sentiment, night shift"
    assert after.review_tasks.get().workteam_id == night.id and before.review_tasks.get().workteam_id != night.id


def test_the_template_editor_previews_what_is_typed_live(admin_page: Page, live_server):  # noqa: F811
    acct = f.account(name="acme")
    ui = f.human_task_ui(acct, name="sentiment")
    page = admin_page

    page.goto(f"{live_server.url}/admin/flows/humantaskui/{ui.pk}/versions/")
    frame = page.frame_locator("#preview-frame")
    frame.locator("text=I love this product!").wait_for()  # the current version, on the sample input
    page.fill("#template-editor", V2_TEMPLATE)  # typing: the frame follows without publishing
    frame = page.frame_locator("#preview-frame")
    frame.locator("text=Which sentiment (v2)").wait_for()
    page.fill("#preview-input", '{"taskObject": "Terrible service"}')
    page.frame_locator("#preview-frame").locator("text=Terrible service").wait_for()

    page.fill("#template-editor", "<crowd-form>{% if %}</crowd-form>")
    page.locator("#preview-errors li").first.wait_for()
    assert "Fix the errors" in page.inner_text("#preview-status")
    assert HumanTaskUi.objects.get(pk=ui.pk).current_version.number == 1  # nothing was published
