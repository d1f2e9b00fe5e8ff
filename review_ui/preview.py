"""Template preview for staff: render a task UI with a sample input, as the A2I console does.

The page validates the template (parse errors with their line), keeps the
template and input in the session, and shows the result in the same
sandboxed frame as real tasks. In preview mode the parent page answers a
submit by showing the answer JSON instead of sending it anywhere.
The admin links here with `?ui=<HumanTaskUi id>` (see `preview_url`), and its
template editor previews live through `preview_render` (the same checks and
session, answered as JSON, then the same frame).
"""

from __future__ import annotations

from typing import Any

from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from flows.models import HumanTaskUi
from hitl.kernel import client_json
from hitl.kernel.errors import InvalidInput
from review_ui import grants, isolation, rendering
from review_ui.views import FRAME_SHELL
from workforce import roles

SESSION_KEY = "review_ui.preview"
DEFAULT_INPUT = '{\n  "taskObject": "s3://bucket/example.jpg"\n}'


def preview_url(ui: HumanTaskUi | None = None) -> str:
    """Return the preview page URL, preselecting `ui` when given (for admin links)."""
    url = reverse("review_ui:preview")
    return f"{url}?ui={ui.pk}" if ui is not None else url


def check_preview(content: str, sample_input: str) -> tuple[Any, list[str]]:
    """Return (parsed input, errors) for a template and a sample input JSON text."""
    errors = []
    parsed = None
    try:
        rendering.validate_template(content)
    except InvalidInput as exc:
        errors.append(exc.message)
    try:
        parsed = client_json.parse(sample_input or "{}")
    except client_json.ClientJsonError as exc:
        errors.append(f"The sample input is not valid JSON: {exc}.")
    return parsed, errors


@staff_member_required
@require_http_methods(["GET", "POST"])
def preview_page(request: HttpRequest) -> HttpResponse:
    """Preview a pasted template, or one of the task UIs of the accounts the staff member administers."""
    uis = roles.scope_to_accounts(HumanTaskUi.objects.all(), request.user)
    uis = uis.select_related("account", "template").order_by("account__name", "name")
    content, sample_input, errors, ready = "", DEFAULT_INPUT, [], False
    if request.method == "POST":
        content, sample_input, errors = _store_preview(request, uis)
        ready = not errors
    elif request.GET.get("ui", "").isdigit():
        ui = uis.filter(pk=request.GET["ui"]).first()
        content = ui.template.content if ui else ""
    context = {
        "uis": uis,
        "template_text": content,
        "input_text": sample_input,
        "errors": errors,
        "ready": ready,
        "sandbox": isolation.IFRAME_SANDBOX,
        "frame_url": reverse("review_ui:preview_frame") + "?preview=1",
    }
    return render(request, "review_ui/preview.html", context)


@staff_member_required
@require_POST
def preview_render(request: HttpRequest) -> JsonResponse:
    """Check and store a template and sample input for the preview frame; answer {ok, errors, frameUrl, sandbox}.

    What the admin's template editor calls as the staff member types (flows/static/flows/admin_live_preview.js).
    """
    uis = roles.scope_to_accounts(HumanTaskUi.objects.all(), request.user).select_related("template")
    _, _, errors = _store_preview(request, uis)
    return JsonResponse(
        {
            "ok": not errors,
            "errors": errors,
            "frameUrl": reverse("review_ui:preview_frame") + "?preview=1",
            "sandbox": isolation.IFRAME_SANDBOX,
        }
    )


def _store_preview(request: HttpRequest, uis) -> tuple[str, str, list[str]]:
    """Check the posted template (or the chosen UI's) and input; store them for the frame when they pass."""
    content = request.POST.get("template", "")
    sample_input = request.POST.get("input", "")
    ui_id = request.POST.get("ui", "")
    ui = uis.filter(pk=ui_id).first() if ui_id.isdigit() else None
    if ui and not content.strip():
        content = ui.template.content
    account_id = ui.account_id if ui else _only_account_id(request.user)
    return content, sample_input, keep_preview(request, content, sample_input, account_id)


def keep_preview(request: HttpRequest, content: str, sample_input: str, account_id: int | None) -> list[str]:
    """Check a template and its sample input (JSON text); when they pass, keep them for preview_frame.

    The one place the preview's session data is written: this page, the admin's live editor and
    the console's new-flow form all preview through it. `account_id` is the account whose stored
    objects the preview may show (None: none).
    """
    parsed, errors = check_preview(content, sample_input)
    if not errors:
        request.session[SESSION_KEY] = {"template": content, "input": parsed, "account": account_id}
    return errors


def _only_account_id(user) -> int | None:
    """Return the id of the one account `user` administers, or None (several, or none)."""
    ids = list(roles.administered_accounts(user).values_list("id", flat=True)[:2])
    return ids[0] if len(ids) == 1 else None


@staff_member_required
@require_GET
def preview_frame(request: HttpRequest) -> HttpResponse:
    """Serve the last previewed template of this session, rendered, with the task frame's policy.

    Stored objects are granted as for the account of the previewed UI (or the staff member's only
    account); a pasted template of a superuser with several accounts grants none.
    """
    stored = request.session.get(SESSION_KEY)
    if not stored:
        body = "<p>Nothing to preview yet.</p>"
        response = HttpResponse(FRAME_SHELL.format(title="Preview", body=body), status=404)
    else:
        account_id = stored.get("account")
        if account_id is not None and not roles.administered_accounts(request.user).filter(id=account_id).exists():
            account_id = None
        object_grants = None
        if account_id is not None:
            object_grants = grants.ObjectGrants(
                account_id=account_id, user_id=request.user.pk, actor=request.user.get_username()
            )
        try:
            html = rendering.render_task_template(stored["template"], stored["input"], object_grants=object_grants)
        except rendering.UnrenderableTask as exc:
            html = f'<p role="alert">The template cannot be rendered: {rendering.escape_html(exc.reason)}.</p>'
        response = HttpResponse(FRAME_SHELL.format(title="Preview", body=html))
    return isolation.protect_frame(request, response)
