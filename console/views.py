"""Console pages: home. Each view is wrapped in console.access.console_view and scopes its rows."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from console import numbers
from console.access import console_view, scoped
from flows.models import FlowDefinition, HumanLoop, ReviewTask


@console_view
def home(request: HttpRequest) -> HttpResponse:
    """Backlog, throughput, time to complete and agreement at a glance, and every flow with its numbers."""
    loops = scoped(HumanLoop.objects.filter(deleted_at__isnull=True, is_gold=False), request)
    tasks = scoped(ReviewTask.objects.all(), request, "workteam__account")
    flows = scoped(FlowDefinition.objects.filter(deleted_at__isnull=True), request)
    flows = flows.select_related("account", "workteam", "human_task_ui").order_by("account__name", "name")
    context = {"glance": numbers.glance(loops, tasks), "flows": numbers.flow_rows(flows, loops)}
    return render(request, "console/home.html", context)
