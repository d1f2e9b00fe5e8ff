"""Search an account's loops: by name, status, flow, date, reviewer, and text inside the input or answers.

Newest first, in pages walked by keyset (the last row's created_at and id), never by OFFSET, so
page 20,000 of a million loops costs what page 1 does. On PostgreSQL the indexes of
console/migrations/0001 serve it: the keyset walk per account (and status), and trigram indexes
for the text filters (`ILIKE '%text%'`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.utils.dateparse import parse_date, parse_datetime

from flows.models import HumanLoop, ReviewTask

PAGE_SIZE = 50
MIN_TEXT = 3  # trigram indexes need three characters; shorter text would scan every row


@dataclass(frozen=True)
class LoopFilters:
    name: str = ""
    status: str = ""
    flow_id: int | None = None
    created_from: dt.date | None = None
    created_to: dt.date | None = None
    reviewer: str = ""
    text: str = ""

    @property
    def active(self) -> bool:
        return any(value not in ("", None) for value in self.__dict__.values())


def parse_filters(query: Any) -> tuple[LoopFilters, list[str]]:
    """Return the filters of a request's query (a QueryDict) and the problems found in it."""
    errors = []
    status = query.get("status", "").strip()
    if status and status not in HumanLoop.Status.values:
        errors.append(f"Status must be one of {', '.join(HumanLoop.Status.values)}.")
        status = ""
    flow = query.get("flow", "").strip()
    dates = {}
    for field in ("created_from", "created_to"):
        text = query.get(field, "").strip()
        dates[field] = parse_date(text) if text else None
        if text and dates[field] is None:
            errors.append(f"{field.replace('_', ' ').capitalize()} must be a date (YYYY-MM-DD).")
    text = query.get("q", "").strip()
    if text and len(text) < MIN_TEXT:
        errors.append(f"Search for at least {MIN_TEXT} characters of text.")
        text = ""
    filters = LoopFilters(
        name=query.get("name", "").strip(),
        status=status,
        flow_id=int(flow) if flow.isdigit() else None,
        reviewer=query.get("reviewer", "").strip(),
        text=text,
        **dates,
    )
    return filters, errors


def apply(loops: QuerySet[HumanLoop], filters: LoopFilters) -> QuerySet[HumanLoop]:
    """Return `loops` narrowed by `filters` (the caller has scoped them to the viewer's accounts)."""
    if filters.name:
        loops = loops.filter(name__icontains=filters.name)
    if filters.status:
        loops = loops.filter(status=filters.status)
    if filters.flow_id is not None:
        loops = loops.filter(flow_definition_id=filters.flow_id)
    if filters.created_from:
        loops = loops.filter(created_at__gte=_midnight(filters.created_from))
    if filters.created_to:
        loops = loops.filter(created_at__lt=_midnight(filters.created_to + dt.timedelta(days=1)))
    if filters.reviewer:
        answered = ReviewTask.objects.filter(
            worker__username=filters.reviewer, state__in=[ReviewTask.State.LEASED, ReviewTask.State.SUBMITTED]
        )
        loops = loops.filter(id__in=answered.values("human_loop_id"))
    if filters.text:
        answers = (
            ReviewTask.objects.filter(answer__isnull=False)
            .annotate(answer_text=Cast("answer", TextField()))
            .filter(answer_text__icontains=filters.text)
        )
        loops = loops.filter(Q(input_content__icontains=filters.text) | Q(id__in=answers.values("human_loop_id")))
    return loops


def page(loops: QuerySet[HumanLoop], cursor: str = "", size: int = PAGE_SIZE) -> tuple[list[HumanLoop], str]:
    """Return one page of `loops`, newest first, after `cursor`, and the cursor of the next page ("" at the end)."""
    after = parse_cursor(cursor)
    if after is not None:
        created_at, loop_id = after
        loops = loops.filter(Q(created_at__lt=created_at) | Q(created_at=created_at, id__lt=loop_id))
    rows = list(loops.order_by("-created_at", "-id")[: size + 1])
    if len(rows) <= size:
        return rows, ""
    last = rows[size - 1]
    return rows[:size], f"{last.created_at.isoformat()}~{last.id}"


def parse_cursor(cursor: str) -> tuple[dt.datetime, int] | None:
    """Return (created_at, id) of a page cursor, or None for the first page or a cursor that is not one."""
    stamp, _, loop_id = (cursor or "").partition("~")
    moment = parse_datetime(stamp) if stamp else None
    if moment is None or not loop_id.isdigit():
        return None
    return moment, int(loop_id)


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)
