"""Turn a bench JSON into the markdown table (min / median / max over repeats, target, met?) and peer ratios."""

from __future__ import annotations

import statistics
from collections.abc import Callable

# (row label, unit, selector over the bench JSON -> one value per repeat, target text, check on the median)
Row = tuple[str, str, Callable[[dict], list[float]], str, Callable[[float], bool] | None]


def _start(res: dict, kind: str, clients: int, key: str) -> list[float]:
    return [r[key] for r in res["start"] if r["client"] == kind and r["concurrency"] == clients and r[key] is not None]


def _queue(res: dict, size: int, clients: int, op: str, key: str) -> list[float]:
    return [
        r[op][key]
        for r in res["queue"]
        if r["open_tasks"] == size and r["concurrency"] == clients and r[op][key] is not None
    ]


def rows(res: dict) -> list[Row]:
    sizes = sorted({r["open_tasks"] for r in res["queue"]})
    small, big = (sizes[0], sizes[-1]) if sizes else (0, 0)
    out: list[Row] = []
    for kind in ("raw", "boto3"):
        out += [
            (
                f"StartHumanLoop, 8 clients ({kind}): loops/s",
                "/s",
                lambda r, k=kind: _start(r, k, 8, "per_s"),
                "≥ 1000",
                (lambda v: v >= 1000) if kind == "raw" else None,
            ),
            (
                f"StartHumanLoop, 8 clients ({kind}): p99",
                "ms",
                lambda r, k=kind: _start(r, k, 8, "p99_ms"),
                "≤ 50",
                (lambda v: v <= 50) if kind == "raw" else None,
            ),
            (f"StartHumanLoop, 8 clients ({kind}): p50", "ms", lambda r, k=kind: _start(r, k, 8, "p50_ms"), "", None),
            (
                f"StartHumanLoop, 1 client ({kind}): p50",
                "ms",
                lambda r, k=kind: _start(r, k, 1, "p50_ms"),
                "≤ 5",
                (lambda v: v <= 5) if kind == "raw" else None,
            ),
            (
                f"StartHumanLoop, 1 client ({kind}): p95 / p99",
                "ms",
                lambda r, k=kind: _start(r, k, 1, "p95_ms"),
                "",
                None,
            ),
            (f"StartHumanLoop, 1 client ({kind}): loops/s", "/s", lambda r, k=kind: _start(r, k, 1, "per_s"), "", None),
        ]
    out.append(
        (
            "bulk start (manage.py bulk_start, largest step): loops/s",
            "/s",
            lambda r: [max(r["seed"], key=lambda s: s["n"])["loops_per_s_in_command"]] if r["seed"] else [],
            "≥ 10000",
            lambda v: v >= 10000,
        )
    )
    for size in sizes:
        for clients in (1, 8):
            out.append(
                (
                    f"next task @{size:,} open, {clients} reviewer(s): p50",
                    "ms",
                    lambda r, s=size, c=clients: _queue(r, s, c, "next", "p50_ms"),
                    "",
                    None,
                )
            )
            out.append(
                (
                    f"next task @{size:,} open, {clients} reviewer(s): p95",
                    "ms",
                    lambda r, s=size, c=clients: _queue(r, s, c, "next", "p95_ms"),
                    "≤ 10" if size == big else "",
                    (lambda v: v <= 10) if size == big else None,
                )
            )
    if big != small:
        out.append(
            (
                f"next task p95 growth {small:,} → {big:,} (1 reviewer)",
                "×",
                lambda r: _ratio(_queue(r, big, 1, "next", "p95_ms"), _queue(r, small, 1, "next", "p95_ms")),
                "≤ 1.5",
                lambda v: v <= 1.5,
            )
        )
    for op, key in (("next", "p50_ms"), ("next", "p95_ms"), ("submit", "p50_ms")):
        out.append(
            (
                f"{'next task' if op == 'next' else 'submit'} @{big:,}, 1 reviewer, Celery worker paused: "
                f"{key.split('_')[0]}",
                "ms",
                lambda r, o=op, k=key: [x[o][k] for x in r.get("queue_writer_paused", []) if x[o][k] is not None],
                "",
                None,
            )
        )
    for size in sizes:
        for clients in (1, 8):
            out.append(
                (
                    f"submit @{size:,}, {clients} reviewer(s): p50",
                    "ms",
                    lambda r, s=size, c=clients: _queue(r, s, c, "submit", "p50_ms"),
                    "≤ 10",
                    lambda v: v <= 10,
                )
            )
    for kind in ("raw", "boto3"):
        out.append(
            (
                f"ListHumanLoops page of 100 @{big:,} loops ({kind}), first page: p95",
                "ms",
                lambda r, k=kind: [x["first_page"]["p95_ms"] for x in r["list"] if x["client"] == k],
                "≤ 20",
                (lambda v: v <= 20) if kind == "raw" else None,
            )
        )
        out.append(
            (
                f"ListHumanLoops page of 100 ({kind}), NextToken walk: p95",
                "ms",
                lambda r, k=kind: [x["next_token_walk"]["p95_ms"] for x in r["list"] if x["client"] == k],
                "≤ 20",
                (lambda v: v <= 20) if kind == "raw" else None,
            )
        )
    out.append(
        (
            "last submit → output.json readable in S3: p50",
            "ms",
            lambda r: [x["p50_ms"] for x in r["output"] if x["p50_ms"] is not None],
            "",
            None,
        )
    )
    out.append(
        (
            "last submit → output.json readable in S3: p95",
            "ms",
            lambda r: [x["p95_ms"] for x in r["output"] if x["p95_ms"] is not None],
            "≤ 1000",
            lambda v: v <= 1000,
        )
    )
    out.append(
        (
            "RSS per gunicorn worker (max over workers)",
            "MB",
            lambda r: [max(r["memory"]["web_workers_rss_mb"])] if r.get("memory", {}).get("web_workers_rss_mb") else [],
            "≤ 150",
            lambda v: v <= 150,
        )
    )
    out.append(
        (
            "RSS per Celery process (max: main or pool child)",
            "MB",
            lambda r: [max(r["memory"]["celery_rss_mb"])] if r.get("memory", {}).get("celery_rss_mb") else [],
            "≤ 200",
            lambda v: v <= 200,
        )
    )
    return out


