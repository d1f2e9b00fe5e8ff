"""The hitl MCP server (official `mcp` SDK): agents ask people for approval or an answer.

Tools:
  request_approval(tool_name, arguments, review_id, ...)  start the review of one action
  ask_human(question, review_id, ...)                      a free-form question (human as a tool)
  get_review(human_loop_name, wait_seconds)                read a review's status and decision

No call blocks past the client's timeout: each waits at most `wait_seconds`
(default 10, at most MAX_WAIT_SECONDS = 25, below the 30-60 s tool timeouts
MCP clients use) and then answers {"status": "pending", "human_loop_name": ...,
"review_url": ...}: a durable handle to ask again with get_review, or to call
request_approval again with the same review_id (the same loop, never a second).
A decided review answers {"status": "decided", "decision": <HITLResponse>}.

Served over streamable HTTP at /mcp by the events process (agents/asgi.py),
authenticated with a hitl access key as `Authorization: Bearer <key id>:<secret>`,
and over stdio by `manage.py mcp_stdio --access-key-id AKIA...`. Loops start
through StartHumanLoop's own handler: the same validation, quotas, allowed-flow
limits of the key and idempotency as the API.
"""

from __future__ import annotations

import contextvars
import hmac
import json
from typing import Any

from django.conf import settings

from agents import streams
from agents.waiting import WATCHER, in_thread
from flows.api import runtime  # noqa: F401  (registers StartHumanLoop, DescribeHumanLoop)
from hitl.aws import registry
from hitl.kernel import arns, public_url
from hitl.kernel.errors import HitlError, InvalidInput
from hitl_agents.client import auto_approved, decision_for_status, loop_name_for
from workforce import access_keys
from workforce.models import AccessKey

MAX_WAIT_SECONDS = 25
DEFAULT_WAIT_SECONDS = 10
DECISIONS = ("approve", "edit", "reject", "respond")

# The access key of the current MCP request (HTTP: from its bearer token; stdio: from the command line).
CURRENT_KEY: contextvars.ContextVar[AccessKey | None] = contextvars.ContextVar("hitl_mcp_key", default=None)


def key_from_bearer(header: str) -> AccessKey | None:
    """Return the active key named by `Bearer <key id>:<secret>`, or None when it does not match."""
    scheme, _, token = header.partition(" ")
    key_id, _, secret = token.strip().partition(":")
    if scheme.lower() != "bearer" or not key_id or not secret:
        return None
    key = access_keys.active_key(key_id)
    if key is None:
        return None
    if not hmac.compare_digest(access_keys.secret_of(key).encode(), secret.encode()):
        return None
    return key


def _context(operation: str) -> registry.RequestContext:
    key = CURRENT_KEY.get()
    if key is None:
        raise InvalidInput("This MCP session is not authenticated with a hitl access key.")
    return registry.RequestContext(account=key.account, access_key=key, request_id="mcp", operation=operation)


def _flow_arn(context: registry.RequestContext, flow_definition: str | None) -> str:
    name = flow_definition or settings.HITL_MCP_FLOW_DEFINITION
    if name.startswith("arn:"):
        return name
    return arns.build("flow-definition", context.account.aws_account_id, name)


def _start(context: registry.RequestContext, review_id: str, flow: str | None, hitl_request: dict) -> str | None:
    """Start the review; None when the flow's policy auto-approves it (no loop)."""
    name = loop_name_for(review_id, "mcp")
    content = json.dumps(hitl_request, sort_keys=True, separators=(",", ":"))
    started = registry.RUNTIME["StartHumanLoop"](
        context,
        {
            "HumanLoopName": name,
            "FlowDefinitionArn": _flow_arn(context, flow),
            "HumanLoopInput": {"InputContent": content},
        },
    )
    return name if started.get("HumanLoopArn") else None


def _result(context: registry.RequestContext, name: str, hitl_request: dict | None = None) -> dict[str, Any]:
    state = streams.describe(context, name)
    status = state.output["HumanLoopStatus"]
    if not state.decided:
        return {
            "status": "pending",
            "human_loop_name": name,
            "human_loop_status": status,
            "review_url": public_url.public_url() + "/portal/",
            "next_step": f"Ask again with get_review(human_loop_name={name!r}); the review stays open.",
        }
    decision = state.output.get("HitlDecision") or decision_for_status(
        status, state.output.get("HumanAnswers") or [], hitl_request
    )
    return {"status": "decided", "human_loop_name": name, "human_loop_status": status, "decision": decision}


