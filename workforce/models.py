"""Who acts: accounts (tenants), API access keys, workforces, work teams, reviewers.

Every resource belongs to one Account; an access key belongs to one account
and never sees another account's resources.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models

from hitl.kernel import clock


def _new_account_id() -> str:
    # AWS account ids are 12 digits; patterns in the SDK require exactly that.
    return f"{secrets.randbelow(10**12):012d}"


class Account(models.Model):
    """A tenant. ARNs carry its 12-digit id."""

    name = models.CharField(max_length=64, unique=True)
    aws_account_id = models.CharField(max_length=12, unique=True, default=_new_account_id)
    created_at = models.DateTimeField(default=clock.now)
    admins = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="administered_accounts")

    def __str__(self) -> str:
        return f"{self.name} ({self.aws_account_id})"


class ReadLocation(models.Model):
    """An S3 location (bucket and key prefix) whose objects an account's task pages may show.

    The analogue of the read permission of a flow's RoleArn: hitl reads and presigns with its own
    credentials, so an operator states which locations belong to which account. With no rows an
    account's templates can grant nothing; another account's flow output paths are refused even
    when a row covers them (flows.delivery.read_access).
    """

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="read_locations")
    bucket = models.CharField(max_length=63)
    prefix = models.CharField(
        max_length=1024, blank=True, default="", help_text="Key prefix, e.g. 'images/'; empty = the whole bucket."
    )
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "bucket", "prefix"], name="read_location_unique"),
        ]

    def __str__(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"


class AccessKey(models.Model):
    """An AWS-style access key pair. The secret is stored encrypted (see workforce.secrets).

    The server must recompute SigV4 signatures, so it needs the secret itself,
    not a hash; it is encrypted at rest with HITL_SECRET_ENCRYPTION_KEY.
    """

    class Scope(models.TextChoices):
        FULL = "full", "Runtime and control plane"
        RUNTIME = "runtime", "Runtime API only"

    access_key_id = models.CharField(max_length=20, unique=True)
    encrypted_secret = models.TextField()
    ENCRYPTED_FIELDS = ("encrypted_secret",)  # manage.py reencrypt_secrets rotates them
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="access_keys")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="access_keys"
    )
    scope = models.CharField(max_length=16, choices=Scope.choices, default=Scope.FULL)
    # Empty list = all flows; otherwise the flow definition names this key may use.
    allowed_flow_names = models.JSONField(default=list, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=clock.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # Temporary (STS-style session) credentials: issued by a long-term key, usable only with
    # their session token (stored as its SHA-256, like a password) until expires_at.
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="session_keys")
    session_token_sha256 = models.CharField(max_length=64, blank=True, default="")
    expires_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.access_key_id

    @property
    def is_temporary(self) -> bool:
        return self.expires_at is not None

    @property
    def rate_limit_id(self) -> str:
        """The key whose request budget this one spends: sessions share their long-term key's."""
        return self.parent.access_key_id if self.parent_id else self.access_key_id


class Workforce(models.Model):
    """The private workforce of an account (at most one per account and region)."""

    class Status(models.TextChoices):
        INITIALIZING = "Initializing"
        UPDATING = "Updating"
        DELETING = "Deleting"
        FAILED = "Failed"
        ACTIVE = "Active"

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="workforces")
    name = models.CharField(max_length=63)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    # OidcConfig as sent, ClientSecret stored encrypted and never returned.
    oidc_config = models.JSONField(null=True, blank=True)
    oidc_client_secret_encrypted = models.TextField(blank=True, default="")
    ENCRYPTED_FIELDS = ("oidc_client_secret_encrypted",)  # manage.py reencrypt_secrets rotates them
    cognito_config = models.JSONField(null=True, blank=True)
    source_ip_cidrs = models.JSONField(default=list, blank=True)
    vpc_config = models.JSONField(null=True, blank=True)
    ip_address_type = models.CharField(max_length=16, blank=True, default="")
    sub_domain = models.CharField(max_length=255, blank=True, default="")
    tags = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=clock.now)
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "name"], name="workforce_name_unique")]

    def __str__(self) -> str:
        return self.name


