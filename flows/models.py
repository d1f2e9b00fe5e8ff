"""What is reviewed: task templates, flow definitions, human loops and their review tasks.

Only flows/loops/lifecycle.py writes HumanLoop.status and ReviewTask.state; the
constraints below make the illegal combinations impossible in the database.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q

from hitl.kernel import clock
from workforce import secrets
from workforce.models import Account, Workteam


class TaskTemplate(models.Model):
    """Immutable, content-addressed template text.

    A HumanTaskUi points at its current template; a flow definition snapshots
    the template it was created with, and a loop keeps the template it started
    with, so editing or deleting a UI never changes work in flight.
    """

    sha256 = models.CharField(max_length=64, unique=True)
    content = models.TextField()
    created_at = models.DateTimeField(default=clock.now)

    def __str__(self) -> str:
        return f"Template {self.sha256[:12]}"

    @classmethod
    def for_content(cls, content: str) -> TaskTemplate:
        digest = hashlib.sha256(content.encode("utf-8")).hexdigest()
        template, _ = cls.objects.get_or_create(sha256=digest, defaults={"content": content})
        return template


class HumanTaskUi(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "Active"
        DELETING = "Deleting"

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="human_task_uis")
    name = models.CharField(max_length=63)
    # The current version's template (flows.definitions.versions keeps the two in step).
    template = models.ForeignKey(TaskTemplate, on_delete=models.PROTECT, related_name="+")
    current_version = models.ForeignKey(
        "HumanTaskUiVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    tags = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "name"], name="human_task_ui_name_unique")]
        indexes = [models.Index(fields=["account", "created_at", "name"])]
        verbose_name = "human task UI"
        verbose_name_plural = "human task UIs"

    def __str__(self) -> str:
        return self.name


class FlowDefinition(models.Model):
    class Status(models.TextChoices):
        INITIALIZING = "Initializing"
        ACTIVE = "Active"
        FAILED = "Failed"
        DELETING = "Deleting"

    TEXTRACT_SOURCE = "AWS/Textract/AnalyzeDocument/Forms/V1"
    REKOGNITION_SOURCE = "AWS/Rekognition/DetectModerationLabels/Image/V3"

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="flow_definitions")
    name = models.CharField(max_length=63)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    failure_reason = models.CharField(max_length=1024, blank=True, default="")
    created_at = models.DateTimeField(default=clock.now)
    # HumanLoopRequestSource.AwsManagedHumanLoopRequestSource; empty = custom task type.
    request_source = models.CharField(max_length=64, blank=True, default="")
    # HumanLoopActivationConditions exactly as sent (a JSON document in a string).
    activation_conditions = models.TextField(blank=True, default="")
    # HumanLoopConfig
    workteam = models.ForeignKey(Workteam, on_delete=models.PROTECT, related_name="flow_definitions")
    human_task_ui = models.ForeignKey(
        HumanTaskUi, null=True, blank=True, on_delete=models.SET_NULL, related_name="flow_definitions"
    )
    human_task_ui_arn = models.CharField(max_length=1024)
    template = models.ForeignKey(TaskTemplate, on_delete=models.PROTECT, related_name="+")
    task_title = models.CharField(max_length=128)
    task_description = models.CharField(max_length=255)
    task_count = models.PositiveSmallIntegerField()
    task_availability_lifetime_seconds = models.PositiveIntegerField(default=864000)
    task_time_limit_seconds = models.PositiveIntegerField(default=3600)
    task_keywords = models.JSONField(default=list, blank=True)
    public_task_price = models.JSONField(null=True, blank=True)
    # OutputConfig
    s3_output_path = models.CharField(max_length=1024)
    kms_key_id = models.CharField(max_length=2048, blank=True, default="")
    role_arn = models.CharField(max_length=2048)
    tags = models.JSONField(default=list, blank=True)
    # Soft delete: loops keep their flow (PROTECT), the name becomes free again.
    deleted_at = models.DateTimeField(null=True, blank=True)
    # The columns above are the current version's settings; a start pins this id (and `template`)
    # on the loop from the cached flow row, so the pin costs no statement.
    current_version = models.ForeignKey(
        "FlowDefinitionVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "name"], condition=Q(deleted_at__isnull=True), name="flow_definition_name_unique"
            ),
            models.CheckConstraint(
                condition=Q(task_count__gte=1) & Q(task_count__lte=9), name="flow_definition_task_count_1_9"
            ),
        ]
        indexes = [models.Index(fields=["account", "created_at", "name"])]

    def __str__(self) -> str:
        return self.name


class HumanTaskUiVersion(models.Model):
    """One published, immutable version of a task UI's template (issue 17)."""

    human_task_ui = models.ForeignKey(HumanTaskUi, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    template = models.ForeignKey(TaskTemplate, on_delete=models.PROTECT, related_name="+")
    # The template's sha256 (TaskTemplate.sha256): the content hash of this version.
    content_sha256 = models.CharField(max_length=64)
    created_by = models.CharField(max_length=255, blank=True, default="")
    created_at = models.DateTimeField(default=clock.now)
    note = models.CharField(max_length=1024, blank=True, default="")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["human_task_ui", "number"], name="human_task_ui_version_unique")]
        ordering = ["human_task_ui", "number"]

    def __str__(self) -> str:
        return f"{self.human_task_ui.name} v{self.number}"


