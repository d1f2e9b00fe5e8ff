"""Request ids, access logs as JSON, AWS API latency metrics and the portal's Content-Security-Policy."""

from __future__ import annotations

import logging
import os
import re
import time
import uuid
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from hitl.aws import credentials
from hitl.kernel import metrics, public_url, transactions
from hitl.kernel.request_context import reset_request_id, set_request_id

logger = logging.getLogger("hitl.access")

# A caller-supplied X-Request-Id is kept only if it looks like an id (it ends up in logs).
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestContextMiddleware:
    """Give each request an id, time it, log it as one JSON line, and add security headers to portal pages.

    The id comes from a well-formed `X-Request-Id` header or is a new UUID; it is
    echoed in `X-Request-Id`, used as the AWS `x-amzn-RequestId`, and appears
    in every log line and audit record written while serving the request.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        supplied = request.headers.get("X-Request-Id", "")
        request.request_id = supplied if _REQUEST_ID.match(supplied) else str(uuid.uuid4())
        token = set_request_id(request.request_id)
        url_token = public_url.set_request(request)
        transactions.collect_until_response_sent()  # Celery publishes wait until the answer is out
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            elapsed = time.perf_counter() - started
            operation = getattr(request, "aws_operation", "")
            if operation:
                metrics.api_request(operation, response.get("x-amzn-ErrorType", "") or "OK", elapsed)
            response["X-Request-Id"] = request.request_id
            if response.has_header("x-amzn-RequestId") and not getattr(request, "aws_audited", False):
                _audit_api_call(request, response)
            if _is_portal_page(request, response) and "Content-Security-Policy" not in response:
                response["Content-Security-Policy"] = content_security_policy(getattr(request, "csp_form_action", ()))
            logger.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "request_id": request.request_id,
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "durationMs": round(elapsed * 1000, 2),
                    "operation": operation or None,
                    "user": _username(request),
                },
            )
            return response
        finally:
            public_url.reset_request(url_token)
            reset_request_id(token)


def _audit_api_call(request: HttpRequest, response: HttpResponse) -> None:
    try:
        credentials.record_api_call(
            request,
            response["x-amzn-RequestId"],
            status_code=response.status_code,
            result=response.get("x-amzn-ErrorType", "") or "OK",
        )
    except Exception:
        # The call already happened; a lost audit row is logged loudly rather than failing it.
        logger.exception("could not write the audit record of an API call")


def content_security_policy(form_targets: Iterable[str] = ()) -> str:
    """Return HITL_CONTENT_SECURITY_POLICY with the origins of `form_targets` (URLs) added to its form-action
    and the output store's origins (store_image_origins) added to its img-src.

    A view sets `request.csp_form_action` when its forms' answers redirect to another site (the
    sign-in forms that lead to an identity provider). A directive that is missing, or is 'none',
    is left as it is; URLs whose origin cannot be written safely are skipped.
    """
    added = {
        "form-action": sorted({origin for origin in map(_origin, form_targets) if origin}),
        "img-src": store_image_origins(),
    }
    directives = []
    for directive in settings.HITL_CONTENT_SECURITY_POLICY.split(";"):
        name, _, sources = directive.strip().partition(" ")
        extra = added.get(name.lower())
        if extra and sources.strip() != "'none'":
            directive = f" {directive.strip()} {' '.join(extra)}"
        directives.append(directive)
    return ";".join(directives).strip()


def store_image_origins() -> list[str]:
    """Return the origins of the URLs the S3 output store presigns: where a page's stored images come from.

    The console's loop page draws answers over the input image, which on the s3 backend is a
    presigned URL of the store (review_ui.rendering.grant_read_access). boto3 presigns path-style
    URLs on the endpoint AWS_ENDPOINT_URL_S3 (or AWS_ENDPOINT_URL) names, MinIO's or moto's; with
    neither, on AWS's virtual-hosted bucket hosts. The local backend serves objects from this site
    ('self'), so it adds nothing.
    """
    if settings.HITL_OUTPUT_BACKEND != "s3":
        return []
    endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
    if endpoint:
        origin = _origin(endpoint)
        return [origin] if origin else []
    region = settings.HITL_REGION
    return ["https://*.s3.amazonaws.com", f"https://*.s3.{region}.amazonaws.com"]


# scheme://host[:port] as a CSP source: nothing that could end the directive or add a source.
_ORIGIN = re.compile(r"^https?://(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(:[0-9]{1,5})?$")


def _origin(url: str) -> str | None:
    parts = urlsplit(url)
    origin = f"{parts.scheme.lower()}://{parts.netloc.lower().rpartition('@')[2]}"
    return origin if _ORIGIN.match(origin) else None


def _is_portal_page(request: HttpRequest, response: HttpResponse) -> bool:
    is_html = response.get("Content-Type", "").startswith("text/html")
    return is_html and request.path.startswith(tuple(settings.HITL_CSP_PATH_PREFIXES))


def _username(request: HttpRequest) -> str | None:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user.get_username()
    return None
