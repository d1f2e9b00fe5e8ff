"""Create a reviewer (if missing) and make them a member of a work team.

    python manage.py add_worker USERNAME --workteam NAME [--password P] [--email E] [--account NAME]

Prints one summary line; fails with a clear message when the team does not exist.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from workforce import services
from workforce.models import Workteam


class Command(BaseCommand):
    help = "Create USERNAME if missing (with a worker identity) and add them to the work team --workteam."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--workteam", required=True, help="Name of the work team to join.")
        parser.add_argument("--password", help="Password to set (new users without one can only sign in via OIDC).")
        parser.add_argument("--email", help="Email address to set.")
        parser.add_argument(
            "--account",
            help="Account (tenant) of the team; needed only when several accounts have a team of that name.",
        )

    def handle(
        self,
        *args: Any,
        username: str,
        workteam: str,
        password: str | None,
        email: str | None,
        account: str | None,
        **options: Any,
    ) -> None:
        team = self._team(workteam, account)
        with transaction.atomic():
            existed = get_user_model().objects.filter(username=username).exists()
            user = services.ensure_reviewer(username, password=password, email=email)
            joined = services.add_member(team, user)
        who = "Existing user" if existed else "Created user"
        what = "added to" if joined else "already a member of"
        self.stdout.write(f"{who} {user.get_username()} {what} work team {team.name} (account {team.account.name}).")

    def _team(self, name: str, account: str | None) -> Workteam:
        teams = Workteam.objects.select_related("account").filter(name=name)
        if account is not None:
            teams = teams.filter(account__name=account)
        found = list(teams[:2])
        where = f" in account {account!r}" if account is not None else ""
        if not found:
            raise CommandError(
                f"Work team {name!r} does not exist{where}. Create it first (CreateWorkteam, or `manage.py demo`)."
            )
        if len(found) > 1:
            raise CommandError(f"Several accounts have a work team named {name!r}; choose one with --account NAME.")
        return found[0]
