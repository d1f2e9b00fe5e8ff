"""Start many human loops at once: the bulk path behind `manage.py bulk_start`.

Same rules as StartHumanLoop for every item (flows.loops.start_input: name,
InputContent a JSON document of at most 3,145,728 characters; an Active flow,
idempotent retries, Conflict for a taken name, the active-loop quota, the
activation conditions of built-in flows, the agent policy of tool-call review
flows: flows.definitions.activation.admit), but loops and their review tasks are
inserted a batch at a time: with PostgreSQL COPY (ids taken from the sequence
up front), elsewhere with bulk_create. One transaction per batch; an item
that fails is reported and does not stop the others.

If a batch loses a race with a concurrent StartHumanLoop for the same name,
that batch is redone item by item through `start_human_loop`, whose unique
constraint settles the race.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import islice
from typing import Any, NamedTuple

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, models, transaction

from flows.definitions import activation
from flows.loops import lifecycle, rules, start_input
from flows.models import FlowDefinition, HumanLoop, ReviewTask
from flows.quality import quality_config
from hitl.kernel import arns, clock
from hitl.kernel.errors import Conflict, HitlError, InvalidInput
from workforce.models import Account

DEFAULT_BATCH_SIZE = 5000
# PostgreSQL (flows.loops.bulk_stage): items per transaction; each is checked set-based, then written.
STAGED_BATCH_SIZE = 100_000
DEFAULT_WRITERS = 2


class BulkItem(NamedTuple):
    name: str
    input_content: str
    data_attributes: dict[str, Any] | None = None


# BulkItem((name, input_content, data_attributes)) for a caller that makes a million of them (an import):
# the same tuple without NamedTuple's __new__, a Python function that costs more than the tuple.
new_item = functools.partial(tuple.__new__, BulkItem)


@dataclass(frozen=True)
class BulkFailure:
    index: int
    name: str
    error: HitlError


@dataclass
class BulkSummary:
    """What a bulk start did. Failures are listed; successes are only counted (there may be millions)."""

    created: int = 0
    existing: int = 0
    not_activated: int = 0
    failures: list[BulkFailure] = field(default_factory=list)
    # Items read and checked so far, on a path that checks every item before writing any (flows.loops.bulk_stage).
    checked: int = 0

    def merge(self, other: BulkSummary) -> None:
        self.created += other.created
        self.existing += other.existing
        self.not_activated += other.not_activated
        self.failures.extend(other.failures)
        self.checked += other.checked

    @property
    def total(self) -> int:
        return self.created + self.existing + self.not_activated + len(self.failures)

    @property
    def done(self) -> int:
        """How far the work is, in items: checking and writing count half each where they are two passes."""
        return (self.checked + self.total) // 2 if self.checked > self.total else self.total


def progress_line(summary: BulkSummary, total: int | None, seconds: float) -> str:
    """Return one line saying how far a bulk start got: the same words on the command line and in the console."""
    done = f"{summary.done:,}" + (f" of {total:,} items ({100 * summary.done // total}%)" if total else " items")
    if summary.checked > summary.total:
        done += f", {summary.checked:,} checked"
    rate = summary.done / seconds if seconds > 0 else 0.0
    return (
        f"{done}: created={summary.created} existing={summary.existing} not_activated={summary.not_activated} "
        f"failed={len(summary.failures)}, {rate:,.0f} items/s"
    )


@dataclass
class _Prepared:
    index: int
    item: BulkItem
    input_json_text: str  # what goes into the jsonb column
    activation_output: dict[str, Any] | None


def bulk_start_human_loops(
    account: Account,
    flow: FlowDefinition,
    items: Iterable[BulkItem | dict[str, Any] | HitlError],
    *,
    batch_size: int | None = None,
    writers: int = DEFAULT_WRITERS,
    progress: Callable[[BulkSummary], None] | None = None,
) -> BulkSummary:
    """Start a loop for each item on `flow`, a batch of inserts at a time; return counts and failures.

    Items are BulkItem tuples or dicts shaped like a StartHumanLoop request
    (`HumanLoopName`, `InputContent` or `HumanLoopInput.InputContent`,
    optional `DataAttributes`), or the HitlError of an item the caller
    could not read (reported as that item's failure); an InputContent given as a JSON object or
    array instead of a string is started with that value serialized
    (`json.dumps`, so a retry of the same item is byte-identical). Streaming: memory stays bounded by the batches
    in flight. On PostgreSQL, outside a transaction, `writers` threads insert
    batches concurrently (each on its own connection) while the next batch is
    checked; loops then keep file order within a batch, not across batches.
    `progress` is called with the running summary after each batch is written.
    """
    if connection.vendor == "postgresql":
        return _staged(account, flow, items, batch_size=batch_size or STAGED_BATCH_SIZE, progress=progress)
    batch_size = batch_size or DEFAULT_BATCH_SIZE
    flow = _check_flow(account, flow)
    summary = BulkSummary()
    quota = settings.HITL_ACTIVE_LOOP_QUOTA
    room = None
    if quota:
        room = max(0, quota - lifecycle.active_loop_count(account, quota))
    stream = enumerate(map(as_item, items))
    parallel = writers > 1 and connection.vendor == "postgresql" and not connection.in_atomic_block
    if not parallel:
        while batch := list(islice(stream, batch_size)):
            # A name repeated in a later batch meets the committed row of the earlier one: same rules.
            new, room = _sort_batch(account, flow, batch, summary, room)
            summary.merge(_write(account, flow, new))
            if progress:
                progress(summary)
        return summary
    in_flight: deque[Future[BulkSummary]] = deque()
    with ThreadPoolExecutor(writers, thread_name_prefix="bulk-start") as pool:
        while batch := list(islice(stream, batch_size)):
            # A repeated name whose first batch is still in flight meets its unique index:
            # that batch is redone item by item, with the same rules.
            new, room = _sort_batch(account, flow, batch, summary, room)
            in_flight.append(pool.submit(_write_in_thread, account, flow, new))
            while len(in_flight) >= writers:
                summary.merge(in_flight.popleft().result())
                if progress:
                    progress(summary)
        while in_flight:
            summary.merge(in_flight.popleft().result())
            if progress:
                progress(summary)
    summary.failures.sort(key=lambda failure: failure.index)
    return summary


def _staged(
    account: Account,
    flow: FlowDefinition,
    items: Iterable[BulkItem | dict[str, Any] | HitlError],
    *,
    batch_size: int,
    progress: Callable[[BulkSummary], None] | None,
) -> BulkSummary:
    """PostgreSQL: one transaction (or savepoint) per `batch_size` items, by direct COPY (flows.loops.bulk_direct)
    unless a name of the batch is taken or repeated or the quota is near, then staged (flows.loops.bulk_stage)."""
    from flows.loops import bulk_direct  # it builds on this module

    summary = BulkSummary()
    stream = iter(items)
    offset = 0
    while batch := list(islice(stream, batch_size)):
        earlier = dataclasses.replace(summary, failures=[])

        def running(part: BulkSummary, earlier: BulkSummary = earlier) -> None:
            if progress:
                both = dataclasses.replace(earlier, failures=summary.failures + part.failures)
                both.merge(dataclasses.replace(part, failures=[]))
                progress(both)

        with transaction.atomic():
            part = bulk_direct.start_set_based(
                account, flow, lambda batch=batch: batch, at_most=len(batch), progress=running, first_index=offset
            )
        summary.merge(part)
        offset += len(batch)
    return summary


def _check_flow(account: Account, flow: FlowDefinition) -> FlowDefinition:
    arn = arns.build("flow-definition", account.aws_account_id, flow.name)
    current = FlowDefinition.objects.filter(id=flow.id, account=account, deleted_at__isnull=True).first()
    if current is None:
        raise InvalidInput(f"Flow definition {arn} does not exist in this account and region.")
    if current.status != FlowDefinition.Status.ACTIVE:
        raise InvalidInput(f"Flow definition {arn} is {current.status}, not Active.")
    return current


def as_item(item: BulkItem | dict[str, Any] | HitlError) -> BulkItem | HitlError:
    """One item as a BulkItem: a dict shaped like a StartHumanLoop request converted; an error (the caller
    could not read this item) or a BulkItem as is; anything else the error saying what an item is."""
    if isinstance(item, BulkItem | HitlError):
        return item
    if not isinstance(item, dict):
        return InvalidInput("Each item must be a JSON object with HumanLoopName and InputContent.")
    content = item.get("InputContent")
    if content is None and isinstance(item.get("HumanLoopInput"), dict):
        content = item["HumanLoopInput"].get("InputContent")
    if isinstance(content, dict | list):
        content = json.dumps(content, ensure_ascii=False)
    return BulkItem(item.get("HumanLoopName"), content, item.get("DataAttributes"))


def _prepare(index: int, item: BulkItem, flow: FlowDefinition) -> _Prepared | None:
    """Parse and check one item; raise its HitlError, or return None if it needs no review (flows.definitions.activation.admit)."""
    parsed = start_input.check_start_input(item.name, item.input_content, item.data_attributes).input_json
    admission = activation.admit(flow, parsed)  # the same decision as StartHumanLoop's
    if not admission.start:
        return None
    if not flow.request_source:
        return _Prepared(index, item, item.input_content, None)
    return _Prepared(index, item, json.dumps(admission.input_json), admission.activation_output)


def _sort_batch(
    account: Account,
    flow: FlowDefinition,
    batch: list[tuple[int, BulkItem | HitlError]],
    summary: BulkSummary,
    room: int | None,
) -> tuple[list[_Prepared], int | None]:
    """Record the batch's failures and existing loops in `summary`; return the items to insert."""
    candidates: dict[str, _Prepared] = {}
    seen: dict[str, tuple[str, Any]] = {}
    for index, item in batch:
        name = getattr(item, "name", "") or ""
        try:
            if isinstance(item, HitlError):
                raise item
            prepared = _prepare(index, item, flow)
        except HitlError as exc:
            summary.failures.append(BulkFailure(index, name if isinstance(name, str) else "", exc))
            continue
        if prepared is None:
            summary.not_activated += 1
            continue
        earlier = seen.get(name)
        if earlier is not None:
            conflict = _conflict(earlier, flow, item)
            if conflict is None:
                summary.existing += 1
            else:
                summary.failures.append(BulkFailure(index, name, conflict))
            continue
        seen[name] = {
            "flow_definition_id": flow.id,
            "input_content": item.input_content,
            "data_attributes": item.data_attributes,
            "status": "earlier in this batch",
        }
        candidates[name] = prepared

    for existing in _taken(account, list(candidates)):
        prepared = candidates.pop(existing["name"])
        conflict = _conflict(existing, flow, prepared.item)
        if conflict is None:
            summary.existing += 1
        else:
            summary.failures.append(BulkFailure(prepared.index, prepared.item.name, conflict))

    new = list(candidates.values())
    if room is not None:
        quota = settings.HITL_ACTIVE_LOOP_QUOTA
        for prepared in new[room:]:
            # Past the room left, each item meets a full quota.
            refusal = rules.quota_refusal(quota, quota)
            summary.failures.append(BulkFailure(prepared.index, prepared.item.name, refusal))
        new = new[:room]
        room -= len(new)
    return new, room


def _write(account: Account, flow: FlowDefinition, new: list[_Prepared]) -> BulkSummary:
    summary = BulkSummary()
    if not new:
        return summary
    try:
        with transaction.atomic():
            _insert(account, flow, new)
        summary.created += len(new)
    except (IntegrityError, DatabaseError):
        # A concurrent start took a name, or a value PostgreSQL refuses (NUL, NaN in
        # JSON): redo this batch one by one so each item gets its own answer.
        _start_one_by_one(account, flow, new, summary)
    return summary


def _write_in_thread(account: Account, flow: FlowDefinition, new: list[_Prepared]) -> BulkSummary:
    try:
        return _write(account, flow, new)
    finally:
        connection.close()  # this thread's own connection


def _taken(account: Account, names: list[str]) -> list[dict[str, Any]]:
    """Return the live loops of `account` with one of these names."""
    if not names:
        return []
    loops = HumanLoop.objects.filter(account=account, deleted_at__isnull=True)
    if connection.vendor == "postgresql":
        # One array parameter instead of thousands of placeholders.
        loops = loops.extra(where=["name = ANY(%s)"], params=[names])
    else:
        loops = loops.filter(name__in=names)
    return list(loops.values("name", "flow_definition_id", "input_content", "data_attributes", "status"))


def _conflict(existing: dict[str, Any], flow: FlowDefinition, item: BulkItem) -> Conflict | None:
    return rules.start_conflict(
        item.name, existing, flow_id=flow.id, input_content=item.input_content, data_attributes=item.data_attributes
    )


def _start_one_by_one(account: Account, flow: FlowDefinition, new: list[_Prepared], summary: BulkSummary) -> None:
    arn = arns.build("flow-definition", account.aws_account_id, flow.name)
    for prepared in new:
        item = prepared.item
        try:
            result = lifecycle.start_human_loop(
                account=account,
                name=item.name,
                flow_definition_arn=arn,
                input_content=item.input_content,
                data_attributes=item.data_attributes,
            )
        except HitlError as exc:
            summary.failures.append(BulkFailure(prepared.index, item.name, exc))
        except DatabaseError as exc:
            summary.failures.append(BulkFailure(prepared.index, item.name, InvalidInput(f"Rejected: {exc}")))
        else:
            if result.loop is None:
                summary.not_activated += 1
            elif result.created:
                summary.created += 1
            else:
                summary.existing += 1


# --- Inserting -------------------------------------------------------------------


def _insert(account: Account, flow: FlowDefinition, new: list[_Prepared]) -> None:
    now = clock.now()
    loop_values = [
        # input_json as the text of the jsonb column: COPY takes it as is.
        rules.new_loop_row(
            flow=flow,
            name=p.item.name,
            input_content=p.item.input_content,
            input_json=p.input_json_text,
            data_attributes=p.item.data_attributes,
            activation_output=p.activation_output,
            now=now,
        )
        for p in new
    ]
    task_values = rules.new_task_row(flow=flow, loop_id=None, expires_at=loop_values[0]["expires_at"], now=now)
    task_count = quality_config.tasks_at_start(flow)
    if connection.vendor == "postgresql":
        _copy_insert(loop_values, task_values, task_count)
    else:
        _orm_insert(loop_values, task_values, task_count)


def _orm_insert(loop_values: list[dict], task_values: dict, task_count: int) -> None:
    for values in loop_values:
        values["input_json"] = lifecycle.json_column_value(json.loads(values["input_json"]))
    loops = HumanLoop.objects.bulk_create([HumanLoop(**values) for values in loop_values])
    ReviewTask.objects.bulk_create(
        [ReviewTask(**(task_values | {"human_loop_id": loop.id})) for loop in loops for _ in range(task_count)],
        batch_size=2000,
    )


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def _copy_text(value: Any, is_json: bool = False) -> str:
    """Return `value` as one field of COPY's text format."""
    if value is None:
        return "\\N"
    if is_json and not isinstance(value, str):
        value = json.dumps(value)
    elif isinstance(value, bool):
        return "t" if value else "f"
    elif isinstance(value, dt.datetime):
        return value.isoformat()
    return str(value).translate(_COPY_ESCAPES)


class _CopyTable:
    """A model's columns in COPY text format: constant fields rendered once, the rest per row."""

    def __init__(self, model: type[models.Model], *, with_id: bool, constants: dict[str, Any]) -> None:
        fields = [f for f in model._meta.concrete_fields if with_id or not f.primary_key]
        self.table = model._meta.db_table
        self.columns = [f.attname for f in fields]
        self.json_columns = {f.attname for f in fields if isinstance(f, models.JSONField)}
        self.rendered = {}
        for f in fields:
            if f.attname in constants:
                value = constants[f.attname]
            else:
                value = None if f.primary_key or not f.has_default() else f.get_default()
            self.rendered[f.attname] = _copy_text(value, f.attname in self.json_columns)

    def sql(self) -> str:
        quoted = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        return f"COPY {connection.ops.quote_name(self.table)} ({quoted}) FROM STDIN"

    def line(self, values: dict[str, Any]) -> str:
        """Return one row (with its newline); `values` override the constants, JSON columns given as text."""
        fields = self.rendered
        if values:
            fields = fields | {
                column: _copy_text(value, column in self.json_columns) for column, value in values.items()
            }
        return "\t".join(fields[column] for column in self.columns) + "\n"


def _copy_insert(loop_values: list[dict], task_values: dict, task_count: int) -> None:
    constants = {k: v for k, v in loop_values[0].items() if k not in ("name", "input_content", "input_json")}
    constants = {k: v for k, v in constants.items() if all(values[k] == v for values in loop_values)}
    loops = _CopyTable(HumanLoop, with_id=True, constants=constants)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [loops.table, len(loop_values)],
        )
        ids = [row[0] for row in cursor.fetchall()]
        raw = cursor.cursor  # the psycopg cursor under Django's wrapper
        with raw.copy(loops.sql()) as copy:
            copy.write(
                "".join(
                    loops.line({"id": loop_id} | {k: v for k, v in values.items() if k not in constants})
                    for loop_id, values in zip(ids, loop_values, strict=True)
                )
            )
        tasks = _CopyTable(ReviewTask, with_id=False, constants=task_values | {"human_loop_id": 0})
        prefix, _, suffix = tasks.line({"human_loop_id": "\0"}).partition("\0")
        with raw.copy(tasks.sql()) as copy:
            copy.write("".join(f"{prefix}{loop_id}{suffix}" * task_count for loop_id in ids))
