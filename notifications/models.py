"""Who is told what, where: channels, reviewers' preferences, and one delivery row per message.

A work team is notified through the channels whose `topic_arn` its A2I
`NotificationConfiguration.NotificationTopicArn` names (a topic ARN maps to
configured channels). Every message is a Delivery, every try a DeliveryAttempt
(as flows' WebhookDelivery / WebhookDeliveryAttempt); `dedupe_key` is unique,
so a digest window, a loop's reminder or its escalation is never sent twice.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from hitl.kernel import clock
from workforce import secrets
from workforce.models import Account, Workteam


class Channel(models.Model):
    """Where an account's notifications go: e-mail to each reviewer, a Slack or Teams webhook, a signed webhook."""

    class Kind(models.TextChoices):
        EMAIL = "email", "E-mail to each reviewer"
        SLACK = "slack", "Slack incoming webhook"
        TEAMS = "teams", "Microsoft Teams incoming webhook"
        WEBHOOK = "webhook", "Standard Webhooks endpoint"

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="notification_channels")
    name = models.CharField(max_length=63)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    topic_arn = models.CharField(
        max_length=256,
        help_text="SNS topic ARN that work teams name in NotificationConfiguration.NotificationTopicArn.",
    )
    url = models.URLField(max_length=2048, blank=True, default="", help_text="Webhook URL (empty for e-mail).")
    # Slack: the app's signing secret (interactive buttons); webhook: the Standard Webhooks secret. Encrypted.
    encrypted_secret = models.TextField(blank=True, default="")
    ENCRYPTED_FIELDS = ("encrypted_secret",)  # manage.py reencrypt_secrets rotates them
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "name"], name="notification_channel_name_unique")]
        indexes = [models.Index(fields=["account", "topic_arn"], name="notification_channel_topic_idx")]

    def __str__(self) -> str:
        return f"{self.name} ({self.kind})"

    secret = secrets.encrypted_property("encrypted_secret")

    @property
    def per_reviewer(self) -> bool:
        """E-mail goes to each reviewer (with their own signed links); the others post once to a shared place."""
        return self.kind == self.Kind.EMAIL


class ReviewerSettings(models.Model):
    """A reviewer's quiet hours (messages wait until they end) and Slack member id (for Slack buttons)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_settings"
    )
    quiet_start = models.TimeField(null=True, blank=True)
    quiet_end = models.TimeField(null=True, blank=True)
    time_zone = models.CharField(max_length=64, default="UTC")
    slack_user_id = models.CharField(max_length=32, blank=True, default="", db_index=True)

    class Meta:
        verbose_name_plural = "reviewer settings"

    def __str__(self) -> str:
        return f"Notification settings of {self.user}"


class TeamOptOut(models.Model):
    """A reviewer who turned off notifications from one work team (one-click unsubscribe)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    workteam = models.ForeignKey(Workteam, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "workteam"], name="team_opt_out_unique")]

    def __str__(self) -> str:
        return f"{self.user} opted out of {self.workteam}"


class DigestCursor(models.Model):
    """A team's digest state: the newest task already announced and when the last digest went out."""

    workteam = models.OneToOneField(Workteam, on_delete=models.CASCADE, related_name="+")
    last_task_id = models.BigIntegerField(default=0)
    last_sent_at = models.DateTimeField(null=True, blank=True)


class StepCursor(models.Model):
    """How far the deadline sweep got through one flow version's loops for one step: (created_at, id) of the last seen."""

    flow_definition = models.ForeignKey("flows.FlowDefinition", on_delete=models.CASCADE, related_name="+")
    step = models.CharField(max_length=32)
    created_at = models.DateTimeField(null=True, blank=True)
    loop_id = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["flow_definition", "step"], name="step_cursor_unique")]


class LoopStep(models.Model):
    """A deadline step (reminder-N, escalation, timeout) taken for one loop: at most once, by the unique key."""

    # The unique (loop, step) index serves lookups by loop: no second index on the loop alone.
    human_loop = models.ForeignKey("flows.HumanLoop", on_delete=models.CASCADE, related_name="+", db_index=False)
    step = models.CharField(max_length=32)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["human_loop", "step"], name="loop_step_unique")]


class Delivery(models.Model):
    """One message to one channel (and, for e-mail, one reviewer), retried with backoff until delivered."""

    class State(models.TextChoices):
        PENDING = "pending"
        DELIVERED = "delivered"
        FAILED = "failed"

    class Kind(models.TextChoices):
        DIGEST = "digest", "New work"
        REMINDER = "reminder", "Reminder"
        ESCALATION = "escalation", "Escalation"

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="deliveries")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    workteam = models.ForeignKey(Workteam, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    dedupe_key = models.CharField(max_length=200, unique=True)
    message = models.JSONField()
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    # When the sweep sends it (flows.delivery.outbox): now, the end of the reviewer's quiet hours, or a retry's backoff.
    next_attempt_at = models.DateTimeField(default=clock.now)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(default=clock.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "deliveries"
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="notification_delivery_due_idx")]

    def __str__(self) -> str:
        return self.dedupe_key


class DeliveryAttempt(models.Model):
    """One send of a delivery: when, how long, the response code (SMTP 250 for e-mail), what failed."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_rows")
    attempted_at = models.DateTimeField(default=clock.now)
    duration_ms = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=16, choices=[("success", "success"), ("failed", "failed")])
    response_status_code = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True, default="")

    class Meta:
        indexes = [models.Index(fields=["delivery", "attempted_at"], name="notification_attempt_idx")]

    def __str__(self) -> str:
        return f"{self.status} at {self.attempted_at:%Y-%m-%d %H:%M:%S}"
