"""Submit -> next task rendered, in Chromium, against a server holding 1,000,000 open loops (issue 19).

    .venv/bin/python -m bench.seat [--loops 1000000] [--tasks 60] [--think 1.0] [--keep]

Brings up the bench stack (bench/stack.py: PostgreSQL, Redis, the S3 test server, one Celery
worker, gunicorn), seeds the queue flow with `manage.py bulk_start` (COPY; `--bulk` loops) and
copies those rows in PostgreSQL up to `--loops` (grow_by_copies), signs a reviewer in
through the portal's login page in headless Chromium, and answers `--tasks` tasks with the
keyboard twice: with the next task loaded ahead (the portal's default), and with it turned off
(the page's POST /portal/api/tasks/ahead answered 204 by the browser, so every submit loads the
next page, as before issue 19). The reviewer "thinks" `--think` seconds on each task.

What is timed, in the page itself: from the task frame's hitl:submit message reaching the portal
page (the reviewer pressed Enter) to two animation frames after the next task is on the screen
(portal.js's hitl:task-shown event: the swap, or the new page's task frame ready). The submit's
own round trip is inside that time in both modes.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.clients import latency_stats
from bench.run import RESULTS, log, seed, subprocess_env_python
from bench.stack import Stack

PASSWORD = "bench seat password"
REVIEWER = "seat-reviewer"
FLOW = "bench-queue"
CHROMIUM = "/usr/bin/chromium"  # Debian's, as the browser tests use
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]

# Runs in the portal page only (the sandboxed task frame has no sessionStorage), before portal.js.
TIMING_SCRIPT = """
if (window.top === window) {
  addEventListener('message', (e) => {
    if (e.data && e.data.type === 'hitl:submit') {
      sessionStorage.setItem('hitlSubmitAt', String(performance.timeOrigin + performance.now()));
    }
  }, true);
  addEventListener('hitl:task-shown', () => {
    const t0 = sessionStorage.getItem('hitlSubmitAt');
    if (!t0) return;
    sessionStorage.removeItem('hitlSubmitAt');
    requestAnimationFrame(() => requestAnimationFrame(() => {
      const list = JSON.parse(sessionStorage.getItem('hitlShownMs') || '[]');
      list.push(performance.timeOrigin + performance.now() - Number(t0));
      sessionStorage.setItem('hitlShownMs', JSON.stringify(list));
    }));
  });
}
"""
COUNT_JS = "() => JSON.parse(sessionStorage.getItem('hitlShownMs') || '[]').length"

# The requests a swap (or, without a task ahead, a page load) makes, by what they do.
ENDPOINTS = {
    "submit": re.compile(r"/portal/api/tasks/\d+/submit$"),
    "claim_ahead": re.compile(r"/portal/api/tasks/ahead\?"),
    "show": re.compile(r"/portal/api/tasks/\d+/show$"),
    "release": re.compile(r"/portal/api/tasks/\d+/release$"),
    "next_page": re.compile(r"/portal/work/\?"),
    "frame": re.compile(r"/portal/tasks/\d+/frame$"),
}


def endpoint_of(url: str) -> str | None:
    return next((name for name, pattern in ENDPOINTS.items() if pattern.search(url)), None)


def measure(browser: Any, base: str, tasks: int, think: float, prefetch: bool) -> tuple[list[float], dict]:
    """Answer `tasks` tasks in one browser context.

    Returns the submit -> next task shown times in ms, and per endpoint the server's time to
    answer each request (Chromium's request start to first response byte: the server's work plus
    any wait for a free gunicorn worker; loopback adds well under a millisecond).
    """
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(TIMING_SCRIPT)
    page = context.new_page()
    page.set_default_timeout(30_000)
    waits: dict[str, list[float]] = {}
    signed_in = [False]

    def on_finished(request: Any) -> None:
        name = endpoint_of(request.url)
        timing = request.timing
        if name and signed_in[0] and timing["requestStart"] >= 0 and timing["responseStart"] >= 0:
            waits.setdefault(name, []).append((timing["responseStart"] - timing["requestStart"]) / 1000)

    page.on("requestfinished", on_finished)
    if not prefetch:
        page.route("**/portal/api/tasks/ahead*", lambda route: route.fulfill(status=204))
    page.goto(base + "/accounts/login/")
    page.fill("input[name=login]", REVIEWER)
    page.fill("input[name=password]", PASSWORD)
    page.click("#login-button")
    page.wait_for_url("**/portal/**")
    page.goto(f"{base}/portal/work/?flow={FLOW}")
    signed_in[0] = True
    for n in range(tasks):
        page.wait_for_selector("#task-frame.ready")
        page.frame_locator("#task-frame").locator("crowd-classifier").wait_for()
        time.sleep(think)
        page.keyboard.press("1")
        page.keyboard.press("Enter")
        _wait_for_count(page, n + 1)
    shown = page.evaluate("() => JSON.parse(sessionStorage.getItem('hitlShownMs') || '[]')")
    context.close()
    return shown, {name: latency_stats(seconds) for name, seconds in sorted(waits.items())}


def _wait_for_count(page: Any, n: int) -> None:
    """Wait until `n` tasks were timed; a page load in between (no task ahead) restarts the wait."""
    deadline = time.monotonic() + 90  # a loaded shared machine: the 14:16 run missed a 30 s wait
    while time.monotonic() < deadline:
        try:
            page.wait_for_function(f"() => ({COUNT_JS})() >= {n}", timeout=90_000)
            return
        except Exception as exc:  # the page navigated while we waited (Playwright's Error)
            if "context was destroyed" not in str(exc) and "navigation" not in str(exc).lower():
                raise
            page.wait_for_load_state("domcontentloaded")
    raise TimeoutError(f"task {n} was never shown")


def columns(stack: Stack, table: str) -> list[str]:
    sql = f"SELECT column_name FROM information_schema.columns WHERE table_name = '{table}' ORDER BY ordinal_position"
    return stack.psql(sql, stack.database).split()


def grow_by_copies(stack: Stack, target: int) -> dict[str, Any]:
    """Grow the open loops to `target` by copying the bulk-started ones in PostgreSQL (INSERT ... SELECT).

    On this shared 2-core machine bulk_start ran at 100-1,000 loops/s under other sessions' load, so
    1,000,000 loops took too long; each copy is a loop row of the same flow and input under a new
    name and id, with its open review task: the same rows bulk_start writes (the claim's partial
    index, the loop list index and the sequences are kept right; VACUUM ANALYZE afterwards).
    """
    started = time.perf_counter()
    have = int(stack.psql("SELECT count(*) FROM flows_humanloop", stack.database))
    loop_max = int(stack.psql("SELECT max(id) FROM flows_humanloop", stack.database))
    task_max = int(stack.psql("SELECT max(id) FROM flows_reviewtask", stack.database))
    copies = -(-(target - have) // have)  # ceiling
    loop_cols = columns(stack, "flows_humanloop")
    task_cols = columns(stack, "flows_reviewtask")
    loop_select = [
        f"id + g * {loop_max}" if c == "id" else "name || '-c' || g" if c == "name" else c for c in loop_cols
    ]
    task_select = [
        f"id + g * {task_max}" if c == "id" else f"human_loop_id + g * {loop_max}" if c == "human_loop_id" else c
        for c in task_cols
    ]
    for g_from in range(1, copies + 1, 10):  # ten copies a statement: bounded transactions
        g_to = min(copies, g_from + 9)
        series = f"generate_series({g_from}, {g_to}) AS g"
        stack.psql(
            f"INSERT INTO flows_humanloop ({', '.join(loop_cols)}) SELECT {', '.join(loop_select)} "
            f"FROM flows_humanloop, {series} WHERE id <= {loop_max}",
            stack.database,
        )
        stack.psql(
            f"INSERT INTO flows_reviewtask ({', '.join(task_cols)}) SELECT {', '.join(task_select)} "
            f"FROM flows_reviewtask, {series} WHERE id <= {task_max}",
            stack.database,
        )
    for table in ("flows_humanloop", "flows_reviewtask"):
        stack.psql(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))", stack.database
        )
        stack.psql(f"VACUUM ANALYZE {table}", stack.database)
    result = {"copied_from": have, "copies": copies, "wall_s": round(time.perf_counter() - started, 1)}
    log("grown", result)
    return result


def _seeded(stack: Stack, loops: int) -> bool:
    """Return True if the bench database already holds `loops` open loops (an earlier run's reviewer took a few)."""
    stack.services("start", "pg")
    try:
        return open_loops(stack) >= loops * 0.99
    except subprocess.CalledProcessError:  # no database yet
        return False


def open_loops(stack: Stack) -> int:
    return int(stack.psql("SELECT count(*) FROM flows_humanloop WHERE status = 'InProgress'", stack.database))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--loops", type=int, default=1_000_000)
    parser.add_argument("--bulk", type=int, default=20_000, help="loops started with bulk_start; the rest are copies")
    parser.add_argument("--tasks", type=int, default=60, help="tasks answered in each mode")
    parser.add_argument("--think", type=float, default=1.0, help="seconds a reviewer looks at each task")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--keep", action="store_true", help="leave the stack running")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep the database of an earlier --keep run (its gunicorn stopped) if it holds --loops open loops",
    )
    args = parser.parse_args(argv)

    os.environ.setdefault("HITL_SECURE_COOKIES", "false")  # the browser signs in over plain http on 127.0.0.1
    stack = Stack(web_workers=args.workers)
    tmp = Path(tempfile.mkdtemp(prefix="hitl-bench-seat-"))
    result: dict[str, Any] = {"loops": args.loops, "tasks": args.tasks, "think_s": args.think}
    try:
        log("starting the stack")
        fresh = not args.reuse or not _seeded(stack, args.loops)
        stack.start(fresh=fresh)
        if fresh:
            state_path = tmp / "state.json"
            subprocess_env_python(stack, "-m", "bench.fixtures", "setup", "--reviewers", "0", "--out", str(state_path))
            cfg = json.loads(state_path.read_text())
            stack.manage("add_worker", REVIEWER, "--workteam", "bench-queue-team", "--password", PASSWORD)
            result["seed"] = seed(stack, cfg, 0, min(args.bulk, args.loops), tmp)
            if args.loops > args.bulk:
                result["grow"] = grow_by_copies(stack, args.loops)
        result["open_loops_before"] = open_loops(stack)
        log("open loops", result["open_loops_before"])

        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
        from playwright.sync_api import sync_playwright

        base = f"http://127.0.0.1:{stack.web_port}"
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for prefetch in (True, False, True, False):
                name = "with_prefetch" if prefetch else "without_prefetch"
                load_before = os.getloadavg()
                shown, server = measure(browser, base, args.tasks, args.think, prefetch)
                # The first task of a context follows the sign-in page, not a submit: it is not in the list.
                stats = latency_stats([ms / 1000 for ms in shown])
                stats["server_ms"] = server
                stats["load_average"] = [round(x, 2) for x in load_before + os.getloadavg()]
                result.setdefault(name, []).append(stats)
                log(name, stats)
            browser.close()
        result["open_loops_after"] = open_loops(stack)
    finally:
        if not args.keep:
            stack.stop()
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"seat-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))
    log("written", out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
