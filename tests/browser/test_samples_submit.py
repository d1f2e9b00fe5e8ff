"""Every AWS sample template can be answered and submitted, and yields the answer crowd-elements.md specifies.

Each sample is rendered with a plausible input (tests/review_ui/samples.py) and served standalone, as in
test_samples_upgrade. A reviewer-like driver (tests/browser/sample_driver.py) fills whatever the page needs,
chosen by element type, and presses the page's Submit control. In a standalone page the bundle shows the
serialized answer in #answers-box instead of posting it to the portal; that JSON is checked:

* its top-level keys are exactly the names of the page's answer-producing controls (empty text fields left
  out, later duplicates win, fixed keys for the A2I built-in widgets: crowd-elements.md 3.0.2, 3.7, 4.2);
* each value has the shape the spec gives for its element type (SHAPES below), and reflects what the
  driver did (the category it picked, the shapes it drew, the text it typed).
"""

from __future__ import annotations

import base64
import json
import re
import struct
from collections.abc import Callable
from typing import Any

import pytest

from review_ui import rendering
from tests.browser.conftest import png_bytes, standalone_grants, standalone_sample_page
from tests.browser.sample_driver import Control, Driver
from tests.review_ui.samples import sample_input, sample_paths, sample_template

pytestmark = pytest.mark.browser

IMAGE_SIZE = (640, 480)  # natural size of every task image the page loads from the portal


@pytest.fixture(scope="module")
def preview(chromium, live_server):
    """One page for all samples; sample HTML is injected, task images are served as a 640x480 PNG."""
    with standalone_sample_page(chromium, live_server, timeout_ms=5_000, task_image=png_bytes(*IMAGE_SIZE)) as pp:
        yield pp


# ---------- shape checks, keyed by element tag (crowd-elements.md sections 3.3-3.7 and 4.2) ----------


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_image_properties(value: dict) -> None:
    width, height = IMAGE_SIZE
    assert value["inputImageProperties"] == {"height": height, "width": width}


def check_point(point: Any) -> None:
    width, height = IMAGE_SIZE
    assert isinstance(point, dict) and set(point) == {"x", "y"}, point
    assert is_int(point["x"]) and 0 <= point["x"] <= width, point
    assert is_int(point["y"]) and 0 <= point["y"] <= height, point


def label_shape(value: Any, control: Control) -> None:
    assert value == {"label": control.done["chosen"]}


def labels_shape(value: Any, control: Control) -> None:
    assert value == {"labels": [control.done["chosen"]]}


def shapes_of(list_key: str, item_keys: set[str]) -> Callable[[Any, Control], None]:
    """Bounding box / keypoint / polygon / line / polyline: {<list_key>: [...], inputImageProperties}."""

    def check(value: Any, control: Control) -> None:
        assert isinstance(value, dict) and set(value) == {list_key, "inputImageProperties"}, value
        check_image_properties(value)
        items = value[list_key]
        assert isinstance(items, list) and len(items) == control.done["count"], items
        used = [item["label"] for item in items]
        if list_key == "keypoints":
            assert sorted(used) == sorted(control.done["labels"])  # one point per label
        else:
            assert used == [control.done["label"]]
        width, height = IMAGE_SIZE
        for item in items:
            assert set(item) == item_keys, item
            if "vertices" in item:
                assert len(item["vertices"]) == control.done["vertices"], item
                for vertex in item["vertices"]:
                    check_point(vertex)
            elif "x" in item:
                check_point({"x": item["x"], "y": item["y"]})
            else:
                assert all(is_int(item[k]) for k in ("height", "left", "top", "width")), item
                assert item["width"] > 0 and item["height"] > 0, item
                assert item["left"] + item["width"] <= width and item["top"] + item["height"] <= height, item

    return check


def check_png(data: Any) -> None:
    assert isinstance(data, str) and not data.startswith("data:")
    png = base64.b64decode(data, validate=True)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and png[12:16] == b"IHDR"
    assert struct.unpack(">II", png[16:24]) == IMAGE_SIZE


HEX_COLOR = re.compile(r"#[0-9a-f]{6}")


