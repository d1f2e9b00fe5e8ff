"""A persistent PostgreSQL connection the server dropped is replaced before a request uses it."""

from __future__ import annotations

import select
import time

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def postgres():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only (the embedded SQLite has no server to lose)")
    connection.ensure_connection()
    return connection


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def test_a_terminated_connection_is_replaced_at_the_next_request(postgres):
    import psycopg

    pid = _backend_pid()
    # As a server restart or an idle timeout would: another session ends ours.
    with psycopg.connect(**postgres.get_connection_params(), autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
    deadline = time.monotonic() + 5
    while not select.select([postgres.connection.fileno()], [], [], 0.05)[0] and time.monotonic() < deadline:
        pass

    assert postgres.is_usable() is False
    postgres.health_check_done = False  # what Django resets when a request starts
    assert _backend_pid() != pid  # the health check reconnected; the query did not fail


def test_a_healthy_idle_connection_passes_without_a_round_trip(postgres):
    pid = _backend_pid()
    sent = []
    real_cursor = postgres.connection.cursor

    def counting_cursor(*args, **kwargs):
        sent.append(args)
        return real_cursor(*args, **kwargs)

    postgres.connection.cursor = counting_cursor
    try:
        assert postgres.is_usable() is True
    finally:
        postgres.connection.cursor = real_cursor
    assert sent == []  # no SELECT 1
    assert _backend_pid() == pid


def test_the_hot_path_statements_are_prepared_once_per_connection(postgres):
    from flows.loops import lifecycle
    from tests import factories as f

    acct = f.account()
    reviewer = f.user("prepared")
    flow = f.flow_definition(acct, f.workteam(acct, members=[reviewer]))
    for n in range(3):
        f.human_loop(flow, name=f"prep-{n}")

    def prepared_claims() -> int:
        with postgres.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE '%%WITH picked AS%%'")
            return cursor.fetchone()[0]

    postgres.close()  # a fresh session: nothing prepared on it yet
    assert prepared_claims() == 0
    claimed = [lifecycle.claim_next_task(reviewer, flow=flow) for _ in range(3)]
    assert None not in claimed
    assert prepared_claims() == 1  # prepared by the first claim, reused by the next two


@pytest.mark.parametrize(
    ("raw", "expected"), [(None, "auto"), ("auto", "auto"), ("TRUE", "true"), ("1", "true"), ("off", "false")]
)
def test_the_prepared_statements_setting_reads_auto_true_or_false(monkeypatch, raw, expected):
    from hitl.settings import env_choice

    if raw is None:
        monkeypatch.delenv("HITL_DB_PREPARED_STATEMENTS", raising=False)
    else:
        monkeypatch.setenv("HITL_DB_PREPARED_STATEMENTS", raw)
    assert env_choice("HITL_DB_PREPARED_STATEMENTS", "auto", ("auto", "true", "false")) == expected


def test_a_wrong_prepared_statements_value_names_the_variable_and_the_choices(monkeypatch):
    from hitl.settings import env_choice

    monkeypatch.setenv("HITL_DB_PREPARED_STATEMENTS", "sometimes")
    with pytest.raises(ValueError, match="HITL_DB_PREPARED_STATEMENTS must be one of auto, true, false"):
        env_choice("HITL_DB_PREPARED_STATEMENTS", "auto", ("auto", "true", "false"))