class FlowDefinitionVersion(models.Model):
    """One published, immutable version of a flow definition's editable settings (issue 17).

    `settings` holds the editable FlowDefinition columns (flows.definitions.versions.EDITABLE_FIELDS) by
    attname; `content_sha256` is the hash of that document with the template's hash.
    """

    flow_definition = models.ForeignKey(FlowDefinition, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    settings = models.JSONField()
    # Null once its task UI is deleted (as A2I allows): the version keeps its own template.
    human_task_ui_version = models.ForeignKey(
        HumanTaskUiVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    template = models.ForeignKey(TaskTemplate, on_delete=models.PROTECT, related_name="+")
    content_sha256 = models.CharField(max_length=64)
    created_by = models.CharField(max_length=255, blank=True, default="")
    created_at = models.DateTimeField(default=clock.now)
    note = models.CharField(max_length=1024, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["flow_definition", "number"], name="flow_definition_version_unique")
        ]
        ordering = ["flow_definition", "number"]

    def __str__(self) -> str:
        return f"{self.flow_definition.name} v{self.number}"


class HumanLoop(models.Model):
    class Status(models.TextChoices):
        IN_PROGRESS = "InProgress"
        COMPLETED = "Completed"
        FAILED = "Failed"
        STOPPING = "Stopping"
        STOPPED = "Stopped"

    TERMINAL = (Status.COMPLETED, Status.FAILED, Status.STOPPED)
    OPEN = (Status.IN_PROGRESS, Status.STOPPING)

    class FailureCode(models.TextChoices):
        VALIDATION_ERROR = "ValidationError"
        EXPIRED = "Expired"
        INTERNAL_ERROR = "InternalError"

    # The flow's account, copied (flows.loops.rules.new_loop_row): the flow's own constraint holds it,
    # and the flow's constraint below holds the flow, so a loop cannot outlive its account (an account
    # with flows cannot be deleted, nor a flow with loops: it is soft-deleted). No database constraint of
    # its own: PostgreSQL checked it once per inserted loop, about 10 µs of CPU a loop in an import
    # (bench/README.md "sixth pass").
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="human_loops", db_constraint=False)
    # No index of its own: human_loop_list_idx starts with it. Every index is paid on every start.
    # Held on PostgreSQL by statement-level triggers instead of a foreign-key constraint (flows/migrations/
    # 0018): the same guarantee, checked once per INSERT statement rather than once per row, which cost
    # about 5 µs of CPU a loop in an import. Django's PROTECT still refuses an ORM delete.
    flow_definition = models.ForeignKey(
        FlowDefinition, on_delete=models.PROTECT, related_name="human_loops", db_index=False, db_constraint=False
    )
    # The template and the version are copies of the flow's (flows.loops.rules.new_loop_row), whose own
    # foreign keys hold them: no database constraint here, since PostgreSQL checks each one per inserted
    # row (about 9 µs of CPU a loop each in a bulk import). Django's on_delete still guards them.
    template = models.ForeignKey(TaskTemplate, on_delete=models.PROTECT, related_name="+", db_constraint=False)
    # The flow version current when the loop started: it finishes with that version's settings.
    # No index: read through the loop, and every index is paid on every start.
    flow_version = models.ForeignKey(
        FlowDefinitionVersion,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    name = models.CharField(max_length=63)
    # InputContent byte for byte (idempotent retries compare it), and parsed.
    input_content = models.TextField()
    input_json = models.JSONField()
    data_attributes = models.JSONField(null=True, blank=True)
    # Built-in task types and routers: why the loop was started.
    activation_output = models.JSONField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.IN_PROGRESS)
    failure_reason = models.CharField(max_length=1024, blank=True, default="")
    failure_code = models.CharField(max_length=32, choices=FailureCode.choices, blank=True, default="")
    created_at = models.DateTimeField(default=clock.now)
    expires_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    output_s3_uri = models.CharField(max_length=2048, blank=True, default="")
    deleted_at = models.DateTimeField(null=True, blank=True)
    # A gold item (flows.quality.gold): a known answer mixed into reviewers' queues, never a customer loop.
    # db_default: the written-out inserts (flows.loops.hot_sql, flows.loops.bulk) need not name it.
    is_gold = models.BooleanField(default=False, db_default=False)

    class Meta:
        constraints = [
            # Names are unique per account among loops that were not deleted.
            models.UniqueConstraint(
                fields=["account", "name"], condition=Q(deleted_at__isnull=True), name="human_loop_name_unique"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["InProgress", "Completed", "Failed", "Stopping", "Stopped"]),
                name="human_loop_status_valid",
            ),
            # Failure details exist exactly when the loop failed.
            models.CheckConstraint(
                condition=(Q(status="Failed") & ~Q(failure_code="")) | (~Q(status="Failed") & Q(failure_code="")),
                name="human_loop_failure_code_iff_failed",
            ),
            # A Completed loop always has its output.
            models.CheckConstraint(
                condition=~Q(status="Completed") | ~Q(output_s3_uri=""), name="human_loop_completed_has_output"
            ),
            # Terminal exactly when finished_at is set: a finished loop never reopens unnoticed.
            models.CheckConstraint(
                condition=(Q(status__in=["Completed", "Failed", "Stopped"]) & Q(finished_at__isnull=False))
                | (Q(status__in=["InProgress", "Stopping"]) & Q(finished_at__isnull=True)),
                name="human_loop_finished_iff_terminal",
            ),
            # Only finished loops can be deleted.
            models.CheckConstraint(
                condition=Q(deleted_at__isnull=True) | Q(status__in=["Completed", "Failed", "Stopped"]),
                name="human_loop_deleted_only_when_finished",
            ),
        ]
        indexes = [
            # ListHumanLoops: keyset pagination by (created_at, name) within a flow.
            models.Index(fields=["flow_definition", "created_at", "name"], name="human_loop_list_idx"),
            models.Index(fields=["status", "expires_at"], name="human_loop_expiry_idx"),
        ]

    def __str__(self) -> str:
        return self.name


