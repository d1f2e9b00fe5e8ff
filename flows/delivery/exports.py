"""Export a flow's finished loops for retraining: JSONL, CSV, COCO (boxes) and spaCy-style JSONL (entity spans).

Every format is a generator of byte strings, so a download (StreamingHttpResponse)
or an object in the store (OutputStore.put_stream) holds one batch of loops in
memory whatever the size of the flow. Loops are read in keyset order
(`id > last`, a batch at a time), never through a server-side cursor:
behind PgBouncer those are off (hitl.kernel.db.postgresql).

Each loop carries its input, every reviewer's raw answer and, when the caller
passes a `consolidate` function (the console passes the quality app's, a
higher layer than flows), the consolidated answer. COCO and spaCy export the
consolidated answer when there is one, else each reviewer's answer.

`export` is the entry point. On PostgreSQL its JSONL and CSV are written by the
server in one streamed COPY (flows.delivery.pg_export); everything else goes
through `export_loops` and `render`.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import itertools
import json
import re
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import TextField
from django.db.models.functions import Cast

from flows.delivery import pg_export
from flows.models import FlowDefinition, HumanLoop, ReviewTask
from hitl.kernel.errors import InvalidInput
from workforce.models import Worker

FORMATS = {
    "jsonl": ("application/x-ndjson", "jsonl"),
    "csv": ("text/csv; charset=utf-8", "csv"),
    "coco": ("application/json", "coco.json"),
    "spacy": ("application/x-ndjson", "spacy.jsonl"),
}
BATCH = 2000
SPILL_IN_MEMORY = 8 << 20  # COCO annotations past this go to a temporary file
EXPORTED_STATUSES = (HumanLoop.Status.COMPLETED, HumanLoop.Status.STOPPED)
CSV_COLUMNS = ["humanLoopName", "status", "createdAt", "finishedAt", "input", "workerId", "submissionTime", "answer"]

# The loop's answers as [{"workerId", "answerContent"}, ...] -> the consolidated answer (None: none).
# It must depend on the answers alone: loops with the same answers share one call (_Memo).
Consolidate = Callable[[list[dict[str, Any]]], Any]
MEMO_SIZE = 10_000  # distinct answer sets remembered per export (a categorical flow has few)

# The input field an image or a text element reads, e.g. src="{{ task.input.taskObject | grant_read_access }}".
_IMAGE_FIELD = re.compile(
    r"<crowd-(?:bounding-box|keypoint|polygon|semantic-segmentation)[^>]*?\bsrc=\"\{\{\s*task\.input\.(\w+)"
)
_TEXT_FIELD = re.compile(r"<crowd-entity-annotation[^>]*?\btext=\"\{\{\s*task\.input\.(\w+)")


@dataclass(frozen=True)
class ExportedAnswer:
    worker_id: str
    answer_text: str  # the answer as JSON text, as the database returns it (not decoded)
    submitted_at: str  # ISO 8601
    seconds: float | None

    def as_json(self) -> dict[str, Any]:
        return {
            "workerId": self.worker_id,
            "answerContent": json.loads(self.answer_text),
            "submissionTime": self.submitted_at,
            "timeSpentInSeconds": self.seconds,
        }


@dataclass(frozen=True)
class ExportedLoop:
    """One loop as exported. Input and answers stay JSON text: JSONL and CSV copy them without decoding."""

    id: int
    name: str
    status: str
    input_text: str  # InputContent as the client sent it, on one line
    created_at: str
    finished_at: str | None
    answers: list[ExportedAnswer]
    consolidated: Any = None

    @property
    def input(self) -> Any:
        return json.loads(self.input_text)

    def answers_json(self) -> list[dict[str, Any]]:
        return [answer.as_json() for answer in self.answers]


# Timestamps read as text (decoding them costs more than the rest of a row): PostgreSQL gives
# "2026-12-01 13:55:20.123+00", SQLite "2026-12-01 13:55:20.123"; both become ISO 8601 with an offset.
_OFFSET_HOURS = re.compile(r"[+-]\d\d$")


def _iso(text: str | None) -> str | None:
    if text is None:
        return None
    text = text.replace(" ", "T", 1)
    if _OFFSET_HOURS.search(text):
        return text + ":00"
    if text.endswith("Z") or (len(text) > 6 and text[-6] in "+-" and text[-3] == ":"):
        return text
    return text + "+00:00"


def _one_line(json_text: str) -> str:
    # Raw newlines in valid JSON are whitespace between tokens (inside strings they are escaped), so a
    # pretty-printed InputContent becomes one JSONL line by replacing them.
    return json_text.replace("\r", " ").replace("\n", " ") if "\n" in json_text or "\r" in json_text else json_text


def export_loops(
    flow: FlowDefinition,
    *,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    consolidate: Consolidate | None = None,
    batch: int = BATCH,
) -> Iterator[ExportedLoop]:
    """Yield the flow's finished loops (Completed, or Stopped with answers) in [since, until) of their finish time."""
    if connection.vendor == "postgresql":
        loops_read = _pg_loops(flow, since, until, batch)
    else:
        loops_read = _orm_loops(flow, since, until, batch)
    memo = _Memo(consolidate) if consolidate is not None else None
    for loop in loops_read:
        if memo is not None:
            pairs = tuple((answer.worker_id, answer.answer_text) for answer in loop.answers)
            loop = dataclasses.replace(loop, consolidated=memo.get(pairs, loop.answers_json))
        yield loop


