"""The events process: an ASGI app for waiting clients, everything else handed to Django.

Run it beside the sync web workers (docs/agents.md):

    uvicorn agents.asgi:application --host 0.0.0.0 --port 8001

and route `{HITL_API_PREFIX}/hitl/v1/` and `/mcp` to it. The two waiting endpoints
(agents/streams.py) are served here directly, not through Django's middleware
chain: Django runs sync-only middleware in one thread per process under ASGI, which
would queue every waiter behind the others. A first wait does its short database
work (SigV4 check with the cached key, DescribeHumanLoop, one read of "decided") in a
worker thread; a re-poll with its wait token is checked on the event loop itself (no
thread, no query: a waiter coming back is held again within a millisecond). Each then
waits on a future (agents/waiting.py), so a thousand waiters cost a thousand futures;
a woken waiter is described once, on threads of its own (ANSWERS) that never queue
behind arriving waiters. Any other path
(the MCP endpoint, the API, the portal) goes to the Django ASGI application.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
import os
import time
import uuid
from typing import Any
from urllib.parse import unquote

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hitl.settings")

from django.core.asgi import get_asgi_application  # noqa: E402

django_application = get_asgi_application()

from django.conf import settings  # noqa: E402
from django.core.handlers.asgi import ASGIRequest  # noqa: E402

from agents import streams  # noqa: E402
from agents.waiting import ANSWERS, WATCHER, in_thread  # noqa: E402
from hitl.aws import errors, sigv4  # noqa: E402
from hitl.aws.errors import AwsError  # noqa: E402
from hitl.kernel.errors import HitlError  # noqa: E402

logger = logging.getLogger(__name__)

Scope = dict[str, Any]


MCP_PATH = "/mcp"
_mcp_app: Any = None


def mcp_app() -> Any:
    """The MCP SDK's streamable-HTTP app (stateless: any events process can answer any call)."""
    global _mcp_app
    if _mcp_app is None:
        from mcp.server.transport_security import TransportSecuritySettings

        from agents.mcp_server import build_server

        # Host and Origin are checked by Django's ALLOWED_HOSTS rules in front (the proxy), not twice here.
        security = TransportSecuritySettings(enable_dns_rebinding_protection=False)
        _mcp_app = build_server().streamable_http_app(
            streamable_http_path=MCP_PATH, stateless_http=True, json_response=True, transport_security=security
        )
    return _mcp_app


