"""What a reviewer can work on: the work list, the current lease, a task as shown or sent.

Claims, submits and releases go through flows.loops.lifecycle; this module only
reads, so the HTML portal and the JSON API see the same queue.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Exists, IntegerField, OuterRef, Subquery
from django.urls import reverse

from flows.definitions import versions
from flows.delivery import outputs
from flows.loops import lifecycle, lookups
from flows.models import FlowDefinition, HumanLoop, ReviewTask, TaskExclusion
from hitl.kernel import clock
from hitl.kernel.errors import HitlError
from review_ui import grants, rendering
from workforce.models import Workteam

TaskState = ReviewTask.State


@dataclass
class FlowWork:
    flow: FlowDefinition
    waiting: int
    more: bool = False  # more than `waiting` loops wait (WAITING_COUNTED_UP_TO)


@dataclass
class TeamWork:
    team: Workteam
    flows: list[FlowWork] = field(default_factory=list)


# The work list counts the loops waiting in a flow up to this many, and then says "100+": an exact
# count reads every open task of the flow: 1.7-2.2 s at 1,000,000 open loops, 70-90 ms bounded (bench/README.md).
WAITING_COUNTED_UP_TO = 100
# A loop has at most a few open tasks at once (TaskCount, or adaptive overlap's); reading this many
# tasks per counted loop finds WAITING_COUNTED_UP_TO + 1 loops whenever that many wait.
_TASKS_READ_PER_LOOP = 10


class _CountOf(Subquery):
    """How many rows, or distinct loops, a (sliced) task subquery gives: SQL's count over a derived table."""

    def __init__(self, queryset: Any, *, loops: bool) -> None:
        what = "DISTINCT counted.human_loop_id" if loops else "*"
        self.template = f"(SELECT count({what}) FROM (%(subquery)s) counted)"
        super().__init__(queryset, output_field=IntegerField())


def work_list(user: AbstractBaseUser) -> list[TeamWork]:
    """Return, per team of `user`, the flows with tasks this reviewer could take and how many.

    A loop counts once even when it has several open tasks, because a
    reviewer answers at most one task per loop. Counted up to WAITING_COUNTED_UP_TO,
    in one query however many flows there are.
    """
    team_ids = lifecycle.team_ids_of(user)
    if not team_ids:
        return []
    now = clock.now()
    excluded = TaskExclusion.objects.filter(worker=user, human_loop_id=OuterRef("human_loop_id"))
    takeable = ReviewTask.objects.filter(flow_definition_id=OuterRef("id"), available_until__gt=now).filter(
        ~Exists(excluded)
    )
    limit = (WAITING_COUNTED_UP_TO + 1) * _TASKS_READ_PER_LOOP
    # Open tasks in the order of their index (review_task_open_flow_idx), so the read stops at the limit.
    open_tasks = takeable.filter(state=TaskState.OPEN).order_by("id").values("human_loop_id")[:limit]
    # Leases that ran out (the sweep will reopen them: few), of loops with no open task (counted above).
    open_in_loop = ReviewTask.objects.filter(human_loop_id=OuterRef("human_loop_id"), state=TaskState.OPEN)
    expired = takeable.filter(state=TaskState.LEASED, lease_expires_at__lte=now).filter(~Exists(open_in_loop))
    flows = (
        FlowDefinition.objects.filter(workteam_id__in=team_ids)
        .annotate(
            open_loops=_CountOf(open_tasks, loops=True),
            open_read=_CountOf(open_tasks, loops=False),
            expired_loops=_CountOf(expired.values("human_loop_id")[:limit], loops=True),
        )
        .order_by("name")
    )
    teams = {team.id: TeamWork(team) for team in Workteam.objects.filter(id__in=team_ids).order_by("name")}
    for flow in flows:
        waiting = flow.open_loops + flow.expired_loops
        if waiting:
            more = waiting > WAITING_COUNTED_UP_TO or flow.open_read >= limit
            teams[flow.workteam_id].flows.append(FlowWork(flow, min(waiting, WAITING_COUNTED_UP_TO), more))
    return list(teams.values())


def flows_named(user: AbstractBaseUser, name: str) -> list[FlowDefinition]:
    """Return the flows called `name` that belong to one of the reviewer's teams (one per account)."""
    return lookups.reviewer_flows_named(user.pk, name)


def claim_in_flows(
    user: AbstractBaseUser, flows: list[FlowDefinition] | None, *, ahead: bool = False
) -> ReviewTask | None:
    """Claim the next task, from any of `flows` (None: from any of the reviewer's teams); `ahead`: to be shown later."""
    if flows is None:
        return lifecycle.claim_next_task(user, ahead=ahead)
    for flow in flows:
        task = lifecycle.claim_next_task(user, flow=flow, ahead=ahead)
        if task is not None:
            return task
    return None


