"""LangChain: HumanInTheLoopMiddleware whose interrupt is answered by a hitl reviewer.

    agent = create_agent(model, tools, middleware=[
        HitlMiddleware(interrupt_on={"send_email": True}, reviews=reviews),
    ])

Everything LangChain's middleware does (which calls need review, descriptions,
applying approve/edit/reject/respond, the edit notice) is its own code: only the
`interrupt(hitl_request)` it raises in `after_model` is answered differently.

* `mode="wait"` (default): the HITLRequest becomes a human loop and the call
  waits for the reviewer's HITLResponse; no checkpointer is needed. If the process
  dies while waiting, running the node again finds the same loop (its name comes
  from the thread id and the tool-call ids) and so the same decision.
* `mode="interrupt"`: the loop is started, then the graph is paused with
  LangGraph's own interrupt (value: the HITLRequest plus "hitl_human_loop_name");
  the webhook or a waiter resumes it with `Command(resume=<HITLResponse>)`
  (hitl_agents.langgraph.resume_from_event).
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from typing import Any

from langchain.agents.middleware import human_in_the_loop as _hitl
from langchain.agents.middleware.human_in_the_loop import HumanInTheLoopMiddleware
from langchain_core.messages import AIMessage
from langgraph.config import get_config

from hitl_agents.client import HitlReviews, auto_approved

# The middleware module calls the `interrupt` it imported; it is replaced once by a forwarder that
# answers through the provider set for the current context (thread or task) and otherwise behaves
# exactly as LangGraph's interrupt.
_PROVIDER: contextvars.ContextVar[Callable[[Any], Any] | None] = contextvars.ContextVar("hitl_provider", default=None)
_langgraph_interrupt = _hitl.interrupt


def _forwarding_interrupt(value: Any, *args: Any, **kwargs: Any) -> Any:
    provider = _PROVIDER.get()
    if provider is None:
        return _langgraph_interrupt(value, *args, **kwargs)
    return provider(value)


if getattr(_hitl.interrupt, "__name__", "") != "_forwarding_interrupt":
    _hitl.interrupt = _forwarding_interrupt


def review_id_for(state: Any, thread_id: str | None = None) -> str:
    """The review id of the model turn in `state`: the thread and the ids of its tool calls."""
    messages = state["messages"] if isinstance(state, dict) else state.messages
    last = next((m for m in reversed(messages) if isinstance(m, AIMessage)), None)
    ids = ",".join(str(call.get("id")) for call in (last.tool_calls if last else []))
    return f"{thread_id or ''}:{ids}"


def current_thread_id() -> str | None:
    try:
        return (get_config().get("configurable") or {}).get("thread_id")
    except RuntimeError:
        return None


class HitlMiddleware(HumanInTheLoopMiddleware):
    """HumanInTheLoopMiddleware answered by hitl reviewers (see the module docstring)."""

    def __init__(
        self,
        interrupt_on: dict[str, Any],
        *,
        reviews: HitlReviews,
        mode: str = "wait",
        timeout: float | None = None,
        on_start: Callable[[str, str | None], None] | None = None,
        **kwargs: Any,
    ) -> None:
        if mode not in ("wait", "interrupt"):
            raise ValueError(f"mode must be 'wait' or 'interrupt', got {mode!r}")
        if kwargs.get("interrupt_mode", "batched") != "batched":
            raise ValueError("HitlMiddleware reviews a model turn's tool calls together: interrupt_mode='batched'.")
        super().__init__(interrupt_on, **kwargs)
        self.reviews = reviews
        self.mode = mode
        self.timeout = timeout
        self.on_start = on_start

    def after_model(self, state: Any, runtime: Any) -> dict[str, Any] | None:
        thread_id = current_thread_id()
        review_id = review_id_for(state, thread_id)

        def provide(hitl_request: Any) -> Any:
            hitl_request = self._with_args_schemas(hitl_request)
            name = self.reviews.start(review_id, hitl_request)
            if name is None:  # the flow's policy auto-approved every call
                return auto_approved(hitl_request)
            if self.on_start is not None:
                self.on_start(name, thread_id)
            if self.mode == "interrupt":
                return _langgraph_interrupt({**hitl_request, "hitl_human_loop_name": name})
            return self.reviews.wait(name, hitl_request, self.timeout)

        token = _PROVIDER.set(provide)
        try:
            return super().after_model(state, runtime)
        finally:
            _PROVIDER.reset(token)

    def _with_args_schemas(self, hitl_request: Any) -> dict[str, Any]:
        """Copy each tool's `args_schema` from `interrupt_on` into its ReviewConfig.

        LangChain's middleware leaves ReviewConfig.args_schema unset; hitl's review page
        builds its edit form from it (raw JSON editing otherwise).
        """
        configs = []
        for config in hitl_request.get("review_configs", []):
            schema = (self.interrupt_on.get(config.get("action_name")) or {}).get("args_schema")
            configs.append({**config, "args_schema": schema} if schema and "args_schema" not in config else config)
        return {**hitl_request, "review_configs": configs}
