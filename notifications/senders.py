"""One sender per channel kind: e-mail (Django's e-mail backend), Slack, Microsoft Teams, Standard Webhooks.

A message (notifications.messages) is a small document: a title, plain text,
items with links, optionally loops a Slack button may claim and an unsubscribe
link. Each sender turns it into its channel's format and returns
(status code, error): 2xx (250 for an accepted e-mail) is delivered, anything
else or an exception's text is a failed try that the sweep retries.
"""

from __future__ import annotations

import json
import smtplib
from typing import Any

import requests
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils.html import escape

from hitl.kernel import clock, standard_webhooks
from notifications.models import Channel, Delivery

TIMEOUT_SECONDS = 10
SMTP_ACCEPTED = 250
MAX_SLACK_BUTTONS = 5


def send(delivery: Delivery) -> tuple[int | None, str]:
    """Send one delivery through its channel; return (status code or None, error text or "")."""
    channel = delivery.channel
    try:
        if channel.kind == Channel.Kind.EMAIL:
            return _send_email(delivery)
        body, headers = _http_message(channel, delivery)
        response = requests.post(channel.url, data=body, headers=headers, timeout=TIMEOUT_SECONDS)
    except (requests.RequestException, smtplib.SMTPException, OSError) as exc:
        return None, repr(exc)
    if 200 <= response.status_code < 300:
        return response.status_code, ""
    return response.status_code, f"HTTP {response.status_code}: {response.text[:200]}"


def _send_email(delivery: Delivery) -> tuple[int | None, str]:
    recipient = delivery.recipient
    if recipient is None or not recipient.email:
        return None, "The reviewer has no e-mail address."
    message = delivery.message
    lines = [message["text"], ""] + [f"{item['label']}: {item['url']}" for item in message.get("items", [])]
    # One Message-ID per delivery: a send repeated after a crash between the server's "250" and
    # our commit (SMTP has no idempotency key) is the same message, which mail stores can drop.
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip("> ") or "hitl.localhost"
    headers = {"Message-ID": f"<hitl-notification-{delivery.id}@{domain}>"}
    if message.get("unsubscribeUrl"):
        lines += ["", f"Turn off notifications from this team: {message['unsubscribeUrl']}"]
        # RFC 8058 one-click unsubscribe: mail clients POST List-Unsubscribe=One-Click to the URL.
        headers["List-Unsubscribe"] = f"<{message['unsubscribeUrl']}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    email = EmailMultiAlternatives(
        subject=message["title"],
        body="\n".join(lines),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient.email],
        headers=headers,
    )
    email.attach_alternative(_email_html(message), "text/html")
    email.send(fail_silently=False)
    return SMTP_ACCEPTED, ""


def _email_html(message: dict[str, Any]) -> str:
    items = "".join(f'<li><a href="{escape(i["url"])}">{escape(i["label"])}</a></li>' for i in message.get("items", []))
    html = f"<p>{escape(message['text'])}</p><ul>{items}</ul>"
    if message.get("unsubscribeUrl"):
        html += f'<p><a href="{escape(message["unsubscribeUrl"])}">Turn off notifications from this team</a></p>'
    return html


def _http_message(channel: Channel, delivery: Delivery) -> tuple[bytes, dict[str, str]]:
    message = delivery.message
    headers = {"Content-Type": "application/json", "User-Agent": "hitl-notifications/1"}
    if channel.kind == Channel.Kind.SLACK:
        document = slack_message(message)
    elif channel.kind == Channel.Kind.TEAMS:
        document = teams_message(message)
    else:
        document = {"type": f"hitl.notification.{delivery.kind}", "timestamp": clock.now().isoformat(), "data": message}
    body = json.dumps(document, sort_keys=True, separators=(",", ":")).encode()
    if channel.kind == Channel.Kind.WEBHOOK:
        headers |= standard_webhooks.headers(
            channel.secret, f"msg_{delivery.dedupe_key}", standard_webhooks.wall_clock_timestamp(), body
        )
    return body, headers


def slack_message(message: dict[str, Any]) -> dict[str, Any]:
    """Return Slack Block Kit: the text, a link per item, and a Claim button per loop (at most five)."""
    blocks: list[dict[str, Any]] = [{"type": "section", "text": {"type": "mrkdwn", "text": f"*{message['title']}*"}}]
    for item in message.get("items", []):
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": f"<{item['url']}|{item['label']}>"}})
    buttons = [
        {
            "type": "button",
            "action_id": f"claim-{loop['id']}",
            "text": {"type": "plain_text", "text": f"Claim {loop['name']}"[:75]},
            "value": str(loop["id"]),
        }
        for loop in message.get("claimable", [])[:MAX_SLACK_BUTTONS]
    ]
    if buttons:
        blocks.append({"type": "actions", "elements": buttons})
    return {"text": message["text"], "blocks": blocks}


def teams_message(message: dict[str, Any]) -> dict[str, Any]:
    """Return a Teams incoming-webhook MessageCard with an Open button per item."""
    return {
        "@type": "MessageCard",
        "@context": "https://schema.org/extensions",
        "summary": message["title"],
        "title": message["title"],
        "text": message["text"],
        "potentialAction": [
            {"@type": "OpenUri", "name": item["label"][:60], "targets": [{"os": "default", "uri": item["url"]}]}
            for item in message.get("items", [])
        ],
    }
