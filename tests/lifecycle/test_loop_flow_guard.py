"""A loop's flow, held on PostgreSQL by statement-level triggers instead of a foreign key (flows/migrations/0018).

Raw SQL, as a constraint would be tried: a loop naming no flow is refused, a flow with loops
cannot be deleted, and a delete racing an uncommitted start waits for it and then refuses.
"""

from __future__ import annotations

import psycopg
import pytest
from django.db import IntegrityError, connection, transaction

from flows.loops import bulk_direct
from flows.loops.bulk import BulkItem
from flows.models import FlowDefinition, FlowDefinitionVersion, HumanLoop
from tests import factories as f

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the triggers are PostgreSQL's"),
]
LOOPS, FLOWS = HumanLoop._meta.db_table, FlowDefinition._meta.db_table
# A raw delete of a flow takes its versions first (their own constraint), as Django's collector does.
DELETE_FLOW = (
    f"WITH versions AS (DELETE FROM {FlowDefinitionVersion._meta.db_table} WHERE flow_definition_id = %(id)s) "
    f"DELETE FROM {FLOWS} WHERE id = %(id)s"
)
COLUMNS = [field.column for field in HumanLoop._meta.concrete_fields if field.column not in ("id", "name")]


@pytest.fixture
def loop():
    acct = f.account()
    return f.human_loop(f.flow_definition(acct, f.workteam(acct)), name="first")


def _copy_of(loop: HumanLoop, name: str, **changed) -> tuple[str, list]:
    """An INSERT of a copy of `loop` under `name`, with some columns changed, written as a client would."""
    values = [f"%s AS {column}" if column in changed else column for column in COLUMNS]
    sql = f"INSERT INTO {LOOPS} (name, {', '.join(COLUMNS)}) SELECT %s, {', '.join(values)} FROM {LOOPS} WHERE id = %s"
    return sql, [name, *(changed[column] for column in COLUMNS if column in changed), loop.id]


def test_a_loop_naming_no_flow_is_refused_and_a_real_one_is_taken(loop):
    with pytest.raises(IntegrityError, match="does not exist"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(*_copy_of(loop, "dangling", flow_definition_id=2**40))
    with connection.cursor() as cursor:
        cursor.execute(*_copy_of(loop, "second"))
    assert HumanLoop.objects.filter(flow_definition=loop.flow_definition).count() == 2
    other = f.flow_definition(loop.account, f.workteam(loop.account))
    with pytest.raises(IntegrityError, match="does not exist"), transaction.atomic():
        HumanLoop.objects.filter(pk=loop.pk).update(flow_definition_id=2**40)
    HumanLoop.objects.filter(pk=loop.pk).update(flow_definition_id=other.id)  # to a real flow: taken


def test_a_flow_with_loops_cannot_be_deleted_even_behind_djangos_back(loop):
    with pytest.raises(IntegrityError, match="still has human loops"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(DELETE_FLOW, {"id": loop.flow_definition_id})
    acct = loop.account
    empty = f.flow_definition(acct, f.workteam(acct))
    with connection.cursor() as cursor:
        cursor.execute(DELETE_FLOW, {"id": empty.id})  # no loops: deleted
    assert not FlowDefinition.objects.filter(pk=empty.pk).exists()


def test_a_delete_racing_an_uncommitted_start_waits_for_it_then_refuses(loop):
    params = connection.get_connection_params()
    with psycopg.connect(**params) as starting, psycopg.connect(**params) as deleting:
        starting.execute(*_copy_of(loop, "racing"))  # its transaction holds the flow FOR KEY SHARE
        HumanLoop.objects.filter(pk=loop.pk).delete()  # the flow's only committed loop is gone
        deleting.execute("SET lock_timeout = '300ms'")
        with pytest.raises(psycopg.errors.LockNotAvailable):
            deleting.execute(DELETE_FLOW, {"id": loop.flow_definition_id})
        deleting.rollback()
        starting.commit()
        with pytest.raises(psycopg.errors.ForeignKeyViolation):
            deleting.execute(DELETE_FLOW, {"id": loop.flow_definition_id})
    assert HumanLoop.objects.filter(name="racing").exists()


def test_a_start_after_an_uncommitted_delete_of_its_flow_is_refused(loop):
    acct = loop.account
    doomed = f.flow_definition(acct, f.workteam(acct))
    params = connection.get_connection_params()
    with psycopg.connect(**params) as deleting, psycopg.connect(**params) as starting:
        deleting.execute(DELETE_FLOW, {"id": doomed.id})
        starting.execute("SET lock_timeout = '300ms'")
        with pytest.raises(psycopg.errors.LockNotAvailable):  # the start waits for the delete
            starting.execute(*_copy_of(loop, "late", flow_definition_id=doomed.id))
        starting.rollback()
        deleting.commit()
        with pytest.raises(psycopg.errors.ForeignKeyViolation):
            starting.execute(*_copy_of(loop, "late", flow_definition_id=doomed.id))


def test_an_import_passes_the_check_and_no_per_row_foreign_key_is_left_on_the_loop_table(loop):
    flow = loop.flow_definition
    with transaction.atomic():
        summary = bulk_direct.start_direct(flow.account, flow, [BulkItem(f"n{i}", "{}") for i in range(50)], at_most=50)
    assert summary.created == 50
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND conrelid = %s::regclass", [LOOPS])
        assert cursor.fetchone() == (0,)
