"""Personas for the operations tests: an operations lead (superuser) signed in to the admin."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model


@pytest.fixture
def ops_lead(db):
    return get_user_model().objects.create_superuser("opslead", "ops@example.com", "pw-opslead")


@pytest.fixture
def admin_client(client, ops_lead):
    client.force_login(ops_lead)
    return client


@pytest.fixture
def boto_client(live_server):
    """Factory: boto_client(service, new_key) -> a boto3 client signed with that key, without retries."""
    import boto3
    from botocore.config import Config

    clients = []

    def make(service: str, new_key):
        client = boto3.client(
            service,
            endpoint_url=live_server.url,
            region_name="us-east-1",
            aws_access_key_id=new_key.access_key.access_key_id,
            aws_secret_access_key=new_key.secret_access_key,
            config=Config(retries={"total_max_attempts": 1}),
        )
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()
