"""Console pages for loops: the list with its search and bulk stop, and one loop's page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from console import checking, loop_page, loop_search
from console.access import accounts, console_view, scoped
from flows.loops import lifecycle
from flows.models import FlowDefinition, HumanLoop
from hitl.kernel.errors import HitlError, InvalidInput
from workforce.audit import trail as audit

BULK_LIMIT = 500  # loops one bulk stop may name (a page holds 50)
# What the list reads of a loop: not its input (up to 3 MiB, as text and as JSON), nor a join.
LIST_FIELDS = ("id", "name", "status", "created_at", "finished_at", "account_id", "flow_definition_id")
_ANY_ID = 987654321  # a stand-in id: the loop page's URL is reversed once per list, not once per row


def _loops(request: HttpRequest):
    return scoped(HumanLoop.objects.filter(deleted_at__isnull=True, is_gold=False), request)


@console_view
def loop_list(request: HttpRequest) -> HttpResponse:
    """Search and filter the admin's loops, newest first, one keyset page at a time."""
    filters, errors = loop_search.parse_filters(request.GET)
    # Scoped by account_ids: page() reads the loops of each of the admin's accounts, and no other.
    account_ids = list(accounts(request).values_list("id", flat=True))
    live = HumanLoop.objects.filter(deleted_at__isnull=True, is_gold=False)
    loops = loop_search.apply(live, filters).only(*LIST_FIELDS)
    rows, next_cursor = loop_search.page(loops, account_ids, request.GET.get("after", ""), text=filters.text)
    flows = list(
        scoped(FlowDefinition.objects.filter(deleted_at__isnull=True), request).order_by("name").values("id", "name")
    )
    query = request.GET.copy()
    query.pop("after", None)
    context = {
        "filters": filters,
        "errors": errors,
        "loops": _list_rows(rows, {flow["id"]: flow["name"] for flow in flows}),
        "next_cursor": next_cursor,
        "query": query.urlencode(),
        "first_page": not request.GET.get("after"),
        "statuses": HumanLoop.Status.values,
        "flows": flows,
    }
    return render(request, "console/loop_list.html", context, status=400 if errors else 200)


@dataclass(frozen=True, slots=True)
class ListedLoop:
    pk: int
    name: str
    url: str
    flow: str
    status: str
    started: str
    finished: str


def _list_rows(loops: list[HumanLoop], flow_names: dict[int, str]) -> list[ListedLoop]:
    """The list's rows as plain values: formatting 50 rows in the template (date filters, {% url %}) was
    most of the page's CPU at a million loops."""
    missing = {loop.flow_definition_id for loop in loops} - flow_names.keys()
    if missing:  # a loop of a deleted flow: its name is still shown
        flow_names = {**flow_names, **dict(FlowDefinition.objects.filter(id__in=missing).values_list("id", "name"))}
    url = reverse("console:loop", args=[_ANY_ID])
    return [
        ListedLoop(
            pk=loop.pk,
            name=loop.name,
            url=url.replace(str(_ANY_ID), str(loop.pk)),
            flow=flow_names.get(loop.flow_definition_id, ""),
            status=loop.status,
            started=_shown(loop.created_at),
            finished=_shown(loop.finished_at),
        )
        for loop in loops
    ]


def _shown(moment: dt.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S") if moment else "–"


@console_view
@require_POST
def loop_bulk_stop(request: HttpRequest) -> HttpResponse:
    """Stop the selected loops through the lifecycle (as StopHumanLoop does), each audited."""
    ids = [value for value in request.POST.getlist("loop") if value.isdigit()][:BULK_LIMIT]
    stopped, refused = 0, []
    for loop in _loops(request).filter(id__in=ids).select_related("account").order_by("id"):
        try:
            lifecycle.stop_human_loop(account=loop.account, name=loop.name)
        except HitlError as exc:
            refused.append(f"{loop.name}: {exc.message}")
            audit.record_admin(request, "StopHumanLoop", loop, result=type(exc).__name__, message=exc.message)
            continue
        audit.record_admin(request, "StopHumanLoop", loop)
        stopped += 1
    if not ids:
        messages.info(request, "Select the loops to stop first.")
    else:
        messages.success(request, f"Stopped {stopped} loop(s).")
    for refusal in refused:
        messages.warning(request, refusal)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}) or not back.startswith("/"):
        back = "console:loops"
    return redirect(back)


@console_view
def loop_detail(request: HttpRequest, loop_id: int) -> HttpResponse:
    """One loop: its task with each reviewer's answer drawn on it, the consolidated answer, checks, timeline."""
    loop = _loops(request).select_related("account", "flow_definition", "template").filter(pk=loop_id).first()
    if loop is None:
        raise Http404("No such loop.")
    return render(request, "console/loop_detail.html", loop_page.context(request, loop))


@console_view
@require_POST
def loop_check(request: HttpRequest, loop_id: int) -> HttpResponse:
    """Accept, correct or send back the loop's answer (console.checking), then show the loop again."""
    loop = _loops(request).select_related("account", "flow_definition").filter(pk=loop_id).first()
    if loop is None:
        raise Http404("No such loop.")
    decision, note = request.POST.get("decision", ""), request.POST.get("note", "")
    try:
        if decision == "accept":
            checking.accept(request, loop, note)
            messages.success(request, "Answer accepted.")
        elif decision == "correct":
            checking.correct(request, loop, request.POST.get("answer", ""), note)
            messages.success(request, "Correction recorded beside the reviewers' answers.")
        elif decision == "send_back":
            checking.send_back(request, loop, note)
            messages.success(request, "Sent back: the loop waits for one more reviewer's answer.")
        else:
            raise InvalidInput(["Choose accept, correct or send back."])
    except HitlError as exc:
        loop.refresh_from_db()
        context = loop_page.context(request, loop)
        context["check_error"] = f"{exc.aws_code}: {exc.message}"
        context["correction_text"] = request.POST.get("answer", "")
        return render(request, "console/loop_detail.html", context, status=exc.status)
    return redirect("console:loop", loop_id=loop.pk)
