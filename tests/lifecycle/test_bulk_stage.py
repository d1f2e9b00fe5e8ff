"""The PostgreSQL bulk paths: staged (flows.loops.bulk_stage: the rows StartHumanLoop writes, set-based checks,
tenancy) and the import's direct COPY (flows.loops.bulk_direct: the same rows, taken names left to the staged path)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection, transaction
from django.db.models import ProtectedError
from django.forms.models import model_to_dict

from console.models import LoopSearchBacklog
from flows.loops import bulk_direct, bulk_stage, lifecycle
from flows.loops.bulk import BulkItem
from flows.models import FlowDefinition, HumanLoop, ReviewTask
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


def _direct(flow, items, **options):
    with transaction.atomic():
        return bulk_direct.start_direct(flow.account, flow, items, at_most=len(items), **options)


@pytest.mark.parametrize("path", [_staged, _direct], ids=["staged", "direct COPY"])
def test_staged_loops_and_tasks_are_the_rows_start_human_loop_writes(flow, path):
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
            summary = path(flow, [BulkItem(f"staged-{name}", content, attributes)])
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
    """The template, flow version, task flow and team are the flow's, copied, and a task's loop is written by the
    same start: a database constraint on each would be checked once per inserted row (bench/README.md)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, a.attname FROM pg_constraint c JOIN pg_attribute a "
            "ON a.attrelid = c.conrelid AND a.attnum = ANY(c.conkey) WHERE c.contype = 'f' AND conrelid IN (%s::regclass, "
            "%s::regclass) ORDER BY 1, 2",
            [HumanLoop._meta.db_table, ReviewTask._meta.db_table],
        )
        assert cursor.fetchall() == [("flows_reviewtask", "worker_id")]  # the loop's flow: per statement (0018)
    assert _staged(flow, [BulkItem("guarded", "{}")]).created == 1
    assert _direct(flow, [BulkItem("direct", "{}")]).created == 1
    with pytest.raises(ProtectedError):
        flow.template.delete()  # Django's on_delete=PROTECT, as before
    with pytest.raises(ProtectedError):
        flow.workteam.delete()  # the flow's own foreign key
    loops = list(HumanLoop.objects.filter(account=flow.account).values_list("id", flat=True))
    assert ReviewTask.objects.filter(human_loop_id__in=loops).count() == 6
    HumanLoop.objects.filter(id__in=loops).delete()  # Django's CASCADE takes their tasks, as before
    assert not ReviewTask.objects.filter(human_loop_id__in=loops).exists()


def test_an_account_with_loops_still_cannot_be_deleted(flow):
    """The loop's account has no database constraint (flows 0016); what keeps a loop from outliving it is unchanged.

    The account's flows protect it, and a flow with loops is only soft-deleted
    (flows.definitions.services.delete_flow_definition), whose own constraint holds the loop.
    """
    assert _direct(flow, [BulkItem("kept-1", "{}"), BulkItem("kept-2", "{}")]).created == 2
    with pytest.raises(ProtectedError):
        flow.account.delete()
    with pytest.raises(ProtectedError):
        FlowDefinition.objects.filter(pk=flow.pk).delete()
    assert HumanLoop.objects.filter(account_id=flow.account_id).count() == 2


# --- The import's direct COPY path (flows.loops.bulk_direct) ---


def test_blocks_keep_the_file_order_and_the_search_backlog_covers_every_loop(flow, monkeypatch):
    monkeypatch.setattr(bulk_direct, "BLOCK_ROWS", 4)
    seen = []
    summary = _direct(
        flow,
        [BulkItem(f"order-{i}", json.dumps({"i": i})) for i in range(10)],
        progress=lambda s: seen.append(s.created),
    )
    assert (summary.created, summary.checked, seen) == (10, 10, [4, 8, 10])
    loops = list(HumanLoop.objects.filter(account=flow.account).order_by("id").values_list("id", "name"))
    assert [name for _, name in loops] == [f"order-{i}" for i in range(10)]
    tasks = ReviewTask.objects.filter(flow_definition=flow).order_by("id").values_list("human_loop__name", flat=True)
    assert list(tasks) == [f"order-{i}" for i in range(10) for _ in range(3)]
    # The statement trigger fires for COPY too: every loop is in a backlog range until the sweep copies it.
    ranges = list(LoopSearchBacklog.objects.values_list("low", "high"))
    assert all(any(low <= loop_id <= high for low, high in ranges) for loop_id, _ in loops)


@pytest.mark.parametrize("taken", ["live loop", "earlier in the file"])
def test_a_taken_name_writes_nothing_and_leaves_the_decision_to_the_staged_path(flow, taken):
    items = [BulkItem("fresh-1", '{"a": 1}'), BulkItem("dup", '{"a": 2}'), BulkItem("fresh-2", '{"a": 3}')]
    if taken == "live loop":
        f.human_loop(flow, {"a": 2}, name="dup")
    else:
        items.append(BulkItem("dup", '{"a": 2}'))
    before = HumanLoop.objects.count()
    assert _direct(flow, items) is None
    assert HumanLoop.objects.count() == before
    assert not ReviewTask.objects.filter(human_loop__name__startswith="fresh").exists()


def test_all_or_nothing_stops_at_the_first_bad_item_and_undoes_what_it_wrote(flow, monkeypatch):
    monkeypatch.setattr(bulk_direct, "BLOCK_ROWS", 2)
    items = [BulkItem(f"ok-{i}", '{"a": 1}') for i in range(5)]
    items[3] = BulkItem("bad name!", '{"a": 1}')
    assert _direct(flow, items, all_or_nothing=True) is None  # the staged path lists every failure
    assert not HumanLoop.objects.filter(account=flow.account).exists()
    summary = _direct(flow, items)  # not all or nothing: the other items are started
    assert (summary.created, [failure.index for failure in summary.failures]) == (4, [3])


def test_a_quota_with_less_room_than_the_items_leaves_them_to_the_staged_path(flow, settings):
    settings.HITL_ACTIVE_LOOP_QUOTA = 3
    f.human_loop(flow, {"a": 0}, name="open")
    with transaction.atomic():
        assert bulk_direct.start_direct(flow.account, flow, [], at_most=3) is None
        assert bulk_direct.start_direct(flow.account, flow, [BulkItem("x", "{}")], at_most=2).created == 1


def test_the_indexes_every_loop_writes_take_the_cheap_shape():
    """Names compare byte by byte and the console's keyset indexes ascend (flows 0015, console 0007).

    A later AlterField of the name, or a recreated index, would silently bring back the CPU per
    insert these saved (bench/README.md "sixth pass"): strcoll per comparison, a descent and a
    half-empty page split per loop instead of the rightmost leaf.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT collation_name FROM information_schema.columns WHERE table_name = %s AND column_name = 'name'",
            [HumanLoop._meta.db_table],
        )
        assert cursor.fetchone() == ("C",)
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname LIKE 'console_loop_%%' "
            "ORDER BY 1",
            [HumanLoop._meta.db_table],
        )
        definitions = dict(cursor.fetchall())
    assert sorted(definitions) == ["console_loop_account_created_idx", "console_loop_account_status_created_idx"]
    for definition in definitions.values():
        assert " DESC" not in definition and definition.endswith("created_at, id) WHERE (deleted_at IS NULL)")
