"""Admin for accounts, access keys, workforces, work teams (with invitations) and the audit trail.

Everything that changes state goes through the services (access_keys,
invitations); secrets are written, never shown, except a new key's secret
once on the page that created it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import FieldDoesNotExist
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from hitl.kernel import clock
from hitl.kernel.errors import InvalidInput
from workforce import access_keys, invitations, oidc, qualification, roles, secrets
from workforce.admin_display import ReadableJsonMixin
from workforce.audit import trail as audit
from workforce.models import (
    AccessKey,
    Account,
    AuditRecord,
    ReadLocation,
    Worker,
    Workforce,
    Workteam,
    WorkteamMembership,
    WorkteamQualification,
)


class AccountScopedAdmin(ReadableJsonMixin, admin.ModelAdmin):
    """Staff who are not superusers see, and may pick, only the accounts they administer (Account.admins).

    JSON fields read as indented JSON, empty ones as "-" (workforce.admin_display).

    `account_path` is the lookup from the model to its Account ("" for Account itself).
    """

    account_path = "account"

    class Media:
        css = {"all": ["workforce/admin.css"]}  # long values wrap: pages fit a 1366-px screen

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = roles.scope_to_accounts(super().get_queryset(request), request.user, self.account_path)
        return queryset if request.user.is_superuser else queryset.distinct()

    def get_list_filter(self, request: HttpRequest) -> Sequence:
        """Offer only related rows that appear in the user's own rows (a plain FK filter lists every account's)."""
        filters = super().get_list_filter(request)
        if request.user.is_superuser:
            return filters
        return [_related_only(self.model, item) for item in filters]

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if not request.user.is_superuser:
            related = db_field.related_model
            if related is Account:
                kwargs["queryset"] = roles.administered_accounts(request.user)
            elif related in (Workforce, Workteam):
                kwargs["queryset"] = roles.scope_to_accounts(related.objects.all(), request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def _related_only(model: type, item: Any) -> Any:
    if isinstance(item, str):
        try:
            field = model._meta.get_field(item)
        except FieldDoesNotExist:
            return item
        if field.is_relation:
            return (item, admin.RelatedOnlyFieldListFilter)
    return item


class ReadLocationInline(admin.TabularInline):
    """The S3 locations the account's task pages may show (flows.delivery.read_access). Only operators change them:
    they know which buckets belong to which tenant, an account admin could otherwise grant itself any bucket."""

    model = ReadLocation
    extra = 0
    fields = ("bucket", "prefix", "created_at")
    readonly_fields = ("created_at",)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return True  # the account's admins see them (the page itself is scoped to their accounts)


@admin.register(Account)
class AccountAdmin(AccountScopedAdmin):
    account_path = ""
    list_display = ("name", "aws_account_id", "created_at")
    search_fields = ("name", "aws_account_id")
    filter_horizontal = ("admins",)
    readonly_fields = ("created_at",)
    inlines = (ReadLocationInline,)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser  # tenants are created by the deployment's operators


# --- Access keys ------------------------------------------------------------------


class AccessKeyForm(forms.ModelForm):
    allowed_flow_names = forms.CharField(
        required=False,
        help_text="Comma-separated flow definition names this key may use; empty = all flows.",
    )

    class Meta:
        model = AccessKey
        fields = ("account", "user", "scope", "allowed_flow_names")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["allowed_flow_names"] = ", ".join(self.instance.allowed_flow_names or [])

    def clean_allowed_flow_names(self) -> list[str]:
        raw = self.cleaned_data.get("allowed_flow_names") or ""
        return [name.strip() for name in raw.split(",") if name.strip()]


@admin.register(AccessKey)
class AccessKeyAdmin(AccountScopedAdmin):
    form = AccessKeyForm
    list_display = (
        "access_key_id", "account", "user", "scope", "flows", "is_active", "expires_at", "created_at", "last_used_at"
    )  # fmt: skip
    list_filter = ("is_active", "scope", "account")
    list_select_related = ("account", "user")
    search_fields = ("access_key_id", "account__name", "user__username")
    raw_id_fields = ("user",)
    actions = ("rotate_keys", "revoke_keys")

    def get_readonly_fields(self, request: HttpRequest, obj: AccessKey | None = None) -> tuple[str, ...]:
        base = ("access_key_id", "is_active", "created_at", "last_used_at", "revoked_at", "parent", "expires_at")
        return base + ("account",) if obj else ()

    def get_fields(self, request: HttpRequest, obj: AccessKey | None = None) -> tuple[str, ...]:
        if obj is None:
            return ("account", "user", "scope", "allowed_flow_names")
        return ("access_key_id", "account", "user", "scope", "allowed_flow_names", "is_active") + (
            "created_at",
            "last_used_at",
            "revoked_at",
            "parent",
            "expires_at",
        )

    def has_delete_permission(self, request: HttpRequest, obj: AccessKey | None = None) -> bool:
        return False  # revoke instead: the audit trail keeps naming the key

    @admin.display(description="Flows")
    def flows(self, obj: AccessKey) -> str:
        return ", ".join(obj.allowed_flow_names) or "all"

    def save_model(self, request: HttpRequest, obj: AccessKey, form: forms.ModelForm, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            access_keys.sync_session_keys(obj)
            return
        new = access_keys.create_access_key(
            obj.account, user=obj.user, scope=obj.scope, allowed_flow_names=form.cleaned_data["allowed_flow_names"]
        )
        # The admin logs the addition against `obj`; make it the saved row.
        obj.pk, obj.access_key_id = new.access_key.pk, new.access_key.access_key_id
        obj._state.adding = False
        request._new_access_keys = [new]

    def response_add(self, request: HttpRequest, obj: AccessKey, post_url_continue: str | None = None) -> HttpResponse:
        return self._show_secrets(request, getattr(request, "_new_access_keys", []), "created")

    def _show_secrets(self, request: HttpRequest, new_keys: list, verb: str) -> HttpResponse:
        context = {
            **self.admin_site.each_context(request),
            "title": f"Access key {verb}: copy the secret now",
            "new_keys": new_keys,
            "verb": verb,
            "opts": self.model._meta,
        }
        response = TemplateResponse(request, "admin/workforce/accesskey/secret.html", context)
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description="Rotate selected keys (revoke and issue a replacement)")
    def rotate_keys(self, request: HttpRequest, queryset: QuerySet[AccessKey]) -> HttpResponse | None:
        new_keys = []
        # Session keys (STS) are not rotated: they expire; revoke them or their long-term key instead.
        for key in queryset.filter(is_active=True, expires_at__isnull=True).select_related("account", "user"):
            new = access_keys.rotate_access_key(key)
            audit.record_admin(request, "RotateAccessKey", key, replacement=new.access_key.access_key_id)
            new_keys.append(new)
        if not new_keys:
            self.message_user(
                request,
                "No active long-term key was selected; revoked keys and session keys cannot be rotated.",
                messages.WARNING,
            )
            return None
        return self._show_secrets(request, new_keys, "rotated")

    @admin.action(description="Revoke selected keys")
    def revoke_keys(self, request: HttpRequest, queryset: QuerySet[AccessKey]) -> None:
        count = 0
        for key in queryset.filter(is_active=True):
            access_keys.revoke_access_key(key)
            audit.record_admin(request, "RevokeAccessKey", key)
            count += 1
        self.message_user(request, f"Revoked {count} key(s).", messages.SUCCESS)


# --- Workforces and teams ----------------------------------------------------------


class WorkforceForm(forms.ModelForm):
    oidc_client_secret = forms.CharField(
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="OIDC client secret. Stored encrypted and never shown; leave empty to keep the current one.",
    )

    class Meta:
        model = Workforce
        fields = ("account", "name", "oidc_config", "source_ip_cidrs", "sub_domain", "tags")
        help_texts = {
            "oidc_config": "A2I OidcConfig: ClientId, Issuer, AuthorizationEndpoint, TokenEndpoint, "
            "UserInfoEndpoint, LogoutEndpoint, JwksUri, Scope (the ClientSecret goes in the field below).",
        }


@admin.register(Workforce)
class WorkforceAdmin(AccountScopedAdmin):
    form = WorkforceForm
    list_display = ("name", "account", "status", "sign_in", "created_at")
    list_select_related = ("account",)
    search_fields = ("name", "account__name")
    readonly_fields = ("status", "sign_in", "created_at", "updated_at")

    @admin.display(description="Reviewer sign-in")
    def sign_in(self, obj: Workforce) -> str:
        if not obj.oidc_config:
            return "Local accounts (invitations)"
        url = reverse("openid_connect_login", kwargs={"provider_id": oidc.provider_id(obj)})
        return format_html('OIDC {} via <a href="{}">{}</a>', obj.oidc_config.get("Issuer", ""), url, url)

    def save_model(self, request: HttpRequest, obj: Workforce, form: forms.ModelForm, change: bool) -> None:
        if form.cleaned_data.get("oidc_client_secret"):
            obj.oidc_client_secret_encrypted = secrets.encrypt(form.cleaned_data["oidc_client_secret"])
        if obj.oidc_config:
            obj.oidc_config.pop("ClientSecret", None)  # never stored in clear
        obj.updated_at = clock.now()
        super().save_model(request, obj, form, change)


class MembershipInline(admin.TabularInline):
    model = WorkteamMembership
    extra = 0
    raw_id_fields = ("user",)
    fields = ("user", "email", "role", "via_oidc_group", "created_at")
    readonly_fields = ("email", "via_oidc_group", "created_at")
    verbose_name_plural = "Members (tick Delete to remove a reviewer from the team)"

    def get_queryset(self, request: HttpRequest) -> QuerySet[WorkteamMembership]:
        return super().get_queryset(request).select_related("user")

    @admin.display(description="E-mail")
    def email(self, obj: WorkteamMembership) -> str:
        return obj.user.email if obj.user_id else ""


class InviteForm(forms.Form):
    email = forms.EmailField(required=False, label="E-mail address")
    role = forms.ChoiceField(choices=WorkteamMembership.Role.choices, initial=WorkteamMembership.Role.REVIEWER)
    csv_file = forms.FileField(
        required=False,
        label="Or a CSV file",
        help_text="One reviewer per row: email[,role]. A header row 'email,role' is allowed.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("email") and not data.get("csv_file"):
            raise forms.ValidationError("Give an e-mail address or a CSV file.")
        return data


class WorkteamForm(forms.ModelForm):
    member_definitions = forms.JSONField(
        required=False,
        help_text='OIDC groups that make up the team, as in A2I: [{"OidcMemberDefinition": {"Groups": ["g1"]}}]. '
        "Members added here or by invitation need no group.",
    )

    class Meta:
        model = Workteam
        fields = ("account", "workforce", "name", "description", "member_definitions")
        fields += ("notification_config", "worker_access_config", "tags")

    def clean_member_definitions(self) -> list:
        return self.cleaned_data.get("member_definitions") or []

    def clean_tags(self) -> list:
        tags = self.cleaned_data.get("tags") or []
        try:
            qualification.validate_team_tags(tags)
        except InvalidInput as exc:
            raise forms.ValidationError(str(exc)) from None
        return tags


@admin.register(Workteam)
class WorkteamAdmin(AccountScopedAdmin):
    form = WorkteamForm
    list_display = ("name", "account", "workforce", "member_count", "created_at")
    list_select_related = ("account", "workforce")
    search_fields = ("name", "account__name")
    readonly_fields = ("created_at", "updated_at")
    inlines = (MembershipInline,)
    change_form_template = "admin/workforce/workteam/change_form.html"

    @admin.display(description="Members")
    def member_count(self, obj: Workteam) -> int:
        return obj.memberships.count()

    def get_urls(self) -> list:
        return [
            path(
                "<int:team_id>/invite/",
                self.admin_site.admin_view(self.invite_view),
                name="workforce_workteam_invite",
            ),
            *super().get_urls(),
        ]

    def invite_view(self, request: HttpRequest, team_id: int) -> HttpResponse:
        """Invite one reviewer by e-mail, or many from a CSV upload."""
        team = get_object_or_404(self.get_queryset(request), pk=team_id)
        if not self.has_change_permission(request, team):
            return HttpResponse(status=403)
        form = InviteForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            result = invitations.InviteResult()
            if form.cleaned_data.get("email"):
                outcome = invitations.invite_reviewer(team, form.cleaned_data["email"], role=form.cleaned_data["role"])
                bucket = {"invited": result.invited, "added": result.added, "already_member": result.already_members}
                bucket[outcome].append(form.cleaned_data["email"].lower())
            if form.cleaned_data.get("csv_file"):
                csv_result = invitations.invite_from_csv(team, form.cleaned_data["csv_file"].read())
                for name in ("invited", "added", "already_members", "errors"):
                    getattr(result, name).extend(getattr(csv_result, name))
            audit.record_admin(
                request,
                "InviteReviewers",
                team,
                invited=result.invited,
                added=result.added,
                errors=result.errors,
            )
            self._report(request, result)
            return HttpResponseRedirect(reverse("admin:workforce_workteam_change", args=[team.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": f"Invite reviewers to {team.name}",
            "form": form,
            "team": team,
            "opts": self.model._meta,
        }
        return render(request, "admin/workforce/workteam/invite.html", context)

    def _report(self, request: HttpRequest, result: invitations.InviteResult) -> None:
        if result.invited:
            self.message_user(request, f"Invited {len(result.invited)}: {', '.join(result.invited)}.", messages.SUCCESS)
        if result.added:
            self.message_user(request, f"Added existing accounts: {', '.join(result.added)}.", messages.SUCCESS)
        if result.already_members:
            self.message_user(request, f"Already members: {', '.join(result.already_members)}.", messages.INFO)
        for error in result.errors:
            self.message_user(request, error, messages.ERROR)


@admin.register(Worker)
class WorkerAdmin(AccountScopedAdmin):
    account_path = "user__memberships__workteam__account"
    list_display = ("worker_id", "user", "identity_provider_type", "issuer", "sub")
    search_fields = ("worker_id", "user__username", "user__email", "sub")
    readonly_fields = ("worker_id", "user", "identity_provider_type", "issuer", "sub")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a Worker is created with its user (invitation, sign-in)


# --- Audit trail ------------------------------------------------------------------


@admin.register(AuditRecord)
class AuditRecordAdmin(AccountScopedAdmin):
    list_display = ("created_at", "kind", "actor", "operation", "resource", "status_code", "result", "request_id")
    list_filter = ("kind", "result", "operation", "account", "created_at")
    search_fields = ("actor", "resource", "request_id", "operation", "access_key_id")
    date_hierarchy = "created_at"
    list_select_related = ("account",)
    actions = ("export_json_lines",)

    def get_readonly_fields(self, request: HttpRequest, obj: AuditRecord | None = None) -> list[str]:
        return [f.name for f in AuditRecord._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditRecord | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditRecord | None = None) -> bool:
        return False

    @admin.action(description="Export selected as JSON lines")
    def export_json_lines(self, request: HttpRequest, queryset: QuerySet[AuditRecord]) -> StreamingHttpResponse:
        records = queryset.select_related("account").order_by("created_at", "id").iterator(chunk_size=1000)
        response = StreamingHttpResponse(audit.json_lines(records), content_type="application/x-ndjson")
        response["Content-Disposition"] = 'attachment; filename="audit.jsonl"'
        return response


# allauth's own tables are kept by hitl's (a workforce's OpenID Connect settings write its SocialApp,
# workforce.oidc; reviewers are Workers): hidden, so the index has one place for each thing.
for _model in (EmailAddress, SocialAccount, SocialApp, SocialToken):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


@admin.register(WorkteamQualification)
class WorkteamQualificationAdmin(AccountScopedAdmin):
    """Verdicts on work teams' qualification tests (workforce.qualification); delete one to allow a retake."""

    account_path = "workteam__account"
    list_display = ("worker", "workteam", "passed", "gold_correct", "gold_answered", "taken_on", "decided_at")
    list_filter = ("passed",)
    list_select_related = ("worker", "workteam")
    search_fields = ("worker__username", "workteam__name", "taken_on")
    fields = readonly_fields = list_display

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
