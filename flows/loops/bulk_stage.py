"""The PostgreSQL bulk path: check every item in one streaming pass, then write the loops set-based.

flows.loops.bulk decides and inserts a batch at a time (a name lookup, a COPY
into the loop table, a COPY into the task table, per 5,000 items). Here, in
the caller's transaction:

1. one pass over the items applies the per-item rules (flows.loops.start_input,
   flows.definitions.activation.admit) and streams the items that pass into a
   temporary table with one COPY, while PostgreSQL takes them in (the two
   overlap on two cores); an item that fails is a BulkFailure and is not staged;
2. set-based checks on the staged rows: a name repeated in the file (the first
   occurrence decides; a later one is an idempotent retry or a Conflict), a name
   a live loop of the account already has (flows.loops.rules.start_conflict),
   the active-loop quota;
3. unless the caller asked for all or nothing and something failed, the
   remaining rows go into the loop table and their TaskCount open tasks into
   the task table by INSERT ... SELECT, `INSERT_CHUNK` rows per statement (the
   progress between them). Columns come from flows.loops.rules.new_loop_row and
   new_task_row, as for every other start, so the rows are the ones a
   StartHumanLoop writes (tests/lifecycle/test_bulk_stage.py compares them).

A concurrent StartHumanLoop that takes a staged name between the check and the
insert makes that chunk's INSERT fail on the live-name index: the chunk is rolled
back to its savepoint and redone item by item through lifecycle.start_human_loop.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, models, transaction

from flows.definitions import agent_policy
from flows.loops import bulk, lifecycle, rules, start_input
from flows.models import FlowDefinition, HumanLoop, ReviewTask
from flows.quality import quality_config
from hitl.kernel import client_json, clock
from hitl.kernel.errors import HitlError, InvalidInput
from workforce.models import Account

INSERT_CHUNK = 50_000
COPY_FLUSH_CHARS = 1 << 20
PROGRESS_EVERY_ROWS = 20_000
# The loop columns each staged row fills; every other column is the same for the whole run.
_PER_ROW = ("name", "input_content", "input_json", "data_attributes", "activation_output")
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def _field(value: str | None) -> str:
    """`value` as one field of COPY's text format."""
    if value is None:
        return "\\N"
    if _needs_escape(value):
        return value.translate(_COPY_ESCAPES)
    return value


def _fields(values: Sequence[str | None]) -> Sequence[str]:
    """A block's values of one column as COPY text fields: as they are when none is NULL or needs an escape
    (one search of them all, instead of a call per value), else each by _field."""
    if None not in values and not _needs_escape("".join(values)):
        return values
    return [_field(value) for value in values]


def _needs_escape(text: str) -> bool:
    return "\\" in text or "\n" in text or "\r" in text or "\t" in text


def _json_or_none(value: Any) -> str | None:
    return None if value is None else json.dumps(value)


def needs_admission(flow: FlowDefinition) -> bool:
    """True when admit can refuse, skip or rewrite an item: a built-in task type or an agent policy."""
    return bool(flow.request_source) or agent_policy.parse(flow.tags) is not None


def shared_loop_row(account: Account, flow: FlowDefinition, now) -> dict[str, Any]:
    """new_loop_row's columns for a bulk run: the per-item ones (name, input...) left blank, the rest shared."""
    return rules.new_loop_row(
        flow=flow,
        name="",
        input_content="",
        input_json=None,
        data_attributes=None,
        activation_output=None,
        now=now,
    )


