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
        InProgress for the moment output.json is being written. An undecided answer
        carries "HitlWaitToken": sent back as &WaitToken=, the next wait skips the
        describe before it waits (WAIT_TOKEN_SECONDS).
    GET {prefix}/hitl/v1/status-events[?after=ID]   (or the Last-Event-ID header)
        text/event-stream of the caller's account's status events, oldest first:
        "id: <n>", "event: status-change", "data: <the webhook body>"; a comment
        line every 15 s; closed after HITL_EVENT_STREAM_SECONDS (reconnect with
        Last-Event-ID to resume without a gap).
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.db.models import Exists, OuterRef

import flows.api.runtime  # noqa: F401  (registers DescribeHumanLoop)
from flows.definitions import agent_policy
from flows.delivery import events
from flows.models import HumanLoop, OutputOutbox, ReviewTask, StatusEvent
from hitl.aws import registry, sigv4
from hitl.aws.validation import Validator
from hitl.kernel import clock, throttling
from hitl.kernel.errors import NotFound

WAIT_PATH = re.compile(r"^/hitl/v1/human-loops/(?P<name>[^/]+)/wait$")
EVENTS_PATH = "/hitl/v1/status-events"
DEFAULT_WAIT_SECONDS = 20
EVENT_BATCH = 100
HEARTBEAT_SECONDS = 15.0
WAIT_TOKEN_SALT = "hitl.agents.wait-token"
# How long a wait token stands in for the checks of a first wait (the key's allowed flows are read then).
WAIT_TOKEN_SECONDS = 300


@dataclass(frozen=True)
class LoopState:
    loop_id: int
    finished: bool  # Completed, Stopped or Failed
    decided: bool  # finished, or every answer is in (the decision is final; output.json may still be written)
    output: dict[str, Any]


def authorize(request: Any, request_id: str, operation: str, *, cached_only: bool = False) -> registry.RequestContext:
    """Verify the SigV4 signature and the key's rate; return the caller's context (raises AwsError).

    `cached_only`: with no database or Redis call, for the event loop itself;
    sigv4.NeedsDatabase when that cannot be done (key not cached, its use due to be
    noted, or calls rate limited): authorize in a worker thread then.
    """
    if cached_only and throttling.enabled():
        raise sigv4.NeedsDatabase("rate limited")
    key = sigv4.authenticate(request, cached_only=cached_only)
    throttling.check_rate(key.rate_limit_id)
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


def hold_seconds(wait: int) -> float:
    """How long to hold a wait of `wait` seconds without a decision: a random time from wait/2 to wait.

    Waiters that arrived together (a thousand agents started at once, or reconnecting
    after a restart) would otherwise all time out and come back in the same instant; a
    decided loop whose waiter is in that crowd waits its turn. Spread, their re-polls
    arrive a few at a time. Short waits (under 2 s) are held as asked.
    """
    return float(wait) if wait < 2 else random.uniform(wait / 2, wait)  # noqa: S311 (not a secret)


def arrival_timing(arrived: float, admitted: float) -> str:
    """Server-Timing of every wait: when its request reached the events process (`hitl-arrived`, epoch
    seconds, for a client on the same clock to tell its own delay from the server's) and how long it
    took from there to be held or answered (`hitl-admit`: signature, token or reads)."""
    return f'hitl-arrived;desc="{arrived:.6f}", hitl-admit;dur={max(admitted - arrived, 0) * 1000:.2f}'


def server_timing(wake: Any, answered_at: float) -> str:
    """The Server-Timing header of a woken wait: stored -> noticed by the watcher -> answered (ms).

    `hitl-notice` is from the decision's row (outbox row or status event) being written to
    the watcher's tick that read it (absent when a read by id found it); `hitl-answer` from
    that tick to the answer being ready to send.
    """
    parts = []
    if wake.stored_at is not None:
        parts.append(f"hitl-notice;dur={max(wake.noticed_at - wake.stored_at, 0) * 1000:.1f}")
    parts.append(f"hitl-answer;dur={max(answered_at - wake.noticed_at, 0) * 1000:.1f}")
    return ", ".join(parts)


