"""Create, describe, list and delete flow definitions and human task UIs.

Callers (the `sagemaker` handlers, the demo command) validate wire shapes;
these functions enforce what needs the database: names unique per account,
quotas, references to teams and task UIs of the same account, templates and
activation conditions that parse.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, QuerySet

from flows.definitions import agent_policy, conditions, deadlines, templates, versions
from flows.delivery import outputs
from flows.loops import escalation
from flows.models import FlowDefinition, HumanLoop, HumanTaskUi, TaskTemplate
from flows.quality import quality_config
from hitl.kernel import arns, clock
from hitl.kernel.errors import InUse, InvalidInput, LimitExceeded, NotFound
from hitl.kernel.public_url import public_url
from workforce import qualification
from workforce.models import Account, Workforce, Workteam

TEMPLATE_URL_MAX_AGE_SECONDS = 3600
TEMPLATE_URL_PATH = "/api-assets/human-task-uis/"
_TEMPLATE_URL_SALT = "flows.human-task-ui-template"
MAX_TAGS_PER_RESOURCE = 50


# --- Human task UIs -----------------------------------------------------------


def create_human_task_ui(
    account: Account, *, name: str, content: str, tags: list | None = None, created_by: str = ""
) -> HumanTaskUi:
    """Store a worker task template under `name` after checking that it parses, as its version 1.

    Raises InvalidInput (template syntax, with line and reason), InUse (name
    taken) or LimitExceeded (HITL_HUMAN_TASK_UI_QUOTA).
    """
    templates.validate(content)
    with transaction.atomic():
        if HumanTaskUi.objects.filter(account=account).count() >= settings.HITL_HUMAN_TASK_UI_QUOTA:
            raise LimitExceeded(
                f"The account already has {settings.HITL_HUMAN_TASK_UI_QUOTA} human task UIs, the maximum."
            )
        template = TaskTemplate.for_content(content)
        try:
            with transaction.atomic():
                ui = HumanTaskUi.objects.create(
                    account=account, name=name, template=template, tags=tags or [], created_at=clock.now()
                )
        except IntegrityError:
            raise InUse(f"A human task UI named {name} already exists in this account.") from None
        versions.publish_first_ui_version(ui, created_by=created_by)
        return ui


def get_human_task_ui(account: Account, name: str) -> HumanTaskUi:
    """Return the account's human task UI `name`, or raise NotFound."""
    ui = HumanTaskUi.objects.select_related("template").filter(account=account, name=name).first()
    if ui is None:
        raise NotFound(f"Human task UI {arns.build('human-task-ui', account.aws_account_id, name)} does not exist.")
    return ui


def human_task_uis(account: Account) -> QuerySet[HumanTaskUi]:
    """Return the account's human task UIs (callers filter, order and page)."""
    return HumanTaskUi.objects.filter(account=account)


def delete_human_task_ui(account: Account, name: str) -> None:
    """Delete the UI; flow definitions keep the template they snapshotted at creation."""
    get_human_task_ui(account, name).delete()


def template_url(template: TaskTemplate) -> str:
    """Return an expiring signed URL on this server that serves the raw template text."""
    token = signing.dumps({"sha256": template.sha256}, salt=_TEMPLATE_URL_SALT, compress=True)
    return public_url() + TEMPLATE_URL_PATH + token


def template_for_url_token(token: str) -> TaskTemplate:
    """Return the template a `template_url` token names, or raise NotFound when it is invalid or expired."""
    try:
        data = signing.loads(token, salt=_TEMPLATE_URL_SALT, max_age=TEMPLATE_URL_MAX_AGE_SECONDS)
    except signing.BadSignature:
        raise NotFound("This template link is invalid or has expired.") from None
    template = TaskTemplate.objects.filter(sha256=data.get("sha256", "")).first()
    if template is None:
        raise NotFound("This template no longer exists.")
    return template


# --- Flow definitions ---------------------------------------------------------