class ReviewTask(models.Model):
    """One of a loop's TaskCount assignments: the queue item a reviewer claims and answers.

    Columns copied from the loop (flow, workteam, available_until) keep the
    next-task query on this one table and one partial index.
    """

    class State(models.TextChoices):
        OPEN = "open"
        LEASED = "leased"
        SUBMITTED = "submitted"
        CANCELLED = "cancelled"

    # No database constraint: PostgreSQL checked it once per inserted task, locking the loop row again (about 10 µs
    # of CPU a task in a bulk import, bench/README.md). Every task is inserted in its loop's own start transaction,
    # under its loop's row lock (send back, adaptive overlap) or beside a TaskExclusion row whose constraint checks
    # the same loop (gold); loops are removed only through Django's collector, whose CASCADE removes the tasks first.
    human_loop = models.ForeignKey(
        HumanLoop, on_delete=models.CASCADE, related_name="review_tasks", db_constraint=False
    )
    # Open tasks are found by review_task_open_flow_idx, the others through their loop.
    # The flow and team are copies of the loop's flow's (flows.loops.rules.new_task_row): no database
    # constraint, as for HumanLoop.template (each is checked per inserted row); on_delete still applies.
    flow_definition = models.ForeignKey(
        FlowDefinition, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    workteam = models.ForeignKey(Workteam, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    state = models.CharField(max_length=16, choices=State.choices, default=State.OPEN)
    available_until = models.DateTimeField()
    created_at = models.DateTimeField(default=clock.now)
    # Indexed only where set (review_task_worker_idx): open tasks, most of the queue, name nobody.
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="review_tasks",
        db_index=False,
    )
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    # Leased ahead of the task on the reviewer's screen (review_ui.work.claim_ahead) and not shown yet:
    # a lease that ends unseen does not bar the reviewer from the loop (flows.loops.lifecycle._reopen).
    # db_default: the written-out inserts (flows.loops.hot_sql, flows.loops.bulk) need not name it.
    claimed_ahead = models.BooleanField(default=False, db_default=False)
    submitted_at = models.DateTimeField(null=True, blank=True)
    time_spent_seconds = models.FloatField(null=True, blank=True)
    answer = models.JSONField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["open", "leased", "submitted", "cancelled"]), name="review_task_state_valid"
            ),
            # A lease or an answer always names its reviewer; an open task names none.
            models.CheckConstraint(
                condition=(Q(state="open") & Q(worker__isnull=True))
                | (Q(state="leased") & Q(worker__isnull=False) & Q(lease_expires_at__isnull=False))
                | (Q(state="submitted") & Q(worker__isnull=False) & Q(answer__isnull=False))
                | Q(state="cancelled"),
                name="review_task_state_fields",
            ),
            # The same reviewer never holds or answers two tasks of one loop.
            models.UniqueConstraint(
                fields=["human_loop", "worker"],
                condition=Q(state__in=["leased", "submitted"]),
                name="review_task_one_per_worker_per_loop",
            ),
        ]
        indexes = [
            # Next task: oldest open task of a team (optionally of a flow).
            models.Index(fields=["workteam", "id"], condition=Q(state="open"), name="review_task_open_team_idx"),
            models.Index(fields=["flow_definition", "id"], condition=Q(state="open"), name="review_task_open_flow_idx"),
            models.Index(fields=["lease_expires_at"], condition=Q(state="leased"), name="review_task_lease_idx"),
            models.Index(fields=["worker"], condition=Q(worker__isnull=False), name="review_task_worker_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_state_display().capitalize()} task {self.pk} of loop {self.human_loop_id}"


class TaskExclusion(models.Model):
    """A reviewer who may not take (another) task of this loop: answered, held, or shown and timed out or skipped."""

    human_loop = models.ForeignKey(HumanLoop, on_delete=models.CASCADE, related_name="+")
    # No index of its own: task_exclusion_unique starts with it.
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["worker", "human_loop"], name="task_exclusion_unique")]

    def __str__(self) -> str:
        return f"Reviewer {self.worker_id} excluded from loop {self.human_loop_id}"


