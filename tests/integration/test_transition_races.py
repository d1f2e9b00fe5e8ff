"""Racing claim, submit and stop on one loop: no deadlock, one terminal status, one event."""

import threading

import pytest

from flows.loops import lifecycle
from flows.models import HumanLoop, ReviewTask, StatusEvent
from hitl.kernel.errors import HitlError
from tests.integration import scenario
from tests.integration.test_claim_concurrency import _in_thread

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _race(*acts) -> tuple[list[Exception], list[ReviewTask]]:
    """Run `acts` at the same instant, each on its own connection. Returns (unexpected errors, claimed tasks)."""
    start = threading.Barrier(len(acts))
    unexpected, claimed = [], []

    def run(act):
        start.wait()
        try:
            result = act()
        except HitlError:
            return  # a refused late call (Conflict / InvalidInput) is a legal outcome
        except Exception as exc:  # a deadlock or a constraint violation is not
            unexpected.append(exc)
            return
        if isinstance(result, ReviewTask) and result.state == ReviewTask.State.LEASED:
            claimed.append(result)

    threads = [threading.Thread(target=_in_thread, args=(run, act)) for act in acts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return unexpected, claimed


def test_claim_submit_and_stop_racing_on_a_loop_end_in_one_stopped_status_with_one_event(live):
    names = []
    for round_ in range(8):
        t = scenario.team(reviewers=2, task_count=2)
        name = f"race-{round_}"
        scenario.start(t, name)
        names.append(name)
        alice, bob = t.reviewers
        held = lifecycle.claim_next_task(alice)

        unexpected, claimed = _race(
            lambda bob=bob: lifecycle.claim_next_task(bob),
            lambda alice=alice, held=held: lifecycle.submit_task(alice, held.id, {"ok": True}),
            lambda t=t, name=name: lifecycle.stop_human_loop(account=t.account, name=name),
        )
        assert not unexpected, unexpected
        for task in claimed:  # a claim that beat the stop is still answered
            lifecycle.submit_task(bob, task.id, {"ok": "bob"})

    scenario.wait_for_status(names, "Stopped", timeout=30)
    for loop in HumanLoop.objects.filter(name__in=names):
        statuses = [e.body["detail"]["humanLoopStatus"] for e in StatusEvent.objects.filter(human_loop=loop)]
        assert statuses == ["Stopped"]
        if loop.output_s3_uri:
            assert 1 <= len(scenario.read_output(loop.name)["humanAnswers"]) <= 2