class _Memo:
    """The consolidated answer per distinct set of answers, so a million "Positive" loops consolidate once."""

    def __init__(self, consolidate: Consolidate) -> None:
        self.consolidate = consolidate
        self.known: dict[Any, Any] = {}

    def get(self, key: Any, answers: Callable[[], list[dict[str, Any]]]) -> Any:
        if key in self.known:
            return self.known[key]
        if len(self.known) >= MEMO_SIZE:
            self.known.clear()  # bounded memory: start over rather than keep every distinct answer
        found = self.known[key] = self.consolidate(answers())
        return found


def export(
    flow: FlowDefinition,
    export_format: str,
    *,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    consolidate: Consolidate | None = None,
) -> Iterator[bytes]:
    """Yield the flow's finished loops in [since, until) of their finish time as `export_format` (see FORMATS)."""
    if export_format in ("jsonl", "csv") and connection.vendor == "postgresql":
        fill = _consolidated_text(export_format, consolidate)
        rows = pg_export.stream(flow, export_format, EXPORTED_STATUSES, since, until, fill)
        if export_format == "csv":
            rows = itertools.chain([",".join([*CSV_COLUMNS, "consolidatedAnswer"]) + "\r\n"], rows)
        return _grouped(rows)
    return render(flow, export_loops(flow, since=since, until=until, consolidate=consolidate), export_format)


def _consolidated_text(export_format: str, consolidate: Consolidate | None) -> Callable[[str], str] | None:
    """Return pairs -> the consolidated answer as written in a JSONL line or a CSV field."""

    def written(answer: Any) -> str:
        if export_format == "jsonl":
            return _dumps(answer)
        return "" if answer is None else '"' + _dumps(answer).replace('"', '""') + '"'

    if consolidate is None:
        return None
    memo = _Memo(lambda answers: written(consolidate(answers)))

    def text(pairs: str) -> str:
        return memo.get(pairs, lambda: [{"workerId": w, "answerContent": a} for w, a in json.loads(pairs)])

    return text


