"""Image annotation with the mouse: boxes, points and polygons come back in natural-image integer pixels."""

import base64
import math
import struct
import zlib

import pytest

from tests import factories
from tests.browser.conftest import screenshot, store_image

pytestmark = pytest.mark.browser

# The test image is larger than the space the widget has, so it is displayed scaled down.
WIDTH, HEIGHT = 1600, 1200
WIDGETS = "crowd-bounding-box, crowd-keypoint, crowd-polygon, crowd-semantic-segmentation, crowd-instance-segmentation"


def js_round(value: float) -> int:
    return math.floor(value + 0.5)


class Canvas:
    """Maps natural image pixels to mouse positions and back, the way the widget sees them.

    Positions are whole pixels of the frame's own viewport, so that the widget sees exactly the
    coordinates the test computes with.
    """

    def __init__(self, portal, width: int = WIDTH):
        rect = portal.frame().evaluate(
            """() => {
                const widget = document.querySelector(WIDGETS);
                const r = widget.shadowRoot.querySelector('canvas.upper-canvas').getBoundingClientRect();
                return {x: r.left, y: r.top, width: r.width};
            }""".replace("WIDGETS", repr(WIDGETS))
        )
        box = (
            portal.page.locator("#task-frame")
            .element_handle()
            .content_frame()
            .locator("canvas.upper-canvas")
            .bounding_box()
        )
        self.rect = rect
        # The frame's viewport in page coordinates; Chromium snaps a fractional frame offset to whole pixels.
        self.origin = (round(box["x"] - rect["x"]), round(box["y"] - rect["y"]))
        self.scale = rect["width"] / width
        assert self.scale < 0.9  # really displayed scaled

    def page_point(self, x: float, y: float) -> tuple[int, int]:
        fx = round(self.rect["x"] + x * self.scale)
        fy = round(self.rect["y"] + y * self.scale)
        return self.origin[0] + fx, self.origin[1] + fy

    def natural(self, px: float, py: float) -> tuple[float, float]:
        fx, fy = round(px - self.origin[0]), round(py - self.origin[1])
        return (fx - self.rect["x"]) / self.scale, (fy - self.rect["y"]) / self.scale


def wait_for_image(portal) -> None:
    """Wait until the widget's canvas lies over its loaded image."""
    portal.frame().wait_for_function(f"() => document.querySelector({WIDGETS!r})._displayWidth > 0")


def _image_loop(portal, sample, size=(WIDTH, HEIGHT), **flow_fields):
    flow = portal.sample_flow(sample, **flow_fields)
    loop = factories.human_loop(flow, {"taskObject": store_image("photos", "street scene.png", *size)})
    frame = portal.start(flow)
    wait_for_image(portal)
    return loop, frame


def test_a_box_drawn_with_the_mouse_is_stored_in_natural_pixels(portal):
    loop, frame = _image_loop(
        portal,
        "images/bounding-box.liquid.html",
        task_title="Find the animals",
        task_description="Draw a box around every cat and dog",
    )
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


