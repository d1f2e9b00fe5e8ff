"""The built-in adapters' HTTP operations, served by the one AWS entry point (hitl.aws.views.adapter_entry).

    POST /adapters/textract/analyze-document          AnalyzeDocument
    POST /adapters/rekognition/detect-moderation-labels  DetectModerationLabels

Protocol: JSON in, JSON out, with the A2I runtime's SigV4 check, throttling,
audit record and error envelope. Body (the SDK's PascalCase):
{"Request": {...AWS request, with HumanLoopConfig...}, "Response": {...AWS response...},
"FlowDefinitionArn"?: ..., "HumanLoopName"?: ...}. Without "Response" the
server calls the service itself (proxy mode). Answer:
{"HumanLoopActivationOutput": {...}} as the AI services return it.

Callers: an access key (its account is the caller's and its flow allow-list
applies) or the session of a staff user who administers the flow's account.
Reviewer tokens are not accepted: starting loops is a data-owner action.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hitl.aws.registry import RequestContext, adapter_operation
from hitl.kernel import arns
from hitl.kernel.errors import AccessDenied, InvalidInput
from inference_adapters import rekognition, textract


def _flow_arn(params: dict[str, Any]) -> str:
    request = params.get("Request")
    config = (request.get("HumanLoopConfig") if isinstance(request, dict) else None) or {}
    arn = params.get("FlowDefinitionArn") or (config.get("FlowDefinitionArn") if isinstance(config, dict) else "")
    return arn if isinstance(arn, str) else ""


def _account_id_of(params: dict[str, Any]) -> str | None:
    return arns.account_of(_flow_arn(params))


def _run(adapter: Callable[..., dict[str, Any]], context: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    if not isinstance(params.get("Request"), dict):
        raise InvalidInput('The body must be a JSON object with a "Request" object (the AWS SDK request).')
    response = params.get("Response")
    if response is not None and not isinstance(response, dict):
        raise InvalidInput('"Response" must be a JSON object (the AWS SDK response).')
    flow_arn = _flow_arn(params)
    key = context.access_key
    if key is not None and key.allowed_flow_names:
        flow_name = arns.parse_name("flow-definition", flow_arn, context.account.aws_account_id)
        if flow_name not in key.allowed_flow_names:
            raise AccessDenied(f"Access key {key.access_key_id} may not use flow definition {flow_arn}.")
    name = params.get("HumanLoopName")
    output = adapter(
        account=context.account,
        request=params["Request"],
        response=response,
        flow_definition_arn=flow_arn or None,
        human_loop_name=name if isinstance(name, str) else None,
    )
    return {"HumanLoopActivationOutput": output}


@adapter_operation("textract/analyze-document", "AnalyzeDocument", account_id_of=_account_id_of)
def analyze_document(context: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    return _run(textract.analyze_document, context, params)


@adapter_operation("rekognition/detect-moderation-labels", "DetectModerationLabels", account_id_of=_account_id_of)
def detect_moderation_labels(context: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    return _run(rekognition.detect_moderation_labels, context, params)
