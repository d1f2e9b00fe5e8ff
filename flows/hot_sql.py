"""The three hot paths, start, claim and submit, as written-out PostgreSQL statements.

StartHumanLoop is what inference code waits on; next task and submit are what
reviewers wait on all day. Written with the ORM, a start is two inserts, a
claim four statements (pick and lock a task, exclusion row, lease, audit row)
plus a payload query, and a submit six; the profile (bench/README.md) puts most
of their CPU in compiling those queries, not in running them. Here a start and
a claim are one statement each (data-modifying CTEs), and a submit two (lock
the loop; then answer, audit and count in one).

Same rules as the ORM versions in flows.lifecycle (start_human_loop,
_try_claim, submit_task), which stay the reference, serve SQLite, and give
every refusal its message: these statements only ever write the happy path,
and anything else falls back to the ORM version. The test suite runs both (on
SQLite and on PostgreSQL).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from dataclasses import dataclass
from typing import Any, TypeVar

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, models
from django.db.backends.postgresql.base import ServerBindingCursor

from flows import lookups
from flows.models import FlowDefinition, HumanLoop, ReviewTask, TaskTemplate
from hitl.request_context import get_request_id
from workforce.models import Account

M = TypeVar("M", bound=models.Model)

# A taken name inserts nothing (the partial unique index of live names), and then no tasks either.
_START = """
WITH loop AS (
    INSERT INTO flows_humanloop
        (account_id, flow_definition_id, template_id, name, input_content, input_json, data_attributes,
         activation_output, status, failure_reason, failure_code, created_at, expires_at, output_s3_uri)
    VALUES (%(account_id)s, %(flow_definition_id)s, %(template_id)s, %(name)s, %(input_content)s,
            %(input_json)s::jsonb, %(data_attributes)s::jsonb, %(activation_output)s::jsonb,
            %(status)s, %(failure_reason)s, %(failure_code)s, %(created_at)s, %(expires_at)s, %(output_s3_uri)s)
    ON CONFLICT (account_id, name) WHERE deleted_at IS NULL DO NOTHING
    RETURNING id
), tasks AS (
    INSERT INTO flows_reviewtask (human_loop_id, flow_definition_id, workteam_id, state, available_until, created_at)
    SELECT loop.id, %(flow_definition_id)s, %(workteam_id)s, 'open', %(expires_at)s, %(created_at)s
    FROM loop, generate_series(1, %(task_count)s)
)
SELECT id FROM loop
"""


def start(
    *,
    account: Account,
    flow: FlowDefinition,
    name: str,
    input_content: str,
    input_json: Any,
    data_attributes: dict[str, Any] | None,
    activation_output: dict[str, Any] | None,
    now: dt.datetime,
) -> HumanLoop | None:
    """Insert the loop and its TaskCount open tasks in the caller's transaction; None if the name is taken."""
    values = {
        "account_id": account.id,
        "flow_definition_id": flow.id,
        "template_id": flow.template_id,
        "name": name,
        "input_content": input_content,
        "input_json": input_json,
        "data_attributes": data_attributes,
        "activation_output": activation_output,
        "status": HumanLoop.Status.IN_PROGRESS,
        "failure_reason": "",
        "failure_code": "",
        "created_at": now,
        "expires_at": now + dt.timedelta(seconds=flow.task_availability_lifetime_seconds),
        "finished_at": None,
        "output_s3_uri": "",
        "deleted_at": None,
    }
    documents = {key: _json(values[key]) for key in ("input_json", "data_attributes", "activation_output")}
    params = values | documents | {"workteam_id": flow.workteam_id, "task_count": flow.task_count}
    row = _fetch_one(_START, params)
    if row is None:
        return None
    loop = _loaded(HumanLoop, id=row[0], **values)
    loop.flow_definition = flow
    return loop


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value)


