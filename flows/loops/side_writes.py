"""A second PostgreSQL connection whose writes commit with the caller's transaction: two-phase commit.

One backend runs one transaction, so a bulk import's loop rows and task rows were written
one after the other on one core. With a side transaction the import writes its task rows
on a second backend, beside the loop rows (flows.loops.bulk_direct), and both still commit or
neither does:

1. the side transaction writes, then `PREPARE TRANSACTION gid` makes it durable but pending;
2. the caller's transaction records the gid (a SideWriteDecision row) and commits: that commit is
   the decision, atomic with the loops;
3. after it, `COMMIT PREPARED gid` (transaction.on_commit), and the decision row is removed.

A process that dies between 1 and 3 leaves a prepared transaction: `settle` (the
settle-side-writes beat sweep) commits it when its decision row exists and rolls it back
when not ("presumed abort"), once it is older than any live import keeps one pending.
Between 2 and 3 the loops are visible without their tasks for a moment; nothing can be
lost, since the decision is already durable.

Needs the server's `max_prepared_transactions` above 0 (PostgreSQL's default is 0);
without a free slot `open_side` returns None and the caller writes on one connection.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import uuid

import psycopg
from django.db import connection, transaction

from flows.models import SideWriteDecision
from hitl.kernel import clock

logger = logging.getLogger(__name__)

GID_PREFIX = "hitl-side-"
_GID = re.compile(rf"^{GID_PREFIX}[0-9a-f]{{32}}$")
# A live caller keeps its side transaction prepared for milliseconds (its own commit); one older
# than this was left by a process that died.
SETTLE_AFTER = dt.timedelta(seconds=60)


class SideTransaction:
    """A transaction on its own connection to the caller's database, committed with the caller's."""

    def __init__(self, conn: psycopg.Connection) -> None:
        self.conn = conn
        self.gid = f"{GID_PREFIX}{uuid.uuid4().hex}"
        self.prepared = False

    def commit_with_caller(self) -> None:
        """Prepare, record the decision in the caller's transaction, and commit prepared after the caller commits."""
        self.conn.execute(f"PREPARE TRANSACTION '{self.gid}'")
        self.prepared = True
        SideWriteDecision.objects.create(gid=self.gid)
        transaction.on_commit(self._commit_prepared, robust=True)

    def abandon(self) -> None:
        """Undo what the side transaction wrote (before it is prepared) and close it."""
        if not self.prepared and not self.conn.closed:
            self.conn.rollback()
        self.conn.close()

    def _commit_prepared(self) -> None:
        # The decision is committed: from here on the tasks must land, now or by `settle`.
        try:
            self.conn.autocommit = True
            self.conn.execute(f"COMMIT PREPARED '{self.gid}'")
        finally:
            self.conn.close()
        SideWriteDecision.objects.filter(gid=self.gid).delete()


def open_side() -> SideTransaction | None:
    """A side transaction beside the caller's (PostgreSQL), or None when the server has no prepared-transaction slot free."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('max_prepared_transactions')::int - (SELECT count(*) FROM pg_prepared_xacts)"
        )
        (free,) = cursor.fetchone()
    if free < 1:
        return None
    return SideTransaction(psycopg.connect(**connection.get_connection_params()))


def settle(older_than: dt.timedelta = SETTLE_AFTER) -> int:
    """Commit or roll back the side transactions that dying processes left prepared; return how many.

    Committed when the caller's transaction had recorded its decision, rolled back when not.
    """
    if connection.vendor != "postgresql":
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT gid, prepared < now() - %s FROM pg_prepared_xacts WHERE database = current_database() "
            "AND gid LIKE %s",
            [older_than, GID_PREFIX + "%"],
        )
        prepared = {gid: old for gid, old in cursor.fetchall() if _GID.match(gid)}
    # A decision whose transaction is no longer prepared was carried out; only its row was left.
    stale = clock.now() - older_than
    SideWriteDecision.objects.filter(created_at__lt=stale).exclude(gid__in=list(prepared)).delete()
    left = [gid for gid, old in prepared.items() if old]
    if not left:
        return 0
    decided = set(SideWriteDecision.objects.filter(gid__in=left).values_list("gid", flat=True))
    with psycopg.connect(**connection.get_connection_params(), autocommit=True) as conn:
        for gid in left:
            outcome = "COMMIT" if gid in decided else "ROLLBACK"
            try:
                conn.execute(f"{outcome} PREPARED '{gid}'")
            except psycopg.errors.UndefinedObject:  # settled meanwhile by its own process or another sweep
                continue
            logger.warning("side transaction %s left prepared by a process that died: %s", gid, outcome.lower())
    SideWriteDecision.objects.filter(gid__in=left).delete()
    return len(left)
