"""Reviewers answer classifier and form-control tasks in the portal; the stored answerContent is exact."""

import pytest

from flows.models import ReviewTask
from tests import factories
from tests.browser.conftest import screenshot, store_image

pytestmark = pytest.mark.browser


def test_a_reviewer_classifies_by_keyboard_digit_then_enter(portal):
    # Given a sentiment flow with one loop (and a second flow, so the work list shows two items)
    flow = portal.flow(
        factories.SENTIMENT_TEMPLATE,
        name="sentiment",
        task_title="Review sentiment",
        task_description="Low-confidence sentiment predictions on product reviews",
        task_keywords=["text", "sentiment"],
    )
    other = portal.sample_flow(
        "text/text-classification-multiselect.liquid.html",
        name="topics",
        task_title="Tag topics",
        task_description="Choose every topic a news headline is about",
        task_keywords=["text", "news"],
    )
    loop = factories.human_loop(flow, {"taskObject": "The delivery was late and the box was crushed."})
    for headline in ["Stocks rallied.", "Local team wins the cup.", "New vaccine approved."]:
        factories.human_loop(other, {"taskObject": headline})

    portal.sign_in()
    portal.page.goto(portal.url + "/portal/")
    assert portal.page.locator(".work-item[data-flow=sentiment] .waiting-count").inner_text() == "1"
    screenshot(portal.page, "work-list")
    portal.page.click(".work-item[data-flow=sentiment] a.start-working")
    frame = portal.task_frame()

    # Enter without a choice is refused with a visible message.
    frame.locator("classification-target").click()
    portal.page.keyboard.press("Enter")
    assert "Choose a category." in frame.locator("crowd-form .crowd-form-status").inner_text()

    portal.page.keyboard.press("2")
    assert frame.locator("button.choice.selected").inner_text().endswith("Negative")
    screenshot(portal.page, "task-page")
    portal.page.keyboard.press("Enter")

    assert portal.answer_of(loop) == {"sentiment": {"label": "Negative"}}


def test_multi_select_submits_the_chosen_labels_in_category_order(portal):
    flow = portal.sample_flow("text/text-classification-multiselect.liquid.html")
    loop = factories.human_loop(flow, {"taskObject": "I loved the film but the cinema was freezing."})

    frame = portal.start(flow)
    frame.get_by_role("checkbox", name="Neutral").click()
    frame.get_by_role("checkbox", name="Positive").click()
    frame.get_by_role("button", name="Submit").click()

    assert portal.answer_of(loop) == {"category": {"labels": ["Positive", "Neutral"]}}


def test_required_text_inputs_block_submit_until_filled(portal):
    # person-recognition-image has its own crowd-button form-action="submit" (so no automatic button).
    flow = portal.sample_flow("images/person-recognition-image.liquid.html")
    loop = factories.human_loop(flow, {"taskObject": store_image("photos", "person 1.png", 400, 300)})

    frame = portal.start(flow)
    assert frame.locator("button.crowd-auto-submit").count() == 0
    frame.locator("crowd-button[form-action=submit]").click()
    assert frame.get_by_text("First Name is required.", exact=True).is_visible()
    assert frame.get_by_text("Last Name is required.", exact=True).is_visible()

    frame.get_by_label("First Name").fill("Ada")
    frame.get_by_label("Last Name").fill("Lovelace")
    frame.locator("crowd-button[form-action=submit]").click()

    assert portal.answer_of(loop) == {"firstName": "Ada", "lastName": "Lovelace"}


def test_radio_group_gives_one_boolean_object_per_button(portal):
    flow = portal.sample_flow("other/side-by-side-comparison.liquid.html")
    loop = factories.human_loop(flow, {})

    frame = portal.start(flow)
    frame.locator("crowd-radio-button[name=option1]").click()
    frame.locator("crowd-radio-button[name=option2]").click()
    frame.get_by_role("textbox", name="Explain how you reached your conclusion...").fill(
        "Clearer argument.\nBetter sources."
    )
    frame.get_by_role("button", name="Submit").click()

    assert portal.answer_of(loop) == {
        "option1": {"Option 1": False},
        "option2": {"Option 2": True},
        "explanation": "Clearer argument.\nBetter sources.",
    }


