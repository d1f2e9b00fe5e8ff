"""Profile each hot path in-process: server CPU and SQL per request, and a pyinstrument profile.

    .venv/bin/python -m bench.profile_paths [--size 10000] [--calls 300]

Starts only PostgreSQL and Redis (the bench ports, a fresh database), seeds
`--size` loops with the bulk path, then sends real, SigV4-signed requests
through Django's full request handler (middleware, SigV4 check, handlers,
lifecycle) with django.test.Client, so no network, gunicorn or client
process is in the numbers. For each path it reports wall and CPU ms per
request (this process only; PostgreSQL's own CPU is not included), SQL
statements per request, and writes bench/results/profile-<path>.txt.
On a shared machine, CPU time is the number that noise disturbs least.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from bench.clients import latency_stats
from bench.fixtures import item_input
from bench.stack import ROOT, Stack

RESULTS = ROOT / "bench" / "results"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=10000, help="loops seeded on the queue flow first")
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--keep", action="store_true", help="leave PostgreSQL and Redis running")
    parser.add_argument("--flat", action="store_true", help="also write cProfile's top functions by own time")
    args = parser.parse_args(argv)
    stack = Stack(database="hitl_profile")
    # Leave alone services that were already up (a bench run may be using them).
    ours = [name for name, port in (("redis", stack.redis_port), ("pg", stack.pg_port)) if not _listening(port)]
    stack.services("start", "pg")
    stack.psql(f"DROP DATABASE IF EXISTS {stack.database} WITH (FORCE)")
    stack.services("start", "pg", "redis")
    try:
        stack.manage("migrate", "--noinput", "-v", "0", "--skip-checks")
        os.environ.update(stack.env)
        os.environ["HITL_OUTPUT_BACKEND"] = "local"  # no worker runs here; enqueued work just waits in Redis
        import django

        django.setup()
        results = profile_all(args.size, args.calls, flat=args.flat)
    finally:
        if not args.keep and ours:
            stack.services("stop", *ours)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "profile-summary.json").write_text(json.dumps(results, indent=2))
    print(f"In-process, {results['size']:,} loops seeded, {results['calls']} calls per path.")
    print("| path | wall p50 ms | Django CPU ms/request | PostgreSQL CPU ms/request | SQL statements/request |")
    print("|---|---|---|---|---|")
    for name, r in results["paths"].items():
        print(
            f"| {name} | {r['wall']['p50_ms']} | {r['cpu_ms_per_request']} | {r['postgres_cpu_ms_per_request']} "
            f"| {r['sql_per_request']} |"
        )
    return 0


def profile_all(size: int, calls: int, *, flat: bool = False) -> dict:
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    from django.db import connection
    from django.test import Client

    from bench import fixtures
    from flows.loops.bulk import bulk_start_human_loops
    from flows.models import FlowDefinition
    from workforce.models import Account

    cfg = fixtures.setup(reviewers=0, queue_reviewers=1)
    account = Account.objects.get(name=cfg["account"])
    queue = FlowDefinition.objects.get(account=account, name="bench-queue")
    started = time.perf_counter()
    bulk_start_human_loops(
        account, queue, ({"HumanLoopName": f"q-{i}", "InputContent": item_input(i)} for i in range(size))
    )
    seed_s = time.perf_counter() - started
    client = Client()
    signer = SigV4Auth(Credentials(cfg["access_key_id"], cfg["secret_access_key"]), "sagemaker", "us-east-1")

    def signed(method: str, path: str, body: dict | None = None, query: str = "") -> int:
        data = json.dumps(body).encode() if body is not None else b""
        url = f"http://testserver{path}" + (f"?{query}" if query else "")
        # The test client sends Content-Type only with a body: sign exactly what is sent.
        request = AWSRequest(
            method=method, url=url, data=data, headers={"Content-Type": "application/json"} if data else {}
        )
        signer.add_auth(request)
        headers = {k: v for k, v in request.headers.items() if k.lower() != "content-type"} | {"Host": "testserver"}
        response = client.generic(method, url, data, content_type="application/json", headers=headers)
        return response.status_code

    token = {"Authorization": f"Token {cfg['queue_reviewers'][0]['token']}"}
    start_arn = cfg["flows"]["bench-start"]["arn"]
    queue_arn = cfg["flows"]["bench-queue"]["arn"]
    run = uuid.uuid4().hex[:6]
    counter = iter(range(10**9))
    claimed: list[int] = []

    def start() -> int:
        i = next(counter)
        body = {"HumanLoopName": f"p-{run}-{i}", "FlowDefinitionArn": start_arn}
        body["HumanLoopInput"] = {"InputContent": item_input(i)}
        return signed("POST", "/human-loops", body)

    def next_task() -> int:
        response = client.get("/portal/api/tasks/next?flow=bench-queue", headers=token)
        if response.status_code == 200:
            claimed.append(response.json()["taskId"])
        return response.status_code

    def submit() -> int:
        task_id = claimed.pop()
        return client.post(
            f"/portal/api/tasks/{task_id}/submit",
            {"answerContent": {"sentiment": {"label": "Positive"}}},
            content_type="application/json",
            headers=token,
        ).status_code

    def list_page() -> int:
        query = f"FlowDefinitionArn={queue_arn.replace(':', '%3A').replace('/', '%2F')}&MaxResults=100"
        return signed("GET", "/human-loops", query=query + "&SortOrder=Ascending")

    def describe() -> int:
        return signed("GET", f"/human-loops/q-{next(counter) % size}")

    paths: dict[str, Callable[[], int]] = {
        "StartHumanLoop": start,
        "next task": next_task,
        "submit": submit,
        "ListHumanLoops (100)": list_page,
        "DescribeHumanLoop": describe,
    }
    out = {"size": size, "calls": calls, "seed_loops_per_s": round(size / seed_s), "paths": {}}
    for name, fn in paths.items():
        statements = [0]

        def count(execute, sql, params, many, context, statements=statements):
            statements[0] += 1
            return execute(sql, params, many, context)

        for _ in range(20):  # warm-up; also leaves tasks claimed for the first submits
            fn()
        walls, statuses = [], {}
        pg_started = _pg_backend_cpu(connection)
        cpu_started = time.process_time()
        with connection.execute_wrapper(count):
            for _ in range(calls):
                began = time.perf_counter()
                status = fn()
                walls.append(time.perf_counter() - began)
                statuses[status] = statuses.get(status, 0) + 1
        cpu = time.process_time() - cpu_started
        pg_cpu = _pg_backend_cpu(connection) - pg_started
        profile_text = _pyinstrument(fn, min(calls, 200), name)
        if flat:
            _flat_profile(fn, min(calls, 200), name)
        out["paths"][name] = {
            "wall": latency_stats(walls),
            "cpu_ms_per_request": round(cpu * 1000 / calls, 2),
            "postgres_cpu_ms_per_request": round(pg_cpu * 1000 / calls, 2),
            "sql_per_request": round(statements[0] / calls, 1),
            "statuses": statuses,
            "profile": profile_text,
        }
        print(
            name,
            out["paths"][name]["wall"]["p50_ms"],
            out["paths"][name]["cpu_ms_per_request"],
            statuses,
            file=sys.stderr,
        )
    out["median_cpu_ms"] = statistics.median(p["cpu_ms_per_request"] for p in out["paths"].values())
    return out


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _pg_backend_cpu(connection) -> float:
    """CPU seconds used so far by this connection's PostgreSQL backend process (same machine)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _pyinstrument(fn: Callable[[], int], calls: int, name: str) -> str:
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.0005)
    profiler.start()
    for _ in range(calls):
        fn()
    profiler.stop()
    slug = name.split(" (")[0].lower().replace(" ", "-")
    path = RESULTS / f"profile-{slug}.txt"
    RESULTS.mkdir(parents=True, exist_ok=True)
    path.write_text(profiler.output_text(unicode=True, color=False, show_all=False))
    return str(path.relative_to(ROOT))


def _flat_profile(fn: Callable[[], int], calls: int, name: str) -> None:
    """Write the top functions by own and by cumulative time (cProfile), library code included."""
    import cProfile
    import io
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(calls):
        fn()
    profiler.disable()
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text)
    stats.sort_stats("tottime").print_stats(45)
    stats.sort_stats("cumulative").print_stats(90)
    slug = name.split(" (")[0].lower().replace(" ", "-")
    (RESULTS / f"profile-{slug}-flat.txt").write_text(text.getvalue())


if __name__ == "__main__":
    sys.exit(main())
