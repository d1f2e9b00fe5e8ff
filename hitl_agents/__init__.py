"""hitl_agents: human approval of AI agents' tool calls on a hitl server (no Django import).

Core (boto3, httpx): `HitlReviews`, `tool_review_template`, `verify_webhook`,
`decision_from_event`. Extras: `hitl_agents.langchain.HitlMiddleware` (langchain),
`hitl_agents.langgraph.request_review` / `resume_from_event` (langgraph).
Install on the agent's side: `pip install ./hitl_agents[langchain]` (hitl_agents/pyproject.toml).
"""

from hitl_agents.client import (
    HitlReviews,
    ReviewPending,
    decision_from_event,
    loop_name_for,
    tool_review_template,
    verify_webhook,
)

__all__ = [
    "HitlReviews",
    "ReviewPending",
    "decision_from_event",
    "loop_name_for",
    "tool_review_template",
    "verify_webhook",
]
