"""Django's PostgreSQL backend with a health check that costs no round trip.

With CONN_HEALTH_CHECKS, Django runs `SELECT 1` before the first query of
every request on a persistent connection: a round trip plus a parse and plan
on the server, about a millisecond per request here (bench/README.md). An
idle connection that is still good has nothing to read; one the server closed
(restart, pg_terminate_backend, idle timeout) has its EOF waiting. So the
socket is polled first, and `SELECT 1` runs only when something is there.
"""

from __future__ import annotations

import select

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        if self.connection is None or self.connection.closed:
            return False
        try:
            readable, _, _ = select.select([self.connection.fileno()], [], [], 0)
        except (OSError, ValueError):
            return False
        # Readable while idle: closed by the server, or a notice: let the real check decide.
        return super().is_usable() if readable else True
