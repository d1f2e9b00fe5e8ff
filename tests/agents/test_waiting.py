"""Long-poll DescribeHumanLoop and the status-event stream, served by the ASGI events app under uvicorn."""

from __future__ import annotations

import json
import threading
import time
from urllib.parse import quote

import httpx
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from flows.models import HumanLoop
from tests.agents.conftest import REGION

REQUEST = {
    "action_requests": [{"name": "refund", "args": {"order": "A-17", "amount": 30}, "description": "Refund A-17"}],
    "review_configs": [{"action_name": "refund", "allowed_decisions": ["approve", "reject"]}],
}
APPROVED = {"decisions": [{"type": "approve"}]}


def signed_headers(setup, url: str, secret: str | None = None) -> dict:
    credentials = Credentials(setup.aws.access_key_id, secret or setup.aws.secret_access_key)
    request = AWSRequest(method="GET", url=url)
    SigV4Auth(credentials, "sagemaker", REGION).add_auth(request)
    return dict(request.headers.items())


def answer_soon(setup, answer: dict, delay: float = 1.0) -> threading.Thread:
    def work():
        time.sleep(delay)
        task = setup.next_task()
        setup.submit(task["taskId"], answer)

    thread = threading.Thread(target=work)
    thread.start()
    return thread


def test_a_waiter_returns_as_soon_as_the_reviewer_submits_with_the_decision_inline(tool_review, events_url):
    reviews = tool_review.reviews(events_url)
    name = reviews.start("thread-1:call-1", REQUEST)
    assert reviews.describe(name)["HumanLoopStatus"] == "InProgress"

    reviewer = answer_soon(tool_review, APPROVED)
    started = time.monotonic()
    described = reviews.describe(name, wait_seconds=20)
    waited = time.monotonic() - started
    reviewer.join()

    # Decided as soon as the answer committed; Completed once output.json is written just after.
    assert described["HitlDecided"] is True
    assert described["HumanLoopStatus"] in ("InProgress", "Completed")
    assert described["HitlDecision"] == APPROVED
    assert described["HumanLoopName"] == name
    assert described["HumanAnswers"][0]["answerContent"] == APPROVED
    assert described["HumanLoopOutput"]["OutputS3Uri"].endswith(f"/{name}/output.json")
    assert waited < 10  # woken by the submit, not by the 20 s cap


def test_a_wait_with_no_decision_returns_the_open_loop_after_wait_seconds(tool_review, events_url):
    reviews = tool_review.reviews(events_url)
    name = reviews.start("thread-1:call-2", REQUEST)
    started = time.monotonic()
    described = reviews.describe(name, wait_seconds=1)
    assert 0.9 <= time.monotonic() - started < 5
    assert described["HumanLoopStatus"] == "InProgress"
    assert described["HitlDecided"] is False
    assert "HumanAnswers" not in described


def test_the_wait_is_signed_checked_and_bounded_like_the_api(tool_review, events_url, settings):
    reviews = tool_review.reviews(events_url)
    name = reviews.start("thread-1:call-3", REQUEST)
    url = f"{events_url}/hitl/v1/human-loops/{name}/wait?WaitSeconds=0"

    unsigned = httpx.get(url)
    assert unsigned.status_code == 403
    assert unsigned.headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"

    forged = httpx.get(url, headers=signed_headers(tool_review, url, secret="not-the-secret"))
    assert forged.headers["x-amzn-ErrorType"] == "InvalidSignatureException"

    too_long = f"{events_url}/hitl/v1/human-loops/{name}/wait?WaitSeconds={settings.HITL_WAIT_MAX_SECONDS + 1}"
    refused = httpx.get(too_long, headers=signed_headers(tool_review, too_long))
    assert refused.status_code == 400
    assert refused.headers["x-amzn-ErrorType"] == "ValidationException"
    assert "HITL_WAIT_MAX_SECONDS" in refused.json()["Message"]

    missing = f"{events_url}/hitl/v1/human-loops/no-such-loop/wait?WaitSeconds=0"
    not_found = httpx.get(missing, headers=signed_headers(tool_review, missing))
    assert not_found.status_code == 404
    assert not_found.headers["x-amzn-ErrorType"] == "ResourceNotFoundException"


