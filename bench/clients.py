"""Clients and timing for the benchmark and the load test: raw SigV4 HTTP, boto3, the reviewer API.

The raw client signs each request once with botocore's SigV4Auth and sends it
with http.client, so the client costs well under a millisecond per call and
is not what is measured. Concurrency uses processes (fork), one client each,
so client threads never fight over one GIL.
"""

from __future__ import annotations

import http.client
import json
import multiprocessing as mp
import statistics
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

REGION = "us-east-1"


@dataclass
class Reply:
    status: int
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


class RawApi:
    """The A2I runtime API over http.client, signed with botocore's SigV4Auth per request."""

    def __init__(self, host: str, port: int, access_key_id: str, secret: str, timeout: float = 30.0) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self.signer = SigV4Auth(Credentials(access_key_id, secret), "sagemaker", REGION)
        self.conn: http.client.HTTPConnection | None = None

    def call(self, method: str, path: str, body: dict | None = None, query: dict | None = None) -> Reply:
        data = json.dumps(body).encode() if body is not None else b""
        url = f"http://{self.host}:{self.port}{path}"
        if query:
            url += "?" + urlencode(query, quote_via=quote)
        request = AWSRequest(method=method, url=url, data=data, headers={"Content-Type": "application/json"})
        self.signer.add_auth(request)
        headers = dict(request.headers.items())
        target = path + ("?" + url.split("?", 1)[1] if "?" in url else "")
        return _send(self, method, target, data, headers)

    def start(self, flow_arn: str, name: str, input_content: str) -> Reply:
        return self.call(
            "POST",
            "/human-loops",
            {"HumanLoopName": name, "FlowDefinitionArn": flow_arn, "HumanLoopInput": {"InputContent": input_content}},
        )

    def describe(self, name: str) -> Reply:
        return self.call("GET", f"/human-loops/{quote(name, safe='')}")

    def list(self, flow_arn: str, max_results: int = 100, sort: str = "Ascending", token: str | None = None) -> Reply:
        query = {"FlowDefinitionArn": flow_arn, "MaxResults": str(max_results), "SortOrder": sort}
        if token:
            query["NextToken"] = token
        return self.call("GET", "/human-loops", query=query)

    def stop(self, name: str) -> Reply:
        return self.call("POST", "/human-loops/stop", {"HumanLoopName": name})


class ReviewerApi:
    """The reviewer JSON API with `Authorization: Token <key>`."""

    def __init__(self, host: str, port: int, token: str, timeout: float = 30.0) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self.headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
        self.conn: http.client.HTTPConnection | None = None

    def next(self, flow: str | None = None) -> Reply:
        path = "/portal/api/tasks/next" + (f"?flow={quote(flow)}" if flow else "")
        return _send(self, "GET", path, b"", self.headers)

    def submit(self, task_id: int, answer: dict) -> Reply:
        body = json.dumps({"answerContent": answer}).encode()
        return _send(self, "POST", f"/portal/api/tasks/{task_id}/submit", body, self.headers)

    def release(self, task_id: int) -> Reply:
        return _send(self, "POST", f"/portal/api/tasks/{task_id}/release", b"", self.headers)


def _send(client: RawApi | ReviewerApi, method: str, target: str, data: bytes, headers: dict) -> Reply:
    """Send on the client's connection (reopened when the server closed it: gunicorn sync workers do)."""
    for attempt in (1, 2):
        if client.conn is None:
            client.conn = http.client.HTTPConnection(client.host, client.port, timeout=client.timeout)
        try:
            client.conn.request(method, target, body=data or None, headers=headers)
            response = client.conn.getresponse()
            body = response.read()
            if response.getheader("Connection", "").lower() == "close" or response.will_close:
                client.conn.close()
                client.conn = None
            return Reply(response.status, body)
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            client.conn.close()
            client.conn = None
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def boto3_runtime(endpoint: str, access_key_id: str, secret: str):
    """Return a boto3 sagemaker-a2i-runtime client for the server (no retries: every error is counted)."""
    import boto3
    from botocore.config import Config

    return boto3.client(
        "sagemaker-a2i-runtime",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=access_key_id,
        aws_secret_access_key=secret,
        config=Config(retries={"max_attempts": 1, "mode": "standard"}, connect_timeout=10, read_timeout=60),
    )


