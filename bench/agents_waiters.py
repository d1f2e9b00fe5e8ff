"""Waiting agents: 1,000 concurrent long-poll waiters, and what they cost the reviewers' endpoints.

    python -m bench.agents_waiters [--waiters 1000] [--answers 150]

Brings up the bench stack (bench/stack.py: PostgreSQL, Redis, the S3 test server, one
Celery worker, gunicorn with 2 sync workers) on its own ports plus the ASGI events
process (uvicorn agents.asgi:application), a webhook receiver in this process, then:

  A. no waiters: one reviewer claims and answers `answers` tool-call reviews
     (reviewer API next-task + submit), timing each call;
  B. `waiters` loops, each with a long-poll waiter (GET /hitl/v1/human-loops/{name}/wait,
     SigV4-signed, WaitSeconds=60, with the HitlWaitToken of its first call, asyncio with one
     keep-alive connection per waiter, in a process of its own) open at once; once the
     events process reports them all held (/metrics hitl_events_waiting_loops), the
     same reviewer answers `answers` of them. Timed: next-task and submit, submit sent
     -> that loop's waiter returned with the decision, and submit sent -> webhook received.

Prints a Markdown report and writes it to bench/results/agents-<time>.md.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import multiprocessing
import os
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import quote

from bench.clients import ReviewerApi, percentile
from bench.stack import ROOT, VENV, Stack

EVENTS_PORT = int(os.environ.get("HITL_BENCH_EVENTS_PORT", "28701"))
# Ports of this bench's own stack (bench/stack.py reads HITL_BENCH_*), away from the main bench's.
PORTS = {"WEB": "28700", "PG": "25700", "REDIS": "26700", "S3": "25701", "PGBOUNCER": "25702"}
REQUEST = {
    "action_requests": [{"name": "refund", "args": {"order": "A-17", "amount": 30}, "description": "Refund A-17"}],
    "review_configs": [{"action_name": "refund", "allowed_decisions": ["approve", "reject"]}],
}
APPROVE = {"decisions": [{"type": "approve"}]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--waiters", type=int, default=1000)
    parser.add_argument("--answers", type=int, default=100)
    # A person answers every few seconds; the pace keeps the one Celery worker (output.json, then the
    # webhook) from building a backlog that the webhook numbers would then measure instead.
    parser.add_argument("--pace", type=float, default=0.5, help="seconds between one submit and the next claim")
    # A control for phase B: its loops without their waiters (tells the waiters' cost from the queue's size).
    parser.add_argument("--no-waiters-in-b", action="store_true", help="phase B: the same loops, no waiters")
    # The 1,000 agents would run on other machines; here their client process shares the 2 cores with the
    # server. Niced, it yields them to the server: tells the clients' CPU from the server's cost of waiting.
    parser.add_argument("--nice-waiters", type=int, default=0, help="nice increment of the waiters' process")
    # Where a slow call spends its time, server side (bench/request_timing.py): gunicorn logs each request.
    parser.add_argument("--request-log", action="store_true", help="log each request's DB / CPU / other time")
    # The bad case of the claim's plan, every run: phase B starts with the statistics of phase A's end
    # (no task open) and keeps them (no autovacuum ANALYZE of the tasks), as a burst before the next ANALYZE.
    parser.add_argument("--stale-stats", action="store_true", help="phase B on statistics with no open task")
    args = parser.parse_args(argv)
    request_log = ROOT / "var" / "bench-agents-services" / "requests.jsonl"
    if args.request_log:
        request_log.unlink(missing_ok=True)
        os.environ["GUNICORN_CMD_ARGS"] = "-c python:bench.request_timing"
        os.environ["HITL_BENCH_REQUEST_LOG"] = str(request_log)
    for name, port in PORTS.items():
        os.environ.setdefault(f"HITL_BENCH_{name}_PORT", port)
    stack = Stack(database="hitl_agents_bench", web_workers=2, services_dir=ROOT / "var" / "bench-agents-services")
    stack.services_dir.mkdir(parents=True, exist_ok=True)
    receiver = WebhookReceiver()
    events = None
    try:
        stack.start()
        os.environ.update(stack.env)
        setup = _setup(receiver.url)
        events = _start_events(stack)
        web = ("127.0.0.1", stack.web_port)
        report: dict[str, Any] = {"load_before": os.getloadavg(), "waiters": args.waiters, "answers": args.answers}
        report["pace_s"] = args.pace
        report["nice_waiters"] = args.nice_waiters
        common = {"answers": args.answers, "pace": args.pace, "events_pid": events.pid, "nice": args.nice_waiters}
        # Untimed: the first output writes and deliveries of a cold worker would count against phase A only.
        _phase(setup, web, receiver, prefix="warm", loops=5, answers=5, waiters=0, pace=0.2)
        report["without"] = _phase(setup, web, receiver, prefix="a", loops=args.answers, waiters=0, **common)
        waiters = 0 if args.no_waiters_in_b else args.waiters
        report["stale_stats"] = args.stale_stats
        if args.stale_stats:
            _freeze_statistics()
        report["with"] = _phase(setup, web, receiver, prefix="b", loops=args.waiters, waiters=waiters, **common)
        report["load_after"] = os.getloadavg()
        report["registration_round_s"] = getattr(_phase, "registration_round_s", None)
        report["long_polls_registered_s"] = getattr(_phase, "long_polls_registered_s", None)
        if args.request_log:
            report["server_side_ms"] = {k: _server_side(request_log, report[k]) for k in ("without", "with")}
        text = _markdown(report)
        print(text)
        out = ROOT / "bench" / "results" / f"agents-{dt.datetime.now():%Y%m%d-%H%M%S}.md"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text)
        print(f"written to {out}")
    finally:
        receiver.close()
        try:
            if events is not None:
                events.terminate()  # graceful: it waits for the open long polls, so not for long
                try:
                    events.wait(15)
                except subprocess.TimeoutExpired:
                    events.kill()
        finally:
            stack.stop()
    return 0


def _setup(webhook_url: str) -> dict[str, Any]:
    import django

    django.setup()
    import io

    from django.core.management import call_command

    from flows.models import FlowDefinition, HumanTaskUi, TaskTemplate, WebhookEndpoint
    from hitl.kernel import arns
    from hitl_agents import tool_review_template
    from workforce.models import Account, Workforce, Workteam, WorkteamMembership

    out = io.StringIO()
    call_command("create_access_key", "agents-bench", "--create-user", "--account", "agents-bench", stdout=out)
    pairs = dict(line.split(" = ", 1) for line in out.getvalue().splitlines())
    account = Account.objects.get(name="agents-bench")
    workforce, _ = Workforce.objects.get_or_create(account=account, name="default")
    team, _ = Workteam.objects.get_or_create(
        account=account, name="agents-bench-team", defaults={"workforce": workforce, "description": "reviewers"}
    )
    template = TaskTemplate.for_content(tool_review_template())
    ui, _ = HumanTaskUi.objects.get_or_create(account=account, name="tool-call-review", defaults={"template": template})
    FlowDefinition.objects.get_or_create(
        account=account,
        name="agent-actions",
        deleted_at=None,
        defaults={
            "workteam": team,
            "human_task_ui": ui,
            "human_task_ui_arn": arns.build("human-task-ui", account.aws_account_id, ui.name),
            "template": template,
            "task_title": "Approve",
            "task_description": "Approve the agent's call",
            "task_count": 1,
            "s3_output_path": "s3://a2i-results/agents",
            "role_arn": f"arn:aws:iam::{account.aws_account_id}:role/A2I",
        },
    )
    WebhookEndpoint.objects.get_or_create(account=account, url=webhook_url, defaults={"secret": "bench"})
    out = io.StringIO()
    call_command("create_worker_token", "agents-reviewer", "--create-user", stdout=out)
    from django.contrib.auth import get_user_model

    WorkteamMembership.objects.get_or_create(
        workteam=team, user=get_user_model().objects.get(username="agents-reviewer")
    )
    return {
        "key": pairs["aws_access_key_id"],
        "secret": pairs["aws_secret_access_key"],
        "flow_arn": arns.build("flow-definition", account.aws_account_id, "agent-actions"),
        "token": out.getvalue().strip().splitlines()[-1].strip(),
    }


def _start_events(stack: Stack) -> subprocess.Popen:
    log = open(stack.services_dir / "events.log", "ab")  # noqa: SIM115 (kept open for the child)
    command = [str(VENV / "uvicorn"), "agents.asgi:application", "--host", "127.0.0.1", "--port", str(EVENTS_PORT)]
    events = subprocess.Popen(command + ["--no-access-log", "--log-level", "warning"], cwd=ROOT, env=stack.env,
                              stdout=log, stderr=log)  # fmt: skip
    deadline = time.time() + 240  # importing Django and the MCP SDK takes long on a loaded machine
    import httpx

    while time.time() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{EVENTS_PORT}/healthz", timeout=2)
            return events
        except httpx.HTTPError:
            time.sleep(0.3)
    events.kill()  # not answering: do not leave it behind
    raise RuntimeError("the events process did not start")


def _await_waiting(count: int, limit: float = 300) -> float:
    """Seconds until the events process reports `count` loops with a waiter (its /metrics gauge)."""
    import httpx

    started = time.perf_counter()
    while time.perf_counter() - started < limit:
        try:
            text = httpx.get(f"http://127.0.0.1:{EVENTS_PORT}/metrics", timeout=30).text
        except httpx.HTTPError:
            continue
        line = next((x for x in text.splitlines() if x.startswith("hitl_events_waiting_loops ")), "x 0")
        print(f"waiters held: {line.split()[1]}", file=sys.stderr)
        if float(line.split()[1]) >= count:
            return time.perf_counter() - started
        time.sleep(0.5)
    raise RuntimeError(f"the events process did not report {count} waiters within {limit} s")


def _start_loops(setup: dict, prefix: str, count: int) -> list[str]:
    from hitl_agents import HitlReviews

    reviews = HitlReviews(
        setup["flow_arn"],
        endpoint_url=os.environ["HITL_PUBLIC_URL"],
        aws_access_key_id=setup["key"],
        aws_secret_access_key=setup["secret"],
    )
    return [reviews.start(f"{prefix}-{time.time_ns()}-{i}", REQUEST) for i in range(count)]


def _phase(setup: dict, web: tuple, receiver: WebhookReceiver, *, prefix: str, loops: int, answers: int,
           waiters: int, pace: float, events_pid: int | None = None, nice: int = 0) -> dict[str, Any]:  # fmt: skip
    names = _start_loops(setup, prefix, loops)
    returned: dict[str, float] = {}  # loop name -> time.time() its waiter returned with the decision
    timings: dict[str, dict[str, float]] = {}  # each woken waiter's Server-Timing (events process stages)
    gaps: dict[str, list[float]] = {}  # each re-poll's client / transit / server seconds
    waiting = None
    if waiters:
        # The waiters run in a process of their own: in this one they would share the GIL with the
        # reviewer's timed calls and the webhook receiver, and the bench would measure itself.
        context = multiprocessing.get_context("spawn")
        control, child = context.Pipe()
        waiting = context.Process(target=_waiter_process, args=(setup, names, child, nice), daemon=True)
        waiting.start()
        if not control.poll(300):
            raise RuntimeError("the waiters' first calls did not return within 300 s")
        # Each waiter's first call (WaitSeconds=0) has returned; answer once the events process holds
        # every long poll (its /metrics gauge), so the run measures 1,000 waiters, not their arrival.
        _phase.registration_round_s = round(control.recv(), 1)
        _phase.long_polls_registered_s = round(_await_waiting(waiters), 1)
    reviewer = ReviewerApi(*web, setup["token"])
    next_times, submit_times, sent, sent_wall, next_calls = [], [], {}, {}, []
    cpu_pids = {"events process": events_pid, "waiters' client process": waiting.pid if waiting else None}
    tables_before = _table_stats()
    cpu_before, machine_before, answering_from = _cpu(cpu_pids), _machine_busy(), time.perf_counter()
    for _ in range(answers):
        t, t_wall = time.perf_counter(), time.time()
        reply = reviewer.next()
        next_times.append(time.perf_counter() - t)
        next_calls.append((t_wall, next_times[-1]))
        assert reply.status == 200, reply.status
        task = reply.json()
        sent[task["humanLoopName"]] = time.perf_counter()
        sent_wall[task["humanLoopName"]] = time.time()
        reply = reviewer.submit(task["taskId"], APPROVE)
        submit_times.append(time.perf_counter() - sent[task["humanLoopName"]])
        assert reply.status == 200, reply.status
        time.sleep(pace)
    answering_s = time.perf_counter() - answering_from
    cpu_after, machine_after = _cpu(cpu_pids), _machine_busy()
    deadline = time.perf_counter() + 60
    while time.perf_counter() < deadline and any(n not in receiver.received for n in sent):
        time.sleep(0.05)
    if waiting is not None:
        control.send(list(sent))  # the waiters to see through (up to 60 s), then report
        if control.poll(120):
            returned, timings, gaps = control.recv()
        waiting.join(30)
        if waiting.is_alive():
            waiting.kill()
    result = {
        "next_ms": _stats(next_times),
        "submit_ms": _stats(submit_times),
        "webhook_ms": _stats([receiver.received[n] - t for n, t in sent.items() if n in receiver.received]),
        "webhooks_missing": sum(1 for n in sent if n not in receiver.received),
        "next_calls": next_calls,  # (sent at, seconds) of each next task, for the server-side split
        "tables": {"before": tables_before, "after": _table_stats()},
    }
    result["webhook_stages_ms"] = _webhook_stages(sent_wall, receiver)
    # Cores used while the reviewer answered (of 2): the machine's, and the two waiting processes' share.
    result["cores_busy_answering"] = {
        "machine": round((machine_after - machine_before) / answering_s, 2),
        **{k: round((cpu_after[k] - cpu_before[k]) / answering_s, 2) for k in cpu_before},
    }
    if waiters:
        result["waiter_ms"] = _stats([returned[n] - t for n, t in sent_wall.items() if n in returned])
        result["waiters_missing"] = sum(1 for n in sent if n not in returned)
        result["waiter_stages_ms"] = {
            "submit sent -> decision stored": _stats(_stored_after(sent_wall)),
            **{
                stage: _stats([t[stage] / 1000 for n, t in timings.items() if n in sent and stage in t])
                for stage in ("hitl-notice", "hitl-answer")
            },
        }
        result["repoll_ms"] = {part: _stats(values) for part, values in gaps.items()}
    else:  # phase A, or B as its control (--no-waiters-in-b)
        result.update(waiter_ms=_stats([]), waiters_missing=0, waiter_stages_ms={}, repoll_ms={})
    return result


def _server_side(log: Any, phase: dict[str, Any]) -> dict[str, Any]:
    """The next-task calls of a phase split server side (bench/request_timing.py's log), p50 / p95 ms.

    Each client call is matched with the request the server began within it; "outside" is the
    client's time the worker did not see (connect, accept, send and read).
    """
    entries = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    entries = [e for e in entries if e["path"].endswith("/tasks/next")]
    parts: dict[str, list[float]] = {k: [] for k in ("client", "wall", "db", "cpu", "other", "gc", "outside")}
    slowest = []
    for sent, seconds in phase["next_calls"]:
        match = next((e for e in entries if sent <= e["at"] <= sent + seconds), None)
        if match is None:
            continue
        ms = seconds * 1000
        other = match["wall_ms"] - match["db_ms"] - match["cpu_ms"]
        values = (ms, match["wall_ms"], match["db_ms"], match["cpu_ms"], other, match["gc_ms"], ms - match["wall_ms"])
        for key, value in zip(parts, values, strict=True):
            parts[key].append(value / 1000)
        slowest.append((round(ms, 1), match))
    slowest.sort(key=lambda x: -x[0])
    return {"split": {k: _stats(v) for k, v in parts.items()}, "slowest": slowest[:5]}


def _freeze_statistics() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for table in ("flows_reviewtask", "flows_humanloop", "flows_taskexclusion"):
            cursor.execute(f"ALTER TABLE {table} SET (autovacuum_enabled = false)")
            cursor.execute(f"ANALYZE {table}")


def _table_stats() -> dict[str, list]:
    """Autovacuum and ANALYZE of the tables the reviewer's calls read (a plan may change with them)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, n_live_tup, n_dead_tup, n_mod_since_analyze, last_autoanalyze::text,"
            " last_autovacuum::text, autoanalyze_count, autovacuum_count FROM pg_stat_user_tables"
            " WHERE relname IN ('flows_reviewtask', 'flows_humanloop', 'flows_outputoutbox', 'flows_taskexclusion',"
            " 'flows_statusevent', 'workforce_auditrecord') ORDER BY relname"
        )
        return {row[0]: list(row[1:]) for row in cursor.fetchall()}


