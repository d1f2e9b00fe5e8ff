"""Wait for many reviews on one server-sent-events connection (GET /hitl/v1/status-events).

An agent runtime with many open reviews holds one stream of its account's status
events instead of one long poll per review. A background thread reads the stream,
reconnects with Last-Event-ID when the server closes it (HITL_EVENT_STREAM_SECONDS),
and hands each terminal event to the wait registered for its loop. It stops when
no wait is registered and the stream ends, and starts again with the next wait.

When the stream cannot be opened (an older server, a proxy that does not route or
buffers it) `failed` is set and HitlReviews falls back to long polling.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx

logger = logging.getLogger(__name__)

EVENTS_PATH = "/hitl/v1/status-events"
CONNECT_TIMEOUT = 10.0
RECONNECT_PAUSE = 0.5


class StreamUnavailable(Exception):
    """The status-event stream could not be opened; wait by long polling instead."""


class StatusEventStream:
    """One status-event stream shared by every wait of a HitlReviews client."""

    def __init__(self, url: str, sign: Callable[[str], dict[str, str]]) -> None:
        self.url = url.rstrip("/") + EVENTS_PATH
        self._sign = sign  # url -> signed headers (SigV4)
        self._lock = threading.Condition()
        self._waiting: dict[str, dict[str, Any] | None] = {}  # loop name -> its event detail once it arrived
        self._thread: threading.Thread | None = None
        self._connected = False
        self.failed: str | None = None  # why the stream is unusable; None while it works
        self.last_event_id: int | None = None
        self.events_seen = 0
        self._closed = False
        self._response: httpx.Response | None = None

    def register(self, name: str) -> None:
        """Start collecting the terminal event of loop `name`; returns once the stream is open.

        Register before looking at the loop's state: an event after that look is then never missed.
        Raises StreamUnavailable when the stream cannot be opened.
        """
        with self._lock:
            if self.failed:
                raise StreamUnavailable(self.failed)
            self._waiting.setdefault(name, None)
            if self._thread is None or not self._thread.is_alive():
                self._connected = False
                self._thread = threading.Thread(target=self._run, name="hitl-status-events", daemon=True)
                self._thread.start()
            deadline = time.monotonic() + CONNECT_TIMEOUT
            while not self._connected and not self.failed and time.monotonic() < deadline:
                self._lock.wait(deadline - time.monotonic())
            if self.failed or not self._connected:
                self._waiting.pop(name, None)
                raise StreamUnavailable(self.failed or "the status-event stream did not open in time")

    def wait(self, name: str, timeout: float) -> dict[str, Any] | None:
        """Block up to `timeout` s for loop `name`'s terminal event; its detail, or None (StreamUnavailable)."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while self._waiting.get(name) is None:
                if self.failed:
                    raise StreamUnavailable(self.failed)
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self._lock.wait(left)
            return self._waiting[name]

    def forget(self, name: str) -> None:
        with self._lock:
            self._waiting.pop(name, None)

    def close(self) -> None:
        """Close the stream now; waits still registered fall back to long polling."""
        with self._lock:
            self._closed = True
            self.failed = self.failed or "the client was closed"
            response = self._response
            self._lock.notify_all()
        if response is not None:
            response.close()

    def _run(self) -> None:
        with httpx.Client(timeout=httpx.Timeout(CONNECT_TIMEOUT, read=60.0)) as http:
            while not self._closed:
                try:
                    self._read(http)
                except StreamUnavailable as exc:
                    self._fail(str(exc))
                    return
                except (httpx.HTTPError, httpx.StreamError) as exc:  # dropped: reconnect where it stopped
                    logger.info("status-event stream dropped (%s); reconnecting", exc)
                with self._lock:
                    self._connected = False
                    if not self._waiting or self._closed:
                        return
                time.sleep(RECONNECT_PAUSE)

    def _read(self, http: httpx.Client) -> None:
        url = self.url if self.last_event_id is None else f"{self.url}?after={self.last_event_id}"
        with http.stream("GET", url, headers=self._sign(url)) as response:
            self._response = response
            if response.status_code != 200 or not response.headers.get("content-type", "").startswith(
                "text/event-stream"
            ):
                response.read()
                code = response.headers.get("x-amzn-ErrorType", str(response.status_code))
                raise StreamUnavailable(f"GET {EVENTS_PATH} answered {code}")
            with self._lock:
                self._connected = True
                self._lock.notify_all()
            event_id, data = None, None
            for line in response.iter_lines():
                if line.startswith("id:"):
                    event_id = int(line[3:].strip())
                elif line.startswith("data:"):
                    data = line[5:].strip()
                elif line == "" and data is not None:
                    self._deliver(event_id, json.loads(data))
                    event_id, data = None, None
                elif line == "" and event_id is not None:  # the stream's position, sent first
                    with self._lock:
                        self.last_event_id = event_id
                    event_id = None

    def _deliver(self, event_id: int | None, event: dict[str, Any]) -> None:
        detail = event.get("detail") or {}
        with self._lock:
            if event_id is not None:
                self.last_event_id = event_id
            self.events_seen += 1
            name = detail.get("humanLoopName")
            if name in self._waiting:
                self._waiting[name] = detail
                self._lock.notify_all()

    def _fail(self, reason: str) -> None:
        logger.warning("status-event stream unavailable (%s); waiting by long polling", reason)
        with self._lock:
            self.failed = reason
            self._lock.notify_all()
