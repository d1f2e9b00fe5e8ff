"""Prometheus metrics and the /metrics view.

Counters and histograms are incremented where things happen (loop transitions
in flows.loops.lifecycle, API latency in hitl.kernel.middleware). Gauges that describe the
current state (open tasks per team, webhook failures) are computed from the
database at scrape time, so every process reports the same, correct values.

Several gunicorn workers: by default each process has its own registry, and a
scrape sees only the process that answered. Set PROMETHEUS_MULTIPROC_DIR (an
empty directory, cleared at deploy) before the workers start to aggregate the
counters of all processes (prometheus_client multiprocess mode).
"""

from __future__ import annotations

import hmac
import os
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.registry import REGISTRY, Collector

from hitl.kernel import clock

# Review work takes seconds to days.
_HUMAN_BUCKETS = (5, 15, 30, 60, 120, 300, 600, 1800, 3600, 4 * 3600, 12 * 3600, 86400, 3 * 86400, 10 * 86400)

LOOPS_STARTED = Counter("hitl_human_loops_started_total", "Human loops started.", ["flow_definition"])
LOOPS_FINISHED = Counter(
    "hitl_human_loops_finished_total",
    "Human loops that reached a final status (Completed, Failed, Stopped).",
    ["flow_definition", "status"],
)
CLAIM_TO_SUBMIT = Histogram(
    "hitl_task_claim_to_submit_seconds",
    "Time from a reviewer claiming a task to submitting it.",
    ["flow_definition"],
    buckets=_HUMAN_BUCKETS,
)
START_TO_FINISH = Histogram(
    "hitl_human_loop_start_to_finish_seconds",
    "Time from StartHumanLoop to the loop's final status.",
    ["flow_definition", "status"],
    buckets=_HUMAN_BUCKETS,
)
OUTPUT_WRITE_FAILURES = Counter("hitl_output_write_failures_total", "Failed attempts to write output.json.")
API_LATENCY = Histogram(
    "hitl_api_request_duration_seconds",
    "AWS API request latency by operation and result.",
    ["operation", "result"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)


def _after_commit(func: Any) -> None:
    # A rolled-back transition must not be counted.
    transaction.on_commit(func)


def loop_started(loop: Any) -> None:
    """Count a newly created loop once its transaction commits."""
    flow_name = loop.flow_definition.name
    _after_commit(lambda: LOOPS_STARTED.labels(flow_name).inc())


def loop_finished(loop: Any) -> None:
    """Count a loop that reached its final status and observe its duration (after commit)."""
    flow_name = loop.flow_definition.name
    status = loop.status
    seconds = max(((loop.finished_at or clock.now()) - loop.created_at).total_seconds(), 0.0)

    def observe() -> None:
        LOOPS_FINISHED.labels(flow_name, status).inc()
        START_TO_FINISH.labels(flow_name, status).observe(seconds)

    _after_commit(observe)


def task_submitted(task: Any) -> None:
    """Observe a submitted task's claim-to-submit time (after commit)."""
    flow_name = task.flow_definition.name
    seconds = task.time_spent_seconds or 0.0
    _after_commit(lambda: CLAIM_TO_SUBMIT.labels(flow_name).observe(seconds))


def output_write_failed() -> None:
    OUTPUT_WRITE_FAILURES.inc()


def api_request(operation: str, result: str, seconds: float) -> None:
    API_LATENCY.labels(operation or "unknown", result or "OK").observe(seconds)


# Collectors that read state at scrape time (flows registers its queue and webhook gauges in its
# AppConfig.ready): the kernel keeps the registry and knows no domain model.
_SCRAPE_COLLECTORS: list[Collector] = []


def register_scrape_collector(collector: Collector) -> None:
    """Expose `collector` on /metrics (also under PROMETHEUS_MULTIPROC_DIR, where it joins each scrape)."""
    if collector in _SCRAPE_COLLECTORS:
        return
    _SCRAPE_COLLECTORS.append(collector)
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        REGISTRY.register(collector)


def _registry() -> CollectorRegistry:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        for collector in _SCRAPE_COLLECTORS:
            registry.register(collector)
        return registry
    return REGISTRY


def metrics_view(request: HttpRequest) -> HttpResponse:
    """Serve the Prometheus text exposition format (behind a bearer token when HITL_METRICS_TOKEN is set)."""
    token = settings.HITL_METRICS_TOKEN
    if token and not hmac.compare_digest(request.headers.get("Authorization", ""), f"Bearer {token}"):
        return HttpResponse("metrics token required\n", status=401, content_type="text/plain")
    return HttpResponse(generate_latest(_registry()), content_type=CONTENT_TYPE_LATEST)
