"""The three hot paths, start, claim and submit, as single PostgreSQL statements.

StartHumanLoop is what inference code waits on; next task and submit are what
reviewers wait on all day. Written with the ORM, a start is two inserts, a
claim four statements (pick and lock a task, exclusion row, lease, audit row)
plus a payload query, and a submit six; the profile (bench/README.md) puts most
of their CPU in compiling those queries, not in running them. Here a start and
a claim are one statement each (data-modifying CTEs), and a submit two (lock
the loop; then answer, audit and count in one). Measured with
bench/profile_paths.py against the ORM versions on the same PostgreSQL
(HITL_HOT_SQL=false): see bench/README.md, "One writer per backend".

These statements write only the happy path, with the rules of flows.loops.rules:
the rows they insert are flows.loops.rules' row builders and workforce.audit.trail's
task_row, and table names, column names and state strings are taken from the
models, never typed out. When a statement changes no row, flows.loops.lifecycle
loads the rows and asks the same rule why. tests/lifecycle/test_writer_parity.py
runs every operation through both writers on one database and compares every
column they write.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import string
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, models
from django.db.backends.postgresql.base import ServerBindingCursor

from flows.loops import lookups, rules
from flows.models import (
    FlowDefinition,
    FlowDefinitionVersion,
    HumanLoop,
    OutputOutbox,
    ReviewerStanding,
    ReviewTask,
    TaskExclusion,
    TaskTemplate,
)
from flows.quality import quality_config
from workforce.audit import trail as audit
from workforce.models import AuditRecord

M = TypeVar("M", bound=models.Model)
TaskState = ReviewTask.State


def enabled() -> bool:
    """Return True when the hot paths run these statements (PostgreSQL, unless HITL_HOT_SQL is off)."""
    return connection.vendor == "postgresql" and settings.HITL_HOT_SQL


# --- Names from the models ------------------------------------------------------------


class _Table:
    """A model as SQL text: "{task}" formats as its table, "{task.state}" as a field's column."""

    def __init__(self, model: type[models.Model]) -> None:
        self._model = model

    def __format__(self, spec: str) -> str:
        return self._model._meta.db_table

    def __getattr__(self, name: str) -> str:
        return self._model._meta.get_field(name).column


_TABLES = {
    "loop": _Table(HumanLoop),
    "task": _Table(ReviewTask),
    "exclusion": _Table(TaskExclusion),
    "flow": _Table(FlowDefinition),
    "version": _Table(FlowDefinitionVersion),
    "template": _Table(TaskTemplate),
    "outbox": _Table(OutputOutbox),
    "standing": _Table(ReviewerStanding),
}


def _sql(template: str, **more: Any) -> str:
    return template.format(**_TABLES, **more)


def _cast(model: type[models.Model], attname: str, placeholder: str) -> str:
    """A parameter cast to its column's type: a prepared statement's parameters are typed from here."""
    field = next(f for f in model._meta.concrete_fields if f.attname == attname)
    return f"CAST({placeholder} AS {field.db_type(connection)})"


def _column(model: type[models.Model], attname: str) -> str:
    return next(f for f in model._meta.concrete_fields if f.attname == attname).column


def _params(prefix: str, row: dict[str, Any], model: type[models.Model]) -> dict[str, Any]:
    """The row's values as named parameters, JSON columns as text."""
    json_columns = _json_columns(model)
    return {f"{prefix}{k}": _json(v) if k in json_columns else v for k, v in row.items()}


@functools.cache
def _json_columns(model: type[models.Model]) -> frozenset[str]:
    return frozenset(f.attname for f in model._meta.concrete_fields if isinstance(f, models.JSONField))


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value)


def _audit_insert(source: str, operation_exprs: dict[str, str]) -> str:
    """An INSERT of workforce.audit.trail.task_row's columns for each row of `source`.

    Columns given in `operation_exprs` (SQL expressions over `source`) override the
    parameters `%(audit_<column>)s`; the resource is audit.TASK_RESOURCE built in SQL.
    """
    columns = ["created_at", *audit.task_row("", "", task_id=0, loop_id=0, account_id=0)]
    values = []
    for column in columns:
        if column == "resource":
            values.append(_resource_sql(operation_exprs))
        elif column in operation_exprs:
            values.append(operation_exprs[column])
        else:
            values.append(_cast(AuditRecord, column, f"%(audit_{column})s"))
    names = ", ".join(_column(AuditRecord, c) for c in columns)
    return f"INSERT INTO {AuditRecord._meta.db_table} ({names}) SELECT {', '.join(values)} FROM {source}"


