"""Imports (flows.loops.imports): column mapping, per-row validation, all or nothing, progress, image listings."""

from __future__ import annotations

import csv
import io
import json
import sys

import pytest

from flows.delivery.storage import get_store
from flows.loops import bulk, bulk_direct, bulk_stage, imports
from flows.models import HumanLoop, ImportJob, ReviewTask
from hitl.kernel.errors import InvalidInput
from tests import factories as f

TEMPLATE = """<crowd-form><crowd-classifier name="sentiment" categories="['Positive', 'Negative']"
  header="{{ task.input.question | escape }}"><classification-target>{{ task.input.taskObject }}
  {{ task.input["source-id"] }}</classification-target></crowd-classifier></crowd-form>"""


@pytest.fixture(autouse=True)
def _run_in_the_test(monkeypatch):
    """Without a broker the import runs in a thread after commit; here each test runs it itself."""
    monkeypatch.setattr(imports, "_run_in_background", lambda job_id: None)


@pytest.fixture
def flow():
    acct = f.account()
    team = f.workteam(acct, members=[f.user()])
    return f.flow_definition(acct, team, f.human_task_ui(acct, TEMPLATE), task_count=2, name="reviews")


def upload(flow, text: str, name: str = "rows.csv") -> ImportJob:
    return imports.create_import(flow.account, flow, io.BytesIO(text.encode()), file_name=name)


def run(job: ImportJob, mapping: dict[str, str], name_column: str = "") -> ImportJob:
    imports.set_mapping(job, mapping, name_column)
    return imports.run_import(job.id)


def error_rows(job: ImportJob) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(job.errors)))


def test_the_template_tells_which_input_fields_exist():
    assert imports.template_input_fields(TEMPLATE) == ["question", "taskObject", "source-id"]
    assert imports.template_input_fields("<p>{{ task.input['a'] }} {{ task.input.a.b }}</p>") == ["a"]


@pytest.mark.django_db
def test_a_csv_upload_offers_its_columns_maps_same_named_fields_and_counts_rows(flow):
    job = upload(flow, "id,taskObject,question\n1,good film,Tone?\n2,bad film,Tone?\n")
    assert job.columns == ["id", "taskObject", "question"]
    assert job.mapping == {"question": "question", "taskObject": "taskObject"}
    assert (job.state, job.total_rows) == ("uploaded", 2)


@pytest.mark.django_db(transaction=True)
def test_mapped_columns_become_each_loops_input_and_a_column_can_name_the_loops(flow):
    rows = "".join(f"r{i},text {i},Tone?\n" for i in range(7))
    job = upload(flow, "id,text,q\n" + rows)
    done = run(job, {"taskObject": "text", "question": "q", "source-id": "id"}, name_column="id")
    assert (done.state, done.created, done.processed, done.errors) == ("done", 7, 7, "")
    assert done.message == "7 loops started."
    loop = HumanLoop.objects.get(name="r3")
    assert loop.input_json == {"taskObject": "text 3", "question": "Tone?", "source-id": "r3"}
    assert ReviewTask.objects.filter(human_loop=loop).count() == 2  # the flow's TaskCount, as StartHumanLoop

    # The same file again: every row meets its own loop (same name, same input): nothing new.
    again = run(upload(flow, "id,text,q\n" + rows), {"taskObject": "text", "question": "q", "source-id": "id"}, "id")
    assert (again.state, again.created, again.existing) == ("done", 0, 7)


@pytest.mark.django_db(transaction=True)
def test_without_a_name_column_loops_are_named_after_the_flow_the_import_and_the_row(flow):
    job = upload(flow, '{"taskObject": "a", "extra": 1}\n\n{"taskObject": {"nested": true}}\n', "rows.jsonl")
    done = run(job, {"taskObject": "taskObject"})
    assert done.state == "done"
    names = sorted(HumanLoop.objects.values_list("name", flat=True))
    assert names == [f"reviews-i{job.id}-1", f"reviews-i{job.id}-2"]
    assert HumanLoop.objects.get(name=names[1]).input_json == {"taskObject": {"nested": True}}


