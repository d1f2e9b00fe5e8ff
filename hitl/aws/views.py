"""The single entry view of both AWS APIs, and of the inference adapters' operations.

Protocol: dispatch only. A request with `X-Amz-Target: SageMaker.<Op>` is a
JSON 1.1 control-plane call; anything else is routed by method and path to a
rest-json runtime operation (spec 1.1-1.3). Both are authenticated with SigV4
(hitl.aws.sigv4), then handed to the registered handler (hitl.aws.registry).
"""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any
from urllib.parse import unquote

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.http import http_date
from django.views.decorators.csrf import csrf_exempt

from hitl.aws import credentials, errors, query, registry, sigv4, validation
from hitl.aws.errors import AwsError
from hitl.kernel import client_json, throttling, transactions
from hitl.kernel.errors import AccessDenied, HitlError, InvalidInput

TARGET_PREFIX = "SageMaker."

logger = logging.getLogger(__name__)


@csrf_exempt
def api_entry(request: HttpRequest, rest: str | None = None) -> HttpResponse:
    request_id = getattr(request, "request_id", "") or str(uuid.uuid4())  # hitl.kernel.middleware's id
    if rest is None and query.is_query_call(request):
        return _finish(_sts_entry(request, request_id), request_id)
    target = request.headers.get("X-Amz-Target")
    protocol = errors.CONTROL_PLANE if target is not None else errors.RUNTIME

    def serve() -> Any:
        # Authenticate before routing or parsing: like AWS, an unsigned request
        # learns nothing about operations or body validity.
        access_key = sigv4.authenticate(request)
        request.aws_access_key = access_key  # for the audit trail (hitl.kernel.middleware)
        if target is not None:
            operation, params = _control_plane_operation(request, target)
        else:
            operation, params = _runtime_operation(request, rest)
        request.aws_operation, request.aws_params = operation, params  # for audit, logs and metrics
        throttling.check_rate(access_key.rate_limit_id)
        handler = (registry.CONTROL_PLANE if protocol == errors.CONTROL_PLANE else registry.RUNTIME)[operation]
        if protocol == errors.CONTROL_PLANE and access_key.scope == credentials.RUNTIME_SCOPE:
            raise AccessDenied(
                f"Access key {access_key.access_key_id} is limited to the runtime API; {operation} is not allowed."
            )
        context = registry.RequestContext(
            account=access_key.account, access_key=access_key, request_id=request_id, operation=operation
        )
        return _call_audited(request, handler, context, params)

    return _answer(serve, protocol, request_id)


def _answer(serve: Any, protocol: str, request_id: str) -> HttpResponse:
    """Run `serve()` and render its output, or its error, as `protocol` does: the one AWS error handler."""
    try:
        output = serve()
    except (AwsError, HitlError) as exc:
        return _finish(errors.error_response(exc, protocol, request_id), request_id)
    except Exception as exc:
        # An HTML 500 would reach botocore as code "500"; answer with the modeled
        # InternalServerException / InternalFailure (both retried by the SDKs).
        logger.exception("unhandled error in AWS API request %s", request_id)
        return _finish(errors.error_response(exc, protocol, request_id), request_id)
    body = json.dumps(output, separators=(",", ":")).encode()
    response = HttpResponse(body, status=200, content_type=errors.CONTENT_TYPES[protocol])
    return _finish(response, request_id)


def _sts_entry(request: HttpRequest, request_id: str) -> HttpResponse:
    """Serve an STS query-protocol call (hitl.aws.query) signed for service `sts`."""
    try:
        access_key = sigv4.authenticate(request, service=sigv4.STS_SERVICE)
        request.aws_access_key = access_key
        params = query.parameters(request)
        action = params.pop("Action", "")
        params.pop("Version", None)
        request.aws_operation, request.aws_params = action, params
        if action not in registry.STS:
            raise AwsError("UnknownOperationException", f"Could not find operation {action!r} for version 2011-06-15.")
        throttling.check_rate(access_key.rate_limit_id)
        context = registry.RequestContext(
            account=access_key.account, access_key=access_key, request_id=request_id, operation=action
        )
        output = _call_audited(request, registry.STS[action], context, params)
    except (AwsError, HitlError) as exc:
        return query.error_response(exc, request_id)
    except Exception as exc:
        logger.exception("unhandled error in STS request %s", request_id)
        return query.error_response(exc, request_id)
    return query.response(action, output, request_id)


def _call_audited(request: HttpRequest, handler: Any, context: registry.RequestContext, params: dict) -> Any:
    """Run the handler; on success, record the call in the audit trail.

    A change's audit record is written inside the change's own transaction
    (hitl.kernel.transactions.write_transaction): one commit, one WAL flush, and no change
    without its record. A call that wrote nothing that way is recorded on its own;
    a failed call by hitl.kernel.middleware, once its transaction has rolled back.
    """
    recorded = False

    def record() -> None:
        credentials.record_api_call(request, context.request_id)
        transaction.on_commit(mark_recorded)  # at once outside a transaction

    def mark_recorded() -> None:
        nonlocal recorded
        recorded = True

    with transactions.before_next_commit(record):
        output = handler(context, params)
    if not recorded:
        record()
    request.aws_audited = True
    return output


