"""hitl's extension operations for versioned task UIs and flow definitions (issue 17).

Protocol: JSON 1.1 (`sagemaker`, X-Amz-Target: SageMaker.<Op>), as the standard
control-plane operations; boto3 calls them once hitl_agents.service_model adds
their shapes (service-2.sdk-extras.json). Members are validated with the limits
and patterns of CreateHumanTaskUi / CreateFlowDefinition, then flows.definitions.versions
publishes the new version.
"""

from __future__ import annotations

from typing import Any

from flows.api import sagemaker as standard
from flows.definitions import editing, services, versions
from flows.models import FlowDefinitionVersion, HumanTaskUiVersion
from hitl.aws import shapes
from hitl.aws.registry import RequestContext, control_plane_operation
from hitl.aws.validation import Validator
from hitl.kernel import arns


def _created_by(ctx: RequestContext) -> str:
    return f"access-key:{ctx.access_key.access_key_id}"


def _common(v: Validator) -> tuple[int | None, str, bool]:
    base = v.integer("BaseVersion", min_value=1)
    note = v.string("VersionNote", max_len=1024) or ""
    force = bool(v.boolean("Force", default=False))
    return base, note, force


@control_plane_operation("UpdateHumanTaskUi")
def update_human_task_ui(ctx: RequestContext, body: dict[str, Any]) -> dict[str, Any]:
    v = Validator(body)
    name, content = standard.ui_name_and_template(v)
    base, note, force = _common(v)
    v.done()
    ui = services.get_human_task_ui(ctx.account, name)
    update = versions.update_human_task_ui(
        ui, content=content, base_version=base, note=note, created_by=_created_by(ctx), force=force
    )
    return {
        "HumanTaskUiArn": arns.build("human-task-ui", ctx.account.aws_account_id, ui.name),
        "HumanTaskUiVersion": update.version.number,
        "UpdatedFlowDefinitions": [
            {"FlowDefinitionName": fv.flow_definition.name, "FlowDefinitionVersion": fv.number}
            for fv in update.flow_versions
        ],
    }


@control_plane_operation("ListHumanTaskUiVersions")
def list_human_task_ui_versions(ctx: RequestContext, body: dict[str, Any]) -> dict[str, Any]:
    ui = services.get_human_task_ui(ctx.account, _name(body, "HumanTaskUiName", "human-task-ui"))
    rows = HumanTaskUiVersion.objects.filter(human_task_ui=ui).order_by("number")
    return {
        "CurrentVersion": ui.current_version.number if ui.current_version_id else 0,
        "HumanTaskUiVersions": [
            {
                "Version": row.number,
                "CreationTime": shapes.epoch(row.created_at),
                "CreatedBy": row.created_by,
                "VersionNote": row.note,
                "ContentSha256": row.content_sha256,
            }
            for row in rows
        ],
    }


@control_plane_operation("UpdateFlowDefinition")
def update_flow_definition(ctx: RequestContext, body: dict[str, Any]) -> dict[str, Any]:
    v = Validator(body)
    name = v.string(
        "FlowDefinitionName", required=True, min_len=1, max_len=63, pattern=shapes.NAME_PATTERNS["flow-definition"]
    )
    base, note, force = _common(v)
    ui_version = v.integer("HumanTaskUiVersion", min_value=1)
    rollback = v.integer("RollbackToVersion", min_value=1)
    changes: dict[str, Any] = {}
    config = v.structure("HumanLoopConfig")
    if config:
        changes |= _loop_config_changes(config)
    output = v.structure("OutputConfig")
    if output:
        path = output.string("S3OutputPath", required=True, max_len=1024, pattern=standard.S3_URI)
        if path:
            changes["s3_output_path"] = path
    conditions = None
    activation = v.structure("HumanLoopActivationConfig")
    if activation:
        conditions_config = activation.structure("HumanLoopActivationConditionsConfig", required=True)
        if conditions_config:
            conditions = conditions_config.string("HumanLoopActivationConditions", required=True, max_len=10240)
    # hitl's own: the complete set of the flow's hitl: tags (quality, notifications, agents), versioned.
    hitl_tags = shapes.tags(v, "HitlTags") if v.present("HitlTags") else None
    v.done()
    flow = services.get_flow_definition(ctx.account, name)
    if rollback is not None:
        version = versions.roll_back_flow_definition(
            flow, rollback, base_version=base, created_by=_created_by(ctx), force=force
        )
    else:
        if conditions is not None:
            changes["activation_conditions"] = conditions
        if hitl_tags is not None:
            changes[versions.HITL_TAGS] = hitl_tags
        # Each change validated as at CreateFlowDefinition (flows.definitions.editing, as edit_flow and the admin).
        version = editing.edit_flow_definition(
            ctx.account,
            flow,
            changes,
            base_version=base,
            human_task_ui_version=ui_version,
            note=note,
            created_by=_created_by(ctx),
            force=force,
        )
    return {
        "FlowDefinitionArn": arns.build("flow-definition", ctx.account.aws_account_id, flow.name),
        "FlowDefinitionVersion": version.number,
    }


