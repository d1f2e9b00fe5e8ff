"""Which channels notify a work team, and who on it wants to hear: A2I's NotificationTopicArn, mapped.

A work team's `NotificationConfiguration.NotificationTopicArn` (CreateWorkteam /
UpdateWorkteam, stored as sent) names an SNS topic; hitl sends nothing to SNS
but to every active Channel of the team's account with that `topic_arn`.
"""

from __future__ import annotations

from collections import defaultdict

from django.contrib.auth import get_user_model

from notifications.models import Channel, TeamOptOut
from workforce.models import Workteam


def topic_arn_of(team: Workteam) -> str:
    """Return the SNS topic ARN the team's NotificationConfiguration names, or ""."""
    config = team.notification_config if isinstance(team.notification_config, dict) else {}
    arn = config.get("NotificationTopicArn")
    return arn if isinstance(arn, str) else ""


def channels_by_team(teams: list[Workteam]) -> dict[int, list[Channel]]:
    """Return the active channels of each team (by id) whose topic ARN names them; teams without any are left out."""
    arns = {(team.account_id, topic_arn_of(team)) for team in teams if topic_arn_of(team)}
    if not arns:
        return {}
    channels = Channel.objects.filter(
        is_active=True,
        account_id__in={account for account, _ in arns},
        topic_arn__in={arn for _, arn in arns},
    )
    by_topic: dict[tuple[int, str], list[Channel]] = defaultdict(list)
    for channel in channels:
        by_topic[(channel.account_id, channel.topic_arn)].append(channel)
    result = {team.id: by_topic[(team.account_id, topic_arn_of(team))] for team in teams}
    return {team_id: found for team_id, found in result.items() if found}


def notified_teams() -> tuple[list[Workteam], dict[int, list[Channel]]]:
    """Return every work team some active channel notifies, with those channels."""
    topics = set(Channel.objects.filter(is_active=True).values_list("account_id", "topic_arn"))
    if not topics:
        return [], {}
    teams = [
        team
        for team in Workteam.objects.filter(account_id__in={account for account, _ in topics})
        if (team.account_id, topic_arn_of(team)) in topics
    ]
    return teams, channels_by_team(teams)


def listeners(team_id: int) -> list:
    """Return the team's active members who did not turn its notifications off, by id."""
    opted_out = TeamOptOut.objects.filter(workteam_id=team_id).values("user_id")
    users = get_user_model().objects.filter(memberships__workteam_id=team_id, is_active=True)
    return list(users.exclude(id__in=opted_out).order_by("id"))


def wants(user_id: int, team_id: int | None) -> bool:
    """Return whether a reviewer still hears from this team (None: a named reviewer, not through a team)."""
    return team_id is None or not TeamOptOut.objects.filter(user_id=user_id, workteam_id=team_id).exists()
