"""Admin for task UIs, flow definitions, human loops and webhooks.

Loops and review tasks are read-only here: their status only changes through
flows.loops.lifecycle, which the bulk actions call (stop, delete finished loops).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import NoReverseMatch, path, reverse
from django.utils.html import format_html

from flows import admin_versions
from flows.delivery.storage import get_store
from flows.loops import lifecycle
from flows.models import (
    FlowDefinition,
    HumanLoop,
    HumanTaskUi,
    OutputOutbox,
    OutputWriteAttempt,
    ReviewerStanding,
    ReviewTask,
    WebhookDelivery,
    WebhookDeliveryAttempt,
    WebhookEndpoint,
)
from flows.quality import gold
from hitl.kernel import clock
from hitl.kernel.errors import HitlError
from workforce import admin as workforce_admin
from workforce.admin import AccountScopedAdmin
from workforce.admin_display import pretty_json
from workforce.audit import trail as audit
from workforce.models import Workteam, WorkteamMembership


class ReadOnlyAdmin(AccountScopedAdmin):
    """View-only: rows are created and changed by the API and the lifecycle, never by hand."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(HumanTaskUi)
class HumanTaskUiAdmin(ReadOnlyAdmin):
    list_display = ("name", "account", "status", "created_at", "preview", "versions")
    list_filter = ("status", "account")
    list_select_related = ("account",)
    search_fields = ("name",)
    fields = ("name", "account", "status", "created_at", "preview", "versions", "template_content")
    readonly_fields = fields

    def get_urls(self) -> list:
        view = self.admin_site.admin_view(
            lambda request, object_id: admin_versions.ui_versions_view(self, request, object_id)
        )
        return [path("<int:object_id>/versions/", view, name="flows_humantaskui_versions"), *super().get_urls()]

    @admin.display(description="Versions")
    def versions(self, obj: HumanTaskUi) -> str:
        return format_html('<a href="{}">History, diff, edit</a>', admin_versions.versions_link("humantaskui", obj))

    @admin.display(description="Preview")
    def preview(self, obj: HumanTaskUi) -> str:
        try:
            url = reverse("review_ui:preview")
        except NoReverseMatch:
            return "-"
        return format_html('<a href="{}?ui={}" target="_blank">Preview</a>', url, obj.pk)

    @admin.display(description="Template")
    def template_content(self, obj: HumanTaskUi) -> str:
        return format_html('<pre class="template">{}</pre>', obj.template.content)


@admin.register(FlowDefinition)
class FlowDefinitionAdmin(ReadOnlyAdmin):
    list_display = ("name", "account", "status", "workteam", "task_count", "created_at", "deleted_at")
    list_filter = ("status", "account", "workteam")
    list_select_related = ("account", "workteam")
    search_fields = ("name",)
    exclude = ("template",)

    def get_readonly_fields(self, request: HttpRequest, obj: FlowDefinition | None = None) -> list[str]:
        return [f.name for f in FlowDefinition._meta.fields if f.name != "template"] + ["versions"]

    def get_urls(self) -> list:
        view = self.admin_site.admin_view(
            lambda request, object_id: admin_versions.flow_versions_view(self, request, object_id)
        )
        edit = self.admin_site.admin_view(
            lambda request, object_id: admin_versions.flow_edit_view(self, request, object_id)
        )
        return [
            path("<int:object_id>/versions/", view, name="flows_flowdefinition_versions"),
            path("<int:object_id>/edit/", edit, name="flows_flowdefinition_edit"),
            *super().get_urls(),
        ]

    @admin.display(description="Versions")
    def versions(self, obj: FlowDefinition) -> str:
        return format_html(
            '<a href="{}">History, diff, rollback</a> · <a href="{}">Edit settings</a>',
            admin_versions.versions_link("flowdefinition", obj),
            admin_versions.edit_link(obj),
        )


class ReviewTaskInline(admin.TabularInline):
    model = ReviewTask
    extra = 0
    can_delete = False
    fields = ("id", "state", "worker", "worker_id_in_output", "accepted_at", "submitted_at", "time_spent_seconds")
    fields += ("answer_json",)
    readonly_fields = fields
    verbose_name_plural = "Review tasks and answers"

    def get_queryset(self, request: HttpRequest) -> QuerySet[ReviewTask]:
        return super().get_queryset(request).select_related("worker__worker").order_by("id")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="workerId")
    def worker_id_in_output(self, obj: ReviewTask) -> str:
        worker = getattr(obj.worker, "worker", None) if obj.worker_id else None
        return worker.worker_id if worker else ""

    @admin.display(description="Answer")
    def answer_json(self, obj: ReviewTask) -> str:
        return pretty_json(obj.answer)


