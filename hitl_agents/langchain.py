"""LangChain: an agent middleware whose tool-call review is answered by a hitl reviewer.

    agent = create_agent(model, tools, middleware=[
        HitlMiddleware(interrupt_on={"send_email": True}, reviews=reviews),
    ])

It takes LangChain's `HumanInTheLoopMiddleware` configuration (`interrupt_on` with
`allowed_decisions`, `description`, `when`; `description_prefix`) and speaks its
types (HITLRequest in, HITLResponse out), but is built on LangChain's public
middleware API only: its own `after_model` hook builds the HITLRequest of the model
turn's gated calls, gets the HITLResponse from hitl, and returns the revised turn.

* `mode="wait"` (default): the HITLRequest becomes a human loop and the hook
  waits for the reviewer's HITLResponse; no checkpointer is needed. If the process
  dies while waiting, running the node again finds the same loop (its name comes
  from the thread id and the tool-call ids) and so the same decision.
* `mode="interrupt"`: the loop is started, then the graph is paused with LangGraph's
  public `interrupt` (value: the HITLRequest plus "hitl_human_loop_name"); the
  webhook or a waiter resumes it with `Command(resume=<HITLResponse>)`
  (hitl_agents.langgraph.resume_from_event). Needs a checkpointer, as any interrupt.

Decisions, as LangChain applies them: approve runs the call; edit runs the
reviewer's call instead (it replaces the call in the model's message, so the model
sees what ran); reject and respond run nothing and answer with a ToolMessage
(status "error" for a reject).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from langchain.agents.middleware import AgentMiddleware, ToolCallRequest
from langchain.agents.middleware.human_in_the_loop import ActionRequest, HITLRequest, ReviewConfig
from langchain.tools import ToolRuntime
from langchain_core.messages import AIMessage, ToolMessage
from langgraph.config import get_config
from langgraph.types import interrupt

from hitl_agents.client import HitlReviews, auto_approved

ALL_DECISIONS = ["approve", "edit", "reject", "respond"]


def review_id_for(state: Any, thread_id: str | None = None) -> str:
    """The review id of the model turn in `state`: the thread and the ids of its tool calls."""
    last = _last_ai_message(state)
    ids = ",".join(str(call.get("id")) for call in (last.tool_calls if last else []))
    return f"{thread_id or ''}:{ids}"


def current_thread_id() -> str | None:
    try:
        return (get_config().get("configurable") or {}).get("thread_id")
    except RuntimeError:
        return None


class HitlMiddleware(AgentMiddleware):
    """Tool-call review answered by hitl reviewers (see the module docstring)."""

    def __init__(
        self,
        interrupt_on: dict[str, Any],
        *,
        reviews: HitlReviews,
        mode: str = "wait",
        timeout: float | None = None,
        on_start: Callable[[str, str | None], None] | None = None,
        description_prefix: str = "Tool execution requires approval",
        interrupt_mode: str = "batched",
    ) -> None:
        super().__init__()
        if mode not in ("wait", "interrupt"):
            raise ValueError(f"mode must be 'wait' or 'interrupt', got {mode!r}")
        if interrupt_mode != "batched":
            raise ValueError("HitlMiddleware reviews a model turn's tool calls together: interrupt_mode='batched'.")
        self.interrupt_on = _resolve(interrupt_on)
        self.description_prefix = description_prefix
        self.reviews = reviews
        self.mode = mode
        self.timeout = timeout
        self.on_start = on_start

    def after_model(self, state: Any, runtime: Any) -> dict[str, Any] | None:
        last = _last_ai_message(state)
        if last is None or not last.tool_calls:
            return None
        gated = [
            index
            for index, call in enumerate(last.tool_calls)
            if (config := self.interrupt_on.get(call["name"])) is not None and self._should_review(call, config, state, runtime)
        ]  # fmt: skip
        if not gated:
            return None
        hitl_request = HITLRequest(
            action_requests=[self._action(last.tool_calls[i], state, runtime) for i in gated],
            review_configs=[self._review_config(last.tool_calls[i]) for i in gated],
        )
        decisions = self._decide(hitl_request, review_id_for(state, current_thread_id()))["decisions"]
        if len(decisions) != len(gated):
            raise ValueError(f"Number of human decisions ({len(decisions)}) does not match {len(gated)} tool calls.")
        revised, answers = [], []
        by_index = dict(zip(gated, decisions, strict=True))
        for index, call in enumerate(last.tool_calls):
            decision = by_index.get(index)
            if decision is None:
                revised.append(call)
                continue
            allowed = self.interrupt_on[call["name"]]["allowed_decisions"]
            if decision.get("type") not in allowed:
                raise ValueError(
                    f"Unexpected human decision: {decision}. Decision type {decision.get('type')!r} is not allowed "
                    f"for tool {call['name']!r}. Expected one of {allowed}."
                )
            if decision["type"] == "approve":
                revised.append(call)
            elif decision["type"] == "edit":
                edited = decision["edited_action"]
                revised.append({**call, "name": edited["name"], "args": edited["args"]})
            else:
                revised.append(call)
                answers.append(_answer_message(call, decision))
        return {"messages": [last.model_copy(update={"tool_calls": revised}), *answers]}

    async def aafter_model(self, state: Any, runtime: Any) -> dict[str, Any] | None:
        # The wait blocks; a worker thread (with this context: the graph's config) keeps the event loop free.
        return await asyncio.to_thread(self.after_model, state, runtime)

    def _decide(self, hitl_request: dict[str, Any], review_id: str) -> dict[str, Any]:
        """The HITLResponse: from hitl (waiting), or as the value a paused graph is resumed with."""
        thread_id = current_thread_id()
        hitl_request = self._with_args_schemas(hitl_request)
        name = self.reviews.start(review_id, hitl_request)
        if name is None:  # the flow's policy auto-approved every call
            return auto_approved(hitl_request)
        if self.on_start is not None:
            self.on_start(name, thread_id)
        if self.mode == "interrupt":
            return interrupt({**hitl_request, "hitl_human_loop_name": name})
        return self.reviews.wait(name, hitl_request, self.timeout)

    def _should_review(self, call: dict[str, Any], config: dict[str, Any], state: Any, runtime: Any) -> bool:
        """False when the tool's `when` predicate lets this call through (it gets a ToolCallRequest, as in LangChain)."""
        when = config.get("when")
        if when is None:
            return True
        try:
            runnable_config = get_config()
        except RuntimeError:
            runnable_config = {}
        tool_runtime = ToolRuntime(
            state=state,
            context=runtime.context,
            config=runnable_config,
            stream_writer=runtime.stream_writer,
            tool_call_id=call["id"],
            store=runtime.store,
        )
        return bool(when(ToolCallRequest(tool_call=call, tool=None, state=state, runtime=tool_runtime)))

    def _action(self, call: dict[str, Any], state: Any, runtime: Any) -> ActionRequest:
        description = self.interrupt_on[call["name"]].get("description")
        if callable(description):
            description = description(call, state, runtime)
        elif description is None:
            description = f"{self.description_prefix}\n\nTool: {call['name']}\nArgs: {call['args']}"
        return ActionRequest(name=call["name"], args=call["args"], description=description)

    def _review_config(self, call: dict[str, Any]) -> ReviewConfig:
        return ReviewConfig(
            action_name=call["name"], allowed_decisions=self.interrupt_on[call["name"]]["allowed_decisions"]
        )

    def _with_args_schemas(self, hitl_request: Any) -> dict[str, Any]:
        """Copy each tool's `args_schema` from `interrupt_on` into its ReviewConfig.

        hitl's review page builds its edit form from it (raw JSON editing otherwise).
        """
        configs = []
        for config in hitl_request.get("review_configs", []):
            schema = (self.interrupt_on.get(config.get("action_name")) or {}).get("args_schema")
            configs.append({**config, "args_schema": schema} if schema and "args_schema" not in config else config)
        return {**hitl_request, "review_configs": configs}


