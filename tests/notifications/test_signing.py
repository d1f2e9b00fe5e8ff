"""Webhooks are signed as the Standard Webhooks specification says, verified with its own library."""

from __future__ import annotations

import base64
import datetime as dt
import json

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from flows.delivery import webhooks
from flows.loops import lifecycle
from flows.models import WebhookDelivery, WebhookEndpoint
from hitl.kernel import standard_webhooks
from notifications import delivery, sweeps
from notifications.models import Channel, Delivery
from tests import factories
from tests.notifications.conftest import channel

pytestmark = pytest.mark.django_db


def test_signature_equals_the_standardwebhooks_package():
    secret = "whsec_" + base64.b64encode(b"0123456789abcdef0123456789abcdef").decode()
    body = b'{"a":1}'
    expected = Webhook(secret).sign("msg_1", dt.datetime.fromtimestamp(1700000000, dt.UTC), body.decode())
    assert standard_webhooks.signature(secret, "msg_1", 1700000000, body) == expected


def test_status_event_webhooks_get_the_standard_headers_and_keep_the_hitl_signature(http_receiver, personas):
    url, received = http_receiver()
    WebhookEndpoint.objects.create(account=personas.account, url=url + "/events", secret="plain-secret")
    loop = factories.human_loop(personas.flow)
    lifecycle.stop_human_loop(account=personas.account, name=loop.name)
    lifecycle.finalize_loop(loop.id)
    for row in WebhookDelivery.objects.all():  # on commit in production; this test's transaction never commits
        webhooks.deliver(row.id)

    assert len(received) == 1
    _, headers, body = received[0]
    # Today's receivers: the HMAC header as before.
    assert headers["X-Hitl-Signature-256"].startswith("sha256=")
    # Standard Webhooks receivers: verified by the specification's library with the secret's bytes.
    verified = Webhook(b"plain-secret").verify(body, {k.lower(): v for k, v in headers.items()})
    assert verified["detail"]["humanLoopStatus"] == "Stopped"
    assert headers["webhook-id"] == headers["X-Hitl-Event-Id"]


def test_a_webhook_channel_digest_is_signed_with_its_whsec_secret(http_receiver, notified):
    url, received = http_receiver()
    secret = "whsec_" + base64.b64encode(b"k" * 24).decode()
    hook = channel(notified.account, Channel.Kind.WEBHOOK, url=url + "/hook", secret=secret)
    factories.human_loop(notified.flow)

    sweeps.send_digests()
    for row in Delivery.objects.filter(channel=hook):
        delivery.deliver(row.id)

    assert len(received) == 1
    _, headers, body = received[0]
    document = Webhook(secret).verify(body, {k.lower(): v for k, v in headers.items()})
    assert document["type"] == "hitl.notification.digest"
    assert document["data"]["items"][0]["flow"] == "sentiment"
    with pytest.raises(WebhookVerificationError):
        Webhook("whsec_" + base64.b64encode(b"x" * 24).decode()).verify(
            body, {k.lower(): v for k, v in headers.items()}
        )
    # The secret is stored encrypted, never as written.
    stored = Channel.objects.get(id=hook.id).encrypted_secret
    assert secret not in stored and json.dumps(secret) not in stored
