"""Gold items, qualification and pausing (flows.quality.gold), on SQLite and, in the PostgreSQL suite, flows.loops.hot_sql."""

import json
import math
import random

import numpy as np
import pytest
from django.core import mail

from bench import crowd
from flows.delivery.storage import get_store
from flows.loops import lifecycle, loop_queries
from flows.models import HumanLoop, ReviewerStanding, ReviewTask
from flows.quality import gold
from flows.quality.quality_config import QualityConfig
from review_ui import work
from tests import factories as f
from workforce.models import AuditRecord

pytestmark = pytest.mark.django_db(transaction=True)
LABELS = list(crowd.CLASSES)


@pytest.fixture(autouse=True)
def seeded_gold(monkeypatch):
    monkeypatch.setattr(gold, "_random", random.Random(14))


def _flow(tags, reviewers=1, task_count=1):
    acct = f.account()
    admin = f.user(email="lead@example.com")
    acct.admins.add(admin)
    people = [f.user() for _ in range(reviewers)]
    team = f.workteam(acct, members=people)
    flow = f.flow_definition(acct, team, task_count=task_count, tags=[{"Key": k, "Value": v} for k, v in tags.items()])
    return flow, people


def _gold(flow, n, truth=None):
    for i in range(n):
        label = LABELS[i % 3] if truth is None else truth[i]
        gold.add_gold_item(
            flow,
            name=f"g-{i}",
            input_content=json.dumps({"taskObject": f"gold {i}", "truth": label}),
            answer={"s": {"label": label}},
        )


def _truth_of(task):
    return task.human_loop.input_json["truth"]


def test_gold_items_are_never_listed_counted_or_written_as_the_customers_loops(settings):
    flow, (person,) = _flow({"hitl:gold-rate": "0.5"})
    _gold(flow, 3)
    settings.HITL_ACTIVE_LOOP_QUOTA = 1
    real = f.human_loop(flow, {"taskObject": "real", "truth": "cat"})  # the quota counts real loops only

    assert [loop.name for loop in loop_queries.list_human_loops(flow).loops] == [real.name]
    with pytest.raises(Exception, match="does not exist"):
        loop_queries.get_human_loop(flow.account, "g-0")
    served = []
    for _ in range(4):
        task = lifecycle.claim_next_task(person, flow=flow)
        if task is None:
            break
        payload = work.task_payload(task, person)
        served.append((task.human_loop.is_gold, sorted(payload)))
        lifecycle.submit_task(person, task.id, {"s": {"label": _truth_of(task)}})

    # The same payload shape for gold and real tasks: the portal cannot tell them apart.
    assert len({tuple(keys) for _, keys in served}) == 1
    assert any(is_gold for is_gold, _ in served) and not all(is_gold for is_gold, _ in served)
    assert HumanLoop.objects.filter(is_gold=True, status="InProgress").count() == 3  # never finished
    standing = ReviewerStanding.objects.get(worker=person, flow_definition=flow)
    assert standing.gold_answered == standing.gold_correct == sum(is_gold for is_gold, _ in served)


def _paused_within(accuracy, limit, reviewers, config, rng):
    """How many of `reviewers` simulated reviewers right with chance `accuracy` are paused within `limit` gold answers."""
    # The rule's verdict for every (answered, correct) up to the limit, then each reviewer's running count.
    verdict = np.array(
        [[c <= n and gold.should_pause(c, n, config) for c in range(limit + 1)] for n in range(limit + 1)]
    )
    correct = np.cumsum(rng.random((reviewers, limit)) < accuracy, axis=1)
    answered = np.arange(1, limit + 1)
    return int(verdict[answered, correct].any(axis=1).sum())


def test_the_pause_rule_catches_random_reviewers_within_30_gold_answers_and_spares_good_ones():
    # 3 labels: answering at random is right 1/3 of the time. Defaults: pause-after 10, pause-below 0.6.
    # Exactly (should_pause's docstring): 99.76 % of random reviewers within 30; 2.46 % of 75 % ones and
    # 0.41 % of 80 % ones within 100. The Wilson rule alone caught 95.4 % of random reviewers within 30.
    config, rng, n = QualityConfig(), np.random.default_rng(14), 20_000

    assert _paused_within(1 / 3, 30, n, config, rng) >= 0.995 * n
    assert _paused_within(0.75, 100, n, config, rng) <= 0.03 * n
    assert _paused_within(0.80, 100, n, config, rng) <= 0.006 * n
    assert _paused_within(0.90, 100, n, config, rng) == 0


