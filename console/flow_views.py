"""Console pages for flows: the list, the gallery, the new-flow form with its live preview, a flow's page."""

from __future__ import annotations

import datetime as dt
import json

from django.conf import settings
from django.contrib import messages
from django.db.models import Avg, Count, F, Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from console import flow_form, gallery, numbers
from console.access import console_view, scoped
from flows.models import FlowDefinition, HumanLoop, HumanTaskUi, ReviewTask
from hitl.kernel import arns, clock
from hitl.kernel.errors import HitlError, InvalidInput
from hitl.kernel.public_url import public_url
from review_ui import isolation, preview
from workforce.models import Workteam

FORM_FIELDS = (
    "name",
    "ui_name",
    "existing_ui",
    "template",
    "team",
    "task_title",
    "task_description",
    "task_count",
    "task_time_limit_seconds",
    "task_availability_lifetime_seconds",
    "task_keywords",
    "s3_output_path",
    "role_arn",
    "request_source",
    "activation_conditions",
)


def _live_flows(request: HttpRequest):
    return scoped(FlowDefinition.objects.filter(deleted_at__isnull=True), request)


@console_view
def flow_list(request: HttpRequest) -> HttpResponse:
    """Every flow of the admin's accounts with its open and recently completed loops."""
    flows = (
        _live_flows(request).select_related("account", "workteam", "human_task_ui").order_by("account__name", "name")
    )
    loops = scoped(HumanLoop.objects.filter(deleted_at__isnull=True, is_gold=False), request)
    return render(request, "console/flow_list.html", {"flows": numbers.flow_rows(flows, loops)})


@console_view
def flow_gallery(request: HttpRequest) -> HttpResponse:
    """Pick what a new flow starts from: an AWS sample template, a built-in task type, or an existing task UI."""
    uis = scoped(HumanTaskUi.objects.filter(status=HumanTaskUi.Status.ACTIVE), request)
    context = {
        "categories": gallery.by_category(),
        "built_in": gallery.built_in(),
        "uis": uis.select_related("account").order_by("account__name", "name"),
        "sample_count": len(gallery.samples()),
    }
    return render(request, "console/flow_gallery.html", context)


@console_view
def flow_new(request: HttpRequest, slug: str = "", ui_id: int | None = None) -> HttpResponse:
    """The new-flow form, started from a gallery sample (`slug`) or an existing task UI (`ui_id`)."""
    teams = scoped(Workteam.objects.all(), request).select_related("account").order_by("account__name", "name")
    if ui_id is not None:
        ui = scoped(HumanTaskUi.objects.select_related("template", "account"), request).filter(pk=ui_id).first()
        if ui is None:
            raise Http404("No such task UI.")
        start = {"title": ui.name, "template": ui.template.content, "existing_ui": ui.name, "source": ""}
        sample_input = gallery.sample_input(ui.template.content)
        teams = teams.filter(account=ui.account)
    else:
        sample = gallery.get(slug)
        start = {"title": sample.title, "template": sample.content, "existing_ui": "", "source": sample.request_source}
        sample_input = sample.sample_input()
    errors: list[str] = []
    if request.method == "POST":
        data = {name: request.POST.get(name, "") for name in FORM_FIELDS}
        data["existing_ui"] = start["existing_ui"]
        data["request_source"] = start["source"]
        team = teams.filter(pk=data["team"]).first() if data["team"].isdigit() else None
        try:
            if team is None:
                raise InvalidInput(["Choose the work team that answers this flow's tasks."])
            flow = flow_form.create_flow(team, data, created_by=request.user.get_username())
        except HitlError as exc:
            errors.append(f"{exc.aws_control_plane_code}: {exc.message}")
        else:
            messages.success(request, f"Flow {flow.name} created.")
            return redirect("console:flow", flow_id=flow.pk)
        sample_text = request.POST.get("sample_input", "")
    else:
        data = {
            **flow_form.DEFAULTS,
            "template": start["template"],
            "task_title": start["title"],
            "task_description": f"{start['title']}: read the instructions and answer.",
            "s3_output_path": flow_form.default_output_path(),
            "activation_conditions": gallery.DEFAULT_CONDITIONS.get(start["source"], ""),
        }
        sample_text = json.dumps(sample_input, indent=2, ensure_ascii=False)
    context = {
        "start": start,
        "data": data,
        "sample_text": sample_text,
        "teams": teams,
        "errors": errors,
        "sandbox": isolation.IFRAME_SANDBOX,
        "frame_url": reverse("review_ui:preview_frame") + "?preview=1",
        "preview_url": reverse("console:flow_preview"),
    }
    return render(request, "console/flow_new.html", context, status=400 if errors else 200)


