"""Start a tool-call review on hitl and wait for the decision, with boto3 and httpx only.

    reviews = HitlReviews(flow_arn, endpoint_url="http://hitl:8000", region_name="us-east-1")
    response = reviews.review("thread-7:call_abc", hitl_request)   # -> {"decisions": [...]}

The loop name is derived from the review id (a tool-call or interrupt id), so a
node that runs again after a crash or a resume finds the loop it started:
StartHumanLoop is idempotent for an identical retry. Waiting is served by the
ASGI events process (`events_url`, by default the same endpoint):

* `wait_with="long-poll"` (default): one long-poll DescribeHumanLoop per wait
  (GET /hitl/v1/human-loops/{name}/wait);
* `wait_with="events"`: every wait of this client shares one server-sent-events
  stream of the account's status events (GET /hitl/v1/status-events,
  hitl_agents.events), for a runtime with many reviews open at once. If the stream
  cannot be opened (`stream_url` not routed, an older server), waits fall back to
  long polling.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

import boto3
import httpx
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest

from hitl_agents.events import StatusEventStream, StreamUnavailable

TEMPLATE_PATH = Path(__file__).with_name("tool_call_review.liquid.html")
SIGNATURE_HEADER = "X-Hitl-Signature-256"
FINISHED = ("Completed", "Failed", "Stopped")
WAIT_WITH = ("long-poll", "events")
# What a review that ended without an answer (stopped, expired, failed) decides: deny (issue 15).
NO_DECISION_MESSAGE = "No human decision: the review ended as {status}. The tool was not run."


class ReviewPending(Exception):
    """The review has no decision yet (the wait timed out); ask again later with the same review id."""

    def __init__(self, human_loop_name: str) -> None:
        super().__init__(f"Human loop {human_loop_name} has no decision yet.")
        self.human_loop_name = human_loop_name


def tool_review_template() -> str:
    """Return the built-in tool-call review task template (CreateHumanTaskUi's UiTemplate.Content)."""
    return TEMPLATE_PATH.read_text()


def loop_name_for(review_id: str, prefix: str = "agent") -> str:
    """Return the human loop name for a review id: stable, valid for A2I (a-z, 0-9, hyphens, <= 63)."""
    digest = hashlib.sha256(review_id.encode()).hexdigest()[:32]
    return f"{prefix}-{digest}"


def decision_for_status(status: str, answers: list[dict[str, Any]], hitl_request: dict[str, Any] | None) -> dict:
    """Return the HITLResponse of a finished loop: the reviewer's, or a reject for every action."""
    if status == "Completed" and answers:
        return answers[0]["answerContent"]
    count = len((hitl_request or {}).get("action_requests", [])) or 1
    message = NO_DECISION_MESSAGE.format(status=status)
    return {"decisions": [{"type": "reject", "message": message} for _ in range(count)]}


def auto_approved(hitl_request: dict[str, Any]) -> dict[str, Any]:
    """The HITLResponse of a request the flow's policy let through without a person."""
    return {"decisions": [{"type": "approve"} for _ in hitl_request.get("action_requests", [])]}


def verify_webhook(body: bytes, signature: str, secret: str) -> dict[str, Any]:
    """Check X-Hitl-Signature-256 of a webhook delivery and return the event (ValueError if forged)."""
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature or ""):
        raise ValueError("The webhook signature does not match the body.")
    return json.loads(body)


def decision_from_event(event: dict[str, Any]) -> tuple[str, dict[str, Any] | None]:
    """Return (human loop name, HITLResponse) from a status event; the response is None while open."""
    detail = event.get("detail") or {}
    status = detail.get("humanLoopStatus", "")
    if status not in FINISHED:
        return detail.get("humanLoopName", ""), None
    return detail.get("humanLoopName", ""), decision_for_status(status, detail.get("humanAnswers") or [], None)


