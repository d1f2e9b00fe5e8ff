"""Gold items: known answers mixed into reviewers' queues, qualification, and pausing unreliable reviewers.

A gold item is a HumanLoop with is_gold set and a GoldItem holding its known
answer. It never has open tasks: a reviewer's claim (flows.loops.lifecycle
claim_next_task, on the ORM and the PostgreSQL path alike, since it runs
before either) first asks `claim_gold`, which with the flow's `hitl:gold-rate`
chance (or always, while the reviewer is being qualified; a fifth of it once
their gold answers prove them, see `gold_rate_for`) leases the reviewer a new
task of a gold item they have not seen. The task is shown and submitted
exactly like any other. Gold loops never finish, never count against
quotas, are never listed, described or written as outputs.

A submitted gold answer updates the reviewer's ReviewerStanding on that flow,
and `should_pause` decides: from `hitl:pause-after` gold answers on, as soon as
even the upper end of the one-sided 95% Wilson interval of their gold accuracy
is under `hitl:pause-below` (the clear cases, early), and at the horizon of
HORIZON_FACTOR x pause-after gold answers once and for all: paused when the
accuracy measured there is under pause-below. A reviewer who is merely
unlucky on a few items keeps working; one answering at random on 3 labels is
caught within 30 gold answers 99.8 times in 100.
Pausing holds the reviewer (the claim skips the flow's real tasks), returns
their open leases on the flow to the queue, writes an audit record and tells
the account's admins; consolidation leaves their answers out.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import random
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.mail import send_mail
from django.db import IntegrityError
from django.db.models import BooleanField, Exists, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from flows import jobs
from flows.loops import lookups
from flows.models import FlowDefinition, GoldItem, HumanLoop, ReviewerStanding, ReviewTask, TaskExclusion
from flows.quality import quality_config
from hitl.kernel import clock
from hitl.kernel.errors import Conflict, InvalidInput
from hitl.kernel.transactions import enqueue_on_commit, write_transaction
from workforce import qualification as team_tests
from workforce.audit import trail as audit
from workforce.models import Workteam, WorkteamQualification

# Gold items stay available as long as the flow does.
GOLD_LIFETIME = dt.timedelta(days=365 * 100)
# One-sided 95%: the early and the late check (should_pause).
WILSON_Z = 1.645
# The horizon, in multiples of hitl:pause-after, at which the measured accuracy decides (should_pause).
HORIZON_FACTOR = 3
# A proven reviewer (gold_rate_for) still gets gold, at this share of the flow's rate: spot checks.
PROVEN_GOLD_SHARE = 0.2
_random = random.SystemRandom()


def add_gold_item(
    flow: FlowDefinition, *, name: str, input_content: str, answer: dict[str, Any]
) -> tuple[HumanLoop, bool]:
    """Add a gold item to the flow; returns (loop, created). Repeating the same name and input is a no-op.

    Gold names share the account's loop names (a reviewer sees a loop name with every task).
    """
    try:
        input_json = json.loads(input_content)
    except ValueError as exc:
        raise InvalidInput(f"InputContent must be a JSON document ({exc}).") from None
    if not isinstance(answer, dict) or not answer:
        raise InvalidInput("Answer must be a non-empty JSON object: the answerContent a right reviewer submits.")
    now = clock.now()
    try:
        with write_transaction():
            loop = HumanLoop.objects.create(
                account_id=flow.account_id,
                flow_definition=flow,
                template_id=flow.template_id,
                flow_version_id=flow.current_version_id,
                name=name,
                input_content=input_content,
                input_json=input_json,
                created_at=now,
                expires_at=now + GOLD_LIFETIME,
                is_gold=True,
            )
            GoldItem.objects.create(human_loop=loop, answer=answer, created_at=now)
            return loop, True
    except IntegrityError:
        existing = HumanLoop.objects.filter(account_id=flow.account_id, name=name, deleted_at__isnull=True).first()
        if existing is not None and existing.is_gold and existing.input_content == input_content:
            return existing, False
        raise Conflict(f"A human loop or gold item named {name} already exists in this account.") from None


def gold_flows(flows: list[FlowDefinition]) -> list[tuple[FlowDefinition, quality_config.QualityConfig]]:
    """Return the live flows among `flows` that use gold items, with their settings."""
    found = []
    for flow in flows:
        config = quality_config.of_flow(flow)
        if config.uses_gold and flow.deleted_at is None:
            found.append((flow, config))
    return found


def claim_gold(user: AbstractBaseUser, flows: list[FlowDefinition]) -> ReviewTask | None:
    """Lease a gold task of one of `flows` if this claim should be one; else return None.

    A claim is gold while the reviewer is being qualified on the flow, and
    otherwise with the flow's gold rate. Also marks a reviewer held on a flow
    that asks for qualification they have not passed, so the real claim skips it.
    """
    for flow, config in gold_flows(flows):
        standing = _standing(user, flow, config)
        if standing.paused_at is not None:
            continue
        qualifying = test_of(flow, config)[0] is not None and standing.qualified_at is None
        if qualifying or _random.random() < gold_rate_for(standing, config):
            task = _lease_gold(user, flow)
            if task is not None:
                return task
    return None


def gold_rate_for(standing: ReviewerStanding, config: quality_config.QualityConfig) -> float:
    """The chance that this reviewer's next claim is a gold item: the flow's rate until they are proven.

    A reviewer is proven once they have `hitl:pause-after` gold answers and even the lower end of the
    one-sided 95% Wilson interval of their gold accuracy clears `hitl:pause-below`, or once they are
    past the pause rule's horizon (should_pause) with a measured accuracy at or over it: more gold would
    only cost judgments. A proven reviewer is still spot-checked at PROVEN_GOLD_SHARE of the rate (the
    late Wilson check keeps watching), and answers that pull them under either bound put them back
    on the full rate. Proven and paused never hold together (tests/flows/test_gold_items.py).
    """
    correct, answered = standing.gold_correct, standing.gold_answered
    past_horizon = answered >= config.pause_after * HORIZON_FACTOR and correct / answered >= config.pause_below
    if past_horizon or (answered >= config.pause_after and wilson_lower(correct, answered) >= config.pause_below):
        return config.gold_rate * PROVEN_GOLD_SHARE
    return config.gold_rate


def test_of(
    flow: FlowDefinition, config: quality_config.QualityConfig
) -> tuple[team_tests.Qualification | None, int | None]:
    """Return (the qualification test the flow asks for, the work team id when it is the team's test)."""
    if not config.team_qualification:
        return config.qualification, None
    tags = Workteam.objects.filter(id=flow.workteam_id).values_list("tags", flat=True).first()
    test = team_tests.of_team_tags(tags)
    return test, (flow.workteam_id if test is not None else None)


def _standing(user: AbstractBaseUser, flow: FlowDefinition, config: quality_config.QualityConfig) -> ReviewerStanding:
    test, team_id = test_of(flow, config)
    standing, _ = ReviewerStanding.objects.get_or_create(
        worker_id=user.pk, flow_definition_id=flow.id, defaults={"held": test is not None}
    )
    if test is None or standing.qualified_at is not None or standing.paused_at is not None:
        return standing
    verdict = None
    if team_id is not None:
        verdict = WorkteamQualification.objects.filter(worker_id=user.pk, workteam_id=team_id).first()
    now = clock.now()
    if verdict is not None and verdict.passed:
        # Passed the team's test on another of its flows: qualified here too.
        standing.qualified_at, standing.held, standing.updated_at = verdict.decided_at, False, now
        ReviewerStanding.objects.filter(id=standing.id).update(
            qualified_at=verdict.decided_at, held=False, updated_at=now
        )
    elif verdict is not None:
        # Failed it elsewhere: held here as well, without a second audit record or notice.
        reason = f"failed the work team's qualification test on flow {verdict.taken_on}"[:512]
        standing.paused_at, standing.held, standing.pause_reason, standing.updated_at = now, True, reason, now
        ReviewerStanding.objects.filter(id=standing.id).update(
            paused_at=now, held=True, pause_reason=reason, updated_at=now
        )
    elif not standing.held:
        # Qualification switched on (AddTags) after the reviewer started: hold them until they pass.
        ReviewerStanding.objects.filter(id=standing.id).update(held=True)
        standing.held = True
    return standing


def _lease_gold(user: AbstractBaseUser, flow: FlowDefinition) -> ReviewTask | None:
    seen = TaskExclusion.objects.filter(worker_id=user.pk, human_loop_id=OuterRef("id"))
    candidates = list(
        HumanLoop.objects.filter(flow_definition=flow, is_gold=True, deleted_at__isnull=True)
        .filter(~Exists(seen))
        .values_list("id", flat=True)[:200]
    )
    if not candidates:
        return None
    loop_id = _random.choice(candidates)
    now = clock.now()
    try:
        with write_transaction():
            TaskExclusion.objects.create(worker_id=user.pk, human_loop_id=loop_id)
            task = ReviewTask.objects.create(
                human_loop_id=loop_id,
                flow_definition=flow,
                workteam_id=flow.workteam_id,
                state=ReviewTask.State.LEASED,
                worker=user,
                accepted_at=now,
                lease_expires_at=now + dt.timedelta(seconds=flow.task_time_limit_seconds),
                available_until=now + GOLD_LIFETIME,
                created_at=now,
            )
            audit.record_task("ClaimTask", user, task, account_id=flow.account_id)
    except IntegrityError:
        return None  # a parallel claim of this reviewer took this item
    return ReviewTask.objects.select_related("human_loop__template").get(id=task.id)


# --- Scoring ------------------------------------------------------------------------


def is_correct(given: dict[str, Any], known: dict[str, Any]) -> bool:
    """Whether an answer matches a gold answer on every categorical question the gold answer has.

    Categorical questions are those consolidation reads (labels, label lists,
    moderation labels, checkbox and radio objects); with none, the answers
    must be equal as JSON.
    """
    expected = quality_config.categorical_questions([known])
    if not expected:
        return json.dumps(given, sort_keys=True) == json.dumps(known, sort_keys=True)
    actual = quality_config.categorical_questions([known, given])
    return all(actual.get(path, [None, None])[1] == values[0] for path, values in expected.items())


def wilson_upper(correct: int, answered: int, z: float = WILSON_Z) -> float:
    """Return the upper end of the Wilson score interval of a success rate."""
    if answered == 0:
        return 1.0
    centre, spread = _wilson(correct, answered, z)
    return centre + spread


def wilson_lower(correct: int, answered: int, z: float = WILSON_Z) -> float:
    """Return the lower end of the Wilson score interval of a success rate."""
    if answered == 0:
        return 0.0
    centre, spread = _wilson(correct, answered, z)
    return centre - spread


def _wilson(correct: int, answered: int, z: float) -> tuple[float, float]:
    p = correct / answered
    centre = p + z * z / (2 * answered)
    spread = z * math.sqrt(p * (1 - p) / answered + z * z / (4 * answered * answered))
    scale = 1 + z * z / answered
    return centre / scale, spread / scale


def record_gold_answer(user: AbstractBaseUser, loop: HumanLoop, answer: dict[str, Any]) -> bool:
    """Score a gold answer and qualify or pause the reviewer (in the caller's transaction, loop locked).

    Returns True when this answer paused the reviewer: the caller (flows.loops.lifecycle, the
    writer of task states) then gives back the tasks they hold on the flow.
    """
    flow = lookups.flow_by_id(loop.flow_definition_id)
    config = quality_config.of_flow(flow)
    known = GoldItem.objects.filter(human_loop_id=loop.id).values_list("answer", flat=True).first()
    if known is None:
        return False
    correct = is_correct(answer, known)
    standing, _ = ReviewerStanding.objects.select_for_update().get_or_create(
        worker_id=user.pk, flow_definition_id=flow.id
    )
    standing.gold_answered += 1
    standing.gold_correct += int(correct)
    standing.updated_at = clock.now()
    fields = ["gold_answered", "gold_correct", "updated_at"]
    qualification, team_id = test_of(flow, config)
    if qualification is not None and standing.qualified_at is None and standing.paused_at is None:
        if standing.gold_answered >= qualification.gold_items:
            passed = standing.gold_correct / standing.gold_answered >= qualification.accuracy
            if team_id is not None:
                _record_team_verdict(user, team_id, flow, standing, passed)
            if passed:
                standing.qualified_at, standing.held = clock.now(), False
                fields += ["qualified_at", "held"]
            else:
                _pause(
                    standing,
                    flow,
                    f"failed qualification: {standing.gold_correct} of {standing.gold_answered} gold answers right, "
                    f"{qualification.accuracy:.0%} needed",
                )
                return True
    elif standing.paused_at is None and should_pause(standing.gold_correct, standing.gold_answered, config):
        _pause(
            standing,
            flow,
            f"gold accuracy {standing.gold_correct}/{standing.gold_answered} is below {config.pause_below:.0%}",
        )
        return True
    standing.save(update_fields=fields)
    return False


def _record_team_verdict(
    user: AbstractBaseUser, team_id: int, flow: FlowDefinition, standing: ReviewerStanding, passed: bool
) -> None:
    """Keep the reviewer's first verdict on the team's test: it decides every flow of the team that opts in."""
    WorkteamQualification.objects.get_or_create(
        worker_id=user.pk,
        workteam_id=team_id,
        defaults={
            "passed": passed,
            "gold_answered": standing.gold_answered,
            "gold_correct": standing.gold_correct,
            "taken_on": flow.name,
            "decided_at": clock.now(),
        },
    )
    audit.record_quality(
        "QualifyReviewer" if passed else "FailQualification",
        account_id=flow.account_id,
        resource=f"workteam/{team_id} worker/{user.pk}",
        reason=f"{standing.gold_correct} of {standing.gold_answered} right on flow {flow.name}",
    )


def should_pause(correct: int, answered: int, config: quality_config.QualityConfig) -> bool:
    """The pause rule, checked after each gold answer; the defaults' error rates are below.

    From `pause_after` gold answers on: paused once even the upper end of the one-sided 95% Wilson
    interval is under `pause_below` (clear cases, early; after the horizon it watches for a reviewer
    who gets worse). At the horizon, HORIZON_FACTOR x `pause_after` answers, the measured accuracy
    decides: under `pause_below` is paused. Without the horizon a reviewer answering at random slips
    through 30 gold answers 1 time in 22 (95.4% caught). With the defaults (10, 0.6) on 3 labels, exactly
    (tests/flows/test_gold_items.py): random answers are paused within 30 gold answers 99.8 times in
    100; a reviewer right 75% of the time is paused within 100 by mistake 2.5 times in 100, 80%: 0.4.
    No rule on gold answers alone does much better: within 30 answers, catching 99.5% of random
    reviewers costs at least 1.4% of the 75% ones (Neyman-Pearson; the same test file shows it).
    """
    if answered < config.pause_after:
        return False
    if answered == config.pause_after * HORIZON_FACTOR:
        return correct / answered < config.pause_below
    return wilson_upper(correct, answered) < config.pause_below


def _pause(standing: ReviewerStanding, flow: FlowDefinition, reason: str) -> None:
    now = clock.now()
    standing.paused_at, standing.held, standing.pause_reason, standing.updated_at = now, True, reason[:512], now
    standing.save()
    audit.record_quality(
        "PauseReviewer",
        account_id=flow.account_id,
        resource=f"flow-definition/{flow.name} worker/{standing.worker_id}",
        reason=reason,
        goldAnswered=standing.gold_answered,
        goldCorrect=standing.gold_correct,
    )
    enqueue_on_commit(jobs.NOTIFY_REVIEWER_PAUSED, standing.id)


def paused_worker_ids(flow_id: int) -> set[int]:
    """Return the user ids paused on the flow: consolidation leaves their answers out."""
    return set(
        ReviewerStanding.objects.filter(flow_definition_id=flow_id, paused_at__isnull=False).values_list(
            "worker_id", flat=True
        )
    )


def held_expression(user_id: int) -> Coalesce:
    """The claim's filter (ORM path): True when the task's flow holds this reviewer back.

    flows.loops.hot_sql says the same in SQL. A scalar subquery of the one standing per reviewer and
    flow, not an Exists: PostgreSQL estimates NOT EXISTS as an anti-join that leaves almost no open
    task, and then sorts them all instead of reading the open-task index in order (hot_sql's comment).
    """
    standing = ReviewerStanding.objects.filter(worker_id=user_id, flow_definition_id=OuterRef("flow_definition_id"))
    return Coalesce(Subquery(standing.values("held")[:1]), Value(False), output_field=BooleanField())


def notify_admins_of_pause(standing_id: int) -> int:
    """E-mail the account's admins that a reviewer was paused on a flow; returns how many were told."""
    standing = (
        ReviewerStanding.objects.select_related("flow_definition__account", "worker__worker")
        .filter(id=standing_id, paused_at__isnull=False)
        .first()
    )
    if standing is None:
        return 0
    flow = standing.flow_definition
    recipients = [email for email in flow.account.admins.values_list("email", flat=True) if email]
    if not recipients:
        return 0
    worker = getattr(standing.worker, "worker", None)
    send_mail(
        subject=f"Reviewer paused on flow {flow.name}",
        message=(
            f"Reviewer {standing.worker.get_username()} (workerId {worker.worker_id if worker else '-'}) no longer "
            f"gets tasks of the flow definition {flow.name}: {standing.pause_reason}.\n\n"
            "Their answers are left out of consolidation. To let them work again, clear the pause on their "
            "reviewer standing in the admin.\n"
        ),
        from_email=None,
        recipient_list=recipients,
    )
    return len(recipients)


def resume_reviewer(standing: ReviewerStanding) -> None:
    """Clear a reviewer's pause on a flow (an operator's decision); qualification still holds them if unpassed."""
    flow = lookups.flow_by_id(standing.flow_definition_id)
    held = test_of(flow, quality_config.of_flow(flow))[0] is not None and standing.qualified_at is None
    ReviewerStanding.objects.filter(id=standing.id).update(
        paused_at=None, pause_reason="", held=held, updated_at=clock.now()
    )
