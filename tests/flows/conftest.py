"""Fixtures of the flows tests: a webhook receiver on 127.0.0.1."""

from __future__ import annotations

import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@pytest.fixture
def webhook_receiver():
    """Factory: webhook_receiver(status_of) -> (url, received); received gets (headers, body) per POST.

    `status_of(n)` is the status answered to the n-th POST (1-based); 200 by default.
    """
    servers = []

    def start(status_of: Callable[[int], int] = lambda n: 200) -> tuple[str, list]:
        received: list[tuple[dict, bytes]] = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                received.append((dict(self.headers), self.rfile.read(int(self.headers["Content-Length"]))))
                self.send_response(status_of(len(received)))
                self.end_headers()

            def log_message(self, *args):
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/hook", received

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()
