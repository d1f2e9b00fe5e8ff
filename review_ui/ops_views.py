"""Pages for team leads (their team's queue and throughput) and the operations dashboard."""

from __future__ import annotations

import datetime as dt

from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import login_required
from django.db.models import Avg, Count, F, Q, QuerySet
from django.db.models.functions import TruncDate
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from flows.models import HumanLoop, ReviewTask
from hitl.kernel import clock
from workforce import roles
from workforce.models import Workteam

WINDOW_DAYS = 14


def backlog_tasks(tasks: QuerySet) -> QuerySet:
    """Return the open and leased tasks among `tasks` that can still be answered.

    A loop past its lifetime is failed by the expiry sweep, which on the
    embedded default runs a batch at a time in the web process: until it gets
    there, its tasks are still "open" in the table but nobody can answer them.
    """
    return tasks.filter(state__in=["open", "leased"], available_until__gt=clock.now())


@login_required
def team_list(request: HttpRequest) -> HttpResponse:
    """List the teams the user leads or administers."""
    teams = roles.supervised_teams(request.user).select_related("account").order_by("name")
    return render(request, "ops/team_list.html", {"teams": teams})


@login_required
def team_queue(request: HttpRequest, team_id: int) -> HttpResponse:
    """Show one team's open and leased tasks and each reviewer's throughput (leads and admins only)."""
    team = roles.supervised_teams(request.user).filter(id=team_id).first()
    if team is None:
        raise Http404("No such team.")  # same answer for "exists but not yours"
    return render(request, "ops/team_queue.html", {"team": team, **_team_stats(team)})


def _team_stats(team: Workteam) -> dict:
    since = clock.now() - dt.timedelta(days=WINDOW_DAYS)
    tasks = ReviewTask.objects.filter(workteam=team)
    return {
        "open_count": backlog_tasks(tasks).filter(state="open").count(),
        "leases": tasks.filter(state="leased").select_related("worker", "human_loop").order_by("lease_expires_at"),
        "reviewers": (
            tasks.filter(state="submitted", submitted_at__gte=since)
            .values("worker__username")
            .annotate(submitted=Count("id"), avg_seconds=Avg("time_spent_seconds"))
            .order_by("-submitted")
        ),
        "window_days": WINDOW_DAYS,
    }


@staff_member_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Charts of backlog, time to complete, throughput per reviewer and human-vs-model disagreement.

    Of the accounts the staff member administers (all, for a superuser).
    """
    since = clock.now() - dt.timedelta(days=WINDOW_DAYS)
    tasks = roles.scope_to_accounts(ReviewTask.objects.all(), request.user, "workteam__account")
    loops = roles.scope_to_accounts(HumanLoop.objects.all(), request.user)
    backlog = list(
        backlog_tasks(tasks)
        .values("workteam__name")
        .annotate(open=Count("id", filter=Q(state="open")), leased=Count("id", filter=Q(state="leased")))
        .order_by("workteam__name")
    )
    per_day = list(
        loops.filter(finished_at__gte=since, status="Completed")
        .annotate(day=TruncDate("finished_at"))
        .values("day")
        .annotate(completed=Count("id"), avg_duration=Avg(F("finished_at") - F("created_at")))
        .order_by("day")
    )
    throughput = list(
        tasks.filter(state="submitted", submitted_at__gte=since)
        .values("worker__username")
        .annotate(submitted=Count("id"), avg_seconds=Avg("time_spent_seconds"))
        .order_by("-submitted")[:50]
    )
    for row in per_day:
        row["avg_minutes"] = round(row["avg_duration"].total_seconds() / 60, 1) if row["avg_duration"] else 0
    context = {
        "disagreement": _with_bars(_model_disagreement_per_day(tasks, since), "rate"),
        "backlog": _with_bars(backlog, "open"),
        "per_day": _with_bars(_with_bars(per_day, "completed"), "avg_minutes", "duration_bar"),
        "throughput": _with_bars(throughput, "submitted"),
        "window_days": WINDOW_DAYS,
    }
    return render(request, "ops/dashboard.html", context)


def _model_disagreement_per_day(tasks: QuerySet, since: dt.datetime, limit: int = 5000) -> list[dict]:
    """Per day, the share of human answers whose label differs from the model's prediction.

    Only loops started by a model router (activation output with a
    ModelPrediction: {"Label", "AnswerKey"}) have a prediction to compare.
    """
    answers = (
        tasks.filter(state="submitted", submitted_at__gte=since, human_loop__activation_output__isnull=False)
        .values_list("submitted_at", "answer", "human_loop__activation_output")
        .order_by("-submitted_at")[:limit]
    )
    days: dict[dt.date, list[int]] = {}
    for submitted_at, answer, activation in answers:
        prediction = (activation or {}).get("ModelPrediction") or {}
        human = (answer or {}).get(prediction.get("AnswerKey") or "label")
        if "Label" not in prediction or not isinstance(human, dict) or "label" not in human:
            continue
        counts = days.setdefault(submitted_at.date(), [0, 0])
        counts[0] += 1
        counts[1] += str(human["label"]) != str(prediction["Label"])
    return [
        {"day": day, "compared": compared, "disagreed": disagreed, "rate": round(100 * disagreed / compared, 1)}
        for day, (compared, disagreed) in sorted(days.items())
    ]


def _with_bars(rows: list[dict], field: str, key: str = "bar") -> list[dict]:
    """Add each row's bar width (percent of the largest value) for the CSS bar charts."""
    top = max((row[field] or 0 for row in rows), default=0) or 1
    for row in rows:
        row[key] = round(100 * (row[field] or 0) / top)
    return rows
