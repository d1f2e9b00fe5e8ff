"""Import, export and the console's loops list at scale (issue 18), in-process on PostgreSQL.

    export HITL_PG_PORT=... && scripts/services.sh start pg && eval "$(scripts/services.sh env pg)"
    .venv/bin/python -m bench.data --rows 1000000

Each phase runs in its own process (so the export's peak RSS is its own) on a
fresh database `hitl_data_bench` of that server:

1. import: a CSV of `--rows` rows uploaded through flows.loops.imports (stored
   as chunks, mapped, all rows started in one transaction through flows.loops.bulk);
   the rate counts run_import only, and, apart, the upload;
2. answers: every loop gets one submitted answer and is marked Completed, by
   SQL (seeding, not measured);
3. export: JSONL of every answer through flows.delivery.exports, consolidated
   by the quality app as the console does, then JSONL and CSV without consolidation,
   written to /dev/null; answers/s and the process's peak RSS;
4. list: the console's loops page (the real view through Django's test client,
   signed in as the account's admin): the first page, a page deep in the
   keyset walk, a status filter, a name search and a text search; p50/p95 of
   `--calls` requests each.

Results are printed and written to bench/results/data-<time>.json.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
DATABASE = os.environ.get("HITL_DATA_BENCH_DATABASE", "hitl_data_bench")


def _django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hitl.settings")
    os.environ.setdefault("DJANGO_DEBUG", "false")
    import django

    django.setup()


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class _Cpu:
    """CPU seconds of this process and of its PostgreSQL backend: the cost of a phase, whatever else the cores run.

    On a shared, loaded machine wall time mostly measures the queue for a core; CPU time
    does not, and rows / CPU seconds is the rate the two cores could give this work alone.
    """

    def __enter__(self) -> _Cpu:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            self.backend = cursor.fetchone()[0]
        self.start = (time.process_time(), _proc_cpu(self.backend))
        return self

    def __exit__(self, *exc) -> None:
        self.python = time.process_time() - self.start[0]
        self.postgres = _proc_cpu(self.backend) - self.start[1]

    def report(self, units: int, name: str) -> dict:
        total = self.python + self.postgres
        return {
            "python_cpu_seconds": round(self.python, 2),
            "postgres_cpu_seconds": round(self.postgres, 2),
            f"{name}_per_cpu_second": round(units / total) if total else None,
        }


def _proc_cpu(pid: int) -> float:
    """utime + stime of a process on this machine (the PostgreSQL backend runs here too)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _tenant():
    from flows.models import FlowDefinition

    flow = FlowDefinition.objects.select_related("account").get(name="bench-import")
    return flow.account, flow


def phase_setup() -> dict:
    from django.contrib.auth import get_user_model

    from tests import factories as f

    acct = f.account(name="bench-data")
    reviewer = f.user("bench-reviewer")
    admin = get_user_model().objects.create_user("bench-admin", password="x", is_staff=True)
    acct.admins.add(admin)
    team = f.workteam(acct, members=[reviewer], name="bench-team")
    f.flow_definition(acct, team, name="bench-import", task_count=1)
    return {}


def phase_import(rows: int) -> dict:
    from flows.loops import imports

    account, flow = _tenant()
    text = "ref,comment\n" + "".join(f"r{i},comment number {i} about the product\n" for i in range(rows))
    started = time.perf_counter()
    job = imports.create_import(account, flow, io.BytesIO(text.encode()), file_name="bench.csv")
    upload_seconds = time.perf_counter() - started
    imports._run_in_background = lambda job_id: None  # run it here, timed
    imports.set_mapping(job, {"taskObject": "comment"}, name_column="ref")
    started = time.perf_counter()
    with _Cpu() as cpu:
        done = imports.run_import(job.id)
    seconds = time.perf_counter() - started
    assert done.state == "done" and done.created == rows, (done.state, done.message)
    return {
        **cpu.report(rows, "loops"),
        "rows": rows,
        "upload_seconds": round(upload_seconds, 2),
        "import_seconds": round(seconds, 2),
        "loops_per_second": round(rows / seconds),
        "peak_rss_mb": round(_peak_rss_mb()),
    }


def phase_answers() -> dict:
    from django.db import connection

    from flows.models import HumanLoop, ReviewTask

    account, flow = _tenant()
    from django.contrib.auth import get_user_model

    reviewer = get_user_model().objects.get(username="bench-reviewer")
    answer = json.dumps({"sentiment": {"label": "Positive"}})
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {ReviewTask._meta.db_table} SET state = 'submitted', worker_id = %s, answer = %s::jsonb, "
            "accepted_at = now(), submitted_at = now(), time_spent_seconds = 12.5 WHERE flow_definition_id = %s",
            [reviewer.pk, answer, flow.id],
        )
        cursor.execute(
            f"UPDATE {HumanLoop._meta.db_table} SET status = 'Completed', finished_at = now(), "
            "output_s3_uri = 's3://bench/out.json' WHERE flow_definition_id = %s",
            [flow.id],
        )
        cursor.execute("VACUUM ANALYZE")
    return {"seed_seconds": round(time.perf_counter() - started, 1)}


