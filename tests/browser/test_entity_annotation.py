"""Entity annotation: a reviewer selects text with the mouse; offsets are code points into the text."""

import pytest

from tests import factories
from tests.browser.conftest import ENTITY_TEXT_BOX_JS, utf16_offset

pytestmark = pytest.mark.browser

LABELS = [
    {"label": "person", "shortDisplayName": "per", "fullDisplayName": "Person"},
    {"label": "organization", "shortDisplayName": "org", "fullDisplayName": "Organization"},
]
# The emoji is outside the Basic Multilingual Plane: one code point, two UTF-16 units.
TEXT = "🚀 Jeff Bezos founded Amazon in 1994."


def _drag_select(portal, start: int, end: int) -> None:
    """Select TEXT[start:end] by dragging the mouse across it, as a reviewer would."""
    frame = portal.frame()
    # Character boxes in the frame's viewport (offsets here are UTF-16, as the DOM counts them).
    annotator = frame.locator("crowd-entity-annotation").element_handle()
    rects = frame.evaluate(ENTITY_TEXT_BOX_JS, [annotator, utf16_offset(TEXT, start), utf16_offset(TEXT, end)])
    box = portal.page.locator("#task-frame").bounding_box()
    border = portal.page.locator("#task-frame").evaluate("el => el.clientTop")
    ox, oy = box["x"] + border, box["y"] + border
    portal.page.mouse.move(ox + rects["left"] + 1, oy + rects["y"])
    portal.page.mouse.down()
    portal.page.mouse.move(ox + rects["right"] - 1, oy + rects["y"], steps=6)
    portal.page.mouse.up()


def test_spans_selected_with_the_mouse_are_stored_with_code_point_offsets(portal):
    flow = portal.sample_flow("text/named-entity-recognition.liquid.html")
    loop = factories.human_loop(flow, {"labels": LABELS, "taskObject": TEXT})

    frame = portal.start(flow)
    frame.locator("crowd-entity-annotation .text").wait_for()
    _drag_select(portal, TEXT.index("Jeff"), TEXT.index(" founded"))  # label 1 (Person) is preselected
    assert frame.locator("mark.entity").first.inner_text().startswith("Jeff Bezos")
    portal.page.keyboard.press("2")
    _drag_select(portal, TEXT.index("Amazon"), TEXT.index(" in"))
    frame.get_by_role("button", name="Submit").click()

    assert portal.answer_of(loop) == {
        "entities": {
            "entities": [
                {"endOffset": 12, "label": "person", "startOffset": 2},
                {"endOffset": 27, "label": "organization", "startOffset": 21},
            ]
        }
    }
    assert TEXT[2:12] == "Jeff Bezos" and TEXT[21:27] == "Amazon"


def test_controls_moved_into_the_inner_form_are_submitted_with_the_spans(portal):
    # The sample moves a crowd-radio-group into the widget's own form on all-crowd-elements-ready.
    flow = portal.sample_flow("text/named-entity-recognition-with-additional-classification.liquid.html")
    loop = factories.human_loop(flow, {})

    frame = portal.start(flow)
    frame.locator("crowd-radio-button[name=tech]").click()
    frame.get_by_role("button", name="Submit").click()

    assert portal.answer_of(loop) == {
        "crowd-entity-annotation": {"entities": []},
        "tech": {"tech": True},
        "politics": {"politics": False},
    }