@console_view
@require_POST
def flow_preview(request: HttpRequest) -> JsonResponse:
    """Check a template and sample input and keep them for the preview frame (review_ui.preview.keep_preview)."""
    teams = scoped(Workteam.objects.all(), request)
    team_id = request.POST.get("team", "")
    team = teams.filter(pk=team_id).first() if team_id.isdigit() else None
    account_ids = list(teams.values_list("account_id", flat=True).distinct()[:2])
    account_id = team.account_id if team else (account_ids[0] if len(account_ids) == 1 else None)
    errors = preview.keep_preview(request, request.POST.get("template", ""), request.POST.get("input", ""), account_id)
    if errors:
        return JsonResponse({"ok": False, "errors": errors}, status=400)
    return JsonResponse({"ok": True})


@console_view
def flow_detail(request: HttpRequest, flow_id: int) -> HttpResponse:
    """A flow's settings, its numbers, and a boto3 snippet that starts a loop on it."""
    flow = _live_flows(request).select_related("account", "workteam", "human_task_ui", "template")
    flow = flow.filter(pk=flow_id).first()
    if flow is None:
        raise Http404("No such flow.")
    loops = HumanLoop.objects.filter(flow_definition=flow, deleted_at__isnull=True, is_gold=False)
    now = clock.now()
    week = now - dt.timedelta(days=7)
    by_status = dict(loops.values_list("status").annotate(n=Count("id")).order_by())
    completed = loops.filter(status="Completed", finished_at__gte=week).aggregate(
        count=Count("id"), avg=Avg(F("finished_at") - F("created_at"))
    )
    tasks = ReviewTask.objects.filter(flow_definition=flow).aggregate(
        open=Count("id", filter=Q(state="open", available_until__gt=now)),
        leased=Count("id", filter=Q(state="leased")),
        submitted_7d=Count("id", filter=Q(state="submitted", submitted_at__gte=week)),
    )
    agreement, agreement_loops = numbers.agreement(loops)
    arn = arns.build("flow-definition", flow.account.aws_account_id, flow.name)
    context = {
        "flow": flow,
        "arn": arn,
        "statuses": [(status, by_status.get(status, 0)) for status in HumanLoop.Status.values],
        "completed_7d": completed["count"],
        "avg_minutes": round(completed["avg"].total_seconds() / 60, 1) if completed["avg"] else None,
        "tasks": tasks,
        "agreement": agreement,
        "agreement_loops": agreement_loops,
        "snippet": _snippet(flow, arn),
    }
    return render(request, "console/flow_detail.html", context)


def _snippet(flow: FlowDefinition, arn: str) -> str:
    """Return boto3 code that starts one loop on `flow`, ready to paste into `.venv/bin/python`."""
    prefix = settings.HITL_API_PREFIX.strip("/")
    endpoint = public_url() + (f"/{prefix}" if prefix else "")
    task_input = gallery.sample_input(flow.template.content, request_source=flow.request_source)
    name = f"{flow.name[:50]}-0001"
    return (
        "import json, boto3\n\n"
        f'a2i = boto3.client("sagemaker-a2i-runtime", endpoint_url="{endpoint}", region_name="{settings.HITL_REGION}",\n'
        '                   aws_access_key_id="AKIA...", aws_secret_access_key="...")\n'
        "response = a2i.start_human_loop(\n"
        f'    HumanLoopName="{name}",\n'
        f'    FlowDefinitionArn="{arn}",\n'
        f'    HumanLoopInput={{"InputContent": json.dumps({task_input!r})}},\n'
        ")\n"
        'print(response["HumanLoopArn"])\n'
        f'print(a2i.describe_human_loop(HumanLoopName="{name}")["HumanLoopStatus"])\n'
    )
