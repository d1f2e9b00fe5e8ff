"""Encrypt every stored secret again with the newest HITL_SECRET_ENCRYPTION_KEY.

    HITL_SECRET_ENCRYPTION_KEY=<new>,<old> python manage.py reencrypt_secrets

Rotation: put the new key first (the old one still decrypts), run this, then
remove the old key. Safe to run again: a secret already under the newest key is
rewritten with the same plain text. Access-key secrets and OIDC client secrets.
"""

from __future__ import annotations

from typing import Any

from cryptography.fernet import InvalidToken
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from workforce import secrets
from workforce.models import AccessKey, Workforce

# (model, field holding the encrypted secret)
ENCRYPTED_FIELDS = ((AccessKey, "encrypted_secret"), (Workforce, "oidc_client_secret_encrypted"))


class Command(BaseCommand):
    help = "Re-encrypt access-key and OIDC client secrets with the first key of HITL_SECRET_ENCRYPTION_KEY."

    def handle(self, *args: Any, **options: Any) -> None:
        counts = []
        with transaction.atomic():
            for model, field in ENCRYPTED_FIELDS:
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
