"""Who may see what outside the AWS API: account admins, team leads, reviewers.

API clients are access keys (AccessKey.scope and allowed_flow_names, checked by
the API layer); the people roles are:

* account admin: `Account.admins` (or a superuser): every team of the account;
* team lead: `WorkteamMembership.role == "lead"`: their team's queue and throughput;
* reviewer: a member of a team: only the tasks they hold (flows.lifecycle).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from workforce.models import Workteam, WorkteamMembership


def supervised_teams(user) -> QuerySet[Workteam]:
    """Return the teams whose queue `user` may watch: led by them or in an account they administer."""
    if not user.is_authenticated:
        return Workteam.objects.none()
    if user.is_superuser:
        return Workteam.objects.all()
    led = WorkteamMembership.objects.filter(user=user, role=WorkteamMembership.Role.LEAD).values("workteam_id")
    return Workteam.objects.filter(Q(id__in=led) | Q(account__admins=user)).distinct()


def is_team_lead(user, team: Workteam) -> bool:
    """Return True when `user` leads `team`."""
    return WorkteamMembership.objects.filter(user=user, workteam=team, role=WorkteamMembership.Role.LEAD).exists()
