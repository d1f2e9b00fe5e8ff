"""The embedded sweeps in real web processes: runserver with its autoreloader, gunicorn with four workers."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from tests.web_processes import ROOT, embedded_env, free_port, gunicorn, migrate_embedded

SWEEPS = {
    "expire-leases",
    "expire-loops",
    "redeliver-outbox",
    "send-notifications",
    "deadline-steps",
    "index-loop-search",
    "settle-side-writes",
}


def _leases(database: Path) -> dict[str, str]:
    with sqlite3.connect(database, timeout=20) as db:
        return dict(db.execute("SELECT name, holder FROM coordination_sweeplease WHERE last_finished_at IS NOT NULL"))


def _wait_for_every_sweep(database: Path, timeout: float = 60) -> dict[str, str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        leases = _leases(database)
        if set(leases) == SWEEPS:
            return leases
        time.sleep(0.5)
    raise AssertionError(f"not every sweep ran within {timeout}s: {_leases(database)}")


def _parent_of(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def test_runserver_runs_the_sweeps_in_its_serving_child_only_not_in_the_reloader(tmp_path):
    env = embedded_env(tmp_path, HITL_LOG_LEVEL="ERROR")
    migrate_embedded(env)
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{free_port()}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        leases = _wait_for_every_sweep(tmp_path / "hitl.sqlite3")
        holders = {int(holder.rsplit(":", 1)[1]) for holder in leases.values()}
        [child] = holders  # one process ran them all ...
        assert child != server.pid and _parent_of(child) == server.pid  # ... the reloader's child, not the reloader
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)


def test_four_gunicorn_workers_share_the_sweeps(tmp_path):
    env = embedded_env(tmp_path, HITL_LOG_LEVEL="ERROR", HITL_ACCESS_LOG_LEVEL="ERROR")
    migrate_embedded(env)
    with gunicorn(env, tmp_path, workers=4) as web:
        leases = _wait_for_every_sweep(tmp_path / "hitl.sqlite3")
        workers = set(web.worker_pids())
    holders = {int(holder.rsplit(":", 1)[1]) for holder in leases.values()}
    assert holders <= workers  # the workers run them (gunicorn's master never loads the app)
