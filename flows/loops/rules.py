"""The loop's rulebook: whether a start, claim, submit, release, stop, expiry or finish may happen.

Plain functions over the rows' state, written once. Each `*_refusal`
returns None when the operation may happen, or the error that names why not;
nothing here reads or writes the database (deadline_step_due
builds a filter for the caller's query). The writers (flows.loops.lifecycle's ORM
code on every database, flows.loops.hot_sql's statements on PostgreSQL, flows.loops.bulk)
write only the happy path with a conditional write; when that write changes
no row, they load the rows and ask the same function why (zulip's check_* /
do_* split; healthchecks' "did one row change").

The row builders (`new_loop_row`, `new_task_row`) are the one definition of
what a started loop and its tasks hold: the ORM, the PostgreSQL statement and
the bulk COPY all insert these values.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Exists, OuterRef, Q

from flows.models import FlowDefinition, HumanLoop, OutputOutbox, ReviewTask
from hitl.kernel.errors import Conflict, HitlError, InvalidInput, QuotaExceeded

Status = HumanLoop.Status
TaskState = ReviewTask.State


class LoopAlreadyFinished(InvalidInput):
    """StopHumanLoop on a loop that ended (or has all its answers and is completing)."""


# --- Start ----------------------------------------------------------------------


def new_loop_row(
    *,
    flow: FlowDefinition,
    name: str,
    input_content: str,
    input_json: Any,
    data_attributes: dict[str, Any] | None,
    activation_output: dict[str, Any] | None,
    now: dt.datetime,
) -> dict[str, Any]:
    """Return every column (by attname, id aside) of a newly started loop.

    The account is the flow's: a copy, like the template and the version, which the flow's own
    foreign keys hold (so HumanLoop.account has no database constraint, flows/migrations/0016).
    """
    return {
        "account_id": flow.account_id,
        "flow_definition_id": flow.id,
        "template_id": flow.template_id,
        # The pin (flows.definitions.versions): read from the cached flow row, written by this same INSERT.
        "flow_version_id": flow.current_version_id,
        "name": name,
        "input_content": input_content,
        "input_json": input_json,
        "data_attributes": data_attributes,
        "activation_output": activation_output,
        "status": Status.IN_PROGRESS.value,
        "failure_reason": "",
        "failure_code": "",
        "created_at": now,
        "expires_at": now + dt.timedelta(seconds=flow.task_availability_lifetime_seconds),
        "finished_at": None,
        "output_s3_uri": "",
        "deleted_at": None,
        "is_gold": False,  # gold items are added by flows.quality.gold, never started
    }


def new_task_row(*, flow: FlowDefinition, loop_id: int | None, expires_at: dt.datetime, now: dt.datetime) -> dict:
    """Return every column (by attname, id aside) of one of a new loop's TaskCount open tasks."""
    return {
        "human_loop_id": loop_id,
        "flow_definition_id": flow.id,
        "workteam_id": flow.workteam_id,
        "state": TaskState.OPEN.value,
        "available_until": expires_at,
        "created_at": now,
        "worker_id": None,
        "lease_expires_at": None,
        "accepted_at": None,
        "claimed_ahead": False,
        "submitted_at": None,
        "time_spent_seconds": None,
        "answer": None,
    }


def start_conflict(
    name: str,
    existing: Mapping[str, Any],
    *,
    flow_id: int,
    input_content: str,
    data_attributes: dict[str, Any] | None,
) -> Conflict | None:
    """Return None if a start repeats the live loop `existing` (an idempotent retry), else the Conflict.

    `existing` holds the taken name's loop columns flow_definition_id, input_content,
    data_attributes and status. A retry is the same flow, byte-identical input and
    the same data attributes (absent and empty are the same); the Conflict names
    which of the three differ.
    """
    differs = []
    if existing["flow_definition_id"] != flow_id:
        differs.append("flow definition")
    if existing["input_content"] != input_content:
        differs.append("input")
    if (existing["data_attributes"] or None) != (data_attributes or None):
        differs.append("data attributes")
    if not differs:
        return None
    what = differs[0] if len(differs) == 1 else ", ".join(differs[:-1]) + " and " + differs[-1]
    what = "different data attributes" if what == "data attributes" else f"a different {what}"
    return Conflict(
        f"A human loop named {name} already exists ({existing['status']}) with {what}. "
        "Names are unique per account until the loop is deleted; use another name, or repeat the "
        "original request to get the existing loop."
    )


