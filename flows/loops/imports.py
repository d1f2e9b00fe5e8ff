"""Import rows into loops: a CSV or JSONL upload, or a listing of images under an S3 prefix.

An import is an ImportJob: the uploaded file is kept as ImportChunk rows (so
a Celery worker on another machine reads the same bytes), its columns are
mapped to the input fields the flow's template reads (`task.input.<field>`),
and `run_import` starts one loop per row through the bulk path
(flows.loops.bulk.bulk_start_human_loops: the same rules as StartHumanLoop).

All or nothing: every row is started inside one transaction, which is rolled
back if any row fails (a row the mapping cannot read, a name refused or taken
with other input, the quota...); the job then lists every failing row in
`errors` (downloadable as CSV) and no loop exists. Re-importing the same file
after a success starts nothing new: each row meets its own loop (same name,
same input) and counts as existing.

Progress is readable while the transaction is open: on PostgreSQL a thread
with its own connection writes the counts to the job row; on SQLite (one
writer at a time, the embedded default, where the import runs in a thread of
the web process) the counts live in this process's memory.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
import queue
import re
import threading
import time
from collections.abc import Iterator
from itertools import chain
from json.encoder import encode_basestring
from typing import IO, Any

import psycopg
from celery import signature
from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.db.models import Q

from flows.delivery.read_access import ReadPolicy
from flows.delivery.storage import get_store
from flows.loops import bulk, bulk_direct
from flows.models import FlowDefinition, ImportChunk, ImportJob
from hitl.kernel import client_json, clock
from hitl.kernel.errors import HitlError, InvalidInput
from hitl.kernel.transactions import enqueue_on_commit
from workforce.models import Account

CHUNK_BYTES = 1 << 20
BATCH_SIZE = bulk.DEFAULT_BATCH_SIZE
ERRORS_KEPT = 10_000
MAX_LISTED_IMAGES = 1_000_000
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".bmp", ".tif", ".tiff")
# Columns of an image listing: each row is one object.
LISTING_COLUMNS = ["uri", "key"]
PROGRESS_EVERY_SECONDS = 0.3
RUN_IMPORT_TASK = "flows.tasks.run_import"
# The Celery task's time limit (flows.tasks.run_import): Celery kills a run that takes longer, so a job
# still "running" a while after it has lost its process and may be taken over.
RUN_TIME_LIMIT_SECONDS = 3600
STALE_RUN_SECONDS = RUN_TIME_LIMIT_SECONDS + 300

# json.dumps(value, ensure_ascii=False), without building an encoder per call, and the function it
# encodes each string (key or value) with.
_encode_json = json.JSONEncoder(ensure_ascii=False).encode
_encode_string = encode_basestring

# task.input.name, task.input["name"] and task.input['name'] in a Liquid template.
_INPUT_FIELD = re.compile(r"""task\.input(?:\.([A-Za-z_][\w-]*)|\[\s*["']([^"']+)["']\s*\])""")


class _RolledBack(Exception):
    """Raised inside the import's transaction to undo it."""


# --- Setting up an import -----------------------------------------------------------


def template_input_fields(template: str) -> list[str]:
    """Return the top-level input fields a task template reads, in the order they first appear."""
    fields: dict[str, None] = {}
    for match in _INPUT_FIELD.finditer(template):
        fields.setdefault(match.group(1) or match.group(2), None)
    return list(fields)


def create_import(
    account: Account, flow: FlowDefinition, upload: IO[bytes], *, file_name: str, created_by=None
) -> ImportJob:
    """Store an uploaded CSV or JSONL file as a new import of `flow`, ready for its column mapping.

    The format comes from the file name (.csv, else JSONL). Raises InvalidInput
    for an empty file or one whose columns cannot be read.
    """
    source_format = ImportJob.Format.CSV if file_name.lower().endswith(".csv") else ImportJob.Format.JSONL
    return _store_upload(account, flow, upload, file_name, source_format, created_by)