# {scope} narrows the candidates to one flow or to the reviewer's teams.
_CLAIM = """
WITH picked AS (
    SELECT t.id, t.human_loop_id, t.flow_definition_id
    FROM flows_reviewtask t
    WHERE t.state = 'open' AND t.available_until > %(now)s AND {scope}
      AND NOT EXISTS (
          SELECT 1 FROM flows_taskexclusion e WHERE e.worker_id = %(worker)s AND e.human_loop_id = t.human_loop_id
      )
    ORDER BY t.id
    LIMIT 1
    FOR UPDATE OF t SKIP LOCKED
), excluded AS (
    -- The exclusion row's unique constraint guarantees one task per reviewer per loop,
    -- even for two parallel requests of one reviewer: the loser inserts nothing and claims nothing.
    INSERT INTO flows_taskexclusion (human_loop_id, worker_id)
    SELECT human_loop_id, %(worker)s FROM picked
    ON CONFLICT (worker_id, human_loop_id) DO NOTHING
    RETURNING human_loop_id
), claimed AS (
    UPDATE flows_reviewtask t
    SET state = 'leased', worker_id = %(worker)s, accepted_at = %(now)s,
        lease_expires_at = %(now)s + f.task_time_limit_seconds * interval '1 second'
    FROM picked p
    JOIN excluded x ON x.human_loop_id = p.human_loop_id
    JOIN flows_flowdefinition f ON f.id = p.flow_definition_id
    WHERE t.id = p.id
    RETURNING t.id, t.human_loop_id, t.flow_definition_id, t.workteam_id, t.lease_expires_at, f.account_id
), audited AS (
    -- The row workforce.audit.record_task writes for the ORM version.
    INSERT INTO workforce_auditrecord
        (created_at, kind, request_id, account_id, actor, access_key_id, operation, resource, result, details)
    SELECT %(now)s, 'task', %(request_id)s, c.account_id, %(actor)s, '', 'ClaimTask',
           'review-task/' || c.id || ' human-loop/' || c.human_loop_id, 'OK', '{{}}'::jsonb
    FROM claimed c
)
SELECT (SELECT count(*) FROM picked), c.id, c.human_loop_id, c.flow_definition_id, c.workteam_id,
       c.lease_expires_at, l.name, l.input_json::text, l.template_id, tpl.content
FROM (SELECT 1) AS one
LEFT JOIN claimed c ON true
LEFT JOIN flows_humanloop l ON l.id = c.human_loop_id
LEFT JOIN flows_tasktemplate tpl ON tpl.id = l.template_id
"""
_BY_FLOW = _CLAIM.format(scope="t.flow_definition_id = %(flow)s")
_BY_TEAMS = _CLAIM.format(scope="t.workteam_id = ANY(%(teams)s)")


class Collision(Exception):
    """A parallel request of this reviewer took a task of the picked loop first: look again."""


def claim(
    user: AbstractBaseUser, now: dt.datetime, *, flow_id: int | None = None, team_ids: list[int] | None = None
) -> ReviewTask | None:
    """Lease the oldest open task of the flow (or of the teams), or return None; runs in the caller's transaction.

    The task comes back with its loop's name and input and the loop's template loaded.
    """
    params: dict[str, Any] = {
        "now": now,
        "worker": user.pk,
        "actor": user.get_username(),
        "request_id": get_request_id(),
        "flow": flow_id,
        "teams": list(team_ids or ()),
    }
    picked, task_id, loop_id, flow_def_id, team_id, lease_expires_at, name, input_json, template_id, content = (
        _fetch_one(_BY_FLOW if flow_id is not None else _BY_TEAMS, params)
    )
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
        state=ReviewTask.State.LEASED,
        worker_id=user.pk,
        accepted_at=now,
        lease_expires_at=lease_expires_at,
    )
    task.worker = user
    task.human_loop = _loaded(
        HumanLoop, id=loop_id, name=name, input_json=json.loads(input_json), template_id=template_id
    )
    task.human_loop.template = _loaded(TaskTemplate, id=template_id, content=content)
    return task


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


_LOCK_LOOP_OF_TASK = """
SELECT l.id, l.status, l.expires_at, l.account_id, l.flow_definition_id, l.name, l.created_at
FROM flows_humanloop l
WHERE l.id = (SELECT human_loop_id FROM flows_reviewtask WHERE id = %(task)s)
  AND EXISTS (SELECT 1 FROM flows_taskexclusion e WHERE e.worker_id = %(worker)s AND e.human_loop_id = l.id)
FOR NO KEY UPDATE OF l
"""

