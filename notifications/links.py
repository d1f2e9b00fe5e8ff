"""Signed links in messages: a task link bound to one reviewer and expiring, and a one-click unsubscribe.

Both are `django.core.signing` tokens (DJANGO_SECRET_KEY), each with its own
salt. A task link carries the reviewer, the flow, optionally the loop, and its
expiry (hitl.kernel.clock time, HITL_NOTIFY_LINK_SECONDS after it was made); it opens
the task only for that reviewer. An unsubscribe link carries the reviewer and
the team and does not expire (it is what turns messages off).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse

from hitl.kernel import clock
from hitl.kernel.public_url import public_url

_TASK_SALT = "hitl.notifications.task-link"
_UNSUBSCRIBE_SALT = "hitl.notifications.unsubscribe"


@dataclass(frozen=True)
class TaskLink:
    user_id: int
    flow_id: int
    loop_id: int | None
    expires_at: int


class LinkExpired(Exception):
    pass


class LinkInvalid(Exception):
    pass


def task_url(user_id: int, flow_id: int, loop_id: int | None = None) -> str:
    """Return the absolute URL of a link that opens the flow's work (or the loop's task) for this reviewer."""
    expires = int(clock.now().timestamp()) + settings.HITL_NOTIFY_LINK_SECONDS
    token = signing.dumps({"u": user_id, "f": flow_id, "l": loop_id, "e": expires}, salt=_TASK_SALT, compress=True)
    return public_url() + reverse("notifications:open", args=[token])


def read_task_token(token: str) -> TaskLink:
    """Return what a task link says; LinkInvalid if it was not made here, LinkExpired once past its expiry."""
    try:
        data = signing.loads(token, salt=_TASK_SALT)
        link = TaskLink(int(data["u"]), int(data["f"]), data["l"] and int(data["l"]), int(data["e"]))
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise LinkInvalid from None
    if link.expires_at <= clock.now().timestamp():
        raise LinkExpired
    return link


def unsubscribe_url(user_id: int, workteam_id: int) -> str:
    """Return the absolute one-click unsubscribe URL of this reviewer and team."""
    token = signing.dumps({"u": user_id, "t": workteam_id}, salt=_UNSUBSCRIBE_SALT, compress=True)
    return public_url() + reverse("notifications:unsubscribe", args=[token])


def read_unsubscribe_token(token: str) -> tuple[int, int]:
    """Return (user id, work team id) of an unsubscribe link; LinkInvalid if it was not made here."""
    try:
        data = signing.loads(token, salt=_UNSUBSCRIBE_SALT)
        return int(data["u"]), int(data["t"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise LinkInvalid from None