@dataclass(frozen=True)
class FlowDefinitionSpec:
    """Everything CreateFlowDefinition accepts, in domain terms (defaults as AWS applies them)."""

    name: str
    role_arn: str
    s3_output_path: str
    workteam_arn: str
    human_task_ui_arn: str
    task_title: str
    task_description: str
    task_count: int
    task_availability_lifetime_seconds: int = 864000
    task_time_limit_seconds: int = 3600
    task_keywords: list[str] = field(default_factory=list)
    public_task_price: dict[str, Any] | None = None
    kms_key_id: str = ""
    request_source: str = ""
    activation_conditions: str | None = None
    tags: list[dict[str, str]] = field(default_factory=list)


def create_flow_definition(account: Account, spec: FlowDefinitionSpec, *, created_by: str = "") -> FlowDefinition:
    """Create an Active flow definition, as its version 1, that snapshots its task UI's current template.

    Raises InvalidInput (unknown or public team, unknown UI, bad activation
    conditions, an output path S3 would refuse), InUse (name taken) or LimitExceeded
    (HITL_FLOW_DEFINITION_QUOTA).
    """
    validate_activation_conditions(spec.request_source, spec.activation_conditions)
    validate_output_path(spec.s3_output_path)
    agent_policy.parse(spec.tags)  # a bad hitl:agent: tag is refused before anything is created
    quality_config.parse(spec.tags)  # raises InvalidInput on a bad hitl: setting
    validate_deadline_tags(account, spec.tags, spec.task_availability_lifetime_seconds)
    team = workteam_for_arn(account, spec.workteam_arn)
    validate_team_qualification(spec.tags, team)
    ui = human_task_ui_for_arn(account, spec.human_task_ui_arn)
    with transaction.atomic():
        live = FlowDefinition.objects.filter(account=account, deleted_at__isnull=True)
        if live.count() >= settings.HITL_FLOW_DEFINITION_QUOTA:
            raise LimitExceeded(
                f"The account already has {settings.HITL_FLOW_DEFINITION_QUOTA} flow definitions, the maximum."
            )
        try:
            with transaction.atomic():
                flow = FlowDefinition.objects.create(
                    account=account,
                    name=spec.name,
                    status=FlowDefinition.Status.ACTIVE,
                    created_at=clock.now(),
                    request_source=spec.request_source,
                    activation_conditions=spec.activation_conditions or "",
                    workteam=team,
                    human_task_ui=ui,
                    human_task_ui_arn=spec.human_task_ui_arn,
                    template=ui.template,
                    task_title=spec.task_title,
                    task_description=spec.task_description,
                    task_count=spec.task_count,
                    task_availability_lifetime_seconds=spec.task_availability_lifetime_seconds,
                    task_time_limit_seconds=spec.task_time_limit_seconds,
                    task_keywords=spec.task_keywords,
                    public_task_price=spec.public_task_price,
                    s3_output_path=spec.s3_output_path,
                    kms_key_id=spec.kms_key_id,
                    role_arn=spec.role_arn,
                    tags=spec.tags,
                )
        except IntegrityError:
            raise InUse(f"A flow definition named {spec.name} already exists in this account.") from None
        versions.publish_first_flow_version(flow, created_by=created_by)
        return flow


def validate_activation_conditions(request_source: str, activation_conditions: str | None) -> None:
    """Check HumanLoopActivationConditions as CreateFlowDefinition does (UpdateFlowDefinition reuses it)."""
    if activation_conditions is None:
        return
    if not request_source:
        raise InvalidInput(
            "HumanLoopActivationConfig requires HumanLoopRequestSource: activation conditions are only "
            "available for built-in task types."
        )
    conditions.validate_conditions(request_source, activation_conditions)


def validate_output_path(path: str) -> None:
    """Check OutputConfig.S3OutputPath as CreateFlowDefinition does (UpdateFlowDefinition reuses it)."""
    problem = outputs.output_path_problem(path)
    if problem:
        raise InvalidInput(
            [f"Value '{path[:80]}' at 'outputConfig.s3OutputPath' failed to satisfy constraint: {problem}"]
        )


