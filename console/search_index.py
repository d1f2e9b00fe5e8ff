"""The console's text search index: LoopSearchText rows for the loops in LoopSearchBacklog (PostgreSQL).

A trigger on the loop table records each INSERT's id range in the backlog, in the inserting
transaction (console/migrations/0004); `catch_up` (a beat sweep every SEARCH_SWEEP_SECONDS)
copies the ranges' loops into LoopSearchText, CHUNK loops a transaction, set-based. Until a loop
is copied, the search tests it row by row through its backlog range (console.loop_search), so
search results never lag; only their speed does, for as long as the backlog is large.
"""

from __future__ import annotations

import time

from django.db import connection, transaction

from console.models import LoopSearchBacklog, LoopSearchText
from flows.models import HumanLoop

CHUNK = 20_000
SPANS_KEPT = 32  # more backlog rows than this are searched as fewer, wider spans (a superset: rows are rechecked)


def catch_up(max_seconds: float = 20.0) -> int:
    """Copy backlog loops into the search table until the backlog is empty or `max_seconds` pass; return how many.

    Safe beside another run: each takes a backlog row with SKIP LOCKED, and copying is ON CONFLICT DO NOTHING.
    """
    if connection.vendor != "postgresql":
        return 0
    copied, deadline = 0, time.monotonic() + max_seconds
    while time.monotonic() < deadline:
        with transaction.atomic():
            pending = LoopSearchBacklog.objects.select_for_update(skip_locked=True).order_by("id").first()
            if pending is None:
                break
            done, last = _copy(pending.low, pending.high)
            copied += done
            if last is None or last >= pending.high:
                pending.delete()
            else:
                LoopSearchBacklog.objects.filter(id=pending.id).update(low=last + 1)
    return copied


def _copy(low: int, high: int) -> tuple[int, int | None]:
    """Copy the first CHUNK loops of ids low..high; return how many were new and the last id read (None: none left)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH batch AS (SELECT id, account_id, name, input_content FROM {HumanLoop._meta.db_table} "
            "WHERE id BETWEEN %s AND %s ORDER BY id LIMIT %s), "
            f"copied AS (INSERT INTO {LoopSearchText._meta.db_table} (loop_id, account_id, name, input_content) "
            "SELECT * FROM batch ON CONFLICT (loop_id) DO NOTHING RETURNING 1) "
            "SELECT (SELECT count(*) FROM copied), (SELECT max(id) FROM batch), (SELECT count(*) FROM batch)",
            [low, high, CHUNK],
        )
        done, last, read = cursor.fetchone()
    return done, (last if read == CHUNK else None)


def backlog_spans() -> list[tuple[int, int]]:
    """The id ranges of loops not yet in the search table, merged, at most SPANS_KEPT of them."""
    ranges = sorted(LoopSearchBacklog.objects.values_list("low", "high"))
    spans: list[list[int]] = []
    for low, high in ranges:
        if spans and low <= spans[-1][1] + 1:
            spans[-1][1] = max(spans[-1][1], high)
        else:
            spans.append([low, high])
    if len(spans) > SPANS_KEPT:  # keep the widest gaps between spans, join across the others
        kept = sorted(sorted(range(len(spans) - 1), key=lambda i: spans[i][1] - spans[i + 1][0])[: SPANS_KEPT - 1])
        starts = [0, *(i + 1 for i in kept)]
        ends = [*kept, len(spans) - 1]
        spans = [[spans[a][0], spans[b][1]] for a, b in zip(starts, ends, strict=True)]
    return [(low, high) for low, high in spans]
