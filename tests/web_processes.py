"""Real gunicorn for tests that need several web processes: start, find its workers, stop, and a burst of calls."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

ROOT = Path(__file__).resolve().parents[1]
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"


def embedded_env(tmp: Path, **overrides: str) -> dict[str, str]:
    """Environment of the embedded default on a fresh SQLite file under `tmp` (no broker, no services)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "CELERY_", "HITL_", "AWS_"))}
    env.update(DATABASE_URL=f"sqlite:///{tmp / 'hitl.sqlite3'}", HITL_VAR_DIR=str(tmp), **overrides)
    return env


_migrated: Path | None = None


def migrate_embedded(env: dict[str, str]) -> None:
    """Give `env`'s SQLite file the full schema: migrated once per test session, then copied (13 s -> 0)."""
    global _migrated
    target = Path(env["DATABASE_URL"].removeprefix("sqlite:///"))
    if _migrated is None:
        template = Path(tempfile.mkdtemp(prefix="hitl-migrated-")) / "hitl.sqlite3"
        manage({**env, "DATABASE_URL": f"sqlite:///{template}"}, "migrate", "--noinput", "-v", "0", "--skip-checks")
        _migrated = template
    shutil.copyfile(_migrated, target)


def manage(env: dict[str, str], *args: str) -> str:
    """Run a management command in its own process with `env`; return its stdout."""
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return done.stdout


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Gunicorn:
    url: str
    process: subprocess.Popen
    access_log: Path

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()] if children.exists() else []

    def pids_that_answered(self) -> Counter:
        """How many requests each worker answered (the access log line is the worker's pid)."""
        return Counter(line.strip() for line in self.access_log.read_text().splitlines() if line.strip())


@contextmanager
def gunicorn(env: dict[str, str], tmp: Path, *, workers: int = 4, timeout: int = 30) -> Iterator[Gunicorn]:
    """Run `gunicorn hitl.wsgi` with `workers` sync workers on a free port; stop it (by its pid) afterwards."""
    port = free_port()
    access_log = tmp / f"gunicorn-{port}.access.log"
    log = open(tmp / f"gunicorn-{port}.log", "ab")  # noqa: SIM115 (kept open for the child)
    process = subprocess.Popen(
        [str(GUNICORN), "hitl.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", str(workers)]
        + ["--timeout", str(timeout), "--access-logfile", str(access_log), "--access-logformat", "%(p)s"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=log,
        start_new_session=True,
    )
    server = Gunicorn(f"http://127.0.0.1:{port}", process, access_log)
    try:
        _wait_until_serving(server, workers)
        yield server
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        log.close()


def _wait_until_serving(server: Gunicorn, workers: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.process.returncode}")
        try:
            urllib.request.urlopen(f"{server.url}/healthz", timeout=2)
            if len(server.worker_pids()) >= workers:
                return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer within 60 s")


def runtime_client(url: str, key_id: str, secret: str):
    return boto3.client(
        "sagemaker-a2i-runtime",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id=key_id,
        aws_secret_access_key=secret,
        config=Config(retries={"total_max_attempts": 1}, max_pool_connections=1),
    )


@dataclass
class Burst:
    allowed: int
    throttled: int
    other: Counter
    seconds: float


def burst_of_calls(
    url: str, key_id: str, secret: str, *, threads: int = 8, seconds: float = 3.0, min_calls: int = 40
) -> Burst:
    """Call DescribeHumanLoop from `threads` clients for `seconds`, and on until `min_calls` were answered
    (at most 60 s): on a loaded machine a fixed time may hold too few calls to outrun the refill.
    Counts allowed and throttled answers."""
    clients = [runtime_client(url, key_id, secret) for _ in range(threads)]
    outcomes: Counter = Counter()
    lock = threading.Lock()
    start = threading.Barrier(threads + 1)

    def run(client) -> None:
        start.wait()
        while True:
            now = time.monotonic()
            with lock:
                answered = sum(outcomes.values())
            if now >= hard_deadline or (now >= deadline and answered >= min_calls):
                break
            try:
                client.describe_human_loop(HumanLoopName="nobody-has-this-loop")
                outcome = "ok"
            except ClientError as exc:
                outcome = exc.response["Error"]["Code"]
            with lock:
                outcomes[outcome] += 1

    workers = [threading.Thread(target=run, args=(client,)) for client in clients]
    for worker in workers:
        worker.start()
    began = time.monotonic()
    deadline = began + seconds
    hard_deadline = began + max(seconds, 60.0)
    start.wait()
    for worker in workers:
        worker.join()
    elapsed = time.monotonic() - began
    allowed = outcomes.pop("ResourceNotFoundException", 0)
    throttled = outcomes.pop("ThrottlingException", 0)
    return Burst(allowed, throttled, outcomes, elapsed)