def _resource_sql(exprs: dict[str, str]) -> str:
    parts = []
    for literal, field, _, _ in string.Formatter().parse(audit.TASK_RESOURCE):
        if literal:
            parts.append("'" + literal.replace("'", "''") + "'")
        if field:
            parts.append(f"({exprs[field]})::text")
    return " || ".join(parts)


def _audit_params(operation: str, user: AbstractBaseUser, now: dt.datetime, account_id: int | None) -> dict:
    row = audit.task_row(operation, user.get_username(), task_id=0, loop_id=0, account_id=account_id)
    return _params("audit_", row | {"created_at": now}, AuditRecord)


# --- Start ----------------------------------------------------------------------------


@functools.cache
def _start_sql(loop_columns: tuple[str, ...], task_columns: tuple[str, ...]) -> str:
    # The columns are the row builders' keys; a taken name (the partial unique index of live
    # names, the table's only unique index besides the key) inserts nothing, and then no tasks.
    loop_names = ", ".join(_column(HumanLoop, c) for c in loop_columns)
    loop_values = ", ".join(_cast(HumanLoop, c, f"%(loop_{c})s") for c in loop_columns)
    task_names = ", ".join(_column(ReviewTask, c) for c in task_columns)
    task_values = ", ".join(
        "loop.id" if c == "human_loop_id" else _cast(ReviewTask, c, f"%(task_{c})s") for c in task_columns
    )
    return _sql(
        """
WITH loop AS (
    INSERT INTO {loop} ({loop_names}) VALUES ({loop_values})
    ON CONFLICT DO NOTHING
    RETURNING id
), tasks AS (
    INSERT INTO {task} ({task_names})
    SELECT {task_values} FROM loop, generate_series(1, %(task_count)s)
)
SELECT id FROM loop
""",
        loop_names=loop_names,
        loop_values=loop_values,
        task_names=task_names,
        task_values=task_values,
    )


def start(loop_row: dict[str, Any], flow: FlowDefinition) -> HumanLoop | None:
    """Insert the loop (rules.new_loop_row) and its TaskCount open tasks; None if the name is taken.

    Runs in the caller's transaction.
    """
    task_row = rules.new_task_row(
        flow=flow, loop_id=None, expires_at=loop_row["expires_at"], now=loop_row["created_at"]
    )
    params = _params("loop_", loop_row, HumanLoop) | _params("task_", task_row, ReviewTask)
    params["loop_input_json"] = json.dumps(loop_row["input_json"])  # InputContent "null" is JSON null, not SQL NULL
    params["task_count"] = quality_config.tasks_at_start(flow)
    row = _fetch_one(_start_sql(tuple(loop_row), tuple(task_row)), params)
    if row is None:
        return None
    loop = _loaded(HumanLoop, id=row[0], **loop_row)
    loop.flow_definition = flow
    return loop


# --- Claim ----------------------------------------------------------------------------

# The first claimable open task of one flow or one team ({scope}: an equality, so that the open-task
# index of the flow or team is read in id order and the walk stops at the first task that passes).
# Whatever the statistics say: a queue analyzed while it was empty and then filled by a burst of
# starts (1,000 loops in a minute, before autovacuum's next ANALYZE) had an estimate of one open
# task, and `workteam_id = ANY(teams)` was then planned as read-every-open-task, check each against
# the reviewer's exclusions, sort: 30-50 ms a claim at 900 open tasks instead of 0.6 ms
# (bench/README.md, "Waiting agents").
_FIRST_OPEN = """
    SELECT t.{task.id}, t.{task.human_loop}, t.{task.flow_definition}
    FROM {task} t
    -- The state is written into the text, not a parameter, so that the generic plan of this prepared
    -- statement may use the partial indexes of open tasks too.
    WHERE t.{task.state} = '{claimable}' AND t.{task.available_until} > %(now)s AND {scope}
      AND NOT EXISTS (
          SELECT 1 FROM {exclusion} e
          WHERE e.{exclusion.worker} = %(worker)s AND e.{exclusion.human_loop} = t.{task.human_loop}
      )
      -- flows.quality.gold.held_expression: a reviewer paused or not yet qualified on the flow gets none of its tasks.
      -- A scalar subquery (one standing per reviewer and flow), not NOT EXISTS: as an anti-join PostgreSQL
      -- estimated that it left one open task of the flow, and so sorted every open task of the flow
      -- instead of reading its index in order (6.6 s a claim at 1,000,000 open tasks; bench/README.md).
      AND NOT COALESCE((
          SELECT s.{standing.held} FROM {standing} s
          WHERE s.{standing.worker} = %(worker)s AND s.{standing.flow_definition} = t.{task.flow_definition}
      ), false)
    ORDER BY t.{task.id}
    LIMIT 1
    FOR UPDATE OF t SKIP LOCKED
"""

