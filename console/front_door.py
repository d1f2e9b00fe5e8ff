"""The front door at `/`: a landing page for a browser, the AWS API for everything else.

The AWS APIs share the root path (the SageMaker JSON 1.1 protocol POSTs to `/`, STS's query
protocol too). A request gets the landing page only when it cannot be an AWS call: a GET or HEAD
with no query string, no `Authorization` or `X-Amz-Target` header, that accepts HTML (what a
browser sends when someone types the address). Every other request goes to the AWS entry point
unchanged, so SDKs, the CLI and presigned URLs see exactly what they saw before.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt

from hitl.aws import views as aws_views
from hitl.kernel.public_url import public_url
from workforce import roles


def is_browser_visit(request: HttpRequest) -> bool:
    """Tell whether a request at `/` is a person's browser opening the address (never an AWS call)."""
    return (
        request.method in ("GET", "HEAD")
        and not request.META.get("QUERY_STRING")
        and "Authorization" not in request.headers
        and "X-Amz-Target" not in request.headers
        and "text/html" in request.headers.get("Accept", "")
    )


@csrf_exempt  # POSTs here are AWS calls, authenticated by their signature (hitl.aws.views.api_entry)
def root(request: HttpRequest) -> HttpResponse:
    """Serve `/` when the AWS API is mounted there: the landing page for a browser, else the API."""
    if is_browser_visit(request):
        return landing(request)
    return aws_views.api_entry(request)


def landing(request: HttpRequest) -> HttpResponse:
    """Show where to go: sign in, the console, the reviewer portal, the admin, and how to call the API."""
    prefix = settings.HITL_API_PREFIX.strip("/")
    base = public_url()
    context = {
        "endpoint": f"{base}/{prefix}" if prefix else base,
        "region": settings.HITL_REGION,
        "administers": roles.administered_accounts(request.user).exists(),
    }
    return render(request, "console/landing.html", context)
