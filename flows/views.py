"""Plain HTTP views of the flows app (not AWS API operations)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from flows.definitions import services
from hitl.kernel.errors import NotFound


@require_GET
def human_task_ui_template(request: HttpRequest, token: str) -> HttpResponse:
    """Serve the raw template text a DescribeHumanTaskUi `UiTemplate.Url` points at.

    The signed token is the credential (like an S3 pre-signed URL); plain text
    keeps the customer's HTML from running on this origin.
    """
    try:
        template = services.template_for_url_token(token)
    except NotFound as exc:
        return HttpResponse(exc.message, status=403, content_type="text/plain; charset=utf-8")
    response = HttpResponse(template.content.encode("utf-8"), content_type="text/plain; charset=utf-8")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=60"
    return response
