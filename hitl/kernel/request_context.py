"""The current request's id, readable anywhere in the same thread or task (logs, audit records)."""

from __future__ import annotations

import contextvars

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("hitl_request_id", default="")


def get_request_id() -> str:
    """Return the id of the request being served, or "" outside a request."""
    return _request_id.get()


def set_request_id(value: str) -> contextvars.Token:
    """Make `value` the current request id; pass the token to `reset_request_id` afterwards."""
    return _request_id.set(value)


def reset_request_id(token: contextvars.Token) -> None:
    _request_id.reset(token)
