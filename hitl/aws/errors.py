"""AWS error envelopes for both protocols.

Protocol: rest-json (runtime) and JSON 1.1 (control plane). botocore reads the
code from `x-amzn-ErrorType` (rest-json) or the body's `__type` (JSON 1.1), so
every error sends both, plus `Message`. Domain errors (hitl.kernel.errors) carry the
code and status each protocol declares; the spellings differ
(`ResourceNotFoundException` vs `ResourceNotFound`).
"""

from __future__ import annotations

import json

from django.http import HttpResponse

from hitl.kernel import errors

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


def code_and_status(exc: Exception, protocol: str) -> tuple[str, int, str]:
    """Return (code, HTTP status, message) for an exception under `protocol`.

    Domain errors carry their codes and status (hitl.kernel.errors); anything else is an internal error.
    """
    if isinstance(exc, AwsError):
        return exc.code, exc.statuses[protocol], exc.message
    if isinstance(exc, errors.HitlError):
        if protocol == RUNTIME:
            return exc.aws_code, exc.status, exc.message
        return exc.aws_control_plane_code, 400, exc.message
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