class OutputOutbox(models.Model):
    """Work to finish a loop: write output.json (if any answers) then set the final status.

    Created in the same transaction as the last answer (or the stop), so the
    answer and the promise to write it commit together.
    """

    class State(models.TextChoices):
        PENDING = "pending"
        DONE = "done"

    human_loop = models.OneToOneField(HumanLoop, on_delete=models.CASCADE, related_name="output_outbox")
    final_status = models.CharField(max_length=16)
    bucket = models.CharField(max_length=255, blank=True, default="")
    key = models.CharField(max_length=1024, blank=True, default="")
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True, default="")
    # When the outbox sweep takes the row over (flows.delivery.outbox): a handed-off message has until then.
    next_attempt_at = models.DateTimeField(default=clock.now)
    created_at = models.DateTimeField(default=clock.now)
    done_at = models.DateTimeField(null=True, blank=True)
    # A loop that timed out at its deadline (flows.definitions.deadlines): why, as output.json's hitlTimeout, and the
    # failure it ends with (on-timeout fail: Failed, Expired); empty for every other finish.
    timeout = models.JSONField(null=True, blank=True)
    failure_code = models.CharField(max_length=32, blank=True, default="")
    failure_reason = models.CharField(max_length=1024, blank=True, default="")

    class Meta:
        indexes = [models.Index(fields=["state", "created_at"], name="output_outbox_pending_idx")]
        verbose_name = "output outbox entry"
        verbose_name_plural = "output outbox entries"

    def __str__(self) -> str:
        return f"Output of loop {self.human_loop_id} ({self.get_state_display()})"


