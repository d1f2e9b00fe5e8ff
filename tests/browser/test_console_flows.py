"""The console as a new manager meets it: the front door, signing in, a flow from the gallery with a live preview."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from flows.models import FlowDefinition
from tests.browser.conftest import PASSWORD, screenshot

pytestmark = pytest.mark.browser


@pytest.fixture
def manager(live_server, transactional_db, personas, page: Page):
    personas.owner.set_password(PASSWORD)
    personas.owner.save(update_fields=["password"])
    return personas


def sign_in_from_the_front_door(page: Page, url: str, username: str) -> None:
    page.goto(url + "/")
    expect(page.locator("h1")).to_have_text("Human review for ML predictions")
    page.click("#sign-in-button")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("#login-button")
    page.wait_for_url(url + "/console/")


def test_a_manager_creates_a_flow_from_the_gallery_with_a_live_preview(manager, live_server, page: Page):
    sign_in_from_the_front_door(page, live_server.url, manager.owner.username)
    page.click("#nav-flows")
    page.click("#new-flow")
    expect(page.locator("h1")).to_have_text("New flow: start from a template")
    screenshot(page, "console-gallery")
    page.click("a[data-sample='text/sentiment-analysis']")
    frame = page.frame_locator("#task-frame")
    expect(frame.locator("crowd-classifier")).to_be_attached()
    expect(frame.locator("body")).to_contain_text("support refunded the shipping")
    # Editing the sample input re-renders the preview.
    page.fill("#id_sample_input", '{"taskObject": "The preview follows my edit."}')
    expect(frame.locator("body")).to_contain_text("The preview follows my edit.")
    # A broken template says why, with its line, and keeps the last good preview.
    page.fill("#id_template", "<p>{% if %}</p>")
    expect(page.locator("#preview-errors")).to_contain_text("line 1")
    expect(frame.locator("body")).to_contain_text("The preview follows my edit.")
    page.goto(live_server.url + "/console/flows/new/text/sentiment-analysis/")
    expect(frame.locator("crowd-classifier")).to_be_attached()
    page.fill("#id_name", "console-reviews")
    page.select_option("#id_team", label=f"{manager.account.name} / {manager.tenant.team.name}")
    page.fill("#id_task_count", "2")
    page.fill("#id_task_time_limit_seconds", "900")
    page.fill("#id_s3_output_path", "s3://acme-results/console-reviews")
    screenshot(page, "console-new-flow")
    page.click("#create-flow")
    expect(page.locator("h1")).to_have_text("Flow console-reviews")
    expect(page.locator("#flow-task-count")).to_have_text("2")
    expect(page.locator("#boto3-snippet")).to_contain_text('HumanLoopName="console-reviews-0001"')
    screenshot(page, "console-flow")
    flow = FlowDefinition.objects.get(name="console-reviews")
    assert (flow.account, flow.workteam, flow.task_count, flow.task_time_limit_seconds) == (
        manager.account,
        manager.tenant.team,
        2,
        900,
    )
    assert flow.s3_output_path == "s3://acme-results/console-reviews"
