"""Encrypt secrets at rest (access-key secrets, OIDC client secrets, webhook and notification channel secrets).

SigV4 needs the plain secret to recompute signatures, so secrets are stored
encrypted (Fernet) rather than hashed. HITL_SECRET_ENCRYPTION_KEY is a
comma-separated list of keys, newest first: the first encrypts, every one
decrypts (MultiFernet), so a key is rotated by putting the new one in front,
running `manage.py reencrypt_secrets`, then dropping the old one. Each key is
any string; the Fernet key is derived from it with SHA-256.

A model that stores an encrypted secret names its field in ENCRYPTED_FIELDS
(the rotation command finds every such model) and may give it a plain-text
attribute with `encrypted_property`.
"""

from __future__ import annotations

import base64
import hashlib
from functools import cache

from cryptography.fernet import Fernet, MultiFernet
from django.apps import apps
from django.conf import settings
from django.db import models


def _keys() -> tuple[str, ...]:
    keys = tuple(key.strip() for key in settings.HITL_SECRET_ENCRYPTION_KEY.split(",") if key.strip())
    if not keys:
        raise ValueError("HITL_SECRET_ENCRYPTION_KEY holds no key")
    return keys


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(base64.urlsafe_b64encode(hashlib.sha256(key.encode()).digest())) for key in keys])


def encrypt(plain: str) -> str:
    """Return the encrypted token for `plain`, made with the newest key."""
    return _fernet(_keys()).encrypt(plain.encode()).decode()


def decrypt(token: str) -> str:
    """Return the plain text of an `encrypt` token made with any of the configured keys."""
    return _fernet(_keys()).decrypt(token.encode()).decode()


def reencrypt(token: str) -> str:
    """Return `token` encrypted again with the newest key (same plain text)."""
    return _fernet(_keys()).rotate(token.encode()).decode()


def encrypted_property(field: str) -> property:
    """A model attribute holding the plain secret of the encrypted `field`: read decrypts, set encrypts ("" stays "")."""

    def get(obj: models.Model) -> str:
        token = getattr(obj, field)
        return decrypt(token) if token else ""

    def set_(obj: models.Model, plain: str) -> None:
        setattr(obj, field, encrypt(plain) if plain else "")

    return property(get, set_, doc=f"The plain secret, stored encrypted in {field}.")


def encrypted_fields() -> list[tuple[type[models.Model], str]]:
    """Return (model, field) of every encrypted secret stored: each model's ENCRYPTED_FIELDS."""
    return [(model, field) for model in apps.get_models() for field in getattr(model, "ENCRYPTED_FIELDS", ())]