def wait_head(context: registry.RequestContext, name: str) -> LoopState:
    """What a waiter needs before it waits, in two light reads: DescribeHumanLoop's output and "decided".

    DescribeHumanLoop runs through its own handler (the same tenant, allowed-flow and
    expiry checks, the same shape); "HitlDecided" is true once the loop finished or
    its last answer committed (the output outbox row of a Completed loop exists).
    """
    output = registry.RUNTIME["DescribeHumanLoop"](context, {"HumanLoopName": name})
    completed_outbox = OutputOutbox.objects.filter(human_loop=OuterRef("pk"), final_status=HumanLoop.Status.COMPLETED)
    row = (
        HumanLoop.objects.filter(account=context.account, name=name, deleted_at__isnull=True)
        .annotate(completing=Exists(completed_outbox))
        .values_list("id", "completing")
        .first()
    )
    if row is None:  # deleted between the two reads
        raise NotFound(f"Human loop {name} does not exist.")
    finished = output["HumanLoopStatus"] not in HumanLoop.OPEN
    output["HitlDecided"] = decided = finished or row[1]
    return LoopState(loop_id=row[0], finished=finished, decided=decided, output=output)


def issue_wait_token(context: registry.RequestContext, state: LoopState) -> str:
    """A signed note of an undecided loop's state for the caller's next wait (HitlWaitToken).

    It names the signing key and carries the loop id and its DescribeHumanLoop output,
    so a wait that sends it back needs no database read before it waits (its
    signature is still checked): a thousand agents re-polling at once cost a
    thousand HMACs, not a thousand describes.
    """
    output = {k: v for k, v in state.output.items() if k != "HitlWaitToken"}
    payload = {"k": context.access_key.access_key_id, "l": state.loop_id, "o": output}
    return signing.dumps(payload, salt=WAIT_TOKEN_SALT, compress=True)


def state_from_wait_token(context: registry.RequestContext, name: str, token: str) -> LoopState:
    """The state a wait token recorded; ValidationException if it is forged, stale or someone else's."""
    try:
        payload = signing.loads(token, salt=WAIT_TOKEN_SALT, max_age=WAIT_TOKEN_SECONDS)
    except signing.SignatureExpired:
        payload = None
        problem = f"Member has expired (a wait token lasts {WAIT_TOKEN_SECONDS} s); wait without it for a new one"
    except signing.BadSignature:
        payload = None
        problem = "Member must be the HitlWaitToken of an earlier wait, unchanged"
    else:
        problem = "Member must be a wait token of this loop issued to this access key"
        if payload.get("k") == context.access_key.access_key_id and payload.get("o", {}).get("HumanLoopName") == name:
            return LoopState(loop_id=payload["l"], finished=False, decided=False, output=payload["o"])
    v = Validator({"WaitToken": token})
    v.fail("WaitToken", token, problem)
    v.done()
    raise AssertionError("unreachable")


def describe(context: registry.RequestContext, name: str) -> LoopState:
    """DescribeHumanLoop through its own handler (same checks, same shape), plus the outcome once decided."""
    return with_outcome(wait_head(context, name))


def describe_woken(context: registry.RequestContext, name: str, loop_id: int) -> LoopState:
    """describe() for a waiter the watcher woke: the loop is decided (or finished), so "decided" is not read.

    The watcher wakes a loop only for a Completed loop's outbox row, a status event
    (terminal) or a read by id of the same two facts (agents.waiting.Watcher.tick).
    """
    output = registry.RUNTIME["DescribeHumanLoop"](context, {"HumanLoopName": name})
    output["HitlDecided"] = True
    finished = output["HumanLoopStatus"] not in HumanLoop.OPEN
    return with_outcome(LoopState(loop_id=loop_id, finished=finished, decided=True, output=output))


def with_outcome(state: LoopState) -> LoopState:
    """Add the outcome to a decided loop's output (an undecided one is returned as it is).

    "HumanAnswers" (as in the status event) and, for a tool-call review, "HitlDecision":
    the HITLResponse to act on, with the flow's agent policy applied (a stale approval
    void, the on-timeout decision for a loop without answer).
    """
    if not state.decided:
        return state
    output = dict(state.output)
    loop = (
        HumanLoop.objects.select_related("flow_definition")
        .only("input_json", "flow_definition__tags")
        .get(id=state.loop_id)
    )
    answers = events.human_answers(state.loop_id)
    output["HumanAnswers"] = answers
    first_submitted = (
        ReviewTask.objects.filter(human_loop_id=state.loop_id, state=ReviewTask.State.SUBMITTED)
        .order_by("submitted_at", "id")
        .values_list("submitted_at", flat=True)
        .first()
    )
    decision = agent_policy.effective_decision(
        agent_policy.parse(loop.flow_definition.tags),
        status=output["HumanLoopStatus"] if state.finished else HumanLoop.Status.COMPLETED,
        input_json=loop.input_json,
        answers=answers,
        submitted_at=first_submitted,
        now=clock.now(),
    )
    if decision is not None:
        output["HitlDecision"] = decision
    return LoopState(loop_id=state.loop_id, finished=state.finished, decided=True, output=output)


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
