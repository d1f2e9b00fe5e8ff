"""The human-loop lifecycle: the only writer of HumanLoop.status and ReviewTask.state.

    start ──► InProgress ──(TaskCount answers, output written)──► Completed
                 │  └──(availability lifetime elapsed)──────────► Failed
                 └──stop──► Stopping ──(no lease left, output written)──► Stopped

Used alike by the AWS API, the reviewer portal, the admin and the Celery
sweeps. Every change runs in a transaction (hitl.kernel.transactions.write_transaction,
which also carries an API call's audit record) that locks the loop row first
(then its tasks), so concurrent submits, stops and sweeps serialize per loop;
status changes are conditional updates, so a stale caller changes nothing.
Loop rows are locked FOR NO KEY UPDATE: a claim inserting a TaskExclusion
(whose foreign key takes FOR KEY SHARE on the loop) while holding a task lock
must not wait on a loop lock, or claim and stop/expire could deadlock.

The fan-out is synchronous by design: StartHumanLoop creates the loop's
TaskCount ReviewTask rows in its own transaction, and those rows *are* the
work team's queue (reviewers pull the oldest open row). A started loop can
therefore never lose its tasks to a Redis restart or a lost message. Celery
carries everything asynchronous: output writes (`finalize_loop`), webhook
deliveries and the beat sweeps (lease expiry, loop expiry, outbox redelivery).

Finishing a loop is two-phase: the deciding transaction records an
OutputOutbox row; `finalize_loop` (a Celery task) writes output.json and only
then moves the loop to its final status.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError
from django.db.models import Exists, F, JSONField, OuterRef, QuerySet, Subquery, Value

from flows import jobs
from flows.definitions import activation, versions
from flows.delivery import events, outbox, outputs
from flows.loops import escalation, hot_sql, lookups, rules, start_input
from flows.models import FlowDefinition, HumanLoop, OutputOutbox, ReviewTask, TaskExclusion
from flows.quality import gold, overlap_rules, quality_config
from hitl.kernel import arns, clock, metrics
from hitl.kernel.errors import Conflict, InvalidInput, NotFound
from hitl.kernel.transactions import enqueue_on_commit, write_transaction
from workforce.audit import trail as audit
from workforce.models import Account

EXPIRED_REASON = "The task expired before the required number of workers completed it."
Status = HumanLoop.Status
TaskState = ReviewTask.State
LoopAlreadyFinished = rules.LoopAlreadyFinished  # what stop_human_loop raises for a finished loop


@dataclass(frozen=True)
class StartResult:
    # None when a built-in flow's activation conditions decided no review is needed.
    loop: HumanLoop | None
    created: bool


# --- Start --------------------------------------------------------------------


def start_human_loop(
    *,
    account: Account,
    name: str,
    flow_definition_arn: str,
    input_content: str,
    data_attributes: dict[str, Any] | None = None,
    activation_output: dict[str, Any] | None = None,
    input_json: Any = None,
) -> StartResult:
    """Create a loop in InProgress with its TaskCount review tasks.

    Idempotent: repeating a name with the same flow, byte-identical input and
    the same data attributes returns the existing loop (created=False), which
    protects SDK retries. A different request for a taken name raises Conflict.
    `input_json` may be passed when the caller already checked the request with
    flows.loops.start_input (and so parsed `input_content`).
    """
    if input_json is None:  # a caller that did not check the request (adapters, the demo): the same rules
        input_json = start_input.check_start_input(name, input_content, data_attributes).input_json
    flow = _active_flow(account, flow_definition_arn)
    admission = activation.admit(flow, input_json)  # activation conditions or agent policy
    if not admission.start:
        return StartResult(loop=None, created=False)
    input_json = admission.input_json
    activation_output = admission.activation_output or activation_output
    row = rules.new_loop_row(
        flow=flow,
        name=name,
        input_content=input_content,
        input_json=input_json,
        data_attributes=data_attributes,
        activation_output=activation_output,
        now=clock.now(),
    )
    try:
        with write_transaction():
            _check_active_loop_quota(account)
            if hot_sql.enabled():
                # The same inserts as _insert_loop, in one statement. A taken name comes back as
                # None and is raised here, inside the block, so nothing of this call commits.
                loop = hot_sql.start(row, flow)
                if loop is None:
                    raise IntegrityError("human_loop_name_unique")
            else:
                loop = _insert_loop(row, flow)
    except IntegrityError:
        # The name is taken, or (a cached flow, hitl.kernel.process_cache) the flow was deleted meanwhile.
        lookups.forget_flows()
        _active_flow(account, flow_definition_arn)
        return _existing_loop_for_retry(account, name, flow, input_content, data_attributes)
    metrics.loop_started(loop)
    announce_new_work(flow.workteam_id)
    return StartResult(loop=loop, created=True)


# Per process: when each work team's new work was last announced (announce_new_work).
_announced_at: dict[int, dt.datetime] = {}


def announce_new_work(workteam_id: int) -> None:
    """Have the new-work digest sweep run now for a team that has new work, at most once a digest window.

    Without this the digest waits for the notification sweep's next beat (up to a second). The first
    loop of a window starts the sweep (a job at commit, after the response); later loops of the window
    find their digest already sent, and the beat sends the next when the window ends. Only with a
    broker: an eager job (no broker) would send the e-mails and chat posts inside this request, so
    the embedded sweeps' one-second beat announces them instead.
    """
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return
    now = clock.now()
    last = _announced_at.get(workteam_id)
    if last is not None and last <= now < last + dt.timedelta(seconds=settings.HITL_NOTIFY_DIGEST_SECONDS):
        return
    _announced_at[workteam_id] = now
    enqueue_on_commit(jobs.ANNOUNCE_NEW_WORK)  # a lost message costs only the wait for the beat


def _insert_loop(row: dict[str, Any], flow: FlowDefinition) -> HumanLoop:
    """Insert the loop (rules.new_loop_row) and its TaskCount open review tasks (in the caller's transaction)."""
    loop = HumanLoop.objects.create(**(row | {"input_json": json_column_value(row["input_json"])}))
    loop.input_json = row["input_json"]
    loop.flow_definition = flow
    task = rules.new_task_row(flow=flow, loop_id=loop.id, expires_at=loop.expires_at, now=loop.created_at)
    ReviewTask.objects.bulk_create(ReviewTask(**task) for _ in range(quality_config.tasks_at_start(flow)))
    return loop


def json_column_value(value: Any) -> Any:
    """Return what the ORM must be given to store `value` in a JSON column: JSON null stays JSON null."""
    # A bare None would be SQL NULL (the column is NOT NULL); InputContent "null" is a JSON document.
    return Value(None, JSONField()) if value is None else value


def _active_flow(account: Account, flow_definition_arn: str) -> FlowDefinition:
    flow_name = arns.parse_name("flow-definition", flow_definition_arn, account.aws_account_id)
    flow = None
    if flow_name:
        flow = lookups.flow_named(account, flow_name)
    if flow is None:
        raise InvalidInput(f"Flow definition {flow_definition_arn} does not exist in this account and region.")
    if flow.status != FlowDefinition.Status.ACTIVE:
        raise InvalidInput(f"Flow definition {flow_definition_arn} is {flow.status}, not Active.")
    return flow


def _check_active_loop_quota(account: Account) -> None:
    quota = settings.HITL_ACTIVE_LOOP_QUOTA
    if not quota:
        return
    refusal = rules.quota_refusal(active_loop_count(account, quota), quota)
    if refusal:
        raise refusal


def active_loop_count(account: Account, quota: int) -> int:
    """Count the account's open loops, at most `quota` of them (bounded however many loops exist)."""
    # Gold items (flows.quality.gold) are never the customer's loops.
    return HumanLoop.objects.filter(account=account, status__in=HumanLoop.OPEN, is_gold=False)[:quota].count()


def _existing_loop_for_retry(
    account: Account, name: str, flow: FlowDefinition, input_content: str, data_attributes: dict | None
) -> StartResult:
    existing = HumanLoop.objects.filter(account=account, name=name, deleted_at__isnull=True).first()
    if existing is None:  # the conflicting row was deleted meanwhile: a real retry will succeed
        raise Conflict(f"Human loop {name} was being created concurrently; retry the request.")
    if existing.is_gold:
        raise Conflict(f"A gold item of this account is named {name}; use another name for the human loop.")
    conflict = rules.start_conflict(
        name, vars(existing), flow_id=flow.id, input_content=input_content, data_attributes=data_attributes
    )
    if conflict:
        raise conflict
    return StartResult(loop=existing, created=False)


# --- Reviewer work: claim, submit, release -------------------------------------


def team_ids_of(user: AbstractBaseUser) -> list[int]:
    """Return the ids of the work teams `user` belongs to."""
    return lookups.team_ids_of(user.pk)


def claim_next_task(
    user: AbstractBaseUser, *, flow: FlowDefinition | None = None, ahead: bool = False
) -> ReviewTask | None:
    """Lease the oldest open task this reviewer may take, or return None.

    `ahead`: the task is claimed ahead of the one on the reviewer's screen (review_ui.work.claim_ahead)
    and shown later (show_task); should its lease end before that, the reviewer may get its loop again.

    Never a task of a loop the reviewer already holds, answered, skipped or let
    time out on the screen (_reopen); never a task past its loop's lifetime (even
    if the expiry sweep is late). On PostgreSQL the row is taken with SELECT ... FOR UPDATE SKIP
    LOCKED, so concurrent reviewers never wait on or collide over one task;
    on SQLite the IMMEDIATE transaction serializes claimers instead.
    """
    team_ids = team_ids_of(user)
    # Loops escalated to this reviewer or their teams (flows.definitions.deadlines) come first: they are near their
    # deadline. A reviewer named in an escalation may be on no team at all.
    granted = escalation.granted_loop_ids(user.pk, team_ids) if flow is None else []
    if not team_ids and not granted:
        return None
    _return_expired_leases_now_and_then()
    if flow is not None and flow.workteam_id not in team_ids:
        return None
    # Gold items and qualification (flows.quality.gold): decided before either claim path, so both honour them.
    gold_task = gold.claim_gold(user, [flow] if flow is not None else lookups.live_flows_of_teams(team_ids))
    if gold_task is not None:
        return gold_task
    for loop_ids in ([granted] if granted else []) + [None]:
        for _ in range(5):
            try:
                task = _try_claim(user, team_ids, flow, loop_ids=loop_ids, ahead=ahead)
                break
            except _ClaimCollision:
                continue  # a parallel request of this reviewer took a task of that loop: look again
        else:
            task = None
        if task is not None:
            return task
    return None


def claim_task_of_loop(user: AbstractBaseUser, loop_id: int) -> ReviewTask | None:
    """Lease an open task of one loop (a link or a chat button naming it), or return None if none is left.

    The same claim as claim_next_task, limited to the loop, for a member of the
    loop's team or someone its escalation added: two reviewers pressing at once
    get one task each while the loop has open tasks, then None.
    """
    team_ids = team_ids_of(user)
    granted = escalation.granted_loop_ids(user.pk, team_ids)
    if (
        loop_id not in granted
        and not ReviewTask.objects.filter(human_loop_id=loop_id, workteam_id__in=team_ids).exists()
    ):
        return None
    for _ in range(5):
        try:
            return _try_claim(user, team_ids, None, loop_ids=[loop_id])
        except _ClaimCollision:
            continue
    return None


class _ClaimCollision(Exception):
    pass


# Leases past their time limit go back before a claim, so they keep their old place in line even when
# the beat sweep is late; at most once a second per process, since under load the sweep's query would
# otherwise run on every claim while finding nothing almost every time.
CLAIM_SWEEP_INTERVAL = dt.timedelta(seconds=1)
_last_claim_sweep: dt.datetime | None = None


def _return_expired_leases_now_and_then() -> None:
    global _last_claim_sweep
    now = clock.now()
    last = _last_claim_sweep
    if last is not None and last <= now < last + CLAIM_SWEEP_INTERVAL:
        return
    _last_claim_sweep = now
    # Loops another claimer is already reopening are skipped, not waited on.
    expire_leases(limit=100, skip_locked=True)


_CLAIM_FIELDS = (
    "id",
    "human_loop_id",
    "flow_definition_id",
    "workteam_id",
    "state",
    "available_until",
    "human_loop__name",
    "human_loop__flow_definition",
    "human_loop__flow_version",
    "human_loop__account",  # the object grants' account (review_ui.grants.ObjectGrants.for_task)
    "human_loop__input_json",
    "human_loop__template__content",
)


def _try_claim(
    user: AbstractBaseUser,
    team_ids: list[int],
    flow: FlowDefinition | None,
    *,
    loop_ids: list[int] | None = None,
    ahead: bool = False,
) -> ReviewTask | None:
    """Lease the oldest task the reviewer may take; of `loop_ids` only when given (escalated loops, a link)."""
    now = clock.now()
    if hot_sql.enabled() and loop_ids is None:
        # The same claim as below, as one statement (flows.loops.hot_sql explains why).
        try:
            with write_transaction():
                task = hot_sql.claim(user, now, flow_id=flow.id if flow else None, team_ids=team_ids, ahead=ahead)
        except hot_sql.Collision:
            raise _ClaimCollision from None
        if task is not None and flow is not None:
            task.flow_definition = flow
        return task
    excluded = TaskExclusion.objects.filter(worker=user, human_loop_id=OuterRef("human_loop_id"))
    candidates = ReviewTask.objects.filter(state=rules.CLAIMABLE_STATE, available_until__gt=now)
    if loop_ids is not None:
        # Escalated loops (granted to someone off their team) or the one loop a link names; the caller checked.
        candidates = candidates.filter(human_loop_id__in=loop_ids)
    elif flow is not None:
        candidates = candidates.filter(flow_definition=flow)
    else:
        candidates = candidates.filter(workteam_id__in=team_ids)
    # A reviewer paused or not yet qualified on a flow gets none of its tasks (flows.quality.gold).
    candidates = candidates.alias(reviewer_held=gold.held_expression(user.pk)).filter(reviewer_held=False)
    # Ids grow with creation time, so ordering by id hands out the oldest loop's tasks first.
    candidates = candidates.filter(~Exists(excluded)).order_by("id")
    try:
        with write_transaction():
            # PostgreSQL: SKIP LOCKED makes concurrent claimers pass over each other's rows
            # instead of queueing on them. SQLite: ignored; the IMMEDIATE transaction serializes.
            # The loop's name, input and template come along (not locked): what the reviewer is shown.
            task = (
                candidates.select_for_update(skip_locked=True, of=("self",))
                .select_related("human_loop__template")
                .only(*_CLAIM_FIELDS)
                .first()
            )
            if task is None:
                return None
            # The exclusion row's unique constraint is what guarantees one
            # task per reviewer per loop, even for two parallel requests.
            TaskExclusion.objects.create(worker=user, human_loop_id=task.human_loop_id)
            # The time limit is the loop's pinned version's (cached per process); the account, the flow's.
            task.flow_definition = flow if flow is not None else lookups.flow_by_id(task.flow_definition_id)
            time_limit, account_id = versions.pinned_time_limit(task.human_loop), task.flow_definition.account_id
            task.state = TaskState.LEASED
            task.worker = user
            task.accepted_at = now
            task.lease_expires_at = rules.lease_expires_at(now, time_limit)
            task.claimed_ahead = ahead
            task.save(update_fields=["state", "worker", "accepted_at", "lease_expires_at", "claimed_ahead"])
            audit.record_task("ClaimTask", user, task, account_id=account_id)
            return task
    except IntegrityError:
        raise _ClaimCollision from None


def submit_task(user: AbstractBaseUser, task_id: int, answer: dict[str, Any]) -> ReviewTask:
    """Store a reviewer's answer; when it is the last one needed, schedule the loop's output.

    Raises NotFound if the task is not this reviewer's, Conflict if the lease
    was lost or the loop is no longer in progress.
    """
    if not isinstance(answer, dict):
        raise InvalidInput("answerContent must be a JSON object.")
    now = clock.now()
    with write_transaction():
        if hot_sql.enabled():
            # The happy path in two statements; when they change nothing, the rule below says why.
            answered = hot_sql.submit(user, task_id, answer, now)
            if answered is not None:
                metrics.task_submitted(answered.task)
                if answered.loop.is_gold and gold.record_gold_answer(user, answered.loop, answer):
                    release_leases_on_flow(user.pk, answered.loop.flow_definition_id)
                _decide_finish(answered.loop, answered.submitted, answered.leased, answered.has_outbox)
                return answered.task
        task, loop = _lock_task_of(user, task_id)
        refusal = rules.submit_refusal(task, loop, user.pk, now)
        if refusal:
            raise refusal
        if hot_sql.enabled():
            raise RuntimeError(f"flows.loops.hot_sql.submit refused task {task_id}, which flows.loops.rules allows")
        task.state = TaskState.SUBMITTED
        task.answer = answer
        task.submitted_at = now
        task.time_spent_seconds = rules.time_spent_seconds(task.accepted_at, now)
        task.lease_expires_at = None
        task.save(update_fields=["state", "answer", "submitted_at", "time_spent_seconds", "lease_expires_at"])
        audit.record_task("SubmitTask", user, task, account_id=loop.account_id)
        metrics.task_submitted(task)
        if loop.is_gold and gold.record_gold_answer(user, loop, answer):
            release_leases_on_flow(user.pk, loop.flow_definition_id)
        _finish_if_done(loop)
    return task


def release_task(user: AbstractBaseUser, task_id: int, *, unseen: bool = False) -> None:
    """Return a leased task to the queue at once (skip). The reviewer will not get this loop again.

    `unseen`: the task was claimed ahead (review_ui.work.claim_ahead) and never shown, so the
    reviewer may get its loop again later, as if they had never claimed it (_reopen).
    """
    with write_transaction():
        task, loop = _lock_task_of(user, task_id)
        refusal = rules.release_refusal(task, user.pk)
        if refusal:
            raise refusal
        audit.record_task("ReleaseTask", user, task, account_id=loop.account_id)
        _reopen(task, loop, unseen=unseen)
        _finish_if_done(loop)


def show_task(user: AbstractBaseUser, task_id: int) -> ReviewTask:
    """Start the clock of a task claimed ahead, now that the reviewer sees it: a full time limit from now.

    A task claimed ahead waits, hidden, while the reviewer answers the one before it; its time
    limit and its time spent count from here. Raises Conflict if the lease is gone.
    """
    now = clock.now()
    with write_transaction():
        task = (
            ReviewTask.objects.select_for_update(of=("self",))
            .select_related("human_loop")
            .only(
                "id",
                "state",
                "worker_id",
                "lease_expires_at",
                "claimed_ahead",
                "human_loop__flow_version_id",
                "human_loop__flow_definition_id",
            )
            .filter(id=task_id, worker=user)
            .first()
        )
        if task is None:
            raise NotFound(f"Task {task_id} does not exist or is not assigned to you.")
        refusal = rules.show_refusal(task, user.pk, now)
        if refusal:
            raise refusal
        task.accepted_at = now
        task.lease_expires_at = rules.lease_expires_at(now, versions.pinned_time_limit(task.human_loop))
        task.claimed_ahead = False  # on the screen: from now on a lease that runs out bars the loop, as any
        task.save(update_fields=["accepted_at", "lease_expires_at", "claimed_ahead"])
    return task


def release_leases_on_flow(worker_id: int, flow_id: int) -> int:
    """Return every task the reviewer holds on the flow to the queue (a paused reviewer). Returns how many."""
    loop_ids = list(
        ReviewTask.objects.filter(worker_id=worker_id, flow_definition_id=flow_id, state=TaskState.LEASED)
        .values_list("human_loop_id", flat=True)
        .distinct()
    )
    released = 0
    for loop_id in loop_ids:
        with write_transaction():
            loop = _lock_loop(id=loop_id)
            for task in ReviewTask.objects.select_for_update().filter(
                human_loop=loop, worker_id=worker_id, state=TaskState.LEASED
            ):
                _reopen(task, loop)
                released += 1
            _finish_if_done(loop)
    return released


def _lock_task_of(user: AbstractBaseUser, task_id: int) -> tuple[ReviewTask, HumanLoop]:
    # Lock order everywhere: loop first, then its tasks. One query finds the task's loop and locks it,
    # if this reviewer ever held a task of it (exclusion row): they learn it was taken away (409);
    # anyone else learns nothing about it (404).
    held = TaskExclusion.objects.filter(worker=user, human_loop_id=OuterRef("id"))
    of_task = Subquery(ReviewTask.objects.filter(id=task_id).values("human_loop_id")[:1])
    loop = _loops_locked().filter(Exists(held), id=of_task).first()
    if loop is None:
        raise NotFound(f"Task {task_id} does not exist or is not assigned to you.")
    task = ReviewTask.objects.select_for_update().get(id=task_id)
    # The same loop and flow, already loaded (and the loop locked): no lazy loads later.
    task.human_loop, task.flow_definition = loop, loop.flow_definition
    return task, loop


def _lock_loop(**lookup: Any) -> HumanLoop:
    """Lock one loop row (FOR NO KEY UPDATE, see the module docstring) and return it."""
    return _loops_locked().get(**lookup)


def _loops_locked() -> QuerySet[HumanLoop]:
    # of=self: the joined flow row must not be locked, or every answer in a flow would queue on it.
    # The documents (input, flow configuration) are left out: status changes never read them.
    return (
        HumanLoop.objects.select_for_update(no_key=True, of=("self",))
        .select_related("flow_definition")
        .defer(*_DOCUMENT_FIELDS)
    )


_DOCUMENT_FIELDS = (
    "input_content",
    "input_json",
    "data_attributes",
    "activation_output",
    "flow_definition__activation_conditions",
    "flow_definition__task_keywords",
    "flow_definition__public_task_price",
    "flow_definition__tags",
)


def _reopen(task: ReviewTask, loop: HumanLoop, *, unseen: bool = False) -> None:
    """End the lease of `task` without an answer (released, timed out, reviewer paused).

    The reviewer keeps their exclusion from the loop (they saw the task and did not answer it),
    unless they never saw it: a task claimed ahead and not shown yet, or one the page gave back
    `unseen`. The one place for that rule, so a lease ahead that runs out behaves as a release unseen.
    """
    if unseen or task.claimed_ahead:
        TaskExclusion.objects.filter(worker_id=task.worker_id, human_loop_id=loop.id).delete()
    task.state = rules.reopened_state(loop)
    task.worker = None
    task.accepted_at = None
    task.lease_expires_at = None
    task.claimed_ahead = False
    task.save(update_fields=["state", "worker", "accepted_at", "lease_expires_at", "claimed_ahead"])


def _finish_if_done(loop: HumanLoop) -> None:
    """Record the outbox row when the loop (locked by the caller) has what it needs to finish."""
    # One query: each task's state, with whether the outbox row exists (the same on every row).
    has_outbox = Exists(OutputOutbox.objects.filter(human_loop_id=loop.id))
    rows = list(ReviewTask.objects.filter(human_loop=loop).values_list("state", has_outbox))
    if rows[0][1] if rows else OutputOutbox.objects.filter(human_loop=loop).exists():
        return
    states = [state for state, _ in rows]
    _decide_finish(loop, states.count(TaskState.SUBMITTED), states.count(TaskState.LEASED), has_outbox=False)


def _decide_finish(loop: HumanLoop, submitted: int, leased: int, has_outbox: bool) -> None:
    """Record the outbox row if the locked loop, with these task counts, is done."""
    enough = None
    overlap = quality_config.of_flow(versions.pinned_flow(loop)).overlap
    if overlap is not None and loop.status == HumanLoop.Status.IN_PROGRESS and not has_outbox and not loop.is_gold:
        enough = overlap_rules.has_enough_answers(loop, overlap, submitted, leased)  # reads the answers
    status = rules.final_status(
        loop,
        submitted=submitted,
        leased=leased,
        has_outbox=has_outbox,
        enough_answers=enough,
        task_count=versions.pinned_settings(loop)["task_count"],
    )
    if status is not None:
        _schedule_finalize(loop, status)


def _schedule_finalize(loop: HumanLoop, final_status: str) -> None:
    bucket, key = outputs.output_location(loop)
    row = OutputOutbox.objects.create(
        human_loop=loop, final_status=final_status, bucket=bucket, key=key, next_attempt_at=outbox.handed_to_message()
    )
    enqueue_on_commit(jobs.FINALIZE_LOOP, loop.id, on_failure=partial(outbox.mark_due_now, OutputOutbox, id=row.id))


# --- Finishing ----------------------------------------------------------------


def finalize_loop(loop_id: int) -> bool:
    """Write the loop's output.json (if it has answers), then set its final status.

    Safe to run any number of times, concurrently too: the object is the same
    bytes at the same key, and the status changes only once. Returns True when
    this call made the transition. Storage errors propagate (the Celery task
    retries with backoff) and leave the loop InProgress/Stopping.
    """
    row = (
        OutputOutbox.objects.select_related("human_loop__flow_definition__account")
        .filter(human_loop_id=loop_id)
        .first()
    )
    if row is None or row.state == OutputOutbox.State.DONE:
        return False
    attempt = outbox.Attempt()
    loop = row.human_loop
    answers = list(
        ReviewTask.objects.filter(human_loop=loop, state=TaskState.SUBMITTED)
        .select_related("worker__worker")
        .order_by("submitted_at", "id")
    )
    output_uri = ""
    if answers or row.timeout is not None:
        document = outputs.build_output_document(loop, answers, timeout=row.timeout)
        output_uri = outputs.write_output(row.bucket, row.key, document, kms_key_id=loop.flow_definition.kms_key_id)
    if answers:
        outputs.run_after_output_hooks(
            row.bucket, row.key, document, kms_key_id=loop.flow_definition.kms_key_id, flow=versions.pinned_flow(loop)
        )
    with write_transaction():
        locked = _lock_loop(id=loop_id)
        changed = OutputOutbox.objects.filter(id=row.id, state=OutputOutbox.State.PENDING).update(
            state=OutputOutbox.State.DONE, done_at=clock.now(), attempts=F("attempts") + 1
        )
        if not changed or locked.status not in HumanLoop.OPEN:
            return False
        outbox.record_output_attempt(outbox_id=row.id, loop_id=loop_id, account_id=loop.account_id, attempt=attempt)
        _set_final_status(
            locked,
            row.final_status,
            output_uri=output_uri,
            failure_code=row.failure_code,
            failure_reason=row.failure_reason,
        )
    return True


def _set_final_status(
    loop: HumanLoop, status: str, *, output_uri: str = "", failure_code: str = "", failure_reason: str = ""
) -> None:
    """Move a locked, open loop to a terminal status and record its event (same transaction)."""
    finished_at = clock.now()
    changed = HumanLoop.objects.filter(id=loop.id, status__in=HumanLoop.OPEN).update(
        status=status,
        output_s3_uri=output_uri,
        failure_code=failure_code,
        failure_reason=failure_reason,
        finished_at=finished_at,
    )
    if not changed:
        return
    # What the UPDATE wrote (the row is locked, nothing else changed it), and the flow with its
    # account from the cache: the event below names both by ARN, without reloading any row.
    loop.status, loop.output_s3_uri, loop.finished_at = status, output_uri, finished_at
    loop.failure_code, loop.failure_reason = failure_code, failure_reason
    loop.flow_definition = lookups.flow_by_id(loop.flow_definition_id)
    loop.account = loop.flow_definition.account
    ReviewTask.objects.filter(human_loop=loop, state__in=[TaskState.OPEN, TaskState.LEASED]).update(
        state=TaskState.CANCELLED, worker=None, lease_expires_at=None, accepted_at=None
    )
    events.record_status_change(loop)
    metrics.loop_finished(loop)


def record_output_failure(
    loop_id: int, error: str, *, next_attempt_at: dt.datetime, attempt: outbox.Attempt | None = None
) -> None:
    """Note a failed output write: an attempt row, an audit record, and when the sweep takes the row over.

    The loop stays open and the write is retried. `next_attempt_at` comes from
    flows.delivery.outbox: the caller's own retry plus the grace, or the retry time
    itself when no message will carry the retry.
    """
    metrics.output_write_failed()
    with write_transaction():
        row = OutputOutbox.objects.filter(human_loop_id=loop_id, state=OutputOutbox.State.PENDING).first()
        if row is None:
            return
        OutputOutbox.objects.filter(id=row.id, state=OutputOutbox.State.PENDING).update(
            attempts=F("attempts") + 1, last_error=error[:2000], next_attempt_at=next_attempt_at
        )
        account_id = HumanLoop.objects.filter(id=loop_id).values_list("account_id", flat=True).first()
        outbox.record_output_attempt(
            outbox_id=row.id, loop_id=loop_id, account_id=account_id, attempt=attempt or outbox.Attempt(), error=error
        )


def claim_stalled_outputs(limit: int = 500) -> list[int]:
    """Return ids of loops whose pending output write is past due, claiming each row (flows.delivery.outbox).

    Past due means its Celery message was lost (broker restart, worker killed
    with acks_late work in hand), its enqueue failed, or its retry was left to
    the sweep. Two sweeps never both take a row.
    """
    return [loop_id for (loop_id,) in outbox.claim_due(OutputOutbox, ("human_loop_id",), limit)]


# --- Stop and delete -------------------------------------------------------------


def stop_human_loop(*, account: Account, name: str) -> HumanLoop:
    """Stop a loop: cancel unclaimed tasks; Stopped once no reviewer holds a lease.

    Stopping or Stopped: no-op. Completed, Failed, or all answers already in:
    LoopAlreadyFinished (an InvalidInput; the runtime API answers it as a no-op).
    Answers submitted before the stop are written to the output.
    """
    with write_transaction():
        loop = (
            HumanLoop.objects.select_for_update(no_key=True, of=("self",))
            .select_related("flow_definition")
            .filter(account=account, name=name, deleted_at__isnull=True, is_gold=False)
            .first()
        )
        if loop is None:
            raise NotFound(f"Human loop {name} does not exist.")
        if loop.status in (Status.STOPPING, Status.STOPPED):
            return loop
        refusal = rules.stop_refusal(loop, has_outbox=OutputOutbox.objects.filter(human_loop=loop).exists())
        if refusal:
            raise refusal
        HumanLoop.objects.filter(id=loop.id, status=Status.IN_PROGRESS).update(status=Status.STOPPING)
        loop.status = Status.STOPPING
        ReviewTask.objects.filter(human_loop=loop, state=TaskState.OPEN).update(state=TaskState.CANCELLED)
        _finish_if_done(loop)
    return loop


def send_back_for_another_answer(*, account: Account, name: str) -> HumanLoop:
    """Reopen a Completed loop for one more reviewer's answer (the console's "send back").

    The loop returns to InProgress with one new open task of its flow's team and a fresh lifetime;
    reviewers who already answered it cannot take it (one task per reviewer per loop). Its answers
    stay; when the new one is submitted the loop completes again and output.json is written anew
    at its key with every answer. The finished output's outbox row (and its attempt rows) goes, so
    the next finish records a new one. Raises NotFound or InvalidInput (rules.send_back_refusal).
    """
    with write_transaction():
        loop = _loops_locked().filter(account=account, name=name, deleted_at__isnull=True, is_gold=False).first()
        if loop is None:
            raise NotFound(f"Human loop {name} does not exist.")
        submitted = ReviewTask.objects.filter(human_loop=loop, state=TaskState.SUBMITTED).count()
        pending = OutputOutbox.objects.filter(human_loop=loop, state=OutputOutbox.State.PENDING).exists()
        refusal = rules.send_back_refusal(loop, submitted=submitted, has_pending_output=pending)
        if refusal:
            raise refusal
        now = clock.now()
        lifetime = versions.pinned_settings(loop)["task_availability_lifetime_seconds"]
        expires_at = now + dt.timedelta(seconds=lifetime)
        OutputOutbox.objects.filter(human_loop=loop).delete()
        HumanLoop.objects.filter(id=loop.id, status=Status.COMPLETED).update(
            status=Status.IN_PROGRESS, finished_at=None, expires_at=expires_at
        )
        row = rules.new_task_row(flow=loop.flow_definition, loop_id=loop.id, expires_at=expires_at, now=now)
        ReviewTask.objects.create(**row)
        loop.status, loop.finished_at, loop.expires_at = Status.IN_PROGRESS, None, expires_at
    return loop


def delete_human_loop(*, account: Account, name: str) -> None:
    """Delete a finished loop (Completed, Failed, Stopped). Its output object is kept."""
    deleted = HumanLoop.objects.filter(
        account=account, name=name, deleted_at__isnull=True, is_gold=False, status__in=HumanLoop.TERMINAL
    ).update(deleted_at=clock.now())
    if deleted:
        return
    loop = HumanLoop.objects.filter(account=account, name=name, deleted_at__isnull=True, is_gold=False).first()
    if loop is None:
        raise NotFound(f"Human loop {name} does not exist.")
    raise rules.delete_refusal(loop) or Conflict(f"Human loop {name} was deleted or finished concurrently; retry.")


# --- Time ---------------------------------------------------------------------


def expire_leases(limit: int = 1000, *, skip_locked: bool = False) -> int:
    """Return tasks whose lease ran out to the queue. Returns how many were reopened.

    With skip_locked (PostgreSQL), loops locked by someone else are left for the next call.
    """
    now = clock.now()
    reopened = 0
    loop_ids = list(
        ReviewTask.objects.filter(state=TaskState.LEASED, lease_expires_at__lte=now)
        .values_list("human_loop_id", flat=True)
        .distinct()[:limit]
    )
    for loop_id in loop_ids:
        with write_transaction():
            loop = (
                HumanLoop.objects.select_for_update(no_key=True, skip_locked=skip_locked, of=("self",))
                .select_related("flow_definition")
                .filter(id=loop_id)
                .first()
            )
            if loop is None:
                continue
            expired = ReviewTask.objects.select_for_update().filter(
                human_loop=loop, state=TaskState.LEASED, lease_expires_at__lte=now
            )
            for task in expired:
                _reopen(task, loop)
                reopened += 1
            _finish_if_done(loop)
    return reopened


def expire_loops(limit: int = 1000) -> int:
    """Fail InProgress loops whose availability lifetime passed without enough answers."""
    now = clock.now()
    candidates = list(
        HumanLoop.objects.filter(status=Status.IN_PROGRESS, expires_at__lte=now)
        .exclude(Exists(OutputOutbox.objects.filter(human_loop_id=OuterRef("id"))))
        .values_list("id", flat=True)[:limit]
    )
    failed = 0
    for loop_id in candidates:
        failed += expire_loop_if_due(loop_id)
    return failed


def expire_loop_if_due(loop_id: int) -> bool:
    """Fail one loop if its lifetime passed and its answers are not all in. Returns True if it failed it."""
    with write_transaction():
        loop = HumanLoop.objects.select_for_update(no_key=True).filter(id=loop_id).first()
        if loop is None:
            return False
        # An outbox row: every answer arrived in time, and the output is being written.
        has_outbox = OutputOutbox.objects.filter(human_loop=loop).exists()
        if not rules.expiry_due(loop, has_outbox=has_outbox, now=clock.now()):
            return False
        _set_final_status(
            loop, Status.FAILED, failure_code=HumanLoop.FailureCode.EXPIRED, failure_reason=EXPIRED_REASON
        )
    return True


# --- Deadlines and escalation (flows.definitions.deadlines) ---------------------------------------------


FINALIZE_CHUNK = 50  # timed-out loops per output job: 2,000 messages for 100,000 deadlines


def time_out_human_loops(loop_ids: list[int], *, action: str, deadline_seconds: int) -> list[int]:
    """End the InProgress loops of `loop_ids` whose deadline passed, with their on-timeout action (fail or approve).

    One transaction for the whole batch: the loops are locked (in id order, so two sweeps never deadlock)
    and re-checked (rules.deadline_step_due), their open and leased tasks are cancelled in one UPDATE
    (no answer is taken after the deadline) and their outbox rows inserted in one INSERT, then a
    FINALIZE_LOOPS job per FINALIZE_CHUNK loops is enqueued at commit (workers write them in parallel;
    a message per loop would cost the sweep about a millisecond each). finalize_loop writes output.json with the answers
    given so far and `hitlTimeout` (why), then sets Failed with FailureCode Expired (fail, as A2I's expiry)
    or Completed (approve) and the status event. A crash before the commit takes none of the batch; after
    it, the outbox rows are there (a lost job is re-sent by the outbox sweep) and, one per loop, write
    each output once. Returns the ids of the loops this call timed out.
    """
    now = clock.now()
    with write_transaction():
        loops = list(
            _loops_locked()
            .filter(rules.deadline_step_due(at_seconds=deadline_seconds, now=now), id__in=loop_ids)
            .order_by("id")
        )
        if not loops:
            return []
        status, failure_code, reason = rules.timeout_outcome(action, deadline_seconds)
        ids = [loop.id for loop in loops]
        ReviewTask.objects.filter(human_loop_id__in=ids, state__in=[TaskState.OPEN, TaskState.LEASED]).update(
            state=TaskState.CANCELLED, worker=None, lease_expires_at=None, accepted_at=None
        )
        why = {"action": action, "deadlineSeconds": deadline_seconds, "reason": reason, "at": outputs.iso_millis(now)}
        handed = outbox.handed_to_message()
        rows = [
            OutputOutbox(
                human_loop=loop,
                final_status=status,
                bucket=(location := outputs.output_location(loop))[0],
                key=location[1],
                next_attempt_at=handed,
                timeout=why,
                failure_code=failure_code,
                failure_reason=reason if failure_code else "",
            )
            for loop in loops
        ]
        OutputOutbox.objects.bulk_create(rows, batch_size=1000)
        for start in range(0, len(ids), FINALIZE_CHUNK):
            chunk = ids[start : start + FINALIZE_CHUNK]
            on_failure = partial(outbox.mark_due_now, OutputOutbox, human_loop_id__in=chunk)
            enqueue_on_commit(jobs.FINALIZE_LOOPS, chunk, on_failure=on_failure)
    return ids


# --- Loops that cannot go on ----------------------------------------------------------


def fail_human_loop(
    loop_id: int, *, failure_code: str, failure_reason: str, attempt: outbox.Attempt | None = None, error: str = ""
) -> bool:
    """Fail an open loop that can never finish (its task cannot be shown, its output cannot be written).

    Cancels its tasks, closes a pending output write (its answers stay in the
    database; `attempt` and `error` record the failed write's attempt row) and
    records the status event. Returns True if this call failed it, False if it
    was already finished.
    """
    with write_transaction():
        loop = _loops_locked().filter(id=loop_id).first()
        if loop is None or loop.status not in HumanLoop.OPEN:
            return False
        row = OutputOutbox.objects.filter(human_loop_id=loop_id, state=OutputOutbox.State.PENDING).first()
        if row is not None:
            OutputOutbox.objects.filter(id=row.id).update(
                state=OutputOutbox.State.DONE,
                done_at=clock.now(),
                attempts=F("attempts") + 1,
                last_error=failure_reason[:2000],
            )
            if attempt is not None:
                outbox.record_output_attempt(
                    outbox_id=row.id, loop_id=loop_id, account_id=loop.account_id, attempt=attempt, error=error
                )
        _set_final_status(loop, Status.FAILED, failure_code=failure_code, failure_reason=failure_reason[:1024])
    return True