def _finish(response: HttpResponse, request_id: str) -> HttpResponse:
    response["x-amzn-RequestId"] = request_id
    response["Date"] = http_date()
    response["Content-Length"] = str(len(response.content))
    return response


def _control_plane_operation(request: HttpRequest, target: str) -> tuple[str, dict[str, Any]]:
    operation = target[len(TARGET_PREFIX) :] if target.startswith(TARGET_PREFIX) else ""
    if request.method != "POST" or operation not in registry.CONTROL_PLANE:
        raise AwsError("UnknownOperationException", f"Operation {target!r} is not supported by this server.")
    return operation, _json_body(request)


def _runtime_operation(request: HttpRequest, rest: str | None) -> tuple[str, dict[str, Any]]:
    method = request.method
    # `stop` is a valid loop name: only POST /human-loops/stop is StopHumanLoop.
    if rest is None or rest == "":
        if method == "POST":
            return _runtime("StartHumanLoop"), _json_body(request)
        if method == "GET":
            params = _query_params(request.META.get("QUERY_STRING", ""))
            return _runtime("ListHumanLoops"), params
    elif rest == "stop" and method == "POST":
        return _runtime("StopHumanLoop"), _json_body(request)
    elif "/" not in rest:
        name = unquote(rest)
        if method == "GET":
            return _runtime("DescribeHumanLoop"), {"HumanLoopName": name}
        if method == "DELETE":
            return _runtime("DeleteHumanLoop"), {"HumanLoopName": name}
    raise AwsError(
        "UnknownOperationException",
        f"No operation matches {method} {request.path}.",
        runtime_status=404,
    )


def _runtime(operation: str) -> str:
    if operation not in registry.RUNTIME:
        raise AwsError("UnknownOperationException", f"Operation {operation} is not available.", runtime_status=404)
    return operation


def _query_params(query_string: str) -> dict[str, str]:
    # Percent-decoding only: rest-json sends a space as %20, and "+" is a literal plus.
    # A presigned request's signature parameters are not operation input.
    params = sigv4.query_parameters(query_string)
    return {key: value for key, value in params.items() if key not in sigv4.QUERY_AUTH_PARAMETERS}


def _json_body(request: HttpRequest) -> dict[str, Any]:
    raw = request.body
    if not raw.strip():
        return {}
    try:
        body = client_json.parse(raw)
    except client_json.ClientJsonError as exc:
        if exc.path.startswith("$."):  # a bad string member: name it as AWS names members
            member = validation.member_path(exc.path[2:].split("[")[0].replace(" (a key)", ""))
            raise InvalidInput(
                [f"Value at '{member}' failed to satisfy constraint: Member must not contain {exc.reason}"]
            ) from None
        raise InvalidInput(f"The request body is not valid JSON: {exc}.") from None
    if not isinstance(body, dict):
        raise InvalidInput("The request body must be a JSON object.")
    return body


@csrf_exempt
def adapter_entry(request: HttpRequest, path: str) -> HttpResponse:
    """Serve an inference adapter's operation (hitl.aws.registry.ADAPTERS) with the A2I runtime's machinery.

    The same SigV4 check, throttling, audit record, request id and error envelope as
    the runtime API; a request without a signature may come from a staff user's session.
    """
    request_id = getattr(request, "request_id", "") or str(uuid.uuid4())

    def serve() -> Any:
        # Authenticate before routing or parsing, as api_entry does.
        signed = "Authorization" in request.headers or "X-Amz-Algorithm" in request.META.get("QUERY_STRING", "")
        access_key = sigv4.authenticate(request) if signed else None
        request.aws_access_key = access_key
        user = None if signed else _staff_user(request)
        operation = registry.ADAPTERS.get(path)
        if operation is None or request.method != "POST":
            raise AwsError(
                "UnknownOperationException",
                f"No operation matches {request.method} {request.path}.",
                runtime_status=404,
            )
        params = _json_body(request)
        request.aws_operation, request.aws_params = operation.name, params
        if access_key is not None:
            account, rate_limit_id = access_key.account, access_key.rate_limit_id
        else:
            aws_account_id = operation.account_id_of(params)
            if aws_account_id is None:
                raise InvalidInput("FlowDefinitionArn must be the ARN of a flow definition in this region.")
            account, rate_limit_id = credentials.staff_account(user, aws_account_id), f"session:{user.pk}"
        throttling.check_rate(rate_limit_id)
        context = registry.RequestContext(
            account=account, access_key=access_key, request_id=request_id, operation=operation.name
        )
        return _call_audited(request, operation.handler, context, params)

    return _answer(serve, errors.RUNTIME, request_id)


def _staff_user(request: HttpRequest) -> Any:
    user = getattr(request, "user", None)
    if user is None or not (user.is_authenticated and user.is_staff):
        raise AwsError(
            "MissingAuthenticationTokenException",
            "Sign the request with SigV4 or sign in as a staff user.",
            runtime_status=403,
        )
    return user
