"""A gunicorn config for benchmarks: one JSON line per request of where its time went, server side.

    gunicorn -c python:bench.request_timing ...   (HITL_BENCH_REQUEST_LOG=<file>)

Per request: when the worker began it (epoch), wall and CPU milliseconds in the worker
between gunicorn's pre_request and post_request hooks, the database's share of the
wall time (every statement, through connection.execute_wrapper, hot_sql's prepared
ones included) with the slowest statements, and Python's garbage collection. Wall
minus CPU minus database is time the worker was runnable but off a core, or asleep.
Bench-only: never in a deployment's config.
"""

from __future__ import annotations

import gc
import json
import os
import time
from typing import Any

_LOG = os.environ.get("HITL_BENCH_REQUEST_LOG", "")
_state: dict[str, Any] = {}


def _gc(phase: str, info: dict) -> None:
    if not _state:
        return
    if phase == "start":
        _state["gc_from"] = time.perf_counter()
    elif "gc_from" in _state:
        _state["gc_ms"] += (time.perf_counter() - _state.pop("gc_from")) * 1000


def _timed(execute: Any, sql: str, params: Any, many: bool, context: dict) -> Any:
    started = time.perf_counter()
    try:
        return execute(sql, params, many, context)
    finally:
        ms = (time.perf_counter() - started) * 1000
        if _state:
            _state["db_ms"] += ms
            _state["queries"].append((round(ms, 2), " ".join(sql.split())[:90]))


def post_worker_init(worker: Any) -> None:
    gc.callbacks.append(_gc)


def pre_request(worker: Any, req: Any) -> None:
    from django.db import connection

    _state.clear()
    _state.update(at=time.time(), wall=time.perf_counter(), cpu=time.process_time(), db_ms=0.0, gc_ms=0.0, queries=[])
    connection.execute_wrappers.append(_timed)


def post_request(worker: Any, req: Any, environ: dict, resp: Any) -> None:
    from django.db import connection

    if _timed in connection.execute_wrappers:
        connection.execute_wrappers.remove(_timed)
    if not _state or not _LOG:
        return
    queries = sorted(_state["queries"], reverse=True)
    line = {
        "at": _state["at"],
        "pid": os.getpid(),
        "path": req.path,
        "wall_ms": round((time.perf_counter() - _state["wall"]) * 1000, 2),
        "cpu_ms": round((time.process_time() - _state["cpu"]) * 1000, 2),
        "db_ms": round(_state["db_ms"], 2),
        "gc_ms": round(_state["gc_ms"], 2),
        "n": len(queries),
        "top": queries,
    }
    _state.clear()
    with open(_LOG, "a") as log:
        log.write(json.dumps(line) + "\n")