class ClaimGrant(models.Model):
    """Who else may claim an escalated loop's tasks (flows.definitions.deadlines): another work team, or one reviewer.

    An escalation burst writes one row per loop, so a row keeps three index entries, not six: the
    unique (loop, team) index also serves lookups by loop (cascades, the foreign key's checks), and
    the indexes that name a team or a reviewer leave out rows that name the other (partial).
    """

    human_loop = models.ForeignKey(HumanLoop, on_delete=models.CASCADE, related_name="claim_grants", db_index=False)
    # No database constraint on who is granted: its check at commit locks the one team's (or reviewer's) row
    # once per granted loop, 40% of an escalation burst's insert. Django's delete collector still removes a
    # deleted team's or user's grants (on_delete), and work teams and users are deleted only through it.
    workteam = models.ForeignKey(
        Workteam, null=True, blank=True, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(workteam__isnull=False) | Q(user__isnull=False), name="claim_grant_names_someone"
            ),
            models.UniqueConstraint(fields=["human_loop", "workteam"], name="claim_grant_team_unique"),
            models.UniqueConstraint(
                fields=["human_loop", "user"], condition=Q(user__isnull=False), name="claim_grant_user_unique"
            ),
        ]
        indexes = [
            # Whose grants (flows.loops.escalation.granted_loop_ids): a reviewer's own, or their teams'.
            models.Index(fields=["workteam"], condition=Q(workteam__isnull=False), name="claim_grant_team_idx"),
            models.Index(fields=["user"], condition=Q(user__isnull=False), name="claim_grant_user_idx"),
        ]


class StatusEvent(models.Model):
    """A "SageMaker A2I HumanLoop Status Change" event, stored with the transition (outbox)."""

    event_id = models.UUIDField(unique=True)
    human_loop = models.ForeignKey(HumanLoop, on_delete=models.CASCADE, related_name="status_events")
    body = models.JSONField()
    created_at = models.DateTimeField(default=clock.now)

    def __str__(self) -> str:
        return f"Status event {self.event_id} of loop {self.human_loop_id}"


class WebhookEndpoint(models.Model):
    """An HTTPS endpoint that receives status events, signed with HMAC-SHA256 and Standard Webhooks."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField(max_length=2048)
    # The signing secret, encrypted as access-key secrets are (workforce.secrets); `secret` is the plain text.
    encrypted_secret = models.TextField(blank=True, default="")
    ENCRYPTED_FIELDS = ("encrypted_secret",)  # manage.py reencrypt_secrets rotates them
    secret = secrets.encrypted_property("encrypted_secret")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "url"], name="webhook_endpoint_url_unique")]

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    """One event to one endpoint, retried with backoff until delivered."""

    class State(models.TextChoices):
        PENDING = "pending"
        DELIVERED = "delivered"
        FAILED = "failed"

    event = models.ForeignKey(StatusEvent, on_delete=models.CASCADE, related_name="deliveries")
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=clock.now)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="")
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "endpoint"], name="webhook_delivery_unique")]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="webhook_delivery_due_idx")]
        verbose_name_plural = "webhook deliveries"

    def __str__(self) -> str:
        return f"Delivery {self.pk} of event {self.event_id} ({self.get_state_display()})"


class DeliveryAttemptStatus(models.TextChoices):
    SUCCESS = "success"
    FAILED = "failed"


class DeliveryAttempt(models.Model):
    """One try at outbound work (as saleor's EventDeliveryAttempt): when, how long, whether it worked, what failed."""

    attempted_at = models.DateTimeField(default=clock.now)
    duration_ms = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=16, choices=DeliveryAttemptStatus.choices)
    error = models.TextField(blank=True, default="")

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.get_status_display()} at {self.attempted_at:%Y-%m-%d %H:%M:%S}"


