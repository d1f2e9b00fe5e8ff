"""Import and export side by side with Label Studio (`make bench-peer`), each through the product's own HTTP path.

    .venv/bin/python -m bench.peer_data hitl --rows 10000 --out hitl-data.json
    .venv/bin/python -m bench.peer_data label-studio --url http://127.0.0.1:8090 --token T --rows 10000 --out ls.json

Both sides get the same CSV file (`ref,text,score`, the peer script's item, about 100 bytes a row):

- hitl: a console admin signs in through the sign-in page, uploads the file on the console's
  import page, posts the column mapping (text -> taskObject) and polls the progress endpoint the
  progress bar reads until the job is done. The import runs as the product runs it: the
  `flows.tasks.run_import` Celery task on the bench stack's one worker, all rows in one
  transaction. Then the loops get one answer each (seeded by SQL, not timed) and the console's
  export downloads them (`/console/export/?go=download`, JSONL with the consolidated answer, and CSV).
- Label Studio: the file is posted to `/api/projects/{id}/import` as a multipart upload (what its
  "Import" dialog sends), timed until the project counts every task. For the export a project is
  seeded with tasks that carry one annotation each (one import request, not timed), then
  `/api/projects/{id}/export?exportType=JSON|CSV` is downloaded.

Each repeat imports into an empty flow / project. Rates are rows (or answers) over the wall time
from the first byte sent to the last one received (import: until the job or project reports all rows).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import requests

from bench.stack import ROOT, Stack

CONSOLE_USER = "bench-console"
CONSOLE_PASSWORD = "bench-console-pass-123"
ANSWER = {"sentiment": {"label": "Positive"}}
LS_ANNOTATION = [{"from_name": "sentiment", "to_name": "text", "type": "choices", "value": {"choices": ["positive"]}}]
POLL_SECONDS = 0.1


def csv_rows(rows: int) -> bytes:
    """The file both products import: a header and one row per item, as the peer script's item()."""
    lines = ["ref,text,score\n"]
    lines += [
        f"doc-{i},Review item {i}: the model flagged this sentence as possibly negative.,0.42\n" for i in range(rows)
    ]
    return "".join(lines).encode()


def _log(*args: Any) -> None:
    print("peer-data:", *args, file=sys.stderr, flush=True)


# --- hitl -------------------------------------------------------------------------------------


class Console:
    """A signed-in browser session on the console, as requests sends it (form posts with the CSRF token)."""

    def __init__(self, base: str, username: str, password: str) -> None:
        self.base = base
        self.session = requests.Session()
        self.session.get(f"{base}/accounts/login/", timeout=30).raise_for_status()
        reply = self.post("/accounts/login/", {"login": username, "password": password})
        if reply.url.rstrip("/").endswith("/accounts/login"):
            raise RuntimeError(f"console sign-in failed: HTTP {reply.status_code}")

    def post(self, path: str, data: dict, files: dict | None = None) -> requests.Response:
        data = dict(data, csrfmiddlewaretoken=self.session.cookies.get("csrftoken", ""))
        reply = self.session.post(f"{self.base}{path}", data=data, files=files, timeout=600)
        reply.raise_for_status()
        return reply

    def import_csv(self, flow_id: int, body: bytes, rows: int, timeout: float = 1800) -> dict[str, Any]:
        """Upload, map, and wait for the job as the import page does; return the timings."""
        started = time.perf_counter()
        reply = self.post("/console/import/", {"flow": str(flow_id)}, files={"file": ("items.csv", body, "text/csv")})
        job_path = reply.url.removeprefix(self.base)
        if not job_path.startswith("/console/import/") or job_path.rstrip("/") == "/console/import":
            raise RuntimeError(f"upload refused (landed on {reply.url})")
        uploaded = time.perf_counter()
        self.post(job_path, {"field": "taskObject", "column-taskObject": "text", "name_column": ""})
        mapped = time.perf_counter()
        while True:
            state = self.session.get(f"{self.base}{job_path}progress", timeout=30).json()
            if state["state"] in ("done", "failed") or time.perf_counter() - started > timeout:
                break
            time.sleep(POLL_SECONDS)
        finished = time.perf_counter()
        if state["state"] != "done" or state["created"] != rows:
            raise RuntimeError(f"import did not finish: {state}")
        return {
            "rows": rows,
            "megabytes": round(len(body) / 1e6, 2),
            "upload_s": round(uploaded - started, 3),
            "mapping_s": round(mapped - uploaded, 3),
            "wall_s": round(finished - started, 3),
            "rows_per_s": round(rows / (finished - started), 1),
        }

    def export(self, flow_id: int, export_format: str, answers: int) -> dict[str, Any]:
        started = time.perf_counter()
        size = lines = 0
        with self.session.get(
            f"{self.base}/console/export/",
            params={"flow": flow_id, "format": export_format, "go": "download"},
            stream=True,
            timeout=600,
        ) as reply:
            reply.raise_for_status()
            for chunk in reply.iter_content(1 << 16):
                size += len(chunk)
                lines += chunk.count(b"\n")
        seconds = time.perf_counter() - started
        expected = answers + (1 if export_format == "csv" else 0)  # the CSV's header row
        if lines != expected:
            raise RuntimeError(f"{export_format} export has {lines} lines, expected {expected}")
        return _export_result(export_format, answers, size, seconds)


