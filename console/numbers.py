"""The numbers the console shows at a glance: backlog, throughput, time to complete, agreement.

Every function takes already-scoped querysets (console.access.scoped) and runs a few aggregate
queries; none loads loops into memory except `agreement`, which reads the answers of a bounded
sample of the newest finished loops.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Avg, Count, F, Q, QuerySet

from flows.models import HumanLoop, ReviewTask
from hitl.kernel import clock
from inference_adapters.quality import flow_quality as quality

AGREEMENT_SAMPLE = 200  # newest finished multi-reviewer loops read for the agreement figure


@dataclass(frozen=True)
class Glance:
    open_loops: int
    open_tasks: int
    leased_tasks: int
    submitted_24h: int
    submitted_7d: int
    completed_7d: int
    avg_minutes_to_complete: float | None
    agreement: float | None  # share of reviewer pairs that gave the same categorical answer
    agreement_loops: int


def glance(loops: QuerySet[HumanLoop], tasks: QuerySet[ReviewTask]) -> Glance:
    """Return the home page's figures for the given (scoped) loops and tasks."""
    now = clock.now()
    day, week = now - dt.timedelta(days=1), now - dt.timedelta(days=7)
    # A loop past its lifetime is failed on its next read or sweep; until then it is not backlog.
    task_counts = tasks.filter(state__in=["open", "leased"], available_until__gt=now).aggregate(
        open=Count("id", filter=Q(state="open")), leased=Count("id", filter=Q(state="leased"))
    )
    submitted = tasks.filter(state="submitted", submitted_at__gte=week).aggregate(
        day=Count("id", filter=Q(submitted_at__gte=day)), week=Count("id")
    )
    completed = loops.filter(status="Completed", finished_at__gte=week).aggregate(
        count=Count("id"), avg=Avg(F("finished_at") - F("created_at"))
    )
    rate, sampled = agreement(loops)
    return Glance(
        open_loops=loops.filter(status__in=HumanLoop.OPEN, expires_at__gt=now).count(),
        open_tasks=task_counts["open"],
        leased_tasks=task_counts["leased"],
        submitted_24h=submitted["day"],
        submitted_7d=submitted["week"],
        completed_7d=completed["count"],
        avg_minutes_to_complete=round(completed["avg"].total_seconds() / 60, 1) if completed["avg"] else None,
        agreement=rate,
        agreement_loops=sampled,
    )


def per_flow(loops: QuerySet[HumanLoop]) -> dict[int, dict[str, int]]:
    """Return {flow id: {"open": n, "completed_7d": n}} over the given (scoped) loops."""
    now = clock.now()
    week = now - dt.timedelta(days=7)
    rows = (
        loops.filter(Q(status__in=HumanLoop.OPEN, expires_at__gt=now) | Q(status="Completed", finished_at__gte=week))
        .values("flow_definition_id")
        .annotate(
            open=Count("id", filter=Q(status__in=HumanLoop.OPEN)),
            completed_7d=Count("id", filter=Q(status="Completed")),
        )
    )
    return {row["flow_definition_id"]: {"open": row["open"], "completed_7d": row["completed_7d"]} for row in rows}


def flow_rows(flows: QuerySet, loops: QuerySet[HumanLoop]) -> list[dict[str, Any]]:
    """Return [{"flow", "open", "completed_7d"}] for the flows table of the home and flows pages."""
    counts = per_flow(loops)
    return [{"flow": flow, **counts.get(flow.id, {"open": 0, "completed_7d": 0})} for flow in flows]


def agreement(loops: QuerySet[HumanLoop], sample: int = AGREEMENT_SAMPLE) -> tuple[float | None, int]:
    """Return (mean pairwise agreement on categorical answers, loops it covers) of the newest finished loops.

    Agreement per loop is inference_adapters.quality.flow_quality's pairwise agreement (the share of reviewer pairs
    that gave the same value), averaged over the loop's categorical fields; loops with fewer than two
    answers or no categorical field are left out.
    """
    finished = loops.filter(status="Completed").order_by("-finished_at").values_list("id", flat=True)[: sample * 2]
    answers: dict[int, list[dict[str, Any]]] = defaultdict(list)
    rows = (
        ReviewTask.objects.filter(human_loop_id__in=list(finished), state="submitted")
        .values_list("human_loop_id", "worker_id", "answer")
        .order_by()
    )
    for loop_id, worker_id, answer in rows:
        answers[loop_id].append({"workerId": str(worker_id), "answerContent": answer or {}})
    rates = []
    for given in answers.values():
        if len(given) < 2 or len(rates) >= sample:
            continue
        fields = quality.consolidate({"humanAnswers": given})["agreement"].values()
        pairwise = [field["pairwiseAgreement"] for field in fields if field["pairwiseAgreement"] is not None]
        if pairwise:
            rates.append(sum(pairwise) / len(pairwise))
    return (round(sum(rates) / len(rates), 3) if rates else None), len(rates)
