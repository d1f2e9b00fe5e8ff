"""The numbers behind the console's charts, for the admin's (already scoped) loops and tasks.

Each series is a few aggregate queries over the window (GROUP BY hour or day
in the database); the two that need per-row values, time-to-complete
percentiles and agreement, read a bounded sample of the newest rows, so no
chart's cost grows with the size of the loops table beyond the window.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Avg, Count, Q, QuerySet, Sum
from django.db.models.functions import TruncDate, TruncHour

from flows.models import HumanLoop, ReviewerStanding, ReviewTask
from hitl.kernel import clock
from inference_adapters.quality import flow_quality as quality

DURATION_SAMPLE = 20_000  # newest completions read for the time-to-complete percentiles
AGREEMENT_SAMPLE = 2_000  # newest finished loops read for agreement
PERCENTILES = (50, 90, 99)


def charts(
    loops: QuerySet[HumanLoop], tasks: QuerySet[ReviewTask], accounts: QuerySet, *, days: int = 7
) -> dict[str, Any]:
    """Return every chart's series over the last `days` days (hours as ISO strings, in UTC).

    `loops` and `tasks` are scoped to `accounts` already; gold accuracy counts those accounts' flows only.
    """
    now = clock.now()
    since = (now - dt.timedelta(days=days)).replace(minute=0, second=0, microsecond=0)
    hours = [since + dt.timedelta(hours=n) for n in range(int((now - since).total_seconds() // 3600) + 1)]
    loops = loops.filter(deleted_at__isnull=True, is_gold=False)
    return {
        "since": since.isoformat(),
        "hours": [hour.isoformat() for hour in hours],
        "backlog": _backlog(loops, since, hours),
        "completions": _per_hour(loops.filter(status="Completed", finished_at__gte=since), "finished_at", hours),
        "time_to_complete": _time_to_complete(loops, since),
        "agreement": _agreement(loops, since),
        "reviewers": _reviewers(tasks, accounts, since),
    }


def _per_hour(queryset: QuerySet, field: str, hours: list[dt.datetime]) -> list[int]:
    counts = dict(
        queryset.annotate(hour=TruncHour(field)).values("hour").annotate(n=Count("id")).values_list("hour", "n")
    )
    return [counts.get(hour, 0) for hour in hours]


def _backlog(loops: QuerySet[HumanLoop], since: dt.datetime, hours: list[dt.datetime]) -> list[int]:
    """Open loops at the end of each hour: open at the start, plus started, minus finished since."""
    open_at_start = loops.filter(Q(finished_at__isnull=True) | Q(finished_at__gte=since), created_at__lt=since).count()
    started = _per_hour(loops.filter(created_at__gte=since), "created_at", hours)
    finished = _per_hour(loops.filter(finished_at__gte=since), "finished_at", hours)
    series, level = [], open_at_start
    for began, ended in zip(started, finished, strict=True):
        level += began - ended
        series.append(level)
    return series


def _percentile(values: list[float], percent: int) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(percent / 100 * (len(ordered) - 1))))
    return ordered[index]


def _time_to_complete(loops: QuerySet[HumanLoop], since: dt.datetime) -> dict[str, Any]:
    """Per day, the p50/p90/p99 minutes from start to completion of the newest DURATION_SAMPLE completions."""
    rows = (
        loops.filter(status="Completed", finished_at__gte=since)
        .order_by("-finished_at")
        .values_list("finished_at", "created_at")[:DURATION_SAMPLE]
    )
    per_day: dict[dt.date, list[float]] = defaultdict(list)
    for finished_at, created_at in rows:
        per_day[finished_at.date()].append((finished_at - created_at).total_seconds() / 60)
    days = sorted(per_day)
    return {
        "days": [day.isoformat() for day in days],
        **{f"p{p}": [round(_percentile(per_day[day], p), 1) for day in days] for p in PERCENTILES},
    }


def _agreement(loops: QuerySet[HumanLoop], since: dt.datetime) -> dict[str, Any]:
    """Per day, the mean pairwise agreement on categorical answers of the newest finished multi-answer loops."""
    finished = dict(
        loops.filter(status="Completed", finished_at__gte=since)
        .order_by("-finished_at")
        .values_list("id", "finished_at")[:AGREEMENT_SAMPLE]
    )
    answers: dict[int, list[dict[str, Any]]] = defaultdict(list)
    rows = ReviewTask.objects.filter(human_loop_id__in=list(finished), state="submitted").values_list(
        "human_loop_id", "worker_id", "answer"
    )
    for loop_id, worker_id, answer in rows.order_by():
        answers[loop_id].append({"workerId": str(worker_id), "answerContent": answer or {}})
    per_day: dict[dt.date, list[float]] = defaultdict(list)
    for loop_id, given in answers.items():
        if len(given) < 2:
            continue
        fields = quality.consolidate({"humanAnswers": given})["agreement"].values()
        pairwise = [field["pairwiseAgreement"] for field in fields if field["pairwiseAgreement"] is not None]
        if pairwise:
            per_day[finished[loop_id].date()].append(sum(pairwise) / len(pairwise))
    days = sorted(per_day)
    return {
        "days": [day.isoformat() for day in days],
        "rate": [round(sum(per_day[day]) / len(per_day[day]), 3) for day in days],
        "loops": [len(per_day[day]) for day in days],
    }


def _reviewers(
    tasks: QuerySet[ReviewTask], accounts: QuerySet, since: dt.datetime, limit: int = 25
) -> list[dict[str, Any]]:
    """The busiest reviewers of the window: answers, answers per day, average seconds, gold accuracy."""
    rows = list(
        tasks.filter(state="submitted", submitted_at__gte=since)
        .values("worker_id", "worker__username")
        .annotate(answers=Count("id"), avg_seconds=Avg("time_spent_seconds"))
        .order_by("-answers")[:limit]
    )
    per_day = defaultdict(dict)
    for worker_id, day, n in (
        tasks.filter(state="submitted", submitted_at__gte=since, worker_id__in=[row["worker_id"] for row in rows])
        .annotate(day=TruncDate("submitted_at"))
        .values("worker_id", "day")
        .annotate(n=Count("id"))
        .values_list("worker_id", "day", "n")
    ):
        per_day[worker_id][day.isoformat()] = n
    standings = ReviewerStanding.objects.filter(
        worker_id__in=[row["worker_id"] for row in rows], flow_definition__account__in=accounts
    )
    gold = {
        row["worker_id"]: row
        for row in standings.values("worker_id").annotate(answered=Sum("gold_answered"), correct=Sum("gold_correct"))
    }
    result = []
    for row in rows:
        standing = gold.get(row["worker_id"])
        accuracy = None
        if standing and standing["answered"]:
            accuracy = round(standing["correct"] / standing["answered"], 3)
        result.append(
            {
                "reviewer": row["worker__username"],
                "answers": row["answers"],
                "avg_seconds": round(row["avg_seconds"], 1) if row["avg_seconds"] is not None else None,
                "per_day": per_day[row["worker_id"]],
                "gold_accuracy": accuracy,
            }
        )
    return result
