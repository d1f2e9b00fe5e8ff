"""Cached reads of the rows every hot request needs: flow definitions and reviewers' teams.

Starts and lists look their flow up by name, and every next-task call its
reviewer's teams; both change rarely. They are kept per web process for
HITL_PROCESS_CACHE_SECONDS (hitl.kernel.process_cache): a flow deleted, or a
reviewer removed from a team, in this process takes effect at once, in other
processes within that lifetime.
"""

from __future__ import annotations

from django.db.models import F
from django.db.models.signals import post_delete, post_save

from flows.models import FlowDefinition
from hitl.kernel.process_cache import ProcessCache
from workforce.models import Account, Workteam, WorkteamMembership

_flows: ProcessCache[FlowDefinition] = ProcessCache("flow definitions")
_team_ids: ProcessCache[tuple[int, ...]] = ProcessCache("reviewer teams")
_reviewer_flows: ProcessCache[tuple[FlowDefinition, ...]] = ProcessCache("reviewer flows by name")
_team_flows: ProcessCache[tuple[FlowDefinition, ...]] = ProcessCache("live flows of teams")

for _cache, _models in (
    (_flows, (FlowDefinition, Account)),
    (_team_ids, (WorkteamMembership, Workteam)),
    (_reviewer_flows, (FlowDefinition, Account, WorkteamMembership, Workteam)),
    (_team_flows, (FlowDefinition, Account, Workteam)),
):
    for _model in _models:
        uid = f"{_cache.name}_forget_on_{_model.__name__}"
        post_save.connect(_cache.clear, sender=_model, dispatch_uid=f"{uid}_save")
        post_delete.connect(_cache.clear, sender=_model, dispatch_uid=f"{uid}_delete")


def flow_named(account: Account, name: str, *, include_deleted: bool = False) -> FlowDefinition | None:
    """Return the account's flow definition `name` (a soft-deleted one only with include_deleted)."""

    def load() -> FlowDefinition | None:
        flows = FlowDefinition.objects.filter(account_id=account.id, name=name)
        if not include_deleted:
            flows = flows.filter(deleted_at__isnull=True)
        # A live flow wins over soft-deleted ones that had the same name.
        return flows.order_by(F("deleted_at").asc(nulls_first=True), "-id").first()

    return _flows.get((account.id, name, include_deleted), load)


def flow_by_id(flow_id: int) -> FlowDefinition:
    """Return the flow definition `flow_id` (deleted or not), with its account.

    A loop reads what its flow says about its tasks (count, time limits, output path) from the
    flow version it is pinned to (flows.definitions.versions), never from this row.
    """
    flow = _flows.get(flow_id, lambda: FlowDefinition.objects.select_related("account").filter(id=flow_id).first())
    if flow is None:
        raise FlowDefinition.DoesNotExist(f"flow definition {flow_id}")
    return flow


def forget_flows() -> None:
    """Drop the cached flows (after a write that bypasses model signals)."""
    _flows.clear()
    _reviewer_flows.clear()
    _team_flows.clear()


def team_ids_of(user_id: int) -> list[int]:
    """Return the ids of the work teams the user belongs to."""
    ids = _team_ids.get(
        user_id, lambda: tuple(WorkteamMembership.objects.filter(user_id=user_id).values_list("workteam_id", flat=True))
    )
    return list(ids or ())


def reviewer_flows_named(user_id: int, name: str) -> list[FlowDefinition]:
    """Return the live flows called `name` of the user's teams (one per account), with their accounts."""

    def load() -> tuple[FlowDefinition, ...]:
        # One query (memberships are unique per team and user), with the account: a payload names the flow by ARN.
        flows = FlowDefinition.objects.filter(
            name=name, workteam__memberships__user_id=user_id, deleted_at__isnull=True
        ).select_related("account")
        return tuple(flows.order_by("id"))

    return list(_reviewer_flows.get((user_id, name), load) or ())


def live_flows_of_teams(team_ids: list[int]) -> list[FlowDefinition]:
    """Return the live flows of these work teams, with their accounts (quality rules read their tags)."""
    key = tuple(sorted(team_ids))

    def load() -> tuple[FlowDefinition, ...]:
        flows = FlowDefinition.objects.filter(workteam_id__in=key, deleted_at__isnull=True).select_related("account")
        return tuple(flows.order_by("id"))

    return list(_team_flows.get(key, load) or ())