def semantic_shape(value: Any, control: Control) -> None:
    assert isinstance(value, dict) and set(value) == {"inputImageProperties", "labelMappings", "labeledImage"}
    check_image_properties(value)
    mappings = value["labelMappings"]
    assert list(mappings) == [control.done["label"]], mappings  # the painted label
    assert set(mappings[control.done["label"]]) == {"color"}
    assert HEX_COLOR.fullmatch(mappings[control.done["label"]]["color"])
    assert set(value["labeledImage"]) == {"pngImageData"}
    check_png(value["labeledImage"]["pngImageData"])


def instance_shape(value: Any, control: Control) -> None:
    assert isinstance(value, dict) and set(value) == {"inputImageProperties", "instances", "labeledImage"}
    check_image_properties(value)
    [instance] = value["instances"]
    assert set(instance) == {"color", "label"} and instance["label"] == control.done["label"]
    assert HEX_COLOR.fullmatch(instance["color"])
    assert set(value["labeledImage"]) == {"pngImageData"}
    check_png(value["labeledImage"]["pngImageData"])


def entities_shape(value: Any, control: Control) -> None:
    assert value == {"entities": [control.done["span"]]}
    span = control.done["span"]
    assert control.text[span["startOffset"] : span["endOffset"]].isalpha()


def text_shape(value: Any, control: Control) -> None:
    assert isinstance(value, str) and value == control.done.get("text", value)


def boolean_shape(value: Any, control: Control) -> None:
    assert value == control.done["bool"]


def slider_shape(value: Any, control: Control) -> None:
    assert is_int(value) or isinstance(value, float), value
    assert value == control.done["number"]


def textract_shape(value: Any, control: Control) -> None:
    # The reviewed block graph in Textract's camelCase schema (a2i-api.md 7.4, crowd-elements.md 3.7), for both
    # readers: KEY_VALUE_SET blocks with their text and confidence, and a WORD block for every CHILD id.
    # The reviewer changed nothing, so each detected key and value comes back with its detected words.
    assert isinstance(value, dict) and set(value) == {"blocks"}
    blocks = value["blocks"]
    allowed = {"blockType", "confidence", "entityTypes", "geometry", "id", "relationships", "text"}
    by_id = {block["id"]: block for block in blocks}
    for block in blocks:
        assert set(block) <= allowed, block
        if block["blockType"] == "WORD":
            assert {"confidence", "id", "text"} <= set(block), block
            continue
        assert {"blockType", "confidence", "entityTypes", "id", "text"} <= set(block), block
        assert block["blockType"] == "KEY_VALUE_SET" and block["entityTypes"] in (["KEY"], ["VALUE"]), block
        for relationship in block.get("relationships", []):
            assert set(relationship) == {"ids", "type"} and relationship["type"] in ("CHILD", "VALUE")
            if relationship["type"] == "CHILD":
                assert all(by_id[i]["blockType"] == "WORD" for i in relationship["ids"]), relationship
    texts = {block["id"]: block["text"] for block in blocks}
    # tests/review_ui/samples.py TEXTRACT_INPUT: key k-1 = words "Pay" "Date:", its value v-1 = "03/15/2024".
    assert texts == {"k-1": "Pay Date:", "v-1": "03/15/2024", "w-1": "Pay", "w-2": "Date:", "w-3": "03/15/2024"}
    assert (by_id["k-1"]["confidence"], by_id["w-3"]["confidence"]) == (58.2, 81.4)
    assert {"ids": ["v-1"], "type": "VALUE"} in by_id["k-1"]["relationships"]
    assert {"ids": ["w-1", "w-2"], "type": "CHILD"} in by_id["k-1"]["relationships"]


def moderation_shape(value: Any, control: Control) -> None:
    # Selected object categories come back as the whole objects (3.7).
    assert value == {"moderationLabels": [control.done["chosen"]]}


def native_shape(value: Any, control: Control) -> None:
    if control.type in ("radio", "checkbox"):
        assert isinstance(value, dict) and all(isinstance(v, bool) for v in value.values()), value
        return
    assert isinstance(value, str), value  # hidden inputs stay strings, JSON text is not parsed (4.2)
    if "text" in control.done:
        assert value == control.done["text"]
    if control.type == "date":
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", value)


