"""A task that cannot be rendered is withdrawn with a reason, once: the render budget and poisoned inputs.

Findings 4 and 5 of issue 11: a lone surrogate stored in an input made every
claim of its task answer 500 while the task went round forever; a template of
nested loops held a web worker for 18-30 s per claim.
"""

from __future__ import annotations

import time

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from flows.loops import lifecycle
from flows.models import HumanLoop, ReviewTask, StatusEvent
from review_ui import rendering
from tests import factories as f
from tests.hostile.conftest import error_of

ISSUE_TEMPLATE = (
    "{% for i in (1..1000) %}{% for j in (1..1000) %}{{ task.input.t }}{% endfor %}{% endfor %}"
    "<crowd-form></crowd-form>"
)


def auth(user) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Token {f.worker_token(user)}"}


def loop_stored_unchecked(flow, name: str, task_input) -> HumanLoop:
    """A loop whose input skipped today's checks (stored by an older version, or written directly)."""
    if connection.vendor == "postgresql":
        pytest.skip("jsonb refuses lone surrogates: such an input could only ever be stored on SQLite")
    return lifecycle.start_human_loop(
        account=flow.account,
        name=name,
        flow_definition_arn=f.flow_arn(flow),
        input_content="{}",
        input_json=task_input,
    ).loop


def flow_with_template(api, reviewer, content: str):
    team = f.workteam(api.account, members=[reviewer])
    return f.flow_definition(api.account, team, ui=f.human_task_ui(api.account, content))


def test_create_human_task_ui_refuses_nested_literal_ranges_over_the_budget(api):
    response = api.control(
        "CreateHumanTaskUi", {"HumanTaskUiName": "quadratic", "UiTemplate": {"Content": ISSUE_TEMPLATE}}
    )

    assert response.status_code == 400
    name, message = error_of(response)
    assert name == "ValidationException"
    assert message == (
        "The template's loops would run 1000000 iterations (line 1: nested literal ranges); "
        f"the render budget allows {rendering.RENDER_LOOP_ITERATION_LIMIT}."
    )


def test_create_human_task_ui_accepts_loops_within_the_budget_and_loops_over_the_input(api):
    content = "{% for i in (1..100) %}{% for j in (1..100) %}.{% endfor %}{% endfor %}"
    content += "{% for x in task.input.items %}{% for y in task.input.items %}{{ x }}{{ y }}{% endfor %}{% endfor %}"

    response = api.control("CreateHumanTaskUi", {"HumanTaskUiName": "fine", "UiTemplate": {"Content": content}})

    assert response.status_code == 200, response.content


def test_a_stored_over_budget_template_costs_milliseconds_and_fails_its_loop_with_the_reason(client, api, reviewer):
    flow = flow_with_template(api, reviewer, ISSUE_TEMPLATE)
    loop = f.human_loop(flow, {"t": "x"}, name="quadratic-loop")
    later = f.human_loop(flow, {"t": "y"}, name="next-loop")

    started = time.monotonic()
    response = client.get("/portal/api/tasks/next", **auth(reviewer))
    elapsed = time.monotonic() - started

    assert response.status_code == 422
    assert elapsed < 0.5
    task = ReviewTask.objects.get(human_loop=loop)
    assert response.json() == {
        "message": f"Task {task.id} cannot be shown: its loops would run more than "
        f"{rendering.RENDER_LOOP_ITERATION_LIMIT} iterations, the render budget. "
        "It was withdrawn from the queue; ask for the next task."
    }
    loop.refresh_from_db()
    assert loop.status == HumanLoop.Status.FAILED
    assert loop.failure_code == "ValidationError"
    assert loop.failure_reason == (
        "The task could not be shown to reviewers: its loops would run more than "
        f"{rendering.RENDER_LOOP_ITERATION_LIMIT} iterations, the render budget. "
        "Fix the template or the input and start a new loop."
    )
    assert StatusEvent.objects.filter(human_loop=loop).count() == 1
    assert ReviewTask.objects.get(human_loop=loop).state == ReviewTask.State.CANCELLED
    # The next claim goes on to the next loop (which fails too, at once), never back to the first.
    response = client.get("/portal/api/tasks/next", **auth(reviewer))
    assert (
        response.status_code == 422
        and f"Task {ReviewTask.objects.get(human_loop=later).id} " in response.json()["message"]
    )
    assert client.get("/portal/api/tasks/next", **auth(reviewer)).status_code == 204