def get_flow_definition(account: Account, name: str) -> FlowDefinition:
    """Return the account's (not deleted) flow definition `name`, or raise NotFound."""
    flow = (
        FlowDefinition.objects.select_related("workteam")
        .filter(account=account, name=name, deleted_at__isnull=True)
        .first()
    )
    if flow is None:
        raise NotFound(f"Flow definition {arns.build('flow-definition', account.aws_account_id, name)} does not exist.")
    return flow


def flow_definitions(account: Account) -> QuerySet[FlowDefinition]:
    """Return the account's flow definitions that were not deleted."""
    return FlowDefinition.objects.filter(account=account, deleted_at__isnull=True)


def delete_flow_definition(account: Account, name: str) -> None:
    """Delete the flow definition; refused (InUse) while it has InProgress or Stopping loops.

    A flow that has loops is soft-deleted (status Deleting, hidden, name free
    again) so its finished loops stay describable; one without loops is removed.
    """
    with transaction.atomic():
        flow = get_flow_definition(account, name)
        flow = FlowDefinition.objects.select_for_update().get(pk=flow.pk)
        if flow.deleted_at is not None:
            raise NotFound(f"Flow definition {name} does not exist.")
        if HumanLoop.objects.filter(flow_definition=flow, status__in=HumanLoop.OPEN, is_gold=False).exists():
            raise InUse(
                f"Flow definition {name} still has human loops in progress; stop them or let them finish first."
            )
        try:
            with transaction.atomic():
                flow.delete()
        except ProtectedError:
            flow.status = FlowDefinition.Status.DELETING
            flow.deleted_at = clock.now()
            flow.save(update_fields=["status", "deleted_at"])


def workteam_for_arn(account: Account, arn: str) -> Workteam:
    if ":workteam/public-crowd/" in arn or ":workteam/vendor-crowd/" in arn:
        raise InvalidInput(
            f"Value '{arn}' at 'humanLoopConfig.workteamArn' names a public or vendor work team; "
            "this server supports private work teams only."
        )
    name = arns.parse_name("workteam", arn, account.aws_account_id)
    team = Workteam.objects.filter(account=account, name=name).first() if name else None
    if team is None:
        raise InvalidInput(f"The work team {arn} does not exist in this account and region.")
    return team


def human_task_ui_for_arn(account: Account, arn: str) -> HumanTaskUi:
    name = arns.parse_name("human-task-ui", arn, account.aws_account_id)
    ui = HumanTaskUi.objects.select_related("template").filter(account=account, name=name).first() if name else None
    if ui is None:
        raise InvalidInput(f"The human task UI {arn} does not exist in this account and region.")
    return ui


# --- Tags -------------------------------------------------------------------------

_TAGGABLE = ("flow-definition", "human-task-ui", "workteam", "workforce")


def tagged_resource(account: Account, arn: str) -> FlowDefinition | HumanTaskUi | Workteam | Workforce:
    """Return the account's resource named by `arn`, or raise InvalidInput (AddTags declares no not-found error)."""
    for kind in _TAGGABLE:
        name = arns.parse_name(kind, arn, account.aws_account_id)
        if name is None:
            continue
        resource = (
            {
                "flow-definition": flow_definitions(account),
                "human-task-ui": human_task_uis(account),
                "workteam": Workteam.objects.filter(account=account),
                "workforce": Workforce.objects.filter(account=account),
            }[kind]
            .filter(name=name)
            .first()
        )
        if resource is not None:
            return resource
    raise InvalidInput(f"The resource {arn} does not exist in this account and region or cannot be tagged.")


