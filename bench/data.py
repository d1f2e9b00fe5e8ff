"""Import, export and the console's loops list at scale (issue 18), in-process on PostgreSQL.

    export HITL_PG_PORT=... && scripts/services.sh start pg && eval "$(scripts/services.sh env pg)"
    .venv/bin/python -m bench.data --rows 1000000

Each phase runs in its own process (so the export's peak RSS is its own) on a
fresh database `hitl_data_bench` of that server:

1. import: a CSV of `--rows` rows uploaded through flows.loops.imports (stored
   as chunks, mapped, all rows started in one transaction through flows.loops.bulk);
   the rate counts run_import only, and, apart, the upload;
   search-index: the console's search table catches up on the imported loops
   (console.search_index.catch_up, what the beat sweep runs after an import), timed apart;
2. answers: every loop gets one submitted answer and is marked Completed, by
   SQL (seeding, not measured);
   grow (with --grow-to N): the account's loops are copied in SQL up to N (one
   in three of the copies left InProgress with an open task, the others
   Completed with their answer; each an hour older per copy round, each with
   its own name and input text), since the import path runs at a few thousand
   loops/s on this shared machine and the list, not the import, is measured;
3. export: JSONL of every answer through flows.delivery.exports, consolidated
   by the quality app as the console does, then JSONL and CSV without consolidation,
   written to /dev/null; answers/s and the process's peak RSS;
4. list: the console's loops page (the real view through Django's test client,
   signed in as the account's admin), one shape of query at a time: the first
   page, a page deep in the keyset walk, each filter alone (status, flow, name,
   dates, reviewer), text in the input (a rare and a common word), text in the
   answers, and a filter combination; p50/p95 of `--calls` requests each, the
   rendered page included. Another account's loops are in the same tables.

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
# Foreign-key constraints the import pays for, by the name --without-foreign-keys takes.
_FOREIGN_KEYS = {
    "loop.flow": ("flows_humanloop", "flow_definition_id"),
    "task.loop": ("flows_reviewtask", "human_loop_id"),
}
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
        self.postmaster = _parent(self.backend)
        self.start = (time.process_time(), _proc_cpu(self.backend), _server_cpu(self.postmaster))
        return self

    def __exit__(self, *exc) -> None:
        self.python = time.process_time() - self.start[0]
        self.postgres = _proc_cpu(self.backend) - self.start[1]
        self.server = _server_cpu(self.postmaster) - self.start[2]

    def report(self, units: int, name: str) -> dict:
        total = self.python + self.postgres
        return {
            "python_cpu_seconds": round(self.python, 2),
            "postgres_cpu_seconds": round(self.postgres, 2),
            # Every process of the server (other connections, e.g. the import's id reservations, the WAL
            # writer, the checkpointer): the backend's share above, and the rest.
            "postgres_server_cpu_seconds": round(self.server, 2),
            f"{name}_per_cpu_second": round(units / total) if total else None,
        }


def _proc_cpu(pid: int) -> float:
    """utime + stime of a process on this machine (the PostgreSQL backend runs here too)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _parent(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def _server_cpu(postmaster: int) -> float:
    """CPU seconds of a PostgreSQL server: the postmaster's own and its reaped children's, plus its live children's."""
    fields = Path(f"/proc/{postmaster}/stat").read_text().rsplit(")", 1)[1].split()
    total = sum(int(fields[i]) for i in (11, 12, 13, 14)) / os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if _parent(int(entry.name)) == postmaster:
                    total += _proc_cpu(int(entry.name))
            except (FileNotFoundError, ProcessLookupError):
                continue  # it ended meanwhile (its time is now in the postmaster's)
    return total


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


def phase_search_index() -> dict:
    """The sweep that copies newly started loops into the console's search table, run until it is done."""
    from console import search_index
    from console.models import LoopSearchBacklog

    started = time.perf_counter()
    with _Cpu() as cpu:
        copied = search_index.catch_up(max_seconds=float("inf"))
    seconds = time.perf_counter() - started
    assert not LoopSearchBacklog.objects.exists()
    return {
        **cpu.report(copied, "loops"),
        "loops": copied,
        "seconds": round(seconds, 2),
        "loops_per_second": round(copied / seconds) if seconds else None,
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


def phase_grow(target: int) -> dict:
    """Copy the account's loops (and their tasks) in SQL until it has `target` loops; see the module docstring."""
    from django.db import connection

    from flows.models import HumanLoop, ReviewTask

    account, flow = _tenant()
    loops, tasks = HumanLoop._meta.db_table, ReviewTask._meta.db_table
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*), max(id) FROM {loops}")
        have, loop_max = cursor.fetchone()
        cursor.execute(f"SELECT max(id) FROM {tasks}")
        (task_max,) = cursor.fetchone()
        rounds = -(-(target - have) // have)
        for first in range(1, rounds + 1, 5):  # five copies a statement: bounded transactions
            series = f"generate_series({first}, {min(rounds, first + 4)}) AS g"
            new_id = f"l.id + g * {loop_max}"
            cursor.execute(
                f"INSERT INTO {loops} (id, name, input_content, input_json, data_attributes, activation_output, "
                "status, failure_reason, failure_code, created_at, expires_at, finished_at, output_s3_uri, "
                "deleted_at, account_id, flow_definition_id, template_id, is_gold, flow_version_id) "
                f"SELECT {new_id}, 'g' || ({new_id}), c.text, c.text::jsonb, l.data_attributes, l.activation_output, "
                "CASE WHEN g %% 3 = 0 THEN 'InProgress' ELSE l.status END, l.failure_reason, l.failure_code, "
                "l.created_at - g * interval '1 hour', l.expires_at, "
                "CASE WHEN g %% 3 = 0 THEN NULL ELSE l.finished_at END, "
                "CASE WHEN g %% 3 = 0 THEN '' ELSE l.output_s3_uri END, "
                "l.deleted_at, l.account_id, l.flow_definition_id, l.template_id, l.is_gold, l.flow_version_id "
                f"FROM {loops} l, {series}, "
                f"LATERAL (SELECT json_build_object('taskObject', 'comment number ' || ({new_id}) "
                "|| ' about the product')::text AS text) c "
                f"WHERE l.account_id = %s AND l.id <= {loop_max} AND {new_id} <= %s",
                [account.id, target + loop_max - have],  # ids from 1 with no gaps: `target` loops in all
            )
            cursor.execute(
                f"INSERT INTO {tasks} (id, state, available_until, created_at, lease_expires_at, accepted_at, "
                "submitted_at, time_spent_seconds, answer, flow_definition_id, human_loop_id, worker_id, workteam_id) "
                f"SELECT t.id + g * {task_max}, CASE WHEN g %% 3 = 0 THEN 'open' ELSE t.state END, t.available_until, "
                "t.created_at - g * interval '1 hour', NULL, "
                "CASE WHEN g %% 3 = 0 THEN NULL ELSE t.accepted_at END, "
                "CASE WHEN g %% 3 = 0 THEN NULL ELSE t.submitted_at END, "
                "CASE WHEN g %% 3 = 0 THEN NULL ELSE t.time_spent_seconds END, "
                "CASE WHEN g %% 3 = 0 THEN NULL ELSE t.answer END, "
                f"t.flow_definition_id, t.human_loop_id + g * {loop_max}, "
                "CASE WHEN g %% 3 = 0 THEN NULL ELSE t.worker_id END, t.workteam_id "
                f"FROM {series} CROSS JOIN {tasks} t JOIN {loops} l ON l.id = t.human_loop_id + g * {loop_max} "
                f"WHERE t.human_loop_id <= {loop_max}",
                [],
            )
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('{loops}', 'id'), (SELECT max(id) FROM {loops}))")
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('{tasks}', 'id'), (SELECT max(id) FROM {tasks}))")
        _rare_answer(cursor, tasks)
        cursor.execute(f"SELECT count(*) FROM {loops} WHERE account_id = %s", [account.id])
        (total,) = cursor.fetchone()
        cursor.execute("VACUUM ANALYZE")
    return {"loops": total, "grow_seconds": round(time.perf_counter() - started, 1)}