async def application(scope: Scope, receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        # The MCP session manager runs for the life of the server (Django has no lifespan of its own);
        # a manager runs once, so each server start (tests start several per process) builds a new one.
        global _mcp_app
        _mcp_app = None
        await mcp_app()(scope, receive, send)
        return
    if scope["type"] == "http" and scope.get("path", "").rstrip("/") == MCP_PATH:
        await _serve_mcp(scope, receive, send)
        return
    if scope["type"] == "http":
        path = _api_path(scope.get("path", ""))
        if path is not None:
            match = streams.WAIT_PATH.match(path)
            if match and scope["method"] == "GET":
                await _serve(scope, receive, send, _wait, unquote(match["name"]))
                return
            if path == streams.EVENTS_PATH and scope["method"] == "GET":
                await _serve(scope, receive, send, _stream, None)
                return
    await django_application(scope, receive, send)


async def _serve_mcp(scope: Scope, receive: Any, send: Any) -> None:
    """Authenticate the bearer access key, then hand the request to the MCP SDK with it in context."""
    from agents.mcp_server import CURRENT_KEY, key_from_bearer

    header = next((v.decode("latin-1") for k, v in scope.get("headers", []) if k == b"authorization"), "")
    key = await in_thread(key_from_bearer)(header)
    if key is None:
        body = json.dumps(
            {"error": "unauthorized", "message": "Send Authorization: Bearer <hitl access key id>:<secret>."}
        ).encode()
        await _send(send, 401, [(b"content-type", b"application/json"), (b"www-authenticate", b"Bearer")], body)
        return
    token = CURRENT_KEY.set(key)
    try:
        await mcp_app()(scope, receive, send)
    finally:
        CURRENT_KEY.reset(token)


def _api_path(path: str) -> str | None:
    """The path below HITL_API_PREFIX, or None when it is not under it."""
    prefix = "/" + settings.HITL_API_PREFIX.strip("/") if settings.HITL_API_PREFIX.strip("/") else ""
    if prefix and not path.startswith(prefix + "/"):
        return None
    return path[len(prefix) :]


async def _serve(scope: Scope, receive: Any, send: Any, handler: Any, arg: Any) -> None:
    request_id = str(uuid.uuid4())
    body = await _read_body(receive)
    request = ASGIRequest(scope, io.BytesIO(body))
    query = sigv4.query_parameters(scope.get("query_string", b"").decode("latin-1"))
    query = {k: v for k, v in query.items() if k not in sigv4.QUERY_AUTH_PARAMETERS}
    try:
        await handler(request, query, request_id, arg, receive, send)
    except (AwsError, HitlError) as exc:
        await _send_response(send, errors.error_response(exc, errors.RUNTIME, request_id))
    except Exception as exc:
        logger.exception("unhandled error in events request %s", request_id)
        await _send_response(send, errors.error_response(exc, errors.RUNTIME, request_id))


async def _wait(request: ASGIRequest, query: dict, request_id: str, name: str, receive: Any, send: Any) -> None:
    arrived = time.time()
    wait = streams.wait_seconds(query)
    token = query.get("WaitToken")
    # A re-poll with its wait token is checked on the event loop itself (no thread hop, no database):
    # a thousand waiters coming back must each be registered again within milliseconds.
    looked = _look_from_token(request, request_id, name, token) if token else None
    if looked is None:
        looked = await in_thread(_authorize_and_look)(request, request_id, name, token)
    context, state = looked
    headers = [(b"content-type", b"application/json"), (b"x-amzn-requestid", request_id.encode())]
    timing = [streams.arrival_timing(arrived, time.time())]
    if state.decided:
        state = await in_thread(streams.with_outcome, ANSWERS)(state)
    elif wait > 0 and (wake := await WATCHER.wait_for_loop(state.loop_id, streams.hold_seconds(wait))):
        # Woken only by a decision or a terminal status: describe it once, on the answering threads.
        state = await in_thread(streams.describe_woken, ANSWERS)(context, name, state.loop_id)
        timing.append(streams.server_timing(wake, time.time()))
    # Not woken: the loop is as it was when the wait began (any terminal change would have woken it).
    if not state.decided:
        state.output["HitlWaitToken"] = streams.issue_wait_token(context, state)
    headers.append((b"server-timing", ", ".join(timing).encode()))
    body = json.dumps(state.output, separators=(",", ":")).encode()
    await _send(send, 200, headers, body)


def _look_from_token(
    request: ASGIRequest, request_id: str, name: str, token: str
) -> tuple[Any, streams.LoopState] | None:
    """The caller and the loop's state from a wait token with no database call; None to take the thread path."""
    try:
        context = streams.authorize(request, request_id, "DescribeHumanLoop", cached_only=True)
    except sigv4.NeedsDatabase:
        return None
    return context, streams.state_from_wait_token(context, name, token)


def _authorize_and_look(
    request: ASGIRequest, request_id: str, name: str, token: str | None
) -> tuple[Any, streams.LoopState]:
    """One trip to a worker thread before a wait: the signature, then the loop's state.

    With a wait token from the previous wait, its state is taken from the token (no read:
    a decision since then is found by the watcher at its next tick); without, from
    DescribeHumanLoop and one read of "decided".
    """
    context = streams.authorize(request, request_id, "DescribeHumanLoop")
    if token:
        return context, streams.state_from_wait_token(context, name, token)
    return context, streams.wait_head(context, name)


async def _stream(request: ASGIRequest, query: dict, request_id: str, _: None, receive: Any, send: Any) -> None:
    context = await in_thread(streams.authorize)(request, request_id, "StatusEvents")
    after = await in_thread(streams.last_event_id)(request, query)
    headers = [
        (b"content-type", b"text/event-stream; charset=utf-8"),
        (b"cache-control", b"no-cache"),
        (b"x-accel-buffering", b"no"),  # nginx: pass each event through at once
        (b"x-amzn-requestid", request_id.encode()),
    ]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    disconnected = asyncio.ensure_future(_disconnect(receive))
    deadline = time.monotonic() + settings.HITL_EVENT_STREAM_SECONDS
    try:
        # The position first (an id without data: a client sets its Last-Event-ID and dispatches nothing),
        # so a reconnect before any event resumes here, not at the newest event of its reconnect time.
        start = f": hitl status events\nid: {after}\n\n".encode()
        await send({"type": "http.response.body", "body": start, "more_body": True})
        while not disconnected.done() and time.monotonic() < deadline:
            batch = await in_thread(streams.events_after)(context, after)
            for event_id, body in batch:
                await send(
                    {"type": "http.response.body", "body": streams.sse_message(event_id, body), "more_body": True}
                )
                after = event_id
            if len(batch) == streams.EVENT_BATCH:
                continue
            timeout = min(streams.HEARTBEAT_SECONDS, max(deadline - time.monotonic(), 0))
            waiter = asyncio.ensure_future(WATCHER.wait_for_event_after(after, timeout))
            await asyncio.wait({waiter, disconnected}, return_when=asyncio.FIRST_COMPLETED)
            if not waiter.done():
                waiter.cancel()
            elif not waiter.result() and not disconnected.done():
                await send({"type": "http.response.body", "body": b": keep-alive\n\n", "more_body": True})
        if not disconnected.done():
            await send({"type": "http.response.body", "body": b"", "more_body": False})
    finally:
        disconnected.cancel()


async def _disconnect(receive: Any) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


async def _read_body(receive: Any) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


async def _send(send: Any, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
    headers = [*headers, (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _send_response(send: Any, response: Any) -> None:
    headers = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in response.items()]
    await _send(send, response.status_code, headers, response.content)
