"""A task page opened on its own (a template author's preview) shows the answer instead of posting it."""

import json

import pytest

pytestmark = pytest.mark.browser

PAGE = """<!DOCTYPE html><meta charset="utf-8">
<script src="/static/review_ui/elements/crowd-html-elements.js"></script>
<crowd-form>
  <crowd-card heading="Listing">A flat in Lisbon <crowd-badge for="title" label="new"></crowd-badge></crowd-card>
  <h3 id="title">Check the listing</h3>
  <crowd-instructions link-text="How to review">
    <short-summary>Be quick.</short-summary>
    <detailed-instructions>Read everything.</detailed-instructions>
    <positive-example>Clear photo</positive-example>
    <negative-example>Blurry photo</negative-example>
  </crowd-instructions>
  <crowd-modal link-text="More about the flat">Two rooms.</crowd-modal>
  <crowd-tabs>
    <crowd-tab header="Basics"><crowd-toggle-button name="furnished" value="yes" checked></crowd-toggle-button></crowd-tab>
    <crowd-tab header="Details"><crowd-input name="rooms" value="2" label="Rooms"></crowd-input></crowd-tab>
  </crowd-tabs>
  <crowd-text-area name="notes" label="Notes" value="Looks fine"></crowd-text-area>
  <crowd-slider name="score" min="0" max="1" step="0.25" value="0.75"></crowd-slider>
  <crowd-button><iron-icon icon="search"></iron-icon> Look up</crowd-button>
  <crowd-icon-button icon="star"></crowd-icon-button>
  <crowd-fab label="+" title="Add"></crowd-fab>
  <crowd-toast text="Saved" opened duration="0"></crowd-toast>
  <input type="checkbox" name="agree" value="yes" checked>
  <input type="radio" name="size" value="s"><input type="radio" name="size" value="m" checked>
  <input type="text" name="empty-native">
</crowd-form>
"""


def test_the_answer_is_shown_in_the_answers_box_with_controls_of_hidden_tabs(page, live_server):
    url = live_server.url + "/__standalone__"
    page.route(url, lambda route: route.fulfill(body=PAGE, content_type="text/html; charset=utf-8"))
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(url)

    assert page.get_by_role("tab", name="Basics").get_attribute("aria-selected") == "true"
    page.get_by_text("How to review").click()
    page.get_by_role("button", name="Detailed Instructions").click()
    assert page.get_by_text("Read everything.").is_visible()
    page.get_by_role("button", name="Close").click()
    # The crowd-button without form-action does not submit.
    page.locator("crowd-button").click()
    assert page.locator("#answers-box").count() == 0
    page.locator("button.crowd-auto-submit").click()

    answer = json.loads(page.locator("#answers-box").inner_text())
    assert answer == {
        "furnished": {"yes": True},
        "rooms": "2",
        "notes": "Looks fine",
        "score": 0.75,
        "agree": {"yes": True},
        "size": {"s": False, "m": True},
    }
    assert errors == []


COMMENT_PAGE = """<!DOCTYPE html><meta charset="utf-8">
<script src="/static/review_ui/elements/crowd-html-elements.js"></script>
<crowd-form>
  <crowd-image-classifier name="emotion" categories="['Happy', 'Sad', 'Angry']" header="How does the person feel?"
    src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
    <worker-comment header="Tell us more" link-text="Add a note" placeholder="Optional">Anything odd?</worker-comment>
  </crowd-image-classifier>
</crowd-form>
"""


def test_the_image_classifier_adds_the_worker_comment(page, live_server):
    url = live_server.url + "/__comment__"
    page.route(url, lambda route: route.fulfill(body=COMMENT_PAGE, content_type="text/html; charset=utf-8"))
    page.goto(url)

    page.locator("crowd-image-classifier h2").click()
    page.keyboard.press("2")
    page.get_by_text("Add a note").click()
    assert page.get_by_text("Anything odd?").is_visible()
    page.get_by_role("textbox", name="Comment").fill("Face half hidden")
    page.get_by_role("button", name="Save comment").click()
    page.get_by_role("button", name="Submit").click()

    answer = json.loads(page.locator("#answers-box").inner_text())
    assert answer == {"emotion": {"label": "Sad"}, "workerComment": "Face half hidden"}