def _server_side_lines(split: dict[str, Any] | None) -> list[str]:
    if not split:
        return []
    a, b = split["without"]["split"], split["with"]["split"]
    return [
        "Next task server side (p50 / p95 ms; bench/request_timing.py): without → with waiters",
        "",
        "| part | without | with |",
        "|---|---|---|",
        *[f"| {k} | {a[k]['p50']} / {a[k]['p95']} | {b[k]['p50']} / {b[k]['p95']} |" for k in a],
        "",
    ]


def _stored_after(sent_wall: dict[str, float]) -> list[float]:
    """Seconds from each submit being sent to its decision's outbox row being written."""
    from flows.models import OutputOutbox

    rows = OutputOutbox.objects.filter(human_loop__name__in=list(sent_wall)).values_list(
        "human_loop__name", "created_at"
    )
    return [created.timestamp() - sent_wall[name] for name, created in rows]


def _webhook_stages(sent_wall: dict[str, float], receiver: WebhookReceiver) -> dict[str, Any]:
    """Where a webhook's time goes, per loop, from the rows the path writes (one host: one wall clock)."""
    from django.db.models import Min

    from flows.models import OutputOutbox, OutputWriteAttempt, StatusEvent

    outbox = dict(
        (name, (created.timestamp(), done.timestamp() if done else None))
        for name, created, done in OutputOutbox.objects.filter(human_loop__name__in=list(sent_wall)).values_list(
            "human_loop__name", "created_at", "done_at"
        )
    )
    task_started = dict(
        OutputWriteAttempt.objects.filter(outbox__human_loop__name__in=list(sent_wall))
        .values_list("outbox__human_loop__name")
        .annotate(first=Min("attempted_at"))
    )
    events = dict(
        StatusEvent.objects.filter(human_loop__name__in=list(sent_wall)).values_list("human_loop__name", "created_at")
    )
    # The receiver's clock is this process's; delivered_at is written after the POST returns, so it is not a stage.
    keys = (
        "sent->decision stored",
        "stored->output task started",
        "task started->output.json written",
        "written->status event",
        "event->received",
    )
    stages: dict[str, list[float]] = {k: [] for k in keys}
    for name, sent in sent_wall.items():
        stored, written = outbox.get(name, (None, None))
        event_at = events[name].timestamp() if name in events else None
        started = task_started[name].timestamp() if name in task_started else None
        points = [sent, stored, started, written, event_at, receiver.received_wall.get(name)]
        for key, a, b in zip(keys, points, points[1:], strict=False):
            if a is not None and b is not None:
                stages[key].append(b - a)
    return {key: _stats(values) for key, values in stages.items()}


