"""LangGraph: pause a thread on a hitl review and resume it from the webhook (or a waiter).

In a node:

    decision = request_review(reviews, review_id, hitl_request)   # pauses the thread

LangGraph runs an interrupted node again from the top on resume; the review id
(e.g. the tool-call ids) gives the same loop name, and StartHumanLoop with the same
name and input returns the existing loop, so the re-run creates no second review.

In the webhook receiver:

    event = verify_webhook(body, headers["X-Hitl-Signature-256"], secret)
    resume_from_event(graph, event, config_for_loop)

The event carries the decision inline (detail.humanAnswers), so nothing is read from S3.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from langgraph.types import Command, interrupt

from hitl_agents.client import HitlReviews, auto_approved, decision_from_event


def request_review(reviews: HitlReviews, review_id: str, hitl_request: dict[str, Any]) -> dict[str, Any]:
    """Start the review (idempotent) and pause the thread; returns the HITLResponse it is resumed with."""
    name = reviews.start(review_id, hitl_request)
    if name is None:  # the flow's policy auto-approved every action: nothing to wait for
        return auto_approved(hitl_request)
    return interrupt({**hitl_request, "hitl_human_loop_name": name})


def resume_from_event(
    graph: Any, event: dict[str, Any], config_for_loop: Callable[[str], dict[str, Any] | None], **invoke: Any
) -> Any:
    """Resume the thread waiting on the event's loop with its HITLResponse; None if it is not ours or open."""
    name, response = decision_from_event(event)
    if response is None:
        return None
    config = config_for_loop(name)
    if config is None:
        return None
    return graph.invoke(Command(resume=response), config, **invoke)