def test_another_tenant_cannot_wait_on_a_loop(tool_review, events_url, make_account):
    name = tool_review.reviews(events_url).start("thread-1:call-4", REQUEST)
    other = make_account("globex")
    url = f"{events_url}/hitl/v1/human-loops/{name}/wait?WaitSeconds=0"
    credentials = Credentials(other.access_key_id, other.secret_access_key)
    request = AWSRequest(method="GET", url=url)
    SigV4Auth(credentials, "sagemaker", REGION).add_auth(request)
    response = httpx.get(url, headers=dict(request.headers.items()))
    assert response.status_code == 404


def test_the_status_event_stream_carries_the_account_s_events_with_the_decision(tool_review, events_url):
    reviews = tool_review.reviews(events_url)
    name = reviews.start("thread-2:call-1", REQUEST)
    url = f"{events_url}/hitl/v1/status-events?after=0"
    received = []

    with httpx.stream("GET", url, headers=signed_headers(tool_review, url), timeout=20) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        reviewer = answer_soon(tool_review, APPROVED)
        event: dict = {}
        for line in response.iter_lines():
            if line.startswith("id: "):
                event["id"] = int(line[4:])
            elif line.startswith("data: "):
                event["data"] = json.loads(line[6:])
            elif line == "" and "data" in event:
                received.append(event)
                break
        reviewer.join()

    (only,) = received
    detail = only["data"]["detail"]
    assert detail["humanLoopName"] == name
    assert detail["humanLoopStatus"] == "Completed"
    assert detail["humanAnswers"][0]["answerContent"] == APPROVED
    assert HumanLoop.objects.get(name=name).status_events.get().id == only["id"]


@pytest.mark.parametrize("after", ["-1", "abc"])
def test_a_bad_resume_point_is_a_validation_error(tool_review, events_url, after):
    url = f"{events_url}/hitl/v1/status-events?after={after}"
    response = httpx.get(url, headers=signed_headers(tool_review, url))
    assert response.status_code == 400
    assert response.headers["x-amzn-ErrorType"] == "ValidationException"


def test_a_wait_token_lets_the_next_wait_skip_the_describe_and_is_bound_to_its_loop_and_key(
    tool_review, events_url, make_account
):
    reviews = tool_review.reviews(events_url)
    name = reviews.start("thread-3:call-1", REQUEST)
    other_name = reviews.start("thread-3:call-2", REQUEST)
    first = reviews.describe(name)
    token = first["HitlWaitToken"]
    again = reviews.describe(name, wait_token=token)  # answered from the token: the same state, a new token
    assert {k: v for k, v in again.items() if k != "HitlWaitToken"} == {
        k: v for k, v in first.items() if k != "HitlWaitToken"
    }

    reviewer = answer_soon(tool_review, APPROVED)
    decided = reviews.describe(name, wait_seconds=20, wait_token=again["HitlWaitToken"])
    reviewer.join()
    assert decided["HitlDecided"] is True and decided["HitlDecision"] == APPROVED
    assert "HitlWaitToken" not in decided

    for bad_token, loop in ((token[:-3] + "abc", other_name), (token, other_name)):
        with pytest.raises(RuntimeError, match="ValidationException.*waitToken"):
            reviews.describe(loop, wait_token=bad_token)
    other = make_account("globex")
    stranger = type(reviews)(
        reviews.flow_definition_arn,
        endpoint_url=reviews.endpoint_url,
        events_url=events_url,
        region_name=REGION,
        aws_access_key_id=other.access_key_id,
        aws_secret_access_key=other.secret_access_key,
    )
    with pytest.raises(RuntimeError, match="ValidationException.*issued to this access key"):
        stranger.describe(name, wait_token=token)


