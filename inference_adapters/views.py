"""HTTP entry to the built-in adapters: POST a Textract or Rekognition request/response pair, get the activation output.

Body (JSON, the SDK's PascalCase): {"Request": {...AWS request, with HumanLoopConfig...},
"Response": {...AWS response...}, "FlowDefinitionArn"?: ..., "HumanLoopName"?: ...}.
Without "Response" the server calls the service itself (proxy mode).
Answer: {"HumanLoopActivationOutput": {...}} as the AI services return it;
errors use the runtime API's AWS error envelope.

Authentication: an AWS SigV4 signature (like the A2I APIs; the key's
account is the caller's and its flow allow-list applies), or a Django session
of a staff user who administers the flow's account. Reviewer tokens are not
accepted: starting loops is a data-owner action.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from hitl import arns
from hitl.aws import errors as aws_errors
from hitl.errors import AccessDenied, InvalidInput
from inference_adapters import rekognition, textract
from workforce.models import Account


def _caller_account(request: HttpRequest, flow_definition_arn: str) -> Account:
    """Return the account the caller acts for, checking it may use this flow."""
    if request.headers.get("Authorization", "").startswith("AWS4-HMAC-SHA256"):
        from hitl.aws import sigv4

        key = sigv4.authenticate(request)
        flow_name = arns.parse_name("flow-definition", flow_definition_arn, key.account.aws_account_id)
        if key.allowed_flow_names and flow_name not in key.allowed_flow_names:
            raise AccessDenied(f"Access key {key.access_key_id} may not use flow definition {flow_definition_arn}.")
        return key.account
    user = request.user
    if not (user.is_authenticated and user.is_staff):
        raise aws_errors.AwsError(
            "MissingAuthenticationTokenException",
            "Sign the request with SigV4 or sign in as a staff user.",
            runtime_status=403,
        )
    parts = flow_definition_arn.split(":")
    account = Account.objects.filter(aws_account_id=parts[4] if len(parts) > 5 else "").first()
    if account is None or not (user.is_superuser or account.admins.filter(pk=user.pk).exists()):
        raise AccessDenied(f"You do not administer the account of flow definition {flow_definition_arn}.")
    return account


def _handle(request: HttpRequest, adapter: Callable[..., dict[str, Any]]) -> HttpResponse:
    request_id = str(uuid.uuid4())
    try:
        body = json.loads(request.body or b"{}")
        if not isinstance(body, dict) or not isinstance(body.get("Request"), dict):
            raise InvalidInput('The body must be a JSON object with a "Request" object (the AWS SDK request).')
        response = body.get("Response")
        if response is not None and not isinstance(response, dict):
            raise InvalidInput('"Response" must be a JSON object (the AWS SDK response).')
        config = body["Request"].get("HumanLoopConfig") or {}
        flow_arn = body.get("FlowDefinitionArn") or config.get("FlowDefinitionArn") or ""
        account = _caller_account(request, flow_arn)
        output = adapter(
            account=account,
            request=body["Request"],
            response=response,
            flow_definition_arn=flow_arn or None,
            human_loop_name=body.get("HumanLoopName"),
        )
    except ValueError:
        return aws_errors.error_response(InvalidInput("The body is not valid JSON."), aws_errors.RUNTIME, request_id)
    except Exception as exc:  # rendered as the AWS envelope, as the A2I APIs do
        return aws_errors.error_response(exc, aws_errors.RUNTIME, request_id)
    return JsonResponse({"HumanLoopActivationOutput": output}, headers={"x-amzn-RequestId": request_id})


@csrf_exempt
@require_POST
def analyze_document(request: HttpRequest) -> HttpResponse:
    return _handle(request, textract.analyze_document)


@csrf_exempt
@require_POST
def detect_moderation_labels(request: HttpRequest) -> HttpResponse:
    return _handle(request, rekognition.detect_moderation_labels)
