"""Issue temporary credentials for an access key and print them in the AWS credentials-file form.

Output contract (other tools parse it): exactly four lines on stdout,

    aws_access_key_id = ASIA...
    aws_secret_access_key = ...
    aws_session_token = ...
    # expires 2026-12-01T21:40:00Z

The same credentials as STS GetSessionToken at the API endpoint: they act for
the key with its account, scope and flows, and fail with ExpiredTokenException
once expired.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from workforce import access_keys
from workforce.api.sts import GET_SESSION_TOKEN_DEFAULT, GET_SESSION_TOKEN_MAX


class Command(BaseCommand):
    help = "Issue session credentials (id, secret, session token) for ACCESS_KEY_ID, valid for --duration seconds."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("access_key_id", help="An active long-term key (AKIA...).")
        parser.add_argument(
            "--duration",
            type=int,
            default=GET_SESSION_TOKEN_DEFAULT,
            help=f"Lifetime in seconds, {access_keys.MIN_SESSION_SECONDS}-{GET_SESSION_TOKEN_MAX}. "
            f"Default: {GET_SESSION_TOKEN_DEFAULT}.",
        )

    def handle(self, *args: Any, access_key_id: str, duration: int, **options: Any) -> None:
        key = access_keys.active_key(access_key_id)
        if key is None:
            raise CommandError(f"No active access key {access_key_id!r}.")
        if key.is_temporary:
            raise CommandError(f"{access_key_id} is itself temporary; issue sessions from a long-term key.")
        if not access_keys.MIN_SESSION_SECONDS <= duration <= GET_SESSION_TOKEN_MAX:
            raise CommandError(
                f"--duration must be from {access_keys.MIN_SESSION_SECONDS} to {GET_SESSION_TOKEN_MAX} seconds."
            )
        new = access_keys.create_session_key(key, duration_seconds=duration)
        self.stdout.write(f"aws_access_key_id = {new.access_key.access_key_id}")
        self.stdout.write(f"aws_secret_access_key = {new.secret_access_key}")
        self.stdout.write(f"aws_session_token = {new.session_token}")
        self.stdout.write(f"# expires {new.access_key.expires_at.strftime('%Y-%m-%dT%H:%M:%SZ')}")
