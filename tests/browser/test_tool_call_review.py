"""The built-in tool-call review page (crowd-tool-call-review): a reviewer decides each of an agent's calls."""

from __future__ import annotations

import threading
import time
from collections import Counter

import pytest

from flows.models import HumanLoop
from hitl_agents import HitlReviews, tool_review_template
from hitl_agents.langchain import HitlMiddleware
from tests import factories
from tests.agents.agent_fixtures import EDITED_ARGS, INTERRUPT_ON, build_agent
from tests.agents.conftest import events_url  # noqa: F401
from tests.browser.conftest import screenshot
from tests.protocol.conftest import REGION, create_key_with_command

pytestmark = pytest.mark.browser

REFUND_SCHEMA = {
    "type": "object",
    "properties": {
        "order": {"type": "string", "description": "Order id"},
        "amount": {"type": "number", "minimum": 0, "maximum": 100},
        "currency": {"enum": ["EUR", "USD"]},
        "notify": {"type": "boolean"},
    },
    "required": ["order", "amount"],
}
REQUEST = {
    "action_requests": [
        {"name": "refund", "args": {"order": "A-17", "amount": 30, "currency": "EUR", "notify": False},
         "description": "Refund order A-17"},
        {"name": "run_sql", "args": {"query": "DELETE FROM sessions WHERE expired", "note": "x" * 400},
         "description": "Run a query"},
        {"name": "ask_user", "args": {"question": "Which address?"}, "description": "Ask the user"},
        {"name": "send_email", "args": {"to": "bob@example.com"}, "description": "Send an e-mail"},
    ],
    "review_configs": [
        {"action_name": "refund", "allowed_decisions": ["approve", "edit", "reject"], "args_schema": REFUND_SCHEMA},
        {"action_name": "run_sql", "allowed_decisions": ["edit", "reject"]},
        {"action_name": "ask_user", "allowed_decisions": ["respond"]},
        {"action_name": "send_email", "allowed_decisions": ["approve", "reject"]},
    ],
}  # fmt: skip


def review_flow(portal):
    return portal.flow(
        tool_review_template(),
        name="agent-actions",
        task_title="Approve the agent's tool calls",
        task_description="An AI agent asks before it acts",
    )


def test_each_action_gets_its_own_decision_checked_before_submit(portal):
    flow = review_flow(portal)
    loop = factories.human_loop(flow, REQUEST)
    frame = portal.start(flow)

    # Only the allowed decisions are offered; long values are folded; a single-choice action is preset.
    assert frame.get_by_role("radio", name="Respond instead run_sql").count() == 0
    assert frame.get_by_role("radio", name="Approve run_sql").count() == 0
    assert frame.get_by_role("radio", name="Respond instead ask_user").is_checked()
    assert frame.locator("details summary").first.inner_text().endswith("(400 characters)")

    # The schema-driven form: an amount over the maximum is refused with a message, nothing is sent.
    frame.get_by_role("radio", name="Edit refund").check()
    frame.get_by_role("spinbutton", name="refund amount").fill("250")
    frame.get_by_role("combobox", name="refund currency").select_option(label="USD")
    frame.get_by_role("checkbox", name="refund notify").check()
    # Raw JSON editing for a tool without a schema: invalid JSON is refused.
    frame.get_by_role("radio", name="Edit run_sql").check()
    frame.get_by_role("textbox", name="Arguments of run_sql (JSON)").fill('{"query": "DELETE FROM sessions"')
    screenshot(portal.page, "tool-call-review")
    frame.get_by_role("button", name="Submit").click()
    status = frame.locator("crowd-form .crowd-form-status").inner_text()
    assert "Tool call 1 (refund): arguments.amount must be at most 100." in status
    assert "Tool call 2 (run_sql): the arguments are not valid JSON" in status
    assert "Tool call 3 (ask_user): write the response." in status
    assert "Tool call 4 (send_email): choose a decision." in status

    frame.get_by_role("spinbutton", name="refund amount").fill("25.5")
    frame.get_by_role("textbox", name="Arguments of run_sql (JSON)").fill('{"query": "DELETE FROM sessions LIMIT 10"}')
    frame.get_by_role("textbox", name="Message for ask_user").fill("The Berlin office.")
    frame.get_by_role("radio", name="Reject send_email").check()
    frame.get_by_role("textbox", name="Message for send_email").fill("Not to Bob.")
    frame.get_by_role("button", name="Submit").click()

    assert portal.answer_of(loop) == {
        "decisions": [
            {"type": "edit", "edited_action": {"name": "refund",
             "args": {"order": "A-17", "amount": 25.5, "currency": "USD", "notify": True}}},
            {"type": "edit", "edited_action": {"name": "run_sql", "args": {"query": "DELETE FROM sessions LIMIT 10"}}},
            {"type": "respond", "message": "The Berlin office."},
            {"type": "reject", "message": "Not to Bob."},
        ]
    }  # fmt: skip


def test_a_waiting_langchain_agent_resumes_with_what_the_reviewer_decided_in_the_browser(portal, events_url):  # noqa: F811
    key_id, secret = create_key_with_command("agent-runtime", portal.account.name)
    flow = review_flow(portal)
    reviews = HitlReviews(
        factories.flow_arn(flow),
        endpoint_url=portal.url,
        events_url=events_url,
        region_name=REGION,
        aws_access_key_id=key_id,
        aws_secret_access_key=secret,
    )
    calls, sent, results = Counter(), [], []
    schemas = {"send_email": {**INTERRUPT_ON["send_email"], "args_schema": {
        "type": "object", "properties": {"to": {"type": "string"}, "body": {"type": "string"}}}}}  # fmt: skip
    agent = build_agent(HitlMiddleware({**INTERRUPT_ON, **schemas}, reviews=reviews), calls, sent)
    config = {"configurable": {"thread_id": "browser-1"}}
    waiting = threading.Thread(target=lambda: results.append(agent.invoke({"messages": [("user", "go")]}, config)))
    waiting.start()

    deadline = time.monotonic() + 30
    while not HumanLoop.objects.filter(flow_definition=flow).exists():  # the agent reached its review
        assert time.monotonic() < deadline and waiting.is_alive(), "the agent never asked for a review"
        time.sleep(0.05)
    frame = portal.start(flow)
    frame.get_by_role("radio", name="Edit send_email").check()
    frame.get_by_role("textbox", name="send_email to").fill(EDITED_ARGS["to"])
    frame.get_by_role("textbox", name="send_email body").fill(EDITED_ARGS["body"])
    frame.get_by_role("radio", name="Reject delete_file").check()
    frame.get_by_role("textbox", name="Message for delete_file").fill("Keep the Q3 report.")
    frame.get_by_role("button", name="Submit").click()
    waiting.join(30)

    (result,) = results
    assert sent == [EDITED_ARGS]
    assert calls == Counter(send_email=1)
    rejected = [m for m in result["messages"] if getattr(m, "tool_call_id", None) == "call_2"]
    assert rejected[0].content == "User rejected the tool call for `delete_file` with reason: Keep the Q3 report."