def create_image_listing_import(
    account: Account, flow: FlowDefinition, s3_prefix: str, *, created_by=None
) -> ImportJob:
    """List the images under an S3 prefix the account may read, as an import with one row per image.

    Rows have the columns `uri` (s3://bucket/key, what templates pass to
    grant_read_access) and `key`.
    """
    bucket, _, prefix = s3_prefix.strip().removeprefix("s3://").partition("/")
    if not s3_prefix.strip().startswith("s3://") or not bucket:
        raise InvalidInput(f"{s3_prefix!r} is not an S3 prefix like s3://bucket/images/.")
    policy = ReadPolicy(account.id)
    refusal = policy.refusal(bucket, prefix)
    if refusal:
        raise InvalidInput(refusal)
    lines = io.BytesIO()
    try:
        for key in get_store().list_keys(bucket, prefix, MAX_LISTED_IMAGES):
            if key.lower().endswith(IMAGE_SUFFIXES) and policy.refusal(bucket, key) is None:
                lines.write(json.dumps({"uri": f"s3://{bucket}/{key}", "key": key}).encode() + b"\n")
    except Exception as exc:  # the store's own error, said plainly
        raise InvalidInput(f"Could not list {s3_prefix}: {exc}") from None
    if not lines.tell():
        raise InvalidInput(f"No images ({', '.join(IMAGE_SUFFIXES)}) under {s3_prefix}.")
    lines.seek(0)
    return _store_upload(account, flow, lines, s3_prefix, ImportJob.Format.JSONL, created_by)


def _store_upload(
    account: Account, flow: FlowDefinition, upload: IO[bytes], name: str, source_format: str, created_by
) -> ImportJob:
    with transaction.atomic():
        job = ImportJob.objects.create(
            account=account,
            flow_definition=flow,
            created_by=created_by,
            source_name=name[:1024],
            source_format=source_format,
        )
        rows, number, first, last = 0, 0, b"", b""
        while chunk := upload.read(CHUNK_BYTES):
            first = first or chunk
            last = chunk
            rows += chunk.count(b"\n")
            ImportChunk.objects.create(job=job, number=number, data=chunk)
            number += 1
        if not first.strip():
            raise InvalidInput("The file is empty.")
        if not last.endswith(b"\n"):
            rows += 1  # the last line has no newline
        columns = _columns(first, source_format)
        if not columns:
            raise InvalidInput("No columns found: a CSV file needs a header row, a JSONL file JSON objects.")
        header = 1 if source_format == ImportJob.Format.CSV else 0
        job.columns = columns
        job.total_rows = max(rows - header, 0)
        job.mapping = {field: field for field in template_input_fields(_template(flow)) if field in columns}
        job.save(update_fields=["columns", "total_rows", "mapping"])
    return job


def _template(flow: FlowDefinition) -> str:
    return flow.template.content if flow.template_id else ""


def _columns(first_chunk: bytes, source_format: str) -> list[str]:
    text = first_chunk.decode("utf-8-sig", errors="replace")
    if source_format == ImportJob.Format.CSV:
        header = next(csv.reader(io.StringIO(text)), [])
        return [column.strip() for column in header if column.strip()]
    columns: dict[str, None] = {}
    for line in text.splitlines()[:100]:
        try:
            row = json.loads(line)
        except ValueError:
            continue
        if isinstance(row, dict):
            columns.update(dict.fromkeys(row))
    return list(columns)


def set_mapping(job: ImportJob, mapping: dict[str, str], name_column: str = "") -> ImportJob:
    """Set which column fills each input field (and names the loops), then queue the import.

    Fields mapped to "" are left out of the input. Raises InvalidInput for a
    column the file does not have, or when nothing is mapped.
    """
    if job.state != ImportJob.State.UPLOADED:
        raise InvalidInput(f"This import is {job.state}; its mapping can no longer change.")
    mapping = {field.strip(): column for field, column in mapping.items() if field.strip() and column}
    unknown = sorted({*mapping.values(), *([name_column] if name_column else [])} - set(job.columns))
    if unknown:
        raise InvalidInput(f"The file has no column {', '.join(map(repr, unknown))}; its columns: {job.columns}.")
    if not mapping:
        raise InvalidInput("Map at least one column to an input field.")
    updated = ImportJob.objects.filter(id=job.id, state=ImportJob.State.UPLOADED).update(
        mapping=mapping, name_column=name_column, state=ImportJob.State.QUEUED
    )
    if not updated:
        raise InvalidInput("This import was started already.")
    job.refresh_from_db()
    _run_in_background(job.id)
    return job


