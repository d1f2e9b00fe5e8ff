"""Create a flow from the console's form, through the same checks and services as the API.

The form's fields become CreateHumanTaskUi's and CreateFlowDefinition's request bodies, parsed by
flows.api.sagemaker (so a bad name, TaskCount or output path is refused with the same
ValidationException message as from boto3), then flows.definitions.services creates the task UI and the flow
in one transaction: a flow that is refused leaves no task UI behind.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from flows.api import sagemaker
from flows.definitions import services
from flows.models import FlowDefinition, HumanTaskUi
from hitl.aws.validation import Validator
from hitl.kernel import arns
from hitl.kernel.errors import InvalidInput
from workforce.models import Account, Workteam

DEFAULTS = {
    "task_count": "1",
    "task_time_limit_seconds": "3600",
    "task_availability_lifetime_seconds": "864000",
}


def default_output_path(flow_name: str = "") -> str:
    return f"s3://hitl-output/{flow_name or 'my-flow'}"


def default_role_arn(account: Account) -> str:
    """Return the RoleArn the console fills in: hitl keeps it as A2I's record and never assumes it."""
    return f"arn:aws:iam::{account.aws_account_id}:role/HitlConsole"


def _integer(value: str) -> Any:
    """Return the form's text as an int when it is one; else the text, which the API validator names."""
    text = (value or "").strip()
    return int(text) if text.lstrip("-").isdigit() else text


def flow_body(account: Account, data: dict[str, str], team: Workteam | None, ui_name: str) -> dict[str, Any]:
    """Return the CreateFlowDefinition request body the form's fields describe."""
    account_id = account.aws_account_id
    keywords = [word.strip() for word in (data.get("task_keywords") or "").split(",") if word.strip()]
    config: dict[str, Any] = {
        "WorkteamArn": arns.build("workteam", account_id, team.name) if team else "",
        "HumanTaskUiArn": arns.build("human-task-ui", account_id, ui_name),
        "TaskTitle": data.get("task_title", ""),
        "TaskDescription": data.get("task_description", ""),
        "TaskCount": _integer(data.get("task_count", "")),
        "TaskTimeLimitInSeconds": _integer(data.get("task_time_limit_seconds", "")),
        "TaskAvailabilityLifetimeInSeconds": _integer(data.get("task_availability_lifetime_seconds", "")),
    }
    if keywords:
        config["TaskKeywords"] = keywords
    body: dict[str, Any] = {
        "FlowDefinitionName": data.get("name", ""),
        "RoleArn": data.get("role_arn") or default_role_arn(account),
        "HumanLoopConfig": config,
        "OutputConfig": {"S3OutputPath": data.get("s3_output_path", "")},
    }
    source = data.get("request_source", "")
    if source:
        body["HumanLoopRequestSource"] = {"AwsManagedHumanLoopRequestSource": source}
        if (data.get("activation_conditions") or "").strip():
            body["HumanLoopActivationConfig"] = {
                "HumanLoopActivationConditionsConfig": {"HumanLoopActivationConditions": data["activation_conditions"]}
            }
    return body


def create_flow(team: Workteam, data: dict[str, str], *, created_by: str) -> FlowDefinition:
    """Create the task UI (from the form's template) and the flow definition in `team`'s account, or neither.

    `data["existing_ui"]` names a task UI of the account to use instead of a new one. Raises the
    services' errors (InvalidInput with the API's messages, InUse for a taken name).
    """
    account = team.account
    existing = (data.get("existing_ui") or "").strip()
    ui_name = existing or (data.get("ui_name") or data.get("name") or "").strip()
    with transaction.atomic():
        if not existing:
            v = Validator({"HumanTaskUiName": ui_name, "UiTemplate": {"Content": data.get("template", "")}})
            name, content = sagemaker.ui_name_and_template(v)
            v.done()
            services.create_human_task_ui(account, name=name, content=content, created_by=created_by)
        elif not HumanTaskUi.objects.filter(account=account, name=existing).exists():
            raise InvalidInput([f"The task UI {existing} does not exist in account {account.name}."])
        spec = sagemaker.flow_definition_spec(flow_body(account, data, team, ui_name))
        return services.create_flow_definition(account, spec, created_by=created_by)
