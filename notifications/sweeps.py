"""The notification sweeps: new-work digests, and each flow's deadline steps (reminders, escalation, timeout).

Both run from the beat schedule (or the embedded sweeps) and are safe to run
twice or concurrently:

* Digests: a team's DigestCursor holds the newest task already announced and
  when the last digest went out. At most once per HITL_NOTIFY_DIGEST_SECONDS,
  the tasks opened since are counted per flow (one indexed query) and the
  cursor is moved with a conditional UPDATE (the claim); then one digest per
  listening reviewer (e-mail) and one per shared channel (Slack, Teams,
  webhook). 10,000 loops started in a minute make one digest per reviewer per
  window, not 10,000 messages.
* Deadline steps: for each flow version with `hitl:deadline` tags (a loop keeps its
  version's) and each of its steps, a StepCursor walks that version's loops in
  (created_at, id) order up to
  "now minus the step's offset" (the loop list index), so a sweep reads only
  loops whose step came due since the last one, however many loops are open.
  A reminder or timeout writes a LoopStep row (unique per loop and step) with
  the step's effect, so it is taken once; an escalation's record is the
  cursor itself, locked and moved in the transaction that grants the range
  (notifications.escalations). Deliveries are unique by key, so a message once.
  Reminders and timeouts go 1,000 loops a transaction (a timeout batch is
  flows.loops.lifecycle.time_out_human_loops: a few statements, not one
  transaction per loop); the sweep's escalations, however many loops, go in
  one transaction of a few INSERT ... SELECT statements with one message per
  reviewer (notifications.escalations).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet

from flows.definitions import deadlines, versions
from flows.loops import escalation, lifecycle, lookups, rules
from flows.models import FlowDefinition, FlowDefinitionVersion, HumanLoop, ReviewTask
from hitl.kernel import clock
from hitl.kernel.errors import InvalidInput
from notifications import channels, delivery, escalations, messages
from notifications.models import Channel, Delivery, DigestCursor, LoopStep, StepCursor
from workforce.models import Workteam

BATCH = 1000
MAX_BATCHES = 200  # per step and sweep: 200,000 loops
MAX_ESCALATIONS = 200_000  # per step and sweep, in the sweep's one escalation transaction


# --- New-work digests -------------------------------------------------------------------------


def send_digests() -> int:
    """Record the digests due now; return how many deliveries were made."""
    now = clock.now()
    teams, team_channels = channels.notified_teams()
    window = dt.timedelta(seconds=settings.HITL_NOTIFY_DIGEST_SECONDS)
    made = 0
    for team in teams:
        cursor, _ = DigestCursor.objects.get_or_create(workteam=team)
        if cursor.last_sent_at is not None and now < cursor.last_sent_at + window:
            continue
        rows = list(
            ReviewTask.objects.filter(
                workteam_id=team.id, state=ReviewTask.State.OPEN, id__gt=cursor.last_task_id, available_until__gt=now
            )
            .values("flow_definition_id")
            .annotate(loops=Count("human_loop_id", distinct=True), newest=Max("id"))
        )
        if not rows:
            continue
        newest = max(row["newest"] for row in rows)
        claimed = DigestCursor.objects.filter(id=cursor.id, last_task_id=cursor.last_task_id).update(
            last_task_id=newest, last_sent_at=now
        )
        if not claimed:
            continue  # another sweep took this window
        counts = [(lookups.flow_by_id(row["flow_definition_id"]), row["loops"]) for row in rows]
        counts.sort(key=lambda pair: pair[0].task_title)
        made += delivery.record(_digest_rows(team, team_channels[team.id], counts, newest))
    return made


def _digest_rows(team: Workteam, team_channels: list[Channel], counts: list, newest: int) -> list[Delivery]:
    rows = []
    for channel in team_channels:
        recipients = channels.listeners(team.id) if channel.per_reviewer else [None]
        for user in recipients:
            user_id = user.pk if user is not None else None
            rows.append(
                Delivery(
                    account_id=team.account_id,
                    channel=channel,
                    recipient=user,
                    workteam=team,
                    kind=Delivery.Kind.DIGEST,
                    dedupe_key=f"digest:{team.id}:{newest}:{channel.id}:{user_id or '-'}",
                    message=messages.digest(team.name, counts, user_id=user_id, team_id=team.id),
                )
            )
    return rows


# --- Deadline steps ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Step:
    """A deadline step of one flow version: its loops' `step` is due `at_seconds` after each started."""

    flow: FlowDefinition
    version_id: int | None
    config: deadlines.Deadlines
    step: str
    at_seconds: int

    @property
    def escalates(self) -> bool:
        return self.step == deadlines.ESCALATION_STEP or (
            self.step == deadlines.TIMEOUT_STEP and self.config.on_timeout == deadlines.ESCALATE
        )

    @property
    def cursor_name(self) -> str:
        # One cursor per flow version and step ("reminder-1@v12"; "@-": loops without a pinned version).
        return f"{self.step}@{'v' + str(self.version_id) if self.version_id else '-'}"


