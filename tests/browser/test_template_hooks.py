"""AWS samples whose own scripts drive the elements: submit handlers, label setters, shadow-root styling."""

import pytest

from flows.models import ReviewTask
from tests import factories
from tests.browser.conftest import store_image
from tests.browser.test_image_annotation import HEIGHT, WIDTH, Canvas, js_round, wait_for_image

pytestmark = pytest.mark.browser


def test_a_submit_handler_can_refuse_the_answer_with_an_alert(portal):
    # keypoint-additional-answer-validation blocks submission unless each of its 3 labels is used once.
    flow = portal.sample_flow("images/keypoint-additional-answer-validation.liquid.html")
    loop = factories.human_loop(flow, {"taskObject": store_image("photos", "items.png", WIDTH, HEIGHT)})
    frame = portal.start(flow)
    wait_for_image(portal)
    # The template reads the labels attribute back as JSON text.
    assert frame.locator("crowd-keypoint").get_attribute("labels") == '["Item A","Item B","Item C"]'
    canvas = Canvas(portal)

    points = [(200, 200), (700, 400)]
    portal.page.mouse.click(*canvas.page_point(*points[0]))  # label 1 is preselected
    portal.page.keyboard.press("2")
    portal.page.mouse.click(*canvas.page_point(*points[1]))
    frame.get_by_role("button", name="Submit").click()
    assert frame.get_by_text("You must add all keypoint annotations and use each label only once.").is_visible()
    assert ReviewTask.objects.get(human_loop=loop).state == ReviewTask.State.LEASED

    clicked = [canvas.natural(*canvas.page_point(x, y)) for x, y in points]
    canvas = Canvas(portal)  # the template scrolled its alert into view
    portal.page.keyboard.press("3")
    portal.page.mouse.click(*canvas.page_point(1200, 900))
    frame.get_by_role("button", name="Submit").click()

    clicked.append(canvas.natural(*canvas.page_point(1200, 900)))
    assert portal.answer_of(loop) == {
        "annotatedResult": {
            "inputImageProperties": {"height": HEIGHT, "width": WIDTH},
            "keypoints": [
                {"label": label, "x": js_round(x), "y": js_round(y)}
                for label, (x, y) in zip(["Item A", "Item B", "Item C"], clicked, strict=True)
            ],
        }
    }


def test_labels_added_by_the_template_script_are_drawn_and_submitted(portal):
    # bounding-box-custom-labels empties `labels` on ready; the reviewer adds their own with a crowd-button.
    flow = portal.sample_flow("images/bounding-box-custom-labels.liquid.html")
    loop = factories.human_loop(flow, {"taskObject": store_image("photos", "shelf.png", WIDTH, HEIGHT)})
    frame = portal.start(flow)
    wait_for_image(portal)
    assert frame.get_by_role("radio").count() == 0

    frame.locator("#customLabel input").fill("Cereal box")
    frame.locator("#addLabel").click()
    assert frame.locator("#labelsSection").inner_text().startswith("Cereal box")
    assert frame.locator("#customLabel input").input_value() == ""
    canvas = Canvas(portal)
    start, end = canvas.page_point(100, 100), canvas.page_point(500, 700)
    portal.page.mouse.move(*start)
    portal.page.mouse.down()
    portal.page.mouse.move(*end, steps=5)
    portal.page.mouse.up()
    frame.get_by_role("button", name="Submit").click()

    (x0, y0), (x1, y1) = canvas.natural(*start), canvas.natural(*end)
    box = {
        "height": js_round(y1 - y0),
        "label": "Cereal box",
        "left": js_round(x0),
        "top": js_round(y0),
        "width": js_round(x1 - x0),
    }
    # The emptied crowd-input `_customLabel` is left out of the answer.
    assert portal.answer_of(loop) == {
        "myTexts": {"boundingBoxes": [box], "inputImageProperties": {"height": HEIGHT, "width": WIDTH}}
    }


def test_templates_can_style_the_instructions_panel_through_the_shadow_root(portal):
    flow = portal.sample_flow("other/custom-instructions-width.liquid.html")
    loop = factories.human_loop(flow, {"taskObject": "s3://videos/clip.mp4"})
    frame = portal.start(flow)

    width = portal.frame().evaluate(
        "() => document.querySelector('crowd-classifier-multi-select').shadowRoot"
        ".querySelector('.awsui-app-layout__navigation').getBoundingClientRect().width"
    )
    assert width == 400
    frame.get_by_role("checkbox", name="Music").click()
    frame.get_by_role("checkbox", name="None of the above").click()
    frame.get_by_role("button", name="Submit").click()

    assert portal.answer_of(loop) == {"category": {"labels": []}}
