"""Adaptive overlap (`hitl:overlap=adaptive:MIN:MAX:TARGET`): when a loop has enough answers.

A loop of such a flow starts with MIN review tasks. After each answer, once
MIN answers count, the loop is done when the consolidated confidence of every
categorical question reaches TARGET, or when MAX answers count; otherwise,
when no task of the loop is open or held, one more task is added. Answers of
reviewers paused on the flow (flows.quality.gold) do not count. Flows without the tag
keep A2I's rule: done at TaskCount answers (flows.loops.lifecycle._decide_finish).

Called by flows.loops.lifecycle._decide_finish, which both submit paths (the ORM
one and flows.loops.hot_sql's) go through, with the loop row locked.
"""

from __future__ import annotations

from flows.definitions import versions
from flows.models import HumanLoop, ReviewTask
from flows.quality import gold, quality_config
from flows.quality.quality_config import Overlap
from hitl.kernel import clock


def has_enough_answers(loop: HumanLoop, overlap: Overlap, submitted: int, leased: int) -> bool:
    """Return True when the locked loop is done; else make sure one more task is waiting and return False."""
    if submitted < overlap.minimum:
        return False
    rows = list(
        ReviewTask.objects.filter(human_loop_id=loop.id, state=ReviewTask.State.SUBMITTED)
        .order_by("submitted_at", "id")
        .values_list("worker_id", "worker__worker__worker_id", "answer")
    )
    paused = gold.paused_worker_ids(loop.flow_definition_id)
    counted = [(worker_id, answer) for user_id, worker_id, answer in rows if user_id not in paused]
    if len(counted) >= overlap.maximum:
        return True
    if len(counted) >= overlap.minimum:
        confidence = quality_config.answers_confidence(versions.pinned_flow(loop), counted)
        if confidence is None or confidence >= overlap.target:
            return True
    waiting = leased + ReviewTask.objects.filter(human_loop_id=loop.id, state=ReviewTask.State.OPEN).count()
    if waiting == 0:
        ReviewTask.objects.create(
            human_loop_id=loop.id,
            flow_definition_id=loop.flow_definition_id,
            workteam_id=versions.pinned_settings(loop)["workteam_id"],
            available_until=loop.expires_at,
            created_at=clock.now(),
        )
    return False