# A reviewer's teams: each team's first claimable task (locked; a parallel claimer skips the ones not
# taken, as it skips any task being claimed, until this statement's transaction ends), the oldest wins.
_FIRST_OPEN_OF_TEAMS = """
    SELECT oldest.* FROM unnest(CAST(%(teams)s AS bigint[])) AS team(id)
    CROSS JOIN LATERAL ({first_open}) AS oldest
    ORDER BY oldest.{task.id}
    LIMIT 1
"""

_CLAIM = """
WITH picked AS (
    {picked}
), excluded AS (
    -- The exclusion row's unique constraint guarantees one task per reviewer per loop,
    -- even for two parallel requests of one reviewer: the loser inserts nothing and claims nothing.
    INSERT INTO {exclusion} ({exclusion.human_loop}, {exclusion.worker})
    SELECT {task.human_loop}, %(worker)s FROM picked
    ON CONFLICT DO NOTHING
    RETURNING {exclusion.human_loop}
), claimed AS (
    UPDATE {task} t
    SET {task.state} = %(leased)s, {task.worker} = %(worker)s, {task.accepted_at} = %(now)s,
        {task.claimed_ahead} = %(ahead)s, {task.lease_expires_at} = %(now)s + COALESCE(
            (v.{version.settings} ->> 'task_time_limit_seconds')::integer, f.{flow.task_time_limit_seconds}
        ) * interval '1 second'
    FROM picked p
    JOIN excluded x ON x.{exclusion.human_loop} = p.{task.human_loop}
    JOIN {flow} f ON f.{flow.id} = p.{task.flow_definition}
    -- The time limit of the flow version the loop is pinned to (flows.definitions.versions.pinned_time_limit);
    -- loops from before versions have none and take the flow's.
    JOIN {loop} pl ON pl.{loop.id} = p.{task.human_loop}
    LEFT JOIN {version} v ON v.{version.id} = pl.{loop.flow_version}
    WHERE t.{task.id} = p.{task.id}
    RETURNING t.{task.id} AS id, t.{task.human_loop} AS loop_id, t.{task.flow_definition} AS flow_id,
              t.{task.workteam} AS team_id, t.{task.lease_expires_at} AS lease_expires_at,
              f.{flow.account} AS account_id
), audited AS (
    {audit}
)
SELECT (SELECT count(*) FROM picked), c.id, c.loop_id, c.flow_id, c.team_id, c.lease_expires_at,
       l.{loop.name}, l.{loop.input_json}::text, l.{loop.template}, tpl.{template.content}, l.{loop.flow_version},
       l.{loop.account}
FROM (SELECT 1) AS one
LEFT JOIN claimed c ON true
LEFT JOIN {loop} l ON l.{loop.id} = c.loop_id
LEFT JOIN {template} tpl ON tpl.{template.id} = l.{loop.template}
"""


@functools.cache
def _claim_sql(by_flow: bool) -> str:
    audit_sql = _audit_insert("claimed c", {"task_id": "c.id", "loop_id": "c.loop_id", "account_id": "c.account_id"})
    if by_flow:
        picked = _FIRST_OPEN.replace("{scope}", "t.{task.flow_definition} = %(flow)s")
    else:
        first_open = _FIRST_OPEN.replace("{scope}", "t.{task.workteam} = team.id")
        picked = _FIRST_OPEN_OF_TEAMS.replace("{first_open}", first_open)
    # The audit INSERT's own text holds no braces to format; {{ }} would be needed otherwise.
    claim_sql = _CLAIM.replace("{picked}", picked).replace("{audit}", audit_sql.replace("{", "{{").replace("}", "}}"))
    return _sql(claim_sql, claimable=rules.CLAIMABLE_STATE)