class Workteam(models.Model):
    """A private work team: the reviewers who may take a flow's tasks."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="workteams")
    workforce = models.ForeignKey(Workforce, on_delete=models.PROTECT, related_name="workteams")
    name = models.CharField(max_length=63)
    description = models.CharField(max_length=200)
    # MemberDefinitions as sent (Cognito or OIDC groups), echoed by the API.
    member_definitions = models.JSONField(default=list)
    notification_config = models.JSONField(null=True, blank=True)
    worker_access_config = models.JSONField(null=True, blank=True)
    tags = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=clock.now)
    updated_at = models.DateTimeField(default=clock.now)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="WorkteamMembership", related_name="workteams", blank=True
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "name"], name="workteam_name_unique")]

    def __str__(self) -> str:
        return self.name


class WorkteamMembership(models.Model):
    """A reviewer's place on a team. `role` distinguishes team leads."""

    class Role(models.TextChoices):
        REVIEWER = "reviewer"
        LEAD = "lead"

    workteam = models.ForeignKey(Workteam, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.REVIEWER)
    # Set when membership came from an OIDC group claim, so a later sign-in
    # without the group removes it again.
    via_oidc_group = models.CharField(max_length=63, blank=True, default="")
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workteam", "user"], name="membership_unique")]

    def __str__(self) -> str:
        return f"{self.user} in {self.workteam} ({self.get_role_display()})"


def _new_worker_id() -> str:
    # A2I output shows 16 lowercase hex characters per worker.
    return secrets.token_hex(8)


class WorkteamQualification(models.Model):
    """A reviewer's verdict on their work team's qualification test (workforce.qualification).

    Passed: every flow of the team with `hitl:qualification=team` offers them real tasks.
    Failed: those flows hold them; deleting this row (in the admin) lets them take the test again.
    """

    workteam = models.ForeignKey(Workteam, on_delete=models.CASCADE, related_name="qualifications")
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False)
    passed = models.BooleanField()
    gold_answered = models.PositiveIntegerField(default=0)
    gold_correct = models.PositiveIntegerField(default=0)
    # The flow whose gold items gave the test (its name: the verdict outlives a deleted flow).
    taken_on = models.CharField(max_length=255, blank=True, default="")
    decided_at = models.DateTimeField(default=clock.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["worker", "workteam"], name="workteam_qualification_unique")]

    def __str__(self) -> str:
        return f"{self.worker} {'passed' if self.passed else 'failed'} {self.workteam}'s test"


class Worker(models.Model):
    """A reviewer's stable identity as written into output.json (workerId, identityData)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="worker")
    worker_id = models.CharField(max_length=16, unique=True, default=_new_worker_id)
    identity_provider_type = models.CharField(max_length=16, default="Oidc")
    issuer = models.CharField(max_length=500, blank=True, default="")
    sub = models.CharField(max_length=255, blank=True, default="")

    def __str__(self) -> str:
        return self.worker_id


class WorkerToken(models.Model):
    """A bearer token for the reviewer JSON API (`Authorization: Token <key>`). Stored hashed."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="worker_tokens")
    key_sha256 = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=clock.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Worker token {self.key_sha256[:8]}… of {self.user}"


class AuditRecordQuerySet(models.QuerySet):
    """Append-only: bulk updates and deletes are refused."""

    def update(self, **kwargs):
        raise PermissionError("Audit records are append-only.")

    def delete(self):
        raise PermissionError("Audit records are append-only.")


class AuditRecord(models.Model):
    """One audited action: an AWS API call, a reviewer's claim/release/submit, or an admin change.

    Append-only (see workforce.audit.trail): rows are inserted, never updated or deleted.
    """

    class Kind(models.TextChoices):
        API = "api", "AWS API call"
        TASK = "task", "Reviewer task action"
        ADMIN = "admin", "Admin change"
        LOOP = "loop", "Loop transition"

    created_at = models.DateTimeField(default=clock.now, db_index=True)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    request_id = models.CharField(max_length=64, blank=True, default="", db_index=True)
    account = models.ForeignKey(Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Who: a user (portal, admin) or an access key id (API); both kept as text so they survive deletion.
    actor = models.CharField(max_length=150, blank=True, default="", db_index=True)
    access_key_id = models.CharField(max_length=20, blank=True, default="")
    operation = models.CharField(max_length=64, db_index=True)
    resource = models.CharField(max_length=1024, blank=True, default="")
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    result = models.CharField(max_length=64, blank=True, default="")
    details = models.JSONField(default=dict, blank=True)

    objects = AuditRecordQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["kind", "created_at"], name="audit_kind_time_idx")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.actor} {self.operation} {self.resource}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and not self._state.adding:
            raise PermissionError("Audit records are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit records are append-only.")


class ReviewerKeymap(models.Model):
    """A reviewer's own keyboard shortcuts: action -> key name, over the defaults (review_ui.shortcuts)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="keymap")
    keys = models.JSONField(default=dict)

    def __str__(self) -> str:
        return f"Keyboard shortcuts of {self.user}"
