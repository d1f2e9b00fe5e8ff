"""Reviewer API tokens: created once, shown once, stored as their SHA-256."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import AbstractBaseUser

from workforce.models import WorkerToken


def hash_token(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_worker_token(user: AbstractBaseUser) -> str:
    """Create a token for `user` and return its key; only the hash is stored, so it cannot be shown again."""
    key = secrets.token_urlsafe(32)
    WorkerToken.objects.create(user=user, key_sha256=hash_token(key))
    return key