async def _wait_then_result(context: registry.RequestContext, name: str, wait: int, request: dict | None) -> dict:
    wait = max(0, min(int(wait), MAX_WAIT_SECONDS))
    result = await in_thread(_result)(context, name, request)
    if result["status"] == "pending" and wait:
        loop_id = await in_thread(_loop_id)(context, name)
        if await WATCHER.wait_for_loop(loop_id, wait):
            result = await in_thread(_result)(context, name, request)
    return result


def _loop_id(context: registry.RequestContext, name: str) -> int:
    return streams.wait_head(context, name).loop_id


def _refusal(exc: HitlError) -> dict[str, Any]:
    return {"status": "refused", "error": type(exc).__name__, "message": exc.message}


def build_server() -> Any:
    """Return the MCPServer with hitl's three tools (imported lazily: `mcp` is needed only here)."""
    from mcp.server.mcpserver import MCPServer

    server = MCPServer(
        "hitl",
        instructions=(
            "Ask a person before doing something consequential. request_approval and ask_human return "
            "'decided' with the person's decision, or 'pending' with a human_loop_name: then call get_review "
            "with it later (or repeat the same call with the same review_id). Never act on a pending review."
        ),
    )

    @server.tool()
    async def request_approval(
        tool_name: str,
        arguments: dict[str, Any],
        review_id: str,
        description: str = "",
        allowed_decisions: list[str] | None = None,
        args_schema: dict[str, Any] | None = None,
        flow_definition: str | None = None,
        wait_seconds: int = DEFAULT_WAIT_SECONDS,
    ) -> dict[str, Any]:
        """Ask a reviewer to approve, edit, reject or answer instead of one action before you run it.

        review_id identifies this action (e.g. your tool-call id): repeating it finds the same review.
        The decision is LangChain's HITLResponse: {"decisions": [{"type": "approve"|"edit"|"reject"|"respond", ...}]}.
        """
        allowed = allowed_decisions or ["approve", "edit", "reject"]
        config: dict[str, Any] = {"action_name": tool_name, "allowed_decisions": allowed}
        if args_schema:
            config["args_schema"] = args_schema
        hitl_request = {
            "action_requests": [{"name": tool_name, "args": arguments, "description": description}],
            "review_configs": [config],
        }
        try:
            context = _context("StartHumanLoop")
            if not set(allowed) <= set(DECISIONS):
                raise InvalidInput(f"allowed_decisions must be taken from {', '.join(DECISIONS)}.")
            name = await in_thread(_start)(context, review_id, flow_definition, hitl_request)
            if name is None:
                return {"status": "decided", "auto_approved": True, "decision": auto_approved(hitl_request)}
            return await _wait_then_result(context, name, wait_seconds, hitl_request)
        except HitlError as exc:
            return _refusal(exc)

    @server.tool()
    async def ask_human(
        question: str, review_id: str, flow_definition: str | None = None, wait_seconds: int = DEFAULT_WAIT_SECONDS
    ) -> dict[str, Any]:
        """Ask a person a free-form question; the answer is the decision's "message" once decided."""
        hitl_request = {
            "action_requests": [{"name": "ask_human", "args": {"question": question}, "description": question}],
            "review_configs": [{"action_name": "ask_human", "allowed_decisions": ["respond"]}],
        }
        try:
            context = _context("StartHumanLoop")
            name = await in_thread(_start)(context, review_id, flow_definition, hitl_request)
            if name is None:
                raise InvalidInput("The flow's policy auto-approves ask_human: there is nobody to answer.")
            result = await _wait_then_result(context, name, wait_seconds, hitl_request)
        except HitlError as exc:
            return _refusal(exc)
        if result["status"] == "decided":
            result["answer"] = result["decision"]["decisions"][0].get("message")
        return result

    @server.tool()
    async def get_review(human_loop_name: str, wait_seconds: int = DEFAULT_WAIT_SECONDS) -> dict[str, Any]:
        """Read a review's status and, once decided, its decision; waits up to wait_seconds (max 25)."""
        try:
            context = _context("DescribeHumanLoop")
            return await _wait_then_result(context, human_loop_name, wait_seconds, None)
        except HitlError as exc:
            return _refusal(exc)

    return server