@pytest.mark.django_db(transaction=True)
def test_any_bad_row_imports_nothing_and_every_bad_row_is_listed(flow):
    f.human_loop(flow, {"taskObject": "other"}, name="taken")
    text = (
        "name,text\n"
        "ok-1,fine\n"
        "bad name!,fine\n"  # not a valid loop name
        "taken,fine\n"  # an existing loop with other input
        "ok-2\n"  # too few values
        "ok-1,twice\n"  # the same name with other input earlier in this file
        "ok-3,fine\n"
    )
    done = run(upload(flow, text), {"taskObject": "text"}, name_column="name")
    assert done.state == "failed"
    assert done.message == "4 of 6 rows have errors: nothing was imported."
    assert not HumanLoop.objects.filter(name__startswith="ok-").exists()
    assert ReviewTask.objects.filter(human_loop__name__startswith="ok-").count() == 0
    errors = error_rows(done)
    assert [(row["row"], row["name"], row["error"]) for row in errors] == [
        ("2", "bad name!", "InvalidInput"),
        ("3", "taken", "Conflict"),
        ("4", "", "InvalidInput"),
        ("5", "ok-1", "Conflict"),
    ]
    assert "Row 4 has 1 values; the header has 2 columns." in errors[2]["message"]
    assert "regular expression pattern" in errors[0]["message"]


@pytest.mark.django_db(transaction=True)
def test_jsonl_rows_that_are_not_objects_or_miss_a_mapped_key_are_errors(flow):
    text = '{"t": "a"}\nnot json\n[1, 2]\n{"other": 1}\n'
    done = run(upload(flow, text, "rows.jsonl"), {"taskObject": "t"})
    messages = [row["message"] for row in error_rows(done)]
    assert messages[0].startswith("Row 2 is not JSON")
    assert messages[1:] == ["Row 3 is a JSON list, not an object.", "Row 4 has no 't'."]
    assert not HumanLoop.objects.exists()


@pytest.mark.django_db
def test_a_mapping_to_a_column_the_file_lacks_is_refused_before_anything_runs(flow):
    job = upload(flow, "a,b\n1,2\n")
    with pytest.raises(InvalidInput, match="no column 'c'"):
        imports.set_mapping(job, {"taskObject": "c"})
    with pytest.raises(InvalidInput, match="at least one"):
        imports.set_mapping(job, {"taskObject": ""})
    with pytest.raises(InvalidInput, match="empty"):
        upload(flow, "\n")
    assert ImportJob.objects.get(id=job.id).state == "uploaded"


@pytest.mark.django_db(transaction=True)
def test_a_second_run_of_the_same_job_does_nothing(flow):
    job = upload(flow, "text\nx\n")
    assert run(job, {"taskObject": "text"}).state == "done"
    assert imports.run_import(job.id) is None
    assert HumanLoop.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_progress_is_published_after_each_batch_while_the_import_runs(flow, monkeypatch):
    seen = []
    original = imports._ProgressReporter.report

    def spy(self, summary):
        original(self, summary)
        seen.append(imports.progress(ImportJob.objects.get(id=self.job_id)))

    monkeypatch.setattr(imports._ProgressReporter, "report", spy)
    monkeypatch.setattr(imports, "BATCH_SIZE", 40)
    monkeypatch.setattr(bulk_direct, "BLOCK_ROWS", 40)
    job = upload(flow, "text\n" + "".join(f"row {i}\n" for i in range(100)))
    done = run(job, {"taskObject": "text"})
    expected = [40, 80, 100]  # checked and written a batch (PostgreSQL: a COPY block) at a time
    assert [(p["state"], p["processed"], p["total"], p["percent"]) for p in seen] == [
        ("running", n, 100, n) for n in expected
    ]
    assert imports.progress(done)["percent"] == 100 and imports.progress(done)["created"] == 100


