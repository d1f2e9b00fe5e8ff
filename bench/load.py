"""`make load`: 50 reviewers and 8 API clients on one flow for a bounded time, then a checker of the invariants.

    .venv/bin/python -m bench.load [--duration 90] [--reviewers 50] [--api-clients 8]
                                   [--instances 2] [--beats 2] [--pgbouncer]

Loopback only, on the bench stack (PostgreSQL, Redis, S3 server, one Celery
worker, gunicorn). Reviewers pull (GET next), work a few ms, then submit (or,
one time in ten, release); API clients start, describe, list and stop loops
of a TaskCount=2 flow. Every call is logged client-side. The checker then
proves, from the client log, the audit trail, the database and the S3
objects:

1. no task was held by two reviewers at once (client intervals and the DB audit of claims),
2. no reviewer answered one loop twice (client log and DB),
3. every Completed loop has exactly one output object, whose answers are exactly the accepted submits,
4. every loop is in a legal final or open state, consistent with its tasks,
5. no API call returned 5xx.

Exit status 1 on any violation (each is listed), 0 otherwise.

Horizontally (`make load INSTANCES=2`): two gunicorn processes on two ports and
two Celery workers, as separate pods would be, behind the one PostgreSQL and
Redis; the clients alternate between the instances as a load balancer would.
`--beats 2` runs a second beat beside the first (a rollout gone wrong), to show
that it is harmless; `--pgbouncer` puts PgBouncer between every process and
PostgreSQL.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.clients import RawApi, ReviewerApi
from bench.fixtures import item_input
from bench.stack import ROOT, Stack

RESULTS = ROOT / "bench" / "results"
FLOW = "bench-load"
LABELS = ["Positive", "Negative", "Neutral"]


@dataclass
class Claim:
    task_id: int
    loop: str
    reviewer: str
    sent: float  # the next request was sent
    received: float  # its answer arrived: the lease certainly began by now
    end_sent: float | None = None  # the submit/release was sent: the lease certainly held until now
    outcome: str = ""  # submitted | released | <status>
    answer: dict | None = None


@dataclass
class Log:
    lock: threading.Lock = field(default_factory=threading.Lock)
    claims: list[Claim] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)  # (operation, status) -> count
    server_errors: list[str] = field(default_factory=list)
    # time.time() of each entry of server_errors, so a fault test can allow those inside its fault window.
    server_error_times: list[float] = field(default_factory=list)
    started_loops: list[str] = field(default_factory=list)

    def record(self, operation: str, status: int, detail: str = "") -> None:
        with self.lock:
            self.statuses[(operation, status)] += 1
            if status >= 500:
                self.server_errors.append(f"{operation} -> {status} {detail[:200]}")
                self.server_error_times.append(time.time())


def reviewer(api: ReviewerApi, username: str, log: Log, deadline: float, seed: int) -> None:
    rng = random.Random(seed)
    while time.time() < deadline:
        sent = time.perf_counter()
        try:
            reply = api.next(FLOW)
        except OSError as exc:
            log.record("next", 599, repr(exc))
            time.sleep(0.1)
            continue
        received = time.perf_counter()
        log.record("next", reply.status, reply.body.decode(errors="replace"))
        if reply.status == 204:
            time.sleep(0.05)
            continue
        if reply.status != 200:
            time.sleep(0.05)
            continue
        body = reply.json()
        claim = Claim(body["taskId"], body["humanLoopName"], username, sent, received)
        with log.lock:
            log.claims.append(claim)
        time.sleep(rng.uniform(0, 0.02))  # the reviewer reads the task
        release = rng.random() < 0.1
        answer = {"sentiment": {"label": rng.choice(LABELS)}, "nonce": uuid.uuid4().hex, "by": username}
        claim.end_sent = time.perf_counter()
        claim.answer = None if release else answer  # kept either way: a submit without an answer may have landed
        try:
            reply = api.release(claim.task_id) if release else api.submit(claim.task_id, answer)
        except OSError as exc:
            log.record("release" if release else "submit", 599, repr(exc))
            claim.outcome = "transport-error"
            continue
        operation = "release" if release else "submit"
        log.record(operation, reply.status, reply.body.decode(errors="replace"))
        if reply.status == 200:
            claim.outcome = "released" if release else "submitted"
        else:
            claim.outcome = str(reply.status)


def api_client(api: RawApi, flow_arn: str, client_id: int, log: Log, deadline: float) -> None:
    rng = random.Random(client_id)
    mine: list[str] = []
    n = 0
    while time.time() < deadline:
        roll = rng.random()
        try:
            if roll < 0.55 or not mine:
                name = f"load-{client_id}-{n}-{uuid.uuid4().hex[:6]}"
                n += 1
                reply = api.start(flow_arn, name, item_input(n))
                operation = "StartHumanLoop"
                if reply.status == 200:
                    mine.append(name)
                    with log.lock:
                        log.started_loops.append(name)
            elif roll < 0.75:
                reply, operation = api.describe(rng.choice(mine)), "DescribeHumanLoop"
            elif roll < 0.9:
                reply, operation = api.list(flow_arn, 100, rng.choice(["Ascending", "Descending"])), "ListHumanLoops"
            else:
                reply, operation = api.stop(rng.choice(mine)), "StopHumanLoop"
        except OSError as exc:
            log.record("api", 599, repr(exc))
            continue
        log.record(operation, reply.status, reply.body.decode(errors="replace"))
        time.sleep(0.01)


# --- Checker ------------------------------------------------------------------------------


def overlapping_claims(claims: list[Claim], deadline: float) -> list[str]:
    """Return a violation for each claim whose certainly-held interval overlaps another's on the same task.

    A claim certainly held its task from the moment the next-task answer arrived
    until its submit or release was sent (or the end of the run if neither was).
    """
    by_task: dict[int, list[Claim]] = defaultdict(list)
    for claim in claims:
        by_task[claim.task_id].append(claim)
    found = []
    for task_id, task_claims in by_task.items():
        spans = sorted((c.received, c.end_sent or deadline, c.reviewer) for c in task_claims)
        held_until, holder = spans[0][1], spans[0][2]
        for start, end, who in spans[1:]:
            if start < held_until:
                found.append(f"task {task_id} held by {holder} and {who} at once (client log)")
            if end > held_until:
                held_until, holder = end, who
    return found


def _unanswered_submit(claim: Claim) -> bool:
    """A submit whose answer never arrived (transport error, 5xx): it may or may not have been stored."""
    return claim.answer is not None and (claim.outcome == "transport-error" or claim.outcome.startswith("5"))


def check(log: Log, stack: Stack, account_name: str, deadline_perf: float) -> tuple[list[str], dict[str, Any]]:
    """Return (violations, facts) after a `make load` run on `stack`."""
    return check_run(log, account_name, deadline_perf, s3_endpoint=f"http://127.0.0.1:{stack.s3_port}")


def check_run(
    log: Log,
    account_name: str,
    deadline_perf: float,
    *,
    s3_endpoint: str,
    fault_windows: tuple[tuple[float, float], ...] = (),
    outbox_wait_seconds: float = 60.0,
) -> tuple[list[str], dict[str, Any]]:
    """Return (violations, facts) after a run, from the client log, the database and the S3 server.

    Reusable by fault tests (tests/integration/test_faults_under_load.py): 5xx and transport errors
    between (start, end) of a `fault_windows` entry (time.time()) are allowed, and a submit that got
    no answer may or may not be stored (every other invariant holds). `facts["outputs_settled_at"]`
    is the time.time() when no outbox row was pending any more.
    """
    import boto3
    from django.db.models import Count, Q

    from flows.models import FlowDefinition, HumanLoop, OutputOutbox, ReviewTask
    from workforce.models import AuditRecord

    violations: list[str] = []
    facts: dict[str, Any] = {}

    # 5. No 5xx (outside the fault windows).
    outside = [
        f"5xx: {e}"
        for e, at in zip(log.server_errors, log.server_error_times, strict=True)
        if not any(start <= at <= end for start, end in fault_windows)
    ]
    violations += outside
    facts["server_errors_in_fault_windows"] = len(log.server_errors) - len(outside)

    # 1a. Client side: the intervals in which each claim was certainly held never overlap for one task.
    violations += overlapping_claims(log.claims, deadline_perf)
    by_task: dict[int, list[Claim]] = defaultdict(list)
    for claim in log.claims:
        by_task[claim.task_id].append(claim)
    facts["claims"] = len(log.claims)
    facts["tasks_claimed_more_than_once"] = sum(1 for c in by_task.values() if len(c) > 1)

    # 2a. Client side: a reviewer's accepted submits name each loop once.
    answered = Counter((c.reviewer, c.loop) for c in log.claims if c.outcome == "submitted")
    violations += [f"{who} answered loop {loop} {n} times (client log)" for (who, loop), n in answered.items() if n > 1]

    flow = FlowDefinition.objects.get(account__name=account_name, name=FLOW, deleted_at__isnull=True)
    # Wait for the Celery worker to finish every loop whose answers are all in.
    wait_until = time.time() + outbox_wait_seconds
    while OutputOutbox.objects.filter(human_loop__flow_definition=flow, state="pending").exists():
        if time.time() > wait_until:
            violations.append(
                f"outbox rows still pending {outbox_wait_seconds:.0f} s after the run (output never written)"
            )
            break
        time.sleep(0.5)
    facts["outputs_settled_at"] = time.time()

    # 1b. DB audit: per task, claims and their ends alternate (Claim X, then Submit/Release by X, ...).
    records = AuditRecord.objects.filter(
        kind="task", operation__in=["ClaimTask", "SubmitTask", "ReleaseTask"], resource__contains=" human-loop/"
    ).order_by("id")
    holder: dict[str, str | None] = {}
    audited = 0
    task_ids = {str(t) for t in by_task}
    for record in records.values("operation", "actor", "resource").iterator():
        task = record["resource"].split()[0].removeprefix("review-task/")
        if task not in task_ids:
            continue
        audited += 1
        current = holder.get(task)
        if record["operation"] == "ClaimTask":
            if current is not None:
                violations.append(f"task {task} claimed by {record['actor']} while {current} held it (audit)")
            holder[task] = record["actor"]
        else:
            if current != record["actor"]:
                violations.append(f"task {task}: {record['operation']} by {record['actor']} who did not hold it")
            holder[task] = None
    facts["audit_records_checked"] = audited

    # 2b. DB: one submitted task per (loop, worker).
    twice = (
        ReviewTask.objects.filter(flow_definition=flow, state="submitted")
        .values("human_loop_id", "worker_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    violations += [f"worker {r['worker_id']} answered loop {r['human_loop_id']} {r['n']} times (DB)" for r in twice]

    # 3. Output objects.
    s3 = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1")
    objects: dict[str, list[str]] = defaultdict(list)
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket="a2i-results", Prefix=f"{FLOW}/"):
        for obj in page.get("Contents", []):
            parts = obj["Key"].split("/")
            if parts[-1] == "output.json":  # consolidated.json (quality, TaskCount > 1) sits beside it
                objects[parts[-2]].append(obj["Key"])
    accepted: dict[str, list[dict]] = defaultdict(list)
    maybe: dict[str, list[dict]] = defaultdict(list)  # submits that got no answer: stored or not
    for claim in log.claims:
        if claim.outcome == "submitted":
            accepted[claim.loop].append(claim.answer)
        elif _unanswered_submit(claim):
            maybe[claim.loop].append(claim.answer)

    loops = HumanLoop.objects.filter(flow_definition=flow).annotate(
        submitted=Count("review_tasks", filter=Q(review_tasks__state="submitted")),
        leased=Count("review_tasks", filter=Q(review_tasks__state="leased")),
        open_tasks=Count("review_tasks", filter=Q(review_tasks__state="open")),
    )
    states = Counter()
    for loop in loops.iterator():
        states[loop.status] += 1
        keys = objects.get(loop.name, [])
        if loop.status == "Completed":
            if len(keys) != 1:
                violations.append(f"Completed loop {loop.name} has {len(keys)} output objects")
                continue
            document = json.loads(s3.get_object(Bucket="a2i-results", Key=keys[0])["Body"].read())
            got = Counter(json.dumps(a["answerContent"], sort_keys=True) for a in document["humanAnswers"])
            want = Counter(json.dumps(a, sort_keys=True) for a in accepted.get(loop.name, []))
            could = Counter(json.dumps(a, sort_keys=True) for a in maybe.get(loop.name, []))
            if not (want <= got <= want + could):
                violations.append(f"loop {loop.name}: output answers {got} differ from accepted submits {want}")
            if loop.submitted != flow.task_count or not loop.output_s3_uri:
                violations.append(
                    f"Completed loop {loop.name} has {loop.submitted} answers / uri {loop.output_s3_uri!r}"
                )
        elif len(keys) > 1:
            violations.append(f"loop {loop.name} ({loop.status}) has {len(keys)} output objects")
        # 4. Legal states, consistent with the tasks.
        if loop.status not in ("InProgress", "Stopping", "Completed", "Stopped", "Failed"):
            violations.append(f"loop {loop.name} has illegal status {loop.status}")
        elif loop.status in ("Completed", "Stopped", "Failed") and (loop.leased or loop.open_tasks):
            violations.append(f"{loop.status} loop {loop.name} still has open or leased tasks")
        elif loop.status == "InProgress" and loop.submitted >= flow.task_count:
            violations.append(f"loop {loop.name} has all {loop.submitted} answers but is still InProgress")
        elif loop.status == "Stopping" and not loop.leased:
            violations.append(f"loop {loop.name} is Stopping with no lease left (should be Stopped)")
        if loop.status == "Stopped" and loop.submitted and len(keys) != 1:
            violations.append(f"Stopped loop {loop.name} with {loop.submitted} answers has {len(keys)} output objects")
        sure, unsure = len(accepted.get(loop.name, [])), len(maybe.get(loop.name, []))
        if loop.name in accepted and not sure <= loop.submitted <= sure + unsure:
            violations.append(f"loop {loop.name}: {sure} submits accepted, {loop.submitted} stored")
    facts["loop_states"] = dict(states)
    facts["output_objects"] = sum(len(v) for v in objects.values())
    return violations, facts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=90.0, help="seconds of load (the whole run adds ~1 min)")
    parser.add_argument("--reviewers", type=int, default=50)
    parser.add_argument("--api-clients", type=int, default=8)
    parser.add_argument("--preseed", type=int, default=300, help="loops started in bulk before the clients begin")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--instances", type=int, default=1, help="gunicorn processes (ports in a row) and workers")
    parser.add_argument("--beats", type=int, default=0, help="Celery beats (2: show a second one is harmless)")
    parser.add_argument("--pgbouncer", action="store_true", help="every process through PgBouncer (transaction mode)")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args(argv)
    stack = Stack(
        web_workers=args.workers,
        database="hitl_load",
        instances=args.instances,
        beats=args.beats,
        pgbouncer=args.pgbouncer,
    )
    ports = stack.web_ports
    tmp = Path(tempfile.mkdtemp(prefix="hitl-load-"))
    started = time.time()
    try:
        stack.start()
        state_path = tmp / "state.json"
        subprocess.run(
            [
                str(ROOT / ".venv/bin/python"),
                "-m",
                "bench.fixtures",
                "setup",
                "--reviewers",
                str(args.reviewers),
                "--queue-reviewers",
                "0",
                "--out",
                str(state_path),
            ],
            cwd=ROOT,
            env=stack.env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        cfg = json.loads(state_path.read_text())
        if args.preseed:
            path = tmp / "preseed.jsonl"
            path.write_text(
                "".join(
                    json.dumps({"HumanLoopName": f"pre-{i}", "InputContent": item_input(i)}) + "\n"
                    for i in range(args.preseed)
                )
            )
            stack.manage("bulk_start", str(path), "--account", cfg["account"], "--flow", FLOW, capture=True)
        log = Log()
        deadline = time.time() + args.duration
        threads = [
            threading.Thread(
                target=reviewer,
                args=(ReviewerApi("127.0.0.1", ports[i % len(ports)], r["token"]), r["username"], log, deadline, i),
            )
            for i, r in enumerate(cfg["load_reviewers"])
        ]
        threads += [
            threading.Thread(
                target=api_client,
                args=(
                    RawApi("127.0.0.1", ports[i % len(ports)], cfg["access_key_id"], cfg["secret_access_key"]),
                    cfg["flows"][FLOW]["arn"],
                    i,
                    log,
                    deadline,
                ),
            )
            for i in range(args.api_clients)
        ]
        print(
            f"load: {args.reviewers} reviewers and {args.api_clients} API clients for {args.duration:.0f} s "
            f"on {args.instances} web instance(s) x {args.workers} workers, {args.instances} Celery worker(s), "
            f"{args.beats} beat(s){', through PgBouncer' if args.pgbouncer else ''}",
            file=sys.stderr,
        )
        cpu_before = stack.cpu_seconds()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        deadline_perf = time.perf_counter()
        cpu_load = stack.cpu_seconds()
        os.environ.update(stack.env)
        import django

        django.setup()
        violations, facts = check(log, stack, cfg["account"], deadline_perf)
        # After the checker waited for the outbox: the workers' CPU includes every output of the run.
        cpu_after = stack.cpu_seconds()
        facts["cpu_seconds"] = {
            role: round((cpu_after if role == "celery" else cpu_load)[role] - cpu_before[role], 2)
            for role in cpu_before
        }
    finally:
        if not args.keep:
            stack.stop()
    facts["calls"] = {f"{op} {status}": n for (op, status), n in sorted(log.statuses.items())}
    facts["loops_started_by_clients"] = len(log.started_loops)
    facts["wall_s"] = round(time.time() - started, 1)
    facts["topology"] = {
        "web_instances": args.instances,
        "gunicorn_workers_each": args.workers,
        "celery_workers": args.instances,
        "beats": args.beats,
        "pgbouncer": args.pgbouncer,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"load-{time.strftime('%Y%m%d-%H%M%S', time.gmtime())}.json"
    out.write_text(json.dumps({"violations": violations, "facts": facts}, indent=2))
    print(json.dumps(facts, indent=2))
    if violations:
        print(f"\nFAILED: {len(violations)} violation(s):", file=sys.stderr)
        for v in violations[:50]:
            print("  -", v, file=sys.stderr)
        return 1
    print(f"\nOK: no violation ({facts['claims']} claims, {facts['loop_states']}); details in {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
