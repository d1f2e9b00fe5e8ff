"""AWS error envelopes for both protocols.

Protocol: rest-json (runtime) and JSON 1.1 (control plane). botocore reads the
code from `x-amzn-ErrorType` (rest-json) or the body's `__type` (JSON 1.1), so
every error sends both, plus `Message`. Domain errors (hitl.errors) are mapped
to the code and status each protocol declares; the spellings differ
(`ResourceNotFoundException` vs `ResourceNotFound`).
"""

from __future__ import annotations

import json

from django.http import HttpResponse

from hitl import errors

RUNTIME = "runtime"
CONTROL_PLANE = "control-plane"

CONTENT_TYPES = {RUNTIME: "application/json", CONTROL_PLANE: "application/x-amz-json-1.1"}


class AwsError(Exception):
    """An error with an explicit AWS code and per-protocol HTTP status (auth, routing, throttling)."""

    def __init__(self, code: str, message: str, *, runtime_status: int = 400, control_plane_status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.statuses = {RUNTIME: runtime_status, CONTROL_PLANE: control_plane_status}


# (runtime code, runtime status, control-plane code, control-plane status)
_DOMAIN = {
    errors.InvalidInput: ("ValidationException", 400, "ValidationException", 400),
    errors.NotFound: ("ResourceNotFoundException", 404, "ResourceNotFound", 400),
    errors.Conflict: ("ConflictException", 409, "ConflictException", 400),
    errors.InUse: ("ValidationException", 400, "ResourceInUse", 400),
    errors.LimitExceeded: ("ServiceQuotaExceededException", 402, "ResourceLimitExceeded", 400),
    errors.QuotaExceeded: ("ServiceQuotaExceededException", 402, "ResourceLimitExceeded", 400),
    errors.Throttled: ("ThrottlingException", 429, "ThrottlingException", 400),
    errors.AccessDenied: ("AccessDeniedException", 403, "AccessDeniedException", 400),
}


def code_and_status(exc: Exception, protocol: str) -> tuple[str, int, str]:
    """Return (code, HTTP status, message) for an exception under `protocol`."""
    if isinstance(exc, AwsError):
        return exc.code, exc.statuses[protocol], exc.message
    for cls, (runtime_code, runtime_status, cp_code, cp_status) in _DOMAIN.items():
        if isinstance(exc, cls):
            if protocol == RUNTIME:
                return runtime_code, runtime_status, exc.message
            return cp_code, cp_status, exc.message
    if protocol == RUNTIME:
        return "InternalServerException", 500, "The server hit an unexpected error; the request can be retried."
    return "InternalFailure", 500, "The server hit an unexpected error; the request can be retried."


def error_response(exc: Exception, protocol: str, request_id: str) -> HttpResponse:
    """Render `exc` as the AWS error envelope of `protocol`."""
    code, status, message = code_and_status(exc, protocol)
    body = json.dumps({"__type": code, "Message": message, "message": message}).encode()
    response = HttpResponse(body, status=status, content_type=CONTENT_TYPES[protocol])
    response["x-amzn-ErrorType"] = code
    response["x-amzn-RequestId"] = request_id
    return response
