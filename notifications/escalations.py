"""Escalation steps in bulk: every loop that came due escalated in a few statements, one message per reviewer.

An escalation step (hitl:deadline:escalate-at, or the deadline with on-timeout
escalate) over the loops of a flow version that came due is, however many they
are: one INSERT ... SELECT of ClaimGrant rows per team or reviewer added
(flows.loops.escalation.grant_claims), a count, and, for
the whole sweep, one Delivery per reviewer (e-mail) and per shared channel
listing every loop escalated to them. notifications.sweeps runs a sweep's
escalations in one transaction: one killed halfway took no step, granted
nothing and recorded no message, and its re-run does all of it once.

No row is written per loop for the step itself: the step cursor (StepCursor,
locked by the sweep's transaction) is the set-level record. It moves past the
range of loops it escalated in the same commit as their grants and messages,
so a loop is escalated once however often or concurrently the sweep runs (a
second sweep waits on the cursor row, then starts where the first ended).
ClaimGrant stays unique per loop and team or reviewer, so a grant is never
doubled either.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from flows.loops import escalation
from flows.models import FlowDefinition, HumanLoop
from notifications import channels, delivery, messages
from notifications.models import Channel, Delivery
from workforce.models import Workteam


@dataclass(frozen=True)
class Taken:
    """One flow version's escalation step in one sweep: what the message says and who it adds."""

    escalated: messages.Escalated
    team_ids: tuple[int, ...]
    user_ids: tuple[int, ...]
    # (step cursor id, smallest loop id taken): no other sweep takes that loop past that cursor, so the
    # smallest of a sweep's parts names its messages (dedupe keys).
    first: tuple[int, int]


def take(
    flow: FlowDefinition,
    due: QuerySet[HumanLoop],
    cursor_id: int,
    targets: tuple[list[int], list[int]],
    deadline: str,
) -> Taken | None:
    """Grant every loop of `due` (one flow version's, past one step cursor) to `targets` (team ids, user ids).

    `due` is the range of loops the caller's step cursor, locked in the caller's transaction, moves past:
    each loop is in one range of a cursor, so this is the one time its step is taken (no row per loop).
    """
    count = due.count()
    if not count:
        return None
    team_ids, user_ids = targets
    if team_ids or user_ids:
        escalation.grant_claims(due, team_ids=team_ids, user_ids=user_ids)
    shown = list(due.order_by("id").values("id", "name")[: messages.SHOWN_LOOPS])
    return Taken(
        escalated=messages.Escalated(flow=flow, count=count, shown=shown, deadline=deadline),
        team_ids=tuple(team_ids),
        user_ids=tuple(user_ids),
        first=(cursor_id, shown[0]["id"]),
    )


@dataclass
class _Recipient:
    channel: Channel
    user_id: int | None  # None: a shared channel (Slack, Teams, webhook)
    team_id: int | None  # the team it is reached through (its unsubscribe link); None: a named reviewer
    parts: list[messages.Escalated]


def tell(taken: list[Taken]) -> int:
    """Record one escalation message per reviewer and shared channel for all of `taken`; return how many."""
    if not taken:
        return 0
    recipients = _recipients(taken)
    cursor_id, loop_id = min(part.first for part in taken)
    batch = f"escalation:{cursor_id}:{loop_id}"
    rows = [
        Delivery(
            account_id=who.channel.account_id,
            channel=who.channel,
            recipient_id=who.user_id,
            workteam_id=who.team_id,
            kind=Delivery.Kind.ESCALATION,
            dedupe_key=f"{batch}:{who.channel.id}:{who.user_id or '-'}",
            message=messages.escalation(who.parts, user_id=who.user_id, team_id=who.team_id),
        )
        for who in recipients.values()
    ]
    return delivery.record(rows)


def _recipients(taken: list[Taken]) -> dict[tuple[int, int | None], _Recipient]:
    """Who hears of each part: a team's listeners and shared channels, and named reviewers, each once."""
    teams = {team.id: team for team in Workteam.objects.filter(id__in={t for part in taken for t in part.team_ids})}
    team_channels = channels.channels_by_team(list(teams.values()))
    listeners = {team_id: [user.pk for user in channels.listeners(team_id)] for team_id in team_channels}
    accounts = {part.escalated.flow.account_id for part in taken if part.user_ids}
    # Named reviewers have no team of their own: they are e-mailed through the account's (oldest) e-mail channel.
    email: dict[int, Channel] = {}
    for channel in Channel.objects.filter(account_id__in=accounts, kind=Channel.Kind.EMAIL, is_active=True).order_by(
        "id"
    ):
        email.setdefault(channel.account_id, channel)
    found: dict[tuple[int, int | None], _Recipient] = {}

    def add(channel: Channel, user_id: int | None, team_id: int | None, part: messages.Escalated) -> None:
        who = found.setdefault((channel.id, user_id), _Recipient(channel, user_id, team_id, []))
        if part not in who.parts:
            who.parts.append(part)

    for part in taken:
        for team_id in part.team_ids:
            for channel in team_channels.get(team_id, []):
                for user_id in listeners[team_id] if channel.per_reviewer else [None]:
                    add(channel, user_id, team_id, part.escalated)
        if (channel := email.get(part.escalated.flow.account_id)) is not None:
            for user_id in part.user_ids:
                add(channel, user_id, None, part.escalated)
    return found
