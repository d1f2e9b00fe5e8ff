"""Probes: /healthz (the process answers) and /readyz (database, broker, output store reachable)."""

from __future__ import annotations

import json
from collections.abc import Callable

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse

# Dependencies of domain apps, registered in their AppConfig.ready (flows: "outputStore"):
# the kernel runs them without knowing what they check.
READINESS_CHECKS: dict[str, Callable[[], None]] = {}


def register_readiness_check(name: str, check: Callable[[], None]) -> None:
    """Make /readyz call `check()` (raising means not ready) and report it under `name`."""
    READINESS_CHECKS[name] = check


def healthz(request: HttpRequest) -> HttpResponse:
    """Answer 200 while the process can serve requests (liveness: no dependencies checked)."""
    return _json({"status": "ok"}, 200)


def readyz(request: HttpRequest) -> HttpResponse:
    """Answer 200 when every dependency responds, else 503 naming the failing ones."""
    checks: dict[str, Callable[[], None]] = {"database": _check_database, **READINESS_CHECKS}
    if settings.CELERY_BROKER_URL:
        checks["broker"] = _check_broker
    results = {}
    for name, check in checks.items():
        try:
            check()
            results[name] = "ok"
        except Exception as exc:  # any failure means "not ready"; the message helps the operator
            results[name] = f"error: {exc.__class__.__name__}: {exc}"[:300]
    ready = all(value == "ok" for value in results.values())
    return _json({"status": "ok" if ready else "unavailable", "checks": results}, 200 if ready else 503)


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _check_broker() -> None:
    from hitl.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)


def _json(body: dict, status: int) -> HttpResponse:
    response = HttpResponse(json.dumps(body), status=status, content_type="application/json")
    response["Cache-Control"] = "no-store"
    return response
