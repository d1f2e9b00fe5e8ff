"""A reviewer's own record: what they submitted (answers, read-only), counts, time per task, gold accuracy.

Everything here is filtered by the signed-in reviewer; nobody else's tasks are ever read.
Gold items are left out of the list (showing them would reveal which loops are gold);
their score is shown per flow instead, from flows.models.ReviewerStanding.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Avg, Count, Sum

from flows.models import FlowDefinition, ReviewerStanding, ReviewTask

RECENT_LIMIT = 50


@dataclass
class SubmittedTask:
    task_id: int
    title: str
    submitted_at: datetime
    seconds: float | None
    answer_json: str


@dataclass
class FlowRecord:
    title: str
    submitted: int
    mean_seconds: float | None
    gold_answered: int = 0
    gold_correct: int = 0

    @property
    def gold_accuracy_percent(self) -> int | None:
        return round(100 * self.gold_correct / self.gold_answered) if self.gold_answered else None


@dataclass
class History:
    recent: list[SubmittedTask]
    flows: list[FlowRecord]
    submitted: int
    total_seconds: float

    @property
    def mean_seconds(self) -> float | None:
        return self.total_seconds / self.submitted if self.submitted else None


def reviewer_history(user: AbstractBaseUser, limit: int = RECENT_LIMIT) -> History:
    """Return `user`'s latest `limit` submitted answers and their totals per flow."""
    own = ReviewTask.objects.filter(worker=user, state=ReviewTask.State.SUBMITTED, human_loop__is_gold=False)
    per_flow = {
        row["flow_definition_id"]: row
        for row in own.values("flow_definition_id").annotate(
            n=Count("id"), mean=Avg("time_spent_seconds"), total=Sum("time_spent_seconds")
        )
    }
    standings = {s.flow_definition_id: s for s in ReviewerStanding.objects.filter(worker=user, gold_answered__gt=0)}
    titles = dict(FlowDefinition.objects.filter(id__in=set(per_flow) | set(standings)).values_list("id", "task_title"))
    flows = []
    for flow_id, title in sorted(titles.items(), key=lambda item: item[1]):
        row = per_flow.get(flow_id, {"n": 0, "mean": None})
        standing = standings.get(flow_id)
        flows.append(
            FlowRecord(
                title=title,
                submitted=row["n"],
                mean_seconds=row["mean"],
                gold_answered=standing.gold_answered if standing else 0,
                gold_correct=standing.gold_correct if standing else 0,
            )
        )
    recent = [
        SubmittedTask(
            task_id=task.id,
            title=titles.get(task.flow_definition_id, ""),
            submitted_at=task.submitted_at,
            seconds=task.time_spent_seconds,
            answer_json=json.dumps(task.answer, indent=2, sort_keys=True, ensure_ascii=False),
        )
        for task in own.order_by("-submitted_at", "-id")[:limit]
    ]
    return History(
        recent=recent,
        flows=flows,
        submitted=sum(row["n"] for row in per_flow.values()),
        total_seconds=sum(row["total"] or 0 for row in per_flow.values()),
    )