def add_tags(account: Account, arn: str, tags: list[dict[str, str]]) -> list[dict[str, str]]:
    """Add or overwrite `tags` (by Key) on the resource; at most 50 tags in total."""
    with transaction.atomic():
        resource = tagged_resource(account, arn)
        resource = type(resource).objects.select_for_update().get(pk=resource.pk)
        before = list(resource.tags)
        merged = {tag["Key"]: tag["Value"] for tag in resource.tags}
        merged.update({tag["Key"]: tag["Value"] for tag in tags})
        if len(merged) > MAX_TAGS_PER_RESOURCE:
            raise InvalidInput(
                f"The resource would have {len(merged)} tags; at most {MAX_TAGS_PER_RESOURCE} are allowed."
            )
        if isinstance(resource, FlowDefinition):
            quality_config.parse([{"Key": key, "Value": value} for key, value in merged.items()])
        if isinstance(resource, Workteam):
            qualification.validate_team_tags(tags)
        resource.tags = [{"Key": key, "Value": value} for key, value in merged.items()]
        if isinstance(resource, FlowDefinition):
            validate_team_qualification(resource.tags, resource.workteam)
            agent_policy.parse(resource.tags)
            validate_deadline_tags(account, resource.tags, resource.task_availability_lifetime_seconds)
        _save_tags(resource, before, note="AddTags")
    return tags


def validate_team_qualification(tags: list[dict[str, str]], team: Workteam) -> None:
    """Refuse `hitl:qualification=team` on a flow whose work team sets no test (workforce.qualification)."""
    if quality_config.parse(tags).team_qualification and qualification.of_team_tags(team.tags) is None:
        raise InvalidInput(
            f"Tag hitl:qualification is team, but work team {team.name} has no hitl:qualification tag: add one "
            "(N or N:ACCURACY) to the work team with AddTags, or give the flow its own test (N or N:ACCURACY)."
        )


def validate_deadline_tags(account: Account, tags: list[dict[str, str]], lifetime_seconds: int) -> None:
    """Refuse bad `hitl:deadline` tags (flows.definitions.deadlines), and escalation to teams or reviewers that do not exist."""
    target = deadlines.parse(tags, lifetime_seconds=lifetime_seconds).escalate_to
    if target is None:
        return
    teams = set(Workteam.objects.filter(account=account, name__in=target.team_names).values_list("name", flat=True))
    missing = [name for name in target.team_names if name not in teams]
    if missing:
        raise InvalidInput(
            f"Tag {deadlines.ESCALATE_TO} names work team {missing[0]}, which this account does not have."
        )
    for name in target.usernames:
        if escalation.reviewer_named(name) is None:
            raise InvalidInput(f"Tag {deadlines.ESCALATE_TO} names reviewer {name}, who does not exist.")


def delete_tags(account: Account, arn: str, keys: list[str]) -> None:
    """Remove the tags with these keys from the resource (absent keys are ignored)."""
    with transaction.atomic():
        resource = tagged_resource(account, arn)
        resource = type(resource).objects.select_for_update().get(pk=resource.pk)
        before = list(resource.tags)
        resource.tags = [tag for tag in resource.tags if tag["Key"] not in set(keys)]
        _save_tags(resource, before, note="DeleteTags")


def _save_tags(
    resource: FlowDefinition | HumanTaskUi | Workteam | Workforce, before: list[dict[str, str]], *, note: str
) -> None:
    """Save the resource's tags; a flow whose `hitl:` tags changed gets a new version (flows.definitions.versions) with them.

    Loops started before keep the settings of their version (quality control, notifications, agent policy).
    """
    old = {t["Key"]: t["Value"] for t in versions.hitl_tags_of(before)}
    new = {t["Key"]: t["Value"] for t in versions.hitl_tags_of(resource.tags)}
    if isinstance(resource, FlowDefinition) and old != new:
        changed = ", ".join(sorted(key for key in old.keys() | new.keys() if old.get(key) != new.get(key)))
        versions.update_flow_definition(
            resource,
            {versions.HITL_TAGS: versions.hitl_tags_of(resource.tags)},
            base_version=None,
            note=f"{note} {changed}",
        )
    resource.save(update_fields=["tags"])
