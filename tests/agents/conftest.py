"""Fixtures for the AI-agent surface: the ASGI events process in-process, a tool-review flow, a reviewer.

The events app (agents/asgi.py) runs under a real uvicorn server in a thread of the test process, so it
shares the live server's test database; the API and the portal stay on `live_server`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests

from hitl_agents import HitlReviews, tool_review_template
from tests import factories as f
from tests.protocol.conftest import REGION, AwsAccount, aws_account, make_account  # noqa: F401


@pytest.fixture
def events_url(live_server):
    """The events app under uvicorn; its worker threads close their connections after each call.

    (In production they keep them for CONN_MAX_AGE; here the test database must be droppable at the end.)
    """
    import uvicorn
    from django.db import connections

    from agents.asgi import application

    database = connections.settings["default"]
    persistent, database["CONN_MAX_AGE"] = database["CONN_MAX_AGE"], 0
    # An open event stream is ended a second after shutdown (a client may still hold one).
    config = uvicorn.Config(
        application, host="127.0.0.1", port=0, log_level="warning", lifespan="on", timeout_graceful_shutdown=1
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60  # importing the MCP SDK is slow on a busy machine
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(5)
    time.sleep(0.2)  # the idle watcher closes its connection within a tick
    database["CONN_MAX_AGE"] = persistent


@dataclass
class ToolReviewSetup:
    aws: AwsAccount
    reviewer: Any
    flow: Any
    token: str
    base_url: str
    clients: list = field(default_factory=list)

    @property
    def flow_arn(self) -> str:
        return f.flow_arn(self.flow)

    def reviews(self, events_url: str, **overrides: Any) -> HitlReviews:
        """A client of the flow, closed when the test ends (with its event stream, if any)."""
        client = HitlReviews(
            self.flow_arn,
            endpoint_url=self.aws.endpoint_url,
            events_url=events_url,
            region_name=REGION,
            aws_access_key_id=self.aws.access_key_id,
            aws_secret_access_key=self.aws.secret_access_key,
            **overrides,
        )
        self.clients.append(client)
        return client

    def next_task(self, timeout: float = 15.0) -> dict:
        """Claim the next task through the reviewer API, waiting until one is there."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            response = requests.get(
                f"{self.base_url}/portal/api/tasks/next", headers={"Authorization": f"Token {self.token}"}, timeout=10
            )
            if response.status_code == 200:
                return response.json()
            assert response.status_code == 204, response.text
            time.sleep(0.05)
        raise AssertionError("no task arrived")

    def submit(self, task_id: int, answer: dict) -> None:
        response = requests.post(
            f"{self.base_url}/portal/api/tasks/{task_id}/submit",
            json={"answerContent": answer},
            headers={"Authorization": f"Token {self.token}"},
            timeout=10,
        )
        assert response.status_code == 200, response.text


@pytest.fixture
def tool_review(aws_account, live_server) -> Iterator[ToolReviewSetup]:  # noqa: F811
    reviewer = f.user("rita", password="correct horse battery")
    team = f.workteam(aws_account.account, members=[reviewer], name="agent-reviewers")
    ui = f.human_task_ui(aws_account.account, content=tool_review_template(), name="tool-call-review")
    flow = f.flow_definition(
        aws_account.account, team, ui, name="agent-actions", task_title="Approve the agent's tool calls"
    )
    setup = ToolReviewSetup(
        aws=aws_account, reviewer=reviewer, flow=flow, token=f.worker_token(reviewer), base_url=live_server.url
    )
    yield setup
    for client in setup.clients:
        client.close()