def run_deadline_steps() -> int:
    """Take every deadline step that came due since the last sweep; return how many loop steps were taken.

    A loop keeps the deadline settings of the flow version it started with (flows.definitions.versions):
    the steps run per version, each over that version's loops; loops from before versions read the flow's.
    Reminders and timeouts go in batches; the sweep's escalations all go in one transaction
    (notifications.escalations), with one message per reviewer.
    """
    now = clock.now()
    steps = list(_due_steps())
    taken = sum(_run_step(step, now) for step in steps if not step.escalates)
    with transaction.atomic():
        escalated = [found for step in steps if step.escalates and (found := _escalate(step, now)) is not None]
        escalations.tell(escalated)
    return taken + sum(found.escalated.count for found in escalated)


def _due_steps() -> Iterator[_Step]:
    live = FlowDefinition.objects.filter(deleted_at__isnull=True, status=FlowDefinition.Status.ACTIVE)
    by_flow: dict[int, list[int]] = defaultdict(list)
    for version_id, flow_id in FlowDefinitionVersion.objects.filter(flow_definition__in=live).values_list(
        "id", "flow_definition_id"
    ):
        by_flow[flow_id].append(version_id)
    for flow in live.only("id", "tags", "task_availability_lifetime_seconds"):
        configs = [(None, deadlines.of_flow(flow))]  # loops without a pinned version
        configs += [(version_id, _version_deadlines(version_id)) for version_id in by_flow[flow.id]]
        if not any(config.configured for _, config in configs):
            continue
        flow = lookups.flow_by_id(flow.id)
        for version_id, config in configs:
            for step, at_seconds in config.steps():
                yield _Step(flow, version_id, config, step, at_seconds)


def _version_deadlines(version_id: int) -> deadlines.Deadlines:
    version = versions.flow_version_by_id(version_id)  # immutable, cached per process
    if version is None:
        return deadlines.NONE
    settings_ = version.settings
    try:
        return deadlines.parse(
            settings_.get(versions.HITL_TAGS) or [], lifetime_seconds=settings_["task_availability_lifetime_seconds"]
        )
    except InvalidInput:
        return deadlines.NONE


def _run_step(step: _Step, now: dt.datetime) -> int:
    """A reminder or a timeout: BATCH loops at a time, each batch in its own transaction."""
    cursor, _ = StepCursor.objects.get_or_create(flow_definition_id=step.flow.id, step=step.cursor_name)
    due_before = now - dt.timedelta(seconds=step.at_seconds)
    taken = 0
    for _ in range(MAX_BATCHES):
        due = _waiting_loops(step, cursor, now, held_only=_is_reminder(step.step))
        loops = list(due.order_by("created_at", "id").values("id", "name", "created_at", "account_id")[:BATCH])
        if loops:
            taken += _take_step(step, loops)
            cursor.created_at, cursor.loop_id = loops[-1]["created_at"], loops[-1]["id"]
        if len(loops) < BATCH:
            # Every loop up to the threshold was seen: the next sweep starts there.
            cursor.created_at, cursor.loop_id = due_before, 0
            break
    cursor.save(update_fields=["created_at", "loop_id"])
    return taken


def _escalate(step: _Step, now: dt.datetime) -> escalations.Taken | None:
    """Escalate every loop of the step that came due (up to MAX_ESCALATIONS) in the caller's transaction."""
    StepCursor.objects.get_or_create(flow_definition_id=step.flow.id, step=step.cursor_name)
    # Locked until the sweep commits: the range it moves past is escalated once (notifications.escalations).
    cursor = StepCursor.objects.select_for_update().get(flow_definition_id=step.flow.id, step=step.cursor_name)
    due_before = now - dt.timedelta(seconds=step.at_seconds)
    due = _waiting_loops(step, cursor, now, held_only=False)
    last = due.order_by("created_at", "id").values_list("created_at", "id")[MAX_ESCALATIONS - 1 : MAX_ESCALATIONS]
    if last:  # more than a sweep takes: this one stops at the MAX_ESCALATIONS-th, the next goes on from there
        cursor.created_at, cursor.loop_id = last[0]
        due = due.filter(Q(created_at__lt=cursor.created_at) | Q(created_at=cursor.created_at, id__lte=cursor.loop_id))
    else:
        cursor.created_at, cursor.loop_id = due_before, 0
    targets = escalation.resolve(step.flow.account_id, step.config.escalate_to) if step.config.escalate_to else ([], [])
    found = escalations.take(step.flow, due, cursor.id, targets, _deadline_text(step.config, step.at_seconds))
    cursor.save(update_fields=["created_at", "loop_id"])
    return found


