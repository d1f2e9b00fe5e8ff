"""Encrypt secrets at rest (access-key secrets, OIDC client secrets).

SigV4 needs the plain secret to recompute signatures, so secrets are stored
encrypted (Fernet) rather than hashed. The key is derived from
HITL_SECRET_ENCRYPTION_KEY (which defaults to DJANGO_SECRET_KEY).
"""

from __future__ import annotations

import base64
import hashlib
from functools import cache

from cryptography.fernet import Fernet
from django.conf import settings


@cache
def _fernet(key_material: str) -> Fernet:
    key = base64.urlsafe_b64encode(hashlib.sha256(key_material.encode()).digest())
    return Fernet(key)


def encrypt(plain: str) -> str:
    """Return the encrypted token for `plain`."""
    return _fernet(settings.HITL_SECRET_ENCRYPTION_KEY).encrypt(plain.encode()).decode()


def decrypt(token: str) -> str:
    """Return the plain text of an `encrypt` token."""
    return _fernet(settings.HITL_SECRET_ENCRYPTION_KEY).decrypt(token.encode()).decode()
