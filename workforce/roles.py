"""Who may see what outside the AWS API: account admins, team leads, reviewers.

API clients are access keys (AccessKey.scope and allowed_flow_names, checked by
the API layer); the people roles are:

* account admin: `Account.admins` (or a superuser): every team of the account, and the
  account's rows on every staff page (`administered_accounts`, `scope_to_accounts`);
* team lead: `WorkteamMembership.role == "lead"`: their team's queue and throughput;
* reviewer: a member of a team: only the tasks they hold (flows.loops.lifecycle).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from hitl.kernel.errors import AccessDenied
from workforce.models import Account, Workteam, WorkteamMembership


def administered_accounts(user) -> QuerySet[Account]:
    """Return the accounts whose data `user` may see on staff pages: all for a superuser, else Account.admins.

    Every staff-facing page (admin, template preview, /ops/, exports) scopes its rows with this or
    `scope_to_accounts`, so a second account's admin sees nothing of the first's.
    """
    if not user.is_authenticated or not user.is_active:
        return Account.objects.none()
    if user.is_superuser:
        return Account.objects.all()
    return Account.objects.filter(admins=user)


def scope_to_accounts(queryset: QuerySet, user, account_path: str = "account") -> QuerySet:
    """Return `queryset` limited to rows of the accounts `user` administers (see administered_accounts).

    `account_path` is the lookup from the queryset's model to its Account ("" for Account itself).
    """
    if user.is_authenticated and user.is_active and user.is_superuser:
        return queryset
    lookup = f"{account_path}__in" if account_path else "id__in"
    return queryset.filter(**{lookup: administered_accounts(user).values("id")})


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


def staff_account(user, aws_account_id: str) -> Account:
    """Return the account `aws_account_id` if staff user `user` administers it; else raise AccessDenied."""
    account = administered_accounts(user).filter(aws_account_id=aws_account_id).first() if user.is_staff else None
    if account is None:
        raise AccessDenied(f"You do not administer account {aws_account_id}.")
    return account
