"""Control-plane operations for flow definitions and human task UIs.

Protocol: JSON 1.1 (`sagemaker`, X-Amz-Target: SageMaker.<Op>). Each handler
validates the wire shape (limits and patterns of the service model), calls
flows.definitions.services and renders the PascalCase output; optional members are
omitted, never null.
"""

from __future__ import annotations

import hashlib
from typing import Any

from flows.definitions import services
from flows.models import FlowDefinition, HumanTaskUi
from flows.quality import quality_config
from hitl.aws import shapes
from hitl.aws.registry import RequestContext, control_plane_operation
from hitl.aws.validation import Validator
from hitl.kernel import arns

ARN_BASE = r"arn:aws[a-z\-]*:sagemaker:[a-z0-9\-]*:[0-9]{12}:"
WORKTEAM_ARN = ARN_BASE + r"workteam/.*"
HUMAN_TASK_UI_ARN = r"arn:aws[a-z\-]*:sagemaker:[a-z0-9\-]+:[0-9]{12}:human-task-ui/.*"
ROLE_ARN = r"arn:aws[a-z\-]*:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+"
S3_URI = r"(https|s3)://([^/]+)/?(.*)"
KMS_KEY_ID = r"[a-zA-Z0-9:/_-]*"
TASK_TITLE = "[\t\n\r -\ud7ff\ue000-\ufffd]*"
TASK_KEYWORD = r"[A-Za-z0-9]+( [A-Za-z0-9]+)*"
REQUEST_SOURCES = (FlowDefinition.REKOGNITION_SOURCE, FlowDefinition.TEXTRACT_SOURCE)


# --- Human task UIs -----------------------------------------------------------


def ui_name_and_template(v: Validator) -> tuple[str | None, str | None]:
    """HumanTaskUiName and UiTemplate.Content, as CreateHumanTaskUi (and hitl's UpdateHumanTaskUi) take them."""
    name = v.string(
        "HumanTaskUiName", required=True, min_len=1, max_len=63, pattern=shapes.NAME_PATTERNS["human-task-ui"]
    )
    template = v.structure("UiTemplate", required=True)
    content = template.string("Content", required=True, min_len=1, max_len=128000) if template else None
    return name, content


@control_plane_operation("CreateHumanTaskUi")
def create_human_task_ui(ctx: RequestContext, body: dict[str, Any]) -> dict[str, Any]:
    v = Validator(body)
    name, content = ui_name_and_template(v)
    tags = shapes.tags(v)
    v.done()
    ui = services.create_human_task_ui(ctx.account, name=name, content=content, tags=tags)
    return {"HumanTaskUiArn": _ui_arn(ctx, ui)}


@control_plane_operation("DescribeHumanTaskUi")
def describe_human_task_ui(ctx: RequestContext, body: dict[str, Any]) -> dict[str, Any]:
    name = _required_name(body, "HumanTaskUiName", "human-task-ui")
    ui = services.get_human_task_ui(ctx.account, name)
    return {
        "HumanTaskUiArn": _ui_arn(ctx, ui),
        "HumanTaskUiName": ui.name,
        "HumanTaskUiStatus": ui.status,
        "CreationTime": shapes.epoch(ui.created_at),
        "UiTemplate": {
            "Url": services.template_url(ui.template),
            "ContentSha256": hashlib.sha256(ui.template.content.encode("utf-8")).hexdigest(),
        },
    }


@control_plane_operation("ListHumanTaskUis")
def list_human_task_uis(ctx: RequestContext, body: dict[str, Any]) -> dict[str, Any]:
    params = shapes.list_params(body, default_order="Descending")
    rows, token = shapes.page(
        shapes.filter_created(services.human_task_uis(ctx.account), params), params, sort_field="created_at"
    )
    output: dict[str, Any] = {
        "HumanTaskUiSummaries": [
            {
                "HumanTaskUiName": ui.name,
                "HumanTaskUiArn": _ui_arn(ctx, ui),
                "CreationTime": shapes.epoch(ui.created_at),
            }
            for ui in rows
        ]
    }
    if token:
        output["NextToken"] = token
    return output


@control_plane_operation("DeleteHumanTaskUi")
def delete_human_task_ui(ctx: RequestContext, body: dict[str, Any]) -> dict[str, Any]:
    services.delete_human_task_ui(ctx.account, _required_name(body, "HumanTaskUiName", "human-task-ui"))
    return {}


# --- Flow definitions ---------------------------------------------------------


@control_plane_operation("CreateFlowDefinition")
def create_flow_definition(ctx: RequestContext, body: dict[str, Any]) -> dict[str, Any]:
    flow = services.create_flow_definition(ctx.account, flow_definition_spec(body))
    return {"FlowDefinitionArn": _flow_arn(ctx, flow)}