# One statement per batch: the batch's loops (keyset on id) with their submitted answers and the
# reviewers' worker ids; timestamps as ISO 8601 text by PostgreSQL (to_json), JSON columns as text.
_PG_BATCH = f"""
SELECT l.id, l.name, l.status, l.input_content, to_json(l.created_at) #>> '{{}}', to_json(l.finished_at) #>> '{{}}',
       coalesce(w.worker_id, t.worker_id::text), t.answer::text, to_json(t.submitted_at) #>> '{{}}',
       t.time_spent_seconds
FROM (
    SELECT id, name, status, input_content, created_at, finished_at FROM {HumanLoop._meta.db_table}
    WHERE flow_definition_id = %(flow)s AND status = ANY(%(statuses)s) AND deleted_at IS NULL AND NOT is_gold
      AND id > %(last)s AND (%(since)s::timestamptz IS NULL OR finished_at >= %(since)s)
      AND (%(until)s::timestamptz IS NULL OR finished_at < %(until)s)
    ORDER BY id LIMIT %(batch)s
) l
LEFT JOIN LATERAL (
    -- The task index per loop (OFFSET 0 keeps it a nested loop), not a scan of every task per batch.
    SELECT id, worker_id, answer, submitted_at, time_spent_seconds FROM {ReviewTask._meta.db_table}
    WHERE human_loop_id = l.id AND state = %(submitted)s OFFSET 0
) t ON true
LEFT JOIN {Worker._meta.db_table} w ON w.user_id = t.worker_id
ORDER BY l.id, t.submitted_at, t.id
"""


def _pg_loops(
    flow: FlowDefinition, since: dt.datetime | None, until: dt.datetime | None, batch: int
) -> Iterator[ExportedLoop]:
    params = {
        "flow": flow.id,
        "statuses": list(EXPORTED_STATUSES),
        "since": since,
        "until": until,
        "batch": batch,
        "submitted": ReviewTask.State.SUBMITTED,
        "last": 0,
    }
    while True:
        with connection.cursor() as cursor:
            cursor.execute(_PG_BATCH, params)
            rows = cursor.fetchall()
        if not rows:
            return
        params["last"] = rows[-1][0]
        current: ExportedLoop | None = None
        for loop_id, name, status, input_text, created, finished, worker, answer, submitted, seconds in rows:
            if current is None or current.id != loop_id:
                if current is not None and current.answers:
                    yield current
                current = ExportedLoop(loop_id, name, status, _one_line(input_text), created, finished, [])
            if answer is not None:
                current.answers.append(ExportedAnswer(worker, answer, submitted, seconds))
        if current is not None and current.answers:
            yield current  # stopped before anyone answered: nothing to learn from, so skipped


def _orm_loops(
    flow: FlowDefinition, since: dt.datetime | None, until: dt.datetime | None, batch: int
) -> Iterator[ExportedLoop]:
    loops = HumanLoop.objects.filter(
        flow_definition=flow, status__in=EXPORTED_STATUSES, deleted_at__isnull=True, is_gold=False
    )
    if since:
        loops = loops.filter(finished_at__gte=since)
    if until:
        loops = loops.filter(finished_at__lt=until)
    loops = loops.annotate(created_text=Cast("created_at", TextField()), finished_text=Cast("finished_at", TextField()))
    workers: dict[int, str] = {}
    last = 0
    while True:
        rows = list(
            loops.filter(id__gt=last)
            .order_by("id")
            .values_list("id", "name", "status", "input_content", "created_text", "finished_text")[:batch]
        )
        if not rows:
            return
        last = rows[-1][0]
        answers: dict[int, list[ExportedAnswer]] = {}
        tasks = (
            ReviewTask.objects.filter(human_loop_id__in=[row[0] for row in rows], state=ReviewTask.State.SUBMITTED)
            .annotate(answer_text=Cast("answer", TextField()), submitted_text=Cast("submitted_at", TextField()))
            .order_by("human_loop_id", "submitted_at", "id")
            .values_list("human_loop_id", "worker_id", "answer_text", "submitted_text", "time_spent_seconds")
        )
        for loop_id, user_id, answer_text, submitted_text, seconds in tasks:
            if user_id not in workers:
                workers.update(Worker.objects.filter(user_id=user_id).values_list("user_id", "worker_id"))
            answers.setdefault(loop_id, []).append(
                ExportedAnswer(workers.get(user_id, str(user_id)), answer_text, _iso(submitted_text), seconds)
            )
        for loop_id, name, status, input_text, created_text, finished_text in rows:
            given = answers.get(loop_id)
            if not given:
                continue  # stopped before anyone answered: nothing to learn from
            yield ExportedLoop(
                loop_id, name, status, _one_line(input_text), _iso(created_text), _iso(finished_text), given
            )