CHECKBOX_TEMPLATE = """<script src="https://assets.crowd.aws/crowd-html-elements.js"></script>
<crowd-form>
  <img src="{{ task.input.taskObject | grant_read_access }}" width="200">
  <p>Which problems does the photo have?</p>
  <crowd-checkbox name="quality" value="blurry">Blurry</crowd-checkbox>
  <crowd-checkbox name="quality" value="dark">Too dark</crowd-checkbox>
  <crowd-checkbox name="quality" value="tilted">Tilted</crowd-checkbox>
  <crowd-toggle-button name="retake"></crowd-toggle-button>
  <crowd-checkbox name="confirm" required>I looked at the whole image</crowd-checkbox>
</crowd-form>
"""


def test_checkboxes_sharing_a_name_merge_and_required_ones_must_be_ticked(portal):
    flow = portal.flow(CHECKBOX_TEMPLATE)
    loop = factories.human_loop(flow, {"taskObject": store_image("photos", "q.png", 300, 200)})

    frame = portal.start(flow)
    frame.get_by_role("checkbox", name="Blurry").check()
    frame.get_by_role("checkbox", name="Tilted").check()
    frame.get_by_role("button", name="Submit").click()
    assert frame.get_by_text('"I looked at the whole image" must be checked.', exact=True).is_visible()

    frame.get_by_role("checkbox", name="I looked at the whole image").check()
    frame.get_by_role("button", name="Submit").click()

    assert portal.answer_of(loop) == {
        "quality": {"blurry": True, "dark": False, "tilted": True},
        "retake": {"on": False},
        "confirm": {"on": True},
    }


def test_sliders_submit_numbers(portal):
    flow = portal.sample_flow("text/translation-quality.liquid.html")
    loop = factories.human_loop(
        flow,
        {
            "original": {"language": "English", "text": "Good morning"},
            "translation": {"language": "Spanish", "text": "Buenos días"},
        },
    )

    frame = portal.start(flow)
    # Both sliders are required and have no preset: submitting untouched is refused.
    frame.get_by_role("button", name="Submit").click()
    assert frame.get_by_text('Move the slider "meaning".', exact=True).is_visible()

    frame.locator("crowd-slider[name=meaning] input[type=range]").focus()
    for _ in range(3):
        portal.page.keyboard.press("ArrowRight")
    frame.locator("crowd-slider[name=fluency] input[type=range]").focus()
    portal.page.keyboard.press("End")
    frame.get_by_role("button", name="Submit").click()

    assert portal.answer_of(loop) == {"meaning": 4, "fluency": 5}


HOOKS_TEMPLATE = """<script src="https://assets.crowd.aws/crowd-html-elements.js"></script>
<crowd-form>
  <crowd-input name="city" label="City" id="city"></crowd-input>
  <input type="hidden" name="stamp" id="stamp" value="">
  <crowd-checkbox name="ok" id="ok">Double-checked</crowd-checkbox>
</crowd-form>
<script>
  city.value = 'Paris';  // runs while the page is parsed, before the element is upgraded
  document.querySelector('crowd-form').onsubmit = function (event) {
    if (!ok.checked) throw new Error('not double-checked');
    stamp.value = 'written by the submit handler';
  };
</script>
"""


def test_a_throwing_submit_handler_stops_submission_and_handlers_run_before_serialization(portal):
    flow = portal.flow(HOOKS_TEMPLATE)
    loop = factories.human_loop(flow, {})

    frame = portal.start(flow)
    assert frame.get_by_label("City").input_value() == "Paris"
    frame.get_by_role("button", name="Submit").click()
    assert frame.get_by_text("The task page failed while preparing the answer; it was not submitted.").is_visible()
    assert ReviewTask.objects.get(human_loop=loop).state == ReviewTask.State.LEASED

    frame.get_by_role("checkbox", name="Double-checked").check()
    frame.get_by_role("button", name="Submit").click()

    assert portal.answer_of(loop) == {"city": "Paris", "stamp": "written by the submit handler", "ok": {"on": True}}


def test_a_required_native_select_blocks_submit_and_submits_its_value(portal):
    flow = portal.sample_flow("images/image-classification-with-dropdown-select.liquid.html")
    loop = factories.human_loop(flow, {"taskObject": store_image("photos", "pet.png", 400, 300)})

    frame = portal.start(flow)
    frame.get_by_role("button", name="Submit").click()
    assert frame.get_by_text("Please fill in the required fields.").is_visible()
    assert portal.frame().evaluate("() => document.querySelector('select[name=animal]').matches(':invalid')")
    assert ReviewTask.objects.get(human_loop=loop).state == ReviewTask.State.LEASED

    frame.locator("select[name=animal]").select_option("dog")
    frame.get_by_role("button", name="Submit").click()

    assert portal.answer_of(loop) == {"animal": "dog"}