def start_staged(
    account: Account,
    flow: FlowDefinition,
    items: Iterable[bulk.BulkItem | dict[str, Any] | HitlError],
    *,
    all_or_nothing: bool = False,
    trusted_json: bool = False,
    progress: Callable[[bulk.BulkSummary], None] | None = None,
    progress_every: int = PROGRESS_EVERY_ROWS,
    first_index: int = 0,
) -> bulk.BulkSummary:
    """Start a loop for each item, inside the caller's transaction (PostgreSQL only); return the counts and failures.

    With `all_or_nothing`, nothing is inserted once any item fails (the caller
    rolls back). `trusted_json`: each InputContent was made by json.dumps of
    values client_json accepted (flows.loops.imports), so it is only searched
    for the escapes client_json refuses instead of being parsed again. Failures
    carry the item's index (from `first_index`). `progress` is called every `progress_every` items checked
    and after each chunk written.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("start_staged runs inside the caller's transaction")
    flow = bulk._check_flow(account, flow)
    summary = bulk.BulkSummary()
    stage = f"hitl_bulk_stage_{uuid.uuid4().hex[:12]}"
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE {stage} (n bigint NOT NULL, name text NOT NULL, input_content text NOT NULL, "
            "input_json text, data_attributes jsonb, activation_output jsonb, skip boolean NOT NULL DEFAULT false) "
            "ON COMMIT DROP"
        )
        staged = _copy_checked(
            cursor.cursor, stage, items, flow, trusted_json, summary, progress, progress_every, first_index
        )
        cursor.execute(f"CREATE INDEX ON {stage} (n)")
        cursor.execute(f"ANALYZE {stage}")
        skipped = _sort_out(cursor, stage, account, flow, summary)
        new = staged - skipped
        quota = settings.HITL_ACTIVE_LOOP_QUOTA
        if quota:
            room = max(0, quota - lifecycle.active_loop_count(account, quota))
            if new > room:
                new -= _over_quota(cursor, stage, room, quota, summary)
        summary.checked = summary.total + new
        if not (all_or_nothing and summary.failures):
            _insert(cursor, stage, account, flow, summary, progress)
        cursor.execute(f"DROP TABLE {stage}")
    summary.failures.sort(key=lambda failure: failure.index)
    return summary


def checked_rows(
    items: Iterable[bulk.BulkItem | dict[str, Any] | HitlError],
    flow: FlowDefinition,
    *,
    trusted_json: bool,
    summary: bulk.BulkSummary,
    first_index: int = 0,
) -> Iterator[tuple[int, str, str, str | None, str | None, str | None]]:
    """Apply the per-item rules; yield (index, name, input, input_json, data_attributes, activation_output) per item that passes.

    JSON columns come as text (input_json None: the input text itself). An item that fails is
    added to `summary.failures`, one that needs no review to `summary.not_activated`.
    """
    admission = needs_admission(flow)
    # An import's rows (trusted JSON, no DataAttributes, a flow that admits everything): checked here
    # without a call per rule for the million that pass; anything else, failures included, by _checked_row.
    plain = trusted_json and not admission
    name_problem, content_problem = start_input.name_problem, start_input.input_content_problem
    suspect = client_json._SUSPECT_ESCAPE.search
    item_type = bulk.BulkItem
    for index, item in enumerate(items, start=first_index):
        if plain and type(item) is item_type and item[2] is None:
            name, content, _ = item
            if not (name_problem(name) or content_problem(content) or suspect(content)):
                yield index, name, content, None, None, None
                continue
        row = _checked_row(index, item, flow, admission, trusted_json, summary)
        if row is not None:
            yield row


def _checked_row(
    index: int,
    item: bulk.BulkItem | dict[str, Any] | HitlError,
    flow: FlowDefinition,
    admission: bool,
    trusted_json: bool,
    summary: bulk.BulkSummary,
) -> tuple[int, str, str, str | None, str | None, str | None] | None:
    """checked_rows for one item: its row, or None once its failure or its "needs no review" is counted."""
    item = bulk.as_item(item)
    name = getattr(item, "name", "") or ""
    try:
        if isinstance(item, HitlError):
            raise item
        if admission or not trusted_json or item.data_attributes is not None:
            prepared = bulk._prepare(index, item, flow)
            if prepared is None:
                summary.not_activated += 1
                return None
            input_json = None if prepared.input_json_text is item.input_content else prepared.input_json_text
            activation = _json_or_none(prepared.activation_output)
        else:
            # What check_start_input does, minus re-parsing JSON that json.dumps just wrote.
            problems = [
                p for p in (start_input.name_problem(name), start_input.input_content_problem(item.input_content)) if p
            ]
            if problems:
                raise InvalidInput(problems)
            if client_json._SUSPECT_ESCAPE.search(item.input_content):
                start_input.parse_input_content(item.input_content)
            input_json = activation = None
    except HitlError as exc:
        summary.failures.append(bulk.BulkFailure(index, name if isinstance(name, str) else "", exc))
        return None
    return index, name, item.input_content, input_json, _json_or_none(item.data_attributes), activation


def _copy_checked(
    raw,
    stage: str,
    items: Iterable[bulk.BulkItem | dict[str, Any] | HitlError],
    flow: FlowDefinition,
    trusted_json: bool,
    summary: bulk.BulkSummary,
    progress: Callable[[bulk.BulkSummary], None] | None,
    progress_every: int,
    first_index: int,
) -> int:
    """Check each item and COPY the ones that pass into the stage table; return how many were staged."""
    staged = 0
    parts: list[str] = []
    length = 0
    failures = summary.failures
    sql = f"COPY {stage} (n, name, input_content, input_json, data_attributes, activation_output) FROM STDIN"

    def flush() -> None:
        # A COPY per block, not one for the whole run: reading the items may query this connection
        # (an import reads its stored file), which cannot happen while a COPY is open.
        with raw.copy(sql) as copy:
            copy.write("".join(parts))
        parts.clear()

    rows = checked_rows(items, flow, trusted_json=trusted_json, summary=summary, first_index=first_index)
    for index, name, content, input_json, attributes, activation in rows:
        line = f"{index}\t{_field(name)}\t{_field(content)}\t{_field(input_json)}\t{_field(attributes)}\t{_field(activation)}\n"
        parts.append(line)
        length += len(line)
        staged += 1
        if length >= COPY_FLUSH_CHARS:
            flush()
            length = 0
        if progress and (staged + len(failures)) % progress_every == 0:
            summary.checked = staged + summary.total
            progress(summary)
    if parts:
        flush()
    return staged


def _sort_out(cursor, stage: str, account: Account, flow: FlowDefinition, summary: bulk.BulkSummary) -> int:
    """Mark staged rows that start nothing (a retry) or fail (a Conflict) as skipped; return how many."""
    skip: list[int] = []
    # A name repeated in the file: each later occurrence meets the first one.
    cursor.execute(
        f"SELECT s.n, s.name, s.input_content, s.data_attributes::text, f.input_content, f.data_attributes::text "
        f"FROM {stage} s JOIN (SELECT DISTINCT ON (name) name, n, input_content, data_attributes FROM {stage} "
        f"WHERE name IN (SELECT name FROM {stage} GROUP BY name HAVING count(*) > 1) ORDER BY name, n) f "
        "ON f.name = s.name AND s.n > f.n"
    )
    for n, name, content, attributes, first_content, first_attributes in cursor.fetchall():
        earlier = {
            "flow_definition_id": flow.id,
            "input_content": first_content,
            "data_attributes": _loads(first_attributes),
            "status": "earlier in this file",
        }
        _meet(n, name, content, _loads(attributes), earlier, flow, summary)
        skip.append(n)
    later = set(skip)
    # A name a live loop of the account has.
    cursor.execute(
        f"SELECT s.n, s.name, s.input_content, s.data_attributes::text, l.flow_definition_id, l.input_content, "
        f"l.data_attributes::text, l.status FROM {stage} s JOIN {HumanLoop._meta.db_table} l "
        "ON l.name = s.name AND l.account_id = %s AND l.deleted_at IS NULL",
        [account.id],
    )
    for n, name, content, attributes, flow_id, existing_content, existing_attributes, status in cursor.fetchall():
        if n in later:
            continue
        existing = {
            "flow_definition_id": flow_id,
            "input_content": existing_content,
            "data_attributes": _loads(existing_attributes),
            "status": status,
        }
        _meet(n, name, content, _loads(attributes), existing, flow, summary)
        skip.append(n)
    if skip:
        cursor.execute(f"UPDATE {stage} SET skip = true WHERE n = ANY(%s)", [skip])
    return len(skip)


def _loads(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def _meet(n: int, name: str, content: str, attributes: Any, existing: dict, flow, summary: bulk.BulkSummary) -> None:
    conflict = rules.start_conflict(name, existing, flow_id=flow.id, input_content=content, data_attributes=attributes)
    if conflict is None:
        summary.existing += 1
    else:
        summary.failures.append(bulk.BulkFailure(n, name, conflict))


def _over_quota(cursor, stage: str, room: int, quota: int, summary: bulk.BulkSummary) -> int:
    """Fail the rows past the room the quota leaves (in file order); return how many."""
    cursor.execute(f"SELECT n, name FROM {stage} WHERE NOT skip ORDER BY n OFFSET %s", [room])
    over = cursor.fetchall()
    for n, name in over:
        summary.failures.append(bulk.BulkFailure(n, name, rules.quota_refusal(quota, quota)))
    cursor.execute(f"UPDATE {stage} SET skip = true WHERE n = ANY(%s)", [[n for n, _ in over]])
    return len(over)


def _constant(model: type[models.Model], column: str, value: Any) -> tuple[str, list[Any]]:
    """A SELECT-list expression for a value every inserted row shares, typed as its column."""
    field = next(f for f in model._meta.concrete_fields if f.attname == column)
    if isinstance(field, models.JSONField) and value is not None:
        value = json.dumps(value)
    return f"%s::{field.db_type(connection)}", [value]


def _insert(
    cursor,
    stage: str,
    account: Account,
    flow: FlowDefinition,
    summary: bulk.BulkSummary,
    progress: Callable[[bulk.BulkSummary], None] | None,
) -> None:
    now = clock.now()
    row = shared_loop_row(account, flow, now)
    per_row = {
        "name": "s.name",
        "input_content": "s.input_content",
        "input_json": "coalesce(s.input_json, s.input_content)::jsonb",
        "data_attributes": "s.data_attributes",
        "activation_output": "s.activation_output",
    }
    loop_columns, loop_exprs, loop_params = [], [], []
    for f in HumanLoop._meta.concrete_fields:
        if f.primary_key:
            continue
        loop_columns.append(f.column)
        if f.attname in per_row:
            loop_exprs.append(per_row[f.attname])
            continue
        value = row[f.attname] if f.attname in row else f.get_default()
        expression, values = _constant(HumanLoop, f.attname, value)
        loop_exprs.append(expression)
        loop_params += values
    task_row = rules.new_task_row(flow=flow, loop_id=None, expires_at=row["expires_at"], now=now)
    task_columns, task_exprs, task_params = [], [], []
    for f in ReviewTask._meta.concrete_fields:
        if f.primary_key:
            continue
        task_columns.append(f.column)
        if f.attname == "human_loop_id":
            task_exprs.append("ins.id")
            continue
        value = task_row[f.attname] if f.attname in task_row else f.get_default()
        expression, values = _constant(ReviewTask, f.attname, value)
        task_exprs.append(expression)
        task_params += values
    task_count = quality_config.tasks_at_start(flow)
    sql = (
        f"WITH ins AS (INSERT INTO {HumanLoop._meta.db_table} ({', '.join(loop_columns)}) "
        f"SELECT {', '.join(loop_exprs)} FROM {stage} s WHERE NOT s.skip AND s.n >= %s AND s.n < %s "
        f"ORDER BY s.n RETURNING id), "
        f"tasks AS (INSERT INTO {ReviewTask._meta.db_table} ({', '.join(task_columns)}) "
        f"SELECT {', '.join(task_exprs)} FROM ins CROSS JOIN generate_series(1, %s) g ORDER BY ins.id, g) "
        "SELECT count(*) FROM ins"
    )
    cursor.execute(f"SELECT min(n), max(n) FROM {stage} WHERE NOT skip")
    low, high = cursor.fetchone()
    if low is None:
        return
    for start in range(low, high + 1, INSERT_CHUNK):
        bounds = [start, start + INSERT_CHUNK]
        try:
            with transaction.atomic():
                cursor.execute(sql, [*loop_params, *bounds, *task_params, task_count])
                summary.created += cursor.fetchone()[0]
        except (IntegrityError, DatabaseError):
            # A concurrent start took a staged name: this chunk, one item at a time.
            _one_by_one(cursor, stage, account, flow, bounds, summary)
        if progress:
            progress(summary)


def _one_by_one(cursor, stage: str, account: Account, flow: FlowDefinition, bounds: list[int], summary) -> None:
    cursor.execute(
        f"SELECT n, name, input_content, data_attributes::text FROM {stage} "
        "WHERE NOT skip AND n >= %s AND n < %s ORDER BY n",
        bounds,
    )
    rows = cursor.fetchall()
    items = [bulk.BulkItem(name, content, _loads(attributes)) for _, name, content, attributes in rows]
    prepared = [bulk._Prepared(n, item, item.input_content, None) for (n, *_), item in zip(rows, items, strict=True)]
    bulk._start_one_by_one(account, flow, prepared, summary)