@pytest.mark.django_db(transaction=True)
def test_an_image_prefix_becomes_one_row_per_image_the_account_may_read(flow):
    store = get_store()
    for key in ("shots/a.jpg", "shots/b.PNG", "shots/notes.txt", "other/c.jpg"):
        store.put("photos", key, b"x", content_type="image/jpeg")
    with pytest.raises(InvalidInput, match="not in a location this account may read"):
        imports.create_image_listing_import(flow.account, flow, "s3://photos/shots/")
    f.read_location(flow.account, "photos", "shots/")
    job = imports.create_image_listing_import(flow.account, flow, "s3://photos/shots/")
    assert (job.columns, job.total_rows, job.source_format) == (["uri", "key"], 2, "jsonl")
    done = run(job, {"taskObject": "uri"})
    inputs = sorted(
        json.loads(content)["taskObject"] for content in HumanLoop.objects.values_list("input_content", flat=True)
    )
    assert (done.created, inputs) == (2, ["s3://photos/shots/a.jpg", "s3://photos/shots/b.PNG"])


@pytest.mark.django_db(transaction=True)
def test_a_csv_rows_input_is_the_json_dumps_text_of_its_mapped_values(flow):
    """The CSV path writes each input's JSON text itself (no dict, no json.dumps per row): the same bytes, so a
    re-import of a file imported before meets its loops, whatever the values hold."""
    values = ["plain", 'say "hi"', "two\nlines", "tab\there", "back\\slash", "café 😀", "cr\rlf", " spaced ", ""]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["id", "text", "text", 'we"ird'])  # a repeated column gives its last value, as a dict would
    for i, value in enumerate(values):
        writer.writerow([f"v{i}", "first", value, f"{value}-{i}"])
    mapping = {"taskObject": "text", "source-id": 'we"ird', "question": "id"}
    done = run(upload(flow, out.getvalue()), mapping, name_column="id")
    assert (done.state, done.created) == ("done", len(values)), done.message
    for i, value in enumerate(values):
        loop = HumanLoop.objects.get(name=f"v{i}")
        row = {"text": value, 'we"ird': f"{value}-{i}", "id": f"v{i}"}
        expected = {field: row[column] for field, column in done.mapping.items()}  # in the order the job keeps
        assert loop.input_content == json.dumps(expected, ensure_ascii=False)
        assert loop.input_json == expected


@pytest.mark.django_db
def test_each_csv_row_takes_a_few_python_calls_from_the_file_to_its_copy_text(flow):
    """The import's Python CPU per row (bench/README.md, "Python's share of the import"), counted as Python function
    calls, which do not depend on the machine's load: 27.6 a row before (a dict per row, json.dumps, a call per rule
    and per COPY field, a generator per step), 5.6 now."""
    rows = 3000
    job = upload(flow, "id,text\n" + "".join(f"row-{i},text number {i}\n" for i in range(rows)))
    imports.set_mapping(job, {"taskObject": "text"}, name_column="id")
    job.refresh_from_db()
    blocks = bulk_direct._Blocks(flow.account, flow)
    calls = 0

    def count(frame, event, arg) -> None:
        nonlocal calls
        calls += event == "call"  # a Python function called or a generator resumed

    sys.setprofile(count)
    try:
        checked = list(
            bulk_stage.checked_rows(imports._items(job), flow, trusted_json=True, summary=bulk.BulkSummary())
        )
        loop_text, task_text, _ = blocks.format(checked, list(range(1, rows + 1)))
    finally:
        sys.setprofile(None)
    assert (len(checked), loop_text.count("\n"), task_text.count("\n")) == (rows, rows, 2 * rows)
    assert calls / rows < 7, f"{calls / rows:.1f} Python calls a row"
