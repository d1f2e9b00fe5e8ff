"""Long-poll DescribeHumanLoop and the status-event stream: hitl extensions of the runtime API.

Protocol: rest-json errors as the runtime API sends them (hitl.aws.errors), SigV4
signed for service `sagemaker` like every other call, served by the ASGI app in
agents/asgi.py (never by a sync worker: a waiter holds only a future, see
agents/waiting.py).

    GET {prefix}/hitl/v1/human-loops/{name}/wait?WaitSeconds=N
        DescribeHumanLoop's output plus "HitlDecided", and once decided "HumanAnswers"
        and (tool-call reviews) "HitlDecision"; answered as soon as the loop is decided
        (its last answer committed, or it stopped or failed), or after N seconds
        (0..HITL_WAIT_MAX_SECONDS, default 20) as it is. A decided loop may still be
        InProgress for the moment output.json is being written.
    GET {prefix}/hitl/v1/status-events[?after=ID]   (or the Last-Event-ID header)
        text/event-stream of the caller's account's status events, oldest first:
        "id: <n>", "event: status-change", "data: <the webhook body>"; a comment
        line every 15 s; closed after HITL_EVENT_STREAM_SECONDS (reconnect with
        Last-Event-ID to resume without a gap).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings

import flows.api.runtime  # noqa: F401  (registers DescribeHumanLoop)
from flows.definitions import agent_policy
from flows.delivery import events
from flows.models import HumanLoop, OutputOutbox, ReviewTask, StatusEvent
from hitl.aws import registry, sigv4
from hitl.aws.validation import Validator
from hitl.kernel import clock, throttling

WAIT_PATH = re.compile(r"^/hitl/v1/human-loops/(?P<name>[^/]+)/wait$")
EVENTS_PATH = "/hitl/v1/status-events"
DEFAULT_WAIT_SECONDS = 20
EVENT_BATCH = 100
HEARTBEAT_SECONDS = 15.0


@dataclass(frozen=True)
class LoopState:
    loop_id: int
    finished: bool  # Completed, Stopped or Failed
    decided: bool  # finished, or every answer is in (the decision is final; output.json may still be written)
    output: dict[str, Any]


def authorize(request: Any, request_id: str, operation: str) -> registry.RequestContext:
    """Verify the SigV4 signature and the key's rate; return the caller's context (raises AwsError)."""
    key = sigv4.authenticate(request)
    throttling.check_rate(key.access_key_id)
    return registry.RequestContext(account=key.account, access_key=key, request_id=request_id, operation=operation)


def wait_seconds(query: dict[str, str]) -> int:
    """Return the validated WaitSeconds of the query (ValidationException outside 0..the cap)."""
    v = Validator(query)
    raw = v.string("WaitSeconds")
    v.done()
    if raw is None:
        return min(DEFAULT_WAIT_SECONDS, settings.HITL_WAIT_MAX_SECONDS)
    cap = settings.HITL_WAIT_MAX_SECONDS
    if not raw.isdigit() or int(raw) > cap:
        v.fail("WaitSeconds", raw, f"Member must be an integer from 0 to {cap} (HITL_WAIT_MAX_SECONDS)")
        v.done()
    return int(raw)


def describe(context: registry.RequestContext, name: str) -> LoopState:
    """DescribeHumanLoop through its own handler (same checks, same shape), plus the outcome once finished.

    A decided loop adds "HumanAnswers" (as in the status event) and, for a tool-call
    review, "HitlDecision": the HITLResponse to act on, with the flow's agent policy
    applied (a stale approval void, the on-timeout decision for a loop without answer).
    """
    output = registry.RUNTIME["DescribeHumanLoop"](context, {"HumanLoopName": name})
    loop = (
        HumanLoop.objects.select_related("flow_definition")
        .only("id", "status", "input_json", "flow_definition__tags")
        .get(account=context.account, name=name, deleted_at__isnull=True)
    )
    finished = output["HumanLoopStatus"] not in HumanLoop.OPEN
    completing = (
        not finished
        and OutputOutbox.objects.filter(human_loop_id=loop.id, final_status=HumanLoop.Status.COMPLETED).exists()
    )
    decided = finished or completing
    output["HitlDecided"] = decided
    if decided:
        answers = events.human_answers(loop.id)
        output["HumanAnswers"] = answers
        first_submitted = (
            ReviewTask.objects.filter(human_loop_id=loop.id, state=ReviewTask.State.SUBMITTED)
            .order_by("submitted_at", "id")
            .values_list("submitted_at", flat=True)
            .first()
        )
        decision = agent_policy.effective_decision(
            agent_policy.parse(loop.flow_definition.tags),
            status=HumanLoop.Status.COMPLETED if completing else output["HumanLoopStatus"],
            input_json=loop.input_json,
            answers=answers,
            submitted_at=first_submitted,
            now=clock.now(),
        )
        if decision is not None:
            output["HitlDecision"] = decision
    return LoopState(loop_id=loop.id, finished=finished, decided=decided, output=output)


def last_event_id(request: Any, query: dict[str, str]) -> int:
    """Where a stream resumes: Last-Event-ID (a reconnect) wins over ?after=; default: only new events."""
    raw = request.headers.get("Last-Event-ID") or query.get("after")
    if raw is None:
        return newest_event_id()
    if not raw.isdigit():
        v = Validator({"after": raw})
        v.fail("after", raw, "Member must be a status event id (a non-negative integer)")
        v.done()
    return int(raw)


def newest_event_id() -> int:
    return StatusEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def events_after(context: registry.RequestContext, after: int) -> list[tuple[int, dict[str, Any]]]:
    """Return up to EVENT_BATCH of the account's status events newer than `after`, oldest first."""
    rows = (
        StatusEvent.objects.filter(human_loop__account_id=context.account.id, id__gt=after)
        .order_by("id")
        .values_list("id", "body")[:EVENT_BATCH]
    )
    return list(rows)


def sse_message(event_id: int, body: dict[str, Any]) -> bytes:
    """One server-sent event; the data is the same JSON a webhook receives."""
    return f"id: {event_id}\nevent: status-change\ndata: {json.dumps(body, sort_keys=True)}\n\n".encode()
