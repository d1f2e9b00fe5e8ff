"""The PostgreSQL staged bulk path (flows.loops.bulk_stage): the rows StartHumanLoop writes, set-based checks, tenancy."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection, transaction
from django.db.models import ProtectedError
from django.forms.models import model_to_dict

from flows.loops import bulk_stage, lifecycle
from flows.loops.bulk import BulkItem
from flows.models import HumanLoop, ReviewTask
from hitl.kernel import clock
from tests import factories as f

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the staged path is PostgreSQL's"),
]
T0 = dt.datetime(2026, 3, 1, 12, 0, 0, 250_000, tzinfo=dt.UTC)
ATTRIBUTES = {"ContentClassifiers": ["FreeOfAdultContent"]}


@pytest.fixture
def flow():
    acct = f.account()
    team = f.workteam(acct, members=[f.user()])
    return f.flow_definition(acct, team, task_count=3)


def _staged(flow, items, **options):
    with transaction.atomic():
        return bulk_stage.start_staged(flow.account, flow, items, **options)


def _columns(loop: HumanLoop) -> tuple[dict, list[dict]]:
    row = model_to_dict(loop, exclude=["id", "name"])
    tasks = [
        model_to_dict(task, exclude=["id", "human_loop"])
        for task in ReviewTask.objects.filter(human_loop=loop).order_by("id")
    ]
    return row, tasks


def test_staged_loops_and_tasks_are_the_rows_start_human_loop_writes(flow):
    clock.set_now(T0)
    try:
        for name, content, attributes in (("one", '{"a": "x\\ty"}', None), ("two", '{"b": [1, 2.5]}', ATTRIBUTES)):
            lifecycle.start_human_loop(
                account=flow.account,
                name=f"single-{name}",
                flow_definition_arn=f.flow_arn(flow),
                input_content=content,
                data_attributes=attributes,
            )
            summary = _staged(flow, [BulkItem(f"staged-{name}", content, attributes)])
            assert (summary.created, summary.failures) == (1, [])
            single = _columns(HumanLoop.objects.get(name=f"single-{name}"))
            staged = _columns(HumanLoop.objects.get(name=f"staged-{name}"))
            assert staged == single
            assert len(staged[1]) == 3
    finally:
        clock.set_now(None)


def test_ids_follow_the_file_order_and_each_loops_tasks_are_consecutive(flow):
    summary = _staged(flow, [BulkItem(f"order-{i}", json.dumps({"i": i})) for i in range(5)])
    assert summary.created == 5
    loops = list(HumanLoop.objects.filter(account=flow.account).order_by("id").values_list("name", flat=True))
    assert loops == [f"order-{i}" for i in range(5)]
    tasks = list(
        ReviewTask.objects.filter(flow_definition=flow).order_by("id").values_list("human_loop__name", flat=True)
    )
    assert tasks == [f"order-{i}" for i in range(5) for _ in range(3)]


def test_repeats_conflicts_and_bad_items_are_sorted_out_before_anything_is_written(flow):
    lifecycle.start_human_loop(
        account=flow.account, name="taken", flow_definition_arn=f.flow_arn(flow), input_content='{"t": 1}'
    )
    items = [
        BulkItem("fresh", '{"a": 1}'),
        BulkItem("taken", '{"t": 1}'),  # the same input: that loop
        BulkItem("taken", '{"t": 2}'),  # other input: Conflict
        BulkItem("fresh", '{"a": 1}'),  # repeated in the file, same input
        BulkItem("fresh", '{"a": 2}'),  # repeated with other input: Conflict
        BulkItem("bad name!", "{}"),
        BulkItem("not-json", "{nope"),
    ]
    summary = _staged(flow, items, all_or_nothing=True)
    assert (summary.created, summary.existing) == (0, 2)
    assert [(failure.index, type(failure.error).__name__) for failure in summary.failures] == [
        (2, "Conflict"),
        (4, "Conflict"),
        (5, "InvalidInput"),
        (6, "InvalidInput"),
    ]
    assert "earlier in this file" in summary.failures[1].error.message
    assert not HumanLoop.objects.filter(name="fresh").exists()

    summary = _staged(flow, items)  # not all or nothing: the good items are started
    assert (summary.created, summary.existing, len(summary.failures)) == (1, 2, 4)
    assert ReviewTask.objects.filter(human_loop__name="fresh").count() == 3


def test_another_accounts_loop_with_the_same_name_is_no_conflict(flow):
    other = f.account()
    other_flow = f.flow_definition(other, f.workteam(other, members=[f.user()]))
    lifecycle.start_human_loop(
        account=other, name="shared-name", flow_definition_arn=f.flow_arn(other_flow), input_content='{"x": 1}'
    )
    summary = _staged(flow, [BulkItem("shared-name", '{"y": 2}')])
    assert (summary.created, summary.existing, summary.failures) == (1, 0, [])
    assert HumanLoop.objects.get(account=flow.account, name="shared-name").input_json == {"y": 2}
    assert HumanLoop.objects.get(account=other, name="shared-name").input_json == {"x": 1}


def test_the_quota_refuses_the_items_past_the_room_left(flow, settings):
    settings.HITL_ACTIVE_LOOP_QUOTA = 3
    lifecycle.start_human_loop(
        account=flow.account, name="q-0", flow_definition_arn=f.flow_arn(flow), input_content="{}"
    )
    summary = _staged(flow, [BulkItem(f"q-{i}", "{}") for i in range(1, 5)])
    assert summary.created == 2
    assert [(failure.name, type(failure.error).__name__) for failure in summary.failures] == [
        ("q-3", "QuotaExceeded"),
        ("q-4", "QuotaExceeded"),
    ]


def test_trusted_json_still_refuses_what_client_json_refuses(flow):
    summary = _staged(
        flow, [BulkItem("nul", json.dumps({"t": "a\x00b"})), BulkItem("ok", '{"t": "a"}')], trusted_json=True
    )
    assert summary.created == 1
    assert [failure.name for failure in summary.failures] == ["nul"]


def test_it_refuses_to_run_outside_a_transaction(flow):
    assert not connection.in_atomic_block
    with pytest.raises(RuntimeError):
        bulk_stage.start_staged(flow.account, flow, [])


def test_a_name_taken_after_the_check_redoes_that_chunk_item_by_item(flow, monkeypatch):
    # As if a concurrent StartHumanLoop took the names between the set-based check and the insert.
    monkeypatch.setattr(bulk_stage, "_sort_out", lambda *args: 0)
    arn = f.flow_arn(flow)
    lifecycle.start_human_loop(account=flow.account, name="raced", flow_definition_arn=arn, input_content='{"r": 1}')
    lifecycle.start_human_loop(account=flow.account, name="lost", flow_definition_arn=arn, input_content='{"l": 1}')
    items = [BulkItem("before", "{}"), BulkItem("raced", '{"r": 1}'), BulkItem("lost", '{"l": 2}')]
    summary = _staged(flow, items)
    assert (summary.created, summary.existing) == (1, 1)
    assert [(failure.name, type(failure.error).__name__) for failure in summary.failures] == [("lost", "Conflict")]
    assert ReviewTask.objects.filter(human_loop__name="before").count() == 3
    assert HumanLoop.objects.get(name="lost").input_json == {"l": 1}


def test_each_start_checks_only_the_loops_own_references_and_django_still_guards_the_copies(flow):
    """The template, flow version, task flow and team are the flow's, copied: a database constraint on each
    would be checked once per inserted row (about 40 µs of PostgreSQL CPU a loop for the four, bench/README.md)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, a.attname FROM pg_constraint c JOIN pg_attribute a "
            "ON a.attrelid = c.conrelid AND a.attnum = ANY(c.conkey) WHERE c.contype = 'f' AND conrelid IN (%s::regclass, "
            "%s::regclass) ORDER BY 1, 2",
            [HumanLoop._meta.db_table, ReviewTask._meta.db_table],
        )
        assert cursor.fetchall() == [
            ("flows_humanloop", "account_id"),
            ("flows_humanloop", "flow_definition_id"),
            ("flows_reviewtask", "human_loop_id"),
            ("flows_reviewtask", "worker_id"),
        ]
    assert _staged(flow, [BulkItem("guarded", "{}")]).created == 1
    with pytest.raises(ProtectedError):
        flow.template.delete()  # Django's on_delete=PROTECT, as before
    with pytest.raises(ProtectedError):
        flow.workteam.delete()  # the flow's own foreign key
