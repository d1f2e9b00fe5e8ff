"""The Celery worker's consumer (CELERY_WORKER_CONSUMER): back on the broker within a second of its return.

Celery's consumer reconnects with kombu's default back-off, 2, 4, 6 ... 30 s between tries, and
no setting changes it (the broker transport options' intervals only reach kombu's publish path).
After a 30 s Redis outage its next try came up to 12 s after Redis was back; the outputs whose
enqueue failed meanwhile then waited for the worker, for the next 5 s tick of the outbox sweep,
and then behind everything the web processes queued in between
(tests/integration/test_faults_under_load.py saw them land 30-32 s after the outage). So the
worker tries every second (a refused connection costs nothing), and each time it has connected
it sends the tasks of HITL_TASKS_ON_BROKER_CONNECT (the outbox sweep) at once.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

from celery.worker.consumer import Consumer as CeleryConsumer
from django.conf import settings

logger = logging.getLogger(__name__)

RECONNECT_INTERVAL_SECONDS = 1.0


class Consumer(CeleryConsumer):
    """Celery's consumer, retrying a lost broker every RECONNECT_INTERVAL_SECONDS, then sending the on-connect tasks."""

    def connect(self) -> Any:
        connection = super().connect()
        for name in settings.HITL_TASKS_ON_BROKER_CONNECT:
            try:
                self.app.send_task(name)
            except Exception:  # the broker went away again: the beat schedule still sends it
                logger.warning("could not send %s after connecting to the broker", name, exc_info=True)
        return connection

    def ensure_connected(self, conn: Any) -> Any:
        # Celery calls conn.ensure_connection(errback, max_retries, callback=...) with kombu's
        # default intervals; fix them on this connection (a new one is made for each reconnect).
        conn.ensure_connection = functools.partial(
            conn.ensure_connection,
            interval_start=RECONNECT_INTERVAL_SECONDS,
            interval_step=0,
            interval_max=RECONNECT_INTERVAL_SECONDS,
        )
        return super().ensure_connected(conn)
