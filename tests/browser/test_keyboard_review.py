"""Keyboard-only review: no pointer event from start to last submit; the ? overlay lists the keys.

As the issue asks: 50 classification tasks, then 20 image-box and entity tasks (10 of each), each
answered with keys only, and their stored answers checked. The next task is loaded ahead, so most
tasks are a frame swap, not a page load.
"""

import pytest

from flows.models import ReviewTask
from tests import factories
from tests.browser.conftest import PASSWORD, screenshot, store_image

pytestmark = pytest.mark.browser

SENTIMENTS = ["Positive", "Negative", "Neutral", "N/A"]
CLASSIFICATION_TASKS = 50
BOX_TASKS = 10
ENTITY_TASKS = 10
ENTITY_LABELS = [
    {"label": "person", "shortDisplayName": "per", "fullDisplayName": "Person"},
    {"label": "organization", "shortDisplayName": "org", "fullDisplayName": "Organization"},
]
# The emoji is outside the Basic Multilingual Plane: one code point, two UTF-16 units.
ENTITY_TEXT = "🚀 Jeff Bezos founded Amazon in {year}."


def keyboard_sign_in(portal) -> None:
    page = portal.page
    page.goto(portal.url + "/accounts/login/")
    page.keyboard.press("Tab")  # the first field of the page is reached from the keyboard too
    page.focus("input[name=login]")
    page.keyboard.type(portal.reviewer.username)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/portal/**")


def open_with_keyboard(portal, flow):
    portal.page.goto(portal.url + f"/portal/work/?flow={flow.name}")
    return portal.task_frame()


def press_and_wait_for_the_next_task(portal, key: str) -> None:
    portal.page.keyboard.press(key)
    portal.wait_for_next_task()


def count_pointer_events(portal) -> None:
    """Make every page and task frame count the real pointer events it sees (none are expected)."""
    portal.page.context.add_init_script(
        "['pointerdown','mousedown','click','touchstart'].forEach(t => addEventListener(t, e => {"
        " if (e.isTrusted) window.__pointer = (window.__pointer || 0) + 1; }, true));"
    )


def pointer_events(target) -> int:
    return target.evaluate("() => window.__pointer || 0")


def test_classification_tasks_are_answered_with_the_keyboard_only(portal):
    flow = portal.sample_flow("text/sentiment-analysis.liquid.html", task_title="Rate the tone")
    loops = [factories.human_loop(flow, {"taskObject": f"Review number {i}"}) for i in range(CLASSIFICATION_TASKS)]
    count_pointer_events(portal)
    keyboard_sign_in(portal)

    chosen = []
    open_with_keyboard(portal, flow)
    for i in range(CLASSIFICATION_TASKS):
        frame = portal.frame()
        text = frame.locator("classification-target").inner_text().strip()
        choice = i % len(SENTIMENTS)
        chosen.append((text, SENTIMENTS[choice]))
        portal.page.keyboard.press(str(choice + 1))
        assert pointer_events(frame) == pointer_events(portal.page) == 0
        press_and_wait_for_the_next_task(portal, "Enter")
        if i < CLASSIFICATION_TASKS - 1:
            portal.task_frame()

    portal.page.wait_for_selector("#no-more-work")
    by_text = {loop.input_json["taskObject"]: loop for loop in loops}
    for text, label in chosen:
        loop = by_text[text]
        loop.refresh_from_db()
        assert loop.status == "Completed"
        assert loop.review_tasks.get().answer == {"sentiment": {"label": label}}
    assert len(chosen) == len(by_text)


def test_boxes_are_drawn_moved_and_resized_with_the_keyboard_only(portal):
    flow = portal.sample_flow("images/bounding-box.liquid.html", task_title="Find the animals")
    for i in range(BOX_TASKS):
        factories.human_loop(flow, {"taskObject": store_image("photos", f"street {i}.png", 1600, 1200)})
    count_pointer_events(portal)
    keyboard_sign_in(portal)

    open_with_keyboard(portal, flow)
    for i in range(BOX_TASKS):
        portal.frame().wait_for_function(
            "() => document.querySelector('crowd-bounding-box')._displayWidth > 0", timeout=30_000
        )
        portal.page.keyboard.press("2")  # Dog
        portal.page.keyboard.press("n")  # a 400 x 300 box in the middle: left 600, top 450
        for _ in range(i % 5 + 1):
            portal.page.keyboard.press("ArrowRight")  # 16 px (1 % of the width) each
        portal.page.keyboard.press("ArrowDown")  # 12 px
        portal.page.keyboard.press("Shift+ArrowRight")
        portal.page.keyboard.press("Shift+ArrowRight")  # 32 px wider
        assert pointer_events(portal.frame()) == pointer_events(portal.page) == 0
        press_and_wait_for_the_next_task(portal, "Enter")
        if i < BOX_TASKS - 1:
            portal.task_frame()

    portal.page.wait_for_selector("#no-more-work")
    stored = sorted(
        (task.answer["annotatedResult"]["boundingBoxes"][0]["left"], task.answer)
        for task in ReviewTask.objects.filter(flow_definition=flow, state=ReviewTask.State.SUBMITTED)
    )
    assert [left for left, _ in stored] == sorted(600 + 16 * (i % 5 + 1) for i in range(BOX_TASKS))
    for _, answer in stored:
        box = answer["annotatedResult"]["boundingBoxes"][0]
        assert box == {"label": "Dog", "left": box["left"], "top": 462, "width": 432, "height": 300}
        assert answer["annotatedResult"]["inputImageProperties"] == {"width": 1600, "height": 1200}


def test_entity_spans_are_selected_and_labelled_with_the_keyboard_only(portal):
    flow = portal.sample_flow("text/named-entity-recognition.liquid.html", task_title="Tag the names")
    loops = [
        factories.human_loop(flow, {"labels": ENTITY_LABELS, "taskObject": ENTITY_TEXT.format(year=1990 + i)})
        for i in range(ENTITY_TASKS)
    ]
    count_pointer_events(portal)
    keyboard_sign_in(portal)

    open_with_keyboard(portal, flow)
    for i in range(ENTITY_TASKS):
        portal.frame().wait_for_selector("crowd-entity-annotation")
        keys = portal.page.keyboard
        keys.press("ArrowRight")  # the rocket
        keys.press("ArrowRight")  # Jeff
        keys.press("Shift+ArrowRight")  # Jeff Bezos
        keys.press("n")  # labelled with the chosen label: Person
        keys.press("2")  # Organization
        keys.press("ArrowRight")  # founded
        keys.press("ArrowRight")  # Amazon
        keys.press("n")
        if i % 2:  # relabel the second span and back, and remove a third one, by keys too
            keys.press("ArrowRight")  # in
            keys.press("n")
            keys.press("]")  # the first labelled span ...
            keys.press("]")
            keys.press("]")  # ... the third: "in"
            keys.press("Delete")
        assert pointer_events(portal.frame()) == pointer_events(portal.page) == 0
        press_and_wait_for_the_next_task(portal, "Enter")
        if i < ENTITY_TASKS - 1:
            portal.task_frame()

    portal.page.wait_for_selector("#no-more-work")
    for loop in loops:
        assert loop.review_tasks.get().answer == {
            "entities": {
                "entities": [
                    {"endOffset": 12, "label": "person", "startOffset": 2},
                    {"endOffset": 27, "label": "organization", "startOffset": 21},
                ]
            }
        }


def test_tool_calls_are_approved_edited_and_rejected_with_the_keyboard_only(portal):
    from hitl_agents import tool_review_template

    flow = portal.flow(tool_review_template(), name="agent-actions", task_title="Approve the agent's tool calls")
    request = {
        "action_requests": [
            {"name": "send_email", "args": {"to": "bob@example.com"}, "description": "Send an e-mail"},
            {"name": "refund", "args": {"order": "A-17", "amount": 30}, "description": "Refund"},
            {"name": "delete_file", "args": {"path": "/tmp/x"}, "description": "Delete a file"},
        ],
        "review_configs": [
            {"action_name": name, "allowed_decisions": ["approve", "edit", "reject"]}
            for name in ("send_email", "refund", "delete_file")
        ],
    }
    loop = factories.human_loop(flow, request)
    count_pointer_events(portal)
    keyboard_sign_in(portal)
    frame = open_with_keyboard(portal, flow)
    frame.locator("crowd-tool-call-review").wait_for()
    keys = portal.page.keyboard

    keys.press("a")  # approve the first call; the keys move on to the second
    keys.press("e")  # edit it: its arguments (JSON) take the keyboard
    keys.press("Control+a")
    keys.type('{"order": "A-17", "amount": 20}')
    keys.press("Escape")  # leave the field: keys are shortcuts again
    keys.press("]")  # the third call
    keys.press("d")  # reject it
    keys.press("?")
    rows = {row.get_attribute("data-action") for row in frame.locator("#hitl-shortcuts tr[data-action]").all()}
    assert {"approve", "edit", "reject", "nextShape"} <= rows and "newBox" not in rows
    keys.press("Escape")
    assert pointer_events(portal.frame()) == pointer_events(portal.page) == 0
    keys.press("Enter")

    assert portal.answer_of(loop) == {
        "decisions": [
            {"type": "approve"},
            {"type": "edit", "edited_action": {"name": "refund", "args": {"order": "A-17", "amount": 20}}},
            {"type": "reject"},
        ]
    }


def test_question_mark_lists_the_shortcuts_and_escape_gives_focus_back(portal):
    flow = portal.sample_flow("images/bounding-box.liquid.html", task_title="Find the animals")
    factories.human_loop(flow, {"taskObject": store_image("photos", "street.png", 1600, 1200)})
    keyboard_sign_in(portal)
    open_with_keyboard(portal, flow)
    frame = portal.frame()

    portal.page.keyboard.press("?")
    overlay = frame.locator("#hitl-shortcuts")
    assert overlay.is_visible()
    rows = {
        row.get_attribute("data-action"): row.locator("kbd").inner_text()
        for row in overlay.locator("tr[data-action]").all()
    }
    assert rows["submit"] == "Enter" and rows["skip"] == "s" and rows["newBox"] == "n"
    assert frame.evaluate("() => document.activeElement.className") == "hitl-shortcuts-close"
    screenshot(portal.page, "shortcuts")
    portal.page.keyboard.press("Escape")
    assert not overlay.is_visible()

    # Release with its key: back to the work list, the task open for anyone again.
    portal.page.keyboard.press("r")
    portal.page.wait_for_url(portal.url + "/portal/")
    assert ReviewTask.objects.get(flow_definition=flow).state == ReviewTask.State.OPEN


def test_a_reviewer_remaps_submit_and_the_task_frame_uses_their_key(portal):
    flow = portal.sample_flow("text/sentiment-analysis.liquid.html", task_title="Rate the tone")
    loop = factories.human_loop(flow, {"taskObject": "Fine."})
    keyboard_sign_in(portal)
    portal.page.goto(portal.url + "/portal/shortcuts/")
    portal.page.fill("#key-submit", "x")
    portal.page.click("#save-shortcuts")
    portal.page.wait_for_selector("#shortcuts-saved")

    frame = open_with_keyboard(portal, flow)
    portal.page.keyboard.press("?")
    assert frame.locator("#hitl-shortcuts tr[data-action=submit] kbd").inner_text() == "x"
    portal.page.keyboard.press("Escape")
    portal.page.keyboard.press("3")
    portal.page.keyboard.press("Enter")  # no longer Submit
    portal.page.wait_for_timeout(500)
    assert loop.review_tasks.get().state == ReviewTask.State.LEASED
    portal.page.keyboard.press("x")

    assert portal.answer_of(loop) == {"sentiment": {"label": "Neutral"}}


def test_question_mark_works_on_the_work_list_and_history_with_the_reviewers_own_keys(portal):
    flow = portal.sample_flow("text/sentiment-analysis.liquid.html", task_title="Rate the tone")
    factories.human_loop(flow, {"taskObject": "Fine."})
    keyboard_sign_in(portal)
    portal.page.goto(portal.url + "/portal/shortcuts/")
    portal.page.fill("#key-submit", "x")
    portal.page.fill("#key-help", "h")
    portal.page.click("#save-shortcuts")
    portal.page.wait_for_selector("#shortcuts-saved")
    count_pointer_events(portal)

    for path in ("/portal/history/", "/portal/"):
        portal.page.goto(portal.url + path)
        portal.page.keyboard.press("?")  # no longer this reviewer's key
        overlay = portal.page.locator("#portal-shortcuts-overlay")
        assert overlay.count() == 0 or not overlay.is_visible()
        portal.page.keyboard.press("h")
        assert overlay.is_visible()
        keys = {
            row.get_attribute("data-action"): row.locator("kbd").inner_text()
            for row in overlay.locator("tr[data-action]").all()
        }
        assert keys["help"] == "h" and keys["submit"] == "x" and keys["skip"] == "s" and keys["reject"] == "d"
        portal.page.keyboard.press("Escape")
        assert not overlay.is_visible()

    # On the work list, 1 starts the first task type.
    portal.page.keyboard.press("1")
    portal.task_frame()
    assert pointer_events(portal.page) == 0
    assert portal.page.get_attribute("#task-bar", "data-task-id") is not None