class Collision(Exception):
    """A parallel request of this reviewer took a task of the picked loop first: look again."""


def claim(
    user: AbstractBaseUser,
    now: dt.datetime,
    *,
    flow_id: int | None = None,
    team_ids: list[int] | None = None,
    ahead: bool = False,
) -> ReviewTask | None:
    """Lease the oldest open task of the flow (or of the teams), or return None; runs in the caller's transaction.

    `ahead`: claimed ahead of the task on the reviewer's screen (ReviewTask.claimed_ahead).

    The task comes back with its loop's name, input, version pin, account and template loaded: what
    the task page and the reviewer API read (review_ui.work, review_ui.grants), so nothing loads lazily.
    """
    params: dict[str, Any] = {
        "now": now,
        "worker": user.pk,
        "leased": TaskState.LEASED.value,
        "ahead": ahead,
        "flow": flow_id,
        "teams": list(team_ids or ()),
    } | _audit_params("ClaimTask", user, now, None)
    row = _fetch_one(_claim_sql(flow_id is not None), params)
    picked, task_id, loop_id, flow_def_id, team_id, lease_expires_at = row[:6]
    name, input_json, template_id, content, pin, loop_account_id = row[6:]
    if task_id is None:
        if picked:
            raise Collision
        return None
    task = _loaded(
        ReviewTask,
        id=task_id,
        human_loop_id=loop_id,
        flow_definition_id=flow_def_id,
        workteam_id=team_id,
        state=TaskState.LEASED,
        worker_id=user.pk,
        accepted_at=now,
        claimed_ahead=ahead,
        lease_expires_at=lease_expires_at,
    )
    task.worker = user
    task.human_loop = _loaded(
        HumanLoop,
        id=loop_id,
        flow_definition_id=flow_def_id,
        flow_version_id=pin,
        account_id=loop_account_id,
        name=name,
        input_json=json.loads(input_json),
        template_id=template_id,
    )
    task.human_loop.template = _loaded(TaskTemplate, id=template_id, content=content)
    return task


# --- Submit ---------------------------------------------------------------------------

# The lock flows.loops.lifecycle._lock_task_of takes: the task's loop, if this reviewer ever held a task of it.
_LOCK_LOOP_OF_TASK = """
SELECT l.{loop.id}, l.{loop.status}, l.{loop.expires_at}, l.{loop.account}, l.{loop.flow_definition},
       l.{loop.name}, l.{loop.created_at}, l.{loop.is_gold}, l.{loop.flow_version}
FROM {loop} l
WHERE l.{loop.id} = (SELECT {task.human_loop} FROM {task} WHERE {task.id} = %(task)s)
  AND EXISTS (
      SELECT 1 FROM {exclusion} e WHERE e.{exclusion.worker} = %(worker)s AND e.{exclusion.human_loop} = l.{loop.id}
  )
FOR NO KEY UPDATE OF l
"""

# Runs after the loop lock is held, so its snapshot (READ COMMITTED: taken when the statement
# starts) includes every answer committed to this loop before ours: the counts are current.
# The WHERE is rules.submit_refusal's happy path (the loop's half is checked by the caller), and
# the rounding rules.time_spent_seconds'.
_ANSWER = """
WITH answered AS (
    UPDATE {task} t
    SET {task.state} = %(submitted)s, {task.answer} = CAST(%(answer)s AS jsonb), {task.submitted_at} = %(now)s,
        {task.lease_expires_at} = NULL,
        {task.time_spent_seconds} = round(extract(epoch FROM %(now)s - t.{task.accepted_at})::numeric, 3)
    WHERE t.{task.id} = %(task)s AND t.{task.human_loop} = %(loop)s AND t.{task.state} = %(leased)s
      AND t.{task.worker} = %(worker)s AND t.{task.lease_expires_at} > %(now)s
    RETURNING t.{task.id} AS id, t.{task.time_spent_seconds} AS time_spent_seconds
), audited AS (
    {audit}
)
SELECT a.time_spent_seconds,
       (SELECT count(*) FROM {task} s WHERE s.{task.human_loop} = %(loop)s AND s.{task.state} = %(submitted)s),
       (SELECT count(*) FROM {task} s WHERE s.{task.human_loop} = %(loop)s AND s.{task.state} = %(leased)s),
       EXISTS (SELECT 1 FROM {outbox} o WHERE o.{outbox.human_loop} = %(loop)s)
FROM answered a
"""


