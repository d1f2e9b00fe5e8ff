"""Exporting from the console: a manager downloads a flow's answers as JSONL and as COCO."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Page

from flows.loops import lifecycle
from tests import factories as f
from tests.browser.conftest import PASSWORD, screenshot
from tests.console.test_exports import BOX_TEMPLATE

pytestmark = pytest.mark.browser


def test_a_manager_downloads_jsonl_and_coco(live_server, transactional_db, personas, page: Page, tmp_path):
    flow = f.flow_definition(
        personas.account, personas.tenant.team, f.human_task_ui(personas.account, BOX_TEMPLATE), name="photos"
    )
    box = {"label": "cat", "left": 5, "top": 6, "width": 70, "height": 40}
    f.human_loop(flow, {"image": "s3://pics/cat.jpg"}, name="cat-photo")
    task = lifecycle.claim_next_task(personas.reviewer, flow=flow)
    answer = {"boxes": {"boundingBoxes": [box], "inputImageProperties": {"width": 200, "height": 100}}}
    lifecycle.submit_task(personas.reviewer, task.id, answer)
    personas.owner.set_password(PASSWORD)
    personas.owner.save(update_fields=["password"])
    page.goto(live_server.url + "/accounts/login/?next=/console/")
    page.fill("input[name=login]", personas.owner.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("#login-button")
    page.wait_for_url(live_server.url + "/console/")

    page.click("#nav-export")
    page.select_option("#id_flow", str(flow.id))
    screenshot(page, "console-export")
    with page.expect_download() as jsonl:
        page.click("#export-download")
    assert jsonl.value.suggested_filename == "photos.jsonl"
    (record,) = [json.loads(line) for line in open(jsonl.value.path(), encoding="utf-8")]
    assert record["humanLoopName"] == "cat-photo" and record["humanAnswers"][0]["answerContent"] == answer

    page.select_option("#id_format", "coco")
    with page.expect_download() as coco:
        page.click("#export-download")
    assert coco.value.suggested_filename == "photos.coco.json"
    document = json.load(open(coco.value.path(), encoding="utf-8"))
    assert [i["file_name"] for i in document["images"]] == ["s3://pics/cat.jpg"]
    assert [a["bbox"] for a in document["annotations"]] == [[5, 6, 70, 40]]
    assert document["categories"] == [{"id": 1, "name": "cat"}]