SHAPES: dict[str, Callable[[Any, Control], None]] = {
    "crowd-classifier": label_shape,
    "crowd-image-classifier": label_shape,
    "crowd-classifier-multi-select": labels_shape,
    "crowd-image-classifier-multi-select": labels_shape,
    "crowd-bounding-box": shapes_of("boundingBoxes", {"height", "label", "left", "top", "width"}),
    "crowd-keypoint": shapes_of("keypoints", {"label", "x", "y"}),
    "crowd-polygon": shapes_of("polygons", {"label", "vertices"}),
    "crowd-line": shapes_of("lines", {"label", "vertices"}),
    "crowd-polyline": shapes_of("polylines", {"label", "vertices"}),
    "crowd-semantic-segmentation": semantic_shape,
    "crowd-instance-segmentation": instance_shape,
    "crowd-entity-annotation": entities_shape,
    "crowd-input": text_shape,
    "crowd-text-area": text_shape,
    "crowd-checkbox": boolean_shape,
    "crowd-toggle-button": boolean_shape,
    "crowd-radio-button": boolean_shape,
    "crowd-slider": slider_shape,
    "crowd-textract-analyze-document": textract_shape,
    "crowd-rekognition-detect-moderation-labels": moderation_shape,
    "input": native_shape,
    "select": native_shape,
    "textarea": native_shape,
}


# ---------- the few samples whose script needs more than the generic strategies ----------


def drag_faces(driver: Driver) -> None:
    """multi-image-classification-draggable: drag one photo into each of the three "Face" groups."""
    page = driver.page
    for group in range(3):
        photo = page.locator("#unclassified img.draggable").first
        target = page.locator(".right .StackedList").nth(group)
        target.scroll_into_view_if_needed()
        photo.scroll_into_view_if_needed()
        target_box = target.bounding_box()
        source_box = photo.bounding_box()
        page.mouse.move(source_box["x"] + 10, source_box["y"] + 10)
        page.mouse.down()
        page.wait_for_timeout(200)  # Draggable's mouse sensor waits before it starts a drag
        page.mouse.move(target_box["x"] + 20, target_box["y"] + target_box["height"] - 5, steps=10)
        page.mouse.up()
        page.locator(".right .StackedList").nth(group).locator("img").first.wait_for()


def check_faces(answer: dict) -> None:
    groups = json.loads(answer["faces"])
    assert isinstance(groups, list) and len(groups) == 3
    assert all(len(group) == 1 and isinstance(group[0], str) for group in groups), groups
    assert len({group[0] for group in groups}) == 3


def check_hierarchy(answer: dict) -> None:
    # The template's submit handler rewrites the drawn boxes into `instances`; `_` swallows the rest (4.2).
    assert answer["_"] == "_"
    [instance] = json.loads(answer["instances"])
    assert set(instance) == {"height", "id", "label", "left", "top", "width"}
    assert instance["label"] == "PERSON"


PREPARE: dict[str, Callable[[Driver], None]] = {
    "images/multi-image-classification-draggable.liquid.html": drag_faces,
}
EXTRA_CHECKS: dict[str, Callable[[dict], None]] = {
    "images/multi-image-classification-draggable.liquid.html": check_faces,
    "images/bounding-box-hierarchical.liquid.html": check_hierarchy,
}


@pytest.mark.parametrize("sample", sample_paths())
def test_sample_is_submitted_with_the_specified_answer(sample, preview, live_server):
    page, pages = preview
    url = f"{live_server.url}/__sample__/{sample}"
    pages[url] = rendering.render_task_template(
        sample_template(sample), sample_input(sample), base_url=live_server.url, object_grants=standalone_grants()
    )
    errors: list[str] = []

    def record(error):
        errors.append(str(error))

    page.on("pageerror", record)
    try:
        page.goto(url, wait_until="domcontentloaded")
        page.wait_for_function("() => window.__crowdReady === 1")
        driver = Driver(page)
        driver.collect()
        driver.fill_all()
        if sample in PREPARE:
            PREPARE[sample](driver)
        expected = driver.expected_keys()
        driver.submit()
        answer = driver.answer()
    finally:
        page.remove_listener("pageerror", record)

    assert errors == []
    assert isinstance(answer, dict)
    assert sorted(answer) == sorted(expected)
    for key, control in expected.items():
        try:
            SHAPES[control.tag](answer[key], control)
        except (AssertionError, KeyError, TypeError) as exc:
            raise AssertionError(f"{key!r} ({control.tag}): {answer[key]!r} does not match: {exc!r}") from exc
    if sample in EXTRA_CHECKS:
        EXTRA_CHECKS[sample](answer)
