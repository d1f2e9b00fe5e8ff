"""The project's URL conf plus one portal page per error family that lets its error escape.

For tests/review_ui/test_error_pages.py: the portal's own pages catch the errors they expect,
so a page that lets a domain error out is what the portal-page handler exists for.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path

from hitl.kernel import errors
from hitl.urls import urlpatterns as project_urlpatterns

FAMILIES = {
    cls.__name__: cls
    for cls in (
        errors.InvalidInput,
        errors.NotFound,
        errors.Conflict,
        errors.InUse,
        errors.LimitExceeded,
        errors.QuotaExceeded,
        errors.Throttled,
        errors.AccessDenied,
    )
}
MESSAGE = "Task 7 is not yours any more; take the next one from the work list."
MARKUP = "<img src=x onerror=alert(1)> is not a flow name"


@login_required
def escaping_page(request: HttpRequest, family: str) -> HttpResponse:
    """A page whose service call failed with `family` and which did not catch it."""
    if family == "markup":
        raise errors.InvalidInput(MARKUP)  # a message that echoes client input
    if family == "KeyError":
        raise KeyError("a bug, not a domain error")
    if family not in FAMILIES:
        raise Http404
    raise FAMILIES[family](MESSAGE)


urlpatterns = [path("portal/escaping/<str:family>", escaping_page), *project_urlpatterns]