def decode_png(data: bytes) -> tuple[int, int, set[tuple[int, int, int]], callable]:
    """Decode an 8-bit RGB(A) PNG: return width, height, the set of colours and a pixel lookup."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat = 8, b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, color_type = struct.unpack(">IIBB", body[:10])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    assert depth == 8 and color_type in (2, 6)
    bpp = 3 if color_type == 2 else 4
    raw, stride = zlib.decompress(idat), width * bpp
    rows, previous = [], bytearray(stride)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = previous[i]
            c = previous[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + a) & 255
            elif kind == 2:
                line[i] = (line[i] + b) & 255
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        previous = line

    def pixel(x: int, y: int) -> tuple[int, int, int]:
        return tuple(rows[y][x * bpp : x * bpp + 3])

    colors = {tuple(row[i : i + 3]) for row in rows for i in range(0, stride, bpp)}
    return width, height, colors, pixel


# Segmentation PNGs are decoded in pure Python, so these tests use a smaller (still scaled) image.
SEG_SIZE = (1000, 750)


def _paint(portal, canvas, points):
    portal.page.mouse.move(*canvas.page_point(*points[0]))
    portal.page.mouse.down()
    for point in points[1:]:
        portal.page.mouse.move(*canvas.page_point(*point), steps=10)
    portal.page.mouse.up()


def test_semantic_segmentation_paints_a_natural_size_png_in_label_colours(portal):
    loop, frame = _image_loop(portal, "images/semantic-segmentation.liquid.html", size=SEG_SIZE)
    frame.get_by_role("radio", name="Dog").click()
    canvas = Canvas(portal, width=SEG_SIZE[0])
    _paint(portal, canvas, [(100, 375), (900, 375)])
    frame.get_by_role("button", name="Submit").click()

    answer = portal.answer_of(loop)["annotatedResult"]
    png = answer.pop("labeledImage")["pngImageData"]
    assert answer == {
        "inputImageProperties": {"height": SEG_SIZE[1], "width": SEG_SIZE[0]},
        "labelMappings": {"Dog": {"color": "#ff7f0e"}},
    }
    width, height, colors, pixel = decode_png(base64.b64decode(png))
    # Exact colours only (no anti-aliasing): unlabelled white and the Dog colour.
    assert (width, height) == SEG_SIZE
    assert colors == {(255, 255, 255), (0xFF, 0x7F, 0x0E)}
    assert pixel(500, 375) == (0xFF, 0x7F, 0x0E)
    assert pixel(500, 50) == (255, 255, 255)


def test_instance_segmentation_gives_each_instance_its_own_colour(portal):
    loop, frame = _image_loop(portal, "images/instance-segmentation.liquid.html", size=SEG_SIZE)
    canvas = Canvas(portal, width=SEG_SIZE[0])
    _paint(portal, canvas, [(100, 200), (400, 200)])  # Cat #1 (label 1 is preselected)
    frame.get_by_role("button", name="Add instance").click()
    _paint(portal, canvas, [(600, 550), (900, 550)])  # Cat #2
    frame.get_by_role("button", name="Submit").click()

    answer = portal.answer_of(loop)["annotatedResult"]
    png = answer.pop("labeledImage")["pngImageData"]
    assert answer == {
        "inputImageProperties": {"height": SEG_SIZE[1], "width": SEG_SIZE[0]},
        "instances": [{"color": "#1f77b4", "label": "Cat"}, {"color": "#ff7f0e", "label": "Cat"}],
    }
    _, _, colors, pixel = decode_png(base64.b64decode(png))
    assert colors == {(255, 255, 255), (0x1F, 0x77, 0xB4), (0xFF, 0x7F, 0x0E)}
    assert pixel(250, 200) == (0x1F, 0x77, 0xB4)
    assert pixel(750, 550) == (0xFF, 0x7F, 0x0E)


# Where every control of the segmentation toolbar is, top and bottom (brush, eraser, size, zoom, ...).
TOOLBAR_BOXES_JS = """() => {
    const root = document.querySelector('crowd-semantic-segmentation').shadowRoot;
    return [...root.querySelectorAll('.tools button, .tools input')]
        .filter((el) => !el.hidden && el.getBoundingClientRect().height > 0)
        .map((el) => {
            const r = el.getBoundingClientRect();
            return [el.textContent.trim(), Math.round(r.top), Math.round(r.bottom)];
        });
}"""


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 900}, {"width": 360, "height": 740}])
def test_segmentation_tools_sit_on_one_line_with_the_other_tools(portal, viewport):
    portal.page.set_viewport_size(viewport)
    _image_loop(portal, "images/semantic-segmentation.liquid.html", size=SEG_SIZE)

    boxes = portal.frame().evaluate(TOOLBAR_BOXES_JS)

    assert {"Brush", "Eraser", ""} <= {name for name, _, _ in boxes} and len(boxes) >= 4, boxes  # "": the size slider
    # Controls side by side (a phone wraps the toolbar) share one centre line.
    for name, top, bottom in boxes:
        beside = [(other, t, b) for other, t, b in boxes if t < bottom and b > top]
        assert all(abs((t + b) - (top + bottom)) <= 2 for _, t, b in beside), (name, beside)