def test_no_rule_on_30_gold_answers_catches_995_in_1000_random_reviewers_and_spares_99_in_100_good_ones():
    # Neyman-Pearson: the most powerful test of "right 1/3 of the time" against "right 75 %" on 30 answers
    # pauses at most c right answers; any sequential rule that decides by 30 answers is such a test.
    def at_most(c, p):
        return sum(math.comb(30, k) * p**k * (1 - p) ** (30 - k) for k in range(c + 1))

    c = min(c for c in range(31) if at_most(c, 1 / 3) >= 0.995)

    assert c == 17 and at_most(c - 1, 1 / 3) < 0.995
    assert at_most(c - 1, 0.75) > 0.008  # even pausing at 16 of 30 right (99.3 % caught) pauses 0.8 % of good ones
    assert at_most(c, 0.75) > 0.02  # gold.should_pause pauses at 17 of 30 (under 60 %): 2.2 % of them, 2.5 % by 100


def test_a_proven_reviewer_is_never_paused_on_the_same_gold_answers():
    # Proven (spot-checked only, gold_rate_for) and paused must never hold together, at the horizon or not.
    for config in (
        QualityConfig(gold_rate=0.1),
        QualityConfig(gold_rate=0.1, pause_after=1, pause_below=0.9),
        QualityConfig(gold_rate=0.1, pause_after=4, pause_below=0.3),
    ):
        proven_somewhere = False
        for answered in range(1, 120):
            for correct in range(answered + 1):
                standing = ReviewerStanding(gold_correct=correct, gold_answered=answered)
                proven = gold.gold_rate_for(standing, config) < config.gold_rate
                proven_somewhere |= proven
                assert not (proven and gold.should_pause(correct, answered, config)), (config, correct, answered)
        assert proven_somewhere


def test_a_reviewer_answering_at_random_is_paused_and_left_out_of_consolidation():
    flow, (spammer, good) = _flow({"hitl:gold-rate": "0.5"}, reviewers=2, task_count=2)
    _gold(flow, 40)
    for i in range(40):
        f.human_loop(flow, {"taskObject": f"item {i}", "truth": LABELS[i % 3]})
    rng = np.random.default_rng(5)
    spam_loops = []
    while (task := lifecycle.claim_next_task(spammer, flow=flow)) is not None:
        lifecycle.submit_task(spammer, task.id, {"s": {"label": LABELS[rng.integers(3)]}})
        if not task.human_loop.is_gold:
            spam_loops.append(task.human_loop_id)
    while (task := lifecycle.claim_next_task(good, flow=flow)) is not None:
        lifecycle.submit_task(good, task.id, {"s": {"label": _truth_of(task)}})

    standing = ReviewerStanding.objects.get(worker=spammer, flow_definition=flow)
    assert standing.paused_at is not None and standing.gold_answered <= 30
    assert ReviewerStanding.objects.get(worker=good).paused_at is None
    # Paused: no more tasks, an audit record, a notice to the account's admins.
    assert lifecycle.claim_next_task(spammer, flow=flow) is None
    assert AuditRecord.objects.filter(operation="PauseReviewer", account_id=flow.account_id).count() == 1
    assert [m.to for m in mail.outbox] == [["lead@example.com"]]
    # Loops the spammer answered finish after the pause without their answer counting.
    worker_id = spammer.worker.worker_id
    for loop in HumanLoop.objects.filter(id__in=spam_loops):
        bucket, key = loop.output_s3_uri.removeprefix("s3://").split("/", 1)
        consolidated = json.loads(get_store().get(bucket, key.replace("output.json", "consolidated.json")))
        assert consolidated["excludedWorkerIds"] == [worker_id]
        assert consolidated["consolidatedAnswer"] == {"s": {"label": loop.input_json["truth"]}}


def test_pausing_returns_the_reviewers_open_leases_to_the_queue():
    flow, (person, other) = _flow(
        {"hitl:gold-rate": "0.5", "hitl:pause-after": "1", "hitl:pause-below": "0.99"}, reviewers=2
    )
    _gold(flow, 5)
    loop = f.human_loop(flow, {"taskObject": "real", "truth": "cat"})
    held = ReviewTask.objects.get(human_loop=loop)
    # Lease the real task to `person` by hand, then let them fail a gold item.
    ReviewTask.objects.filter(id=held.id).update(
        state="leased", worker=person, accepted_at=loop.created_at, lease_expires_at=loop.expires_at
    )
    gold_task = gold._lease_gold(person, flow)
    lifecycle.submit_task(person, gold_task.id, {"s": {"label": "wrong"}})

    held.refresh_from_db()
    assert held.state == "open" and held.worker_id is None
    assert ReviewerStanding.objects.get(worker=person).paused_at is not None


