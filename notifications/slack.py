"""Slack interactive messages: verify Slack's request signature, then claim through the lifecycle.

Slack signs each request with the app's signing secret (the Slack channel's
secret here): `X-Slack-Signature: v0=<hex HMAC-SHA256(secret, "v0:<timestamp>:<raw body>")>`
with `X-Slack-Request-Timestamp`; requests older than five minutes are refused
(replays). A Claim button's value is its loop's id; the Slack user is the hitl
reviewer whose settings carry that Slack member id. The claim is
flows.loops.lifecycle.claim_task_of_loop, the same claim as the portal's, so two
reviewers pressing at once get one task each while the loop has open tasks.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from flows.loops import lifecycle
from flows.models import HumanLoop
from hitl.kernel import clock
from notifications import links
from notifications.models import Channel, ReviewerSettings

MAX_AGE_SECONDS = 300


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict[str, Any]


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """Return Slack's v0 signature of a request."""
    base = f"v0:{timestamp}:".encode() + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def _ephemeral(text: str) -> Answer:
    return Answer(200, {"response_type": "ephemeral", "replace_original": False, "text": text})


def handle_action(channel_id: int, body: bytes, headers: Mapping[str, str]) -> Answer:
    """Verify and act on one interactive payload; the answer is what Slack shows the person who pressed."""
    channel = Channel.objects.filter(id=channel_id, kind=Channel.Kind.SLACK, is_active=True).first()
    if channel is None or not channel.secret:
        return Answer(404, {"error": "No Slack channel with a signing secret here."})
    timestamp = headers.get("X-Slack-Request-Timestamp", "")
    given = headers.get("X-Slack-Signature", "")
    if not timestamp.isdigit() or abs(clock.now().timestamp() - int(timestamp)) > MAX_AGE_SECONDS:
        return Answer(401, {"error": "The request timestamp is missing or older than five minutes."})
    if not hmac.compare_digest(signature(channel.secret, timestamp, body), given):
        return Answer(401, {"error": "The Slack signature does not match this channel's signing secret."})
    try:
        payload = json.loads(parse_qs(body.decode())["payload"][0])
        action = payload["actions"][0]
        slack_user = payload["user"]["id"]
        loop_id = int(action["value"])
    except (KeyError, IndexError, ValueError, TypeError, UnicodeDecodeError):
        return Answer(400, {"error": "Expected a block_actions payload with a Claim button."})
    loop = HumanLoop.objects.filter(id=loop_id, account_id=channel.account_id).select_related("flow_definition").first()
    if loop is None:
        return _ephemeral("That review no longer exists.")
    settings_row = ReviewerSettings.objects.select_related("user").filter(slack_user_id=slack_user).first()
    if settings_row is None or not settings_row.user.is_active:
        return _ephemeral(
            "Your Slack account is not linked to a hitl reviewer: add your Slack member ID on your "
            "notification settings page (/notifications/settings/)."
        )
    user = settings_row.user
    task = lifecycle.claim_task_of_loop(user, loop.id)
    if task is None:
        return _ephemeral(f"{loop.name} has no task left for you: someone else took it, or it finished.")
    url = links.task_url(user.pk, loop.flow_definition_id, loop.id)
    return _ephemeral(f"{loop.name} is yours for now: <{url}|open the task>.")