@admin.register(HumanLoop)
class HumanLoopAdmin(ReadOnlyAdmin):
    list_display = ("name", "account", "flow_definition", "status", "created_at", "finished_at", "output")
    list_filter = ("status", "flow_definition", "account", "created_at")
    list_select_related = ("account", "flow_definition")
    search_fields = ("name", "flow_definition__name")
    date_hierarchy = "created_at"
    fields = ("name", "account", "flow_definition", "status", "failure_code", "failure_reason", "created_at")
    fields += ("expires_at", "finished_at", "deleted_at", "output", "input", "activation")
    readonly_fields = fields
    inlines = (ReviewTaskInline,)
    actions = ("stop_loops", "delete_finished_loops")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_urls(self) -> list:
        return [
            path("<int:loop_id>/output/", self.admin_site.admin_view(self.output_view), name="flows_humanloop_output"),
            *super().get_urls(),
        ]

    @admin.display(description="Output")
    def output(self, obj: HumanLoop) -> str:
        if not obj.output_s3_uri:
            return "-"
        url = reverse("admin:flows_humanloop_output", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.output_s3_uri)

    @admin.display(description="Input (InputContent)")
    def input(self, obj: HumanLoop) -> str:
        return pretty_json(obj.input_json)

    @admin.display(description="Activation output")
    def activation(self, obj: HumanLoop) -> str:
        return pretty_json(obj.activation_output)

    def output_view(self, request: HttpRequest, loop_id: int) -> HttpResponse:
        """Serve the loop's output.json from the output store."""
        loop = get_object_or_404(self.get_queryset(request), pk=loop_id)
        if not self.has_view_permission(request, loop) or not loop.output_s3_uri:
            raise Http404("No output for this loop.")
        bucket, key = loop.output_s3_uri.removeprefix("s3://").split("/", 1)
        audit.record_admin(request, "ReadHumanLoopOutput", loop)
        return HttpResponse(get_store().get(bucket, key), content_type="application/json")

    @admin.action(description="Stop selected human loops", permissions=["stop"])
    def stop_loops(self, request: HttpRequest, queryset: QuerySet[HumanLoop]) -> None:
        self._apply(request, queryset, "StopHumanLoop", lifecycle.stop_human_loop, "Stopped")

    @admin.action(description="Delete selected finished human loops", permissions=["stop"])
    def delete_finished_loops(self, request: HttpRequest, queryset: QuerySet[HumanLoop]) -> None:
        self._apply(request, queryset, "DeleteHumanLoop", lifecycle.delete_human_loop, "Deleted")

    def has_stop_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("flows.change_humanloop")

    def _apply(self, request: HttpRequest, queryset: QuerySet[HumanLoop], operation: str, service, verb: str) -> None:
        done, failed = 0, []
        for loop in queryset.select_related("account").filter(deleted_at__isnull=True):
            try:
                service(account=loop.account, name=loop.name)
            except HitlError as exc:
                failed.append(f"{loop.name}: {exc.message}")
                audit.record_admin(request, operation, loop, result=type(exc).__name__, message=exc.message)
                continue
            audit.record_admin(request, operation, loop)
            done += 1
        self.message_user(request, f"{verb} {done} human loop(s).", messages.SUCCESS if done else messages.INFO)
        for failure in failed:
            self.message_user(request, failure, messages.WARNING)


class WriteOnlySecretForm(forms.ModelForm):
    """A form whose `secret` is typed, never shown: stored encrypted (workforce.secrets); left empty, kept."""

    secret = forms.CharField(required=False, widget=forms.PasswordInput(render_value=False))

    def save(self, commit: bool = True) -> Any:
        if self.cleaned_data.get("secret"):
            self.instance.secret = self.cleaned_data["secret"]
        return super().save(commit=commit)


