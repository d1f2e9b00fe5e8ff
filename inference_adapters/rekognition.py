"""Rekognition DetectModerationLabels adapter: the service result in, a human loop out when the conditions fire."""

from __future__ import annotations

from typing import Any

from flows.definitions.conditions import REKOGNITION_SOURCE
from hitl.kernel.errors import InvalidInput
from inference_adapters import clients
from inference_adapters.builtin import start_from_service_call
from workforce.models import Account


def detect_moderation_labels(
    *,
    account: Account,
    request: dict[str, Any],
    response: dict[str, Any] | None = None,
    flow_definition_arn: str | None = None,
    human_loop_name: str | None = None,
) -> dict[str, Any]:
    """Review a DetectModerationLabels result; return its HumanLoopActivationOutput.

    `request`/`response` are in the SDK's PascalCase form. Without `response`
    the real service is called first (proxy mode; HITL_ADAPTER_PROXY).
    """
    if response is None:
        if not clients.proxy_enabled():
            raise InvalidInput("Response is required: proxy mode (HITL_ADAPTER_PROXY) is off on this server.")
        response = clients.detect_moderation_labels(request)
    return start_from_service_call(
        account=account,
        request_source=REKOGNITION_SOURCE,
        request=request,
        response=response,
        flow_definition_arn=flow_definition_arn,
        human_loop_name=human_loop_name,
    )
