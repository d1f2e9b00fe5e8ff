"""Search an account's loops: by name, status, flow, date, reviewer, and text inside the input or answers.

Newest first, in pages walked by keyset (the last row's created_at and id), never by OFFSET, so
page 20,000 of a million loops costs what page 1 does, and with no count of the matches (a count
reads every match). On PostgreSQL the indexes of console/migrations/0001 serve it: the keyset walk
per account (and status). Name and input text are searched in console.search_index's table
(trigram indexes for `ILIKE '%text%'`, kept off the loop table so starting a loop pays none),
plus, row by row, the loops started since its last sweep; answers through the task table's index.
Input text asks the index for the text's rare words only and rechecks the whole text on the rows
found (`_selective_words`): a GIN scan intersects every trigram's posting list, and a phrase's
common words ("number", "about") have one entry per loop.

A page is read one account at a time (`account_id = X`, then merged): with the accounts given as
a list or a subquery, PostgreSQL cannot walk the per-account index in order and sorts every
matching loop instead (1-2 s at a million).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Exists, F, Field, Func, Lookup, OuterRef, Q, QuerySet, TextField, Value
from django.db.models.functions import Cast, StrIndex, Upper
from django.db.models.lookups import GreaterThanOrEqual, LessThan
from django.utils.dateparse import parse_date, parse_datetime

from console import search_index
from console.models import LoopSearchText
from flows.models import HumanLoop, ReviewTask

PAGE_SIZE = 50
MIN_TEXT = 3  # trigram indexes need three characters; shorter text would scan every row
TEXT_WINDOW = 2000  # newest loops a text search tests row by row before it asks the trigram indexes
# A word PostgreSQL estimates in at most this share of the search table is rare enough to ask the
# trigram index for without the text's other words: at a million rows, about 5,000 candidates to
# recheck, 3.5 µs each (17 ms); the GIN scan of a phrase with common words took 65-150 ms.
RARE_SHARE = 0.005
WORDS_ESTIMATED = 8  # the longest words of a text whose rarity is estimated: one EXPLAIN (0.3 ms) each
# Runs of three or more ASCII letters and digits: alphanumeric in every database locale, so pg_trgm
# finds trigrams in each (a word it found none in would make GIN read the whole index).
_INDEXED_WORD = re.compile(r"[A-Za-z0-9]{3,}")
INPUT_TRIGRAM_INDEX = "console_search_input_upper_trgm_idx"  # console/migrations/0004


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
    """Return `loops` narrowed by `filters` but their text (`page` searches that), scoped by the caller."""
    if filters.name:
        loops = loops.filter(_name_matches(filters.name))
    if filters.status:
        loops = loops.filter(status=filters.status)
    if filters.flow_id is not None:
        loops = loops.filter(flow_definition_id=filters.flow_id)
    if filters.created_from:
        loops = loops.filter(created_at__gte=_midnight(filters.created_from))
    if filters.created_to:
        loops = loops.filter(created_at__lt=_midnight(filters.created_to + dt.timedelta(days=1)))
    if filters.reviewer:
        # The reviewer's id first, and a per-loop EXISTS: the newest-first walk stops after a page,
        # where `id IN (every loop they answered)` first reads all of them.
        worker_id = get_user_model().objects.filter(username=filters.reviewer).values_list("id", flat=True).first()
        answered = ReviewTask.objects.filter(
            human_loop=OuterRef("pk"),
            worker_id=worker_id,
            state__in=[ReviewTask.State.LEASED, ReviewTask.State.SUBMITTED],
        )
        loops = loops.filter(Exists(answered)) if worker_id is not None else loops.none()
    return loops


def page(
    loops: QuerySet[HumanLoop],
    account_ids: Sequence[int],
    cursor: str = "",
    size: int = PAGE_SIZE,
    *,
    text: str = "",
) -> tuple[list[HumanLoop], str]:
    """Return one page of `loops` of the accounts `account_ids` (matching `text` in the input or the
    answers), newest first, after `cursor`, and the cursor of the next page ("" at the end).

    Each account's page is read on its own (see the module docstring), then the newest `size` of
    them kept.
    """
    after = parse_cursor(cursor)
    if after is not None:
        loops = loops.filter(_keyset(LessThan, after))
    rows = []
    for account_id in account_ids:
        rows += _account_page(loops.filter(account_id=account_id), account_id, size, text)
    rows = sorted(rows, key=lambda row: (row.created_at, row.id), reverse=True)[: size + 1]
    if len(rows) <= size:
        return rows, ""
    last = rows[size - 1]
    return rows[:size], f"{last.created_at.isoformat()}~{last.id}"


def _account_page(loops: QuerySet[HumanLoop], account_id: int, size: int, text: str) -> list[HumanLoop]:
    """Return the newest `size` + 1 of one account's `loops` that match `text`.

    Text is searched in two steps. A common word is found among the newest TEXT_WINDOW loops
    (the walk stops early); when they hold fewer than a page of matches, the matches are looked
    up through the trigram indexes instead (few rows for a rare word). Both give the same rows:
    the newest matches.
    """
    ordered = ("-created_at", "-id")
    if not text:
        return list(loops.order_by(*ordered)[: size + 1])
    rows = list(_newest(loops, ordered).filter(_matches(text)).order_by(*ordered)[: size + 1]) if TEXT_WINDOW else []
    if len(rows) <= size:
        rows = list(loops.filter(id__in=_matching_ids(text, account_id)).order_by(*ordered)[: size + 1])
    return rows


def _newest(loops: QuerySet[HumanLoop], ordered: tuple[str, ...]) -> QuerySet[HumanLoop]:
    """The newest TEXT_WINDOW of `loops`, bounded by the (created_at, id) of the oldest of them.

    That loop is read by OFFSET on the keyset index (2,000 index entries). The window's ids as a
    list cost more than the search itself (Django and psycopg build 2,000 parameters); as a
    subquery, PostgreSQL tests every row of the table.
    """
    edge = list(loops.order_by(*ordered).values_list("created_at", "id")[TEXT_WINDOW - 1 : TEXT_WINDOW])
    if not edge:
        return loops
    return loops.filter(_keyset(GreaterThanOrEqual, edge[0]))


class _Row(Func):
    """A row value, `(a, b)`: compared column by column, by PostgreSQL and by SQLite (3.15 and later)."""

    template = "(%(expressions)s)"
    output_field = Field()


def _keyset(lookup: type[Lookup], key: tuple[dt.datetime, int]) -> Lookup:
    """`(created_at, id) <op> key`: one row comparison, which PostgreSQL takes as a bound of the keyset index walk.

    Written as `created_at <= x AND (created_at < x OR id < y)` only created_at bounded the walk, so
    when many loops share a created_at (the million rows of one import share one) the walk read every
    one of them: 300 ms halfway down a million, 580 ms for a rare text's newest window.
    """
    created_at, loop_id = key
    return lookup(_Row(F("created_at"), F("id")), _Row(Value(created_at), Value(loop_id)))


def _answers_with(text: str) -> QuerySet[ReviewTask]:
    answers = ReviewTask.objects.filter(answer__isnull=False).annotate(answer_text=Cast("answer", TextField()))
    return answers.filter(answer_text__icontains=text)


def _matches(text: str) -> Q:
    """Rows whose input or answers hold `text` (tested row by row: for the newest-window step)."""
    return Q(input_content__icontains=text) | Q(id__in=_answers_with(text).values("human_loop_id"))


def _matching_ids(text: str, account_id: int) -> QuerySet:
    """Ids of the account's loops whose input or answers hold `text`: one UNION of two trigram index scans
    and the loops not yet in the search table, tested row by row."""
    in_answers = _answers_with(text).values("human_loop_id")
    if connection.vendor != "postgresql":
        return HumanLoop.objects.filter(input_content__icontains=text).values("id").union(in_answers)
    in_input = _input_holds(LoopSearchText.objects.filter(account_id=account_id), text).values("loop_id")
    backlog = _in_backlog()
    if backlog is None:
        return in_input.union(in_answers)
    not_yet = HumanLoop.objects.filter(backlog, account_id=account_id, input_content__icontains=text).values("id")
    return in_input.union(in_answers, not_yet)


def _input_holds(rows: QuerySet[LoopSearchText], text: str) -> QuerySet[LoopSearchText]:
    """The search `rows` whose input holds `text`, the same rows as `input_content__icontains=text`.

    The trigram index is asked for the text's rare words (each a substring of `text`, so every match
    holds them), and the whole text is rechecked on the rows it returns with STRPOS, which is no
    index condition: as a second `icontains` PostgreSQL would fold it into the GIN scan, common
    words and all. At a million loops "number 520000 about" took 152 ms that way, 0.5 ms this way.
    """
    words = _selective_words(text)
    if not words:
        return rows.filter(input_content__icontains=text)
    for word in words:
        rows = rows.filter(input_content__icontains=word)
    return rows.annotate(text_at=StrIndex(Upper("input_content"), Upper(Value(text)))).filter(text_at__gt=0)


def _selective_words(text: str) -> list[str]:
    """The words of `text` that PostgreSQL estimates are rare in the search table's input (none: ask for it all).

    The estimate is the planner's row count for `input_content__icontains=word`, which it takes from
    the statistics ANALYZE keeps on the trigram index's expression (its most common inputs and a
    histogram of 1,000 others, console/migrations/0006), so it costs no scan. Before the first ANALYZE the
    planner would guess from the word's length alone, so then the whole text is asked for.
    """
    # Kept as written (not uppercased here): PostgreSQL uppercases a word as it uppercases the text.
    words = {word.casefold(): word for word in _INDEXED_WORD.findall(text)}
    if not words or not _input_statistics_exist():
        return []
    table_rows = _estimated_rows(LoopSearchText.objects.all())
    longest = sorted(words.values(), key=len, reverse=True)[:WORDS_ESTIMATED]
    return [
        word
        for word in longest
        if _estimated_rows(LoopSearchText.objects.filter(input_content__icontains=word)) <= RARE_SHARE * table_rows
    ]


def _input_statistics_exist() -> bool:
    """Whether ANALYZE has sampled the input trigram index's expression (pg_stats shows only what we may read)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_stats WHERE schemaname = current_schema() AND tablename = %s)",
            [INPUT_TRIGRAM_INDEX],
        )
        return cursor.fetchone()[0]


