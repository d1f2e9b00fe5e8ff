"""Django's PostgreSQL backend with a cheaper health check and pooler detection.

Health check. With CONN_HEALTH_CHECKS, Django runs `SELECT 1` before the
first query of every request on a persistent connection: a round trip plus a
parse and plan on the server, about a millisecond per request here
(bench/README.md). An idle connection that is still good has nothing to read;
one the server closed (restart, pg_terminate_backend, idle timeout) has its
EOF waiting. So the socket is polled first, and `SELECT 1` runs only when
something is there.

Pooler detection. Behind a transaction-mode pooler (PgBouncer), consecutive
transactions of one client connection may run on different server sessions,
so session state does not carry over: a statement prepared in one transaction
is missing in the next (or already exists under the same name, prepared by
another client), and a server-side cursor held across transactions is gone.
Each new connection asks the server which client address and port it sees
(one query per connection, not per request); when they are not this socket's
own, something sits in between. Then, unless HITL_DB_PREPARED_STATEMENTS=true
says the pooler keeps prepared statements (PgBouncer >= 1.21 with
max_prepared_statements > 0), the hot-path statements are not prepared, and
Django's server-side cursors are turned off either way.
"""

from __future__ import annotations

import logging
import os
import select
import socket
from typing import Any

from django.conf import settings
from django.db.backends.postgresql import base

logger = logging.getLogger(__name__)

_PEER_AS_SERVER_SEES_IT = "SELECT inet_client_addr()::text, inet_client_port()"


class DatabaseWrapper(base.DatabaseWrapper):
    # Set for each new connection: True when a pooler or proxy sits between this process and PostgreSQL.
    behind_pooler: bool = False

    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        connection = super().get_new_connection(conn_params)
        self.behind_pooler = _behind_pooler(connection)
        if self.behind_pooler:
            self.settings_dict["DISABLE_SERVER_SIDE_CURSORS"] = True
            if settings.HITL_DB_PREPARED_STATEMENTS == "auto":
                connection.prepare_threshold = None  # psycopg then prepares nothing, prepare=True included
        return connection

    def is_usable(self) -> bool:
        if self.connection is None or self.connection.closed:
            return False
        try:
            readable, _, _ = select.select([self.connection.fileno()], [], [], 0)
        except (OSError, ValueError):
            return False
        # Readable while idle: closed by the server, or a notice: let the real check decide.
        return super().is_usable() if readable else True


def _behind_pooler(connection: Any) -> bool:
    """True when the server's view of its client is not this connection's own socket."""
    with connection.cursor() as cursor:
        cursor.execute(_PEER_AS_SERVER_SEES_IT)
        seen_addr, seen_port = cursor.fetchone()
    if not connection.autocommit:
        connection.rollback()  # leave no transaction open behind Django's back
    with socket.socket(fileno=os.dup(connection.fileno())) as sock:  # a duplicate: closing it keeps ours
        local = sock.getsockname()
    # A Unix socket on our side: direct when the server sees a Unix socket too (no address).
    own_port = local[1] if isinstance(local, tuple) else None
    behind = seen_port != own_port
    if behind:
        logger.info(
            "PostgreSQL sees this connection from %s:%s, not from its own port %s: a pooler or proxy is in between; "
            "server-side cursors off, hot-path prepared statements %s",
            seen_addr,
            seen_port,
            own_port,
            "kept (HITL_DB_PREPARED_STATEMENTS=true)" if settings.HITL_DB_PREPARED_STATEMENTS == "true" else "off",
        )
    return behind