def test_a_render_past_the_deadline_is_stopped_there(monkeypatch, client, api, reviewer):
    monkeypatch.setattr(rendering, "RENDER_DEADLINE_SECONDS", 0.2)
    template = "{% for a in task.input.n %}{% for b in task.input.n %}{% for c in task.input.n %}{{ task.input.t }}"
    template += "{% endfor %}{% endfor %}{% endfor %}"
    flow = flow_with_template(api, reviewer, template)
    loop = f.human_loop(flow, {"n": list(range(46)), "t": "x" * 10}, name="slow-loop")  # 97,336 iterations

    started = time.monotonic()
    response = client.get("/portal/api/tasks/next", **auth(reviewer))
    elapsed = time.monotonic() - started

    assert response.status_code == 422
    assert elapsed < 1.5
    loop.refresh_from_db()
    assert loop.status == HumanLoop.Status.FAILED
    assert "rendering took longer than 0.2 s, the render budget" in loop.failure_reason


def test_a_page_over_the_output_limit_is_refused():
    big = "x" * (1024 * 1024)
    with pytest.raises(rendering.UnrenderableTask, match="larger than 10485760 bytes"):
        rendering.render_task_template("{% for i in (1..20) %}{{ task.input.t }}{% endfor %}", {"t": big})


def test_a_poisoned_input_is_withdrawn_once_with_a_reason_instead_of_answering_500_forever(client, api, reviewer, flow):
    poisoned = loop_stored_unchecked(flow, "poisoned", {"taskObject": "\ud800"})
    healthy = f.human_loop(flow, {"taskObject": "fine"}, name="healthy")

    response = client.get("/portal/api/tasks/next", **auth(reviewer))

    assert response.status_code == 422
    assert "the input holds a lone surrogate, which no web page can carry" in response.json()["message"]
    poisoned.refresh_from_db()
    assert (poisoned.status, poisoned.failure_code) == ("Failed", "ValidationError")
    assert "lone surrogate" in poisoned.failure_reason
    response = client.get("/portal/api/tasks/next", **auth(reviewer))
    assert response.status_code == 200
    assert response.json()["humanLoopName"] == healthy.name


def test_the_reviewer_sees_a_clear_page_and_the_admin_sees_the_reason(client, api, reviewer, flow):
    poisoned = loop_stored_unchecked(flow, "poisoned-page", {"taskObject": "\udfff"})
    client.force_login(reviewer)

    page = client.get(f"/portal/work/?flow={flow.name}")
    task = ReviewTask.objects.get(human_loop=poisoned)
    frame = client.get(f"/portal/tasks/{task.id}/frame")

    assert page.status_code == 200
    assert frame.status_code == 422
    text = frame.content.decode()
    assert "This task cannot be shown: the input holds a lone surrogate, which no web page can carry." in text
    assert "It has been withdrawn from the queue" in text
    assert client.get(f"/portal/work/?flow={flow.name}").status_code == 200  # no more work, no error
    assert ReviewTask.objects.get(human_loop=poisoned).state == ReviewTask.State.CANCELLED

    staff = get_user_model().objects.create_superuser("ops", "ops@example.com", "pw")
    client.force_login(staff)
    admin_page = client.get(f"/admin/flows/humanloop/{poisoned.id}/change/")
    assert admin_page.status_code == 200
    assert "The task could not be shown to reviewers: the input holds a lone surrogate" in admin_page.content.decode()
