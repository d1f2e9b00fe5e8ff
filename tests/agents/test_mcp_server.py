"""The MCP server through the official SDK's client: over streamable HTTP (the events app) and over stdio."""

from __future__ import annotations

import asyncio
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from flows.models import HumanLoop

APPROVE = {"decisions": [{"type": "approve"}]}
ROOT = Path(__file__).resolve().parents[2]


async def _call_http(url: str, authorization: str, calls: list[tuple[str, dict]]) -> list[Any]:
    import httpx2
    from mcp import Client
    from mcp.client.streamable_http import streamable_http_client

    async with httpx2.AsyncClient(headers={"Authorization": authorization}, timeout=60) as http:
        async with Client(streamable_http_client(url + "/mcp", http_client=http)) as client:
            tools = sorted(tool.name for tool in (await client.list_tools()).tools)
            assert tools == ["ask_human", "get_review", "request_approval"]
            return [(await client.call_tool(name, args)).structured_content for name, args in calls]


def run_async(coro) -> Any:
    """asyncio.run in a thread of its own: the browser tests' Playwright keeps a loop running in this one."""
    result: list = []
    thread = threading.Thread(target=lambda: result.append(asyncio.run(coro)))
    thread.start()
    thread.join(120)
    assert result, "the MCP client call did not finish"
    return result[0]


def call_http(setup, events_url: str, *calls: tuple[str, dict]) -> list[Any]:
    authorization = f"Bearer {setup.aws.access_key_id}:{setup.aws.secret_access_key}"
    return run_async(_call_http(events_url, authorization, list(calls)))


def answer_in_background(setup, answer: dict, delay: float = 1.0) -> threading.Thread:
    """Answer the next task after `delay`, while the MCP call is already waiting.

    (SQLite's shared in-memory test database refuses a read that meets a write; the waiting itself
    tolerates that, the call's first read would not.)
    """

    def work():
        time.sleep(delay)
        task = setup.next_task()
        setup.submit(task["taskId"], answer)

    thread = threading.Thread(target=work)
    thread.start()
    return thread


def test_request_approval_over_http_returns_a_handle_then_the_decision(tool_review, events_url):
    (pending,) = call_http(
        tool_review,
        events_url,
        ("request_approval", {"tool_name": "refund", "arguments": {"order": "A-17"}, "review_id": "r-1",
                              "description": "Refund A-17", "flow_definition": "agent-actions", "wait_seconds": 0}),
    )  # fmt: skip
    assert pending["status"] == "pending"
    name = pending["human_loop_name"]
    assert pending["review_url"].endswith("/portal/")
    loop = HumanLoop.objects.get(name=name)
    assert loop.input_json["action_requests"] == [
        {"name": "refund", "args": {"order": "A-17"}, "description": "Refund A-17"}
    ]

    (again,) = call_http(tool_review, events_url, ("request_approval", {
        "tool_name": "refund", "arguments": {"order": "A-17"}, "review_id": "r-1", "description": "Refund A-17",
        "flow_definition": "agent-actions", "wait_seconds": 0}))  # fmt: skip
    assert again["human_loop_name"] == name  # the same review, not a second one

    reviewer = answer_in_background(tool_review, APPROVE)
    (decided,) = call_http(tool_review, events_url, ("get_review", {"human_loop_name": name, "wait_seconds": 20}))
    reviewer.join()
    assert decided["status"] == "decided" and decided["decision"] == APPROVE and decided["human_loop_name"] == name
    assert decided["human_loop_status"] in ("InProgress", "Completed")  # decided before output.json is written
    assert HumanLoop.objects.count() == 1


def test_ask_human_gets_the_reviewer_s_answer(tool_review, events_url):
    ask = ("ask_human", {"question": "Which address?", "review_id": "q-1", "flow_definition": "agent-actions",
                         "wait_seconds": 0})  # fmt: skip
    (pending,) = call_http(tool_review, events_url, ask)
    assert pending["status"] == "pending"

    # A get_review call that is waiting when the reviewer answers returns the decision in the same call.
    reviewer = answer_in_background(
        tool_review, {"decisions": [{"type": "respond", "message": "Use the Berlin address."}]}
    )
    (decided,) = call_http(
        tool_review, events_url, ("get_review", {"human_loop_name": pending["human_loop_name"], "wait_seconds": 20})
    )
    reviewer.join()
    assert decided["status"] == "decided"
    (answered,) = call_http(tool_review, events_url, ask)
    assert answered["answer"] == "Use the Berlin address."


def test_an_unknown_flow_is_refused_with_the_api_s_error(tool_review, events_url):
    (refused,) = call_http(
        tool_review,
        events_url,
        ("request_approval", {"tool_name": "x", "arguments": {}, "review_id": "r-2", "flow_definition": "nope"}),
    )
    assert refused["status"] == "refused"
    assert "nope" in refused["message"]


def test_the_http_endpoint_needs_a_hitl_access_key(tool_review, events_url):
    response = httpx.post(events_url + "/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"})
    assert response.status_code == 401
    wrong = httpx.post(
        events_url + "/mcp",
        json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
        headers={"Authorization": f"Bearer {tool_review.aws.access_key_id}:wrong-secret"},
    )
    assert wrong.status_code == 401


async def _call_stdio(env: dict, key_id: str, calls: list[tuple[str, dict]]) -> list[Any]:
    from mcp import Client
    from mcp.client.stdio import StdioServerParameters

    params = StdioServerParameters(
        command=sys.executable,
        args=[str(ROOT / "manage.py"), "mcp_stdio", "--access-key-id", key_id],
        env=env,
        cwd=str(ROOT),
    )
    async with Client(params) as client:
        return [(await client.call_tool(name, args)).structured_content for name, args in calls]


def test_request_approval_over_stdio(tool_review, settings):
    from django.db import connection

    db = settings.DATABASES["default"]
    if connection.vendor != "postgresql":
        pytest.skip("the stdio server is another process: it needs the PostgreSQL test database")
    url = f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    env = {**os.environ, "DATABASE_URL": url, "HITL_LOG_LEVEL": "ERROR"}
    key_id = tool_review.aws.access_key_id
    call = ("request_approval", {"tool_name": "refund", "arguments": {"order": "B-2"}, "review_id": "s-1",
                                 "flow_definition": "agent-actions", "wait_seconds": 0})  # fmt: skip
    (pending,) = run_async(_call_stdio(env, key_id, [call]))
    assert pending["status"] == "pending"
    task = tool_review.next_task()
    assert task["humanLoopName"] == pending["human_loop_name"]
    tool_review.submit(task["taskId"], APPROVE)
    (decided,) = run_async(
        _call_stdio(env, key_id, [("get_review", {"human_loop_name": pending["human_loop_name"], "wait_seconds": 10})])
    )
    assert decided["status"] == "decided" and decided["decision"] == APPROVE