def _estimated_rows(rows: QuerySet) -> float:
    """The planner's estimate of how many rows `rows` holds (EXPLAIN: nothing is read)."""
    sql, params = rows.values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        (plan,) = cursor.fetchone()
    return float(plan[0]["Plan"]["Plan Rows"])


def _name_matches(name: str) -> Q:
    """Loops whose name holds `name`: the search table's trigram index, and the loops not yet in it."""
    if connection.vendor != "postgresql":
        return Q(name__icontains=name)
    matches = Q(id__in=LoopSearchText.objects.filter(name__icontains=name).values("loop_id"))
    backlog = _in_backlog()
    return matches if backlog is None else matches | (backlog & Q(name__icontains=name))


def _in_backlog() -> Q | None:
    """Loops started since the search index's last sweep (by id range), or None when there are none."""
    spans = search_index.backlog_spans()
    if not spans:
        return None
    ranges = Q(id__range=spans[0])
    for span in spans[1:]:
        ranges |= Q(id__range=span)
    return ranges


def parse_cursor(cursor: str) -> tuple[dt.datetime, int] | None:
    """Return (created_at, id) of a page cursor, or None for the first page or a cursor that is not one."""
    stamp, _, loop_id = (cursor or "").partition("~")
    moment = parse_datetime(stamp) if stamp else None
    if moment is None or not loop_id.isdigit():
        return None
    return moment, int(loop_id)


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)
