"""Notifications through the real broker: beat, Redis and a Celery worker process send the digest to an SMTP server.

A loop starts in this process; the beat's send-notifications (every second) runs
on the worker, which records a digest per reviewer and sends each through
Django's SMTP backend to aiosmtpd on 127.0.0.1. The worker is then killed in the
middle of a send (the SMTP server holds the MAIL command until it is dead):
that e-mail never arrived, its Delivery row stays claimed for one outbox grace,
and the restarted worker sends it once, the other e-mail not again.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
import threading
import time

import pytest

from notifications.models import Channel, Delivery
from tests.integration import scenario
from tests.integration.conftest import wait_until, web_env

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
GRACE_SECONDS = 5  # the outbox grace of this test's worker: how soon a send lost with its worker is re-sent


class SmtpServer:
    """aiosmtpd on 127.0.0.1; `hold_next_mail()` makes the next MAIL FROM wait until `release()`."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.received: list[email.message.EmailMessage] = []
        self.holding = threading.Event()
        self.held = threading.Event()
        self.released = threading.Event()
        server = self

        class Handler:
            async def handle_MAIL(self, smtp, session, envelope, address, options):
                if server.holding.is_set():
                    server.holding.clear()
                    server.held.set()
                    while not server.released.is_set():
                        await asyncio.sleep(0.05)
                envelope.mail_from = address
                return "250 OK"

            async def handle_DATA(self, smtp, session, envelope):
                server.received.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
                return "250 Message accepted for delivery"

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    def hold_next_mail(self) -> None:
        self.holding.set()

    def release(self) -> None:
        self.released.set()

    def to(self) -> list[str]:
        return sorted(message["To"] for message in self.received)


@pytest.fixture
def smtp():
    server = SmtpServer()
    server.controller.start()
    yield server
    server.release()
    server.controller.stop()


@pytest.fixture
def mailing_worker(live, smtp):
    """The session's worker restarted to send e-mail through `smtp`; the session's worker again afterwards."""
    session_env = live.env
    live.stop_worker()
    live.env = web_env(
        HITL_LOG_LEVEL="INFO",
        HITL_OUTBOX_GRACE_SECONDS=str(GRACE_SECONDS),
        # One send at a time: with two, the other reviewer's e-mail can be between the SMTP server's
        # "250" and our commit when the worker is killed, and SMTP cannot tell a repeat from a new
        # message (the repeat keeps its Message-ID; tests/notifications/test_deliveries.py).
        HITL_WORKER_CONCURRENCY="1",
        DJANGO_EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        DJANGO_EMAIL_HOST="127.0.0.1",
        DJANGO_EMAIL_PORT=str(smtp.port),
    )
    live.start_worker()
    yield live
    live.stop_worker()
    live.env = session_env
    live.start_worker()


def test_a_loop_start_reaches_each_reviewer_by_email_through_the_worker_even_when_it_dies_mid_send(
    mailing_worker, smtp
):
    t = scenario.team(reviewers=2)
    topic = f"arn:aws:sns:us-east-1:{t.account.aws_account_id}:reviewers"
    for n, reviewer in enumerate(t.reviewers):
        reviewer.email = f"reviewer-{n}@example.com"
        reviewer.save(update_fields=["email"])
    team = t.flow.workteam
    team.notification_config = {"NotificationTopicArn": topic}
    team.save(update_fields=["notification_config"])
    Channel.objects.create(account=t.account, name="email", kind=Channel.Kind.EMAIL, topic_arn=topic)

    smtp.hold_next_mail()  # the first send stops at MAIL FROM...
    scenario.start(t, "urgent-1")
    wait_until(smtp.held.is_set, 60, "the worker to start sending the first digest")  # a cold worker on a busy CI box
    mailing_worker.kill_worker()  # ...and the worker dies there, the e-mail unsent
    smtp.release()
    time.sleep(1)
    assert len(smtp.received) <= 1  # the killed send did not arrive (the other may have)
    lost = Delivery.objects.filter(kind=Delivery.Kind.DIGEST, state=Delivery.State.PENDING)
    assert [row.attempts for row in lost] == [0] * len(lost) and lost  # the worker died before recording a try

    mailing_worker.start_worker()
    wait_until(lambda: len(smtp.received) >= 2, 3 * GRACE_SECONDS + 60, "the lost digest, re-sent", interval=0.2)
    time.sleep(2 * GRACE_SECONDS)  # long enough for a second copy, were one coming
    assert smtp.to() == ["reviewer-0@example.com", "reviewer-1@example.com"]  # each once
    assert all(message["Subject"] == "1 new task for " + team.name for message in smtp.received)
    rows = list(Delivery.objects.filter(kind=Delivery.Kind.DIGEST))
    assert [(row.state, row.attempts) for row in rows] == [("delivered", 1), ("delivered", 1)]