def quota_refusal(active: int, quota: int) -> QuotaExceeded | None:
    """Return the refusal of one more loop when `active` open loops meet the quota (0: no quota)."""
    if not quota or active < quota:
        return None
    return QuotaExceeded(
        f"The account already has {active} active human loops, the quota is {quota}. "
        "Wait for loops to finish or stop some, or raise HITL_ACTIVE_LOOP_QUOTA."
    )


# --- Claim ---------------------------------------------------------------------

# A task may be claimed while open and within its loop's lifetime (even if the expiry sweep is late),
# by a reviewer of its work team who holds no exclusion for its loop; the oldest first.
CLAIMABLE_STATE = TaskState.OPEN.value


def lease_expires_at(now: dt.datetime, time_limit_seconds: int) -> dt.datetime:
    """Return when a lease taken `now` on a flow with this TaskTimeLimitInSeconds runs out."""
    return now + dt.timedelta(seconds=time_limit_seconds)


# --- Submit and release ----------------------------------------------------------


def submit_refusal(task: ReviewTask, loop: HumanLoop, user_id: int, now: dt.datetime) -> HitlError | None:
    """Return why `user_id` may not answer `task` of `loop` now, or None if they may."""
    if task.state != TaskState.LEASED or task.worker_id != user_id:
        if task.state == TaskState.SUBMITTED and task.worker_id == user_id:
            return Conflict("You already submitted this task.")
        if loop.status not in HumanLoop.OPEN or task.state == TaskState.CANCELLED:
            return Conflict(f"Human loop {loop.name} is {loop.status}; this task was cancelled.")
        return Conflict("This task is no longer assigned to you (it was released or its time ran out).")
    if task.lease_expires_at <= now:
        return Conflict("Your time for this task ran out and it went back to the queue; take the next task.")
    if loop.status not in HumanLoop.OPEN:
        return Conflict(f"Human loop {loop.name} is {loop.status}; it no longer accepts answers.")
    if loop_past_lifetime(loop, now):
        return Conflict(f"Human loop {loop.name} passed its availability lifetime; it no longer accepts answers.")
    return None


def loop_past_lifetime(loop: HumanLoop, now: dt.datetime) -> bool:
    """Return True if an InProgress loop's availability lifetime has run out (a Stopping loop has none left)."""
    return loop.status == Status.IN_PROGRESS and loop.expires_at <= now


def time_spent_seconds(accepted_at: dt.datetime, submitted_at: dt.datetime) -> float:
    """Return the seconds between lease and answer to the millisecond, halves rounded away from zero.

    The same as PostgreSQL's round(numeric, 3), so both writers store the same value;
    Python's round() on a float would round 1.0005 down (it is 1.000499... in binary).
    """
    micros = Decimal((submitted_at - accepted_at) // dt.timedelta(microseconds=1))
    return float((micros / 1_000_000).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP))


def release_refusal(task: ReviewTask, user_id: int) -> Conflict | None:
    """Return why `user_id` may not hand `task` back, or None if they hold its lease."""
    if task.state != TaskState.LEASED or task.worker_id != user_id:
        return Conflict("This task is not assigned to you; there is nothing to release.")
    return None


def show_refusal(task: ReviewTask, user_id: int, now: dt.datetime) -> Conflict | None:
    """Return why a task claimed ahead cannot be shown to `user_id` now, or None if they still hold it."""
    if task.state != TaskState.LEASED or task.worker_id != user_id or task.lease_expires_at <= now:
        return Conflict("This task is no longer assigned to you (it was released or its time ran out).")
    return None


def reopened_state(loop: HumanLoop) -> str:
    """Return the state a leased task of `loop` goes to when its lease ends without an answer.

    A gold item's task (flows.quality.gold) is cancelled: gold tasks are made per claim, never queued.
    """
    if loop.status == Status.IN_PROGRESS and not loop.is_gold:
        return TaskState.OPEN.value
    return TaskState.CANCELLED.value


