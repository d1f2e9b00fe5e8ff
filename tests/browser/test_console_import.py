"""Importing a 1,000-row CSV from the console: upload, map the columns, watch the progress bar, see the loops."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Page, expect

from flows.loops import bulk_direct, imports
from flows.models import HumanLoop
from tests.browser.conftest import PASSWORD, screenshot

pytestmark = pytest.mark.browser


@pytest.fixture
def manager(live_server, transactional_db, personas, page: Page):
    personas.owner.set_password(PASSWORD)
    personas.owner.save(update_fields=["password"])
    page.goto(live_server.url + "/accounts/login/?next=/console/")
    page.fill("input[name=login]", personas.owner.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("#login-button")
    page.wait_for_url(live_server.url + "/console/")
    return personas


def test_a_manager_imports_a_1000_row_csv_and_watches_its_progress(
    manager, live_server, page: Page, tmp_path, monkeypatch
):
    # Batches of 100, each held a moment, so the bar is seen part-way on a fast machine too.
    monkeypatch.setattr(imports, "BATCH_SIZE", 100)
    monkeypatch.setattr(bulk_direct, "BLOCK_ROWS", 100)  # PostgreSQL's COPY blocks
    report = imports._ProgressReporter.report
    monkeypatch.setattr(imports._ProgressReporter, "report", lambda self, s: (report(self, s), time.sleep(0.15)))
    csv_file = tmp_path / "reviews.csv"
    csv_file.write_text("ref,comment\n" + "".join(f"c{i:04d},comment number {i}\n" for i in range(1000)))

    page.click("#nav-import")
    page.select_option("#id_flow", str(manager.flow.id))
    page.set_input_files("#id_file", str(csv_file))
    page.click("#upload")
    expect(page.locator("h1")).to_have_text("Import of reviews.csv")
    page.select_option("#column-taskObject", "comment")
    page.select_option("#id_name_column", "ref")
    screenshot(page, "console-import-mapping")
    seen: list[dict] = []
    page.on("response", lambda r: seen.append(r.json()) if r.url.endswith("/progress") and r.ok else None)
    page.click("#start-import")

    expect(page.locator("#import-state")).to_have_text("Done", timeout=30_000)
    expect(page.locator("#import-counts")).to_have_text("1000 of 1000 rows")
    expect(page.locator("#import-message")).to_have_text("1,000 loops started.")
    assert page.locator("#import-bar").get_attribute("value") == "100"
    assert any(p["state"] == "running" and 0 < p["percent"] < 100 for p in seen), seen
    screenshot(page, "console-import-progress")
    assert HumanLoop.objects.filter(account=manager.account).count() == 1000
    assert HumanLoop.objects.get(name="c0421").input_json == {"taskObject": "comment number 421"}
