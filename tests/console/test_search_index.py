"""The console's search table (console.search_index): loops are searchable the moment they commit, the
sweep copies them set-based, and no trigram index is paid on the loop table by any start."""

from __future__ import annotations

import json

import pytest
from django.db import connection, transaction

from console import loop_search, search_index
from console.models import LoopSearchBacklog, LoopSearchText
from flows.loops import bulk_stage
from flows.loops.bulk import BulkItem
from flows.models import HumanLoop
from tests import factories as f

LOOPS = "/console/loops/"
on_postgresql = pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="the trigger and indexes are PostgreSQL's"
)


def names(response) -> list[str]:
    return sorted(loop.name for loop in response.context["loops"])


@on_postgresql
def test_no_start_pays_a_trigram_index_on_the_loop_table(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", [HumanLoop._meta.db_table])
        indexes = dict(cursor.fetchall())
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = %s", [LoopSearchText._meta.db_table])
        search = {name for (name,) in cursor.fetchall()}
    assert not [name for name, definition in indexes.items() if "gin" in definition.lower()]
    assert {"console_search_input_upper_trgm_idx", "console_search_name_upper_trgm_idx"} <= search


@on_postgresql
def test_loops_are_found_before_and_after_the_sweep_copies_them_and_never_another_accounts(
    client, personas, monkeypatch
):
    monkeypatch.setattr(loop_search, "TEXT_WINDOW", 0)  # every text search goes to the index, not the newest rows
    f.human_loop(personas.flow, {"taskObject": "a blurry zebra crossing"}, name="zebra-single")
    with transaction.atomic():
        items = [BulkItem(f"zebra-bulk-{i}", json.dumps({"taskObject": f"zebra crossing {i}"})) for i in range(3)]
        assert bulk_stage.start_staged(personas.account, personas.flow, items).created == 3
    f.human_loop(personas.flow, {"taskObject": "nothing striped"}, name="plain")
    f.human_loop(personas.outsider.flow, {"taskObject": "their zebra crossing"}, name="zebra-theirs")
    mine = ["zebra-bulk-0", "zebra-bulk-1", "zebra-bulk-2", "zebra-single"]
    client.force_login(personas.owner)

    assert not LoopSearchText.objects.exists() and LoopSearchBacklog.objects.exists()
    assert names(client.get(LOOPS, {"q": "ZEBRA cross"})) == mine
    assert names(client.get(LOOPS, {"name": "zebra-"})) == mine

    assert search_index.catch_up() == 6
    assert not LoopSearchBacklog.objects.exists()
    assert LoopSearchText.objects.count() == HumanLoop.objects.count() == 6
    assert names(client.get(LOOPS, {"q": "ZEBRA cross"})) == mine
    assert names(client.get(LOOPS, {"name": "zebra-"})) == mine
    assert names(client.get(LOOPS, {"q": "striped"})) == ["plain"]
    client.force_login(personas.outsider.owner)
    assert names(client.get(LOOPS, {"q": "zebra"})) == ["zebra-theirs"]
    assert names(client.get(LOOPS, {"name": "zebra"})) == ["zebra-theirs"]


@on_postgresql
def test_the_sweep_copies_a_big_insert_in_chunks_and_twice_copies_nothing_twice(personas, monkeypatch):
    monkeypatch.setattr(search_index, "CHUNK", 2)
    with transaction.atomic():
        items = [BulkItem(f"row-{i}", json.dumps({"taskObject": f"row {i}"})) for i in range(5)]
        bulk_stage.start_staged(personas.account, personas.flow, items)
    assert LoopSearchBacklog.objects.count() == 1  # one INSERT statement, one range
    assert search_index.catch_up() == 5
    LoopSearchBacklog.objects.create(low=0, high=10**9)  # a range already copied (another sweep's, say)
    assert search_index.catch_up() == 0
    assert not LoopSearchBacklog.objects.exists()
    assert sorted(LoopSearchText.objects.values_list("name", flat=True)) == [f"row-{i}" for i in range(5)]


def test_backlog_ranges_are_merged_and_capped_into_wider_spans(db, monkeypatch):
    monkeypatch.setattr(search_index, "SPANS_KEPT", 2)
    for low, high in [(1, 5), (6, 9), (3, 4), (20, 21), (100, 120)]:
        LoopSearchBacklog.objects.create(low=low, high=high)
    # (1..9) and (20..21) touch or overlap less than the widest gap (21 -> 100): they are joined.
    assert search_index.backlog_spans() == [(1, 21), (100, 120)]
    monkeypatch.setattr(search_index, "SPANS_KEPT", 32)
    assert search_index.backlog_spans() == [(1, 9), (20, 21), (100, 120)]


@on_postgresql
def test_a_deleted_loop_leaves_no_text_in_the_search_table(personas):
    """The admin (or a cascade) deleting a loop takes its searchable copy with it."""
    loop = f.human_loop(personas.flow, {"taskObject": "text to forget"}, name="forget-me")
    assert search_index.catch_up() == 1
    HumanLoop.objects.filter(id=loop.id).delete()
    assert not LoopSearchText.objects.filter(loop_id=loop.id).exists()
