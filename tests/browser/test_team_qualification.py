"""In the portal, a reviewer takes their work team's qualification test once and then works on every flow that opts in."""

import json

import pytest

from flows.quality import gold
from tests import factories
from workforce.models import WorkteamQualification

pytestmark = pytest.mark.browser


def _answer(portal, frame, digit: str) -> None:
    frame.locator("classification-target").click()
    portal.page.keyboard.press(digit)
    portal.page.keyboard.press("Enter")


def test_the_team_test_comes_first_then_real_work_on_this_and_the_teams_other_flow(portal):
    portal.team.tags = [{"Key": "hitl:qualification", "Value": "2:1"}]
    portal.team.save()
    flows = {}
    for name in ("first", "second"):
        flow = portal.flow(
            factories.SENTIMENT_TEMPLATE, name=name, tags=[{"Key": "hitl:qualification", "Value": "team"}]
        )
        for n, label in enumerate(["Positive", "Negative"]):
            gold.add_gold_item(
                flow,
                name=f"{name}-known-{n}",
                input_content=json.dumps({"taskObject": f"Known {label.lower()} text"}),
                answer={"sentiment": {"label": label}},
            )
        flows[name] = (flow, factories.human_loop(flow, {"taskObject": f"Real text of {name}"}))

    frame = portal.start(flows["first"][0])
    for _ in range(2):  # the test: both known items, before any real task
        shown = frame.locator("classification-target").inner_text()
        assert shown.startswith("Known")
        _answer(portal, frame, "1" if "positive" in shown else "2")
        portal.wait_for_next_task()
        frame = portal.task_frame()

    assert frame.locator("classification-target").inner_text() == "Real text of first"
    assert WorkteamQualification.objects.get(worker=portal.reviewer, workteam=portal.team).passed
    portal.page.goto(portal.url + "/portal/")
    portal.page.click(".work-item[data-flow='second'] a.start-working")
    frame = portal.task_frame()
    # No second test on the team's other flow: its real task straight away, and it can be answered.
    assert frame.locator("classification-target").inner_text() == "Real text of second"
    _answer(portal, frame, "3")
    assert portal.answer_of(flows["second"][1]) == {"sentiment": {"label": "Neutral"}}
