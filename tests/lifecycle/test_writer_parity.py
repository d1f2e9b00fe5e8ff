"""Both writers of the hot paths write the same rows: flows.loops.hot_sql's statements and the ORM code.

On PostgreSQL, one scenario (every hot operation and every refusal they can
meet) runs once with HITL_HOT_SQL on and once with it off, on the same
database, each in its own account at the same instants; every column of the
loop, task, exclusion, outbox and audit rows each run leaves behind is
compared, ids replaced by what they name. The answers and refusals (error
class and message) must be the same too.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.db import connection

from flows.loops import lifecycle, rules
from flows.models import FlowDefinitionVersion, HumanLoop, OutputOutbox, ReviewTask, TaskExclusion
from hitl.kernel import clock
from hitl.kernel.errors import Conflict, HitlError
from tests import factories as f
from workforce.models import AuditRecord

T0 = dt.datetime(2026, 3, 1, 12, 0, 0, 250_000, tzinfo=dt.UTC)


def _scenario(settings, *, hot_sql: bool, ana, bo, outsider) -> tuple[list, dict]:
    settings.HITL_HOT_SQL = hot_sql
    lifecycle._last_claim_sweep = None  # the claim-time lease sweep runs as on a fresh process
    clock.set_now(T0)
    acct = f.account(name=f"parity-{hot_sql}")
    team = f.workteam(acct, members=[ana, bo])
    flow = f.flow_definition(acct, team, name="parity-flow", task_count=2, task_time_limit_seconds=60)
    arn = f.flow_arn(flow)
    outcomes: list[tuple[str, str, Any]] = []

    def attempt(label: str, call) -> Any:
        try:
            result = call()
        except HitlError as exc:
            outcomes.append((label, type(exc).__name__, re.sub(r"Task \d+", "Task <id>", exc.message)))
            return None
        outcomes.append((label, "ok", _describe(result)))
        return result

    def start(name: str, content: str = '{"x": 1}', attributes: dict | None = None):
        return lambda: lifecycle.start_human_loop(
            account=acct, name=name, flow_definition_arn=arn, input_content=content, data_attributes=attributes
        )

    attempt("start", start("loop-1"))
    attempt("start again: the same loop", start("loop-1"))
    attempt("start: another input", start("loop-1", '{"x": 2}'))
    attempt("start: other attributes", start("loop-1", attributes={"ContentClassifiers": ["FreeOfAdultContent"]}))
    attempt("start loop-2", start("loop-2", '{"y": null}', {"ContentClassifiers": ["FreeOfAdultContent"]}))
    settings.HITL_ACTIVE_LOOP_QUOTA = 2
    attempt("start past the quota", start("loop-3"))
    settings.HITL_ACTIVE_LOOP_QUOTA = 0

    ana_1 = attempt("claim in the flow", lambda: lifecycle.claim_next_task(ana, flow=flow))
    ana_2 = attempt("claim in the teams", lambda: lifecycle.claim_next_task(ana))
    attempt("claim: none left for ana", lambda: lifecycle.claim_next_task(ana))
    bo_1 = attempt("bo claims", lambda: lifecycle.claim_next_task(bo, flow=flow))
    attempt("outsider claims nothing", lambda: lifecycle.claim_next_task(outsider))

    clock.advance(1.0005)  # half a millisecond: both writers round the time spent the same way
    attempt("submit", lambda: lifecycle.submit_task(ana, ana_1.id, {"label": "Positive"}))
    attempt("submit twice", lambda: lifecycle.submit_task(ana, ana_1.id, {"label": "Negative"}))
    attempt("submit by someone who never held it", lambda: lifecycle.submit_task(outsider, ana_1.id, {"a": 1}))
    attempt("submit another's task", lambda: lifecycle.submit_task(bo, ana_1.id, {"a": 1}))
    attempt("stop loop-2", lambda: lifecycle.stop_human_loop(account=acct, name="loop-2"))
    attempt("submit while stopping", lambda: lifecycle.submit_task(ana, ana_2.id, {"label": "Mixed"}))
    attempt("release after the answer", lambda: lifecycle.release_task(ana, ana_2.id))
    clock.advance(60)
    attempt("submit after the lease ran out", lambda: lifecycle.submit_task(bo, bo_1.id, {"label": "Late"}))
    attempt("claim returns the lease first", lambda: lifecycle.claim_next_task(bo))
    attempt("release what is not held", lambda: lifecycle.release_task(bo, bo_1.id))
    attempt("start loop-4", start("loop-4"))
    bo_4 = attempt("bo claims loop-4", lambda: lifecycle.claim_next_task(bo, flow=flow))
    attempt("bo releases", lambda: lifecycle.release_task(bo, bo_4.id))
    ana_4 = attempt("ana claims loop-4", lambda: lifecycle.claim_next_task(ana, flow=flow))
    clock.advance(flow.task_availability_lifetime_seconds)
    attempt("submit past the loop's lifetime", lambda: lifecycle.submit_task(ana, ana_4.id, {"a": 1}))
    attempt("expire", lambda: lifecycle.expire_loops())
    attempt("stop a failed loop", lambda: lifecycle.stop_human_loop(account=acct, name="loop-4"))
    return outcomes, _rows(acct)


def _describe(result: Any) -> Any:
    if isinstance(result, lifecycle.StartResult):
        return (result.loop.name if result.loop else None, result.created)
    if isinstance(result, ReviewTask):
        return ("task", result.human_loop.name, result.state)
    if isinstance(result, HumanLoop):
        return ("loop", result.name, result.status)
    return result


def _rows(acct) -> dict[str, list[dict]]:
    """Every column of the rows the scenario wrote, ids replaced by what they name."""
    loops = {loop.id: loop.name for loop in HumanLoop.objects.filter(account=acct)}
    tasks = {
        t.id: f"{loops[t.human_loop_id]}#{n}"
        for n, t in enumerate(ReviewTask.objects.filter(human_loop_id__in=loops).order_by("id"))
    }

    def plain(obj) -> dict:
        row = {field.attname: getattr(obj, field.attname) for field in obj._meta.concrete_fields}
        for column in ("account_id", "flow_definition_id", "workteam_id", "template_id"):
            row.pop(column, None)
        if "human_loop_id" in row:
            row["human_loop_id"] = loops[row["human_loop_id"]]
        if row.get("flow_version_id") is not None:  # each scenario has its own flow: compare the pin by number
            row["flow_version_id"] = FlowDefinitionVersion.objects.get(id=row["flow_version_id"]).number
        if "worker_id" in row and row["worker_id"] is not None:
            row["worker_id"] = (
                type(obj)._meta.get_field("worker").related_model.objects.get(id=row["worker_id"]).username
            )
        return row

    def without_id(row: dict) -> dict:
        row.pop("id")
        return row

    audit = []
    for record in AuditRecord.objects.filter(account=acct).order_by("id"):
        row = without_id(plain(record))
        row["resource"] = re.sub(
            r"review-task/(\d+) human-loop/(\d+)",
            lambda m: f"review-task/{tasks[int(m[1])]} human-loop/{loops[int(m[2])]}",
            row["resource"],
        )
        audit.append(row)
    return {
        "loops": [without_id(plain(loop)) for loop in HumanLoop.objects.filter(account=acct).order_by("id")],
        "tasks": [
            plain(task) | {"id": tasks[task.id]}
            for task in ReviewTask.objects.filter(human_loop_id__in=loops).order_by("id")
        ],
        "exclusions": sorted(
            (loops[e.human_loop_id], e.worker.username) for e in TaskExclusion.objects.filter(human_loop_id__in=loops)
        ),
        "outbox": [without_id(plain(o)) for o in OutputOutbox.objects.filter(human_loop_id__in=loops).order_by("id")],
        "audit": audit,
    }


@pytest.mark.django_db(transaction=True)
def test_the_statements_and_the_orm_write_the_same_rows_and_refuse_alike(settings):
    if connection.vendor != "postgresql":
        pytest.skip("flows.loops.hot_sql runs on PostgreSQL only")
    ana, bo, outsider = f.user("ana"), f.user("bo"), f.user("outsider")
    sql_outcomes, sql_rows = _scenario(settings, hot_sql=True, ana=ana, bo=bo, outsider=outsider)
    orm_outcomes, orm_rows = _scenario(settings, hot_sql=False, ana=ana, bo=bo, outsider=outsider)

    assert sql_outcomes == orm_outcomes
    for table in sql_rows:
        assert sql_rows[table] == orm_rows[table], table
    # The scenario really went where it says: every kind of row and refusal is there.
    assert {kind for _, kind, _ in sql_outcomes} >= {
        "ok",
        "Conflict",
        "NotFound",
        "QuotaExceeded",
        "LoopAlreadyFinished",
    }
    assert {row["operation"] for row in sql_rows["audit"]} >= {"ClaimTask", "SubmitTask", "ReleaseTask"}
    assert {row["status"] for row in sql_rows["loops"]} >= {"Failed", "Stopped"}
    assert [row["time_spent_seconds"] for row in sql_rows["tasks"] if row["state"] == "submitted"][0] == 1.001


def test_time_spent_rounds_halves_away_from_zero_as_postgresql_does():
    accepted = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    # Python's round(1.0005, 3) is 1.0: the float is 1.000499999...; PostgreSQL's numeric round gives 1.001.
    assert rules.time_spent_seconds(accepted, accepted + dt.timedelta(seconds=1, microseconds=500)) == 1.001
    assert rules.time_spent_seconds(accepted, accepted + dt.timedelta(microseconds=2_499)) == 0.002
    assert rules.time_spent_seconds(accepted, accepted + dt.timedelta(hours=2, microseconds=1_500)) == 7200.002


@pytest.mark.django_db
def test_the_conflict_names_what_differs():
    acct = f.account()
    flow = f.flow_definition(acct, f.workteam(acct))
    other = f.flow_definition(acct, flow.workteam)
    lifecycle.start_human_loop(account=acct, name="named", flow_definition_arn=f.flow_arn(flow), input_content="{}")

    def conflict(flow_, content="{}", attributes=None) -> str:
        with pytest.raises(Conflict) as caught:
            lifecycle.start_human_loop(
                account=acct,
                name="named",
                flow_definition_arn=f.flow_arn(flow_),
                input_content=content,
                data_attributes=attributes,
            )
        return caught.value.message

    adult = {"ContentClassifiers": ["FreeOfAdultContent"]}
    assert "(InProgress) with a different input." in conflict(flow, '{"a": 1}')
    assert "with a different data attributes." not in conflict(flow, attributes=adult)
    assert "(InProgress) with different data attributes." in conflict(flow, attributes=adult)
    assert "with a different flow definition." in conflict(other)
    assert "with a different flow definition, input and data attributes." in conflict(other, "[]", adult)