def _is_reminder(step: str) -> bool:
    return step.startswith("reminder-")


def _waiting_loops(step: _Step, cursor: StepCursor, now: dt.datetime, *, held_only: bool) -> QuerySet:
    """Return the loops of the flow version whose step is due, after the cursor.

    A reminder is for the reviewer holding a task: with `held_only` only loops with a leased task come back,
    so a burst of due reminders over loops nobody holds costs one index walk, not a step row per loop.
    """
    # Still waiting (flows.loops.rules.deadline_step_due): InProgress, a customer loop, its answers not all in.
    loops = HumanLoop.objects.filter(
        rules.deadline_step_due(at_seconds=step.at_seconds, now=now),
        flow_definition_id=step.flow.id,
        flow_version_id=step.version_id,
    )
    if held_only:
        loops = loops.filter(
            Exists(ReviewTask.objects.filter(human_loop_id=OuterRef("id"), state=ReviewTask.State.LEASED))
        )
    if cursor.created_at is not None:
        loops = loops.filter(
            Q(created_at__gt=cursor.created_at) | Q(created_at=cursor.created_at, id__gt=cursor.loop_id)
        )
    return loops


def _take_step(step: _Step, loops: list) -> int:
    if step.step == deadlines.TIMEOUT_STEP:
        # The batch's transitions and their step rows commit together: a crash in between takes neither.
        with transaction.atomic():
            timed_out = lifecycle.time_out_human_loops(
                [loop["id"] for loop in loops], action=step.config.on_timeout, deadline_seconds=step.at_seconds
            )
            LoopStep.objects.bulk_create(
                [LoopStep(human_loop_id=loop_id, step=step.step) for loop_id in timed_out], ignore_conflicts=True
            )
        return len(timed_out)
    ids = [loop["id"] for loop in loops]
    with transaction.atomic():
        done = set(
            LoopStep.objects.filter(human_loop_id__in=ids, step=step.step).values_list("human_loop_id", flat=True)
        )
        new = [loop for loop in loops if loop["id"] not in done]
        if not new:
            return 0
        LoopStep.objects.bulk_create(
            [LoopStep(human_loop_id=loop["id"], step=step.step) for loop in new], ignore_conflicts=True
        )
        _remind_holders(step, new, _deadline_text(step.config, step.at_seconds))
    return len(new)


def _deadline_text(config: deadlines.Deadlines, at_seconds: int) -> str:
    if config.deadline_seconds is None:
        return "please take it soon"
    left = max(config.deadline_seconds - at_seconds, 0)
    what = "it fails" if config.on_timeout == deadlines.FAIL else f"it is {config.on_timeout}d"
    return f"in {_minutes(left)} {what} (deadline {_minutes(config.deadline_seconds)} after it started)"


def _minutes(seconds: int) -> str:
    return f"{seconds // 60} min" if seconds % 60 == 0 else f"{seconds} s"


def _remind_holders(step: _Step, loops: list, deadline: str) -> None:
    flow = step.flow
    holders = ReviewTask.objects.filter(
        human_loop_id__in=[loop["id"] for loop in loops], state=ReviewTask.State.LEASED
    ).values_list("human_loop_id", "worker_id", "workteam_id")
    by_id = {loop["id"]: loop for loop in loops}
    teams = {team.id: team for team in Workteam.objects.filter(id__in={team for _, _, team in holders})}
    team_channels = channels.channels_by_team(list(teams.values()))
    rows = []
    for loop_id, worker_id, team_id in holders:
        if not channels.wants(worker_id, team_id):
            continue
        for channel in team_channels.get(team_id, []):
            if not channel.per_reviewer:
                continue  # a reminder is for the one reviewer holding the task
            rows.append(
                Delivery(
                    account_id=flow.account_id,
                    channel=channel,
                    recipient_id=worker_id,
                    workteam_id=team_id,
                    kind=Delivery.Kind.REMINDER,
                    dedupe_key=f"{step.step}:{loop_id}:{channel.id}:{worker_id}",
                    message=messages.reminder(
                        flow, by_id[loop_id], user_id=worker_id, team_id=team_id, deadline=deadline
                    ),
                )
            )
    delivery.record(rows)
