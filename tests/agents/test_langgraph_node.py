"""A plain LangGraph node paused on a hitl review (request_review) and resumed by the signed webhook."""

from __future__ import annotations

from collections import Counter
from typing import Any, TypedDict

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, StateGraph

from flows.models import HumanLoop
from hitl_agents import verify_webhook
from hitl_agents.langgraph import request_review, resume_from_event
from tests.agents.webhook_receiver import WebhookReceiver

REQUEST = {
    "action_requests": [{"name": "refund", "args": {"order": "A-17", "amount": 30}, "description": "Refund A-17"}],
    "review_configs": [{"action_name": "refund", "allowed_decisions": ["approve", "edit", "reject"]}],
}
EDITED = {"decisions": [{"type": "edit", "edited_action": {"name": "refund", "args": {"order": "A-17", "amount": 20}}}]}


class State(TypedDict, total=False):
    order: str
    decision: dict[str, Any]
    refunded: int


def build_graph(reviews, runs: Counter, refunds: list):
    def review(state: State) -> State:
        runs["review"] += 1  # runs again from the top on resume
        return {"decision": request_review(reviews, f"refund:{state['order']}", REQUEST)}

    def refund(state: State) -> State:
        (decision,) = state["decision"]["decisions"]
        amount = decision["edited_action"]["args"]["amount"] if decision["type"] == "edit" else 30
        refunds.append(amount)
        return {"refunded": amount}

    graph = StateGraph(State)
    graph.add_node("review", review)
    graph.add_node("refund", refund)
    graph.add_edge(START, "review")
    graph.add_edge("review", "refund")
    graph.add_edge("refund", END)
    return graph.compile(checkpointer=InMemorySaver())


def test_a_node_paused_on_a_review_is_resumed_by_the_webhook_with_the_edit(tool_review, events_url, settings):
    secret = "whsec-node"
    runs, refunds, resumed = Counter(), [], []
    graph = build_graph(tool_review.reviews(events_url), runs, refunds)
    config = {"configurable": {"thread_id": "refund-A-17"}}

    def on_webhook(body: bytes, headers: dict) -> None:
        event = verify_webhook(body, headers.get("X-Hitl-Signature-256", ""), secret)
        resumed.append(resume_from_event(graph, event, lambda name: config))

    with WebhookReceiver(on_webhook) as receiver:
        settings.HITL_WEBHOOK_URLS = [receiver.url]
        settings.HITL_WEBHOOK_SECRET = secret
        # Given the thread paused on the review: nothing refunded yet
        paused = graph.invoke({"order": "A-17"}, config)
        (interrupt,) = paused["__interrupt__"]
        assert interrupt.value["action_requests"] == REQUEST["action_requests"] and refunds == []

        # When the reviewer edits the amount, the webhook resumes the thread with it
        task = tool_review.next_task()
        assert task["humanLoopName"] == interrupt.value["hitl_human_loop_name"]
        tool_review.submit(task["taskId"], EDITED)
        receiver.wait_for(1)

    # Then the node ran again (same loop, no second one) and the refund ran once, with the edited amount
    (result,) = resumed
    assert result["refunded"] == 20 and refunds == [20]
    assert runs["review"] == 2
    assert HumanLoop.objects.filter(account=tool_review.aws.account).count() == 1
