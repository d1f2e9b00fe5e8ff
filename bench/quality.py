"""Quality-control benchmark (issue 14): the synthetic crowd through the reviewer API, and timings.

    python -m bench.quality crowd  [--items 2000] [--seed 14] [--out bench/results/quality-crowd.json]
    python -m bench.quality timing [--judgments 100000] [--out bench/results/quality-timing.json]

`crowd` answers bench/crowd.py's crowd (20 reviewers: 16 biased towards one
wrong label, accuracies 0.55-0.95, and 4 answering at random) through the
reviewer JSON API in-process (Django's test client: GET /portal/api/tasks/next,
POST .../submit with a worker token), in three runs on fresh flows:

* fixed 3: TaskCount 3 (A2I's rule); majority vote and Dawid-Skene on the same answers;
* fixed 5: TaskCount 5;
* adaptive: hitl:overlap=adaptive:1:5:0.95 with gold at 1 in 10 (hitl:gold-rate=0.1) and pausing on;
  the flow is re-estimated every 200 finished loops, as the beat sweep would.

`timing` measures re-estimating a flow of N judgments (rows inserted in bulk;
wall and CPU time) and finalize_loop's output step over 500 loops with and
without consolidation in the same run (the output.json write alone, then with
the after-output hooks, which write consolidated.json with the fitted model):
the difference of their p95s is what consolidation adds between the last
submit and the output.

Runs on the database DATABASE_URL names (default: a fresh SQLite file under
var/), migrating it first. Results are JSON; the README's table comes from them.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import secrets
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = (
    "<crowd-form><crowd-classifier name=\"animal\" categories=\"['cat', 'dog', 'fox']\" header=\"Which animal?\">"
    "<classification-target>{{ task.input.taskObject }}</classification-target></crowd-classifier></crowd-form>"
)


def _django(keep: bool = False) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hitl.settings")
    if not os.environ.get("DATABASE_URL"):
        path = ROOT / "var" / "bench-quality.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        if not keep:
            path.unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("HITL_OUTPUT_BACKEND", "local")
    os.environ.setdefault("HITL_LOCAL_STORE_DIR", str(ROOT / "var" / "bench-quality-store"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    logging.getLogger("hitl.access").setLevel(logging.WARNING)  # one line per request otherwise


def _tenant(name: str, tags: dict[str, str], task_count: int, n_reviewers: int):
    from django.contrib.auth import get_user_model

    from flows.models import FlowDefinition, HumanTaskUi, TaskTemplate
    from hitl.kernel import arns
    from workforce.models import Account, Worker, Workforce, Workteam
    from workforce.tokens import create_worker_token

    account = Account.objects.create(name=f"quality-{name}")
    workforce = Workforce.objects.create(account=account, name="default")
    team = Workteam.objects.create(account=account, workforce=workforce, name=f"{name}-team", description="crowd")
    users = []
    for n in range(n_reviewers):
        user = get_user_model().objects.create_user(username=f"{name}-reviewer-{n:02d}")  # token sign-in only
        Worker.objects.get_or_create(user=user)
        team.members.add(user)
        users.append(user)
    template = TaskTemplate.for_content(TEMPLATE)
    ui = HumanTaskUi.objects.create(account=account, name=f"{name}-ui", template=template)
    flow = FlowDefinition.objects.create(
        account=account,
        name=name,
        workteam=team,
        human_task_ui=ui,
        human_task_ui_arn=arns.build("human-task-ui", account.aws_account_id, ui.name),
        template=template,
        task_title="Animal",
        task_description="Which animal is it?",
        task_count=task_count,
        s3_output_path="s3://quality-bench/out",
        role_arn=f"arn:aws:iam::{account.aws_account_id}:role/A2I",
        tags=[{"Key": k, "Value": v} for k, v in tags.items()],
    )
    return account, flow, users, [create_worker_token(user) for user in users]


class InProcess:
    """The reviewer JSON API through Django's test client; loops, gold items and re-estimation by direct calls."""

    def __init__(self, account, flow, tokens: list[str]) -> None:
        from django.test import Client

        from hitl.kernel import arns

        self.account, self.flow = account, flow
        self.flow_arn = arns.build("flow-definition", account.aws_account_id, flow.name)
        self.clients = []
        for token in tokens:
            client = Client()
            client.defaults["HTTP_AUTHORIZATION"] = f"Token {token}"
            self.clients.append(client)

    def add_gold(self, name: str, input_content: str, answer: dict) -> None:
        from flows.quality import gold

        gold.add_gold_item(self.flow, name=name, input_content=input_content, answer=answer)

    def start(self, name: str, input_content: str) -> None:
        from flows.loops import lifecycle

        lifecycle.start_human_loop(
            account=self.account, name=name, flow_definition_arn=self.flow_arn, input_content=input_content
        )

    def next_task(self, reviewer: int) -> dict | None:
        response = self.clients[reviewer].get(f"/portal/api/tasks/next?flow={self.flow.name}")
        return None if response.status_code == 204 else response.json()

    def submit(self, reviewer: int, task_id: int, answer: dict) -> None:
        response = self.clients[reviewer].post(
            f"/portal/api/tasks/{task_id}/submit",
            json.dumps({"answerContent": answer}),
            content_type="application/json",
        )
        assert response.status_code == 200, response.content

    def reestimate(self) -> None:
        from inference_adapters.quality import flow_quality as quality

        quality.reestimate_flow(self.flow)

    def close(self) -> None:
        pass