def _rare_answer(cursor, tasks: str) -> None:
    """One answer in the middle of the table holds a word no other does (the text-in-answers search finds it)."""
    cursor.execute(
        f"UPDATE {tasks} SET answer = answer || %s::jsonb WHERE id = ("
        f"SELECT id FROM {tasks} WHERE answer IS NOT NULL ORDER BY id OFFSET (SELECT count(*) / 2 FROM {tasks}) "
        "LIMIT 1)",
        [json.dumps({"note": "blurry zebra crossing"})],
    )


def phase_other_tenant(rows: int) -> dict:
    """Another account with `rows` loops in the same tables: the console must not show them, nor slow down."""
    from django.db import connection

    from flows.models import HumanLoop
    from tests import factories as f

    other = f.account(name="bench-other")
    team = f.workteam(other, members=[], name="bench-other-team")
    flow = f.flow_definition(other, team, name="bench-other-flow", task_count=1)
    loops = HumanLoop._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {loops} (name, input_content, input_json, status, failure_reason, failure_code, "
            "created_at, expires_at, output_s3_uri, account_id, flow_definition_id, template_id, is_gold) "
            "SELECT 'o' || i, c.text, c.text::jsonb, 'InProgress', '', '', now() + interval '1 day', "
            "now() + interval '30 days', '', %s, %s, %s, false FROM generate_series(1, %s) AS i, "
            "LATERAL (SELECT json_build_object('taskObject', 'comment number ' || i || ' about the product')::text "
            "AS text) c",
            [other.id, flow.id, flow.template_id, rows],
        )
    return {"other_account_loops": rows}


