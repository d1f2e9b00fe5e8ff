"""Admin for notifications: channels (secret write-only, stored encrypted), deliveries with their attempts."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from flows.admin import AttemptInline, ReadOnlyAdmin, WriteOnlySecretForm
from notifications.models import Channel, Delivery, DeliveryAttempt, ReviewerSettings, TeamOptOut
from workforce.admin import AccountScopedAdmin


class ChannelForm(WriteOnlySecretForm):
    # An address typed without a scheme is taken as https (Django 6's default, said now to keep it quiet).
    url = forms.URLField(
        max_length=2048, required=False, assume_scheme="https", help_text=Channel._meta.get_field("url").help_text
    )

    class Meta:
        model = Channel
        fields = ("account", "name", "kind", "topic_arn", "url", "is_active")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["secret"].help_text = (
            "Slack: the app's signing secret (Claim buttons). Webhook: the Standard Webhooks secret "
            "(whsec_... or any string). Write-only; leave empty to keep the stored one."
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        kind, url = data.get("kind"), data.get("url")
        if kind and kind != Channel.Kind.EMAIL and not url:
            self.add_error("url", "Slack, Teams and webhook channels need the URL to post to.")
        if kind == Channel.Kind.WEBHOOK and not (data.get("secret") or self.instance.encrypted_secret):
            self.add_error("secret", "A webhook channel signs its messages: give it a secret.")
        return data


@admin.register(Channel)
class ChannelAdmin(AccountScopedAdmin):
    form = ChannelForm
    list_display = ("name", "kind", "account", "topic_arn", "is_active", "has_secret")
    list_filter = ("kind", "is_active", "account")
    search_fields = ("name", "topic_arn", "url")

    @admin.display(boolean=True, description="Secret")
    def has_secret(self, obj: Channel) -> bool:
        return bool(obj.encrypted_secret)


class DeliveryAttemptInline(AttemptInline):
    model = DeliveryAttempt
    fields = readonly_fields = ("attempted_at", "status", "response_status_code", "duration_ms", "error")


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    """Every notification sent or to be sent, with one row per try; failures are in the audit trail too."""

    list_display = ("id", "kind", "channel", "recipient", "state", "attempts", "last_status_code", "next_attempt_at")
    list_filter = ("state", "kind", "channel")
    list_select_related = ("channel", "recipient")
    search_fields = ("dedupe_key", "recipient__username", "recipient__email", "last_error")
    inlines = (DeliveryAttemptInline,)


@admin.register(ReviewerSettings)
class ReviewerSettingsAdmin(admin.ModelAdmin):
    list_display = ("user", "quiet_start", "quiet_end", "time_zone", "slack_user_id")
    search_fields = ("user__username", "user__email", "slack_user_id")
    raw_id_fields = ("user",)

    # Reviewers belong to no one account: only operators (superusers) see everyone's settings.
    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser


@admin.register(TeamOptOut)
class TeamOptOutAdmin(AccountScopedAdmin):
    account_path = "workteam__account"
    list_display = ("user", "workteam", "created_at")
    search_fields = ("user__username", "workteam__name")
    raw_id_fields = ("user",)
