"""Create an AWS-style access key for a user and print it in the AWS credentials-file form.

Output contract (other tools parse it): exactly two lines on stdout,

    aws_access_key_id = AKIA...
    aws_secret_access_key = ...

The secret is shown only here; the server keeps it encrypted.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from workforce.access_keys import create_access_key
from workforce.models import Account

DEFAULT_ACCOUNT = "default"


class Command(BaseCommand):
    help = "Create an access key for USERNAME and print it as aws_access_key_id / aws_secret_access_key lines."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--create-user", action="store_true", help="Create the user if it does not exist.")
        parser.add_argument(
            "--account",
            default=DEFAULT_ACCOUNT,
            help=f"Account (tenant) the key belongs to; created if missing. Default: {DEFAULT_ACCOUNT!r}.",
        )

    def handle(self, *args: Any, username: str, create_user: bool, account: str, **options: Any) -> None:
        user_model = get_user_model()
        with transaction.atomic():
            user = user_model.objects.filter(**{user_model.USERNAME_FIELD: username}).first()
            if user is None:
                if not create_user:
                    raise CommandError(f"User {username!r} does not exist; pass --create-user to create it.")
                user = user_model.objects.create_user(**{user_model.USERNAME_FIELD: username})
            tenant, _ = Account.objects.get_or_create(name=account)
            new_key = create_access_key(tenant, user=user)
        self.stdout.write(f"aws_access_key_id = {new_key.access_key.access_key_id}")
        self.stdout.write(f"aws_secret_access_key = {new_key.secret_access_key}")