class HitlReviews:
    """Tool-call reviews on one flow definition of a hitl server."""

    def __init__(
        self,
        flow_definition_arn: str,
        *,
        endpoint_url: str,
        region_name: str = "us-east-1",
        events_url: str | None = None,
        loop_prefix: str = "agent",
        wait_seconds: int = 20,
        wait_with: str = "long-poll",
        stream_url: str | None = None,
        boto3_session: boto3.Session | None = None,
        **credentials: Any,
    ) -> None:
        if wait_with not in WAIT_WITH:
            raise ValueError(f"wait_with must be one of {', '.join(WAIT_WITH)}, got {wait_with!r}")
        self.flow_definition_arn = flow_definition_arn
        self.endpoint_url = endpoint_url.rstrip("/")
        self.events_url = (events_url or endpoint_url).rstrip("/")
        self.region_name = region_name
        self.loop_prefix = loop_prefix
        self.wait_seconds = wait_seconds
        session = boto3_session or boto3.Session(region_name=region_name, **credentials)
        self._credentials = session.get_credentials()
        self.runtime = session.client("sagemaker-a2i-runtime", endpoint_url=self.endpoint_url, region_name=region_name)
        self._http = httpx.Client(timeout=wait_seconds + 10)
        self.wait_with = wait_with
        self.stream: StatusEventStream | None = None
        if wait_with == "events":
            self.stream = StatusEventStream(stream_url or self.events_url, self._signed_headers)

    def loop_name(self, review_id: str) -> str:
        return loop_name_for(review_id, self.loop_prefix)

    def start(self, review_id: str, hitl_request: dict[str, Any]) -> str | None:
        """Start (or find again) the review of `hitl_request`; return its human loop name.

        None when the flow's policy auto-approves every action (no loop was needed).
        """
        name = self.loop_name(review_id)
        content = json.dumps(hitl_request, sort_keys=True, separators=(",", ":"))
        started = self.runtime.start_human_loop(
            HumanLoopName=name, FlowDefinitionArn=self.flow_definition_arn, HumanLoopInput={"InputContent": content}
        )
        return name if started.get("HumanLoopArn") else None

    def describe(self, name: str, wait_seconds: int = 0, wait_token: str | None = None) -> dict[str, Any]:
        """DescribeHumanLoop, held up to `wait_seconds` until the loop is decided (plus its outcome then).

        `wait_token`: the previous answer's HitlWaitToken, which spares the server a describe.
        """
        url = f"{self.events_url}/hitl/v1/human-loops/{quote(name, safe='')}/wait?WaitSeconds={int(wait_seconds)}"
        if wait_token:
            url += f"&WaitToken={quote(wait_token, safe='')}"
        response = self._http.get(url, headers=self._signed_headers(url), timeout=wait_seconds + 10)
        if response.status_code != 200:
            code = response.headers.get("x-amzn-ErrorType", str(response.status_code))
            raise RuntimeError(f"{code}: {response.json().get('Message', response.text)}")
        return response.json()

    def close(self) -> None:
        """Close the event stream (if any) and the HTTP connections."""
        if self.stream is not None:
            self.stream.close()
        self._http.close()

    def __enter__(self) -> HitlReviews:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _signed_headers(self, url: str) -> dict[str, str]:
        request = AWSRequest(method="GET", url=url)
        SigV4Auth(self._credentials.get_frozen_credentials(), "sagemaker", self.region_name).add_auth(request)
        return dict(request.headers.items())

    def wait(self, name: str, hitl_request: dict[str, Any] | None = None, timeout: float | None = None) -> dict:
        """Wait for loop `name` to be decided and return its HITLResponse; ReviewPending after `timeout`."""
        deadline = None if timeout is None else time.monotonic() + timeout
        if self.stream is not None and not self.stream.failed:
            try:
                return self._wait_on_stream(name, hitl_request, deadline)
            except StreamUnavailable:
                pass  # logged by the stream; the long poll below needs only the wait endpoint
        token = None
        while True:
            try:
                described = self.describe(name, max(int(self._left(deadline)), 0), token)
            except RuntimeError:
                if token is None:
                    raise
                token = None  # expired (a long pause between waits): the next wait gets a new one
                continue
            if _decided(described):
                return _decision(described, hitl_request)
            if deadline is not None and time.monotonic() >= deadline:
                raise ReviewPending(name)
            token = described.get("HitlWaitToken")

    def _wait_on_stream(self, name: str, hitl_request: dict[str, Any] | None, deadline: float | None) -> dict:
        assert self.stream is not None
        self.stream.register(name)  # before the look below, so no event after it is missed
        try:
            while True:
                described = self.describe(name, 0)  # decided already, or (after an event) the policy applied
                if _decided(described):
                    return _decision(described, hitl_request)
                if deadline is not None and time.monotonic() >= deadline:
                    raise ReviewPending(name)
                # Every wait_seconds without an event the state is read again (a reconnect may skip one).
                self.stream.wait(name, self._left(deadline))
        finally:
            self.stream.forget(name)

    def _left(self, deadline: float | None) -> float:
        return self.wait_seconds if deadline is None else min(self.wait_seconds, deadline - time.monotonic())

    def review(self, review_id: str, hitl_request: dict[str, Any], timeout: float | None = None) -> dict[str, Any]:
        """Start the review (idempotently) and wait for its HITLResponse."""
        name = self.start(review_id, hitl_request)
        if name is None:
            return auto_approved(hitl_request)
        return self.wait(name, hitl_request, timeout)


def _decided(described: dict[str, Any]) -> bool:
    return described["HumanLoopStatus"] in FINISHED or bool(described.get("HitlDecided"))


def _decision(described: dict[str, Any], hitl_request: dict[str, Any] | None) -> dict[str, Any]:
    if "HitlDecision" in described:  # the server applied the flow's policy
        return described["HitlDecision"]
    answers = described.get("HumanAnswers") or []
    return decision_for_status("Completed" if answers else described["HumanLoopStatus"], answers, hitl_request)
