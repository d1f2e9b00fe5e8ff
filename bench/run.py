"""`make bench`: start the production-shaped stack, seed loops in bulk, measure every hot path, write results.

    .venv/bin/python -m bench.run [--quick] [--repeats 2] [--workers 4] [--sizes 10000,100000,1000000]

Each measurement runs --repeats times; bench/results/bench-<time>.json holds
every repeat and bench-<time>.md the min / median / max table with the
targets of issue 7. The client, the server, PostgreSQL, Redis, the S3 server
and the Celery worker all share this machine's cores, so absolute numbers
are single-box numbers (the report says how many cores and the load average).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from bench import report
from bench.clients import RawApi, Reply, ReviewerApi, boto3_runtime, latency_stats, merge, run_parallel
from bench.fixtures import item_input, write_jsonl
from bench.stack import ROOT, Stack

RESULTS = ROOT / "bench" / "results"
ANSWER = {"sentiment": {"label": "Positive"}}
T0 = time.perf_counter()


def log(*args: Any) -> None:
    print(f"[{time.perf_counter() - T0:7.1f}s]", *args, file=sys.stderr, flush=True)


# --- Client processes (forked; the first call builds the client, untimed) -------------


def _boto_reply(call) -> Reply:
    from botocore.exceptions import ClientError

    try:
        call()
        return Reply(200, b"")
    except ClientError as exc:
        return Reply(exc.response["ResponseMetadata"]["HTTPStatusCode"], str(exc).encode())


def start_client(rec, kind: str, cfg: dict, names: list[str], setup_only: bool = False, state: Any = None) -> Any:
    flow_arn = cfg["flows"]["bench-start"]["arn"]
    if setup_only:
        if kind == "boto3":
            return boto3_runtime(f"http://127.0.0.1:{cfg['port']}", cfg["access_key_id"], cfg["secret_access_key"])
        return RawApi("127.0.0.1", cfg["port"], cfg["access_key_id"], cfg["secret_access_key"])
    client = state
    for name in names:
        content = item_input(hash(name) % 100000)
        if kind == "boto3":
            rec.timed(
                "start",
                lambda n=name, c=content: _boto_reply(
                    lambda: client.start_human_loop(
                        HumanLoopName=n, FlowDefinitionArn=flow_arn, HumanLoopInput={"InputContent": c}
                    )
                ),
            )
        else:
            rec.timed("start", lambda n=name, c=content: client.start(flow_arn, n, c))
    return None


def reviewer_client(rec, cfg: dict, token: str, count: int, setup_only: bool = False, state: Any = None) -> Any:
    if setup_only:
        return ReviewerApi("127.0.0.1", cfg["port"], token)
    api = state
    for _ in range(count):
        reply = rec.timed("next", lambda: api.next("bench-queue"), ok=(200,))
        if reply.status != 200:
            break
        task_id = reply.json()["taskId"]
        rec.timed("submit", lambda t=task_id: api.submit(t, ANSWER))
    return None


# --- Phases ------------------------------------------------------------------------------


def seed(stack: Stack, cfg: dict, have: int, want: int, tmp: Path) -> dict[str, Any]:
    """Grow the queue flow from `have` to `want` loops with `manage.py bulk_start` on a JSONL file."""
    path = tmp / f"seed-{have}-{want}.jsonl"
    write_jsonl(path, "q", have, want - have)  # not timed: the file is the input
    started = time.perf_counter()
    out = stack.manage("bulk_start", str(path), "--account", cfg["account"], "--flow", "bench-queue", capture=True)
    wall = time.perf_counter() - started
    path.unlink()
    fields = dict(part.split("=", 1) for part in out.split() if "=" in part)
    for table in ("flows_humanloop", "flows_reviewtask"):
        stack.psql(f"VACUUM ANALYZE {table}", stack.database)  # what autovacuum does soon after a bulk load
    result = {
        "from": have,
        "to": want,
        "n": want - have,
        "created": int(fields["created"]),
        "command_wall_s": round(wall, 2),
        "loops_per_s_in_command": float(fields["items_per_second"]),
        "loops_per_s_wall": round((want - have) / wall, 1),
    }
    log("seed", result)
    return result


def measure_start(cfg: dict, kind: str, clients: int, count: int) -> dict[str, Any]:
    run = uuid.uuid4().hex[:8]
    per = [(kind, cfg, [f"s-{run}-{c}-{i}" for i in range(count // clients)]) for c in range(clients)]
    results, _ = run_parallel(start_client, per)
    latencies, statuses = merge(results, "start")
    wall = max(r.finished for r in results) - min(r.started for r in results)
    out = latency_stats(latencies, wall, errors=sum(v for k, v in statuses.items() if k != 200))
    out.update({"client": kind, "concurrency": clients, "statuses": statuses})
    return out


def measure_queue(cfg: dict, reviewers: int, per_reviewer: int) -> dict[str, Any]:
    tokens = [r["token"] for r in cfg["queue_reviewers"][:reviewers]]
    results, _ = run_parallel(reviewer_client, [(cfg, token, per_reviewer) for token in tokens])
    wall = max(r.finished for r in results) - min(r.started for r in results)
    out: dict[str, Any] = {"concurrency": reviewers}
    for op in ("next", "submit"):
        latencies, statuses = merge(results, op)
        bad = sum(v for k, v in statuses.items() if k != 200)
        out[op] = latency_stats(latencies, wall, errors=bad) | {"statuses": statuses}
    return out


def measure_list(cfg: dict, kind: str, pages: int) -> dict[str, Any]:
    """First pages (both orders) and a walk of `pages` pages with NextToken, 100 loops each."""
    flow_arn = cfg["flows"]["bench-queue"]["arn"]
    first, walk, errors = [], [], 0
    if kind == "boto3":
        client = boto3_runtime(f"http://127.0.0.1:{cfg['port']}", cfg["access_key_id"], cfg["secret_access_key"])

        def page(sort: str, token: str | None) -> tuple[int, str | None]:
            args = {"FlowDefinitionArn": flow_arn, "MaxResults": 100, "SortOrder": sort}
            if token:
                args["NextToken"] = token
            body = client.list_human_loops(**args)
            return len(body["HumanLoopSummaries"]), body.get("NextToken")
    else:
        api = RawApi("127.0.0.1", cfg["port"], cfg["access_key_id"], cfg["secret_access_key"])

        def page(sort: str, token: str | None) -> tuple[int, str | None]:
            reply = api.list(flow_arn, 100, sort, token)
            if reply.status != 200:
                raise RuntimeError(f"ListHumanLoops: {reply.status} {reply.body[:300]!r}")
            body = reply.json()
            return len(body["HumanLoopSummaries"]), body.get("NextToken")

    for _ in range(pages // 2):
        for sort in ("Ascending", "Descending"):
            started = time.perf_counter()
            try:
                count, _ = page(sort, None)
                if count != 100:
                    errors += 1
            except Exception:
                errors += 1
                continue
            first.append(time.perf_counter() - started)
    token = None
    for _ in range(pages):
        started = time.perf_counter()
        try:
            count, token = page("Ascending", token)
        except Exception:
            errors += 1
            break
        walk.append(time.perf_counter() - started)
        if not token:
            break
    return {
        "client": kind,
        "first_page": latency_stats(first, errors=errors),
        "next_token_walk": latency_stats(walk),
    }


def _django(stack: Stack) -> None:
    os.environ.update(stack.env)
    import django

    django.setup()


def measure_queue_writer_paused(stack: Stack, cfg: dict, per_reviewer: int) -> dict[str, Any]:
    """measure_queue with 1 reviewer while the Celery worker is stopped (SIGSTOP), outputs caught up first."""
    drain_outbox(stack)
    pids = stack.celery_pids()
    for pid in pids:
        os.kill(pid, signal.SIGSTOP)
    try:
        return measure_queue(cfg, 1, per_reviewer)
    finally:
        for pid in pids:
            os.kill(pid, signal.SIGCONT)


def drain_outbox(stack: Stack, timeout: float = 120.0) -> dict[str, Any]:
    """Wait until the Celery worker has finished every loop answered so far; report its pace."""
    _django(stack)
    from django.db import connections

    from flows.models import OutputOutbox

    pending = OutputOutbox.objects.filter(state="pending")
    backlog = pending.count()
    started = time.perf_counter()
    while pending.exists() and time.perf_counter() - started < timeout:
        time.sleep(0.2)
    elapsed = time.perf_counter() - started
    left = pending.count()
    connections.close_all()
    return {
        "backlog": backlog,
        "drain_s": round(elapsed, 2),
        "left": left,
        "finalized_per_s": round((backlog - left) / elapsed, 1) if elapsed > 0.2 else None,
    }


def measure_output(stack: Stack, cfg: dict, samples: int) -> dict[str, Any]:
    """Submit the last answer of a loop, then poll S3 until its output.json is readable."""
    import boto3

    _django(stack)
    from flows.delivery import outputs
    from flows.models import HumanLoop

    s3 = boto3.client("s3", endpoint_url=f"http://127.0.0.1:{stack.s3_port}", region_name="us-east-1")
    api = ReviewerApi("127.0.0.1", cfg["port"], cfg["queue_reviewers"][0]["token"])
    latencies, timeouts = [], 0
    for _ in range(samples):
        reply = api.next("bench-queue")
        if reply.status != 200:
            break
        task = reply.json()
        loop = HumanLoop.objects.select_related("flow_definition").get(
            name=task["humanLoopName"], deleted_at__isnull=True
        )
        bucket, key = outputs.output_location(loop)
        if api.submit(task["taskId"], ANSWER).status != 200:
            timeouts += 1
            continue
        submitted = time.perf_counter()
        while True:
            try:
                s3.head_object(Bucket=bucket, Key=key)
                latencies.append(time.perf_counter() - submitted)
                break
            except s3.exceptions.ClientError:
                if time.perf_counter() - submitted > 30:
                    timeouts += 1
                    break
                time.sleep(0.005)
    from django.db import connections

    connections.close_all()
    return latency_stats(latencies, errors=timeouts)


# --- Driver ----------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="sizes 10k/100k and fewer requests: under 5 minutes")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--sizes", help="comma list of queue sizes (default 10000,100000,1000000; quick: 10000,100000)")
    parser.add_argument("--keep", action="store_true", help="leave the stack running at the end")
    parser.add_argument("--label", default="")
    args = parser.parse_args(argv)
    sizes = [int(x) for x in (args.sizes or ("10000,100000" if args.quick else "10000,100000,1000000")).split(",")]
    n_start_seq, n_start_conc = (100, 400) if args.quick else (500, 2000)
    n_queue_seq, n_queue_conc = (60, 15) if args.quick else (300, 60)
    n_output = 20 if args.quick else 40

    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    stack = Stack(web_workers=args.workers)
    res: dict[str, Any] = {
        "kind": "hitl-bench",
        "label": args.label,
        "started_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "mode": "quick" if args.quick else "full",
        "machine": {"cpus": os.cpu_count(), "loadavg_before": os.getloadavg()},
        "params": vars(args) | {"sizes": sizes},
        "server": {"gunicorn_workers": args.workers, "worker_class": "sync", "celery_workers": 1},
        "seed": [],
        "start": [],
        "queue": [],
        "list": [],
        "output": [],
    }
    tmp = Path(tempfile.mkdtemp(prefix="hitl-bench-"))
    try:
        log("starting the stack (PostgreSQL, Redis, S3, Celery worker, gunicorn)")
        stack.start()
        log("stack up")
        state_path = tmp / "state.json"
        subprocess_env_python(stack, "-m", "bench.fixtures", "setup", "--reviewers", "0", "--out", str(state_path))
        cfg = json.loads(state_path.read_text()) | {"port": stack.web_port}
        log("tenant, flows and reviewers set up")
        have = 0
        for index, size in enumerate(sizes):
            res["seed"].append(seed(stack, cfg, have, size, tmp))
            have = size
            if index == 0:
                for rep in range(args.repeats):
                    for kind in ("raw", "boto3"):
                        for clients, count in ((1, n_start_seq), (8, n_start_conc)):
                            r = measure_start(cfg, kind, clients, count) | {"repeat": rep + 1, "db_loops": have}
                            res["start"].append(r)
                            log("start", kind, f"c={clients}", {k: r[k] for k in ("per_s", "p50_ms", "p99_ms")})
            # Each size's queue phase starts with an idle Celery worker: the outputs of the previous
            # phase's answers must not share the two cores with this phase (its own answers still do).
            res.setdefault("queue_drains", []).append(drain_outbox(stack) | {"before_size": size})
            for rep in range(args.repeats):
                for reviewers, count in ((1, n_queue_seq), (8, n_queue_conc)):
                    r = measure_queue(cfg, reviewers, count) | {"repeat": rep + 1, "open_tasks": size}
                    res["queue"].append(r)
                    log(f"queue @{size} c={reviewers}", r["next"]["p50_ms"], r["next"]["p95_ms"], r["submit"]["p50_ms"])
            if index == len(sizes) - 1:
                # The same 1-reviewer measurement with the output writer stopped: how much of the
                # latency is sharing the cores with the Celery worker and the S3 server.
                for rep in range(args.repeats):
                    r = measure_queue_writer_paused(stack, cfg, n_queue_seq) | {"repeat": rep + 1, "open_tasks": size}
                    res.setdefault("queue_writer_paused", []).append(r)
                    log(
                        f"queue @{size} c=1 writer paused",
                        r["next"]["p50_ms"],
                        r["next"]["p95_ms"],
                        r["submit"]["p50_ms"],
                    )
        res["list_drain"] = drain_outbox(stack)  # as for the queue phases: no earlier outputs still being written
        for rep in range(args.repeats):
            for kind in ("raw", "boto3"):
                r = measure_list(cfg, kind, 10 if args.quick else 50) | {"repeat": rep + 1, "db_loops": have}
                res["list"].append(r)
                log("list", kind, r["first_page"]["p95_ms"], r["next_token_walk"]["p95_ms"])
        # The queue phases leave one finalize job per answered loop; the output latency is
        # measured once the single Celery worker has caught up (the catch-up pace is reported).
        res["outbox_drain"] = drain_outbox(stack)
        log("outbox drain", res["outbox_drain"])
        for rep in range(args.repeats):
            r = measure_output(stack, cfg, n_output) | {"repeat": rep + 1}
            res["output"].append(r)
            log("output", r)
        res["memory"] = stack.memory()
        log("memory", res["memory"])
    finally:
        res["machine"]["loadavg_after"] = os.getloadavg()
        res["total_s"] = round(time.perf_counter() - T0, 1)
        if not args.keep:
            stack.stop()
    out = RESULTS / f"bench-{stamp}.json"
    out.write_text(json.dumps(res, indent=2))
    markdown = report.render(res)
    (RESULTS / f"bench-{stamp}.md").write_text(markdown)
    print(markdown)
    log(f"wrote {out} and {out.with_suffix('.md')}")
    return 0


def subprocess_env_python(stack: Stack, *args: str) -> None:
    import subprocess

    subprocess.run([str(ROOT / ".venv" / "bin" / "python"), *args], cwd=ROOT, env=stack.env, check=True)


if __name__ == "__main__":
    sys.exit(main())
