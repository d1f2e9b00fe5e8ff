"""Webhook endpoint and channel secrets: encrypted at rest, write-only, rotated with every other secret."""

from __future__ import annotations

import base64
import os

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from standardwebhooks.webhooks import Webhook

from flows.delivery import webhooks
from flows.loops import lifecycle
from flows.models import WebhookDelivery, WebhookEndpoint
from notifications import delivery, sweeps
from notifications.models import Channel, Delivery, ReviewerSettings
from tests import factories
from tests.notifications.conftest import channel
from tests.notifications.test_slack_buttons import _press
from workforce import access_keys, secrets
from workforce.models import AccessKey, Workforce

pytestmark = pytest.mark.django_db

EVENT_SECRET = "event-plain-secret"
SLACK_SECRET = "slack-plain-signing-secret"
HOOK_SECRET = "whsec_" + base64.b64encode(b"hook-plain-secret-0123456").decode()


@pytest.fixture
def stored(notified, http_receiver, settings):
    """One secret of every kind, written under the old key."""
    settings.HITL_SECRET_ENCRYPTION_KEY = "old-key"
    url, received = http_receiver()
    endpoint = WebhookEndpoint.objects.create(account=notified.account, url=url + "/events", secret=EVENT_SECRET)
    slack_channel = channel(notified.account, Channel.Kind.SLACK, url=url + "/slack", secret=SLACK_SECRET)
    hook = channel(notified.account, Channel.Kind.WEBHOOK, url=url + "/hook", secret=HOOK_SECRET)
    access_keys.create_access_key(notified.account)
    Workforce.objects.filter(account=notified.account).update(oidc_client_secret_encrypted=secrets.encrypt("oidc"))
    return notified, endpoint, slack_channel, hook, received


def _raw_row(model, pk) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {model._meta.db_table} WHERE id = %s", [pk])
        return repr(cursor.fetchone())


def test_no_column_holds_a_secret_as_written_and_the_admin_never_shows_one(stored, client):
    notified, endpoint, slack_channel, hook, _ = stored
    assert EVENT_SECRET not in _raw_row(WebhookEndpoint, endpoint.id)
    assert SLACK_SECRET not in _raw_row(Channel, slack_channel.id)
    assert HOOK_SECRET not in _raw_row(Channel, hook.id) and "hook-plain" not in _raw_row(Channel, hook.id)
    assert WebhookEndpoint.objects.get(id=endpoint.id).secret == EVENT_SECRET  # reads decrypt

    client.force_login(factories.user("operator", is_staff=True, is_superuser=True))
    page = client.get(f"/admin/flows/webhookendpoint/{endpoint.id}/change/")
    assert page.status_code == 200 and EVENT_SECRET.encode() not in page.content
    form = {"account": notified.account.id, "url": endpoint.url, "is_active": "on"}
    client.post(f"/admin/flows/webhookendpoint/{endpoint.id}/change/", form)  # no secret typed: kept
    assert WebhookEndpoint.objects.get(id=endpoint.id).secret == EVENT_SECRET
    client.post(f"/admin/flows/webhookendpoint/{endpoint.id}/change/", form | {"secret": "typed-anew"})
    assert WebhookEndpoint.objects.get(id=endpoint.id).secret == "typed-anew"
    refused = client.post("/admin/flows/webhookendpoint/add/", form | {"url": "https://hooks.example.com/new"})
    assert b"An endpoint signs its events: give it a secret." in refused.content


def test_rotation_reencrypts_every_kind_and_signing_still_verifies(stored, settings):
    notified, endpoint, slack_channel, hook, received = stored
    kinds = {model for model, _ in secrets.encrypted_fields()}
    assert {AccessKey, Workforce, WebhookEndpoint, Channel} <= kinds
    before = {(model, field): _tokens(model, field) for model, field in secrets.encrypted_fields()}

    settings.HITL_SECRET_ENCRYPTION_KEY = "new-key, old-key"
    call_command("reencrypt_secrets", stdout=open(os.devnull, "w"))  # noqa: SIM115
    settings.HITL_SECRET_ENCRYPTION_KEY = "new-key"  # the old key is gone
    access_keys._decrypted.cache_clear()

    for (model, field), tokens in before.items():
        after = _tokens(model, field)
        assert after.keys() == tokens.keys()
        for pk, token in after.items():
            assert token != tokens[pk], f"{model.__name__} {pk} kept its old token"
            secrets.decrypt(token)  # the new key alone reads it
    assert len(before[(WebhookEndpoint, "encrypted_secret")]) == 1 and len(before[(Channel, "encrypted_secret")]) == 2

    # Status events: signed with the endpoint's secret, verified by the Standard Webhooks library.
    loop, waiting = factories.human_loop(notified.flow), factories.human_loop(notified.flow)
    lifecycle.stop_human_loop(account=notified.account, name=loop.name)
    lifecycle.finalize_loop(loop.id)
    for row in WebhookDelivery.objects.all():
        webhooks.deliver(row.id)
    [(_, headers, body)] = [post for post in received if post[0] == "/events"]
    assert Webhook(EVENT_SECRET.encode()).verify(body, {k.lower(): v for k, v in headers.items()})
    # A Standard Webhooks channel's digest: signed with its whsec_ secret.
    sweeps.send_digests()
    for row in Delivery.objects.filter(channel=hook):
        delivery.deliver(row.id)
    [(_, headers, body)] = [post for post in received if post[0] == "/hook"]
    assert Webhook(HOOK_SECRET).verify(body, {k.lower(): v for k, v in headers.items()})["type"]
    # Slack's signed button press: checked against the signing secret.
    ReviewerSettings.objects.create(user=notified.reviewers[0], slack_user_id="U0")
    forged = _press(Client(), slack_channel, "U0", waiting.id, secret="old-or-wrong")
    pressed = _press(Client(), slack_channel, "U0", waiting.id, secret=SLACK_SECRET)
    assert forged.status_code == 401
    assert pressed.status_code == 200 and "is yours for now" in pressed.json()["text"]


def _tokens(model, field) -> dict:
    return dict(model.objects.exclude(**{field: ""}).values_list("pk", field))