@functools.cache
def _lock_sql() -> str:
    return _sql(_LOCK_LOOP_OF_TASK)


@functools.cache
def _answer_sql() -> str:
    audit_sql = _audit_insert("answered a", {"task_id": "a.id", "loop_id": "CAST(%(loop)s AS bigint)"})
    escaped = audit_sql.replace("{", "{{").replace("}", "}}")
    return _sql(_ANSWER.replace("{audit}", escaped))


@dataclass(frozen=True)
class Answered:
    task: ReviewTask
    loop: HumanLoop  # locked, with its (cached) flow definition
    submitted: int  # the loop's submitted tasks, this one included
    leased: int  # the loop's leased tasks, this one no longer
    has_outbox: bool


def submit(user: AbstractBaseUser, task_id: int, answer: dict[str, Any], now: dt.datetime) -> Answered | None:
    """Store the answer if rules.submit_refusal allows it, in the caller's transaction; else change nothing.

    On None the caller asks rules.submit_refusal why (the loop lock, if this reviewer
    ever held a task of the loop, is then already held).
    """
    params: dict[str, Any] = {"task": task_id, "worker": user.pk}
    row = _fetch_one(_lock_sql(), params)
    if row is None:
        return None
    loop_id, status, expires_at, account_id, flow_id, name, created_at, is_gold, pin = row
    loop = _loaded(
        HumanLoop,
        id=loop_id,
        status=status,
        expires_at=expires_at,
        account_id=account_id,
        flow_definition_id=flow_id,
        flow_version_id=pin,  # what the finish reads its pinned settings by (versions.pinned_settings)
        name=name,
        created_at=created_at,
        is_gold=is_gold,
    )
    if loop.status not in HumanLoop.OPEN or rules.loop_past_lifetime(loop, now):
        return None
    params |= {
        "loop": loop_id,
        "now": now,
        "answer": _json(answer),
        "submitted": TaskState.SUBMITTED.value,
        "leased": TaskState.LEASED.value,
    } | _audit_params("SubmitTask", user, now, account_id)
    row = _fetch_one(_answer_sql(), params)
    if row is None:
        return None
    time_spent, submitted_before, leased_before, has_outbox = row
    flow = lookups.flow_by_id(flow_id)
    loop.flow_definition = flow
    task = _loaded(
        ReviewTask,
        id=task_id,
        human_loop_id=loop_id,
        flow_definition_id=flow_id,
        state=TaskState.SUBMITTED,
        worker_id=user.pk,
        submitted_at=now,
        time_spent_seconds=time_spent,
        answer=answer,
    )
    task.human_loop, task.flow_definition, task.worker = loop, flow, user
    # The statement's counts were taken before its own update.
    return Answered(task, loop, submitted_before + 1, leased_before - 1, has_outbox)


# --- Running them -----------------------------------------------------------------------


def _fetch_one(sql: str, params: dict[str, Any]) -> tuple | None:
    """Run a prepared statement in the current transaction and return its first row.

    Prepared once per connection (server-side binding, psycopg's prepare=True): these statements
    cost PostgreSQL about 0.5 ms each to plan, more than to run. Django's own cursors bind on the
    client and never prepare (its default), so this bypasses them; execute wrappers (query counting,
    instrumentation) still see the statement, and errors are Django's, as from the ORM.
    """
    connection.ensure_connection()
    with connection.wrap_database_errors, ServerBindingCursor(connection.connection) as cursor:

        def run(sql: str, params: Any, many: bool, context: dict) -> None:
            cursor.execute(sql, params, prepare=True)

        executor = run
        for wrapper in reversed(connection.execute_wrappers):
            executor = functools.partial(wrapper, executor)
        executor(sql, params, False, {"connection": connection, "cursor": cursor})
        return cursor.fetchone()


def _loaded(model: type[M], **values: Any) -> M:
    """An instance as the ORM would load it with only these columns (the others deferred)."""
    fields = [f.attname for f in model._meta.concrete_fields if f.attname in values]  # from_db wants model order
    return model.from_db(connection.alias, fields, [values[name] for name in fields])