def _run_in_background(job_id: int) -> None:
    """Run the import after this transaction commits: a Celery task, or a thread of this process without a broker."""
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        # By name: flows.tasks (which defines it) imports this module.
        enqueue_on_commit(signature(RUN_IMPORT_TASK), job_id)
        return

    def in_thread() -> None:
        try:
            run_import(job_id)
        finally:
            connection.close()

    transaction.on_commit(lambda: threading.Thread(target=in_thread, name=f"import-{job_id}", daemon=True).start())


# --- Running it ----------------------------------------------------------------------


def run_import(job_id: int) -> ImportJob | None:
    """Start every row of a queued import in one transaction; keep none of them if any row fails.

    Safe to run twice: only the call that moves the job from queued to
    running does the work. A job left running by a process that died
    (its transaction rolled back with it) is taken over after
    STALE_RUN_SECONDS. Returns the finished job, or None if this call did
    not run it.
    """
    close_old_connections()
    now = clock.now()
    stale = Q(state=ImportJob.State.RUNNING, started_at__lt=now - dt.timedelta(seconds=STALE_RUN_SECONDS))
    claimed = ImportJob.objects.filter(Q(state=ImportJob.State.QUEUED) | stale, id=job_id).update(
        state=ImportJob.State.RUNNING, started_at=now
    )
    if not claimed:
        return None
    job = ImportJob.objects.select_related("account", "flow_definition").get(id=job_id)
    reporter = _ProgressReporter(job)
    summary = bulk.BulkSummary()
    try:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # COPY straight into the loop and task tables beside the checks (flows.loops.bulk_direct),
                # unless a name is taken or repeated or the quota is near: then every row is checked and
                # staged first, and written set-based (flows.loops.bulk_stage).
                summary = bulk_direct.start_set_based(
                    job.account,
                    job.flow_definition,
                    lambda: _items(job),
                    at_most=job.total_rows,
                    all_or_nothing=True,
                    trusted_json=True,  # _items writes each input as json.dumps does, of strings or checked values
                    progress=reporter.report,
                    progress_every=BATCH_SIZE,
                )
            else:
                summary = bulk.bulk_start_human_loops(
                    job.account,
                    job.flow_definition,
                    _items(job),
                    batch_size=BATCH_SIZE,
                    writers=1,  # one transaction, so one connection
                    progress=reporter.report,
                )
            if summary.failures:
                raise _RolledBack
        state, message = ImportJob.State.DONE, _done_message(summary)
    except _RolledBack:
        state = ImportJob.State.FAILED
        message = f"{len(summary.failures):,} of {max(summary.checked, summary.total):,} rows have errors: nothing was imported."
    except HitlError as exc:  # the flow itself (deleted, not Active)
        state, message = ImportJob.State.FAILED, f"{exc.message} Nothing was imported."
    finally:
        reporter.close()
    ImportJob.objects.filter(id=job_id).update(
        state=state,
        message=message,
        finished_at=clock.now(),
        processed=max(summary.checked, summary.total),
        created=summary.created if state == ImportJob.State.DONE else 0,
        existing=summary.existing if state == ImportJob.State.DONE else 0,
        not_activated=summary.not_activated if state == ImportJob.State.DONE else 0,
        failed=len(summary.failures),
        errors=_errors_csv(summary),
    )
    return ImportJob.objects.get(id=job_id)


def _done_message(summary: bulk.BulkSummary) -> str:
    parts = [f"{summary.created:,} loops started"]
    if summary.existing:
        parts.append(f"{summary.existing:,} already existed with the same input")
    if summary.not_activated:
        parts.append(f"{summary.not_activated:,} needed no review")
    return "; ".join(parts) + "."


