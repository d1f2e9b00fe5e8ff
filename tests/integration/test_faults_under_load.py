"""Faults under load on the full stack, with the production defaults, checked by `make load`'s invariant checker.

Reviewers and API clients (bench/load.py's) work against real gunicorn workers,
a Celery worker and beat, PostgreSQL, Redis and the S3 server while one fault
happens. Then bench.load.check_run proves, from the client log, the audit
trail, the database and the S3 objects, that no task was held twice, no
answer was lost or stored twice, every Completed loop has exactly its answers
in one output, and no call got a 5xx outside the fault. On top, every output
lands within RECOVERY_SECONDS of the later of its last answer and the fault's end.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from django.db import close_old_connections, connection
from django.db.models import F

from bench import fixtures, load
from bench.clients import RawApi, ReviewerApi
from flows.models import OutputOutbox
from tests.integration import scenario
from tests.integration.conftest import SERVICES_DIR, Celery, _alive, services, wait_until, web_env
from tests.web_processes import Gunicorn, gunicorn

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

RECOVERY_SECONDS = 30
REVIEWERS, API_CLIENTS, WEB_WORKERS = 6, 2, 2


@dataclass
class Stack:
    web: Gunicorn
    celery: Celery
    cfg: dict

    @property
    def port(self) -> int:
        return int(self.web.url.rsplit(":", 1)[1])


@pytest.fixture
def stack(live, tmp_path) -> Iterator[Stack]:
    cfg = fixtures.setup(reviewers=REVIEWERS, queue_reviewers=0)
    with gunicorn(web_env(HITL_LOG_LEVEL="ERROR", HITL_ACCESS_LOG_LEVEL="ERROR"), tmp_path, workers=WEB_WORKERS) as web:
        yield Stack(web, live, cfg)
    close_old_connections()


@dataclass
class Fault:
    started: float
    ended: float


def run_with_fault(stack: Stack, *, seconds: float, fault_at: float, fault: Callable[[], None]) -> tuple[Fault, dict]:
    """Run the load for `seconds`, with `fault()` starting at `fault_at`; check every invariant afterwards."""
    log = load.Log()
    deadline = time.time() + seconds
    flow_arn = stack.cfg["flows"][load.FLOW]["arn"]
    threads = [
        threading.Thread(
            target=load.reviewer,
            args=(ReviewerApi("127.0.0.1", stack.port, r["token"]), r["username"], log, deadline, i),
        )
        for i, r in enumerate(stack.cfg["load_reviewers"])
    ] + [
        threading.Thread(
            target=load.api_client,
            args=(
                RawApi("127.0.0.1", stack.port, stack.cfg["access_key_id"], stack.cfg["secret_access_key"]),
                flow_arn,
                i,
                log,
                deadline,
            ),
        )
        for i in range(API_CLIENTS)
    ]
    for thread in threads:
        thread.start()
    time.sleep(fault_at)
    started = time.time()
    fault()
    window = Fault(started, time.time())
    for thread in threads:
        thread.join()
    deadline_perf = time.perf_counter()
    connection.close()  # this process's connection may have been cut by the fault
    return window, {"log": log, "deadline_perf": deadline_perf}


def check(stack: Stack, window: Fault, run: dict, *, allow_errors_for: float | None) -> dict:
    """Assert the checker's invariants and the recovery bound; return its facts."""
    windows = () if allow_errors_for is None else ((window.started, window.ended + allow_errors_for),)
    violations, facts = load.check_run(
        run["log"],
        stack.cfg["account"],
        run["deadline_perf"],
        s3_endpoint=os.environ["AWS_ENDPOINT_URL_S3"],
        fault_windows=windows,
        outbox_wait_seconds=RECOVERY_SECONDS + 15,
    )
    assert violations == [], violations
    accepted = sum(1 for c in run["log"].claims if c.outcome == "submitted")
    assert accepted > 20 and facts["loop_states"].get("Completed", 0) > 5, facts  # the load really ran
    late, slowest = late_outputs(window.ended)
    assert late == []
    facts["slowest_output_seconds"] = slowest
    print(f"\n{len(run['log'].claims)} claims, fault {window.ended - window.started:.1f} s, facts {facts}")
    return facts


def late_outputs(fault_ended: float) -> tuple[list[str], float]:
    """Outputs written more than RECOVERY_SECONDS after the later of their last answer and the fault's end.

    Also returns the longest such wait of any output (the measured recovery time).
    """
    import datetime as dt

    end = dt.datetime.fromtimestamp(fault_ended, dt.UTC)
    late, slowest = [], 0.0
    rows = OutputOutbox.objects.filter(human_loop__flow_definition__name=load.FLOW).annotate(name=F("human_loop__name"))
    for row in rows.values("name", "created_at", "done_at", "attempts"):
        if row["done_at"] is None:
            late.append(f"{row['name']}: never written")
            continue
        waited = (row["done_at"] - max(row["created_at"], end)).total_seconds()
        slowest = max(slowest, waited)
        if waited > RECOVERY_SECONDS:
            late.append(f"{row['name']}: written {waited:.0f} s after answer/fault end ({row['attempts']} attempts)")
    return late, round(slowest, 1)


