"""The AWS query protocol, for hitl's STS subset (`boto3.client("sts", endpoint_url=...)`).

Protocol: query (STS 2011-06-15). A call is `Action=<Op>&Version=2011-06-15&...`
in a form-encoded POST body (or the query of a GET), signed with SigV4 for
service `sts`, answered with XML: `<OpResponse><OpResult>...</OpResult>
<ResponseMetadata><RequestId>` on success, `<ErrorResponse><Error><Type>
<Code><Message>` on failure. STS spells the authentication errors its own way
(InvalidClientTokenId, SignatureDoesNotMatch...), so the JSON services' codes
are renamed here.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import parse_qsl
from xml.sax.saxutils import escape

from django.http import HttpRequest, HttpResponse

from hitl.aws import errors

VERSION = "2011-06-15"
NAMESPACE = "https://sts.amazonaws.com/doc/2011-06-15/"
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"

# JSON-service code -> (STS code, HTTP status), as STS answers them.
_STS_CODES = {
    "MissingAuthenticationTokenException": ("MissingAuthenticationToken", 403),
    "IncompleteSignatureException": ("IncompleteSignature", 400),
    "UnrecognizedClientException": ("InvalidClientTokenId", 403),
    "InvalidSignatureException": ("SignatureDoesNotMatch", 403),
    "ExpiredTokenException": ("ExpiredTokenException", 400),
    "AccessDeniedException": ("AccessDenied", 403),
    "ValidationException": ("ValidationError", 400),
    "ThrottlingException": ("Throttling", 400),
    "UnknownOperationException": ("InvalidAction", 400),
}


def is_query_call(request: HttpRequest) -> bool:
    """Tell whether a request at the API root is a query-protocol (STS) call."""
    if request.method == "POST":
        return request.content_type == FORM_CONTENT_TYPE
    return request.method == "GET" and "Action=" in request.META.get("QUERY_STRING", "")


def parameters(request: HttpRequest) -> dict[str, str]:
    """Return the call's parameters: the form body of a POST, the query of a GET (auth parameters excluded)."""
    raw = request.body.decode("utf-8", "replace") if request.method == "POST" else request.META.get("QUERY_STRING", "")
    return {key: value for key, value in parse_qsl(raw, keep_blank_values=True) if not key.startswith("X-Amz-")}


def response(action: str, result: dict[str, Any], request_id: str) -> HttpResponse:
    """Render a successful `action` with its result members as STS's XML."""
    body = (
        f'<{action}Response xmlns="{NAMESPACE}"><{action}Result>{_xml(result)}</{action}Result>'
        f"<ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata></{action}Response>"
    )
    return HttpResponse(body.encode(), status=200, content_type="text/xml")


def error_response(exc: Exception, request_id: str) -> HttpResponse:
    """Render `exc` as STS's XML error envelope."""
    code, status, message = errors.code_and_status(exc, errors.CONTROL_PLANE)
    code, status = _STS_CODES.get(code, (code, status))
    fault = "Receiver" if status >= 500 else "Sender"
    body = (
        f'<ErrorResponse xmlns="{NAMESPACE}"><Error><Type>{fault}</Type><Code>{escape(code)}</Code>'
        f"<Message>{escape(message)}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>"
    )
    return HttpResponse(body.encode(), status=status, content_type="text/xml")


def _xml(members: dict[str, Any]) -> str:
    parts = []
    for name, value in members.items():
        if value is None:
            continue
        if isinstance(value, dict):
            text = _xml(value)
        elif isinstance(value, dt.datetime):
            utc = value.astimezone(dt.UTC)
            text = utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"
        else:
            text = escape(str(value))
        parts.append(f"<{name}>{text}</{name}>")
    return "".join(parts)