class WebhookEndpointForm(WriteOnlySecretForm):
    url = forms.URLField(max_length=2048, assume_scheme="https")  # as notifications.admin.ChannelForm

    class Meta:
        model = WebhookEndpoint
        fields = ("account", "url", "is_active")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["secret"].help_text = (
            "Signs each event (X-Hitl-Signature-256 and Standard Webhooks). Write-only; leave empty to keep the "
            "stored one."
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not (data.get("secret") or self.instance.encrypted_secret):
            self.add_error("secret", "An endpoint signs its events: give it a secret.")
        return data


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(AccountScopedAdmin):
    form = WebhookEndpointForm
    list_display = ("url", "account", "is_active", "has_secret", "created_at")
    list_filter = ("is_active", "account")
    search_fields = ("url",)
    readonly_fields = ("created_at",)

    @admin.display(boolean=True, description="Secret")
    def has_secret(self, obj: WebhookEndpoint) -> bool:
        return bool(obj.encrypted_secret)


class AttemptInline(admin.TabularInline):
    """One read-only row per try, oldest first (as saleor shows EventDeliveryAttempt)."""

    extra = 0
    can_delete = False
    ordering = ("attempted_at", "id")
    verbose_name_plural = "Attempts"

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class WebhookDeliveryAttemptInline(AttemptInline):
    model = WebhookDeliveryAttempt
    fields = readonly_fields = ("attempted_at", "status", "response_status_code", "duration_ms", "error")


class OutputWriteAttemptInline(AttemptInline):
    model = OutputWriteAttempt
    fields = readonly_fields = ("attempted_at", "status", "duration_ms", "error")


@admin.register(OutputOutbox)
class OutputOutboxAdmin(ReadOnlyAdmin):
    """Output writes: one row per finished loop, with every try at writing its output.json."""

    account_path = "human_loop__account"
    list_display = ("id", "human_loop", "final_status", "state", "attempts", "next_attempt_at", "done_at")
    list_filter = ("state", "final_status")
    list_select_related = ("human_loop",)
    search_fields = ("human_loop__name", "key", "last_error")
    raw_id_fields = ("human_loop",)
    inlines = (OutputWriteAttemptInline,)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    account_path = "endpoint__account"
    list_display = ("id", "endpoint", "loop", "state", "attempts", "last_status_code", "next_attempt_at")
    list_filter = ("state", "endpoint")
    list_select_related = ("endpoint", "event__human_loop")
    search_fields = ("event__human_loop__name", "endpoint__url", "last_error")
    inlines = (WebhookDeliveryAttemptInline,)

    @admin.display(description="Human loop")
    def loop(self, obj: WebhookDelivery) -> str:
        return obj.event.human_loop.name


# --- Work teams, with their members' work ------------------------------------------
# workforce.admin knows teams and members only (workforce never imports flows); the columns about
# review tasks are added here, and the team admin re-registered with them.

THROUGHPUT_DAYS = 7


class MembershipWorkInline(workforce_admin.MembershipInline):
    fields = (*workforce_admin.MembershipInline.fields[:-1], "open_leases", "submitted_recently", "created_at")
    readonly_fields = (*workforce_admin.MembershipInline.readonly_fields, "open_leases", "submitted_recently")

    @admin.display(description="Open leases")
    def open_leases(self, obj: WorkteamMembership) -> int:
        if not obj.pk:
            return 0
        return ReviewTask.objects.filter(
            worker_id=obj.user_id, workteam_id=obj.workteam_id, state=ReviewTask.State.LEASED
        ).count()

    @admin.display(description=f"Submitted ({THROUGHPUT_DAYS} days)")
    def submitted_recently(self, obj: WorkteamMembership) -> int:
        if not obj.pk:
            return 0
        since = clock.now() - dt.timedelta(days=THROUGHPUT_DAYS)
        return ReviewTask.objects.filter(
            worker_id=obj.user_id,
            workteam_id=obj.workteam_id,
            state=ReviewTask.State.SUBMITTED,
            submitted_at__gte=since,
        ).count()


class WorkteamWithWorkAdmin(workforce_admin.WorkteamAdmin):
    inlines = (MembershipWorkInline,)


admin.site.unregister(Workteam)
admin.site.register(Workteam, WorkteamWithWorkAdmin)


@admin.register(ReviewerStanding)
class ReviewerStandingAdmin(ReadOnlyAdmin):
    """Reviewers' gold accuracy, qualification and pauses per flow (flows.quality.gold); resume a paused reviewer."""

    account_path = "flow_definition__account"
    list_display = ("worker", "flow_definition", "gold_answered", "gold_correct", "qualified_at", "paused_at")
    list_filter = ("flow_definition",)
    list_select_related = ("worker", "flow_definition")
    search_fields = ("worker__username", "flow_definition__name", "pause_reason")
    fields = readonly_fields = list_display + ("held", "pause_reason", "updated_at")
    actions = ("resume_reviewers",)

    @admin.action(description="Resume the selected reviewers (clear the pause; their gold record is kept)")
    def resume_reviewers(self, request: HttpRequest, queryset: QuerySet[ReviewerStanding]) -> None:
        resumed = 0
        for standing in queryset.select_related("flow_definition").filter(paused_at__isnull=False):
            gold.resume_reviewer(standing)
            audit.record_admin(request, "ResumeReviewer", standing.flow_definition, worker=standing.worker_id)
            resumed += 1
        self.message_user(request, f"{resumed} reviewer(s) resumed.", messages.SUCCESS)
