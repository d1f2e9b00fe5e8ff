"""Two reviewers sending a loop's last two answers at the same moment finish it exactly once."""

from __future__ import annotations

import json
import threading

import pytest
from django.db import connection

from flows.delivery.storage import get_store
from flows.loops import lifecycle
from flows.models import HumanLoop, OutputOutbox
from tests import factories as f

LOOPS = 6
# Both writers of the hot paths (tests/conftest.py): the statements and the ORM.
pytestmark = pytest.mark.usefixtures("writer")


@pytest.mark.django_db(transaction=True)
def test_simultaneous_last_answers_complete_each_loop_once_with_both_answers():
    if connection.vendor != "postgresql":
        pytest.skip("needs row locks between concurrent transactions (SQLite runs one writer at a time)")
    acct = f.account()
    ana, bo = f.user("ana"), f.user("bo")
    flow = f.flow_definition(acct, f.workteam(acct, members=[ana, bo]), task_count=2)
    loops = [f.human_loop(flow, name=f"pair-{n}") for n in range(LOOPS)]
    held = {reviewer: [lifecycle.claim_next_task(reviewer) for _ in loops] for reviewer in (ana, bo)}
    both_ready = threading.Barrier(2)
    errors: list[BaseException] = []

    def answer_all(reviewer, label: str) -> None:
        try:
            for task in sorted(held[reviewer], key=lambda t: t.human_loop_id):
                both_ready.wait(timeout=30)  # both answers of this loop leave together
                lifecycle.submit_task(reviewer, task.id, {"sentiment": {"label": label}})
        except BaseException as exc:  # reported below: a thread's failure must fail the test
            errors.append(exc)
            both_ready.abort()
        finally:
            connection.close()

    threads = [threading.Thread(target=answer_all, args=args) for args in ((ana, "Positive"), (bo, "Negative"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    for loop in loops:
        loop = HumanLoop.objects.get(id=loop.id)
        assert loop.status == HumanLoop.Status.COMPLETED
        assert OutputOutbox.objects.filter(human_loop=loop).count() == 1
        bucket, key = loop.output_s3_uri.removeprefix("s3://").split("/", 1)
        answers = json.loads(get_store().get(bucket, key))["humanAnswers"]
        assert sorted(a["answerContent"]["sentiment"]["label"] for a in answers) == ["Negative", "Positive"]
