"""Who an escalation adds (flows.definitions.deadlines' escalate-to) and which escalated loops a reviewer may claim.

An escalation step writes ClaimGrant rows (grant_claims, one statement per team or
reviewer added, however many loops); a claim reads them here. The granted loops of a reviewer are kept per process
for HITL_PROCESS_CACHE_SECONDS like the reviewer's teams (flows.loops.lookups), so a
claim of someone with no grant costs no query; a grant made in this process
takes effect at once, in other processes within that lifetime.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from flows.definitions.deadlines import EscalationTarget
from flows.models import ClaimGrant, HumanLoop
from hitl.kernel import clock
from hitl.kernel.insert_select import insert_select
from hitl.kernel.process_cache import ProcessCache
from hitl.kernel.transactions import write_transaction
from workforce.models import Workteam

MAX_GRANTED_LOOPS = 1000
_granted: ProcessCache[tuple[int, ...]] = ProcessCache("escalated loops of reviewers")


def reviewer_named(name: str):
    """Return the active user whose username (or, failing that, e-mail) is `name`, or None."""
    users = get_user_model().objects.filter(is_active=True)
    return users.filter(username=name).first() or users.filter(email__iexact=name).order_by("id").first()


def resolve(account_id: int, target: EscalationTarget) -> tuple[list[int], list[int]]:
    """Return (work team ids, user ids) an escalation of one of the account's loops adds."""
    team_ids = list(
        Workteam.objects.filter(account_id=account_id, name__in=target.team_names).values_list("id", flat=True)
    )
    user_ids = [user.pk for name in target.usernames if (user := reviewer_named(name)) is not None]
    return team_ids, user_ids


def grant_claims(loops: QuerySet[HumanLoop], *, team_ids: list[int], user_ids: list[int]) -> None:
    """Add work teams and reviewers who may claim the open tasks of `loops` (their escalation step).

    `loops` names loops still waiting (the caller's query; flows.loops.rules.deadline_step_due). One
    INSERT ... SELECT per team or reviewer, so escalating 100,000 loops costs a few statements. Idempotent:
    a grant that exists is kept. No loop row is locked: a grant on a loop that finishes meanwhile is
    harmless (claims take only open tasks).
    """
    now = clock.now()
    source = loops.order_by().values("id")
    targets = [("%s", "NULL", team_id) for team_id in team_ids] + [("NULL", "%s", user_id) for user_id in user_ids]
    with write_transaction():
        for team_value, user_value, target in targets:
            columns = {"human_loop": "src.id", "workteam": team_value, "user": user_value, "created_at": "%s"}
            insert_select(ClaimGrant, columns, source, [target, now])
    forget_grants()


def granted_loop_ids(user_id: int, team_ids: list[int]) -> list[int]:
    """Return the InProgress loops escalated to this reviewer or one of their teams (at most 1,000)."""

    def load() -> tuple[int, ...]:
        grants = ClaimGrant.objects.filter(Q(user_id=user_id) | Q(workteam_id__in=team_ids))
        grants = grants.filter(human_loop__status=HumanLoop.Status.IN_PROGRESS)
        return tuple(grants.values_list("human_loop_id", flat=True).distinct()[:MAX_GRANTED_LOOPS])

    return list(_granted.get((user_id, tuple(sorted(team_ids))), load) or ())


def may_claim(user_id: int, team_ids: list[int], loop: HumanLoop) -> bool:
    """Return whether the reviewer may take a task of `loop`: its team's member, or granted by an escalation."""
    if loop.flow_definition.workteam_id in team_ids:
        return True
    return ClaimGrant.objects.filter(Q(user_id=user_id) | Q(workteam_id__in=team_ids), human_loop_id=loop.id).exists()


def forget_grants() -> None:
    """Drop the cached grants (after an escalation wrote new ones)."""
    _granted.clear()
