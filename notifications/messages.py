"""What each message says: a new-work digest, a reminder to the reviewer holding a task, an escalation.

A message is a JSON document stored on its Delivery (so a retry sends the same
words): `title`, `text`, `items` (label and link), `claimable` (loops a Slack
button may claim) and, for one reviewer, `unsubscribeUrl`. Links for one
reviewer are signed and expiring (notifications.links); links posted to a shared
channel go to the portal, which asks who is signing in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse

from flows.models import FlowDefinition
from hitl.kernel.public_url import public_url
from notifications import links

SHOWN_LOOPS = 20  # loops named (a link and a Slack button each) in one escalation message


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


@dataclass(frozen=True)
class Escalated:
    """The loops of one flow (version) that one sweep escalated: how many, the oldest few by name, and when they end."""

    flow: FlowDefinition
    count: int
    shown: list[dict[str, Any]]  # {"id", "name"} of the oldest SHOWN_LOOPS
    deadline: str


def escalation(escalated: list[Escalated], *, user_id: int | None, team_id: int | None) -> dict:
    """Every loop one sweep escalated to a team or reviewer, in one message: they may now claim them.

    Links and Slack Claim buttons name the oldest loops (SHOWN_LOOPS in all); each flow with more
    escalated than shown gets a link to its work, which hands out the escalated tasks first.
    """
    n = sum(part.count for part in escalated)
    what = escalated[0].flow.task_title + " " if len(escalated) == 1 else ""
    shown = [(part.flow, loop) for part in escalated for loop in part.shown][:SHOWN_LOOPS]
    items = [{"label": f"Open {loop['name']}", "url": _work_link(flow, user_id, loop["id"])} for flow, loop in shown]
    items += [
        {"label": f"All {part.count} escalated {part.flow.task_title} tasks", "url": _work_link(part.flow, user_id)}
        for part in escalated
        if part.count > len(part.shown)
    ]
    message: dict[str, Any] = {
        "title": f"Escalated to you: {n} {what}{'task' if n == 1 else 'tasks'}",
        "text": " ".join(
            f"{part.count} {'loop' if part.count == 1 else 'loops'} of {part.flow.task_title} still need a reviewer;"
            f" {part.deadline}."
            for part in escalated
        ),
        "items": items,
        "claimable": [{"id": loop["id"], "name": loop["name"]} for _, loop in shown],
        "loops": n,
    }
    if user_id is not None and team_id is not None:
        message["unsubscribeUrl"] = links.unsubscribe_url(user_id, team_id)
    return message