def flow_definition_spec(body: dict[str, Any]) -> services.FlowDefinitionSpec:
    """Return CreateFlowDefinition's request body as a FlowDefinitionSpec, or raise its ValidationException.

    The console's flow form builds the same body, so both check a new flow with the same rules.
    """
    v = Validator(body)
    name = v.string(
        "FlowDefinitionName", required=True, min_len=1, max_len=63, pattern=shapes.NAME_PATTERNS["flow-definition"]
    )
    source = v.structure("HumanLoopRequestSource")
    request_source = ""
    if source:
        request_source = source.string("AwsManagedHumanLoopRequestSource", required=True, enum=REQUEST_SOURCES) or ""
    conditions = None
    activation = v.structure("HumanLoopActivationConfig")
    if activation:
        conditions_config = activation.structure("HumanLoopActivationConditionsConfig", required=True)
        if conditions_config:
            conditions = conditions_config.string("HumanLoopActivationConditions", required=True, max_len=10240)
    config = v.structure("HumanLoopConfig", required=True)
    loop: dict[str, Any] = {}
    if config:
        loop = {
            "workteam_arn": config.string("WorkteamArn", required=True, max_len=256, pattern=WORKTEAM_ARN),
            "human_task_ui_arn": config.string(
                "HumanTaskUiArn", required=True, max_len=1024, pattern=HUMAN_TASK_UI_ARN
            ),
            "task_title": config.string("TaskTitle", required=True, min_len=1, max_len=128, pattern=TASK_TITLE),
            "task_description": config.string("TaskDescription", required=True, min_len=1, max_len=255, pattern=".+"),
            "task_count": config.integer(
                # Up to 9, as Ground Truth allows (A2I itself stops at 3); hitl.quality_config.
                "TaskCount",
                required=True,
                min_value=1,
                max_value=quality_config.MAX_TASK_COUNT,
            ),
            "task_availability_lifetime_seconds": config.integer(
                "TaskAvailabilityLifetimeInSeconds", min_value=1, max_value=864000, default=864000
            ),
            "task_time_limit_seconds": config.integer(
                "TaskTimeLimitInSeconds", min_value=30, max_value=28800, default=3600
            ),
            "task_keywords": _task_keywords(config),
            "public_task_price": _public_task_price(config),
        }
    output = v.structure("OutputConfig", required=True)
    s3_output_path = kms_key_id = None
    if output:
        s3_output_path = output.string("S3OutputPath", required=True, max_len=1024, pattern=S3_URI)
        kms_key_id = output.string("KmsKeyId", max_len=2048, pattern=KMS_KEY_ID)
    role_arn = v.string("RoleArn", required=True, min_len=20, max_len=2048, pattern=ROLE_ARN)
    tags = shapes.tags(v)
    v.done()
    return services.FlowDefinitionSpec(
        name=name,
        role_arn=role_arn,
        s3_output_path=s3_output_path,
        kms_key_id=kms_key_id or "",
        request_source=request_source,
        activation_conditions=conditions,
        tags=tags,
        **loop,
    )


def _task_keywords(config: Validator) -> list[str]:
    keywords = config.list("TaskKeywords", min_items=1, max_items=5) or []
    for index, keyword in enumerate(keywords):
        item = Validator({str(index + 1): keyword}, prefix=f"{config.prefix}.TaskKeywords", errors=config.errors)
        item.string(str(index + 1), min_len=1, max_len=30, pattern=TASK_KEYWORD)
    return [k for k in keywords if isinstance(k, str)]


def _public_task_price(config: Validator) -> dict[str, Any] | None:
    price = config.structure("PublicWorkforceTaskPrice")
    if price is None:
        return None
    amount = price.structure("AmountInUsd")
    if amount:
        amount.integer("Dollars", min_value=0, max_value=2)
        amount.integer("Cents", min_value=0, max_value=99)
        amount.integer("TenthFractionsOfACent", min_value=0, max_value=9)
    return price.body


