"""Admin pages for the versions of a flow definition or task UI (issue 17): history, diff, rollback, publish, edit.

Rows come from the admin's own queryset (scoped to the staff member's accounts,
workforce.roles); changes need an administrator of the row's account and go
through flows.definitions.editing and flows.definitions.versions, as the API and manage.py edit_flow do.
The task UI page previews the template being edited live, on a sample input,
through the portal's preview (review_ui.preview.preview_render).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse

from flows.definitions import editing, versions
from flows.models import FlowDefinition, FlowDefinitionVersion, HumanTaskUi, HumanTaskUiVersion
from hitl.kernel import arns
from hitl.kernel.errors import HitlError
from workforce import roles
from workforce.audit import trail as audit
from workforce.models import Workteam


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
    extra = {"edit_url": edit_link(flow)}
    return _render(
        model_admin,
        request,
        "flow",
        flow.name,
        rows,
        current,
        can_edit,
        lambda a, b: versions.diff_flow_versions(flow, a, b),
        extra,
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
    extra = {
        "content": ui.template.content,
        "preview_url": _preview_url(ui),
        "live_preview_url": _live_preview_url(),
        "ui_id": ui.pk,
        "sample_input": '{\n  "taskObject": "I love this product!"\n}',
    }
    return _render(
        model_admin,
        request,
        "ui",
        ui.name,
        rows,
        current,
        can_edit,
        lambda a, b: versions.diff_ui_versions(ui, a, b),
        extra,
    )


def _render(model_admin, request, kind, name, rows, current, can_edit, diff, extra=None) -> HttpResponse:
    a, b = _int(request.GET.get("a")), _int(request.GET.get("b"))
    text = None
    if a and b:
        try:
            text = diff(a, b)
        except HitlError as exc:
            messages.error(request, exc.message)
    context = {
        **model_admin.admin_site.each_context(request),
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


def _live_preview_url() -> str:
    try:
        return reverse("review_ui:preview_render")
    except NoReverseMatch:
        return ""


def versions_link(kind: str, obj: FlowDefinition | HumanTaskUi) -> str:
    return reverse(f"admin:flows_{kind}_versions", args=[obj.pk])


def edit_link(flow: FlowDefinition) -> str:
    return reverse("admin:flows_flowdefinition_edit", args=[flow.pk])


# --- Editing a flow's settings -------------------------------------------------------------


class FlowSettingsForm(forms.Form):
    """A flow's editable settings; the limits are checked by flows.definitions.editing, as for UpdateFlowDefinition."""

    workteam = forms.ModelChoiceField(queryset=Workteam.objects.none(), label="Work team")
    human_task_ui = forms.ModelChoiceField(
        queryset=HumanTaskUi.objects.none(),
        required=False,
        label="Task UI",
        help_text="A new task UI takes effect for loops started afterwards.",
    )
    human_task_ui_version = forms.IntegerField(
        min_value=1, required=False, label="Task UI version", help_text="Empty: the task UI's current version."
    )
    task_title = forms.CharField(label="Task title")
    task_description = forms.CharField(label="Task description", widget=forms.Textarea(attrs={"rows": 2}))
    task_keywords = forms.CharField(required=False, label="Task keywords", help_text="Comma-separated, up to 5.")
    task_count = forms.IntegerField(label="TaskCount (reviewers per loop)")
    task_time_limit_seconds = forms.IntegerField(label="Time limit per task (seconds)")
    task_availability_lifetime_seconds = forms.IntegerField(label="Loop lifetime (seconds)")
    s3_output_path = forms.CharField(label="S3 output path")
    activation_conditions = forms.CharField(
        required=False, label="Activation conditions (JSON)", widget=forms.Textarea(attrs={"rows": 4})
    )
    hitl_tags = forms.CharField(
        required=False,
        label="hitl: settings",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Quality, notification and agent settings, one KEY=VALUE per line (for example hitl:overlap=fixed).",
    )
    note = forms.CharField(required=False, max_length=1024, label="Version note")
    force = forms.BooleanField(required=False, label="Allow removing answer fields in use")
    base = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, flow: FlowDefinition, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["workteam"].queryset = Workteam.objects.filter(account_id=flow.account_id).order_by("name")
        self.fields["human_task_ui"].queryset = HumanTaskUi.objects.filter(account_id=flow.account_id).order_by("name")

    @staticmethod
    def initial_for(flow: FlowDefinition) -> dict[str, Any]:
        current = FlowDefinitionVersion.objects.filter(id=flow.current_version_id).first()
        return {
            "workteam": flow.workteam_id,
            "human_task_ui": flow.human_task_ui_id,
            "task_title": flow.task_title,
            "task_description": flow.task_description,
            "task_keywords": ", ".join(flow.task_keywords or []),
            "task_count": flow.task_count,
            "task_time_limit_seconds": flow.task_time_limit_seconds,
            "task_availability_lifetime_seconds": flow.task_availability_lifetime_seconds,
            "s3_output_path": flow.s3_output_path,
            "activation_conditions": flow.activation_conditions,
            "hitl_tags": "\n".join(f"{t['Key']}={t['Value']}" for t in versions.hitl_tags_of(flow.tags)),
            "base": current.number if current else 0,
        }

    def requested(self, flow: FlowDefinition) -> dict[str, Any]:
        """Return the settings that differ from the flow's current ones, as flows.definitions.editing takes them."""
        data, account = self.cleaned_data, flow.account
        wanted: dict[str, Any] = {
            "task_title": data["task_title"],
            "task_description": data["task_description"],
            "task_keywords": [k.strip() for k in data["task_keywords"].split(",") if k.strip()],
            "task_count": data["task_count"],
            "task_time_limit_seconds": data["task_time_limit_seconds"],
            "task_availability_lifetime_seconds": data["task_availability_lifetime_seconds"],
            "s3_output_path": data["s3_output_path"].strip(),
            "activation_conditions": data["activation_conditions"].strip(),
            versions.HITL_TAGS: self._tags(data["hitl_tags"]),
        }
        current = versions.flow_settings(flow)
        requested = {name: value for name, value in wanted.items() if value != current[name]}
        if (
            versions.HITL_TAGS in requested
            and versions.hitl_tags_of(requested[versions.HITL_TAGS]) == current[versions.HITL_TAGS]
        ):
            del requested[versions.HITL_TAGS]  # the same settings in another order
        if data["workteam"].id != flow.workteam_id:
            requested["workteam_arn"] = arns.build("workteam", account.aws_account_id, data["workteam"].name)
        ui = data["human_task_ui"]
        if ui is not None and ui.id != flow.human_task_ui_id:
            requested["human_task_ui_arn"] = arns.build("human-task-ui", account.aws_account_id, ui.name)
        return requested

    def _tags(self, text: str) -> list[dict[str, str]]:
        tags = []
        for line in text.splitlines():
            if line.strip():
                key, _, value = line.strip().partition("=")
                tags.append({"Key": key.strip(), "Value": value.strip()})
        return tags


