"""Reviewer JSON API (a contract for custom front-ends, the portal page and tests).

    GET  /portal/api/tasks/next[?flow=NAME]   200 task | 204 no work | 422 task cannot be shown (withdrawn)
    POST /portal/api/tasks/{taskId}/submit    {"answerContent": {...}} -> 200 | 400 | 404 | 409
    POST /portal/api/tasks/{taskId}/release   [{"unseen": true}] -> 200 | 404 | 409
    POST /portal/api/tasks/ahead?shown=ID[&flow=NAME]   200 the task claimed ahead | 204 no work
    POST /portal/api/tasks/{taskId}/show      200 (its time limit starts now) | 404 | 409

Authenticated by the portal session (CSRF enforced) or `Authorization: Token
<key>` (no CSRF). Errors are `{"message": "..."}`, rendered by
`exception_handler` (REST_FRAMEWORK's EXCEPTION_HANDLER) with the status each
hitl.kernel.errors class names. Every call is one service call in flows.loops.lifecycle,
the same ones the HTML portal uses.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from rest_framework.decorators import api_view, parser_classes
from rest_framework.exceptions import ParseError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from flows.loops import lifecycle
from hitl.kernel import client_json
from hitl.kernel.errors import HitlError, InvalidInput
from review_ui import rendering, work


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Render a domain error as `{"message": ...}` with its class's status; the rest as DRF does."""
    if isinstance(exc, HitlError):
        return Response({"message": exc.message}, status=exc.status)
    return drf_exception_handler(exc, context)


class ClientJSONParser(JSONParser):
    """DRF's JSON parser with the limits of hitl.kernel.client_json (depth, NUL, surrogates, numbers)."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: dict | None = None) -> Any:
        try:
            return client_json.parse(stream.read() if stream is not None else b"")
        except client_json.ClientJsonError as exc:
            raise ParseError(f"The body is not a JSON document this server accepts: {exc}.") from None


def base_url(request: HttpRequest) -> str:
    """Return scheme and host of this request, so HTML sent elsewhere carries absolute URLs."""
    return request.build_absolute_uri("/").rstrip("/")


@api_view(["GET"])
def next_task(request):
    flow_name = request.query_params.get("flow")
    flows = work.flows_named(request.user, flow_name) if flow_name else None
    if flows == []:
        return Response(status=204)
    task = work.claim_in_flows(request.user, flows)
    if task is None:
        return Response(status=204)
    try:
        return Response(work.task_payload(task, request.user, base_url=base_url(request)))
    except rendering.UnrenderableTask as exc:
        raise work.TaskWithdrawn(
            f"Task {task.id} cannot be shown: {exc.reason}. It was withdrawn from the queue; ask for the next task."
        ) from None


@api_view(["POST"])
@parser_classes([ClientJSONParser, FormParser, MultiPartParser])
def submit(request, task_id: int):
    try:
        data = request.data
    except ParseError as exc:
        raise InvalidInput(f"{exc.detail} The body must be a JSON object with answerContent.") from None
    answer = data.get("answerContent") if isinstance(data, dict) else None
    if not isinstance(answer, dict):
        raise InvalidInput("answerContent must be a JSON object.")
    task = lifecycle.submit_task(request.user, task_id, answer)
    return Response({"taskId": task.id, "status": "submitted"})


@api_view(["POST"])
@parser_classes([ClientJSONParser, FormParser, MultiPartParser])
def release(request, task_id: int):
    try:
        unseen = isinstance(request.data, dict) and request.data.get("unseen") is True
    except ParseError as exc:
        raise InvalidInput(f"{exc.detail} The body, if any, must be a JSON object.") from None
    lifecycle.release_task(request.user, task_id, unseen=unseen)
    return Response({"taskId": task_id, "status": "released"})


@api_view(["POST"])
def claim_ahead(request):
    """Claim the task after the one shown (one ahead at most), for the portal to load in a hidden frame."""
    shown = request.query_params.get("shown", "")
    if not shown.isdigit():
        raise InvalidInput("shown must be the id of the task on the reviewer's screen.")
    flow_name = request.query_params.get("flow")
    flows = work.flows_named(request.user, flow_name) if flow_name else None
    if flows == []:
        return Response(status=204)
    task = work.claim_ahead(request.user, flows, int(shown))
    if task is None:
        return Response(status=204)
    return Response(work.ahead_payload(task))


@api_view(["POST"])
def show(request, task_id: int):
    """Start the time limit of a task claimed ahead: the portal has just put it on the screen."""
    task = lifecycle.show_task(request.user, task_id)
    return Response({"taskId": task.id, "secondsLeft": work.seconds_left(task)})
