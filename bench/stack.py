"""The production-shaped stack on 127.0.0.1: PostgreSQL, Redis, the moto S3 server, one Celery worker, gunicorn.

Services come from scripts/services.sh on their own ports, data directory
and database, so the bench never touches what the test suite starts.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv" / "bin"


@dataclass
class Stack:
    """Ports and directories of one bench stack; start() brings it up, stop() takes down what it started."""

    # Below Linux's ephemeral range (32768-60999): the bench opens thousands of short connections,
    # and a client socket lingering in TIME_WAIT on a listen port would make the next start fail.
    web_port: int = 28080
    pg_port: int = 25532
    redis_port: int = 26479
    s3_port: int = 25100
    database: str = "hitl_bench"
    web_workers: int = 4
    services_dir: Path = ROOT / "var" / "bench-services"
    gunicorn: subprocess.Popen | None = field(default=None, repr=False)

    @property
    def services_env(self) -> dict[str, str]:
        return {
            "HITL_SERVICES_DIR": str(self.services_dir),
            "HITL_PG_PORT": str(self.pg_port),
            "HITL_REDIS_PORT": str(self.redis_port),
            "HITL_S3_PORT": str(self.s3_port),
            "HITL_PG_DB": self.database,
            "HITL_WORKER_CONCURRENCY": "1",  # one Celery worker process doing the work
            "HITL_WORKER_NAME": "bench-worker",
        }

    @property
    def env(self) -> dict[str, str]:
        """Environment of the web workers, the Celery worker and the bench's own Django calls."""
        env = dict(os.environ)
        env.update(self.services_env)
        env.update(
            {
                "DATABASE_URL": f"postgres://postgres@127.0.0.1:{self.pg_port}/{self.database}",
                "CELERY_BROKER_URL": f"redis://127.0.0.1:{self.redis_port}/0",
                "HITL_OUTPUT_BACKEND": "s3",
                "AWS_ENDPOINT_URL_S3": f"http://127.0.0.1:{self.s3_port}",
                "AWS_ACCESS_KEY_ID": "testing",
                "AWS_SECRET_ACCESS_KEY": "testing",
                "AWS_DEFAULT_REGION": "us-east-1",
                "DJANGO_DEBUG": "false",
                "DJANGO_SETTINGS_MODULE": "hitl.settings",
                "HITL_LOG_LEVEL": "WARNING",
                "HITL_PUBLIC_URL": f"http://127.0.0.1:{self.web_port}",
            }
        )
        return env

    def services(self, action: str, *targets: str) -> None:
        subprocess.run([str(ROOT / "scripts" / "services.sh"), action, *targets], cwd=ROOT, env=self.env, check=True)

    def manage(self, *args: str, capture: bool = False) -> str:
        done = subprocess.run(
            [str(VENV / "python"), "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            check=True,
            stdout=subprocess.PIPE if capture else None,
            text=True,
        )
        return done.stdout or ""

    def psql(self, sql: str, database: str = "postgres") -> str:
        bin_dir = sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1]
        done = subprocess.run(
            [str(bin_dir / "psql"), "-h", "127.0.0.1", "-p", str(self.pg_port), "-U", "postgres", "-d", database]
            + ["-tAc", sql],
            check=True,
            stdout=subprocess.PIPE,
            text=True,
        )
        return done.stdout.strip()

    def start(self, *, fresh: bool = True) -> None:
        """Start every service, with a fresh database unless fresh=False, then the Celery worker and gunicorn."""
        self.services("start", "pg")
        if fresh:
            self.psql(f"DROP DATABASE IF EXISTS {self.database} WITH (FORCE)")
            self.services("start", "pg")  # creates the database again
        self.services("start", "redis", "s3")
        self.manage("migrate", "--noinput", "-v", "0", "--skip-checks")
        self.services("start", "worker")
        self.start_web()

    def start_web(self) -> None:
        log = open(self.services_dir / "gunicorn.log", "ab")  # noqa: SIM115 (kept open for the child)
        self.gunicorn = subprocess.Popen(
            [
                str(VENV / "gunicorn"),
                "hitl.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.web_port}",
                "--workers",
                str(self.web_workers),
                "--worker-class",
                "sync",
                "--timeout",
                "120",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.gunicorn.poll() is not None:
                raise RuntimeError(f"gunicorn exited (see {self.services_dir / 'gunicorn.log'})")
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.web_port}/portal/api/tasks/next", timeout=2)
            except urllib.error.HTTPError:
                if len(self.web_pids()) >= self.web_workers:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError("gunicorn did not answer within 60 s")

    def stop(self) -> None:
        """Stop gunicorn (by its pid) and the services started for the bench."""
        if self.gunicorn is not None and self.gunicorn.poll() is None:
            self.gunicorn.send_signal(signal.SIGTERM)
            try:
                self.gunicorn.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.gunicorn.kill()
        self.gunicorn = None
        try:
            self.services("stop", "worker", "s3", "redis", "pg")
        except subprocess.CalledProcessError as exc:
            print(f"bench: stopping services failed: {exc}", file=sys.stderr)

    # --- Memory --------------------------------------------------------------------

    def web_pids(self) -> list[int]:
        return _children(self.gunicorn.pid) if self.gunicorn else []

    def celery_pids(self) -> list[int]:
        pidfile = self.services_dir / "bench-worker.pid"
        if not pidfile.exists():
            return []
        main = int(pidfile.read_text().strip())
        return [main, *_children(main)]

    def memory(self) -> dict[str, list[float]]:
        """RSS in MB of each gunicorn worker and of each Celery process (main + pool child)."""
        return {
            "web_workers_rss_mb": [rss_mb(pid) for pid in self.web_pids()],
            "celery_rss_mb": [rss_mb(pid) for pid in self.celery_pids()],
        }


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return sorted(found)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0
