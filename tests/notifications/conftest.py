"""Fixtures of the notification tests: a real SMTP server and an HTTP receiver on 127.0.0.1, a notified team."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from notifications.models import Channel
from tests import factories

# boto3 against live_server, for the story test (tests/protocol's fixtures).
from tests.protocol.conftest import aws_account, make_account, signing_follows_clock  # noqa: F401

TOPIC = "arn:aws:sns:us-east-1:{account}:reviewers"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Mailbox(list):
    """The messages the SMTP server accepted, in order, with when each arrived (time.monotonic())."""

    def __init__(self) -> None:
        super().__init__()
        self.arrived_at: list[float] = []


@pytest.fixture
def smtp_server(settings):
    """Start aiosmtpd on 127.0.0.1 and point Django's SMTP backend at it; yields the list of received messages."""
    from aiosmtpd.controller import Controller

    received = Mailbox()

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            received.arrived_at.append(time.monotonic())
            received.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
            return "250 Message accepted for delivery"

    controller = Controller(Handler(), hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = False
    try:
        yield received
    finally:
        controller.stop()


@pytest.fixture
def http_receiver():
    """Factory: http_receiver(status_of) -> (url, received); received gets (path, headers, body) per POST."""
    servers = []

    def start(status_of=lambda n: 200) -> tuple[str, list]:
        received: list[tuple[str, dict, bytes]] = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                received.append((self.path, dict(self.headers), body))
                self.send_response(status_of(len(received)))
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}", received

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@dataclass
class Notified:
    account: Any
    team: Any
    reviewers: list
    flow: Any
    email: Channel


def channel(account, kind: str, *, name: str | None = None, url: str = "", secret: str = "") -> Channel:
    row = Channel(account=account, name=name or kind, kind=kind, url=url, topic_arn=topic_of(account))
    row.secret = secret
    row.save()
    return row


def topic_of(account) -> str:
    return TOPIC.format(account=account.aws_account_id)


def notified_team(account, *, reviewers: int = 2, name: str = "team-a"):
    """A work team with reviewers who have e-mail addresses, notified through the account's topic."""
    people = [factories.user(f"{name}-r{n}", email=f"{name}-r{n}@example.com") for n in range(reviewers)]
    return factories.workteam(
        account, members=people, name=name, notification_config={"NotificationTopicArn": topic_of(account)}
    ), people


@pytest.fixture
def notified(db) -> Notified:
    account = factories.account()
    team, people = notified_team(account)
    flow = factories.flow_definition(account, team, name="sentiment")
    return Notified(account, team, people, flow, channel(account, Channel.Kind.EMAIL))
