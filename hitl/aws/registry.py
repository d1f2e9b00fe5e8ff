"""Operation registry shared by both AWS protocols.

Protocol: none by itself. The JSON 1.1 dispatcher (X-Amz-Target) and the
rest-json router look handlers up here; operation modules register with
the decorators. Handlers receive a RequestContext and the parsed input
(a dict of PascalCase members) and return the output dict (PascalCase).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hitl.aws.credentials import Credential


@dataclass
class RequestContext:
    """Who is calling: the authenticated access key and its account."""

    account: Any  # the key's account (a workforce.models.Account)
    access_key: Credential | None  # None for an adapter call made by a signed-in staff user
    request_id: str
    operation: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


Handler = Callable[[RequestContext, dict[str, Any]], dict[str, Any]]

CONTROL_PLANE: dict[str, Handler] = {}
RUNTIME: dict[str, Handler] = {}
STS: dict[str, Handler] = {}


def control_plane_operation(name: str) -> Callable[[Handler], Handler]:
    """Register a `sagemaker` (JSON 1.1) operation, e.g. "CreateFlowDefinition"."""

    def register(handler: Handler) -> Handler:
        CONTROL_PLANE[name] = handler
        return handler

    return register


def runtime_operation(name: str) -> Callable[[Handler], Handler]:
    """Register a `sagemaker-a2i-runtime` (rest-json) operation, e.g. "StartHumanLoop"."""

    def register(handler: Handler) -> Handler:
        RUNTIME[name] = handler
        return handler

    return register


def sts_operation(name: str) -> Callable[[Handler], Handler]:
    """Register an STS (query protocol) action, e.g. "GetSessionToken"."""

    def register(handler: Handler) -> Handler:
        STS[name] = handler
        return handler

    return register


@dataclass(frozen=True)
class AdapterOperation:
    """An operation of an inference adapter, served at POST /adapters/<path> (JSON in, JSON out).

    Authenticated by SigV4 like the A2I APIs, or by the session of a staff user who
    administers the account that `account_id_of(params)` names (12 digits, or None).
    """

    name: str
    handler: Handler
    account_id_of: Callable[[dict[str, Any]], str | None]


ADAPTERS: dict[str, AdapterOperation] = {}


def adapter_operation(
    path: str, name: str, *, account_id_of: Callable[[dict[str, Any]], str | None]
) -> Callable[[Handler], Handler]:
    """Register an adapter operation at POST /adapters/`path`, e.g. ("textract/analyze-document", "AnalyzeDocument")."""

    def register(handler: Handler) -> Handler:
        ADAPTERS[path] = AdapterOperation(name=name, handler=handler, account_id_of=account_id_of)
        return handler

    return register