def phase_export(export_format: str, consolidated: bool) -> dict:
    from console.export_views import consolidator
    from flows.delivery import exports

    _, flow = _tenant()
    base_rss = _peak_rss_mb()
    started = time.perf_counter()
    loops = exports.export_loops(flow, consolidate=consolidator(flow) if consolidated else None)
    size = 0
    counted = _count_answers(loops)
    with _Cpu() as cpu, open(os.devnull, "wb") as sink:
        for chunk in exports.render(flow, counted, export_format):
            size += len(chunk)
            sink.write(chunk)
    answers = counted.answers
    seconds = time.perf_counter() - started
    return {
        **cpu.report(answers, "answers"),
        "format": export_format,
        "consolidated": consolidated,
        "answers": answers,
        "seconds": round(seconds, 2),
        "answers_per_second": round(answers / seconds),
        "megabytes": round(size / 1e6, 1),
        "peak_rss_mb": round(_peak_rss_mb()),
        "rss_before_mb": round(base_rss),
    }


class _count_answers:
    def __init__(self, loops) -> None:
        self.loops = loops
        self.answers = 0

    def __iter__(self):
        for loop in self.loops:
            self.answers += len(loop.answers)
            yield loop


def phase_list(calls: int) -> dict:
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username="bench-admin"))
    _, flow = _tenant()
    queries = {
        "first page": {},
        "status=Completed": {"status": "Completed"},
        "flow filter": {"flow": flow.id},
        "name search": {"name": "r77777"},
        "text search (input)": {"q": "number 123456 about"},
    }
    results = {}
    for label, params in queries.items():
        times = []
        for _ in range(calls):
            started = time.perf_counter()
            response = client.get("/console/loops/", params)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (label, response.status_code)
        times.sort()
        results[label] = {
            "p50_ms": round(statistics.median(times), 1),
            "p95_ms": round(times[max(0, int(0.95 * len(times)) - 1)], 1),
        }
    return results


PHASES = {
    "setup": lambda args: phase_setup(),
    "import": lambda args: phase_import(args.rows),
    "answers": lambda args: phase_answers(),
    "export-jsonl": lambda args: phase_export("jsonl", True),
    "export-jsonl-raw": lambda args: phase_export("jsonl", False),
    "export-csv": lambda args: phase_export("csv", False),
    "list": lambda args: phase_list(args.calls),
}


def _fresh_database(url: str) -> str:
    import psycopg

    base = url.rsplit("/", 1)[0]
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
        conn.execute(f"CREATE DATABASE {DATABASE}")
    return f"{base}/{DATABASE}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--calls", type=int, default=40)
    parser.add_argument("--phase", choices=sorted(PHASES), help="(internal) run one phase in this process")
    parser.add_argument(
        "--phases",
        default="setup,import,answers,export-jsonl,export-jsonl-raw,export-csv,list",
        help="comma-separated, in order",
    )
    parser.add_argument(
        "--without-trigram-indexes",
        action="store_true",
        help="drop the console's pg_trgm indexes first, to see what they cost each insert",
    )
    args = parser.parse_args(argv)
    if args.phase:
        _django()
        print(json.dumps(PHASES[args.phase](args)))
        return 0

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        parser.error("set DATABASE_URL to a PostgreSQL server (scripts/services.sh env pg)")
    env = dict(os.environ, DATABASE_URL=_fresh_database(url), DJANGO_DEBUG="false")
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
    if args.without_trigram_indexes:
        import psycopg

        with psycopg.connect(env["DATABASE_URL"], autocommit=True) as conn:
            for (name,) in conn.execute("SELECT indexname FROM pg_indexes WHERE indexname LIKE '%%trgm%%'").fetchall():
                conn.execute(f'DROP INDEX "{name}"')
    report = {
        "rows": args.rows,
        "without_trigram_indexes": args.without_trigram_indexes,
        "load_average_at_start": os.getloadavg(),
    }
    for phase in args.phases.split(","):
        output = subprocess.run(
            [
                sys.executable,
                "-m",
                "bench.data",
                "--phase",
                phase,
                "--rows",
                str(args.rows),
                "--calls",
                str(args.calls),
            ],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        report[phase] = json.loads(output.strip().splitlines()[-1])
        print(phase, report[phase], flush=True)
    report["load_average_at_end"] = os.getloadavg()
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"data-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(report, indent=2))
    print(f"written {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