class OutputWriteAttempt(DeliveryAttempt):
    """One try at writing a loop's output.json."""

    outbox = models.ForeignKey(OutputOutbox, on_delete=models.CASCADE, related_name="attempt_rows")

    class Meta:
        indexes = [models.Index(fields=["outbox", "attempted_at"], name="output_attempt_outbox_idx")]


class WebhookDeliveryAttempt(DeliveryAttempt):
    """One POST (or SQS/EventBridge send) of a delivery, with the endpoint's response code."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_rows")
    response_status_code = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["delivery", "attempted_at"], name="webhook_attempt_delivery_idx")]


class GoldItem(models.Model):
    """The known answer of a gold loop (HumanLoop.is_gold); see flows.quality.gold."""

    human_loop = models.OneToOneField(HumanLoop, on_delete=models.CASCADE, related_name="gold_item")
    answer = models.JSONField()
    created_at = models.DateTimeField(default=clock.now)

    def __str__(self) -> str:
        return f"Known answer of gold loop {self.human_loop_id}"


class ReviewerStanding(models.Model):
    """One reviewer's record on one flow with gold items: gold accuracy, qualification, pause.

    `held` is what the claim reads (flows.loops.lifecycle and flows.loops.hot_sql skip the
    flow's real tasks for a held reviewer): paused, or not yet qualified.
    """

    flow_definition = models.ForeignKey(FlowDefinition, on_delete=models.CASCADE, related_name="+")
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False)
    gold_answered = models.PositiveIntegerField(default=0)
    gold_correct = models.PositiveIntegerField(default=0)
    held = models.BooleanField(default=False)
    qualified_at = models.DateTimeField(null=True, blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    pause_reason = models.CharField(max_length=512, blank=True, default="")
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["worker", "flow_definition"], name="reviewer_standing_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.worker} on {self.flow_definition}"


class ImportJob(models.Model):
    """One upload of rows (CSV, JSONL, or a listing of images) into loops of one flow (flows.loops.imports).

    All or nothing: the rows are started in one transaction, and rolled back
    if any row fails; `errors` then lists every failing row.
    """

    class State(models.TextChoices):
        UPLOADED = "uploaded"  # waiting for its column mapping
        QUEUED = "queued"
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"

    class Format(models.TextChoices):
        CSV = "csv"
        JSONL = "jsonl"

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    flow_definition = models.ForeignKey(FlowDefinition, on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    source_name = models.CharField(max_length=1024)
    source_format = models.CharField(max_length=8, choices=Format.choices)
    columns = models.JSONField(default=list)
    # Template input field -> source column; the loop name from `name_column`, or generated.
    mapping = models.JSONField(default=dict)
    name_column = models.CharField(max_length=255, blank=True, default="")
    state = models.CharField(max_length=16, choices=State.choices, default=State.UPLOADED)
    total_rows = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    existing = models.PositiveIntegerField(default=0)
    not_activated = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True, default="")
    # The failing rows as CSV (row, name, error, message), the first flows.loops.imports.ERRORS_KEPT of them.
    errors = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(default=clock.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["account", "-created_at"], name="import_job_account_idx")]

    def __str__(self) -> str:
        return f"Import of {self.source_name} into {self.flow_definition.name}"


class ImportChunk(models.Model):
    """A piece of an import's uploaded file, so any process (a Celery worker) can read it back in order."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="chunks")
    number = models.PositiveIntegerField()
    data = models.BinaryField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "number"], name="import_chunk_unique")]

    def __str__(self) -> str:
        return f"Part {self.number} of {self.job}"


class SideWriteDecision(models.Model):
    """A side transaction to commit (flows.loops.side_writes): written in the transaction whose commit decides it.

    Left only by a process that died between its commit and COMMIT PREPARED; the
    settle-side-writes sweep then commits the prepared transaction and removes the row.
    """

    gid = models.CharField(max_length=64, primary_key=True)
    created_at = models.DateTimeField(default=clock.now)

    def __str__(self) -> str:
        return self.gid
