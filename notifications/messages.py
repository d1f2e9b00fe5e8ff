"""What each message says: a new-work digest, a reminder to the reviewer holding a task, an escalation.

A message is a JSON document stored on its Delivery (so a retry sends the same
words): `title`, `text`, `items` (label and link), `claimable` (loops a Slack
button may claim) and, for one reviewer, `unsubscribeUrl`. Links for one
reviewer are signed and expiring (notifications.links); links posted to a shared
channel go to the portal, which asks who is signing in.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.urls import reverse

from flows.models import FlowDefinition
from hitl.kernel.public_url import public_url
from notifications import links


def _portal_url(flow: FlowDefinition | None = None) -> str:
    path = reverse("review_ui:work")
    return public_url() + path + ("?" + urlencode({"flow": flow.name}) if flow is not None else "")


def _work_link(flow: FlowDefinition, user_id: int | None, loop_id: int | None = None) -> str:
    if user_id is None:
        return _portal_url(flow if loop_id is None else None)
    return links.task_url(user_id, flow.id, loop_id)


def digest(team_name: str, counts: list[tuple[FlowDefinition, int]], *, user_id: int | None, team_id: int) -> dict:
    """New work for a team: loops waiting per flow since the last digest."""
    total = sum(n for _, n in counts)
    message: dict[str, Any] = {
        "title": f"{total} new {'task' if total == 1 else 'tasks'} for {team_name}",
        "text": f"New work is waiting for team {team_name}.",
        "items": [
            {"label": f"{flow.task_title}: {n} new", "url": _work_link(flow, user_id), "flow": flow.name, "count": n}
            for flow, n in counts
        ],
        "team": team_name,
    }
    if user_id is not None:
        message["unsubscribeUrl"] = links.unsubscribe_url(user_id, team_id)
    return message


def reminder(flow: FlowDefinition, loop: dict[str, Any], *, user_id: int, team_id: int, deadline: str) -> dict:
    """A reminder to the reviewer who holds a task of the loop."""
    return {
        "title": f"Reminder: {flow.task_title}",
        "text": f"You hold a task of {loop['name']} ({flow.task_title}); {deadline}.",
        "items": [{"label": f"Open {loop['name']}", "url": _work_link(flow, user_id, loop["id"])}],
        "loop": loop["name"],
        "unsubscribeUrl": links.unsubscribe_url(user_id, team_id),
    }


def escalation(
    flow: FlowDefinition, loops: list[dict[str, Any]], *, user_id: int | None, team_id: int | None, deadline: str
) -> dict:
    """Loops escalated to a team or reviewer: they may now claim them."""
    n = len(loops)
    shown = loops[:20]
    message: dict[str, Any] = {
        "title": f"Escalated to you: {n} {flow.task_title} {'task' if n == 1 else 'tasks'}",
        "text": f"{n} {'loop' if n == 1 else 'loops'} of {flow.task_title} still need a reviewer; {deadline}.",
        "items": [{"label": f"Open {loop['name']}", "url": _work_link(flow, user_id, loop["id"])} for loop in shown],
        "claimable": [{"id": loop["id"], "name": loop["name"]} for loop in shown],
        "loops": [loop["name"] for loop in loops],
    }
    if user_id is not None and team_id is not None:
        message["unsubscribeUrl"] = links.unsubscribe_url(user_id, team_id)
    return message
