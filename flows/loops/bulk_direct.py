"""The import's fast path on PostgreSQL: COPY straight into the loop and task tables, Python beside PostgreSQL.

flows.loops.bulk_stage checks every item into a temporary table, then writes the
loops set-based: the Python pass and PostgreSQL's INSERT ... SELECT run one after
the other on one core each. Here the caller's thread checks the items (the same rules:
bulk_stage.checked_rows), reserves loop ids from the sequence on a side
connection and formats blocks of COPY text, while a writer thread COPYs each
block into the loop table and its TaskCount tasks into the task table on the
caller's connection, in its transaction (a savepoint). psycopg serializes the
two threads' use of that connection (reading an import's stored file between
blocks waits for the COPY in flight). So the wall time is about the larger of
the two, not their sum, and no row is written twice.

What the staged path decides set-based is decided here without a lookup:
- a name repeated in the file, or one a live loop of the account has, makes a
  COPY fail on the live-name index (human_loop_name_unique): the savepoint is
  rolled back and `start_direct` returns None, so the caller runs the staged
  path, which sorts out retries and conflicts (a re-import, a file with repeats);
- the quota: the direct path runs only when the account's room is at least the
  number of items the caller says may come (`at_most`), else it returns None.
With `all_or_nothing`, the first failing item stops the run (undone; the
staged path then lists every failing row, so a failing import is read twice).
Rows are the ones a StartHumanLoop writes (flows.loops.rules.new_loop_row and
new_task_row; tests/lifecycle/test_bulk_stage.py compares them).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable
from itertools import islice
from operator import itemgetter
from typing import Any

import psycopg
from django.conf import settings
from django.db import connection, transaction

from flows.loops import bulk, bulk_stage, lifecycle, rules, side_writes
from flows.models import FlowDefinition, HumanLoop, ReviewTask
from flows.quality import quality_config
from hitl.kernel import clock
from hitl.kernel.errors import HitlError
from workforce.models import Account

BLOCK_ROWS = 20_000
# From this many items the task rows are written on a second backend (flows.loops.side_writes), beside
# the loop rows: one backend wrote both, one after the other. Fewer items gain nothing worth a
# prepared transaction.
SIDE_WRITER_FROM_ROWS = 50_000
# Blocks formatted ahead of the writer: bounds the memory (a block is a few MB of COPY text).
BLOCKS_AHEAD = 2
_DONE = None
_PER_ROW = ("id", "name", "input_content", "input_json", "data_attributes", "activation_output")


class _LeftToStaged(Exception):
    """Undo the savepoint and let the staged path decide: a COPY met the live-name index, or an item failed."""


def start_set_based(
    account: Account,
    flow: FlowDefinition,
    items: Callable[[], Iterable[bulk.BulkItem | dict[str, Any] | HitlError]],
    *,
    at_most: int | None,
    all_or_nothing: bool = False,
    trusted_json: bool = False,
    progress: Callable[[bulk.BulkSummary], None] | None = None,
    progress_every: int = bulk_stage.PROGRESS_EVERY_ROWS,
    first_index: int = 0,
) -> bulk.BulkSummary:
    """Start a loop for each item inside the caller's transaction (PostgreSQL): by direct COPY, else staged.

    The one rule of which path a bulk run takes: start_direct first; when it gives way (a name taken
    or repeated, a failing item with `all_or_nothing`, a quota with less room than `at_most`), the
    staged path reads the items again from the start (`items` is called once per path) and decides.
    """
    options = {"all_or_nothing": all_or_nothing, "trusted_json": trusted_json, "progress": progress}
    direct = start_direct(account, flow, items(), at_most=at_most, first_index=first_index, **options)
    if direct is not None:
        return direct
    return bulk_stage.start_staged(
        account, flow, items(), progress_every=progress_every, first_index=first_index, **options
    )


def start_direct(
    account: Account,
    flow: FlowDefinition,
    items: Iterable[bulk.BulkItem | dict[str, Any] | HitlError],
    *,
    at_most: int | None,
    all_or_nothing: bool = False,
    trusted_json: bool = False,
    progress: Callable[[bulk.BulkSummary], None] | None = None,
    first_index: int = 0,
) -> bulk.BulkSummary | None:
    """Start a loop for each item inside the caller's transaction (PostgreSQL); None: use the staged path.

    Returns None, having written nothing, when a name of the items is taken (by a live loop or
    earlier in `items`), when the quota leaves less room than `at_most` items, or, with
    `all_or_nothing`, as soon as an item fails (the staged path then lists every failing item,
    conflicts included).
    `progress` gets the running summary after each block written (called in this thread). Failures
    carry the item's index (from `first_index`).
    """
    if not connection.in_atomic_block:
        raise RuntimeError("start_direct runs inside the caller's transaction")
    flow = bulk._check_flow(account, flow)
    quota = settings.HITL_ACTIVE_LOOP_QUOTA
    if quota and (at_most is None or at_most > quota - lifecycle.active_loop_count(account, quota)):
        return None
    summary = bulk.BulkSummary()
    blocks = _Blocks(account, flow)
    side = side_writes.open_side() if at_most is not None and at_most >= SIDE_WRITER_FROM_ROWS else None
    try:
        with transaction.atomic(), _IdSource() as ids:
            connection.ensure_connection()
            writer = _Writers(connection.connection, blocks, side)
            try:
                read = _feed(writer, blocks, ids, items, trusted_json, all_or_nothing, summary, progress, first_index)
            finally:
                writer.finish()
            writer.report(summary, progress)
            if isinstance(writer.error, psycopg.errors.UniqueViolation):
                raise _LeftToStaged
            if writer.error is not None:
                raise writer.error
            if all_or_nothing and summary.failures:
                raise _LeftToStaged
            if side is not None:
                side.commit_with_caller()
    except BaseException as exc:
        if side is not None and not side.prepared:
            side.abandon()
        if isinstance(exc, _LeftToStaged):
            return None
        raise
    summary.checked = read
    summary.failures.sort(key=lambda failure: failure.index)
    return summary


def _feed(writer, blocks, ids, items, trusted_json: bool, all_or_nothing: bool, summary, progress, first_index) -> int:
    """Check every item; hand blocks of the passing ones to the writer until it fails or an item does; return how many were read."""
    failures = summary.failures
    passed = 0
    rows = bulk_stage.checked_rows(
        items, blocks.flow, trusted_json=trusted_json, summary=summary, first_index=first_index
    )
    # A block at a time, not a test per row: a failure or the writer's error stops the run at the block's end.
    while block := list(islice(rows, BLOCK_ROWS)):
        if failures and all_or_nothing or writer.error is not None:
            return 0  # it is all undone: write and read nothing more
        passed += len(block)
        writer.put(blocks.format(block, ids.take(len(block))))
        writer.report(summary, progress)
    return passed + len(failures) + summary.not_activated


class _Blocks:
    """The COPY text of a block of checked items: the loop rows and their TaskCount task rows."""

    def __init__(self, account: Account, flow: FlowDefinition) -> None:
        now = clock.now()
        row = bulk_stage.shared_loop_row(account, flow, now)
        constants = {k: v for k, v in row.items() if k not in _PER_ROW}
        loops = bulk._CopyTable(HumanLoop, with_id=True, constants=constants)
        # The per-row columns first; everything after them is the same for every loop of the run.
        loops.columns = [*_PER_ROW, *(c for c in loops.columns if c not in _PER_ROW)]
        self.loop_tail = "\t" + "\t".join(loops.rendered[c] for c in loops.columns[len(_PER_ROW) :]) + "\n"
        task_row = rules.new_task_row(flow=flow, loop_id=0, expires_at=row["expires_at"], now=now)
        tasks = bulk._CopyTable(ReviewTask, with_id=False, constants=task_row)
        self.task_prefix, _, self.task_suffix = tasks.line({"human_loop_id": "\0"}).partition("\0")
        self.task_count = quality_config.tasks_at_start(flow)
        self.loops_sql, self.tasks_sql, self.flow = loops.sql(), tasks.sql(), flow

    def format(self, block: list[tuple], ids: list[int]) -> tuple[str, str, int]:
        """The COPY text of the loops of `block` (rows of bulk_stage.checked_rows) and of their tasks.

        Column by column, then one f-string a row: escapes are looked for once per column of the block.
        (The columns by itemgetter, not zip(*block), which makes an iterator per row: some thirty garbage
        collections a block, now and then a full one of the whole process.)
        """
        names, contents, input_jsons, attributes, activations = (list(map(itemgetter(i), block)) for i in range(1, 6))
        fields, tail = bulk_stage._fields, self.loop_tail
        names, texts = fields(names), fields(contents)
        if input_jsons.count(None) == attributes.count(None) == activations.count(None) == len(block):
            # An import's rows: the jsonb column is the input text itself, the other two are NULL.
            rows = zip(ids, names, texts, strict=True)
            loops = [f"{loop_id}\t{name}\t{text}\t{text}\t\\N\t\\N{tail}" for loop_id, name, text in rows]
        else:
            json_texts = fields([c if j is None else j for c, j in zip(contents, input_jsons, strict=True)])
            rows = zip(ids, names, texts, json_texts, fields(attributes), fields(activations), strict=True)
            loops = [
                f"{loop_id}\t{name}\t{text}\t{json_text}\t{attribute}\t{activation}{tail}"
                for loop_id, name, text, json_text, attribute, activation in rows
            ]
        # A loop's TaskCount task rows differ only in the loop id: one join of the ids.
        task_ids = list(map(str, ids))
        if self.task_count != 1:
            task_ids = [text for text in task_ids for _ in range(self.task_count)]
        tasks = f"{self.task_prefix}{(self.task_suffix + self.task_prefix).join(task_ids)}{self.task_suffix}"
        return "".join(loops), tasks if task_ids else "", len(block)


class _IdSource:
    """Loop ids taken from the sequence on a side connection, so the writing backend does not spend its CPU on them.

    Sequences ignore rollbacks, so ids of an import that is rolled back are gaps, nothing more.
    """

    def __enter__(self) -> _IdSource:
        self.conn = psycopg.connect(**connection.get_connection_params(), autocommit=True)
        # The sequence's name looked up once: pg_get_serial_sequence per id was 5 µs of server CPU a loop.
        (sequence,) = self.conn.execute(
            "SELECT pg_get_serial_sequence(%s, 'id')", [HumanLoop._meta.db_table]
        ).fetchone()
        self.sql = f"SELECT nextval('{sequence}'::regclass) FROM generate_series(1, %s)"
        return self

    def take(self, count: int) -> list[int]:
        return [row[0] for row in self.conn.execute(self.sql, [count]).fetchall()]

    def __exit__(self, *exc) -> None:
        self.conn.close()


class _Writers:
    """The loop rows' writer on the caller's connection, and the task rows' on the side transaction's if there is one.

    On one connection a single writer COPYs both tables; on two, each backend writes one table,
    so neither waits for the other's index pages.
    """

    def __init__(self, conn: psycopg.Connection, blocks: _Blocks, side: side_writes.SideTransaction | None) -> None:
        if side is None:
            self.loops = _Writer(conn, [blocks.loops_sql, blocks.tasks_sql])
            self.all = [self.loops]
        else:
            self.loops = _Writer(conn, [blocks.loops_sql])
            self.all = [self.loops, _Writer(side.conn, [blocks.tasks_sql])]

    @property
    def error(self) -> BaseException | None:
        return next((writer.error for writer in self.all if writer.error is not None), None)

    def put(self, block: tuple[str, str, int]) -> None:
        loops, tasks, count = block
        if len(self.all) == 1:
            self.loops.put(((loops, tasks), count))
        else:
            self.loops.put(((loops,), count))
            self.all[1].put(((tasks,), count))

    def finish(self) -> None:
        for writer in self.all:
            writer.finish()

    def report(self, summary: bulk.BulkSummary, progress) -> None:
        """Progress counts the loop rows written: their tasks are written beside them, in the same commit."""
        self.loops.report(summary, progress)


class _Writer:
    """A thread that COPYs each block's texts, one per statement, on one psycopg connection, in its transaction."""

    def __init__(self, conn: psycopg.Connection, statements: list[str]) -> None:
        self.conn, self.statements = conn, statements
        self.error: BaseException | None = None
        self.blocks: queue.Queue = queue.Queue(maxsize=BLOCKS_AHEAD)
        self.written: queue.SimpleQueue[int] = queue.SimpleQueue()  # loops written so far, after each block
        self.thread = threading.Thread(target=self._run, name="bulk-direct-writer", daemon=True)
        self.thread.start()

    def put(self, block: tuple[tuple[str, ...], int]) -> None:
        while self.error is None:
            try:
                self.blocks.put(block, timeout=0.5)
                return
            except queue.Full:
                continue

    def finish(self) -> None:
        """Wait for the blocks handed over (none more after a failure)."""
        while self.thread.is_alive():
            try:
                self.blocks.put(_DONE, timeout=0.5)
                break
            except queue.Full:
                continue
        self.thread.join()

    def report(self, summary: bulk.BulkSummary, progress) -> None:
        """In the caller's thread: count the blocks written since the last call, calling `progress` after each."""
        while True:
            try:
                summary.created = self.written.get_nowait()
            except queue.Empty:
                return
            if progress:
                progress(summary)

    def _run(self) -> None:
        cursor = self.conn.cursor()
        created = 0
        try:
            while (block := self.blocks.get()) is not _DONE:
                texts, count = block
                for statement, text in zip(self.statements, texts, strict=True):
                    with cursor.copy(statement) as copy:
                        copy.write(text)
                created += count
                self.written.put(created)
        except BaseException as exc:  # raised again in the caller's thread
            self.error = exc
        finally:
            cursor.close()
