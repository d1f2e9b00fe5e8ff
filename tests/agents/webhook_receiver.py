"""A real HTTP webhook endpoint on 127.0.0.1 that hands each POST to a callback."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class WebhookReceiver:
    def __init__(self, callback: Callable[[bytes, dict], Any]) -> None:
        self.callback = callback
        self.received: list[bytes] = []
        self.errors: list[BaseException] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                try:
                    receiver.callback(body, dict(self.headers.items()))
                    receiver.received.append(body)
                    self.send_response(204)
                except BaseException as exc:  # the test reports it
                    receiver.errors.append(exc)
                    self.send_response(500)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/hitl"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> WebhookReceiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()

    def wait_for(self, count: int, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            if self.errors:
                raise self.errors[0]
            time.sleep(0.05)
        if self.errors:
            raise self.errors[0]
        assert len(self.received) >= count, f"{len(self.received)} webhooks received"
