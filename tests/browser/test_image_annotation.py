"""Image annotation with the mouse: boxes, points and polygons come back in natural-image integer pixels."""

import math

import pytest

from tests import factories
from tests.browser.conftest import screenshot, store_image

pytestmark = pytest.mark.browser

# The test image is larger than the space the widget has, so it is displayed scaled down.
WIDTH, HEIGHT = 1600, 1200


def js_round(value: float) -> int:
    return math.floor(value + 0.5)


class Canvas:
    """Maps natural image pixels to mouse positions and back, the way the widget sees them.

    Positions are whole pixels of the frame's own viewport, so that the widget sees exactly the
    coordinates the test computes with.
    """

    def __init__(self, portal):
        rect = portal.frame().evaluate(
            """() => {
                const canvas = document.querySelector('[name=annotatedResult]').shadowRoot.querySelector('canvas.upper-canvas');
                const r = canvas.getBoundingClientRect();
                return {x: r.left, y: r.top, width: r.width};
            }"""
        )
        box = portal.page.locator("#task-frame").element_handle().content_frame().locator("canvas.upper-canvas").bounding_box()
        self.rect = rect
        # The frame's viewport in page coordinates; Chromium snaps a fractional frame offset to whole pixels.
        self.origin = (round(box["x"] - rect["x"]), round(box["y"] - rect["y"]))
        self.scale = rect["width"] / WIDTH
        assert self.scale < 0.9  # really displayed scaled

    def page_point(self, x: float, y: float) -> tuple[int, int]:
        fx = round(self.rect["x"] + x * self.scale)
        fy = round(self.rect["y"] + y * self.scale)
        return self.origin[0] + fx, self.origin[1] + fy

    def natural(self, px: float, py: float) -> tuple[float, float]:
        fx, fy = round(px - self.origin[0]), round(py - self.origin[1])
        return (fx - self.rect["x"]) / self.scale, (fy - self.rect["y"]) / self.scale


def _image_loop(portal, sample):
    flow = portal.sample_flow(sample)
    loop = factories.human_loop(flow, {"taskObject": store_image("photos", "street scene.png", WIDTH, HEIGHT)})
    frame = portal.start(flow)
    # The canvas is sized over the image once the image has loaded.
    portal.frame().wait_for_function("() => document.querySelector('[name=annotatedResult]')._displayWidth > 0")
    return loop, frame


def test_a_box_drawn_with_the_mouse_is_stored_in_natural_pixels(portal):
    loop, frame = _image_loop(portal, "images/bounding-box.liquid.html")
    frame.get_by_role("radio", name="Dog").click()
    canvas = Canvas(portal)

    start = canvas.page_point(400, 300)
    end = canvas.page_point(1000, 900)
    portal.page.mouse.move(*start)
    portal.page.mouse.down()
    portal.page.mouse.move(*end, steps=8)
    portal.page.mouse.up()
    screenshot(portal.page, "task-page")
    frame.get_by_role("button", name="Submit").click()

    (x0, y0), (x1, y1) = canvas.natural(*start), canvas.natural(*end)
    expected_box = {
        "height": js_round(y1 - y0),
        "label": "Dog",
        "left": js_round(x0),
        "top": js_round(y0),
        "width": js_round(x1 - x0),
    }
    answer = portal.answer_of(loop)
    assert answer == {
        "annotatedResult": {"boundingBoxes": [expected_box], "inputImageProperties": {"height": HEIGHT, "width": WIDTH}}
    }
    # Natural pixels, not screen pixels: within one screen pixel of the intended box.
    slack = 1 / canvas.scale
    assert abs(expected_box["left"] - 400) <= slack and abs(expected_box["width"] - 600) <= 2 * slack


def test_keypoints_are_placed_by_clicking_with_the_chosen_label(portal):
    loop, frame = _image_loop(portal, "images/keypoint.liquid.html")
    canvas = Canvas(portal)

    first = canvas.page_point(200, 150)
    portal.page.mouse.click(*first)  # label 1 (Cat) is preselected
    portal.page.keyboard.press("3")  # Bird
    second = canvas.page_point(1200, 800)
    portal.page.mouse.click(*second)
    frame.get_by_role("button", name="Submit").click()

    points = [("Cat", *canvas.natural(*first)), ("Bird", *canvas.natural(*second))]
    assert portal.answer_of(loop) == {
        "annotatedResult": {
            "inputImageProperties": {"height": HEIGHT, "width": WIDTH},
            "keypoints": [{"label": label, "x": js_round(x), "y": js_round(y)} for label, x, y in points],
        }
    }


def test_a_polygon_is_closed_by_clicking_its_first_vertex(portal):
    loop, frame = _image_loop(portal, "images/polygon.liquid.html")
    frame.get_by_role("radio", name="Dog").click()
    canvas = Canvas(portal)

    corners = [canvas.page_point(x, y) for x, y in [(300, 200), (1300, 250), (800, 1000)]]
    for corner in corners:
        portal.page.mouse.click(*corner)
    portal.page.mouse.click(*corners[0])
    frame.get_by_role("button", name="Submit").click()

    vertices = [{"x": js_round(x), "y": js_round(y)} for x, y in (canvas.natural(*c) for c in corners)]
    assert portal.answer_of(loop) == {
        "annotatedResult": {
            "inputImageProperties": {"height": HEIGHT, "width": WIDTH},
            "polygons": [{"label": "Dog", "vertices": vertices}],
        }
    }