def _loop_config_changes(config: Validator) -> dict[str, Any]:
    """The members of HumanLoopConfig that are present, as FlowDefinition attnames, with CreateFlowDefinition's limits."""
    checked = {
        "workteam_arn": config.string("WorkteamArn", max_len=256, pattern=standard.WORKTEAM_ARN),
        "human_task_ui_arn": config.string("HumanTaskUiArn", max_len=1024, pattern=standard.HUMAN_TASK_UI_ARN),
        "task_title": config.string("TaskTitle", min_len=1, max_len=128, pattern=standard.TASK_TITLE),
        "task_description": config.string("TaskDescription", min_len=1, max_len=255, pattern=".+"),
        "task_count": _integer(config, "TaskCount", "task_count"),
        "task_availability_lifetime_seconds": _integer(
            config, "TaskAvailabilityLifetimeInSeconds", "task_availability_lifetime_seconds"
        ),
        "task_time_limit_seconds": _integer(config, "TaskTimeLimitInSeconds", "task_time_limit_seconds"),
    }
    changes = {key: value for key, value in checked.items() if value is not None}
    if config.present("TaskKeywords"):
        changes["task_keywords"] = standard._task_keywords(config)
    return changes


def _integer(config: Validator, member: str, setting: str) -> int | None:
    low, high = editing.NUMBER_LIMITS[setting]
    return config.integer(member, min_value=low, max_value=high)


@control_plane_operation("ListFlowDefinitionVersions")
def list_flow_definition_versions(ctx: RequestContext, body: dict[str, Any]) -> dict[str, Any]:
    flow = services.get_flow_definition(ctx.account, _name(body, "FlowDefinitionName", "flow-definition"))
    rows = (
        FlowDefinitionVersion.objects.filter(flow_definition=flow)
        .select_related("human_task_ui_version", "template")
        .order_by("number")
    )
    current = FlowDefinitionVersion.objects.filter(id=flow.current_version_id).values_list("number", flat=True)
    summaries = []
    for row in rows:
        summary = {
            "Version": row.number,
            "CreationTime": shapes.epoch(row.created_at),
            "CreatedBy": row.created_by,
            "VersionNote": row.note,
            "ContentSha256": row.content_sha256,
            "TemplateSha256": row.template.sha256,
            "TaskCount": row.settings["task_count"],
            "S3OutputPath": row.settings["s3_output_path"],
        }
        if row.human_task_ui_version is not None:
            summary["HumanTaskUiVersion"] = row.human_task_ui_version.number
        summaries.append(summary)
    return {"CurrentVersion": current.first() or 0, "FlowDefinitionVersions": summaries}


def _name(body: dict[str, Any], member: str, kind: str) -> str:
    v = Validator(body)
    name = v.string(member, required=True, min_len=1, max_len=63, pattern=shapes.NAME_PATTERNS[kind])
    v.done()
    return name