class OverHttp(InProcess):
    """Everything over HTTP to a gunicorn of its own on the bench database.

    Reviewers use the reviewer JSON API (http.client, a token each), loops are
    started with StartHumanLoop and gold items added and the flow re-estimated
    with the signed hitl extension operations (/adapters/quality/...), each
    request SigV4-signed by botocore: nothing of the run goes through the bench's own process.
    """

    def __init__(self, account, flow, tokens: list[str], port: int) -> None:
        import subprocess

        from bench.clients import RawApi, ReviewerApi
        from hitl.kernel import arns

        self.account, self.flow = account, flow
        self.flow_arn = arns.build("flow-definition", account.aws_account_id, flow.name)
        keys = _command_output("create_access_key", f"{flow.name}-admin", "--create-user", "--account", account.name)
        log = open(ROOT / "var" / f"bench-quality-gunicorn-{port}.log", "ab")  # noqa: SIM115 (the child's)
        self.server = subprocess.Popen(
            [
                str(ROOT / ".venv" / "bin" / "gunicorn"),
                "hitl.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "--timeout",
                "300",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=dict(os.environ, HITL_LOG_LEVEL="WARNING"),
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
        self.api = RawApi("127.0.0.1", port, keys["aws_access_key_id"], keys["aws_secret_access_key"], timeout=300)
        self.reviewers = [ReviewerApi("127.0.0.1", port, token, timeout=300) for token in tokens]
        deadline = time.time() + 120
        while not self._answers():
            if self.server.poll() is not None or time.time() > deadline:
                raise RuntimeError(f"gunicorn did not start (see {log.name})")
            time.sleep(0.5)

    def _answers(self) -> bool:
        try:
            return self.reviewers[0].next("no-such-flow").status < 500
        except OSError:
            self.reviewers[0].conn = None
            return False

    def _ok(self, reply, what: str):
        if reply.status != 200:
            raise RuntimeError(f"{what}: HTTP {reply.status} {reply.body[:300]!r}")
        return reply.json()

    def add_gold(self, name: str, input_content: str, answer: dict) -> None:
        body = {"FlowDefinitionArn": self.flow_arn, "HumanLoopName": name, "InputContent": input_content}
        self._ok(self.api.call("POST", "/adapters/quality/gold-items", dict(body, Answer=answer)), "gold item")

    def start(self, name: str, input_content: str) -> None:
        self._ok(self.api.start(self.flow_arn, name, input_content), "StartHumanLoop")

    def next_task(self, reviewer: int) -> dict | None:
        reply = self.reviewers[reviewer].next(self.flow.name)
        return None if reply.status == 204 else self._ok(reply, "next task")

    def submit(self, reviewer: int, task_id: int, answer: dict) -> None:
        self._ok(self.reviewers[reviewer].submit(task_id, answer), "submit")

    def reestimate(self) -> None:
        self._ok(
            self.api.call("POST", "/adapters/quality/reestimate", {"FlowDefinitionArn": self.flow_arn}), "reestimate"
        )

    def close(self) -> None:
        import signal

        self.server.send_signal(signal.SIGTERM)
        self.server.wait(timeout=60)


def _command_output(name: str, *args: str) -> dict[str, str]:
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command(name, *args, stdout=out)
    return dict(line.split(" = ", 1) for line in out.getvalue().splitlines() if " = " in line)


def run_crowd(
    name: str,
    *,
    items: int,
    seed: int,
    task_count: int,
    tags: dict[str, str],
    gold_items: int = 0,
    http_port: int | None = None,
):
    """Answer `items` loops with the crowd through the reviewer API; return accuracy and judgment numbers.

    With `http_port`, over HTTP to a gunicorn started on that port (OverHttp), else in-process (InProcess).
    """
    from bench import crowd

    people = crowd.reviewers(seed=seed)
    truth = crowd.truths(items, seed=seed)
    labels = list(crowd.CLASSES)
    # A fresh tenant per run (a --rescore database keeps the earlier runs' flows).
    account, flow, users, tokens = _tenant(f"{name}-{secrets.token_hex(3)}", tags, task_count, len(people))
    api = InProcess(account, flow, tokens) if http_port is None else OverHttp(account, flow, tokens, http_port)
    try:
        for n in range(gold_items):
            label = labels[n % 3]
            api.add_gold(
                f"{flow.name}-g{n}",
                json.dumps({"taskObject": f"photo g{n}", "truth": label}),
                {"animal": {"label": label}},
            )
        for n, label in enumerate(truth):
            api.start(f"{flow.name}-{n}", json.dumps({"taskObject": f"photo {n}", "truth": labels[label], "item": n}))
        rng = np.random.default_rng(seed + 3)
        started = time.perf_counter()
        requests = 0
        active = list(range(len(people)))
        next_estimate = 100
        while active:
            for n in rng.permutation(active):
                task = api.next_task(n)
                requests += 1
                if task is None:
                    active.remove(n)
                    continue
                answer = labels[people[n].answer(labels.index(task["input"]["truth"]), rng)]
                api.submit(n, task["taskId"], {"animal": {"label": answer}})
                requests += 1
            if "hitl:overlap" in tags and requests >= next_estimate:
                api.reestimate()  # as a periodic job would: every 50 answers or so
                next_estimate = requests + 100
        answer_seconds = time.perf_counter() - started
    finally:
        api.close()
    return score(name, flow, users, people, truth, tags, task_count, requests, answer_seconds)


def score(name, flow, users, people, truth, tags, task_count, requests, answer_seconds):
    """Re-estimate the answered flow and compare its consolidated answers with the truth."""
    from bench import crowd
    from flows.models import ReviewerStanding, ReviewTask
    from inference_adapters.quality import flow_quality as quality

    labels = list(crowd.CLASSES)
    run = quality.reestimate_flow(flow, consolidate_loops=True)
    by_name = {row["humanLoopName"]: row for row in run.consolidated}
    # Only finished loops are consolidated; a run stopped early (--rescore) is scored on those, which are
    # the oldest items: a random sample, since the truth is drawn independently of the order.
    scored = [(n, label) for n, label in enumerate(truth) if f"{flow.name}-{n}" in by_name]
    items = len(scored)
    ds_right = mv_right = 0
    for n, label in scored:
        row = by_name[f"{flow.name}-{n}"]
        # A loop answered only by reviewers paused since has no answer left: it counts as wrong.
        ds_right += ((row["consolidatedAnswer"] or {}).get("animal") or {}).get("label") == labels[label]
        votes = row["agreement"].get("animal.label", {}).get("votes") or {"": 0}
        top = max(votes.values())
        winners = [key for key, count in votes.items() if count == top]
        mv_right += winners == [labels[label]]  # a tie is not an answer
    submitted = ReviewTask.objects.filter(flow_definition=flow, state="submitted")
    real = submitted.filter(human_loop__is_gold=False, human_loop__finished_at__isnull=False).count()
    gold_judgments = submitted.filter(human_loop__is_gold=True)
    by_worker = {r["workerId"]: r for r in run.reviewers}
    estimated = [by_worker.get(u.worker.worker_id, {}).get("estimatedAccuracy") for u in users]
    paused_ids = set(
        ReviewerStanding.objects.filter(flow_definition=flow, paused_at__isnull=False).values_list(
            "worker_id", flat=True
        )
    )
    # Paused reviewers' answers are left out of the fit: their estimate is the prior's, not a measurement.
    known = [
        (e, p.accuracy)
        for e, p, u in zip(estimated, people, users, strict=True)
        if e is not None and u.id not in paused_ids
    ]
    paused = [
        {
            "reviewer": people[users.index(s.worker)].name,
            "accuracy": round(people[users.index(s.worker)].accuracy, 3),
            "goldAnswered": s.gold_answered,
            "goldCorrect": s.gold_correct,
        }
        for s in ReviewerStanding.objects.filter(flow_definition=flow, paused_at__isnull=False).select_related("worker")
    ]
    return {
        "run": name,
        "items": items,
        "itemsStarted": len(truth),
        "tags": tags,
        "taskCount": task_count,
        "judgments": real,
        "goldJudgments": gold_judgments.count(),
        "judgmentsPerItem": round(real / items, 3),
        "dawidSkeneAccuracy": round(ds_right / items, 4),
        "majorityVoteAccuracy": round(mv_right / items, 4),
        "flagged": run.summary["flagged"],
        "reliabilityCorrelation": round(float(np.corrcoef(*zip(*known, strict=True))[0, 1]), 4),
        "paused": paused,
        "randomReviewersPaused": sum(1 for row in paused if row["reviewer"].startswith("random")),
        "pausedWithAccuracyAtLeast075": [row for row in paused if row["accuracy"] >= 0.75],
        "requests": requests,
        "answerSeconds": None if answer_seconds is None else round(answer_seconds, 1),
    }


def rescore(name: str, seed: int, items: int) -> dict[str, Any]:
    """Score a run already answered in the bench database (after an interrupted `crowd`)."""
    from bench import crowd
    from flows.models import FlowDefinition

    flow = FlowDefinition.objects.filter(name__startswith=f"{name}-").order_by("-id").first()
    users = sorted(flow.workteam.members.all(), key=lambda u: u.username)
    tags = {t["Key"]: t["Value"] for t in flow.tags}
    return score(
        name, flow, users, crowd.reviewers(seed=seed), crowd.truths(items, seed=seed), tags, flow.task_count, None, None
    )


RUNS = {
    "fixed-3": {"task_count": 3, "tags": {}},
    "fixed-5": {"task_count": 5, "tags": {}},
    "adaptive": {"task_count": 1, "tags": {"hitl:overlap": "adaptive:1:5:0.95", "hitl:gold-rate": "0.1"}},
}


def crowd_main(args: argparse.Namespace) -> dict[str, Any]:
    if not args.http_port:
        # In-process, this is the only process: every write it makes clears the caches it affects (model
        # signals), so nothing can go stale. With the 5 s default, a CPU-starved run reloaded flows, tokens
        # and teams about every round of 20 reviewers (13% of a profiled 2,000-item adaptive run at load 11).
        os.environ.setdefault("HITL_PROCESS_CACHE_SECONDS", "3600")
    _django(keep=bool(args.rescore))
    runs = {}
    for n, name in enumerate(args.runs.split(",")):
        if name in (args.rescore or "").split(","):
            runs[name] = rescore(name, args.seed, args.items)
            continue
        gold_items = max(30, args.items // 10) if name == "adaptive" else 0
        port = args.http_port + n if args.http_port else None
        runs[name] = run_crowd(
            name, items=args.items, seed=args.seed, gold_items=gold_items, http_port=port, **RUNS[name]
        )
    return {"runs": list(runs.values()), "checks": checks(runs)}


def checks(runs: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The issue's targets, from whichever runs are there."""
    found: dict[str, Any] = {}
    if "fixed-3" in runs:
        fixed3 = runs["fixed-3"]
        found["dawidSkeneMinusMajorityVote"] = round(fixed3["dawidSkeneAccuracy"] - fixed3["majorityVoteAccuracy"], 4)
    if "fixed-5" in runs and "adaptive" in runs:
        fixed5, adaptive = runs["fixed-5"], runs["adaptive"]
        found["adaptiveMinusFixed5"] = round(adaptive["dawidSkeneAccuracy"] - fixed5["dawidSkeneAccuracy"], 4)
        found["adaptiveJudgmentShare"] = round(adaptive["judgments"] / fixed5["judgments"], 4)
        found["adaptiveJudgmentShareWithGold"] = round(
            (adaptive["judgments"] + adaptive["goldJudgments"]) / fixed5["judgments"], 4
        )
    return found


def timing_main(args: argparse.Namespace) -> dict[str, Any]:
    _django()
    import datetime as dt

    from bench import crowd
    from flows.delivery import outputs
    from flows.models import HumanLoop, ReviewTask
    from hitl.kernel import clock
    from inference_adapters.quality import flow_quality as quality

    people = crowd.reviewers(seed=args.seed)
    labels = list(crowd.CLASSES)
    per_item = 3
    items = args.judgments // per_item
    account, flow, users, _ = _tenant("timing", {}, per_item, len(people))
    now = clock.now()
    loops = HumanLoop.objects.bulk_create(
        HumanLoop(
            account=account,
            flow_definition=flow,
            template_id=flow.template_id,
            name=f"t-{n}",
            input_content="{}",
            input_json={},
            status="Completed",
            created_at=now,
            expires_at=now + dt.timedelta(days=1),
            finished_at=now,
            output_s3_uri=f"s3://quality-bench/out/t-{n}/output.json",
        )
        for n in range(items)
    )
    truth = crowd.truths(items, seed=args.seed)
    rows = crowd.fixed_overlap(people, truth, overlap=per_item, seed=args.seed)
    ReviewTask.objects.bulk_create(
        (
            ReviewTask(
                human_loop_id=loops[item].id,
                flow_definition=flow,
                workteam_id=flow.workteam_id,
                state="submitted",
                worker=users[reviewer],
                available_until=now,
                accepted_at=now,
                submitted_at=now,
                answer={"animal": {"label": labels[label]}},
            )
            for item, reviewer, label in rows
        ),
        batch_size=5000,
    )
    timings, cpu = [], []
    for _ in range(3):
        started, started_cpu = time.perf_counter(), time.process_time()
        run = quality.reestimate_flow(flow)
        timings.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    # finalize_loop's output step over 500 loops, in the same run with and without consolidation: the output.json
    # write alone, then the output.json write and the after-output hooks (write_consolidated), alternating per loop
    # so both see the same machine load. Wall time, and this thread's CPU time (what the load does not inflate).
    without, with_hooks, without_cpu, with_cpu = [], [], [], []
    sample = HumanLoop.objects.filter(flow_definition=flow).order_by("id")[:500]
    for loop in sample:
        loop.flow_definition = flow
        answers = list(
            ReviewTask.objects.filter(human_loop=loop, state="submitted")
            .select_related("worker__worker")
            .order_by("submitted_at", "id")
        )
        document = outputs.build_output_document(loop, answers)
        bucket, key = outputs.split_s3_path(loop.output_s3_uri)
        # Both objects exist before timing (a first write also makes the loop's folder), and the order
        # alternates, so neither variant pays for the other's first write.
        outputs.write_output(bucket, key, document)
        outputs.run_after_output_hooks(bucket, key, document, kms_key_id="", flow=flow)
        for consolidating in (False, True) if len(without) % 2 == 0 else (True, False):
            started, started_cpu = time.perf_counter(), time.thread_time()
            outputs.write_output(bucket, key, document)
            if consolidating:
                outputs.run_after_output_hooks(bucket, key, document, kms_key_id="", flow=flow)
            (with_hooks if consolidating else without).append(time.perf_counter() - started)
            (with_cpu if consolidating else without_cpu).append(time.thread_time() - started_cpu)

    def ms(values: list[float]) -> dict[str, float]:
        return {q: round(float(np.percentile(values, n)) * 1000, 3) for q, n in (("p50", 50), ("p95", 95))}

    return {
        "judgments": run.summary["judgments"],
        "loops": items,
        "reestimateSeconds": [round(t, 3) for t in timings],
        "reestimateCpuSeconds": [round(t, 3) for t in cpu],
        "outputStepMs": {"withoutConsolidation": ms(without), "withConsolidation": ms(with_hooks)},
        "outputStepCpuMs": {"withoutConsolidation": ms(without_cpu), "withConsolidation": ms(with_cpu)},
        "consolidationAddsP95Ms": round((np.percentile(with_hooks, 95) - np.percentile(without, 95)) * 1000, 3),
        "consolidationAddsCpuP95Ms": round((np.percentile(with_cpu, 95) - np.percentile(without_cpu, 95)) * 1000, 3),
        "database": os.environ["DATABASE_URL"].split(":", 1)[0],
        "loadAverage": [round(v, 2) for v in os.getloadavg()],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    crowd_parser = sub.add_parser("crowd")
    crowd_parser.add_argument("--items", type=int, default=2000)
    crowd_parser.add_argument("--seed", type=int, default=14)
    crowd_parser.add_argument("--out", default="bench/results/quality-crowd.json")
    crowd_parser.add_argument("--runs", default=",".join(RUNS), help="which runs, comma-separated")
    crowd_parser.add_argument(
        "--http-port", type=int, default=0, help="answer over HTTP to a gunicorn on this port (the next run: +1)"
    )
    crowd_parser.add_argument(
        "--rescore", default="", help="runs already answered in var/bench-quality.sqlite3 (e.g. fixed-3,fixed-5)"
    )
    timing_parser = sub.add_parser("timing")
    timing_parser.add_argument("--judgments", type=int, default=100_000)
    timing_parser.add_argument("--seed", type=int, default=14)
    timing_parser.add_argument("--out", default="bench/results/quality-timing.json")
    args = parser.parse_args(argv)
    result = crowd_main(args) if args.command == "crowd" else timing_main(args)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    json.dump(result, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
