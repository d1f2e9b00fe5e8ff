"""Reviewer portal pages: work list, task page, the sandboxed task frame, stored objects.

Business rules live in flows.loops.lifecycle (claim, submit, release) and
review_ui.work (what a reviewer may see); these views only call them.
"""

from __future__ import annotations

import json
import mimetypes

from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from flows.definitions import versions
from flows.delivery.storage import get_store
from flows.loops import lifecycle
from hitl.kernel.errors import Conflict, NotFound
from review_ui import grants, history, isolation, rendering, shortcuts, work
from workforce.audit import trail as audit

_ACTIVE_CONTENT_TYPES = {"text/html", "application/xhtml+xml", "image/svg+xml", "text/xml", "application/xml"}
FRAME_SHELL = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>{title}</title>
</head>
<body>
{body}
</body>
</html>
"""


@login_required
@require_GET
def work_list(request: HttpRequest) -> HttpResponse:
    return render(request, "review_ui/work_list.html", {"teams": work.work_list(request.user)})


@login_required
@require_GET
def history_page(request: HttpRequest) -> HttpResponse:
    """The reviewer's own submitted answers (read-only), counts, time per task and gold accuracy."""
    return render(request, "review_ui/history.html", {"history": history.reviewer_history(request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def shortcuts_page(request: HttpRequest) -> HttpResponse:
    """The reviewer's own keyboard shortcuts, remappable (review_ui.shortcuts)."""
    keys = shortcuts.keymap_for(request.user)
    errors: list[str] = []
    saved = False
    status = 200
    if request.method == "POST":
        keys = {action: request.POST.get(action, "") for action in shortcuts.DEFAULTS}
        errors = shortcuts.validate(keys)
        if errors:
            status = 400
        else:
            shortcuts.save(request.user, keys)
            saved = True
    rows = [
        {"action": action, "description": description, "key": keys[action]}
        for action, _, description in shortcuts.ACTIONS
    ]
    context = {"rows": rows, "errors": errors, "saved": saved}
    return render(request, "review_ui/shortcuts.html", context, status=status)


@login_required
@require_GET
def work_page(request: HttpRequest) -> HttpResponse:
    """Show the reviewer's current task in `?flow=NAME`, claiming the next one if they hold none."""
    flow_name = request.GET.get("flow", "")
    flows = work.flows_named(request.user, flow_name) if flow_name else None
    task = None
    if flows != []:
        task = work.current_lease(request.user, flows) or work.claim_in_flows(request.user, flows)
    if task is None:
        # Reviewers know a flow by its task title; the flow's name is the requester's identifier.
        title = flows[0].task_title if flows else ""
        return render(request, "review_ui/no_more_work.html", {"task_title": title}, status=200)
    pinned = versions.pinned_settings(task.human_loop)  # the title and description of the loop's version
    context = {
        "task": task,
        "flow": task.flow_definition,
        "task_title": pinned["task_title"],
        "task_description": pinned["task_description"],
        "flow_name": flow_name or task.flow_definition.name,
        "seconds_left": work.seconds_left(task),
        "sandbox": isolation.IFRAME_SANDBOX,
        "frame_url": reverse("review_ui:task_frame", args=[task.id]),
        "keymap_json": json.dumps(shortcuts.keymap_for(request.user)),
        # The next task is claimed ahead and loaded hidden while this one is answered (portal.js).
        "ahead_url": reverse("review_ui:api_ahead") + "?" + urlencode({"shown": task.id, "flow": flow_name}),
    }
    return render(request, "review_ui/task.html", context)


@login_required
@require_GET
def task_frame(request: HttpRequest, task_id: int) -> HttpResponse:
    """Serve the rendered template, only to the reviewer who holds the task's lease."""
    task = work.held_task(request.user, task_id)
    if task is None:
        body = "<p>This task is no longer assigned to you.</p>"
        response = HttpResponse(FRAME_SHELL.format(title="Task unavailable", body=body), status=404)
    else:
        title = rendering.escape_html(versions.pinned_settings(task.human_loop)["task_title"])
        try:
            response = HttpResponse(FRAME_SHELL.format(title=title, body=work.render_task(task, request.user)))
        except rendering.UnrenderableTask as exc:
            body = (
                f'<p role="alert">This task cannot be shown: {rendering.escape_html(exc.reason)}.</p>'
                "<p>It has been withdrawn from the queue and the requester has been told why. "
                "Go back to the work list to take the next task.</p>"
            )
            response = HttpResponse(FRAME_SHELL.format(title="Task cannot be shown", body=body), status=422)
    return isolation.protect_frame(request, response)


@login_required
@require_POST
def release(request: HttpRequest, task_id: int) -> HttpResponse:
    """Give a task back (Release: to the list; Skip: straight to the next task of the flow)."""
    try:
        lifecycle.release_task(request.user, task_id)
    except (NotFound, Conflict):
        pass  # already gone back to the queue (expired, stopped): the reviewer's wish is met
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("review_ui:work_list")


@require_GET
def stored_object(request: HttpRequest, token: str, filename: str) -> HttpResponse:
    """Serve an object named by a grant_read_access URL to the person it was made for.

    The signed, expiring token is the task-frame credential: the frame has an opaque origin,
    so the browser sends it no cookies. The token binds the account, the task and the
    reviewer; each load checks that the reviewer still holds the task and the account may
    still read the object (review_ui.grants.viewer_refusal).
    """
    try:
        grant = grants.read_token(token)
    except signing.BadSignature:
        raise Http404("This link is invalid or has expired.") from None
    refusal = grants.viewer_refusal(grant, request.user)
    if refusal is not None:
        audit.record_refused_grant(
            account_id=grant.account_id,
            actor=request.user.get_username() if request.user.is_authenticated else "",
            uri=f"s3://{grant.bucket}/{grant.key}",
            reason=refusal,
            task_id=grant.task_id,
        )
        return HttpResponseForbidden(f"Access refused: {refusal}.", content_type="text/plain; charset=utf-8")
    try:
        body = get_store().get(grant.bucket, grant.key)
    except (FileNotFoundError, ValueError, IsADirectoryError):
        raise Http404("The object does not exist.") from None
    content_type = mimetypes.guess_type(grant.key)[0] or "application/octet-stream"
    response = HttpResponse(body, content_type=content_type)
    # Widgets load images with crossOrigin="anonymous" to draw them on canvases.
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = f"private, max-age={grants.GRANT_MAX_AGE_SECONDS}"
    response["X-Content-Type-Options"] = "nosniff"
    if content_type in _ACTIVE_CONTENT_TYPES:
        # A stored .html or .svg must not run script on the portal's origin.
        response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'"
    return response
