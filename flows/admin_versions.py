"""Admin pages for the versions of a flow definition or task UI (issue 17): history, diff, rollback, publish.

Rows come from the admin's own queryset (scoped to the staff member's accounts,
workforce.roles); changes need an administrator of the row's account and go
through flows.versions, as the API and manage.py edit_flow do.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse

from flows import versions
from flows.models import FlowDefinition, FlowDefinitionVersion, HumanTaskUi, HumanTaskUiVersion
from hitl.errors import HitlError
from workforce import audit, roles


def _can_edit(request: HttpRequest, account_id: int) -> bool:
    return roles.administered_accounts(request.user).filter(id=account_id).exists()


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _who(request: HttpRequest) -> str:
    return f"admin:{request.user.get_username()}"


def flow_versions_view(model_admin, request: HttpRequest, object_id: int) -> HttpResponse:
    flow = get_object_or_404(model_admin.get_queryset(request), pk=object_id)
    can_edit = _can_edit(request, flow.account_id)
    rows = list(FlowDefinitionVersion.objects.filter(flow_definition=flow).order_by("number"))
    current = next((v for v in rows if v.id == flow.current_version_id), None)
    if request.method == "POST" and can_edit and _int(request.POST.get("rollback")):
        try:
            version = versions.roll_back_flow_definition(
                flow,
                _int(request.POST["rollback"]),
                base_version=_int(request.POST.get("base")),
                created_by=_who(request),
            )
            audit.record_admin(request, "UpdateFlowDefinition", flow)
            messages.success(request, f"Published {flow.name} v{version.number} ({version.note}).")
        except HitlError as exc:
            messages.error(request, exc.message)
        return HttpResponseRedirect(request.path)
    return _render(
        request, "flow", flow.name, rows, current, can_edit, lambda a, b: versions.diff_flow_versions(flow, a, b)
    )


def ui_versions_view(model_admin, request: HttpRequest, object_id: int) -> HttpResponse:
    ui = get_object_or_404(model_admin.get_queryset(request), pk=object_id)
    can_edit = _can_edit(request, ui.account_id)
    if request.method == "POST" and can_edit and request.POST.get("publish"):
        try:
            update = versions.update_human_task_ui(
                ui,
                content=request.POST.get("content", ""),
                base_version=_int(request.POST.get("base")),
                note=request.POST.get("note", ""),
                created_by=_who(request),
                force=bool(request.POST.get("force")),
            )
            audit.record_admin(request, "UpdateHumanTaskUi", ui)
            messages.success(request, f"Published {ui.name} v{update.version.number}.")
        except HitlError as exc:
            messages.error(request, exc.message)
        return HttpResponseRedirect(request.path)
    ui.refresh_from_db()
    rows = list(HumanTaskUiVersion.objects.filter(human_task_ui=ui).order_by("number"))
    current = next((v for v in rows if v.id == ui.current_version_id), None)
    extra = {"content": ui.template.content, "preview_url": _preview_url(ui)}
    return _render(
        request, "ui", ui.name, rows, current, can_edit, lambda a, b: versions.diff_ui_versions(ui, a, b), extra
    )


def _render(request, kind, name, rows, current, can_edit, diff, extra=None) -> HttpResponse:
    a, b = _int(request.GET.get("a")), _int(request.GET.get("b"))
    text = None
    if a and b:
        try:
            text = diff(a, b)
        except HitlError as exc:
            messages.error(request, exc.message)
    context = {
        "title": f"Versions of {'flow definition' if kind == 'flow' else 'task UI'} {name}",
        "kind": kind,
        "versions": rows,
        "current_id": current.id if current else None,
        "current_number": current.number if current else "",
        "can_edit": can_edit,
        "a": a,
        "b": b,
        "diff": text,
        **(extra or {}),
    }
    return TemplateResponse(request, "admin/flows/versions.html", context)


def _preview_url(ui: HumanTaskUi) -> str:
    try:
        return reverse("review_ui:preview") + f"?ui={ui.pk}"
    except NoReverseMatch:
        return ""


def versions_link(kind: str, obj: FlowDefinition | HumanTaskUi) -> str:
    return reverse(f"admin:flows_{kind}_versions", args=[obj.pk])
