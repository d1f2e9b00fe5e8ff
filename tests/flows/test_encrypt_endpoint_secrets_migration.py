"""The data migration of issue 16: existing webhook endpoint secrets are encrypted, the plain column dropped."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from workforce import secrets

BEFORE = [("flows", "0010_review_task_claimed_ahead")]
AFTER = [("flows", "0011_encrypt_webhook_endpoint_secrets")]


@pytest.mark.django_db(transaction=True)
def test_existing_endpoint_secrets_are_encrypted():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    account = old.get_model("workforce", "Account").objects.create(name="legacy")
    endpoint = old.get_model("flows", "WebhookEndpoint").objects.create(
        account=account, url="https://hooks.example.com/a", secret="legacy-plain-secret"
    )

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    row = new.get_model("flows", "WebhookEndpoint").objects.get(id=endpoint.id)
    assert secrets.decrypt(row.encrypted_secret) == "legacy-plain-secret"
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM flows_webhookendpoint WHERE id = %s", [endpoint.id])
        assert "legacy-plain-secret" not in repr(cursor.fetchone())
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