def _ratio(a: list[float], b: list[float]) -> list[float]:
    if not a or not b:
        return []
    return [round(statistics.median(a) / statistics.median(b), 2)]


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.2f}".rstrip("0").rstrip(".")


def render(res: dict) -> str:
    """Return the markdown report of one bench run."""
    machine = res["machine"]
    lines = [
        f"# hitl bench ({res['mode']}), {res['started_utc']}",
        "",
        f"- {machine['cpus']} CPUs shared by the client processes, gunicorn ({res['server']['gunicorn_workers']} sync "
        f"workers), PostgreSQL 15, Redis, the moto S3 server and one Celery worker; load average before "
        f"{machine['loadavg_before'][0]:.2f}, after {machine.get('loadavg_after', [0])[0]:.2f}. Other work on the "
        "machine adds noise; compare ratios measured in one run.",
        f"- Each measurement repeated {res['params']['repeats']}×; min / median / max over the repeats. "
        "`raw` = http.client signed with botocore SigV4Auth per request; `boto3` = the SDK client.",
        "- Seeding: " + ", ".join(_seed_text(s) for s in res["seed"]) + ".",
        f"- Total {res.get('total_s', 0)} s.",
        _drain_text(res.get("outbox_drain")),
        *_queue_drain_text(res.get("queue_drains") or []),
        "",
        "| measurement | unit | min | median | max | target | met |",
        "|---|---|---|---|---|---|---|",
    ]
    for label, unit, select, target, check in rows(res):
        try:
            values = select(res)
        except (KeyError, ValueError, IndexError):
            values = []
        if not values:
            lines.append(f"| {label} | {unit} | - | - | - | {target} | n/a |")
            continue
        median = statistics.median(values)
        met = "" if check is None else ("yes" if check(median) else "**no**")
        lines.append(
            f"| {label} | {unit} | {_fmt(min(values))} | {_fmt(median)} | {_fmt(max(values))} | {target} | {met} |"
        )
    errors = _error_summary(res)
    lines += ["", f"Non-2xx answers during the measurements: {errors or 'none'}."]
    return "\n".join(lines) + "\n"


def _drain_text(drain: dict | None) -> str:
    if not drain:
        return ""
    return (
        f"- Before the output measurement, the one Celery worker finished a backlog of {drain['backlog']} answered "
        f"loops in {drain['drain_s']} s ({drain['finalized_per_s']}/s, {drain['left']} left)."
    )


def _queue_drain_text(drains: list[dict]) -> list[str]:
    if not drains:
        return []
    waits = ", ".join(f"{d['backlog']} loops in {d['drain_s']} s before the {d['before_size']:,} phase" for d in drains)
    return [f"- Each queue phase started once the Celery worker had written the earlier phases' outputs ({waits})."]


def _seed_text(step: dict) -> str:
    return f"{step['n']:,} loops in {step['command_wall_s']} s ({step['loops_per_s_in_command']:,.0f}/s)"