def flow_edit_view(model_admin, request: HttpRequest, object_id: int) -> HttpResponse:
    """Edit a flow's settings: publishes its next version through flows.definitions.editing (as UpdateFlowDefinition)."""
    flow = get_object_or_404(model_admin.get_queryset(request).select_related("account"), pk=object_id)
    can_edit = _can_edit(request, flow.account_id)
    if request.method == "POST":
        if not can_edit:
            return HttpResponseForbidden("Only an administrator of the flow's account may change it.")
        form = FlowSettingsForm(flow, request.POST)
        if form.is_valid():
            try:
                version = editing.edit_flow_definition(
                    flow.account,
                    flow,
                    form.requested(flow),
                    base_version=form.cleaned_data["base"],
                    human_task_ui_version=form.cleaned_data["human_task_ui_version"],
                    note=form.cleaned_data["note"],
                    created_by=_who(request),
                    force=form.cleaned_data["force"],
                )
            except HitlError as exc:
                form.add_error(None, exc.message)
            else:
                audit.record_admin(request, "UpdateFlowDefinition", flow, version=version.number)
                messages.success(request, f"Published {flow.name} v{version.number}.")
                return HttpResponseRedirect(versions_link("flowdefinition", flow))
    else:
        form = FlowSettingsForm(flow, initial=FlowSettingsForm.initial_for(flow))
    context = {
        **model_admin.admin_site.each_context(request),
        "title": f"Edit flow definition {flow.name}",
        "form": form,
        "flow": flow,
        "can_edit": can_edit,
        "versions_url": versions_link("flowdefinition", flow),
    }
    return TemplateResponse(request, "admin/flows/flow_edit.html", context)
