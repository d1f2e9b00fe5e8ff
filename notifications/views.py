"""Pages and endpoints of notifications: a signed task link, one-click unsubscribe, settings, Slack buttons.

Rules live in flows.loops.lifecycle (the claim) and notifications.links / .slack;
these views only call them and say clearly what happened.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from flows.loops import lifecycle
from flows.models import ReviewTask
from notifications import links, slack
from notifications.models import ReviewerSettings, TeamOptOut
from workforce.models import Workteam

PAGE = "notifications/link_page.html"


def _page(request: HttpRequest, status: int, heading: str, text: str) -> HttpResponse:
    return render(request, PAGE, {"heading": heading, "text": text}, status=status)


@require_GET
def open_task_link(request: HttpRequest, token: str) -> HttpResponse:
    """Open the task a message links to, for the reviewer it was sent to only."""
    try:
        link = links.read_task_token(token)
    except links.LinkExpired:
        return _page(
            request,
            410,
            "This link has expired",
            "Links in notifications work for a limited time. Your work list shows what is waiting for you now.",
        )
    except links.LinkInvalid:
        return _page(
            request,
            400,
            "This link is not valid",
            "It may have been cut short when it was copied. Your work list shows what is waiting for you.",
        )
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if request.user.pk != link.user_id:
        return _page(
            request,
            403,
            "This link was sent to another reviewer",
            f"You are signed in as {request.user.get_username()}; a task link opens only for the reviewer "
            "it was sent to. Sign out and sign in as them, or take work from your own work list.",
        )
    if link.loop_id is None:
        flow = _flow_name(link.flow_id)
        return redirect(reverse("review_ui:work") + (f"?flow={flow}" if flow else ""))
    held = ReviewTask.objects.filter(
        human_loop_id=link.loop_id, worker_id=request.user.pk, state=ReviewTask.State.LEASED
    ).exists()
    if held or lifecycle.claim_task_of_loop(request.user, link.loop_id) is not None:
        return redirect("review_ui:work")
    return _page(
        request,
        409,
        "This task is no longer waiting",
        "Another reviewer took it, or it finished. Your work list shows what is waiting for you.",
    )


def _flow_name(flow_id: int) -> str:
    from flows.models import FlowDefinition

    return FlowDefinition.objects.filter(id=flow_id).values_list("name", flat=True).first() or ""


@csrf_exempt  # the signed token is the authority; mail clients POST List-Unsubscribe=One-Click (RFC 8058)
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """Turn off one team's notifications for one reviewer: GET asks, POST (a button or a mail client) does it."""
    try:
        user_id, team_id = links.read_unsubscribe_token(token)
    except links.LinkInvalid:
        return _page(request, 400, "This link is not valid", "Open the settings page to change your notifications.")
    team = Workteam.objects.filter(id=team_id).first()
    user = get_user_model().objects.filter(id=user_id).first()
    if team is None or user is None:
        return _page(request, 404, "Nothing to unsubscribe from", "The team or the reviewer no longer exists.")
    done = request.method == "POST"
    if done:
        TeamOptOut.objects.get_or_create(user=user, workteam=team)
    context = {"team": team, "done": done, "who": user.get_username()}
    return render(request, "notifications/unsubscribe.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def settings_page(request: HttpRequest) -> HttpResponse:
    """The reviewer's notifications: per team on or off, quiet hours with a time zone, Slack member id."""
    row, _ = ReviewerSettings.objects.get_or_create(user=request.user)
    teams = list(Workteam.objects.filter(memberships__user=request.user).order_by("name"))
    errors: list[str] = []
    saved = False
    if request.method == "POST":
        errors = _save_settings(request, row, teams)
        saved = not errors
    off = set(TeamOptOut.objects.filter(user=request.user).values_list("workteam_id", flat=True))
    context = {
        "row": row,
        "teams": [{"team": team, "on": team.id not in off} for team in teams],
        "errors": errors,
        "saved": saved,
    }
    return render(request, "notifications/settings.html", context, status=400 if errors else 200)


def _save_settings(request: HttpRequest, row: ReviewerSettings, teams: list[Workteam]) -> list[str]:
    errors = []
    start, end = request.POST.get("quiet_start", ""), request.POST.get("quiet_end", "")
    zone = request.POST.get("time_zone", "UTC").strip() or "UTC"
    try:
        zoneinfo.ZoneInfo(zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        errors.append(f"{zone} is not a time zone; write one such as Europe/Berlin or UTC.")
    times = []
    for label, value in (("start", start), ("end", end)):
        try:
            times.append(dt.time.fromisoformat(value) if value else None)
        except ValueError:
            errors.append(f"The quiet hours' {label} must be a time such as 22:00.")
    if not errors and (times[0] is None) != (times[1] is None):
        errors.append("Give both the start and the end of your quiet hours, or neither.")
    if errors:
        return errors
    row.quiet_start, row.quiet_end, row.time_zone = times[0], times[1], zone
    row.slack_user_id = request.POST.get("slack_user_id", "").strip()[:32]
    row.save()
    for team in teams:
        if request.POST.get(f"team-{team.id}") == "on":
            TeamOptOut.objects.filter(user=request.user, workteam=team).delete()
        else:
            TeamOptOut.objects.get_or_create(user=request.user, workteam=team)
    return []


@csrf_exempt  # Slack signs the request (v0 HMAC with the app's signing secret); no session or CSRF token
@require_POST
def slack_actions(request: HttpRequest, channel_id: int) -> HttpResponse:
    """Slack interactive messages: a Claim button leases a task of its loop to the Slack user's reviewer."""
    answer = slack.handle_action(channel_id, request.body, request.headers)
    return JsonResponse(answer.body, status=answer.status)