def _errors_csv(summary: bulk.BulkSummary) -> str:
    if not summary.failures:
        return ""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["row", "name", "error", "message"])
    for failure in sorted(summary.failures, key=lambda failure: failure.index)[:ERRORS_KEPT]:
        writer.writerow([failure.index + 1, failure.name, type(failure.error).__name__, failure.error.message])
    if len(summary.failures) > ERRORS_KEPT:
        writer.writerow(["", "", "", f"... and {len(summary.failures) - ERRORS_KEPT:,} more rows with errors"])
    return out.getvalue()


def _items(job: ImportJob) -> Iterator[bulk.BulkItem | HitlError]:
    """Yield one bulk item per row (numbered from 1, the header not counted), or the row's error."""
    if job.source_format == ImportJob.Format.CSV:
        return _csv_items(job)
    return _jsonl_items(job)


def _csv_items(job: ImportJob) -> Iterator[bulk.BulkItem | HitlError]:
    """The CSV file's rows as bulk items.

    Every CSV value is a string, so each input is built as the text json.dumps(ensure_ascii=False) writes for
    the mapped fields ('{"field": "value", ...}'): the keys encoded once, each value by the encoder json.dumps
    uses, and no dict per row (about 1 µs a row instead of 8). A repeated header column gives its last value,
    as a dict of the header would.
    """
    reader = csv.reader(_lines(job))
    header = [column.strip() for column in next(reader, [])]
    width = len(header)
    position = {column: at for at, column in enumerate(header)}
    # The header decides which mapped columns a row lacks: the same for every row of the right length.
    missing = sorted({*job.mapping.values(), *([job.name_column] if job.name_column else [])} - position.keys())
    lacks = f"has no {', '.join(map(repr, missing))}."
    fields = [(f"{_encode_string(field)}: ", position.get(column)) for field, column in job.mapping.items()]
    name_at = position.get(job.name_column) if job.name_column else None
    prefix = f"{_name_prefix(job)}-"
    number = 0
    try:
        for values in reader:
            if not "".join(values).strip():  # a blank line, or separators and spaces only
                continue
            number += 1
            if len(values) != width:
                yield InvalidInput(f"Row {number} has {len(values)} values; the header has {width} columns.")
            elif missing:
                yield InvalidInput(f"Row {number} {lacks}")
            else:
                content = "{" + ", ".join([key + _encode_string(values[at]) for key, at in fields]) + "}"
                yield bulk.new_item((f"{prefix}{number}" if name_at is None else values[name_at], content, None))
    except csv.Error as exc:
        yield InvalidInput(f"Row {number + 1} is not valid CSV: {exc}. The rows after it were not read.")


def _jsonl_items(job: ImportJob) -> Iterator[bulk.BulkItem | HitlError]:
    """The JSONL file's objects as bulk items: each input the mapped keys' values, json.dumps'd again."""
    prefix = _name_prefix(job)
    number = 0
    for line in _lines(job):
        if not line.strip():
            continue
        number += 1
        try:
            row = client_json.parse(line)  # within client_json's limits, so json.dumps of its values is valid input
        except ValueError as exc:
            yield InvalidInput(f"Row {number} is not JSON: {exc}.")
            continue
        if not isinstance(row, dict):
            yield InvalidInput(f"Row {number} is a JSON {type(row).__name__}, not an object.")
            continue
        missing = [column for column in job.mapping.values() if column not in row]
        if job.name_column and job.name_column not in row:
            missing.append(job.name_column)
        if missing:
            yield InvalidInput(f"Row {number} has no {', '.join(map(repr, sorted(set(missing))))}.")
            continue
        task_input = {field: row[column] for field, column in job.mapping.items()}
        name = row[job.name_column] if job.name_column else f"{prefix}-{number}"
        yield bulk.BulkItem(name if isinstance(name, str) else str(name), _encode_json(task_input))


def _name_prefix(job: ImportJob) -> str:
    suffix = f"-i{job.id}"
    return job.flow_definition.name[: 63 - len(suffix) - 8].rstrip("-") + suffix


def _lines(job: ImportJob) -> Iterator[str]:
    """Yield the stored file's lines, reading one chunk at a time (each chunk's lines handed on by C, not a yield each)."""
    return chain.from_iterable(_chunk_lines(job))


