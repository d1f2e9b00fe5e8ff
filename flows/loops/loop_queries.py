"""Read human loops for the API: describe one, list a flow's loops a page at a time.

Reads never change state, with one exception: a loop whose availability
lifetime has passed but which the expiry sweep has not reached yet is failed
through the lifecycle before it is described, so callers never see an
InProgress loop that can no longer finish.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q

from flows.loops import lifecycle, lookups
from flows.models import FlowDefinition, HumanLoop
from hitl.kernel import arns, clock
from hitl.kernel.errors import NotFound
from workforce.models import Account


@dataclass(frozen=True)
class LoopPage:
    """One page of loops; `last_key` is the (created_at, name) to resume after, or None at the end."""

    loops: list[HumanLoop]
    last_key: tuple[dt.datetime, str] | None


def get_human_loop(account: Account, name: str) -> HumanLoop:
    """Return the account's (non-deleted) loop `name`, with its flow, failing it first if it expired."""
    loop = _live_loops(account).filter(name=name).first()
    if loop is None:
        raise NotFound(f"Human loop {name} does not exist.")
    if loop.status == HumanLoop.Status.IN_PROGRESS and loop.expires_at <= clock.now():
        if lifecycle.expire_loop_if_due(loop.id):
            loop = _live_loops(account).get(id=loop.id)
    return loop


def flow_definition_by_arn(account: Account, flow_definition_arn: str) -> FlowDefinition:
    """Return the account's flow definition named by the ARN, or raise NotFound."""
    name = arns.parse_name("flow-definition", flow_definition_arn, account.aws_account_id)
    flow = lookups.flow_named(account, name, include_deleted=True) if name else None
    if flow is None:
        raise NotFound(f"Flow definition {flow_definition_arn} does not exist.")
    return flow


def list_human_loops(
    flow: FlowDefinition,
    *,
    created_after: dt.datetime | None = None,
    created_before: dt.datetime | None = None,
    ascending: bool = False,
    limit: int = 10,
    after: tuple[dt.datetime, str] | None = None,
    fields: tuple[str, ...] | None = None,
) -> LoopPage:
    """Return up to `limit` non-deleted loops of `flow`, ordered by (created_at, name), resuming after `after`.

    Keyset pagination: `after` is the last key of the previous page, so rows
    added or deleted meanwhile never shift the pages. after <= created_at is
    inclusive, created_before exclusive. `fields` loads only those columns (a page
    of summaries need not decode each loop's input JSON).
    """
    loops = HumanLoop.objects.filter(flow_definition=flow, deleted_at__isnull=True, is_gold=False)
    if fields is not None:
        loops = loops.only(*fields, "created_at", "name")
    if created_after is not None:
        loops = loops.filter(created_at__gte=created_after)
    if created_before is not None:
        loops = loops.filter(created_at__lt=created_before)
    if after is not None:
        created_at, name = after
        if ascending:
            loops = loops.filter(Q(created_at__gt=created_at) | Q(created_at=created_at, name__gt=name))
        else:
            loops = loops.filter(Q(created_at__lt=created_at) | Q(created_at=created_at, name__lt=name))
    order = ("created_at", "name") if ascending else ("-created_at", "-name")
    rows = list(loops.order_by(*order)[: limit + 1])
    page = rows[:limit]
    last_key = (page[-1].created_at, page[-1].name) if len(rows) > limit else None
    return LoopPage(loops=page, last_key=last_key)


def _live_loops(account: Account):
    return HumanLoop.objects.filter(account=account, deleted_at__isnull=True, is_gold=False).select_related(
        "flow_definition"
    )
