"""The claim reads the open-task index in id order, however many tasks are open (issue 19, bench/README.md).

At 1,000,000 open tasks the claim statement took 6.6 s: PostgreSQL planned the paused-reviewer check
(NOT EXISTS over the reviewer's standings) as an anti-join it expected to leave one task, so it read
every open task of the flow and sorted them instead of taking the first from the index.
"""

from __future__ import annotations

import json

import pytest
from django.db import connection

from flows.loops import hot_sql
from flows.models import HumanLoop, ReviewTask
from hitl.kernel import clock
from tests import factories as f

COPIES = 20_000  # enough rows for the planner's estimates to decide the plan, inserted in about a second


def _copy_rows(model, source_id: int, overrides: dict[str, str]) -> None:
    columns = [field.column for field in model._meta.concrete_fields if field.column != "id"]
    values = [overrides.get(column, column) for column in columns]
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(values)} "
            f"FROM {table}, generate_series(1, {COPIES}) AS g WHERE id = %s",
            [source_id],
        )


def _nodes(plan: dict):
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


def _queue_of_copies(flow, task_state: str = "state") -> None:
    """COPIES more loops of `flow`, each with a task like the first loop's (`task_state`: an SQL expression)."""
    loop = f.human_loop(flow)
    _copy_rows(HumanLoop, loop.id, {"name": "name || '-' || g"})
    first_copy = HumanLoop.objects.filter(name=f"{loop.name}-1").values_list("id", flat=True).get()
    task = ReviewTask.objects.get(human_loop=loop)
    _copy_rows(ReviewTask, task.id, {"human_loop_id": f"{first_copy} - 1 + g", "state": task_state})
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE flows_humanloop; ANALYZE flows_reviewtask")


def _picked_plan(reviewer, *, flow_id: int | None, team_ids: list[int], explain: str) -> dict:
    """The plan of the claim statement's `picked` CTE (EXPLAIN `explain`)."""
    now = clock.now()
    params = {"now": now, "worker": reviewer.pk, "leased": "leased", "ahead": False, "flow": flow_id, "teams": team_ids}
    params |= hot_sql._audit_params("ClaimTask", reviewer, now, None)
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN ({explain}) " + hot_sql._claim_sql(flow_id is not None), params)
        document = cursor.fetchone()[0]
    plan = (json.loads(document) if isinstance(document, str) else document)[0]["Plan"]
    return next(node for node in _nodes(plan) if node.get("Subplan Name") == "CTE picked")


@pytest.mark.django_db
def test_the_claim_takes_the_first_open_task_from_the_index_instead_of_sorting_them_all():
    if connection.vendor != "postgresql":
        pytest.skip("flows.loops.hot_sql runs on PostgreSQL only")
    acct = f.account()
    reviewer = f.user("rita")
    team = f.workteam(acct, members=[reviewer])
    flow = f.flow_definition(acct, team, name="big-queue")
    _queue_of_copies(flow)

    picked = _picked_plan(reviewer, flow_id=flow.id, team_ids=[], explain="FORMAT JSON")
    kinds = [(node["Node Type"], node.get("Relation Name")) for node in _nodes(picked)]
    assert ("Sort", None) not in kinds, kinds
    assert ("Seq Scan", "flows_reviewtask") not in kinds, kinds


@pytest.mark.django_db
def test_a_queue_filled_after_its_last_analyze_is_still_claimed_from_the_index_in_order():
    """Statistics taken while no task was open, then a burst of open tasks (before autovacuum's next
    ANALYZE): the claim across the reviewer's teams stops at the first open task. It read and sorted
    every open task, checking each against the reviewer's exclusions (bench/README.md, "Waiting agents")."""
    if connection.vendor != "postgresql":
        pytest.skip("flows.loops.hot_sql runs on PostgreSQL only")
    acct = f.account()
    reviewer = f.user("rita")
    team = f.workteam(acct, members=[reviewer])
    f.workteam(acct, members=[reviewer], name="second-team")  # a reviewer of two teams
    flow = f.flow_definition(acct, team, name="burst")
    _queue_of_copies(flow, task_state="'cancelled'")  # analyzed with no task open
    with connection.cursor() as cursor:
        cursor.execute("UPDATE flows_reviewtask SET state = 'open' WHERE state = 'cancelled'")
    team_ids = sorted(reviewer.workteams.values_list("id", flat=True))

    picked = _picked_plan(reviewer, flow_id=None, team_ids=team_ids, explain="ANALYZE, FORMAT JSON")
    scans = [node for node in _nodes(picked) if node.get("Relation Name") == "flows_reviewtask"]
    assert scans and all(node["Actual Rows"] <= 1 for node in scans), [
        (node["Node Type"], node.get("Index Name"), node["Actual Rows"]) for node in scans
    ]
    assert picked["Actual Rows"] == 1