def _export_result(export_format: str, answers: int, size: int, seconds: float) -> dict[str, Any]:
    return {
        "format": export_format,
        "answers": answers,
        "megabytes": round(size / 1e6, 2),
        "wall_s": round(seconds, 3),
        "answers_per_s": round(answers / seconds, 1),
    }


def _console_admin(stack: Stack) -> None:
    """An account admin who signs in with a password (the console's user); made with the ORM, as there is no command."""
    os.environ.update(stack.env)
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connections

    from workforce.models import Account

    user = get_user_model().objects.create_user(CONSOLE_USER, email="console@example.com", password=CONSOLE_PASSWORD)
    Account.objects.get(name="bench").admins.add(user)
    connections.close_all()


def answer_loops(flow_id: int, reviewer_id: int, count: int) -> int:
    """Give the flow's first `count` loops one submitted answer each and finish them (export seeding, not timed)."""
    from django.utils import timezone

    from flows.models import HumanLoop, ReviewTask

    now = timezone.now()
    loops = list(
        HumanLoop.objects.filter(flow_definition_id=flow_id).order_by("id").values_list("id", flat=True)[:count]
    )
    answered = ReviewTask.objects.filter(human_loop_id__in=loops).update(
        state=ReviewTask.State.SUBMITTED,
        worker_id=reviewer_id,
        answer=ANSWER,
        accepted_at=now,
        submitted_at=now,
        time_spent_seconds=12.5,
    )
    HumanLoop.objects.filter(id__in=loops).update(
        status=HumanLoop.Status.COMPLETED, finished_at=now, output_s3_uri="s3://a2i-results/bench/output.json"
    )
    return answered


def _answer_on_stack(stack: Stack, flow_id: int, count: int) -> int:
    from django.contrib.auth import get_user_model
    from django.db import connections

    reviewer = get_user_model().objects.get(username="qrev0").pk  # the import flows' team's reviewer
    answered = answer_loops(flow_id, reviewer, count)
    connections.close_all()
    for table in ("flows_humanloop", "flows_reviewtask"):
        stack.psql(f"VACUUM ANALYZE {table}", stack.database)  # what autovacuum does soon after
    return answered


def hitl_side(rows: int, answers: int, repeats: int) -> dict[str, Any]:
    """Bring up the bench stack, import `rows` rows through the console `repeats` times, export `answers` of them."""
    # Plain HTTP on 127.0.0.1: the session cookie must not be Secure-only (what HITL_SECURE_COOKIES is for).
    os.environ["HITL_SECURE_COOKIES"] = "false"
    stack = Stack()
    result: dict[str, Any] = {"rows": rows, "answers": answers, "import": [], "export": []}
    result["loadavg_before"] = os.getloadavg()
    body = csv_rows(rows)
    with tempfile.TemporaryDirectory(prefix="hitl-peer-data-") as tmp:
        try:
            stack.start()
            state_path = Path(tmp) / "state.json"
            subprocess.run(
                [sys.executable, "-m", "bench.fixtures", "setup", "--reviewers", "0", "--queue-reviewers", "1"]
                + ["--import-flows", str(repeats), "--out", str(state_path)],
                cwd=ROOT,
                env=stack.env,
                check=True,
            )
            cfg = json.loads(state_path.read_text())
            _console_admin(stack)
            console = Console(f"http://127.0.0.1:{stack.web_port}", CONSOLE_USER, CONSOLE_PASSWORD)
            for rep in range(1, repeats + 1):
                flow_id = cfg["flows"][f"bench-import-{rep}"]["id"]
                r = console.import_csv(flow_id, body, rows) | {"repeat": rep}
                result["import"].append(r)
                _log("hitl console import", r)
            flow_id = cfg["flows"]["bench-import-1"]["id"]
            if _answer_on_stack(stack, flow_id, answers) != answers:
                raise RuntimeError(f"could not answer {answers} loops of {rows}")
            for rep in range(1, repeats + 1):
                for export_format in ("jsonl", "csv"):
                    r = console.export(flow_id, export_format, answers) | {"repeat": rep}
                    result["export"].append(r)
                    _log("hitl console export", r)
        finally:
            result["loadavg_after"] = os.getloadavg()
            stack.stop()
    return result


# --- Label Studio ------------------------------------------------------------------------------