def _chunk_lines(job: ImportJob) -> Iterator[list[str]]:
    decoder = codecs.getincrementaldecoder("utf-8-sig")(errors="replace")
    tail = ""
    for data in _chunks(job):
        text = tail + decoder.decode(data)
        lines = text.splitlines(keepends=True)
        tail = lines.pop() if lines and not lines[-1].endswith(("\n", "\r")) else ""
        yield lines
    tail += decoder.decode(b"", final=True)
    if tail:
        yield [tail]


def _chunks(job: ImportJob) -> Iterator[bytes]:
    """The stored file's chunks in order, one in memory at a time.

    On PostgreSQL they are read on a connection of their own: the import's connection is busy
    COPYing the previous block (flows.loops.bulk_direct), and a read queued behind each COPY
    made the checks wait for the writing about once a chunk (a fifth of the import's time at
    200,000 rows). The upload committed them, so that connection sees them; one it cannot see
    (written in the caller's own transaction, as a test does) is read on the import's.
    """
    numbers = list(ImportChunk.objects.filter(job=job).order_by("number").values_list("number", flat=True))
    if connection.vendor != "postgresql":
        for number in numbers:
            yield _chunk(job, number)
        return
    # Autocommit, a statement per chunk: an import that stops reading early (a failing row) leaves
    # this connection idle until the generator is closed, but never inside a transaction holding locks.
    sql = f"SELECT data FROM {ImportChunk._meta.db_table} WHERE job_id = %s AND number = %s"
    with psycopg.connect(**connection.get_connection_params(), autocommit=True) as conn:
        for number in numbers:
            row = conn.execute(sql, [job.id, number]).fetchone()
            yield _chunk(job, number) if row is None else bytes(row[0])


def _chunk(job: ImportJob, number: int) -> bytes:
    return bytes(ImportChunk.objects.filter(job=job, number=number).values_list("data", flat=True).get())


# --- Progress ---------------------------------------------------------------------

# job id -> counts, for imports running in this process (read by `progress`).
_live: dict[int, dict[str, int]] = {}


class _ProgressReporter:
    """Publishes a running import's counts while its transaction is still open.

    PostgreSQL: a thread with its own connection (outside the import's
    transaction) writes them to the job row. SQLite: the job row cannot be
    written while the import holds the only write lock, so the counts stay in
    this process (`_live`), where the embedded default's progress page reads them.
    """

    def __init__(self, job: ImportJob) -> None:
        self.job_id = job.id
        self.last = 0.0
        self.queue: queue.SimpleQueue[dict[str, int] | None] | None = None
        _live[job.id] = {"processed": 0}
        if connection.vendor == "postgresql":
            self.queue = queue.SimpleQueue()
            self.thread = threading.Thread(target=self._write_rows, name=f"import-progress-{job.id}", daemon=True)
            self.thread.start()

    def report(self, summary: bulk.BulkSummary) -> None:
        counts = {"processed": summary.done, "failed": len(summary.failures)}
        _live[self.job_id] = counts
        now = time.monotonic()
        if self.queue is not None and now - self.last >= PROGRESS_EVERY_SECONDS:
            self.last = now
            self.queue.put(counts)

    def close(self) -> None:
        if self.queue is not None:
            self.queue.put(None)
            self.thread.join(timeout=10)
        _live.pop(self.job_id, None)

    def _write_rows(self) -> None:
        try:
            while (counts := self.queue.get()) is not None:
                ImportJob.objects.filter(id=self.job_id).update(**counts)
        finally:
            connection.close()


def progress(job: ImportJob) -> dict[str, Any]:
    """Return what the progress bar shows: state, rows done of the total, counts and the message."""
    counts = _live.get(job.id) or {}
    processed = counts.get("processed", job.processed)
    total = max(job.total_rows, processed)
    finished = job.state in (ImportJob.State.DONE, ImportJob.State.FAILED)
    return {
        "id": job.id,
        "state": job.state,
        "total": total,
        "processed": total if finished and job.state == ImportJob.State.DONE else processed,
        "percent": 100 if job.state == ImportJob.State.DONE else (100 * processed // total if total else 0),
        "created": job.created,
        "existing": job.existing,
        "failed": counts.get("failed", job.failed),
        "message": job.message,
        "has_errors": bool(job.errors),
    }
