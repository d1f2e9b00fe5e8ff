"""Reviewer portal views (placeholder until the portal lands)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse


@login_required
def work_list(request: HttpRequest) -> HttpResponse:
    return HttpResponse("work list")