def _error_summary(res: dict) -> str:
    parts = []
    for r in res["start"]:
        bad = {k: v for k, v in r["statuses"].items() if str(k) != "200"}
        if bad:
            parts.append(f"start {r['client']} c={r['concurrency']}: {bad}")
    for r in res["queue"]:
        for op in ("next", "submit"):
            bad = {k: v for k, v in r[op]["statuses"].items() if str(k) not in ("200", "204")}
            if bad:
                parts.append(f"{op} @{r['open_tasks']} c={r['concurrency']}: {bad}")
    return "; ".join(parts)


# --- Side by side with Label Studio -------------------------------------------------------


def _peer(peer: dict, key: str, field: str) -> list[float]:
    return [x[field] for x in peer.get(key, []) if x.get(field) is not None]


def _peer_next(peer: dict, size: int, op: str, field: str) -> list[float]:
    return [x[op][field] for x in peer.get("next_submit", []) if x["project_tasks"] == size and x[op][field]]


def _seed_rate(ours: dict, start: int) -> list[float]:
    return [s["loops_per_s_in_command"] for s in ours.get("seed", []) if s["from"] == start]


def _data_pairs(ours: dict, peer: dict) -> list[tuple[str, list[float], list[float], bool]]:
    """bench.peer_data's rows: the console's CSV import and export beside Label Studio's."""

    def rates(side: dict, key: str, field: str, export_format: str | None = None) -> list[float]:
        return [x[field] for x in side.get(key, []) if export_format is None or x["format"] == export_format]

    rows = ours.get("rows") or peer.get("rows") or 0
    answers = ours.get("answers") or peer.get("answers") or 0
    return [
        (
            f"CSV file import {rows:,} rows (console upload → job done vs import API upload): rows/s",
            rates(ours, "import", "rows_per_s"),
            rates(peer, "import", "rows_per_s"),
            True,
        ),
        (
            f"export {answers:,} answers, JSONL with consolidated answer vs JSON: answers/s",
            rates(ours, "export", "answers_per_s", "jsonl"),
            rates(peer, "export", "answers_per_s", "json"),
            True,
        ),
        (
            f"export {answers:,} answers, CSV: answers/s",
            rates(ours, "export", "answers_per_s", "csv"),
            rates(peer, "export", "answers_per_s", "csv"),
            True,
        ),
    ]


def compare(ours: dict, peer: dict) -> str:
    """Return a markdown table of our medians beside Label Studio's (same session) and the ratio."""
    conc = peer.get("params", {}).get("concurrency", 8)
    pairs = [
        # (label, ours, peer, higher_is_better)
        ("create/start 1 client: p50 ms", _start(ours, "raw", 1, "p50_ms"), _peer(peer, "create_seq", "p50_ms"), False),
        (
            "create/start 1 client: items/s",
            _start(ours, "raw", 1, "per_s"),
            _peer(peer, "create_seq", "items_per_s"),
            True,
        ),
        (
            f"create/start {conc} vs 8 clients: items/s",
            _start(ours, "raw", 8, "per_s"),
            _peer(peer, "create_conc", "items_per_s"),
            True,
        ),
        (
            f"create/start {conc} vs 8 clients: p99 ms",
            _start(ours, "raw", 8, "p99_ms"),
            _peer(peer, "create_conc", "p99_ms"),
            False,
        ),
        (
            "bulk import 10k (`bulk_start` JSONL vs import API, JSON body): items/s",
            _seed_rate(ours, 0),
            _peer(peer, "bulk_import", "tasks_per_s"),
            True,
        ),
        (
            "bulk import 10k → 100k (`bulk_start` vs 10k-task import requests): items/s",
            _seed_rate(ours, 10_000),
            _peer(peer, "grow_import", "tasks_per_s"),
            True,
        ),
        *_data_pairs(ours.get("peer_data") or {}, peer.get("peer_data") or {}),
    ]
    for size in sorted({x["project_tasks"] for x in peer.get("next_submit", [])}):
        for op in ("next", "submit"):
            for p in ("p50_ms", "p95_ms"):
                pairs.append(
                    (
                        f"{op} @{size:,} tasks, 1 reviewer: {p[:3]} ms",
                        _queue(ours, size, 1, op, p),
                        _peer_next(peer, size, op, p),
                        False,
                    )
                )
    lines = [
        "| measurement | hitl (median) | Label Studio (median) | hitl advantage |",
        "|---|---|---|---|",
    ]
    for label, a, b, higher in pairs:
        if not a or not b:
            lines.append(
                f"| {label} | {_fmt(statistics.median(a)) if a else '-'} | "
                f"{_fmt(statistics.median(b)) if b else '-'} | n/a |"
            )
            continue
        ma, mb = statistics.median(a), statistics.median(b)
        ratio = ma / mb if higher else mb / ma
        lines.append(f"| {label} | {_fmt(ma)} | {_fmt(mb)} | {ratio:.1f}× |")
    return "\n".join(lines) + "\n"
