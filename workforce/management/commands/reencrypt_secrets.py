"""Encrypt every stored secret again with the newest HITL_SECRET_ENCRYPTION_KEY.

    HITL_SECRET_ENCRYPTION_KEY=<new>,<old> python manage.py reencrypt_secrets

Rotation: put the new key first (the old one still decrypts), run this, then
remove the old key. Safe to run again: a secret already under the newest key is
rewritten with the same plain text. Every model's ENCRYPTED_FIELDS
(workforce.secrets.encrypted_fields): access-key and OIDC client secrets,
status-event webhook endpoint secrets, notification channel secrets (Slack
signing secrets, Standard Webhooks secrets).
"""

from __future__ import annotations

from typing import Any

from cryptography.fernet import InvalidToken
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from workforce import secrets


class Command(BaseCommand):
    help = "Re-encrypt every stored secret with the first key of HITL_SECRET_ENCRYPTION_KEY."

    def handle(self, *args: Any, **options: Any) -> None:
        counts = []
        with transaction.atomic():
            for model, field in secrets.encrypted_fields():
                rows = model.objects.exclude(**{field: ""}).select_for_update().values_list("pk", field)
                for pk, token in rows:
                    try:
                        fresh = secrets.reencrypt(token)
                    except InvalidToken:
                        raise CommandError(
                            f"{model._meta.verbose_name} {pk}: no key in HITL_SECRET_ENCRYPTION_KEY decrypts its "
                            "secret; add the key it was encrypted with (after the new one) and run again. "
                            "Nothing was changed."
                        ) from None
                    # A queryset update: the plain secret is unchanged, so the process caches stay right.
                    model.objects.filter(pk=pk).update(**{field: fresh})
                counts.append(f"{len(rows)} {model._meta.verbose_name_plural}")
        self.stdout.write(f"Re-encrypted with the newest key: {', '.join(counts)}.")
