"""A real LangChain agent with a scripted chat model (no network) and two side-effecting tools."""

from __future__ import annotations

from collections import Counter
from typing import Any

from langchain.agents import create_agent
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage
from langchain_core.tools import tool

TOOL_CALLS = [
    {"name": "send_email", "args": {"to": "alice@example.com", "body": "Your refund is on its way."}, "id": "call_1"},
    {"name": "delete_file", "args": {"path": "/srv/reports/q3.pdf"}, "id": "call_2"},
]
EDITED_ARGS = {"to": "alice@example.org", "body": "Your refund of 30 EUR is on its way."}
DECISIONS = {
    "decisions": [
        {"type": "edit", "edited_action": {"name": "send_email", "args": EDITED_ARGS}},
        {"type": "reject", "message": "Keep the Q3 report."},
    ]
}


class ScriptedModel(GenericFakeChatModel):
    """Emits the scripted messages in order; binding tools changes nothing."""

    def bind_tools(self, tools: Any, **kwargs: Any) -> ScriptedModel:
        return self


def scripted_model() -> ScriptedModel:
    # One turn with two tool calls, then a final answer once the tool results are in.
    return ScriptedModel(messages=iter([AIMessage(content="", tool_calls=TOOL_CALLS), AIMessage(content="Done.")]))


def build_agent(middleware: Any, calls: Counter, sent: list, **kwargs: Any):
    @tool
    def send_email(to: str, body: str) -> str:
        """Send an e-mail."""
        calls["send_email"] += 1
        sent.append({"to": to, "body": body})
        return f"sent to {to}"

    @tool
    def delete_file(path: str) -> str:
        """Delete a file."""
        calls["delete_file"] += 1
        return f"deleted {path}"

    return create_agent(scripted_model(), tools=[send_email, delete_file], middleware=[middleware], **kwargs)


INTERRUPT_ON = {
    "send_email": {"allowed_decisions": ["approve", "edit", "reject"], "description": "Send this e-mail?"},
    "delete_file": {"allowed_decisions": ["approve", "reject"], "description": "Delete this file?"},
}
