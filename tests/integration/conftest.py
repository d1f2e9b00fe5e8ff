"""Real services for the integration suite: PostgreSQL, Redis, moto's S3 server, a Celery worker and beat.

The pytest process must already point at them (settings are read before any
fixture runs), so run the suite as

    eval "$(scripts/services.sh env)" && .venv/bin/pytest -m integration tests/integration

The session fixtures then start what is not running through scripts/services.sh,
let pytest-django create the test database (test_hitl), start a worker and beat
on that same database, and stop everything they started at the end. Tests are
transactional (`django_db(transaction=True)`): their commits are what the
separate worker process sees.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ROOT / "scripts" / "services.sh"
SERVICES_DIR = Path(os.environ.get("HITL_SERVICES_DIR", ROOT / "var" / "services"))
BUCKET = "a2i-results"


def services(*args: str, env: dict[str, str] | None = None) -> None:
    """Run scripts/services.sh with `args` (fails the test on a non-zero exit)."""
    subprocess.run([str(SERVICES), *args], check=True, cwd=ROOT, env=env or os.environ.copy())


def wait_until(predicate: Callable[[], Any], timeout: float, what: str, interval: float = 0.25) -> Any:
    """Poll `predicate` until it returns something truthy; fail with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def s3_client():
    return boto3.client("s3", endpoint_url=os.environ["AWS_ENDPOINT_URL_S3"], region_name="us-east-1")


def enable_versioning() -> None:
    """Version the bucket, so a test can count how many times a key was written."""
    s3_client().put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})


def _redis_ping() -> bool:
    port = settings.CELERY_BROKER_URL.rsplit(":", 1)[1].split("/")[0]
    return subprocess.run(["redis-cli", "-p", port, "ping"], capture_output=True).returncode == 0


@pytest.fixture(scope="session")
def _backing_services(request):
    """Start PostgreSQL, Redis and S3 unless running; stop the ones this session started."""
    if connection.vendor != "postgresql" or not settings.CELERY_BROKER_URL:
        message = 'integration tests need the service env: eval "$(scripts/services.sh env)" first'
        if request.config.getoption("markexpr") == "integration":
            pytest.fail(message)  # asked for explicitly (make test): never pass by skipping
        pytest.skip(message)
    # A worker left by an aborted run would hold the old test database open.
    services("stop", "worker", "beat")
    was_up = subprocess.run([str(SERVICES), "status"], capture_output=True, text=True, cwd=ROOT).stdout
    services("start", "pg", "redis", "s3")
    port = settings.CELERY_BROKER_URL.rsplit(":", 1)[1].split("/")[0]
    subprocess.run(["redis-cli", "-p", port, "flushall"], check=True, capture_output=True)
    enable_versioning()
    yield
    started = [name for name in ("s3", "redis", "pg") if f"{name}: down" in was_up]
    if started:
        services("stop", *started)


@pytest.fixture(scope="session")
def django_db_setup(_backing_services, django_db_setup):
    """Create the test database only once the PostgreSQL server is up."""
    yield


@dataclass
class Celery:
    """The worker and beat processes of the session (on the test database)."""

    env: dict[str, str]
    started: list[str] = field(default_factory=list)

    def worker_pid(self) -> int:
        return int((SERVICES_DIR / "worker.pid").read_text())

    def kill_worker(self) -> None:
        """SIGKILL the worker and its pool processes at once (it detached into its own process group)."""
        pid = self.worker_pid()
        os.killpg(os.getpgid(pid), signal.SIGKILL)
        wait_until(lambda: not _alive(pid), 10, "the killed worker to disappear")
        (SERVICES_DIR / "worker.pid").unlink(missing_ok=True)

    def start_worker(self) -> None:
        services("start", "worker", env=self.env)

    def stop_worker(self) -> None:
        services("stop", "worker", env=self.env)

    def stop_redis(self) -> None:
        services("stop", "redis", env=self.env)

    def start_redis(self) -> None:
        services("start", "redis", env=self.env)

    def stop_s3(self) -> None:
        services("stop", "s3", env=self.env)

    def start_s3(self) -> None:
        services("start", "s3", env=self.env)
        enable_versioning()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie still answers kill(0); it is gone for our purposes.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except FileNotFoundError:
        return False


def web_env(**overrides: str) -> dict[str, str]:
    """Environment for processes of the stack (gunicorn, worker, beat) on the test database, production defaults."""
    db = settings.DATABASES["default"]
    env = {k: v for k, v in os.environ.items() if k != "HITL_OUTBOX_GRACE_SECONDS"}
    env.update(DATABASE_URL=f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}", **overrides)
    return env


@pytest.fixture(scope="session")
def celery_processes(django_db_setup) -> Celery:
    """A Celery worker and beat as separate processes, on the database pytest-django created.

    They run with the production defaults (HITL_OUTBOX_GRACE_SECONDS and the sweep intervals of
    hitl/settings.py): the fault stories prove the recovery times a user gets.
    """
    env = web_env(HITL_LOG_LEVEL="INFO")
    # The beat schedule file remembers last run times; a fresh one fires every sweep at start.
    for path in SERVICES_DIR.glob("celerybeat-schedule*"):
        path.unlink()
    procs = Celery(env=env)
    services("start", "worker", "beat", env=env)
    yield procs
    services("stop", "beat", "worker", env=env)


@pytest.fixture
def live(celery_processes, settings) -> Celery:
    """Per test: the real worker and beat, and the in-process S3 store of this pytest process."""
    from flows.delivery.storage import get_store

    settings.HITL_OUTPUT_BACKEND = "s3"
    get_store.cache_clear()
    assert _redis_ping()
    return celery_processes