def current_lease(user: AbstractBaseUser, flows: list[FlowDefinition] | None = None) -> ReviewTask | None:
    """Return a task `user` still holds (lease not expired), so a page reload resumes it."""
    tasks = ReviewTask.objects.filter(worker=user, state=TaskState.LEASED, lease_expires_at__gt=clock.now())
    if flows is not None:
        tasks = tasks.filter(flow_definition__in=flows)
    return tasks.select_related("flow_definition", "human_loop__template").order_by("accepted_at", "id").first()


def claim_ahead(user: AbstractBaseUser, flows: list[FlowDefinition] | None, shown_task_id: int) -> ReviewTask | None:
    """Return the task claimed ahead of `shown_task_id` for the task page to load hidden, claiming it if need be.

    One ahead at most: a reviewer who already holds a task besides the one shown gets that one
    back (a reload of the page), never a further claim. The claim is lifecycle's own, so
    exclusions, pausing, gold items and team membership apply as to any claim.
    """
    held = ReviewTask.objects.filter(worker=user, state=TaskState.LEASED, lease_expires_at__gt=clock.now())
    if flows is not None:
        held = held.filter(flow_definition__in=flows)
    ahead = (
        held.exclude(id=shown_task_id)
        .select_related("human_loop")
        .defer("human_loop__input_content", "human_loop__input_json", "human_loop__activation_output")
        .order_by("accepted_at", "id")
        .first()
    )
    return ahead or claim_in_flows(user, flows, ahead=True)


def held_task(user: AbstractBaseUser, task_id: int) -> ReviewTask | None:
    """Return task `task_id` if `user` holds its lease right now."""
    return (
        ReviewTask.objects.filter(id=task_id, worker=user, state=TaskState.LEASED, lease_expires_at__gt=clock.now())
        .select_related("flow_definition", "human_loop__template")
        .first()
    )


UNRENDERABLE_REASON = (
    "The task could not be shown to reviewers: {reason}. Fix the template or the input and start a new loop."
)


class TaskWithdrawn(HitlError):
    """A claimed task could not be rendered, so its loop was failed (review_ui.work.render_task)."""

    status = 422


def render_task(task: ReviewTask, user: AbstractBaseUser, *, base_url: str = "") -> str:
    """Render the loop's own template snapshot with its input, for `user` who holds the task.

    Object URLs in it are bound to the loop's account, the task and `user` (review_ui.grants).
    A task that cannot be rendered (over the render budget, or broken) would
    fail the same way for every reviewer, so its loop is failed with the
    reason (FailureCode ValidationError) and UnrenderableTask is raised again
    for the caller to show: it is never handed out again.
    """
    loop = task.human_loop
    object_grants = grants.ObjectGrants.for_task(task, user)
    try:
        return rendering.render_task_template(
            loop.template.content, loop.input_json, base_url=base_url, object_grants=object_grants
        )
    except rendering.UnrenderableTask as exc:
        lifecycle.fail_human_loop(
            task.human_loop_id,
            failure_code=HumanLoop.FailureCode.VALIDATION_ERROR,
            failure_reason=UNRENDERABLE_REASON.format(reason=exc.reason),
        )
        raise


def seconds_left(task: ReviewTask) -> int:
    return max(0, int((task.lease_expires_at - clock.now()).total_seconds()))


def task_payload(task: ReviewTask, user: AbstractBaseUser, *, base_url: str = "") -> dict[str, Any]:
    """Return the reviewer API's description of a claimed task.

    A claim comes with its loop's name, input and template; the flow (with its account, for the
    ARN) comes from the process cache.
    """
    loop = task.human_loop
    flow = lookups.flow_by_id(task.flow_definition_id)
    return {
        "taskId": task.id,
        "humanLoopName": loop.name,
        "flowDefinitionArn": outputs.flow_arn(flow),
        "title": versions.pinned_settings(loop)["task_title"],
        "input": loop.input_json,
        "html": render_task(task, user, base_url=base_url),
        "leaseExpiresAt": outputs.iso_millis(task.lease_expires_at),
    }


def ahead_payload(task: ReviewTask) -> dict[str, Any]:
    """Return what the task page needs to load a task claimed ahead and later put it on the screen."""
    pinned = versions.pinned_settings(task.human_loop)  # the title and description of the loop's version
    return {
        "taskId": task.id,
        "title": pinned["task_title"],
        "description": pinned["task_description"],
        "secondsLeft": seconds_left(task),
        "frameUrl": reverse("review_ui:task_frame", args=[task.id]),
        "submitUrl": reverse("review_ui:api_submit", args=[task.id]),
        "releaseUrl": reverse("review_ui:release", args=[task.id]),
        "apiReleaseUrl": reverse("review_ui:api_release", args=[task.id]),
        "showUrl": reverse("review_ui:api_show", args=[task.id]),
    }