def phase_export(export_format: str, consolidated: bool) -> dict:
    from console.export_views import consolidator
    from flows.delivery import exports

    _, flow = _tenant()
    answers = _exported_answers(flow)
    base_rss = _peak_rss_mb()
    started = time.perf_counter()
    size = 0
    with _Cpu() as cpu, open(os.devnull, "wb") as sink:
        for chunk in exports.export(flow, export_format, consolidate=consolidator(flow) if consolidated else None):
            size += len(chunk)
            sink.write(chunk)
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


def _exported_answers(flow) -> int:
    """The answers the export writes (counted before it, untimed): submitted answers of finished loops."""
    from flows.delivery.exports import EXPORTED_STATUSES
    from flows.models import ReviewTask

    return ReviewTask.objects.filter(
        human_loop__flow_definition=flow,
        human_loop__status__in=EXPORTED_STATUSES,
        human_loop__deleted_at__isnull=True,
        human_loop__is_gold=False,
        state=ReviewTask.State.SUBMITTED,
        answer__isnull=False,
    ).count()


def phase_list(calls: int) -> dict:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    from console import loop_search, search_index
    from console.models import LoopSearchText
    from flows.models import HumanLoop

    search_index.catch_up(max_seconds=float("inf"))  # loops seeded in SQL (grow) are indexed first: not timed
    with connection.cursor() as cursor:  # what autovacuum does within a minute of the sweep's inserts: not timed
        cursor.execute(f"ANALYZE {LoopSearchText._meta.db_table}")
    client = Client()
    client.force_login(get_user_model().objects.get(username="bench-admin"))
    account, flow = _tenant()
    mine = HumanLoop.objects.filter(account=account)
    middle = mine.order_by("-created_at", "-id")[mine.count() // 2]
    deep = f"{middle.created_at.isoformat()}~{middle.id}"  # the cursor of a page halfway down the walk
    day = middle.created_at.date().isoformat()
    queries = {
        "first page": {},
        "page halfway down (keyset)": {"after": deep},
        "status=InProgress": {"status": "InProgress"},
        "flow filter": {"flow": flow.id},
        "name search": {"name": f"g{middle.id}"},
        "date range (one day)": {"created_from": day, "created_to": day},
        "reviewer": {"reviewer": "bench-reviewer"},
        "text in input, rare": {"q": f"number {middle.id} about"},
        "text in input, common": {"q": "about the product"},
        "text in answers, rare": {"q": "blurry zebra"},
        "status + flow + reviewer": {"status": "Completed", "flow": flow.id, "reviewer": "bench-reviewer"},
    }
    results = {"account_loops": mine.count(), "page_size": loop_search.PAGE_SIZE}
    client.get("/console/loops/")  # the session and the backend are warm before the first timed call
    for label, params in queries.items():
        times = []
        with _Cpu() as cpu:
            for _ in range(calls):
                started = time.perf_counter()
                response = client.get("/console/loops/", params)
                times.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, (label, response.status_code)
        times.sort()
        results[label] = {
            "rows": response.content.count(b"<tr data-loop="),
            "p50_ms": round(statistics.median(times), 1),
            "p95_ms": round(times[max(0, int(0.95 * len(times)) - 1)], 1),
            # CPU per request (this process + its PostgreSQL backend): what the load cannot inflate.
            "cpu_ms": round((cpu.python + cpu.postgres) * 1000 / calls, 1),
            "postgres_cpu_ms": round(cpu.postgres * 1000 / calls, 1),
        }
    return results


PHASES = {
    "setup": lambda args: phase_setup(),
    "import": lambda args: phase_import(args.rows),
    "search-index": lambda args: phase_search_index(),
    "answers": lambda args: phase_answers(),
    "grow": lambda args: phase_grow(args.grow_to),
    "other-tenant": lambda args: phase_other_tenant(args.other_rows),
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
    parser.add_argument("--grow-to", type=int, default=0, help="copy the imported loops in SQL up to this many")
    parser.add_argument("--other-rows", type=int, default=100_000, help="loops of another account (other-tenant)")
    parser.add_argument("--phase", choices=sorted(PHASES), help="(internal) run one phase in this process")
    parser.add_argument(
        "--phases",
        default="setup,import,search-index,answers,export-jsonl,export-jsonl-raw,export-csv,list",
        help="comma-separated, in order",
    )
    parser.add_argument(
        "--without-trigram-indexes",
        action="store_true",
        help="drop the console's pg_trgm indexes first, to see what they cost each insert",
    )
    parser.add_argument(
        "--without-foreign-keys",
        default="",
        help=f"drop these constraints first ({','.join(_FOREIGN_KEYS)}), to see what they cost an import",
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
    if args.without_foreign_keys:
        import psycopg

        with psycopg.connect(env["DATABASE_URL"], autocommit=True) as conn:
            for table, column in [_FOREIGN_KEYS[name] for name in args.without_foreign_keys.split(",")]:
                (name,) = conn.execute(
                    "SELECT conname FROM pg_constraint WHERE contype = 'f' AND conrelid = %s::regclass "
                    "AND conkey = ARRAY[(SELECT attnum FROM pg_attribute WHERE attrelid = %s::regclass AND attname = %s)]",
                    [table, table, column],
                ).fetchone()
                conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    if args.without_trigram_indexes:
        import psycopg

        with psycopg.connect(env["DATABASE_URL"], autocommit=True) as conn:
            for (name,) in conn.execute("SELECT indexname FROM pg_indexes WHERE indexname LIKE '%%trgm%%'").fetchall():
                conn.execute(f'DROP INDEX "{name}"')
    report = {
        "rows": args.rows,
        "without_trigram_indexes": args.without_trigram_indexes,
        "without_foreign_keys": args.without_foreign_keys,
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
                "--grow-to",
                str(args.grow_to),
                "--other-rows",
                str(args.other_rows),
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
