"""Entry view for both AWS protocols (placeholder until the wire layer lands)."""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt


@csrf_exempt
def api_entry(request: HttpRequest, rest: str | None = None) -> HttpResponse:
    return HttpResponse("{}", content_type="application/json")
