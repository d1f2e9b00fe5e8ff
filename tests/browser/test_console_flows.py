"""The console as a new manager meets it: the front door, signing in, a flow from the gallery with a live preview."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Page, expect

from console.models import AnswerCheck
from flows.definitions import sample_inputs
from flows.loops import lifecycle
from flows.models import FlowDefinition, HumanLoop
from tests import factories
from tests.browser.conftest import PASSWORD, screenshot, store_image
from workforce import services as workforce_services

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
    # Editing the sample input re-renders the preview, and the reloaded frame leaves the caret where it was
    # (it took the focus and scrolled to itself, dropping a fast typist's text and moving the Create button).
    page.evaluate(
        """() => addEventListener('hitl:task-shown', () => {
            window.shown = {generation: document.getElementById('task-frame').dataset.generation,
                            focus: document.activeElement.id};
        })"""
    )
    shown_before = page.locator("#task-frame").get_attribute("data-generation")
    page.fill("#id_sample_input", '{"taskObject": "The preview follows my edit."}')
    expect(frame.locator("body")).to_contain_text("The preview follows my edit.")
    page.wait_for_function("before => window.shown && window.shown.generation !== before", arg=shown_before)
    assert page.evaluate("() => window.shown.focus") == "id_sample_input"
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


BOX_TEMPLATE = sample_inputs.TEMPLATES_DIR / "images" / "bounding-box.liquid.html"


def two_reviewers_answer_a_box_loop(manager, callbacks):
    """A two-answer bounding-box flow with one loop answered by two reviewers, and one loop still open."""
    second = factories.user("acme-second-reviewer")
    workforce_services.add_member(manager.tenant.team, second)
    factories.read_location(manager.account, "acme-images")
    store_image("acme-images", "street.png", 320, 200)
    ui = factories.human_task_ui(manager.account, content=BOX_TEMPLATE.read_text())
    flow = factories.flow_definition(manager.account, manager.tenant.team, ui, task_count=2, name="street-boxes")
    factories.human_loop(flow, {"taskObject": "s3://acme-images/street.png"}, name="street-0001")
    factories.human_loop(flow, {"taskObject": "s3://acme-images/street.png"}, name="street-0002")
    for reviewer, left in ((manager.reviewer, 100), (second, 108)):
        with callbacks(execute=True):
            task = lifecycle.claim_next_task(reviewer, flow=flow)
            box = {"label": "Car", "left": left, "top": 60, "width": 120, "height": 80}
            lifecycle.submit_task(
                reviewer,
                task.id,
                {"annotatedResult": {"boundingBoxes": [box], "inputImageProperties": {"width": 320, "height": 200}}},
            )
    return flow


def test_a_manager_finds_a_loop_sees_the_answers_drawn_corrects_one_and_stops_another(
    manager, live_server, page: Page, django_capture_on_commit_callbacks
):
    flow = two_reviewers_answer_a_box_loop(manager, django_capture_on_commit_callbacks)
    sign_in_from_the_front_door(page, live_server.url, manager.owner.username)
    expect(page.locator("#tile-throughput .figure")).to_have_text("2")
    screenshot(page, "console-home")
    page.click("#nav-loops")
    page.fill("#loop-text", "street.png")
    page.select_option("select[name=status]", "Completed")
    page.click("#search-loops")
    expect(page.locator("#loops tbody tr")).to_have_count(1)
    screenshot(page, "console-loops")
    page.click("a:has-text('street-0001')")
    expect(page.locator("#reviewers .reviewer")).to_have_count(2)
    expect(page.locator("#reviewers svg.drawing rect.shape[data-label=Car]")).to_have_count(2)
    expect(page.locator("#consolidated svg.drawing rect.shape")).to_have_count(1)
    # The picture itself loads through the account's read grant.
    loaded = page.eval_on_selector("#reviewers svg.drawing image", "img => img.href.baseVal")
    assert page.request.get(live_server.url + loaded).status == 200
    expect(page.locator("#timeline")).to_contain_text("Completed")
    corrected = {
        "annotatedResult": {
            "boundingBoxes": [{"label": "Car", "left": 104, "top": 58, "width": 124, "height": 84}],
            "inputImageProperties": {"width": 320, "height": 200},
        }
    }
    page.fill("#id_answer", json.dumps(corrected))
    page.fill("#id_note", "tighter box")
    page.click("#save-correction")
    expect(page.locator(".reviewer.correction")).to_contain_text("Correction by acme-owner")
    expect(page.locator(".reviewer.correction rect.shape[x='104.0']")).to_have_count(1)
    screenshot(page, "console-loop")
    check = AnswerCheck.objects.get()
    assert (check.decision, check.answer, check.note) == ("corrected", corrected, "tighter box")
    # Back to the list: the open loop is stopped in bulk.
    page.click("#nav-loops")
    page.check("tr[data-loop='street-0002'] input[name=loop]")
    page.click("#stop-selected")
    expect(page.locator(".messages")).to_contain_text("Stopped 1 loop(s).")
    assert HumanLoop.objects.get(name="street-0002").status in ("Stopping", "Stopped")
    assert HumanLoop.objects.get(name="street-0001").flow_definition == flow
