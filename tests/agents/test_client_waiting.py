"""hitl_agents waiting on the status-event stream (wait_with="events"), and its fallback to long polling."""

from __future__ import annotations

import threading
import time

from tests.agents.test_waiting import APPROVED, REQUEST, answer_soon


def paths_called(reviews) -> list[str]:
    """Record the path and query of every wait call the client makes (its httpx event hook)."""
    seen: list[str] = []
    reviews._http.event_hooks["request"].append(lambda request: seen.append(str(request.url.raw_path, "latin-1")))
    return seen


def test_many_waits_share_one_event_stream_and_each_gets_its_decision(tool_review, events_url):
    reviews = tool_review.reviews(events_url, wait_with="events")
    names = [reviews.start(f"thread-ev:call-{i}", REQUEST) for i in range(3)]
    called = paths_called(reviews)
    decisions: dict[str, dict] = {}

    def wait(name: str) -> None:
        decisions[name] = reviews.wait(name, REQUEST, timeout=30)

    waiters = [threading.Thread(target=wait, args=(name,)) for name in names]
    for waiter in waiters:
        waiter.start()
    # The reviewer starts once every waiter has looked (each after the stream opened): a stream that took
    # longer to open than the first answer started after its Completed event and saw two of the three.
    deadline = time.monotonic() + 30
    while len(called) < len(names) and time.monotonic() < deadline:
        time.sleep(0.02)

    def answer_all() -> None:  # one reviewer answers the three in turn
        for _ in names:
            answer_soon(tool_review, APPROVED, delay=0.5).join()

    reviewer = threading.Thread(target=answer_all)
    reviewer.start()
    for thread in [reviewer, *waiters]:
        thread.join(40)

    assert decisions == dict.fromkeys(names, APPROVED)
    assert reviews.stream.failed is None, reviews.stream.failed
    assert reviews.stream.events_seen >= 3  # the three Completed events came on the one stream
    # No long poll: every wait call looked once (WaitSeconds=0), before and after its event.
    assert called and all(path.endswith("WaitSeconds=0") for path in called)


def test_without_a_routed_stream_the_client_falls_back_to_long_polling(tool_review, events_url, live_server):
    # The stream URL reaches the sync web app, which does not serve /hitl/v1/status-events (a proxy that
    # routes only the wait path to the events process).
    reviews = tool_review.reviews(events_url, wait_with="events", stream_url=live_server.url)
    name = reviews.start("thread-ev:fallback", REQUEST)
    called = paths_called(reviews)
    reviewer = answer_soon(tool_review, APPROVED)
    assert reviews.wait(name, REQUEST, timeout=30) == APPROVED
    reviewer.join()
    assert reviews.stream.failed.startswith("GET /hitl/v1/status-events answered")
    assert any(not path.endswith("WaitSeconds=0") for path in called)  # a real long poll


def test_an_unknown_wait_mode_is_refused(tool_review, events_url):
    try:
        tool_review.reviews(events_url, wait_with="smoke-signals")
    except ValueError as exc:
        assert "long-poll, events" in str(exc)
    else:
        raise AssertionError("accepted")


def test_the_stream_reconnects_where_it_stopped(tool_review, events_url, settings):
    settings.HITL_EVENT_STREAM_SECONDS = 1  # the server closes each stream after a second
    reviews = tool_review.reviews(events_url, wait_with="events")
    name = reviews.start("thread-ev:reconnect", REQUEST)
    reviewer = answer_soon(tool_review, APPROVED, delay=2.5)  # after at least one reconnect
    assert reviews.wait(name, REQUEST, timeout=30) == APPROVED
    reviewer.join()
    # The Completed event came on a reconnected stream (resumed at its position, no gap).
    assert reviews.stream.failed is None and reviews.stream.events_seen >= 1
