"""Create a reviewer API token for a user (`Authorization: Token <key>`).

Output contract (scripts parse it): the token is the LAST line on stdout.
Only its SHA-256 is stored, so it is shown only here.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from workforce.models import Worker
from workforce.services import ensure_reviewer
from workforce.tokens import create_worker_token


class Command(BaseCommand):
    help = "Create a reviewer API token for USERNAME and print it as the last line."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--create-user", action="store_true", help="Create the user if it does not exist.")

    def handle(self, *args: Any, username: str, create_user: bool, **options: Any) -> None:
        user_model = get_user_model()
        with transaction.atomic():
            user = user_model.objects.filter(**{user_model.USERNAME_FIELD: username}).first()
            if user is None:
                if not create_user:
                    raise CommandError(f"User {username!r} does not exist; pass --create-user to create it.")
                user = ensure_reviewer(username)
            # Answers name their reviewer's Worker identity in output.json.
            Worker.objects.get_or_create(user=user, defaults={"identity_provider_type": "Cognito", "sub": username})
            key = create_worker_token(user)
        self.stderr.write(f"Created a reviewer API token for {username}; it is shown only once.")
        self.stdout.write(key)
