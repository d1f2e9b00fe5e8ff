"""The production-shaped stack on 127.0.0.1: PostgreSQL, Redis, the moto S3 server, one Celery worker, gunicorn.

Services come from scripts/services.sh on their own ports, data directory
and database, so the bench never touches what the test suite starts. Ports
can be moved with HITL_BENCH_{WEB,PG,REDIS,S3,PGBOUNCER}_PORT (several
checkouts on one machine). `instances` > 1 runs that many gunicorn processes
(on consecutive ports) and Celery workers, as separate pods would be;
`beats` starts Celery beats; `pgbouncer` puts PgBouncer (transaction mode)
between every hitl process and PostgreSQL.
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
    web_port: int = field(default_factory=lambda: _port("WEB", 28080))
    pg_port: int = field(default_factory=lambda: _port("PG", 25532))
    redis_port: int = field(default_factory=lambda: _port("REDIS", 26479))
    s3_port: int = field(default_factory=lambda: _port("S3", 25100))
    pgbouncer_port: int = field(default_factory=lambda: _port("PGBOUNCER", 25832))
    database: str = "hitl_bench"
    web_workers: int = 4
    instances: int = 1
    beats: int = 0
    pgbouncer: bool = False
    services_dir: Path = ROOT / "var" / "bench-services"
    gunicorns: list[subprocess.Popen] = field(default_factory=list, repr=False)

    @property
    def web_ports(self) -> list[int]:
        return [self.web_port + n for n in range(self.instances)]

    @property
    def gunicorn(self) -> subprocess.Popen | None:
        return self.gunicorns[0] if self.gunicorns else None

    def worker_names(self) -> list[str]:
        return ["bench-worker"] + [f"bench-worker-{n}" for n in range(1, self.instances)]

    @property
    def services_env(self) -> dict[str, str]:
        return {
            "HITL_SERVICES_DIR": str(self.services_dir),
            "HITL_PG_PORT": str(self.pg_port),
            "HITL_REDIS_PORT": str(self.redis_port),
            "HITL_S3_PORT": str(self.s3_port),
            "HITL_PGBOUNCER_PORT": str(self.pgbouncer_port),
            "HITL_PG_DB": self.database,
            "HITL_WORKER_CONCURRENCY": "1",  # one Celery worker process doing the work
            "HITL_WORKER_NAME": "bench-worker",
        }

    @property
    def env(self) -> dict[str, str]:
        """Environment of the web workers, the Celery worker and the bench's own Django calls."""
        env = dict(os.environ)
        env.update(self.services_env)
        db_port = self.pgbouncer_port if self.pgbouncer else self.pg_port
        env.update(
            {
                "DATABASE_URL": f"postgres://postgres@127.0.0.1:{db_port}/{self.database}",
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
        if self.pgbouncer:
            self.services("start", "pgbouncer")
        self.manage("migrate", "--noinput", "-v", "0", "--skip-checks")
        for name in self.worker_names():
            self.services_as(name, "start", "worker")
        for n in range(self.beats):
            # Each its own schedule file, as two beat pods would have.
            self.services_as(f"bench-beat-{n}", "start", "beat")
        for port in self.web_ports:
            self.start_web(port)

    def services_as(self, name: str, action: str, target: str) -> None:
        """services.sh for one of several workers or beats (its own pidfile and log)."""
        variable = "HITL_WORKER_NAME" if target == "worker" else "HITL_BEAT_NAME"
        env = dict(self.env, **{variable: name})
        subprocess.run([str(ROOT / "scripts" / "services.sh"), action, target], cwd=ROOT, env=env, check=True)

    def start_web(self, port: int | None = None) -> None:
        port = port or self.web_port
        log = open(self.services_dir / f"gunicorn-{port}.log", "ab")  # noqa: SIM115 (kept open for the child)
        gunicorn = subprocess.Popen(
            [
                str(VENV / "gunicorn"),
                "hitl.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
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
        self.gunicorns.append(gunicorn)
        deadline = time.time() + 60
        while time.time() < deadline:
            if gunicorn.poll() is not None:
                raise RuntimeError(f"gunicorn exited (see {log.name})")
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/portal/api/tasks/next", timeout=2)
            except urllib.error.HTTPError:
                if len(_children(gunicorn.pid)) >= self.web_workers:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError("gunicorn did not answer within 60 s")

    def stop(self) -> None:
        """Stop gunicorn (by its pid) and the services started for the bench."""
        for gunicorn in self.gunicorns:
            if gunicorn.poll() is None:
                gunicorn.send_signal(signal.SIGTERM)
        for gunicorn in self.gunicorns:
            try:
                gunicorn.wait(timeout=30)
            except subprocess.TimeoutExpired:
                gunicorn.kill()
        self.gunicorns = []
        try:
            for n in range(self.beats):
                self.services_as(f"bench-beat-{n}", "stop", "beat")
            for name in self.worker_names():
                self.services_as(name, "stop", "worker")
            self.services("stop", "pgbouncer", "s3", "redis", "pg")
        except subprocess.CalledProcessError as exc:
            print(f"bench: stopping services failed: {exc}", file=sys.stderr)

    # --- Memory --------------------------------------------------------------------

    def web_pids(self) -> list[int]:
        return [pid for gunicorn in self.gunicorns for pid in _children(gunicorn.pid)]

    def celery_pids(self) -> list[int]:
        pids = []
        for name in self.worker_names():
            pidfile = self.services_dir / f"{name}.pid"
            if pidfile.exists():
                main = int(pidfile.read_text().strip())
                pids += [main, *_children(main)]
        return pids

    def beat_pids(self) -> list[int]:
        pidfiles = [self.services_dir / f"bench-beat-{n}.pid" for n in range(self.beats)]
        return [int(p.read_text().strip()) for p in pidfiles if p.exists()]

    def postgres_pid(self) -> int:
        data = self.psql("SHOW data_directory")
        return int(Path(data, "postmaster.pid").read_text().split()[0])

    def cpu_seconds(self) -> dict[str, float]:
        """CPU time (user + system) so far of this stack's own processes, by role.

        Read from /proc by pid, so other work on a shared machine does not count. Each root
        process (gunicorn master, Celery main, postmaster) adds its exited children's time, so a
        PostgreSQL backend that ended between two readings is still counted.
        """
        roots = {
            "web": [g.pid for g in self.gunicorns],
            "celery": [int((self.services_dir / f"{n}.pid").read_text()) for n in self.worker_names()],
            "beat": self.beat_pids(),
            "postgres": [self.postgres_pid()],
        }
        return {role: sum(_cpu_with_children(pid) for pid in pids) for role, pids in roots.items()}

    def memory(self) -> dict[str, list[float]]:
        """RSS in MB of each gunicorn worker and of each Celery process (main + pool child)."""
        return {
            "web_workers_rss_mb": [rss_mb(pid) for pid in self.web_pids()],
            "celery_rss_mb": [rss_mb(pid) for pid in self.celery_pids()],
        }


def _port(name: str, default: int) -> int:
    return int(os.environ.get(f"HITL_BENCH_{name}_PORT") or default)


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


def _cpu(pid: int, with_waited: bool = False) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    ticks = int(fields[11]) + int(fields[12]) + ((int(fields[13]) + int(fields[14])) if with_waited else 0)
    return ticks / os.sysconf("SC_CLK_TCK")


def _cpu_with_children(pid: int) -> float:
    """A process's CPU seconds, its live children's, and those of the children it has reaped."""
    return _cpu(pid, with_waited=True) + sum(_cpu(child) for child in _children(pid))


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0