def test_a_woken_wait_says_in_server_timing_how_long_the_watcher_and_the_answer_took(tool_review, events_url):
    name = tool_review.reviews(events_url).start("thread-4:call-1", REQUEST)
    url = f"{events_url}/hitl/v1/human-loops/{name}/wait?WaitSeconds=20"
    reviewer = answer_soon(tool_review, APPROVED)
    response = httpx.get(url, headers=signed_headers(tool_review, url), timeout=30)
    reviewer.join()
    assert response.json()["HitlDecided"] is True
    # Found by the watcher's range read of the new outbox row: both stages are timed, after the admission.
    timings = server_timing(response)
    assert set(timings) == {"hitl-arrived", "hitl-admit", "hitl-notice", "hitl-answer"}
    assert all(0 <= timings[stage] < 10_000 for stage in ("hitl-admit", "hitl-notice", "hitl-answer"))
    assert abs(timings["hitl-arrived"] - time.time()) < 60  # epoch seconds, the client's clock on one host


def server_timing(response: httpx.Response) -> dict[str, float]:
    """Server-Timing as {name: dur ms, or desc (hitl-arrived: epoch seconds)}."""
    entries = {}
    for part in response.headers["server-timing"].split(","):
        name, param = part.strip().split(";", 1)
        entries[name] = float(param.partition("=")[2].strip('"'))
    return entries


def test_a_re_poll_with_its_wait_token_is_admitted_on_the_event_loop_without_a_thread(
    tool_review, events_url, monkeypatch
):
    """A thousand waiters come back every few seconds: each is held again at once, no thread or query.

    (A database call on the event loop would raise SynchronousOnlyOperation: an error answer, not 200.)
    """
    import agents.asgi
    from workforce.access_keys import forget_cached_keys

    name = tool_review.reviews(events_url).start("thread-5:call-1", REQUEST)
    url = f"{events_url}/hitl/v1/human-loops/{name}/wait?WaitSeconds=0"
    token = httpx.get(url, headers=signed_headers(tool_review, url)).json()["HitlWaitToken"]
    trips: list[str] = []
    real = agents.asgi.in_thread
    monkeypatch.setattr(agents.asgi, "in_thread", lambda func, *pool: trips.append(func.__name__) or real(func, *pool))

    def re_poll() -> dict:
        nonlocal token
        again = f"{url}&WaitToken={quote(token, safe='')}"
        response = httpx.get(again, headers=signed_headers(tool_review, again))
        assert response.status_code == 200, response.text
        assert set(server_timing(response)) == {"hitl-arrived", "hitl-admit"}
        body = response.json()
        token = body["HitlWaitToken"]
        return body

    assert re_poll()["HitlDecided"] is False
    assert trips == []
    # The key no longer cached (or its use due to be noted): the thread path, same answer.
    forget_cached_keys()
    assert re_poll()["HumanLoopName"] == name
    assert trips == ["_authorize_and_look"]
    # A bad signature is still refused on the fast path.
    again = f"{url}&WaitToken={quote(token, safe='')}"
    refused = httpx.get(again, headers=signed_headers(tool_review, again, secret="wrong" * 8))
    assert refused.status_code == 403 and refused.headers["x-amzn-ErrorType"] == "InvalidSignatureException"
    assert trips == ["_authorize_and_look"]


def test_waits_that_start_together_do_not_all_time_out_together(tool_review, events_url):
    name = tool_review.reviews(events_url).start("thread-4:call-2", REQUEST)
    url = f"{events_url}/hitl/v1/human-loops/{name}/wait?WaitSeconds=2"
    held: list[float] = []

    def wait() -> None:
        started = time.monotonic()
        response = httpx.get(url, headers=signed_headers(tool_review, url), timeout=30)
        assert response.json()["HitlDecided"] is False
        held.append(time.monotonic() - started)

    waiters = [threading.Thread(target=wait) for _ in range(6)]
    for waiter in waiters:
        waiter.start()
    for waiter in waiters:
        waiter.join()
    # Each is held between half the asked time and the asked time, at random: not all at 2 s.
    assert len(held) == 6 and all(0.9 <= h < 4 for h in held), held
    assert max(held) - min(held) > 0.15, held