def _waiter_process(setup: dict, names: list[str], control: Any, nice: int = 0) -> None:
    if nice:
        os.nice(nice)
    asyncio.run(_wait_all(setup, names, control))


def _cpu(pids: dict[str, int | None]) -> dict[str, float]:
    """CPU seconds (user + system) each live process has used so far, from /proc."""
    ticks, seconds = os.sysconf("SC_CLK_TCK"), {}
    for label, pid in pids.items():
        if pid is None:
            continue
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        seconds[label] = (int(fields[11]) + int(fields[12])) / ticks
    return seconds


def _machine_busy() -> float:
    """CPU seconds all cores have spent not idle so far, from /proc/stat."""
    with open("/proc/stat") as stat:
        values = [int(v) for v in stat.readline().split()[1:]]
    return (sum(values) - values[3] - values[4]) / os.sysconf("SC_CLK_TCK")


class _Connection:
    """One waiter's keep-alive HTTP/1.1 connection to the events process.

    Not httpx: its pool of a thousand connections is scanned on every request event
    and cost the client process seconds per round (a first round of 1,000 waits took
    35 s through it, 19 s like this); an agent holds one connection, as here.
    """

    def __init__(self) -> None:
        self.streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def get(self, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        for attempt in (1, 2):
            if self.streams is None:
                self.streams = await asyncio.open_connection("127.0.0.1", EVENTS_PORT)
            reader, writer = self.streams
            try:
                lines = [
                    f"GET {path} HTTP/1.1",
                    f"Host: 127.0.0.1:{EVENTS_PORT}",
                    *(f"{k}: {v}" for k, v in headers.items()),
                ]
                writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
                head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
                fields = dict(
                    (k.strip().lower(), v.strip()) for k, _, v in (line.partition(":") for line in head[1:] if line)
                )
                body = await reader.readexactly(int(fields.get("content-length", "0")))
                return int(head[0].split()[1]), fields, body
            except (OSError, asyncio.IncompleteReadError):
                writer.close()
                self.streams = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")


def _timing(header: str) -> dict[str, float]:
    """Server-Timing's entries: dur in ms, or (hitl-arrived) desc in epoch seconds."""
    entries = {}
    for part in header.split(","):
        name, *params = (p.strip() for p in part.split(";"))
        for param in params:
            key, _, value = param.partition("=")
            if key in ("dur", "desc") and value:
                entries[name] = float(value.strip('"'))
    return entries


async def _wait_all(setup: dict, names: list[str], control: Any) -> None:
    """Long-poll every loop; send the first round's seconds, then, once told which, the waiters' results.

    Besides each decided waiter's return time and Server-Timing, every re-poll records
    where its gap went: client (answer received -> re-poll sent), transit (sent ->
    arrived at the events process, from `hitl-arrived`; one host, one clock) and server
    (`hitl-admit`: arrived -> held again).
    """
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    signer = SigV4Auth(Credentials(setup["key"], setup["secret"]), "sagemaker", "us-east-1")
    base = f"http://127.0.0.1:{EVENTS_PORT}"

    async def call(connection: _Connection, path: str) -> tuple[int, dict[str, str], bytes, float]:
        request = AWSRequest(method="GET", url=base + path)
        signer.add_auth(request)
        sent = time.time()
        status, headers, body = await connection.get(path, dict(request.headers.items()))
        return status, headers, body, sent

    connections = {name: _Connection() for name in names}
    tokens: dict[str, str] = {}

    async def first(name: str) -> None:
        status, _, body, _ = await call(connections[name], f"/hitl/v1/human-loops/{name}/wait?WaitSeconds=0")
        assert status == 200, body
        tokens[name] = json.loads(body)["HitlWaitToken"]

    started = time.perf_counter()
    await asyncio.gather(*(first(name) for name in names))
    control.send(time.perf_counter() - started)
    returned: dict[str, float] = {}
    timings: dict[str, dict[str, float]] = {}
    gaps: dict[str, list[float]] = {"client": [], "transit": [], "server": []}  # seconds, per re-poll

    async def wait(name: str) -> None:
        path = f"/hitl/v1/human-loops/{name}/wait?WaitSeconds=60"
        token, answered = tokens[name], None
        while True:
            try:
                status, headers, body, sent = await call(
                    connections[name], path + (f"&WaitToken={quote(token, safe='')}" if token else "")
                )
            except (OSError, asyncio.IncompleteReadError):
                await asyncio.sleep(0.5)
                continue
            received, output = time.time(), json.loads(body)
            timing = _timing(headers.get("server-timing", ""))
            if answered is not None and "hitl-arrived" in timing:
                gaps["client"].append(sent - answered)
                gaps["transit"].append(timing["hitl-arrived"] - sent)
                gaps["server"].append(timing.get("hitl-admit", 0) / 1000)
            if status == 200 and output["HitlDecided"]:
                returned[name], timings[name] = received, timing
                assert output["HitlDecision"] == APPROVE
                return
            if status != 200:
                await asyncio.sleep(0.5)  # an error answer: do not spin
            # Undecided after WaitSeconds: wait again with the new token (as hitl_agents does).
            token, answered = (output.get("HitlWaitToken") if status == 200 else None), received

    tasks = [asyncio.ensure_future(wait(name)) for name in names]
    answered = await asyncio.to_thread(control.recv)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and any(n not in returned for n in answered):
        await asyncio.sleep(0.1)
    control.send((returned, timings, gaps))
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


class WebhookReceiver:
    """Records when each loop's status event arrived (by humanLoopName)."""

    def __init__(self) -> None:
        self.received: dict[str, float] = {}
        self.received_wall: dict[str, float] = {}
        received, received_wall = self.received, self.received_wall

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                received.setdefault(body["detail"]["humanLoopName"], time.perf_counter())
                received_wall.setdefault(body["detail"]["humanLoopName"], time.time())
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()


def _stats(seconds: list[float]) -> dict[str, float | int | None]:
    ms = [s * 1000 for s in seconds]
    return {
        "n": len(ms),
        "p50": _round(percentile(ms, 50)),
        "p95": _round(percentile(ms, 95)),
        "max": _round(max(ms, default=None)),
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _markdown(report: dict[str, Any]) -> str:
    a, b = report["without"], report["with"]

    def ratio(key: str, p: str) -> str:
        return f"{b[key][p] / a[key][p]:.2f}×" if a[key][p] and b[key][p] else "n/a"

    lines = [
        f"# Waiting agents: {report['waiters']} long-poll waiters, {report['answers']} answers",
        "",
        f"Load average before {report['load_before'][0]:.2f} / after {report['load_after'][0]:.2f} "
        f"(2 cores, shared with other work); gunicorn 2 sync workers, one Celery worker, one uvicorn events process; "
        f"one reviewer, {report['pace_s']} s between a submit and the next claim"
        + ("; phase B on frozen statistics of no open task (--stale-stats)." if report.get("stale_stats") else "."),
        "",
        "| measure | without waiters p50 / p95 (ms) | with waiters p50 / p95 (ms) | p95 ratio |",
        "|---|---|---|---|",
        f"| next task (reviewer API) | {a['next_ms']['p50']} / {a['next_ms']['p95']} | {b['next_ms']['p50']} / {b['next_ms']['p95']} | {ratio('next_ms', 'p95')} |",
        f"| submit | {a['submit_ms']['p50']} / {a['submit_ms']['p95']} | {b['submit_ms']['p50']} / {b['submit_ms']['p95']} | {ratio('submit_ms', 'p95')} |",
        f"| submit sent → webhook received | {a['webhook_ms']['p50']} / {a['webhook_ms']['p95']} | {b['webhook_ms']['p50']} / {b['webhook_ms']['p95']} | {ratio('webhook_ms', 'p95')} |",
        f"| submit sent → waiter returned with the decision | | {b['waiter_ms']['p50']} / {b['waiter_ms']['p95']} (max {b['waiter_ms']['max']}) | |",
        "",
        "Where the time goes (p50 / p95 ms; from the rows each path writes and the waiters' Server-Timing):",
        "",
        "| stage | without waiters | with waiters |",
        "|---|---|---|",
        *[f"| webhook: {k} | {a['webhook_stages_ms'][k]['p50']} / {a['webhook_stages_ms'][k]['p95']} | {b['webhook_stages_ms'][k]['p50']} / {b['webhook_stages_ms'][k]['p95']} |" for k in a["webhook_stages_ms"]],
        *[f"| waiter: {k} | | {v['p50']} / {v['p95']} (n {v['n']}) |" for k, v in b["waiter_stages_ms"].items()],
        *[f"| re-poll gap: {k} | | {v['p50']} / {v['p95']} (max {v['max']}, n {v['n']}) |" for k, v in b["repoll_ms"].items()],
        "",
        f"Missing: webhooks {a['webhooks_missing']} / {b['webhooks_missing']}, waiters {b['waiters_missing']}. "
        f"The {report['waiters']} waiters' first calls (WaitSeconds=0, signed, all at once) took "
        f"{report['registration_round_s']} s; their long polls were all held "
        f"{report['long_polls_registered_s']} s later, and only then did the reviewer start.",
        "Cores busy while the reviewer answered (of 2), without → with waiters: "
        + ", ".join(f"{k} {a['cores_busy_answering'].get(k, 0)} → {v}" for k, v in b["cores_busy_answering"].items())
        + f"; waiters' process niced by {report['nice_waiters']}.",
        "",
        *_server_side_lines(report.get("server_side_ms")),
        "```json",
        json.dumps(report, indent=2),
        "```",
        "",
    ]  # fmt: skip
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
