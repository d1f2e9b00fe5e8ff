"""Channels in the admin: the secret is write-only and stored encrypted; deliveries show every attempt."""

from __future__ import annotations

import pytest

from notifications.models import Channel
from tests import factories

pytestmark = pytest.mark.django_db


def test_an_operator_adds_a_webhook_channel_whose_secret_is_never_shown_again(client):
    account = factories.account()
    operator = factories.user("operator", is_staff=True, is_superuser=True)
    client.force_login(operator)
    form = {
        "account": account.id,
        "name": "ops-hook",
        "kind": "webhook",
        "topic_arn": f"arn:aws:sns:us-east-1:{account.aws_account_id}:reviewers",
        "url": "https://hooks.example.com/hitl",
        "is_active": "on",
    }

    refused = client.post("/admin/notifications/channel/add/", form)
    added = client.post("/admin/notifications/channel/add/", form | {"secret": "whsec_c2VjcmV0LXNlY3JldA=="})

    assert refused.status_code == 200 and b"A webhook channel signs its messages" in refused.content
    assert added.status_code == 302
    row = Channel.objects.get(name="ops-hook")
    assert row.secret == "whsec_c2VjcmV0LXNlY3JldA==" and "c2VjcmV0" not in row.encrypted_secret
    page = client.get(f"/admin/notifications/channel/{row.id}/change/")
    assert page.status_code == 200 and b"c2VjcmV0LXNlY3JldA" not in page.content
    # Saving without a secret keeps the stored one.
    client.post(f"/admin/notifications/channel/{row.id}/change/", form | {"name": "ops-hook-2"})
    assert Channel.objects.get(id=row.id).secret == "whsec_c2VjcmV0LXNlY3JldA=="


def test_staff_of_another_account_do_not_see_the_channel(client):
    account, other = factories.account(), factories.account()
    Channel.objects.create(account=account, name="mail", kind="email", topic_arn="arn:aws:sns:us-east-1:1:t")
    staff = factories.user("other-admin", is_staff=True)
    other.admins.add(staff)
    from django.contrib.auth.models import Permission

    staff.user_permissions.add(*Permission.objects.filter(content_type__app_label="notifications"))
    client.force_login(staff)

    listing = client.get("/admin/notifications/channel/")

    assert listing.status_code == 200 and listing.context["cl"].result_count == 0
    assert client.get("/admin/notifications/reviewersettings/").status_code == 403