# --- Finish, stop, expire, delete ----------------------------------------------------


def final_status(
    loop: HumanLoop,
    *,
    submitted: int,
    leased: int,
    has_outbox: bool,
    task_count: int,
    enough_answers: bool | None = None,
) -> str | None:
    """Return the status `loop` is to finish with, given its task counts, or None if it is not done.

    An InProgress loop is done at TaskCount answers (A2I's rule), or for a flow with adaptive overlap
    when `enough_answers` (flows.quality.overlap_rules, which reads the answers) says so. A gold item never is.
    `task_count` is the TaskCount of the flow version the loop was started with (flows.definitions.versions).
    """
    if has_outbox or loop.is_gold:
        return None  # already finishing, or a gold item (flows.quality.gold)
    if loop.status == Status.IN_PROGRESS:
        done = enough_answers if enough_answers is not None else submitted >= task_count
        return Status.COMPLETED.value if done else None
    if loop.status == Status.STOPPING and leased == 0:
        return Status.STOPPED.value
    return None


def stop_refusal(loop: HumanLoop, *, has_outbox: bool) -> LoopAlreadyFinished | None:
    """Return why `loop` may not be stopped, or None. A Stopping or Stopped loop is a no-op, not a refusal."""
    if loop.status in (Status.STOPPING, Status.STOPPED):
        return None
    if loop.status != Status.IN_PROGRESS:
        return LoopAlreadyFinished(f"Human loop {loop.name} is {loop.status}; only an InProgress loop can be stopped.")
    if has_outbox:
        return LoopAlreadyFinished(
            f"Human loop {loop.name} already has all its answers and is completing; it cannot be stopped."
        )
    return None


def send_back_refusal(loop: HumanLoop, *, submitted: int, has_pending_output: bool) -> InvalidInput | None:
    """Return why `loop` may not be sent back for one more answer, or None.

    Only a Completed loop with its output written and at least one answer goes back: it returns to
    InProgress with one new open task, and completes again when that is answered.
    """
    if loop.status != Status.COMPLETED or has_pending_output:
        return InvalidInput(f"Human loop {loop.name} is {loop.status}; only a Completed loop can be sent back.")
    if submitted == 0:
        return InvalidInput(f"Human loop {loop.name} has no answers to add to.")
    return None


def expiry_due(loop: HumanLoop, *, has_outbox: bool, now: dt.datetime) -> bool:
    """Return True if `loop` is to fail now: InProgress past its lifetime without all its answers."""
    return loop_past_lifetime(loop, now) and not has_outbox


def delete_refusal(loop: HumanLoop) -> InvalidInput | None:
    """Return why `loop` may not be deleted, or None once it is finished."""
    if loop.status in HumanLoop.TERMINAL:
        return None
    return InvalidInput(
        f"Human loop {loop.name} is {loop.status}; stop it and wait until it is Stopped before deleting it."
    )


# --- Deadlines (flows.definitions.deadlines) ---------------------------------------------------------


def deadline_step_due(*, at_seconds: int, now: dt.datetime) -> Q:
    """The loops for which a step `at_seconds` after the start (reminder, escalation, timeout) is due, as a filter.

    Only a customer loop still waiting for answers has steps: InProgress, its answers not all in (no
    outbox row). A filter, not a test of one row: the deadline sweep takes steps over whole sets of loops.
    """
    return Q(
        ~Exists(OutputOutbox.objects.filter(human_loop_id=OuterRef("id"))),
        status=Status.IN_PROGRESS,
        is_gold=False,
        created_at__lte=now - dt.timedelta(seconds=at_seconds),
    )


def timeout_outcome(action: str, deadline_seconds: int) -> tuple[str, str, str]:
    """Return (final status, failure code, reason) of a loop reaching its deadline with on-timeout `action`.

    fail: A2I's expiry (Failed, FailureCode Expired); approve (opt-in): Completed, the output saying so.
    """
    if action == "approve":
        reason = f"The deadline of {deadline_seconds} s passed without enough answers; approved on timeout."
        return Status.COMPLETED.value, "", reason
    reason = f"The deadline of {deadline_seconds} s passed before the required number of workers completed it."
    return Status.FAILED.value, HumanLoop.FailureCode.EXPIRED.value, reason