def _resolve(interrupt_on: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """`interrupt_on` as HumanInTheLoopMiddleware reads it: True = every decision, False = no review."""
    resolved = {}
    for tool_name, config in interrupt_on.items():
        if config is True:
            resolved[tool_name] = {"allowed_decisions": list(ALL_DECISIONS)}
        elif isinstance(config, dict):
            if not config.get("allowed_decisions"):
                raise ValueError(f"interrupt_on[{tool_name!r}] needs a non-empty 'allowed_decisions' list.")
            resolved[tool_name] = config
        elif config is not False:
            raise ValueError(f"interrupt_on[{tool_name!r}] must be True, False or a config with allowed_decisions.")
    return resolved


def _last_ai_message(state: Any) -> AIMessage | None:
    messages = state["messages"] if isinstance(state, dict) else state.messages
    return next((m for m in reversed(messages) if isinstance(m, AIMessage)), None)


def _answer_message(call: dict[str, Any], decision: dict[str, Any]) -> ToolMessage:
    """The ToolMessage the model gets in place of the tool's result (LangChain's wording)."""
    if decision["type"] == "respond":
        content = decision["message"]
    elif reason := decision.get("message"):
        content = f"User rejected the tool call for `{call['name']}` with reason: {reason}"
    else:
        content = (
            f"User rejected the tool call for `{call['name']}` with id {call['id']}. The tool was not executed. "
            "Do not retry this tool call unless the user explicitly requests it."
        )
    status = "success" if decision["type"] == "respond" else "error"
    return ToolMessage(content=content, name=call["name"], tool_call_id=call["id"], status=status)
