"""The reviewer's seat: a phone (360 x 740), Submit in one place on every page, the reviewer's own history."""

import json

import pytest
from django.utils import timezone

from flows.models import ReviewTask
from tests import factories
from tests.browser.conftest import store_image

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
PLAIN_FORM = """<crowd-form>
  <p>{{ task.input.taskObject }}</p>
  <crowd-radio-group>
    <crowd-radio-button name="yes" value="yes">Yes</crowd-radio-button>
    <crowd-radio-button name="no" value="no">No</crowd-radio-button>
  </crowd-radio-group>
  <crowd-checkbox name="unsure">Not sure</crowd-checkbox>
</crowd-form>"""
LABELS = [{"label": "person", "shortDisplayName": "per", "fullDisplayName": "Person"}]

# What a reviewer taps: controls in the document and in every (open) shadow root, shown on screen.
SMALL_TARGETS_JS = """() => {
    const TAPPABLE = 'button, a[href], a.full-link, select, [role=radio], [role=checkbox], [role=button], '
        + 'input:not([type=hidden]):not([type=range])';
    const found = [];
    const visit = (root) => {
        root.querySelectorAll(TAPPABLE).forEach((el) => {
            const r = el.getBoundingClientRect();
            if (r.width === 0 || r.height === 0 || getComputedStyle(el).visibility === 'hidden') return;
            // A control inside a labelled tappable box (a radio in its label) is tapped through the box.
            const box = el.closest('label, [role=radio], [role=checkbox]');
            const target = box && box !== el ? box.getBoundingClientRect() : r;
            if (target.width < 44 || target.height < 44) {
                found.push(`${el.localName}.${el.className} "${(el.textContent || el.value || '').trim().slice(0, 20)}"`
                    + ` ${Math.round(target.width)}x${Math.round(target.height)}`);
            }
        });
        root.querySelectorAll('*').forEach((el) => { if (el.shadowRoot) visit(el.shadowRoot); });
    };
    visit(document);
    return found;
}"""
SCROLLS_SIDEWAYS_JS = "() => document.documentElement.scrollWidth > document.documentElement.clientWidth"


def assert_fits_a_phone(page_or_frame) -> None:
    assert not page_or_frame.evaluate(SCROLLS_SIDEWAYS_JS), "the page scrolls sideways at 360 px"
    assert page_or_frame.evaluate(SMALL_TARGETS_JS) == []


def _families(portal):
    """One flow with one waiting task per element family: plain form, classifier, bounding box, entities."""
    plain = portal.flow(PLAIN_FORM, task_title="Is this spam?")
    factories.human_loop(plain, {"taskObject": "Win a free cruise today!"})
    classifier = portal.sample_flow("text/sentiment-analysis.liquid.html", task_title="Rate the tone")
    factories.human_loop(classifier, {"taskObject": "The delivery was quick and the staff were friendly."})
    boxes = portal.sample_flow("images/bounding-box.liquid.html", task_title="Find the animals")
    factories.human_loop(boxes, {"taskObject": store_image("photos", "street.png", 1600, 1200)})
    entities = portal.sample_flow("text/named-entity-recognition.liquid.html", task_title="Tag the people")
    factories.human_loop(entities, {"labels": LABELS, "taskObject": "Ada Lovelace wrote the first program."})
    return [plain, classifier, boxes, entities]


def test_the_work_list_and_task_pages_fit_a_phone_with_finger_sized_targets(portal):
    flows = _families(portal)
    portal.page.set_viewport_size(PHONE)
    portal.sign_in()
    portal.page.goto(portal.url + "/portal/")
    assert_fits_a_phone(portal.page)

    for flow in flows:
        portal.page.goto(portal.url + "/portal/")
        portal.page.click(f".work-item[data-flow='{flow.name}'] a.start-working")
        portal.task_frame()
        assert portal.page.locator("#task-title").inner_text() == flow.task_title
        assert_fits_a_phone(portal.page)
        assert_fits_a_phone(portal.frame())
        portal.page.click("#release-button")
        portal.page.wait_for_url(portal.url + "/portal/")


# Where Submit is: its right edge, and the frame's width (both in the frame's own viewport).
SUBMIT_PLACE_JS = """() => {
    const buttons = [];
    const visit = (root) => {
        root.querySelectorAll('button').forEach((b) => { if (b.textContent.trim() === 'Submit') buttons.push(b); });
        root.querySelectorAll('*').forEach((el) => { if (el.shadowRoot) visit(el.shadowRoot); });
    };
    visit(document);
    const r = buttons[0].getBoundingClientRect();
    return {count: buttons.length, right: r.right, width: document.documentElement.clientWidth};
}"""


def test_submit_sits_at_the_right_end_on_every_element_family(portal):
    flows = _families(portal)
    portal.sign_in()
    for flow in flows:
        portal.page.goto(portal.url + "/portal/")
        portal.page.click(f".work-item[data-flow='{flow.name}'] a.start-working")
        portal.task_frame()
        place = portal.frame().evaluate(SUBMIT_PLACE_JS)
        assert place["count"] == 1
        assert place["width"] - place["right"] < 48, f"{flow.task_title}: Submit is not at the right end: {place}"
        portal.page.click("#release-button")
        portal.page.wait_for_url(portal.url + "/portal/")


def test_history_shows_the_reviewers_own_answers_read_only_and_counts_nobody_elses(portal):
    flow = portal.flow(PLAIN_FORM, task_title="Is this spam?")
    loop = factories.human_loop(flow, {"taskObject": "Win a free cruise today!"})
    # Someone else's answer on the same flow, which rita must not see.
    other = factories.user("sam", password="x")
    other_loop = factories.human_loop(flow, {"taskObject": "Meeting moved to 3pm"})
    now = timezone.now()
    ReviewTask.objects.filter(human_loop=other_loop).update(
        state=ReviewTask.State.SUBMITTED,
        worker=other,
        accepted_at=now,
        submitted_at=now,
        answer={"secret": "sam's answer"},
        time_spent_seconds=9.0,
    )

    frame = portal.start(flow)
    frame.locator("crowd-radio-button[name=yes]").click()
    frame.get_by_role("button", name="Submit").click()
    answer = portal.answer_of(loop)

    portal.page.click("#history-link")
    assert portal.page.locator("#submitted-count").inner_text() == "1"
    item = portal.page.locator(".history-item")
    assert item.count() == 1
    assert item.locator(".task-title").inner_text() == "Is this spam?"
    item.locator("summary").click()
    shown = item.locator("pre.answer")
    assert json.loads(shown.inner_text()) == answer
    assert shown.evaluate("el => el.isContentEditable") is False
    assert "sam's answer" not in portal.page.content()