# --- Statistics --------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float | None:
    """Linear-interpolation percentile (numpy's default), as the peer script computes it."""
    if not values:
        return None
    s = sorted(values)
    k = (len(s) - 1) * p / 100.0
    f = int(k)
    c = min(f + 1, len(s) - 1)
    return s[f] + (s[c] - s[f]) * (k - f)


def latency_stats(seconds: list[float], wall: float | None = None, errors: int = 0) -> dict[str, Any]:
    ms = [x * 1000.0 for x in seconds]
    out: dict[str, Any] = {"n": len(ms), "errors": errors}
    for p in (50, 95, 99):
        value = percentile(ms, p)
        out[f"p{p}_ms"] = round(value, 2) if value is not None else None
    out["mean_ms"] = round(statistics.fmean(ms), 2) if ms else None
    out["max_ms"] = round(max(ms), 2) if ms else None
    if wall is not None:
        out["wall_s"] = round(wall, 3)
        out["per_s"] = round(len(ms) / wall, 1) if wall > 0 else None
    return out


# --- Concurrency ----------------------------------------------------------------------


@dataclass
class WorkerResult:
    latencies: dict[str, list[float]]
    statuses: dict[str, dict[int, int]]
    started: float
    finished: float
    error: str = ""
    extra: Any = None


class Recorder:
    """Per-worker collection of latencies by operation and status counts."""

    def __init__(self) -> None:
        self.latencies: dict[str, list[float]] = {}
        self.statuses: dict[str, dict[int, int]] = {}

    def timed(self, op: str, fn: Callable[[], Any], ok: tuple[int, ...] = (200,)) -> Any:
        started = time.perf_counter()
        reply = fn()
        elapsed = time.perf_counter() - started
        status = getattr(reply, "status", 200)
        counts = self.statuses.setdefault(op, {})
        counts[status] = counts.get(status, 0) + 1
        if status in ok:
            self.latencies.setdefault(op, []).append(elapsed)
        return reply


def _child(fn, args, barrier, queue) -> None:
    recorder = Recorder()
    try:
        state = fn(recorder, *args, setup_only=True)
        barrier.wait()
        started = time.perf_counter()
        extra = fn(recorder, *args, state=state)
        finished = time.perf_counter()
        queue.put(WorkerResult(recorder.latencies, recorder.statuses, started, finished, extra=extra))
    except Exception:
        queue.put(WorkerResult(recorder.latencies, recorder.statuses, 0.0, 0.0, error=traceback.format_exc()))


def run_parallel(fn: Callable[..., Any], per_worker_args: list[tuple]) -> tuple[list[WorkerResult], float]:
    """Run fn in one forked process per args tuple, all released at once; return results and wall time.

    fn(recorder, *args, setup_only=True) builds the client (not timed) and returns
    a state; fn(recorder, *args, state=state) does the timed work.
    """
    ctx = mp.get_context("fork")
    barrier = ctx.Barrier(len(per_worker_args) + 1)
    queue = ctx.Queue()
    procs = [ctx.Process(target=_child, args=(fn, args, barrier, queue), daemon=True) for args in per_worker_args]
    for proc in procs:
        proc.start()
    barrier.wait(timeout=120)
    started = time.perf_counter()
    results = [queue.get(timeout=1800) for _ in procs]
    wall = time.perf_counter() - started
    for proc in procs:
        proc.join(timeout=30)
    errors = [r.error for r in results if r.error]
    if errors:
        raise RuntimeError("a client process failed:\n" + errors[0])
    return results, wall


def merge(results: list[WorkerResult], op: str) -> tuple[list[float], dict[int, int]]:
    """Return all latencies of `op` and the summed status counts across workers."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    for result in results:
        latencies.extend(result.latencies.get(op, []))
        for status, count in result.statuses.get(op, {}).items():
            statuses[status] = statuses.get(status, 0) + count
    return latencies, statuses