class LabelStudio:
    """Label Studio's REST API with its legacy token."""

    def __init__(self, url: str, token: str) -> None:
        self.url = url.rstrip("/")
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Token {token}"

    def call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        reply = self.session.request(method, self.url + path, timeout=1800, **kwargs)
        if reply.status_code >= 300:
            raise RuntimeError(f"{method} {path}: HTTP {reply.status_code} {reply.text[:300]}")
        return reply

    def project(self, title: str) -> int:
        from_peer_script = (
            '<View><Text name="text" value="$text"/>'
            '<Choices name="sentiment" toName="text" choice="single">'
            '<Choice value="positive"/><Choice value="negative"/><Choice value="neutral"/></Choices></View>'
        )
        return self.call("POST", "/api/projects/", json={"title": title, "label_config": from_peer_script}).json()["id"]

    def task_count(self, project: int) -> int:
        return self.call("GET", f"/api/projects/{project}/").json()["task_number"]

    def import_csv(self, project: int, body: bytes, rows: int, timeout: float = 1800) -> dict[str, Any]:
        started = time.perf_counter()
        self.call("POST", f"/api/projects/{project}/import", files={"file": ("items.csv", body, "text/csv")})
        posted = time.perf_counter()
        while (count := self.task_count(project)) < rows and time.perf_counter() - started < timeout:
            time.sleep(POLL_SECONDS)
        finished = time.perf_counter()
        if count != rows:
            raise RuntimeError(f"Label Studio imported {count} of {rows} rows")
        return {
            "rows": rows,
            "megabytes": round(len(body) / 1e6, 2),
            "post_s": round(posted - started, 3),
            "wall_s": round(finished - started, 3),
            "rows_per_s": round(rows / (finished - started), 1),
        }

    def seed_annotated(self, project: int, answers: int) -> None:
        tasks = [
            {
                "data": {"text": f"Review item {i}: the model flagged this sentence.", "source_id": f"doc-{i}"},
                "annotations": [{"result": LS_ANNOTATION}],
            }
            for i in range(answers)
        ]
        self.call("POST", f"/api/projects/{project}/import", json=tasks)

    def export(self, project: int, export_type: str, answers: int) -> dict[str, Any]:
        started = time.perf_counter()
        size = 0
        with self.session.get(
            f"{self.url}/api/projects/{project}/export", params={"exportType": export_type}, stream=True, timeout=1800
        ) as reply:
            if reply.status_code >= 300:
                raise RuntimeError(f"export {export_type}: HTTP {reply.status_code} {reply.text[:300]}")
            chunks = [chunk for chunk in reply.iter_content(1 << 16)]
            size = sum(len(chunk) for chunk in chunks)
        seconds = time.perf_counter() - started
        exported = _count_ls_export(b"".join(chunks), export_type)
        if exported != answers:
            raise RuntimeError(
                f"Label Studio's {export_type} export has {exported} annotated tasks, expected {answers}"
            )
        return _export_result(export_type.lower(), answers, size, seconds)


def _count_ls_export(body: bytes, export_type: str) -> int:
    if export_type == "JSON":
        return sum(1 for task in json.loads(body) if task.get("annotations"))
    return body.count(b"\n") - 1  # a header row, then one line per task (the text has no newline)


def label_studio_side(url: str, token: str, rows: int, answers: int, repeats: int) -> dict[str, Any]:
    ls = LabelStudio(url, token)
    tag = str(int(time.time()))
    body = csv_rows(rows)
    result: dict[str, Any] = {"rows": rows, "answers": answers, "import": [], "export": []}
    result["server_version"] = ls.call("GET", "/api/version").json().get("release")
    for rep in range(1, repeats + 1):
        r = ls.import_csv(ls.project(f"peer-csv-{tag}-{rep}"), body, rows) | {"repeat": rep}
        result["import"].append(r)
        _log("Label Studio CSV import", r)
    project = ls.project(f"peer-export-{tag}")
    ls.seed_annotated(project, answers)
    for rep in range(1, repeats + 1):
        for export_type in ("JSON", "CSV"):
            r = ls.export(project, export_type, answers) | {"repeat": rep}
            result["export"].append(r)
            _log("Label Studio export", r)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("side", choices=("hitl", "label-studio"))
    parser.add_argument("--rows", type=int, default=10_000, help="rows per import")
    parser.add_argument("--answers", type=int, default=5_000, help="answers per export (at most --rows)")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--url", help="Label Studio's base URL")
    parser.add_argument("--token", help="Label Studio's legacy API token")
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    if args.side == "hitl":
        result = hitl_side(args.rows, args.answers, args.repeats)
    else:
        if not (args.url and args.token):
            parser.error("label-studio needs --url and --token")
        result = label_studio_side(args.url, args.token, args.rows, args.answers, args.repeats)
    Path(args.out).write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
