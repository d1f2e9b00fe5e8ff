"""The JSONL and CSV exports on PostgreSQL: the server writes each loop's text, Python joins the pieces.

One `COPY (SELECT ...) TO STDOUT` per export, read as it arrives: PostgreSQL builds every
loop's text while Python writes out the previous ones, so the two overlap on two cores, and
memory holds one COPY buffer whatever the size of the flow. COPY is one statement, so it works
behind PgBouncer, where server-side cursors are off (hitl.kernel.db.postgresql), and it reads
one snapshot: a loop finishing mid-export is in it or not, never half.

Each row is (the loop's answers, the loop's own text). The answers come from one ordered
aggregate (PostgreSQL 15 sorts each group once per ORDER BY aggregate, a third of the cost with
two): per answer its JSON object (or CSV fields) and, when the export consolidates, SEP and its
[workerId, answer] pair, answers joined by NEXT. Python splits them, asks for the consolidated
answer of the pairs (exports memoizes it per distinct answer set) and joins the line. The output
reads as exports.render's of exports.export_loops (tests/console/test_exports.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence

from django.db import connection, transaction

from flows.models import FlowDefinition, HumanLoop, ReviewTask
from workforce.models import Worker

# Control characters never in the text: JSON escapes them, names, ids and timestamps have none.
SEP = "\x03"
NEXT = "\x04"


def _loops_sql(loop_text: str, answer_text: str, with_pairs: bool) -> str:
    # The flow's finished loops in id order joined to their submitted answers and grouped per loop:
    # a merge of two index walks in id order (a lateral read per loop cost three index look-ups a
    # loop). Loops without an answer drop out of the join, as exports.export_loops skips them.
    pair = " || chr(3) || '[\"' || t.worker || '\",' || t.answer || ']'" if with_pairs else ""
    return f"""
SELECT l.answers, {loop_text}
FROM (
    SELECT l.id, l.name, l.status, l.created_at, l.finished_at, l.input_content,
           string_agg({answer_text}{pair}, chr(4) ORDER BY t.submitted_at, t.id) AS answers
    FROM {HumanLoop._meta.db_table} l
    JOIN (
        -- worker ids are 16 hex digits (or a user id): no quote or backslash to escape
        SELECT t.human_loop_id, t.id, coalesce(w.worker_id, t.worker_id::text) AS worker, t.answer::text AS answer,
               t.submitted_at, t.time_spent_seconds
        FROM {ReviewTask._meta.db_table} t LEFT JOIN {Worker._meta.db_table} w ON w.user_id = t.worker_id
        WHERE t.state = %(submitted)s AND t.answer IS NOT NULL
    ) t ON t.human_loop_id = l.id
    WHERE l.flow_definition_id = %(flow)s AND l.status = ANY(%(statuses)s) AND l.deleted_at IS NULL
      AND NOT l.is_gold AND (%(since)s::timestamptz IS NULL OR l.finished_at >= %(since)s)
      AND (%(until)s::timestamptz IS NULL OR l.finished_at < %(until)s)
    GROUP BY l.id
) l
ORDER BY l.id
"""


def _iso(column: str) -> str:
    return f"(to_json({column}) #>> '{{}}')"


def _csv_field(expression: str) -> str:
    # A JSON text quoted, its quotes doubled (csv.writer leaves `{}` or `1` unquoted; both read the same).
    return f"""('"' || replace({expression}, '"', '""') || '"')"""


# JSONL: the loop's text is the line up to its answers; the input on one line (raw newlines in
# JSON are whitespace between tokens).
_JSONL_LOOP = (
    "'{\"humanLoopName\":' || to_json(l.name)::text || ',\"status\":\"' || l.status || '\"'"
    " || ',\"createdAt\":' || to_json(l.created_at)::text"
    " || ',\"finishedAt\":' || coalesce(to_json(l.finished_at)::text, 'null')"
    " || ',\"input\":' || translate(l.input_content, E'\\r\\n', '  ') || ',\"humanAnswers\":['"
)
_JSONL_ANSWER = (
    '\'{"workerId":"\' || t.worker || \'","answerContent":\' || t.answer'
    " || ',\"submissionTime\":' || coalesce(to_json(t.submitted_at)::text, 'null')"
    " || ',\"timeSpentInSeconds\":' || coalesce(to_json(t.time_spent_seconds)::text, 'null') || '}'"
)
# CSV: one row per answer, the loop's columns first (names, statuses, worker ids and timestamps
# hold no comma, quote or newline), then the answer's, then the consolidated answer.
_CSV_LOOP = " || ',' || ".join(
    [
        "l.name",
        "l.status",
        _iso("l.created_at"),
        f"coalesce({_iso('l.finished_at')}, '')",
        _csv_field("translate(l.input_content, E'\\r\\n', '  ')"),
    ]
)
_CSV_ANSWER = " || ',' || ".join(["t.worker", f"coalesce({_iso('t.submitted_at')}, '')", _csv_field("t.answer")])


def stream(
    flow: FlowDefinition,
    export_format: str,
    statuses: Sequence[str],
    since: dt.datetime | None,
    until: dt.datetime | None,
    consolidated: Callable[[str], str] | None,
) -> Iterator[str]:
    """Yield the JSONL lines or CSV rows (`export_format` "jsonl" or "csv", no header) of the flow's
    loops in `statuses` that finished in [since, until), a loop at a time.

    `consolidated(pairs)` returns the consolidated answer, as written in a line or a CSV field, of
    a loop whose answers are `pairs` (JSON text of [[workerId, answer], ...]); None: no column value.
    """
    jsonl = export_format == "jsonl"
    sql = _loops_sql(_JSONL_LOOP if jsonl else _CSV_LOOP, _JSONL_ANSWER if jsonl else _CSV_ANSWER, bool(consolidated))
    params = {
        "flow": flow.id,
        "statuses": list(statuses),
        "since": since,
        "until": until,
        "submitted": ReviewTask.State.SUBMITTED,
    }
    nothing = "null" if jsonl else ""
    # In a transaction (a savepoint when one is open): a download closed halfway cancels the COPY,
    # which aborts only this, not the caller's transaction. JIT off: it compiles for a second and
    # then saves nothing on string building.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        with cursor.cursor.copy(f"COPY ({sql}) TO STDOUT", params) as copy:
            copy.set_types(["text", "text"])
            for answers, loop_text in copy.rows():
                if consolidated is None:
                    parts, value = answers.split(NEXT), nothing
                else:
                    split = [answer.split(SEP) for answer in answers.split(NEXT)]
                    parts = [answer for answer, _ in split]
                    value = consolidated("[" + ",".join(pair for _, pair in split) + "]")
                if jsonl:
                    yield loop_text + ",".join(parts) + '],"consolidatedAnswer":' + value + "}\n"
                else:
                    yield "".join(f"{loop_text},{answer},{value}\r\n" for answer in parts)
