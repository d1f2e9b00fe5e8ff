"""Touch on a phone: a box drawn with a finger is the same answer as by mouse; two fingers pinch-zoom."""

import pytest

from tests import factories
from tests.browser.conftest import Portal, store_image
from tests.browser.test_image_annotation import Canvas, wait_for_image

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
START, END = (400, 300), (1000, 900)  # natural pixels of the 1600 x 1200 image


@pytest.fixture
def touch_portal(portal, chromium):
    context = chromium.new_context(viewport=PHONE, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield Portal(page=page, url=portal.url, account=portal.account, reviewer=portal.reviewer, team=portal.team)
    context.close()


_SESSIONS: dict = {}


def touch(page, kind: str, *points) -> None:
    """Send a real touch event (one CDP session per page: it keeps the touch going between events)."""
    if page not in _SESSIONS:
        _SESSIONS.clear()
        _SESSIONS[page] = page.context.new_cdp_session(page)
    _SESSIONS[page].send(
        "Input.dispatchTouchEvent",
        {"type": kind, "touchPoints": [{"x": x, "y": y, "id": i} for i, (x, y) in enumerate(points)]},
    )


def _box_task(portal, flow, name):
    loop = factories.human_loop(flow, {"taskObject": store_image("photos", name, 1600, 1200)})
    portal.page.goto(portal.url + f"/portal/work/?flow={flow.name}")
    frame = portal.task_frame()
    wait_for_image(portal)
    frame.get_by_role("radio", name="Dog").click()
    # On a phone the instructions come first: bring the whole image on screen before pointing at it.
    portal.frame().locator("crowd-bounding-box").evaluate(
        "el => el.shadowRoot.querySelector('.stage-wrap').scrollIntoView({block: 'start'})"
    )
    return loop, frame, Canvas(portal)


def test_a_box_drawn_by_touch_gives_the_same_answer_as_by_mouse(portal, touch_portal):
    flow = portal.sample_flow("images/bounding-box.liquid.html")
    portal.page.set_viewport_size(PHONE)
    portal.sign_in()
    mouse_loop, frame, canvas = _box_task(portal, flow, "by mouse.png")
    start, end = canvas.page_point(*START), canvas.page_point(*END)
    portal.page.mouse.move(*start)
    portal.page.mouse.down()
    portal.page.mouse.move(*end, steps=8)
    portal.page.mouse.up()
    frame.get_by_role("button", name="Submit").click()
    by_mouse = portal.answer_of(mouse_loop)

    touch_portal.sign_in()
    touch_loop, frame, canvas = _box_task(touch_portal, flow, "by touch.png")
    assert (canvas.page_point(*START), canvas.page_point(*END)) == (start, end)  # the same layout
    touch(touch_portal.page, "touchStart", start)
    for step in range(1, 9):
        touch(touch_portal.page, "touchMove", tuple(s + (e - s) * step / 8 for s, e in zip(start, end, strict=True)))
    touch(touch_portal.page, "touchEnd")
    assert touch_portal.frame().evaluate("() => document.querySelector('crowd-bounding-box')._shapes.length") == 1
    frame.get_by_role("button", name="Submit").click()
    by_touch = touch_portal.answer_of(touch_loop)

    assert by_touch == by_mouse
    assert len(by_touch["annotatedResult"]["boundingBoxes"]) == 1


def test_two_fingers_pinch_to_zoom_and_draw_nothing(portal, touch_portal):
    flow = portal.sample_flow("images/bounding-box.liquid.html")
    touch_portal.sign_in()
    loop, frame, canvas = _box_task(touch_portal, flow, "pinch.png")
    centre = canvas.page_point(800, 600)
    near = [(centre[0] - 20, centre[1]), (centre[0] + 20, centre[1])]
    far = [(centre[0] - 60, centre[1]), (centre[0] + 60, centre[1])]

    touch(touch_portal.page, "touchStart", *near)
    touch(touch_portal.page, "touchMove", *far)
    touch(touch_portal.page, "touchEnd")

    widget = "document.querySelector('crowd-bounding-box')"
    assert touch_portal.frame().evaluate(f"() => {widget}._zoom") > 2
    assert touch_portal.frame().evaluate(f"() => {widget}._shapes.length") == 0
