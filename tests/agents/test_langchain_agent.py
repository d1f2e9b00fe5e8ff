"""A real LangChain agent whose HumanInTheLoopMiddleware interrupt is answered by a hitl reviewer."""

from __future__ import annotations

from collections import Counter

import pytest
from langchain_core.messages import ToolMessage
from langgraph.checkpoint.memory import InMemorySaver

from flows.models import HumanLoop
from hitl_agents import ReviewPending
from hitl_agents.langchain import HitlMiddleware
from tests.agents.agent_fixtures import DECISIONS, EDITED_ARGS, INTERRUPT_ON, TOOL_CALLS, build_agent

USER = {"messages": [{"role": "user", "content": "Tell Alice about her refund and clean up the Q3 report."}]}


def tool_messages(result) -> dict[str, ToolMessage]:
    return {m.tool_call_id: m for m in result["messages"] if isinstance(m, ToolMessage)}


def assert_resumed_with_the_decisions(result, calls: Counter, sent: list) -> None:
    messages = tool_messages(result)
    assert sent == [EDITED_ARGS]  # the edited arguments ran, not the model's
    assert "sent to alice@example.org" in messages["call_1"].content
    assert messages["call_2"].status == "error"
    assert (
        messages["call_2"].content == "User rejected the tool call for `delete_file` with reason: Keep the Q3 report."
    )
    assert calls == Counter(send_email=1)  # each tool at most once; the rejected one never
    assert result["messages"][-1].content == "Done."


def test_the_reviewer_edits_one_call_and_rejects_the_other_and_a_rerun_finds_the_same_loop(tool_review, events_url):
    reviews = tool_review.reviews(events_url)
    config = {"configurable": {"thread_id": "support-42"}}
    calls, sent = Counter(), []

    # Given an agent whose first wait gives up before anyone answered (a worker restart, a client timeout)
    impatient = HitlMiddleware(INTERRUPT_ON, reviews=reviews, timeout=1)
    with pytest.raises(ReviewPending) as pending:
        build_agent(impatient, calls, sent).invoke(USER, config)
    assert calls == Counter()
    loop = HumanLoop.objects.get(name=pending.value.human_loop_name)

    # When a reviewer takes the task through the reviewer API: its input is LangChain's HITLRequest
    task = tool_review.next_task()
    assert task["humanLoopName"] == loop.name
    assert task["input"] == {
        "action_requests": [
            {"name": "send_email", "args": TOOL_CALLS[0]["args"], "description": "Send this e-mail?"},
            {"name": "delete_file", "args": TOOL_CALLS[1]["args"], "description": "Delete this file?"},
        ],
        "review_configs": [
            {"action_name": "send_email", "allowed_decisions": ["approve", "edit", "reject"]},
            {"action_name": "delete_file", "allowed_decisions": ["approve", "reject"]},
        ],
    }
    tool_review.submit(task["taskId"], DECISIONS)

    # Then running the interrupted node again finds the same loop, gets its decision and resumes
    patient = HitlMiddleware(INTERRUPT_ON, reviews=reviews)
    result = build_agent(patient, calls, sent).invoke(USER, config)
    assert_resumed_with_the_decisions(result, calls, sent)
    assert HumanLoop.objects.filter(account=tool_review.aws.account).count() == 1


def test_langgraph_interrupt_and_resume_is_resumed_by_the_signed_webhook(tool_review, events_url, settings):
    from hitl_agents import verify_webhook
    from hitl_agents.langgraph import resume_from_event
    from tests.agents.webhook_receiver import WebhookReceiver

    secret = "whsec-agents"
    calls, sent = Counter(), []
    threads: dict[str, dict] = {}
    reviews = tool_review.reviews(events_url)
    middleware = HitlMiddleware(
        INTERRUPT_ON,
        reviews=reviews,
        mode="interrupt",
        on_start=lambda name, thread_id: threads.setdefault(name, {"configurable": {"thread_id": thread_id}}),
    )
    agent = build_agent(middleware, calls, sent, checkpointer=InMemorySaver())
    resumed: list = []

    def on_webhook(body: bytes, headers: dict) -> None:
        event = verify_webhook(body, headers.get("X-Hitl-Signature-256", ""), secret)
        resumed.append(resume_from_event(agent, event, threads.get))

    with WebhookReceiver(on_webhook) as receiver:
        settings.HITL_WEBHOOK_URLS = [receiver.url]
        settings.HITL_WEBHOOK_SECRET = secret
        config = {"configurable": {"thread_id": "billing-7"}}

        # Given the agent paused on the review (LangGraph interrupt; nothing ran)
        paused = agent.invoke(USER, config)
        (interrupt,) = paused["__interrupt__"]
        name = interrupt.value["hitl_human_loop_name"]
        assert threads[name] == config and calls == Counter()

        # When the reviewer answers, the webhook resumes the thread with Command(resume=HITLResponse)
        task = tool_review.next_task()
        tool_review.submit(task["taskId"], DECISIONS)
        receiver.wait_for(1)

    # Then the resumed run re-ran the node (same loop, no second one) and applied the decisions
    (result,) = resumed
    assert_resumed_with_the_decisions(result, calls, sent)
    assert HumanLoop.objects.filter(account=tool_review.aws.account).count() == 1


def test_the_middleware_leaves_langchains_module_as_it_is():
    """HitlMiddleware is built on LangChain's public middleware API: nothing in LangChain is replaced."""
    import langgraph.types
    from langchain.agents.middleware import AgentMiddleware, human_in_the_loop

    import hitl_agents.langchain

    assert human_in_the_loop.interrupt is langgraph.types.interrupt
    assert hitl_agents.langchain.interrupt is langgraph.types.interrupt
    assert issubclass(HitlMiddleware, AgentMiddleware)