def test_postgresql_restarted_under_load_recovers_without_a_restart_and_loses_nothing(stack):
    def restart_postgres() -> None:
        services("stop", "pg")
        time.sleep(2)
        services("start", "pg")

    window, run = run_with_fault(stack, seconds=30, fault_at=8, fault=restart_postgres)
    # 5xx only while the server was down and just after (connections being re-made); none later.
    facts = check(stack, window, run, allow_errors_for=3)
    assert facts["server_errors_in_fault_windows"] > 0  # the fault really hit live requests


def test_a_gunicorn_worker_killed_mid_request_loses_nothing(stack):
    def kill_a_web_worker() -> None:
        victim = stack.web.worker_pids()[0]
        os.kill(victim, signal.SIGKILL)
        wait_until(lambda: victim not in stack.web.worker_pids(), 10, "the web worker to be gone")
        wait_until(lambda: len(stack.web.worker_pids()) == WEB_WORKERS, 30, "gunicorn to replace the worker")

    window, run = run_with_fault(stack, seconds=20, fault_at=6, fault=kill_a_web_worker)
    # Only the requests the killed worker held can fail (as transport errors).
    check(stack, window, run, allow_errors_for=1)


@contextmanager
def supervised_worker(celery: Celery) -> Iterator[list[float]]:
    """Restart the Celery worker whenever it exits, as docker-compose.yml's `restart: unless-stopped` does.

    Celery 5.7's worker can exit ("Unrecoverable error") when Redis goes away while it acknowledges a
    message; docs/operations.md says to run it under a supervisor. Yields the times it was restarted.
    """
    restarts: list[float] = []
    stop = threading.Event()

    def watch() -> None:
        while not stop.wait(0.5):
            pidfile = SERVICES_DIR / "worker.pid"
            if pidfile.exists() and _alive(int(pidfile.read_text())):
                continue
            restarts.append(time.time())
            try:
                celery.start_worker()
            except Exception:  # noqa: BLE001 (try again on the next round, as a supervisor would)
                continue

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        yield restarts
    finally:
        stop.set()
        watcher.join()


def test_redis_down_for_30_seconds_api_calls_succeed_and_outputs_arrive_within_30_seconds_after(stack):
    def redis_down_30_seconds() -> None:
        stack.celery.stop_redis()
        time.sleep(30)
        stack.celery.start_redis()

    with supervised_worker(stack.celery):
        window, run = run_with_fault(stack, seconds=45, fault_at=5, fault=redis_down_30_seconds)
        check(stack, window, run, allow_errors_for=None)  # no 5xx at all: the database is the queue
    assert run["log"].statuses[("submit", 200)] > 0


def _worker_answers_ping() -> bool:
    from hitl.celery import app

    return bool(app.control.ping(timeout=0.5))


def test_answers_given_while_redis_is_down_are_written_within_seconds_of_its_return(live):
    """The worker tries the broker every second and sends the outbox sweep as soon as it is connected.

    With Celery's own back-off (tries 2, 6, 12 s after the loss) the worker found Redis, back from
    7 s, only at 12 s, and the sweep waited for its next 5 s tick: 6-11 s after Redis was back.
    """
    t = scenario.team(reviewers=1, task_count=1)
    wait_until(_worker_answers_ping, 30, "the worker to be consuming")  # not still starting
    with supervised_worker(live) as restarts:
        live.stop_redis()
        down = time.monotonic()
        try:
            names = [f"while-down-{i}" for i in range(3)]
            for name in names:
                scenario.start(t, name)
            # Each enqueue fails (the answers commit): their outbox rows are due at once.
            assert scenario.answer_everything(t) == 3
            time.sleep(max(0.0, 7 - (time.monotonic() - down)))
        finally:
            live.start_redis()
        back = time.monotonic()
        scenario.wait_for_status(names, "Completed", timeout=30)
        waited = time.monotonic() - back
    print(f"\nwritten {waited:.1f} s after Redis was back (worker restarted {len(restarts)} times)")
    # A try a second, Celery's mingle step (1 s), the sweep, then the writes.
    assert waited < 4.5
    scenario.assert_written_once(names)


def test_a_celery_worker_killed_mid_run_is_replaced_and_its_messages_come_back_promptly(stack):
    moto_pid = int((SERVICES_DIR / "s3.pid").read_text())

    def kill_the_worker_mid_write() -> None:
        os.kill(moto_pid, signal.SIGSTOP)  # outputs in flight stay in put_object: the worker is mid-run
        try:
            time.sleep(2)
            stack.celery.kill_worker()
        finally:
            os.kill(moto_pid, signal.SIGCONT)
        stack.celery.start_worker()  # as a supervisor (systemd, compose) restarts it

    window, run = run_with_fault(stack, seconds=25, fault_at=6, fault=kill_the_worker_mid_write)
    check(stack, window, run, allow_errors_for=None)