# Runs after the loop lock is held, so its snapshot (READ COMMITTED: taken when the statement
# starts) includes every answer committed to this loop before ours: the counts are current.
_ANSWER = """
WITH answered AS (
    UPDATE flows_reviewtask t
    SET state = 'submitted', answer = %(answer)s::jsonb, submitted_at = %(now)s, lease_expires_at = NULL,
        time_spent_seconds = round(extract(epoch FROM %(now)s - t.accepted_at)::numeric, 3)
    WHERE t.id = %(task)s AND t.human_loop_id = %(loop)s AND t.state = 'leased' AND t.worker_id = %(worker)s
      AND t.lease_expires_at > %(now)s
    RETURNING t.id, t.time_spent_seconds
), audited AS (
    -- The row workforce.audit.record_task writes for the ORM version.
    INSERT INTO workforce_auditrecord
        (created_at, kind, request_id, account_id, actor, access_key_id, operation, resource, result, details)
    SELECT %(now)s, 'task', %(request_id)s, %(account)s, %(actor)s, '', 'SubmitTask',
           'review-task/' || a.id || ' human-loop/' || %(loop)s, 'OK', '{}'::jsonb
    FROM answered a
)
SELECT a.time_spent_seconds,
       (SELECT count(*) FROM flows_reviewtask s WHERE s.human_loop_id = %(loop)s AND s.state = 'submitted'),
       (SELECT count(*) FROM flows_reviewtask s WHERE s.human_loop_id = %(loop)s AND s.state = 'leased'),
       EXISTS (SELECT 1 FROM flows_outputoutbox o WHERE o.human_loop_id = %(loop)s)
FROM answered a
"""


@dataclass(frozen=True)
class Answered:
    task: ReviewTask
    loop: HumanLoop  # locked, with its (cached) flow definition
    submitted: int  # the loop's submitted tasks, this one included
    leased: int  # the loop's leased tasks, this one no longer
    has_outbox: bool


def submit(user: AbstractBaseUser, task_id: int, answer: dict[str, Any], now: dt.datetime) -> Answered | None:
    """Store the answer if everything is in order, in the caller's transaction; else change nothing, return None.

    In order: the reviewer holds an unexpired lease on the task, and its loop is open (InProgress
    within its lifetime, or Stopping). On None the caller runs the ORM version, which says why not.
    """
    params: dict[str, Any] = {"task": task_id, "worker": user.pk}
    row = _fetch_one(_LOCK_LOOP_OF_TASK, params)
    if row is None:
        return None
    loop_id, status, expires_at, account_id, flow_id, name, created_at = row
    if status not in HumanLoop.OPEN or (status == HumanLoop.Status.IN_PROGRESS and expires_at <= now):
        return None
    params |= {
        "loop": loop_id,
        "now": now,
        "answer": _json(answer),
        "account": account_id,
        "actor": user.get_username(),
        "request_id": get_request_id(),
    }
    row = _fetch_one(_ANSWER, params)
    if row is None:
        return None
    time_spent, submitted_before, leased_before, has_outbox = row
    flow = lookups.flow_by_id(flow_id)
    loop = _loaded(
        HumanLoop,
        id=loop_id,
        status=status,
        expires_at=expires_at,
        account_id=account_id,
        flow_definition_id=flow_id,
        name=name,
        created_at=created_at,
    )
    loop.flow_definition = flow
    task = _loaded(
        ReviewTask,
        id=task_id,
        human_loop_id=loop_id,
        flow_definition_id=flow_id,
        state=ReviewTask.State.SUBMITTED,
        worker_id=user.pk,
        submitted_at=now,
        time_spent_seconds=time_spent,
        answer=answer,
    )
    task.human_loop, task.flow_definition, task.worker = loop, flow, user
    # The statement's counts were taken before its own update.
    return Answered(task, loop, submitted_before + 1, leased_before - 1, has_outbox)
