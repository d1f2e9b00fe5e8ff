"""The console's charts as a manager watches them: drawn by the vendored Chart.js, and changed by new answers."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Page, expect

from flows.loops import lifecycle
from tests import factories as f
from tests.browser.conftest import PASSWORD, screenshot

pytestmark = pytest.mark.browser


def test_the_charts_change_after_reviewers_answer(live_server, transactional_db, personas, page: Page):
    for n in range(3):
        f.human_loop(personas.flow, {"taskObject": f"text {n}"}, name=f"chart-{n}")
    personas.owner.set_password(PASSWORD)
    personas.owner.save(update_fields=["password"])
    page.goto(live_server.url + "/accounts/login/?next=/console/")
    page.fill("input[name=login]", personas.owner.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("#login-button")
    page.wait_for_url(live_server.url + "/console/")

    page.click("#nav-charts")
    charts = page.locator("#charts")
    expect(charts).to_have_attribute("data-loaded", "1")
    assert page.evaluate("() => Object.keys(Chart.instances).length") == 5  # every canvas has its chart
    assert json.loads(charts.get_attribute("data-chart_backlog"))[0][-1] == 3
    assert sum(json.loads(charts.get_attribute("data-chart_completions"))[0]) == 0

    for _ in range(2):
        task = lifecycle.claim_next_task(personas.reviewer)
        lifecycle.submit_task(personas.reviewer, task.id, {"sentiment": {"label": "Positive"}})
    page.reload()
    expect(charts).to_have_attribute("data-loaded", "1")
    assert json.loads(charts.get_attribute("data-chart_backlog"))[0][-1] == 1
    assert sum(json.loads(charts.get_attribute("data-chart_completions"))[0]) == 2
    expect(page.locator("#completions-total")).to_have_text("2 loops completed in the window.")
    expect(page.locator("#reviewer-table tbody tr td").first).to_have_text(personas.reviewer.username)
    screenshot(page, "console-charts")
