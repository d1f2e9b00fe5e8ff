"""/healthz answers while the process runs; /readyz checks the database, broker and output store."""

from __future__ import annotations

import json

import pytest

from flows.delivery import storage


@pytest.mark.django_db
def test_healthz_and_readyz_are_ok_on_the_embedded_default(client):
    assert client.get("/healthz").status_code == 200
    response = client.get("/readyz")
    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ok", "checks": {"database": "ok", "outputStore": "ok"}}


@pytest.mark.django_db
def test_readyz_names_the_unreachable_broker_and_store(client, settings, monkeypatch):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1

    class BrokenStore:
        def check(self) -> None:
            raise OSError("bucket a2i-results is not reachable")

    monkeypatch.setattr(storage, "get_store", lambda: BrokenStore())

    response = client.get("/readyz")

    assert response.status_code == 503
    body = json.loads(response.content)
    assert body["status"] == "unavailable" and body["checks"]["database"] == "ok"
    assert body["checks"]["outputStore"] == "error: OSError: bucket a2i-results is not reachable"
    assert body["checks"]["broker"].startswith("error: ")
    # Liveness does not depend on them.
    assert client.get("/healthz").status_code == 200
