"""The portal pages' error handler: a domain error raised by a page view becomes a page with its status.

The pages' counterpart of hitl.aws.errors (AWS APIs) and review_ui.api.exception_handler
(reviewer JSON API): the status comes from the hitl.kernel.errors class, the text from its message.
Views that expect an error and have something better to do (release after a lost lease:
back to the list) still catch it themselves.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from hitl.kernel.errors import HitlError


class DomainErrorPageMiddleware:
    """Render a HitlError that escaped a page view as review_ui/error.html."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if not isinstance(exc, HitlError):
            return None
        context = {"message": exc.message, "status": exc.status}
        return render(request, "review_ui/error.html", context, status=exc.status)
