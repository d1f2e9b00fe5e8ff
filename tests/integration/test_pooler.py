"""One pass through PgBouncer in transaction mode, as a Kubernetes deployment runs (deploy/kubernetes/).

Debian's PgBouncer (1.18 on bookworm) cannot keep protocol-level prepared statements across
transactions: the next transaction of a client may run on another server session, where its
statement is missing or where another client already prepared one under the same name. The
backend (hitl.kernel.db.postgresql) finds the pooler on each new connection and turns the hot-path
preparation and Django's server-side cursors off. These tests run with fewer server
connections than clients, so sessions are shared as they are under load.
"""

from __future__ import annotations

import copy
import json
import os
import socket
import subprocess
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from django.db import connection
from django.db.backends.postgresql.base import ServerBindingCursor

from bench.clients import ReviewerApi, boto3_runtime
from flows.models import HumanLoop
from hitl.kernel.db.postgresql.base import DatabaseWrapper
from tests import factories as f
from tests.integration import scenario
from tests.integration.conftest import ROOT, SERVICES_DIR, services, wait_until
from tests.protocol.conftest import create_key_with_command

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

POOL_SIZE = 2  # server connections per database: fewer than the clients below
VENV_BIN = ROOT / ".venv" / "bin"


@pytest.fixture(scope="module")
def pgbouncer(django_db_setup):
    # A free port of the kernel's choosing, not a fixed one: a fixed port in the ephemeral range can be
    # held, by chance, by any client socket of the run (seen once in CI).
    port = int(os.environ.get("HITL_PGBOUNCER_PORT") or _free_port())
    env = dict(os.environ, HITL_PGBOUNCER_PORT=str(port), HITL_PGBOUNCER_POOL_SIZE=str(POOL_SIZE))
    services("stop", "pgbouncer", env=env)  # one left by an aborted run may have another pool size
    started = subprocess.run(
        [str(ROOT / "scripts" / "services.sh"), "start", "pgbouncer"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if started.returncode != 0:
        pytest.fail(f"pgbouncer did not start on port {port}:\n{started.stdout}{started.stderr}", pytrace=False)
    yield port
    # Closes its server connections, so the test database can be dropped at the end of the session.
    services("stop", "pgbouncer", env=env)


def _wrapper(port: int, alias: str) -> DatabaseWrapper:
    settings_dict = copy.deepcopy(connection.settings_dict)
    settings_dict["PORT"] = str(port)
    return DatabaseWrapper(settings_dict, alias=alias)


def _pooled_url(port: int) -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@127.0.0.1:{port}/{db['NAME']}"


def test_statements_prepared_through_a_transaction_pooler_never_collide_or_go_missing(pgbouncer):
    # More clients than server sessions: each prepares "its" first statement under psycopg's first name.
    clients = [_wrapper(pgbouncer, f"pooled-{n}") for n in range(POOL_SIZE + 3)]
    try:
        for client in clients:
            client.ensure_connection()
            assert client.behind_pooler
            assert client.settings_dict["DISABLE_SERVER_SIDE_CURSORS"] is True
        for _round in range(3):
            for client in clients:
                # As flows.loops.hot_sql runs its statements: server-side binding, prepare=True.
                with ServerBindingCursor(client.connection) as cursor:
                    cursor.execute("SELECT count(*) FROM flows_reviewtask WHERE state = %s", ["open"], prepare=True)
                    assert cursor.fetchone() == (0,)
    finally:
        for client in clients:
            client.close()


def test_a_direct_connection_keeps_prepared_statements_and_server_side_cursors():
    direct = _wrapper(int(connection.settings_dict["PORT"]), "direct")
    try:
        direct.ensure_connection()
        assert direct.behind_pooler is False
        assert direct.connection.prepare_threshold == 5
        assert not direct.settings_dict.get("DISABLE_SERVER_SIDE_CURSORS")
    finally:
        direct.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start_web(env: dict[str, str], port: int, log: Path) -> subprocess.Popen:
    process = subprocess.Popen(
        [str(VENV_BIN / "gunicorn"), "hitl.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
        cwd=ROOT,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )

    def answers() -> bool:
        assert process.poll() is None, f"gunicorn exited, see {log}"
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return True
        except OSError:
            return False

    wait_until(answers, 60, f"gunicorn on port {port}")
    return process


def test_two_web_instances_two_workers_and_two_beats_behind_pgbouncer_complete_every_loop_once(live, pgbouncer):
    t = scenario.team(reviewers=2, task_count=2)
    key_id, secret = create_key_with_command("pooled-api", t.account.name)
    tokens = [f.worker_token(member) for member in t.reviewers]
    # The session's short outbox grace: the sweeps of both beats re-send overdue outputs while they run.
    env = dict(live.env, DATABASE_URL=_pooled_url(pgbouncer))
    logs = [SERVICES_DIR / f"pooled-web-{n}.log" for n in range(2)]
    for log in logs:
        log.unlink(missing_ok=True)
    ports = [_free_port(), _free_port()]
    webs: list[subprocess.Popen] = []
    live.stop_worker()  # the session's worker talks to PostgreSQL directly: only pooled workers write here
    workers = ["pooled-worker-a", "pooled-worker-b"]
    try:
        for name in workers:
            services("start", "worker", env=dict(env, HITL_WORKER_NAME=name))
        # A second beat beside the session's, as during a botched rollout: harmless, not refused.
        services("start", "beat", env=dict(env, HITL_BEAT_NAME="pooled-beat"))
        webs = [_start_web(env, port, log) for port, log in zip(ports, logs, strict=True)]
        statuses: Counter = Counter()
        lock = threading.Lock()

        def record(kind: str, status: int) -> None:
            with lock:
                statuses[(kind, status)] += 1

        names = [f"pooled-{n}" for n in range(24)]

        def start_loops(part: list[str], port: int) -> None:
            runtime = boto3_runtime(f"http://127.0.0.1:{port}", key_id, secret)
            for name in part:
                reply = runtime.start_human_loop(
                    HumanLoopName=name,
                    FlowDefinitionArn=f.flow_arn(t.flow),
                    HumanLoopInput={"InputContent": json.dumps({"taskObject": name})},
                )
                record("start", reply["ResponseMetadata"]["HTTPStatusCode"])

        def review(token: str, first: int) -> None:
            apis = [ReviewerApi("127.0.0.1", port, token) for port in ports]
            idle_since = None
            turn = first
            while True:
                api = apis[turn % 2]  # alternate instances, as a load balancer would
                turn += 1
                reply = api.next()
                record("next", reply.status)
                if reply.status == 200:
                    idle_since = None
                    task = reply.json()
                    submitted = api.submit(task["taskId"], {"sentiment": {"label": task["humanLoopName"]}})
                    record("submit", submitted.status)
                elif reply.status == 204:
                    idle_since = idle_since or time.monotonic()
                    if time.monotonic() - idle_since > 3:
                        return
                    time.sleep(0.1)
                else:
                    return

        starters = [
            threading.Thread(target=start_loops, args=(names[n::4], ports[n % 2]), daemon=True) for n in range(4)
        ]
        reviewers = [threading.Thread(target=review, args=(token, n), daemon=True) for n, token in enumerate(tokens)]
        for thread in starters + reviewers:
            thread.start()
        for thread in starters + reviewers:
            thread.join(timeout=90)

        assert not [k for k, n in statuses.items() if k[1] >= 500], statuses
        assert statuses[("start", 200)] == len(names)
        assert statuses[("submit", 200)] == len(names) * 2
        scenario.wait_for_status(names, "Completed", timeout=60)
        scenario.assert_written_once(names)
        for log in logs:
            text = log.read_text()
            assert "Traceback" not in text and '"level": "ERROR"' not in text, text[-3000:]
        assert HumanLoop.objects.filter(name__in=names).count() == len(names)
    finally:
        for web in webs:
            web.terminate()
        for web in webs:
            web.wait(timeout=30)
        services("stop", "beat", env=dict(env, HITL_BEAT_NAME="pooled-beat"))
        for name in workers:
            services("stop", "worker", env=dict(env, HITL_WORKER_NAME=name))
        live.start_worker()
