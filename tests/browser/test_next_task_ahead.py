"""The next task already loaded (issue 19): claimed ahead, rendered in a hidden frame, swapped in on submit.

The page never reloads between tasks while there is a task ahead; the swapped-in task's time limit
starts when it is shown; leaving the page gives the hidden task back unseen.
"""

import pytest

from flows.models import ReviewTask, TaskExclusion
from tests import factories

pytestmark = pytest.mark.browser

TEMPLATE = "text/sentiment-analysis.liquid.html"


def leased_ids(portal) -> list[int]:
    return sorted(
        ReviewTask.objects.filter(worker=portal.reviewer, state=ReviewTask.State.LEASED).values_list("id", flat=True)
    )


def wait_for_task_ahead(portal) -> int:
    """Wait until the hidden frame has rendered the task claimed ahead; return that task's id."""
    hidden = portal.page.wait_for_selector("iframe.task-frame-ahead", state="attached")
    hidden.content_frame().wait_for_selector("crowd-classifier", state="attached")
    return int(hidden.get_attribute("src").split("/")[-2])


def test_submit_swaps_in_the_task_loaded_ahead_without_a_page_load(portal):
    flow = portal.sample_flow(TEMPLATE, task_title="Rate the tone")
    loops = [factories.human_loop(flow, {"taskObject": f"Review {i}"}) for i in range(3)]
    frame = portal.start(flow)
    first_id = int(portal.page.get_attribute("#task-bar", "data-task-id"))
    ahead_id = wait_for_task_ahead(portal)

    # The task ahead is leased to this reviewer, hidden and inert: no focus, no keys, not visible.
    assert leased_ids(portal) == sorted([first_id, ahead_id])
    hidden = portal.page.locator("iframe.task-frame-ahead")
    assert hidden.get_attribute("inert") == "" and not hidden.is_visible()
    ahead_claimed_at = ReviewTask.objects.get(id=ahead_id).accepted_at
    portal.page.evaluate("() => { window.__samePage = true; }")

    frame.locator("crowd-classifier").wait_for()
    portal.page.keyboard.press("1")
    portal.page.keyboard.press("Enter")
    portal.wait_for_next_task()
    portal.task_frame()

    # One swap, no page load: the task ahead is on the screen, with its own submit URL and title.
    assert portal.page.evaluate("() => window.__samePage") is True
    assert int(portal.page.get_attribute("#task-bar", "data-task-id")) == ahead_id
    assert portal.page.get_attribute("#task-bar", "data-submit-url") == f"/portal/api/tasks/{ahead_id}/submit"
    # The swap does not wait for the answer to be stored; the task after it is claimed once it is.
    third_frame = f"iframe.task-frame-ahead:not([src='/portal/tasks/{first_id}/frame'])"
    portal.page.wait_for_selector(third_frame, state="attached")
    assert portal.page.locator("iframe").count() == 2
    shown = ReviewTask.objects.get(id=first_id)
    assert shown.state == ReviewTask.State.SUBMITTED and shown.answer == {"sentiment": {"label": "Positive"}}
    # Its time limit and time spent start now that it is shown (POST .../show), not when it was claimed.
    swapped = ReviewTask.objects.get(id=ahead_id)
    assert swapped.accepted_at > ahead_claimed_at
    assert len(leased_ids(portal)) == 2

    portal.page.keyboard.press("2")
    portal.page.keyboard.press("Enter")
    portal.wait_for_next_task()
    portal.task_frame()
    portal.page.keyboard.press("3")
    portal.page.keyboard.press("Enter")
    portal.page.wait_for_selector("#no-more-work")

    answers = {loop.input_json["taskObject"]: loop.review_tasks.get().answer for loop in loops}
    assert sorted(answers.values(), key=str) == sorted(
        [{"sentiment": {"label": label}} for label in ("Positive", "Negative", "Neutral")], key=str
    )
    assert not leased_ids(portal)


def test_leaving_the_page_gives_the_task_ahead_back_unseen(portal):
    # One ahead at most, also for a second page of the same reviewer: tests/review_ui/test_claim_ahead.py.
    flow = portal.sample_flow(TEMPLATE, task_title="Rate the tone")
    for i in range(3):
        factories.human_loop(flow, {"taskObject": f"Review {i}"})
    portal.start(flow)
    first_id = int(portal.page.get_attribute("#task-bar", "data-task-id"))
    ahead_id = wait_for_task_ahead(portal)
    assert len(leased_ids(portal)) == 2

    # Going to the work list: the hidden task goes back to the queue, and may come to this reviewer again;
    # the task on the screen stays theirs (a return to the flow resumes it).
    portal.page.click("a.brand")
    portal.page.wait_for_url(portal.url + "/portal/")
    assert leased_ids(portal) == [first_id]
    given_back = ReviewTask.objects.get(id=ahead_id)
    assert given_back.state == ReviewTask.State.OPEN
    assert not TaskExclusion.objects.filter(worker=portal.reviewer, human_loop_id=given_back.human_loop_id).exists()
