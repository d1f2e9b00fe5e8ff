"""The console's charts page and the one JSON endpoint that feeds it, scoped to the admin's accounts."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from console import charts
from console.access import accounts, console_view, scoped
from flows.models import HumanLoop, ReviewTask

WINDOWS = (1, 7, 14, 30)


def _days(request: HttpRequest) -> int:
    try:
        days = int(request.GET.get("days", 7))
    except ValueError:
        days = 7
    return days if days in WINDOWS else 7


@console_view
def charts_page(request: HttpRequest) -> HttpResponse:
    """Backlog, completions per hour, time to complete, agreement and reviewers, drawn by Chart.js."""
    return render(request, "console/charts.html", {"windows": WINDOWS, "days": _days(request)})


@console_view
def charts_data(request: HttpRequest) -> JsonResponse:
    """Every chart's series (console.charts.charts) for the admin's accounts."""
    loops = scoped(HumanLoop.objects.all(), request)
    tasks = scoped(ReviewTask.objects.all(), request, "workteam__account")
    return JsonResponse(charts.charts(loops, tasks, accounts(request), days=_days(request)))