def render(flow: FlowDefinition, loops: Iterator[ExportedLoop], export_format: str) -> Iterator[bytes]:
    """Yield the export in `export_format` (one of FORMATS), a few kilobytes at a time."""
    if export_format == "jsonl":
        return _jsonl(loops)
    if export_format == "csv":
        return _csv(loops)
    if export_format == "coco":
        return _coco(loops, _field(_IMAGE_FIELD, flow))
    if export_format == "spacy":
        return _spacy(loops, _field(_TEXT_FIELD, flow))
    raise InvalidInput(f"Unknown export format {export_format!r}; choose one of {', '.join(FORMATS)}.")


def _field(pattern: re.Pattern[str], flow: FlowDefinition) -> str:
    found = pattern.search(flow.template.content) if flow.template_id else None
    return found.group(1) if found else "taskObject"


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _grouped(lines: Iterator[str], size: int = 1 << 16) -> Iterator[bytes]:
    """Join small strings into chunks of about `size` characters (fewer writes, same constant memory)."""
    parts: list[str] = []
    length = 0
    for line in lines:
        parts.append(line)
        length += len(line)
        if length >= size:
            yield "".join(parts).encode("utf-8")
            parts, length = [], 0
    if parts:
        yield "".join(parts).encode("utf-8")


def _jsonl(loops: Iterator[ExportedLoop]) -> Iterator[bytes]:
    """One object per loop, written around the JSON texts of its input and answers (they are not re-encoded)."""

    def lines() -> Iterator[str]:
        for loop in loops:
            answers = ",".join(
                f'{{"workerId":"{a.worker_id}","answerContent":{a.answer_text},'
                f'"submissionTime":"{a.submitted_at}","timeSpentInSeconds":{_number(a.seconds)}}}'
                for a in loop.answers
            )
            finished = f'"{loop.finished_at}"' if loop.finished_at else "null"
            yield (
                f'{{"humanLoopName":"{loop.name}","status":"{loop.status}","createdAt":"{loop.created_at}",'
                f'"finishedAt":{finished},"input":{loop.input_text},"humanAnswers":[{answers}],'
                f'"consolidatedAnswer":{_dumps(loop.consolidated)}}}\n'
            )

    return _grouped(lines())


def _number(value: float | None) -> str:
    return "null" if value is None else repr(float(value))


def _csv(loops: Iterator[ExportedLoop]) -> Iterator[bytes]:
    """One row per answer; the consolidated answer in its own column, repeated on each of the loop's rows."""

    def lines() -> Iterator[str]:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow([*CSV_COLUMNS, "consolidatedAnswer"])
        yield out.getvalue()
        out.seek(0)
        out.truncate()
        for loop in loops:
            base = [loop.name, loop.status, loop.created_at, loop.finished_at or "", loop.input_text]
            consolidated = _dumps(loop.consolidated) if loop.consolidated is not None else ""
            for answer in loop.answers:
                writer.writerow([*base, answer.worker_id, answer.submitted_at, answer.answer_text, consolidated])
            yield out.getvalue()
            out.seek(0)
            out.truncate()

    return _grouped(lines())


def _answer_sets(loop: ExportedLoop) -> list[tuple[str, Any]]:
    """The answers a COCO or spaCy record is made of: the consolidated one, else each reviewer's."""
    if loop.consolidated is not None:
        return [("consolidated", loop.consolidated)]
    return [(answer.worker_id, json.loads(answer.answer_text)) for answer in loop.answers]