@control_plane_operation("DescribeFlowDefinition")
def describe_flow_definition(ctx: RequestContext, body: dict[str, Any]) -> dict[str, Any]:
    flow = services.get_flow_definition(ctx.account, _required_name(body, "FlowDefinitionName", "flow-definition"))
    output: dict[str, Any] = {
        "FlowDefinitionArn": _flow_arn(ctx, flow),
        "FlowDefinitionName": flow.name,
        "FlowDefinitionStatus": flow.status,
        "CreationTime": shapes.epoch(flow.created_at),
    }
    if flow.request_source:
        output["HumanLoopRequestSource"] = {"AwsManagedHumanLoopRequestSource": flow.request_source}
    if flow.activation_conditions:
        output["HumanLoopActivationConfig"] = {
            "HumanLoopActivationConditionsConfig": {"HumanLoopActivationConditions": flow.activation_conditions}
        }
    loop_config: dict[str, Any] = {
        "WorkteamArn": arns.build("workteam", ctx.account.aws_account_id, flow.workteam.name),
        "HumanTaskUiArn": flow.human_task_ui_arn,
        "TaskTitle": flow.task_title,
        "TaskDescription": flow.task_description,
        "TaskCount": flow.task_count,
        "TaskAvailabilityLifetimeInSeconds": flow.task_availability_lifetime_seconds,
        "TaskTimeLimitInSeconds": flow.task_time_limit_seconds,
    }
    if flow.task_keywords:
        loop_config["TaskKeywords"] = flow.task_keywords
    if flow.public_task_price:
        loop_config["PublicWorkforceTaskPrice"] = flow.public_task_price
    output["HumanLoopConfig"] = loop_config
    output_config = {"S3OutputPath": flow.s3_output_path}
    if flow.kms_key_id:
        output_config["KmsKeyId"] = flow.kms_key_id
    output["OutputConfig"] = output_config
    output["RoleArn"] = flow.role_arn
    if flow.status == FlowDefinition.Status.FAILED and flow.failure_reason:
        output["FailureReason"] = flow.failure_reason
    return output


@control_plane_operation("ListFlowDefinitions")
def list_flow_definitions(ctx: RequestContext, body: dict[str, Any]) -> dict[str, Any]:
    params = shapes.list_params(body, default_order="Descending")
    rows, token = shapes.page(
        shapes.filter_created(services.flow_definitions(ctx.account), params), params, sort_field="created_at"
    )
    summaries = []
    for flow in rows:
        summary = {
            "FlowDefinitionName": flow.name,
            "FlowDefinitionArn": _flow_arn(ctx, flow),
            "FlowDefinitionStatus": flow.status,
            "CreationTime": shapes.epoch(flow.created_at),
        }
        if flow.status == FlowDefinition.Status.FAILED and flow.failure_reason:
            summary["FailureReason"] = flow.failure_reason
        summaries.append(summary)
    output: dict[str, Any] = {"FlowDefinitionSummaries": summaries}
    if token:
        output["NextToken"] = token
    return output


@control_plane_operation("DeleteFlowDefinition")
def delete_flow_definition(ctx: RequestContext, body: dict[str, Any]) -> dict[str, Any]:
    services.delete_flow_definition(ctx.account, _required_name(body, "FlowDefinitionName", "flow-definition"))
    return {}


# --- Helpers ------------------------------------------------------------------


def _required_name(body: dict[str, Any], member: str, kind: str) -> str:
    v = Validator(body)
    name = v.string(member, required=True, min_len=1, max_len=63, pattern=shapes.NAME_PATTERNS[kind])
    v.done()
    return name


def _ui_arn(ctx: RequestContext, ui: HumanTaskUi) -> str:
    return arns.build("human-task-ui", ctx.account.aws_account_id, ui.name)


def _flow_arn(ctx: RequestContext, flow: FlowDefinition) -> str:
    return arns.build("flow-definition", ctx.account.aws_account_id, flow.name)


# --- Tags (any taggable resource of the account) ---------------------------------

TAGGABLE_ARN = r"arn:aws[a-z-]*:sagemaker:[a-z0-9-]*:[0-9]{12}:.+"


@control_plane_operation("AddTags")
def add_tags(ctx: RequestContext, body: dict[str, Any]) -> dict[str, Any]:
    v = Validator(body)
    arn = v.string("ResourceArn", required=True, max_len=256, pattern=TAGGABLE_ARN)
    if not v.present("Tags"):
        v.missing("Tags")
    tags = shapes.tags(v)
    v.done()
    return {"Tags": services.add_tags(ctx.account, arn, tags)}


@control_plane_operation("ListTags")
def list_tags(ctx: RequestContext, body: dict[str, Any]) -> dict[str, Any]:
    v = Validator(body)
    arn = v.string("ResourceArn", required=True, max_len=256, pattern=TAGGABLE_ARN)
    # A resource holds at most 50 tags and MaxResults is at least 50: one page, no NextToken.
    v.integer("MaxResults", min_value=50, max_value=100)
    v.string("NextToken", max_len=8192)
    v.done()
    return {"Tags": list(services.tagged_resource(ctx.account, arn).tags)}


@control_plane_operation("DeleteTags")
def delete_tags(ctx: RequestContext, body: dict[str, Any]) -> dict[str, Any]:
    v = Validator(body)
    arn = v.string("ResourceArn", required=True, max_len=256, pattern=TAGGABLE_ARN)
    keys = v.list("TagKeys", required=True, min_items=1, max_items=50) or []
    checked = Validator({str(i + 1): key for i, key in enumerate(keys)}, prefix="TagKeys", errors=v.errors)
    for i in range(len(keys)):
        checked.string(str(i + 1), required=True, min_len=1, max_len=128, pattern=shapes.TAG_PATTERN)
    v.done()
    services.delete_tags(ctx.account, arn, keys)
    return {}
