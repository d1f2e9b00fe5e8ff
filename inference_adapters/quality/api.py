"""Quality control's HTTP operations, a hitl extension served by the one AWS entry point (hitl.aws.views.adapter_entry).

    POST /adapters/quality/gold-items   AddGoldItem
        {"FlowDefinitionArn", "HumanLoopName", "InputContent", "Answer"} -> {"HumanLoopName", "Created"}
    POST /adapters/quality/reestimate   ReestimateFlowQuality
        {"FlowDefinitionArn", "Rewrite"?: bool} -> {"Summary": {...}, "Reviewers": [...]}
    POST /adapters/quality/export       ExportConsolidatedAnswers
        {"FlowDefinitionArn"} -> {"ExportS3Uri", "Lines"}: JSON Lines, one consolidated loop a line,
        at {S3OutputPath}/{flow}/consolidated-answers.jsonl

Same protocol and callers as inference_adapters.api (SigV4 with the key's flow
allow-list, or an account admin's session); errors use the runtime API's
envelope. docs/quality.md describes the operations and the hitl: tags.
"""

from __future__ import annotations

import re
from typing import Any

from flows.delivery import outputs
from flows.delivery.storage import get_store
from flows.loops import loop_queries
from flows.models import FlowDefinition
from flows.quality import gold
from hitl.aws.registry import RequestContext, adapter_operation
from hitl.kernel import arns
from hitl.kernel.errors import AccessDenied, InvalidInput, NotFound
from inference_adapters.quality import flow_quality as quality

# StartHumanLoop's HumanLoopName pattern.
LOOP_NAME = re.compile(r"^[a-z0-9](-*[a-z0-9])*$")
EXPORT_NAME = "consolidated-answers.jsonl"


def _arn(params: dict[str, Any]) -> str:
    arn = params.get("FlowDefinitionArn")
    if not isinstance(arn, str):
        raise InvalidInput('The body must be a JSON object with "FlowDefinitionArn".')
    return arn


def _account_id_of(params: dict[str, Any]) -> str | None:
    arn = params.get("FlowDefinitionArn")
    return arns.account_of(arn) if isinstance(arn, str) else None


def _flow(context: RequestContext, params: dict[str, Any]) -> FlowDefinition:
    arn = _arn(params)
    key = context.access_key
    if key is not None and key.allowed_flow_names:
        if arns.parse_name("flow-definition", arn, context.account.aws_account_id) not in key.allowed_flow_names:
            raise AccessDenied(f"Access key {key.access_key_id} may not use flow definition {arn}.")
    flow = loop_queries.flow_definition_by_arn(context.account, arn)
    if flow.deleted_at is not None:
        raise NotFound(f"Flow definition {arn} does not exist.")
    return flow


@adapter_operation("quality/gold-items", "AddGoldItem", account_id_of=_account_id_of)
def add_gold_item(context: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    flow = _flow(context, params)
    name, content, answer = params.get("HumanLoopName"), params.get("InputContent"), params.get("Answer")
    if not isinstance(name, str) or len(name) > 63 or not LOOP_NAME.match(name):
        raise InvalidInput("HumanLoopName must be 1-63 lowercase letters, digits and hyphens, as for StartHumanLoop.")
    if not isinstance(content, str):
        raise InvalidInput("InputContent must be a string holding a JSON document, as for StartHumanLoop.")
    loop, created = gold.add_gold_item(flow, name=name, input_content=content, answer=answer)
    return {"HumanLoopName": loop.name, "Created": created}


@adapter_operation("quality/reestimate", "ReestimateFlowQuality", account_id_of=_account_id_of)
def reestimate(context: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    flow = _flow(context, params)
    rewrite = params.get("Rewrite", False)
    if not isinstance(rewrite, bool):
        raise InvalidInput('"Rewrite" must be true or false.')
    run = quality.reestimate_flow(flow, rewrite=rewrite)
    return {"Summary": run.summary, "Reviewers": run.reviewers}


@adapter_operation("quality/export", "ExportConsolidatedAnswers", account_id_of=_account_id_of)
def export(context: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    flow = _flow(context, params)
    run = quality.reestimate_flow(flow, consolidate_loops=True)
    body = "".join(run.jsonl()).encode("utf-8")
    bucket, prefix = outputs.split_s3_path(flow.s3_output_path)
    key = "/".join(part for part in (prefix, flow.name, EXPORT_NAME) if part)
    get_store().put(bucket, key, body, content_type="application/x-ndjson", kms_key_id=flow.kms_key_id)
    return {"ExportS3Uri": f"s3://{bucket}/{key}", "Lines": len(run.consolidated)}
