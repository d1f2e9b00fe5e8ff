"""Status events reach a webhook receiver at least once, signed, even after it was down for a while."""

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from flows.loops import lifecycle
from flows.models import StatusEvent, WebhookDelivery, WebhookEndpoint
from hitl.kernel import clock
from tests.integration import scenario
from tests.integration.conftest import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
SECRET = "s3cr3t-for-tests"


class Receiver:
    """A webhook endpoint on 127.0.0.1 that records what it gets and can go down and come back."""

    def __init__(self) -> None:
        self.received: list[tuple[dict, bytes]] = []
        self.port = 0
        self.server = None

    def start(self) -> None:
        received = self.received

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                received.append((dict(self.headers), body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.allow_reuse_address = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/a2i"

    def statuses(self) -> list[str]:
        return [json.loads(body)["detail"]["humanLoopStatus"] for _, body in self.received]


@pytest.fixture
def receiver():
    r = Receiver()
    r.start()
    yield r
    r.stop()


def _valid(headers: dict, body: bytes) -> bool:
    expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(headers["X-Hitl-Signature-256"], expected)


def test_each_status_event_reaches_the_receiver_signed_even_after_it_was_down(live, receiver):
    t = scenario.team(reviewers=1, task_count=1, task_availability_lifetime_seconds=600)
    WebhookEndpoint.objects.create(account=t.account, url=receiver.url, secret=SECRET)
    scenario.start(t, "to-complete")
    scenario.start(t, "to-stop")
    scenario.start(t, "to-fail")
    reviewer = t.reviewers[0]
    task = lifecycle.claim_next_task(reviewer)
    lifecycle.submit_task(reviewer, task.id, {"ok": True})
    lifecycle.stop_human_loop(account=t.account, name="to-stop")
    clock.advance(601)
    assert lifecycle.expire_loops() == 1
    clock.reset()

    wait_until(lambda: len(receiver.received) >= 3, 20, "three events")
    assert sorted(receiver.statuses()) == ["Completed", "Failed", "Stopped"]
    for headers, body in receiver.received:
        assert _valid(headers, body)
        event = json.loads(body)
        assert event["detail-type"] == "SageMaker A2I HumanLoop Status Change"
        assert event["source"] == "aws.sagemaker"
        assert headers["X-Hitl-Event-Id"] == event["id"]
        assert StatusEvent.objects.filter(event_id=event["id"]).exists()
    completed = next(json.loads(b) for _, b in receiver.received if b"Completed" in b)
    assert completed["detail"]["humanLoopOutput"]["outputS3Uri"].endswith("/to-complete/output.json")

    # The receiver goes down; an event produced meanwhile arrives after it is back.
    receiver.stop()
    scenario.start(t, "while-down")
    task = lifecycle.claim_next_task(reviewer)
    lifecycle.submit_task(reviewer, task.id, {"ok": True})
    delivery = wait_until(
        lambda: WebhookDelivery.objects.filter(event__human_loop__name="while-down", attempts__gte=1).first(),
        20,
        "a failed delivery attempt",
    )
    assert delivery.state == "pending" and delivery.last_error
    receiver.start()  # same port
    wait_until(lambda: "Completed" in receiver.statuses()[3:], 30, "the redelivered event")
    headers, body = receiver.received[-1]
    assert _valid(headers, body) and json.loads(body)["detail"]["humanLoopName"] == "while-down"
    delivery.refresh_from_db()
    assert delivery.state == "delivered" and delivery.attempts >= 2