def _members(answer: Any, key: str) -> Iterator[dict[str, Any]]:
    """Yield the answer's top-level members (crowd element results) that carry `key`."""
    if isinstance(answer, dict):
        for value in answer.values():
            if isinstance(value, dict) and isinstance(value.get(key), list):
                yield value


def _coco(loops: Iterator[ExportedLoop], image_field: str) -> Iterator[bytes]:
    """One COCO document: images, their boxes as annotations, and the labels seen as categories.

    COCO puts every annotation after every image: images stream out as they
    are read, their annotations wait in a temporary file (on disk past a few
    megabytes, so memory stays bounded) and follow, then the categories.
    """
    categories: dict[str, int] = {}

    def parts() -> Iterator[str]:
        yield '{"info":{"description":"hitl export"},"images":['
        spill = tempfile.SpooledTemporaryFile(max_size=SPILL_IN_MEMORY, mode="w+", encoding="utf-8")
        image_id = 0
        annotation_id = 0
        first_image = True
        for loop in loops:
            for source, answer in _answer_sets(loop):
                for member in _members(answer, "boundingBoxes"):
                    image_id += 1
                    size = member.get("inputImageProperties") or {}
                    image = {
                        "id": image_id,
                        "file_name": _input_value(loop.input, image_field),
                        "width": size.get("width"),
                        "height": size.get("height"),
                        "hitl": {"humanLoopName": loop.name, "source": source},
                    }
                    yield ("" if first_image else ",") + _dumps(image)
                    first_image = False
                    for box in member["boundingBoxes"]:
                        if not isinstance(box, dict):
                            continue
                        label = str(box.get("label", ""))
                        category = categories.setdefault(label, len(categories) + 1)
                        annotation_id += 1
                        x, y = box.get("left", 0), box.get("top", 0)
                        w, h = box.get("width", 0), box.get("height", 0)
                        spill.write(
                            ("," if annotation_id > 1 else "")
                            + _dumps(
                                {
                                    "id": annotation_id,
                                    "image_id": image_id,
                                    "category_id": category,
                                    "bbox": [x, y, w, h],
                                    "area": w * h if isinstance(w, int | float) and isinstance(h, int | float) else 0,
                                    "iscrowd": 0,
                                }
                            )
                        )
        yield '],"annotations":['
        spill.seek(0)
        while chunk := spill.read(1 << 16):
            yield chunk
        spill.close()
        names = [{"id": number, "name": name} for name, number in categories.items()]
        yield '],"categories":' + _dumps(names) + "}\n"

    return _grouped(parts())


def _input_value(task_input: Any, field: str) -> Any:
    return task_input.get(field) if isinstance(task_input, dict) else None


def _utf16_to_code_points(text: str, offset: int) -> int:
    """Return the Python (code point) offset of UTF-16 offset `offset` in `text` (crowd elements count UTF-16)."""
    units = 0
    for index, char in enumerate(text):
        if units >= offset:
            return index
        units += 2 if ord(char) > 0xFFFF else 1
    return len(text)


def _spacy(loops: Iterator[ExportedLoop], text_field: str) -> Iterator[bytes]:
    """One line per answer set: {"text", "spans": [{"start", "end", "label"}], "meta"} in code point offsets."""

    def lines() -> Iterator[str]:
        for loop in loops:
            text = _input_value(loop.input, text_field)
            if not isinstance(text, str):
                continue
            for source, answer in _answer_sets(loop):
                spans = []
                for member in _members(answer, "entities"):
                    for entity in member["entities"]:
                        if not isinstance(entity, dict):
                            continue
                        start = _utf16_to_code_points(text, int(entity.get("startOffset", 0)))
                        end = _utf16_to_code_points(text, int(entity.get("endOffset", 0)))
                        spans.append({"start": start, "end": end, "label": str(entity.get("label", ""))})
                meta = {"humanLoopName": loop.name, "source": source}
                yield _dumps({"text": text, "spans": sorted(spans, key=lambda s: s["start"]), "meta": meta}) + "\n"

    return _grouped(lines())
