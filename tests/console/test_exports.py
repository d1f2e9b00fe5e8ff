"""Exports (flows.delivery.exports): JSONL, CSV, COCO and spaCy JSONL of finished loops, a batch at a time."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from django.db import connection  # noqa: F401  (read by the skipif condition)

from console.export_views import consolidator
from flows.delivery import exports
from flows.loops import lifecycle
from flows.models import HumanLoop
from hitl.kernel import clock
from tests import factories as f

BOX_TEMPLATE = """<crowd-form><crowd-bounding-box name="boxes" src="{{ task.input.image | grant_read_access }}"
  header="Draw" labels="['cat', 'dog']"></crowd-bounding-box></crowd-form>"""
ENTITY_TEMPLATE = """<crowd-form><crowd-entity-annotation name="ents" text="{{ task.input.sentence }}"
  header="Mark" labels="[{'label': 'person', 'fullDisplayName': 'Person'}]"></crowd-entity-annotation></crowd-form>"""


def answered_flow(template: str, answers_per_loop: list[tuple[dict, list[dict]]], task_count: int = 2):
    """A flow whose loops got these answers (one reviewer per answer, in order), all through the lifecycle."""
    acct = f.account()
    reviewers = [f.user() for _ in range(task_count)]
    team = f.workteam(acct, members=reviewers)
    flow = f.flow_definition(acct, team, f.human_task_ui(acct, template), task_count=task_count)
    for n, (task_input, answers) in enumerate(answers_per_loop):
        loop = f.human_loop(flow, task_input, name=f"item-{n}")
        for reviewer, answer in zip(reviewers, answers, strict=False):
            task = lifecycle.claim_next_task(reviewer, flow=flow)
            assert task.human_loop_id == loop.id
            lifecycle.submit_task(reviewer, task.id, answer)
    return flow


def export(flow, export_format: str, **kwargs) -> bytes:
    return b"".join(exports.export(flow, export_format, consolidate=consolidator(flow), **kwargs))


@pytest.mark.django_db
def test_jsonl_has_the_input_every_raw_answer_and_the_consolidated_answer(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        flow = answered_flow(
            f.SENTIMENT_TEMPLATE,
            [
                ({"taskObject": "great"}, [{"sentiment": {"label": "Positive"}}] * 2),
                ({"taskObject": "meh"}, [{"sentiment": {"label": "Neutral"}}]),  # still open: not exported
            ],
        )
    lines = [json.loads(line) for line in export(flow, "jsonl").splitlines()]
    assert len(lines) == 1
    record = lines[0]
    assert (record["humanLoopName"], record["status"], record["input"]) == (
        "item-0",
        "Completed",
        {"taskObject": "great"},
    )
    assert [a["answerContent"] for a in record["humanAnswers"]] == [{"sentiment": {"label": "Positive"}}] * 2
    assert all(len(a["workerId"]) == 16 for a in record["humanAnswers"])  # the workerId output.json names
    assert record["consolidatedAnswer"] == {"sentiment": {"label": "Positive"}}


@pytest.mark.django_db
def test_csv_has_one_row_per_answer_and_the_range_is_by_finish_day(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        flow = answered_flow(
            f.SENTIMENT_TEMPLATE,
            [
                ({"taskObject": f"t{n}"}, [{"sentiment": {"label": "Positive"}}, {"sentiment": {"label": "Negative"}}])
                for n in range(3)
            ],
        )
    rows = list(csv.DictReader(io.StringIO(export(flow, "csv").decode())))
    assert len(rows) == 6
    assert [json.loads(row["answer"])["sentiment"]["label"] for row in rows[:2]] == ["Positive", "Negative"]
    assert json.loads(rows[0]["input"]) == {"taskObject": "t0"}
    tomorrow = clock.now() + dt.timedelta(days=1)
    assert export(flow, "csv", since=tomorrow).decode().count("\n") == 1  # the header only
    assert len(export(flow, "jsonl", until=tomorrow).splitlines()) == 3


@pytest.mark.django_db
def test_loops_are_read_in_keyset_batches_with_a_fixed_number_of_queries_each(
    django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    with django_capture_on_commit_callbacks(execute=True):
        flow = answered_flow(
            f.SENTIMENT_TEMPLATE,
            [({"taskObject": f"t{n}"}, [{"sentiment": {"label": "Positive"}}]) for n in range(5)],
            task_count=1,
        )
    with django_assert_max_num_queries(2 * 3 + 1 + 1):  # 3 batches of loops + answers, the end, one worker lookup
        names = [loop.name for loop in exports.export_loops(flow, batch=2)]
    assert names == [f"item-{n}" for n in range(5)]


@pytest.mark.django_db
def test_coco_has_each_image_its_consolidated_boxes_and_the_labels_as_categories(django_capture_on_commit_callbacks):
    def boxes(*found):
        return {"boxes": {"boundingBoxes": list(found), "inputImageProperties": {"width": 640, "height": 480}}}

    cat = {"label": "cat", "left": 10, "top": 20, "width": 100, "height": 50}
    dog = {"label": "dog", "left": 300, "top": 200, "width": 80, "height": 80}
    with django_capture_on_commit_callbacks(execute=True):
        flow = answered_flow(
            BOX_TEMPLATE,
            [
                ({"image": "s3://photos/a.jpg"}, [boxes(cat, dog), boxes(cat, dog)]),
                ({"image": "s3://photos/b.jpg"}, [boxes(dog), boxes(dog)]),
            ],
        )
    coco = json.loads(export(flow, "coco"))
    assert [(i["file_name"], i["width"], i["height"]) for i in coco["images"]] == [
        ("s3://photos/a.jpg", 640, 480),
        ("s3://photos/b.jpg", 640, 480),
    ]
    names = {c["id"]: c["name"] for c in coco["categories"]}
    by_image = [(a["image_id"], names[a["category_id"]], [round(v) for v in a["bbox"]]) for a in coco["annotations"]]
    assert sorted(by_image) == [
        (1, "cat", [10, 20, 100, 50]),
        (1, "dog", [300, 200, 80, 80]),
        (2, "dog", [300, 200, 80, 80]),
    ]
    assert sorted(names.values()) == ["cat", "dog"]


@pytest.mark.django_db
def test_spacy_spans_are_in_code_points_though_crowd_elements_count_utf16(django_capture_on_commit_callbacks):
    sentence = "😀 Ada met Bob"  # the emoji is 2 UTF-16 units, 1 code point
    ada = {"label": "person", "startOffset": 3, "endOffset": 6}
    bob = {"label": "person", "startOffset": 11, "endOffset": 14}
    with django_capture_on_commit_callbacks(execute=True):
        flow = answered_flow(ENTITY_TEMPLATE, [({"sentence": sentence}, [{"ents": {"entities": [bob, ada]}}] * 2)])
    (line,) = export(flow, "spacy").splitlines()
    record = json.loads(line)
    assert record["text"] == sentence
    assert [(s["start"], s["end"], s["label"]) for s in record["spans"]] == [(2, 5, "person"), (10, 13, "person")]
    assert [sentence[s["start"] : s["end"]] for s in record["spans"]] == ["Ada", "Bob"]
    assert record["meta"] == {"humanLoopName": "item-0", "source": "consolidated"}


@pytest.mark.django_db
def test_the_page_streams_a_download_and_writes_to_the_store_under_the_flows_output_path(
    client, personas, django_capture_on_commit_callbacks
):
    from flows.delivery.storage import get_store

    with django_capture_on_commit_callbacks(execute=True):
        loop = f.human_loop(personas.flow, {"taskObject": "fine"})
        task = lifecycle.claim_next_task(personas.reviewer)
        lifecycle.submit_task(personas.reviewer, task.id, {"sentiment": {"label": "Positive"}})
    client.force_login(personas.owner)
    response = client.get("/console/export/", {"flow": personas.flow.id, "format": "jsonl", "go": "download"})
    assert response.status_code == 200 and response.streaming
    assert response["Content-Disposition"] == f'attachment; filename="{personas.flow.name}.jsonl"'
    (line,) = b"".join(response.streaming_content).splitlines()
    assert json.loads(line)["humanLoopName"] == loop.name

    page = client.get("/console/export/", {"flow": personas.flow.id, "format": "csv", "go": "store"}).content.decode()
    uri = page.split("Exported to ")[1].split("<")[0]
    assert uri.startswith(personas.flow.s3_output_path + "/exports/") and uri.endswith(".csv")
    bucket, key = uri.removeprefix("s3://").split("/", 1)
    assert get_store().get(bucket, key).decode().count(loop.name) == 1


@pytest.mark.django_db
def test_an_outsider_cannot_export_another_accounts_flow_and_bad_input_is_said(client, personas):
    client.force_login(personas.outsider.owner)
    response = client.get("/console/export/", {"flow": personas.flow.id, "format": "jsonl", "go": "download"})
    assert response.status_code == 200 and not response.streaming
    assert "Choose one of your flows." in response.content.decode()
    assert personas.flow.name not in response.content.decode()
    response = client.get(
        "/console/export/", {"flow": personas.outsider.flow.id, "since": "yesterday", "go": "download"}
    )
    assert "From must be a date like 2026-12-01" in response.content.decode()
    response = client.get("/console/export/", {"flow": personas.outsider.flow.id, "format": "xml", "go": "download"})
    assert "Choose a format: jsonl, csv, coco, spacy." in response.content.decode()


def test_timestamps_read_as_text_become_iso_8601_and_pretty_json_one_line():
    assert exports._iso("2026-12-01 13:55:20.123456+00") == "2026-12-01T13:55:20.123456+00:00"  # PostgreSQL
    assert exports._iso("2026-12-01 13:55:20.123456") == "2026-12-01T13:55:20.123456+00:00"  # SQLite, UTC
    assert exports._iso("2026-12-01T13:55:20+05:30") == "2026-12-01T13:55:20+05:30"
    pretty = '{\n  "taskObject": "two\\nlines"\n}'
    assert json.loads(exports._one_line(pretty)) == json.loads(pretty)
    assert "\n" not in exports._one_line(pretty)


@pytest.mark.django_db
@pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="compares PostgreSQL's one-statement read with the ORM's"
)
def test_postgresqls_one_statement_read_gives_what_the_orm_read_gives(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        flow = answered_flow(
            f.SENTIMENT_TEMPLATE,
            [({"taskObject": f"text {n}"}, [{"sentiment": {"label": f"L{n}"}}] * 2) for n in range(5)]
            + [({"taskObject": "half"}, [{"sentiment": {"label": "Half"}}])],
        )
        lifecycle.stop_human_loop(account=flow.account, name="item-5")  # stopped with one answer: exported
        f.human_loop(flow, {"taskObject": "never answered"}, name="unanswered")
        lifecycle.stop_human_loop(account=flow.account, name="unanswered")  # stopped without: not exported
    finished = sorted(loop.finished_at for loop in HumanLoop.objects.filter(flow_definition=flow, status="Completed"))
    for since, until in ((None, None), (finished[1], finished[3]), (finished[2], None)):
        postgres = list(exports._pg_loops(flow, since, until, batch=2))
        orm = list(exports._orm_loops(flow, since, until, batch=2))
        assert postgres == orm
    assert {loop.name for loop in postgres} == {"item-2", "item-3", "item-4", "item-5"}
    assert len(list(exports._pg_loops(flow, None, None, batch=2))) == 6


@pytest.mark.django_db
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL's COPY export beside the Python one")
def test_postgresqls_copy_export_reads_as_the_python_export_and_consolidates_each_answer_set_once(
    django_capture_on_commit_callbacks,
):
    odd = {"taskObject": 'tab\there, "quotes", back\\slash \\n, café 😀', "n": 1.0}
    with django_capture_on_commit_callbacks(execute=True):
        flow = answered_flow(
            f.SENTIMENT_TEMPLATE,
            [({"taskObject": f"text {n}"}, [{"sentiment": {"label": f"L{n % 2}"}}] * 2) for n in range(4)]
            + [(odd, [{"sentiment": {"label": 'a "b" \\ c'}}, {"sentiment": {"label": "é"}}])]
            + [({"taskObject": "half"}, [{"sentiment": {"label": "Half"}}])],
        )
        lifecycle.stop_human_loop(account=flow.account, name="item-5")  # stopped with one answer: exported
        f.human_loop(flow, {"taskObject": "never answered"}, name="unanswered")
        lifecycle.stop_human_loop(account=flow.account, name="unanswered")  # stopped without: not exported
    HumanLoop.objects.filter(name="item-4").update(input_content=json.dumps(odd, indent=2))  # pretty, as sent
    calls = []
    consolidate = consolidator(flow)

    def counted(answers):
        calls.append(answers)
        return consolidate(answers)

    for export_format in ("jsonl", "csv"):
        for consolidation in (None, counted):
            calls.clear()
            copied = b"".join(exports.export(flow, export_format, consolidate=consolidation))
            copied_calls = len(calls)
            python = b"".join(
                exports.render(flow, exports.export_loops(flow, consolidate=consolidation), export_format)
            )
            if export_format == "jsonl":
                assert [json.loads(line) for line in copied.splitlines()] == [
                    json.loads(line) for line in python.splitlines()
                ]
                assert len(copied.splitlines()) == 6
            else:
                assert list(csv.reader(io.StringIO(copied.decode()))) == list(csv.reader(io.StringIO(python.decode())))
                assert len(list(csv.reader(io.StringIO(copied.decode())))) == 1 + 11
            if consolidation:
                # 4 answer sets among 6 loops: L0 x2, L1 x2, the odd pair, Half; each export's own memo.
                assert copied_calls == 4 and len(calls) == 8
    record = json.loads(b"".join(exports.export(flow, "jsonl")).splitlines()[4])
    assert record["input"] == odd and record["consolidatedAnswer"] is None


@pytest.mark.django_db
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL's COPY export")
def test_a_download_closed_halfway_leaves_the_connection_usable(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        flow = answered_flow(
            f.SENTIMENT_TEMPLATE,
            [({"taskObject": "x" * 2000 + str(n)}, [{"sentiment": {"label": "Positive"}}]) for n in range(200)],
            task_count=1,
        )
    chunks = exports.export(flow, "jsonl")
    assert next(chunks)
    chunks.close()  # the browser went away mid-download
    assert HumanLoop.objects.filter(flow_definition=flow).count() == 200


@pytest.mark.django_db
def test_loops_with_the_same_answers_are_consolidated_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        flow = answered_flow(
            f.SENTIMENT_TEMPLATE,
            [
                ({"taskObject": f"t{n}"}, [{"sentiment": {"label": "Positive" if n % 2 else "Negative"}}])
                for n in range(6)
            ],
            task_count=1,
        )
    consolidate = consolidator(flow)
    calls = []

    def counted(answers):
        calls.append(answers)
        return consolidate(answers)

    loops = list(exports.export_loops(flow, consolidate=counted))
    assert [loop.consolidated["sentiment"]["label"] for loop in loops] == ["Negative", "Positive"] * 3
    assert len(calls) == 2  # one per distinct answer set, not one per loop