def test_qualification_comes_before_real_tasks_and_a_failed_test_pauses():
    flow, (good, bad) = _flow({"hitl:qualification": "3:0.67"}, reviewers=2)
    _gold(flow, 5)
    f.human_loop(flow, {"taskObject": "real", "truth": "cat"})

    for person, right in ((good, True), (bad, False)):
        for _ in range(3):
            task = lifecycle.claim_next_task(person, flow=flow)
            assert task.human_loop.is_gold  # the test first
            lifecycle.submit_task(person, task.id, {"s": {"label": _truth_of(task) if right else "nope"}})

    real = lifecycle.claim_next_task(good, flow=flow)
    assert real is not None and not real.human_loop.is_gold
    assert lifecycle.claim_next_task(bad, flow=flow) is None
    assert ReviewerStanding.objects.get(worker=good).qualified_at is not None
    assert "failed qualification" in ReviewerStanding.objects.get(worker=bad).pause_reason


def test_a_reviewer_without_gold_left_to_qualify_on_gets_no_real_tasks():
    flow, (person,) = _flow({"hitl:qualification": "3"})
    _gold(flow, 1)
    f.human_loop(flow, {"taskObject": "real", "truth": "cat"})

    task = lifecycle.claim_next_task(person, flow=flow)
    lifecycle.submit_task(person, task.id, {"s": {"label": _truth_of(task)}})

    assert lifecycle.claim_next_task(person, flow=flow) is None
    assert lifecycle.claim_next_task(person) is None  # nor from the team-wide queue


def test_a_resumed_reviewer_gets_tasks_again():
    flow, (person,) = _flow({"hitl:gold-rate": "0.5", "hitl:pause-after": "1", "hitl:pause-below": "0.99"})
    _gold(flow, 3)
    f.human_loop(flow, {"taskObject": "real", "truth": "cat"})
    gold_task = gold._lease_gold(person, flow)
    lifecycle.submit_task(person, gold_task.id, {"s": {"label": "wrong"}})
    assert lifecycle.claim_next_task(person, flow=flow) is None

    gold.resume_reviewer(ReviewerStanding.objects.get(worker=person))

    assert lifecycle.claim_next_task(person, flow=flow) is not None


def test_an_admin_resumes_a_paused_reviewer_from_the_standings_list(admin_client):
    flow, (person,) = _flow({"hitl:gold-rate": "0.5", "hitl:pause-after": "1", "hitl:pause-below": "0.99"})
    _gold(flow, 3)
    gold_task = gold._lease_gold(person, flow)
    lifecycle.submit_task(person, gold_task.id, {"s": {"label": "wrong"}})
    standing = ReviewerStanding.objects.get(worker=person)
    listed = admin_client.get("/admin/flows/reviewerstanding/")
    assert listed.status_code == 200 and flow.name in listed.content.decode()

    response = admin_client.post(
        "/admin/flows/reviewerstanding/", {"action": "resume_reviewers", "_selected_action": [standing.pk]}
    )

    assert response.status_code == 302
    standing.refresh_from_db()
    assert standing.paused_at is None and standing.held is False
    assert AuditRecord.objects.filter(operation="ResumeReviewer").count() == 1


def test_a_proven_reviewer_gets_gold_only_as_spot_checks_until_a_wrong_answer_puts_them_back():
    config = QualityConfig(gold_rate=0.1, pause_after=10, pause_below=0.6)

    def rate(correct, answered):
        return gold.gold_rate_for(ReviewerStanding(gold_correct=correct, gold_answered=answered), config)

    assert rate(9, 9) == 0.1  # too few gold answers to tell
    assert rate(10, 10) == pytest.approx(0.1 * gold.PROVEN_GOLD_SHARE)  # proven: spot checks only
    assert rate(8, 10) == 0.1  # 80 % on 10 answers could still be a reviewer under 60 %
    assert rate(21, 29) == 0.1 and rate(27, 29) == pytest.approx(0.02)
    # Past the horizon (3 x pause-after) the measured accuracy decided: at or over pause-below, spot checks.
    assert rate(18, 30) == pytest.approx(0.02) and rate(17, 30) == 0.1 and rate(20, 40) == 0.1
    assert rate(4, 12) == 0.1  # a random reviewer is never proven (they are paused instead)


def test_through_claims_a_proven_reviewer_is_served_fewer_gold_items():
    flow, (person,) = _flow({"hitl:gold-rate": "0.5", "hitl:pause-after": "5"}, task_count=1)
    _gold(flow, 60)
    for i in range(60):
        f.human_loop(flow, {"taskObject": f"item {i}", "truth": LABELS[i % 3]})
    served = []
    for _ in range(60):
        task = lifecycle.claim_next_task(person, flow=flow)
        served.append(task.human_loop.is_gold)
        lifecycle.submit_task(person, task.id, {"s": {"label": _truth_of(task)}})

    first_proven = [n for n in range(len(served)) if sum(served[: n + 1]) == 5][0]
    after = served[first_proven + 1 :]
    # Half the claims were gold until 5 right gold answers proved the reviewer; a tenth at most after.
    assert sum(served[: first_proven + 1]) == 5 and first_proven < 20
    assert len(after) >= 40 and sum(after) <= len(after) * 0.2
