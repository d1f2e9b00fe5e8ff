"""Create, look up, rotate and revoke AWS-style access keys.

The secret is returned once, at creation; afterwards only its encrypted form
is stored (workforce.secrets).
"""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass
from functools import lru_cache

from django.contrib.auth.models import AbstractBaseUser
from django.db.models.signals import post_delete, post_save

from hitl import clock
from hitl.process_cache import ProcessCache
from workforce import secrets as secret_box
from workforce.models import AccessKey, Account

_ID_ALPHABET = string.ascii_uppercase + "234567"
_SECRET_ALPHABET = string.ascii_letters + string.digits + "/+"


@dataclass(frozen=True)
class NewAccessKey:
    access_key: AccessKey
    secret_access_key: str


def create_access_key(
    account: Account,
    *,
    user: AbstractBaseUser | None = None,
    scope: str = AccessKey.Scope.FULL,
    allowed_flow_names: list[str] | None = None,
) -> NewAccessKey:
    """Create a key pair for `account`; the returned secret is never retrievable again."""
    access_key_id = "AKIA" + "".join(secrets.choice(_ID_ALPHABET) for _ in range(16))
    secret = "".join(secrets.choice(_SECRET_ALPHABET) for _ in range(40))
    key = AccessKey.objects.create(
        access_key_id=access_key_id,
        encrypted_secret=secret_box.encrypt(secret),
        account=account,
        user=user,
        scope=scope,
        allowed_flow_names=allowed_flow_names or [],
    )
    return NewAccessKey(access_key=key, secret_access_key=secret)


# Every API call looks its key up: cached per process (hitl.process_cache). A key revoked in this
# process stops working at once (revoke_access_key and any save or delete of a key or account clear
# the cache); in other web processes within HITL_PROCESS_CACHE_SECONDS.
_keys: ProcessCache[AccessKey] = ProcessCache("access keys")


def active_key(access_key_id: str) -> AccessKey | None:
    """Return the active key with this id (with its account), or None; cached per process for a few seconds."""
    return _keys.get(
        access_key_id,
        lambda: AccessKey.objects.select_related("account").filter(access_key_id=access_key_id, is_active=True).first(),
    )


def forget_cached_keys() -> None:
    """Drop every cached key, so the next call of each key reads the database."""
    _keys.clear()


for _model in (AccessKey, Account):
    post_save.connect(_keys.clear, sender=_model, dispatch_uid=f"access_keys_forget_on_{_model.__name__}_save")
    post_delete.connect(_keys.clear, sender=_model, dispatch_uid=f"access_keys_forget_on_{_model.__name__}_delete")


@lru_cache(maxsize=4096)
def _decrypted(encrypted_secret: str) -> str:
    # Decrypting costs ~50 us; signatures are checked on every call.
    return secret_box.decrypt(encrypted_secret)


def secret_of(key: AccessKey) -> str:
    """Return the plain secret of `key` (for signature verification only)."""
    return _decrypted(key.encrypted_secret)


def rotate_access_key(key: AccessKey) -> NewAccessKey:
    """Revoke `key` and create a replacement with the same account, user, scope and flows."""
    revoke_access_key(key)
    return create_access_key(
        key.account, user=key.user, scope=key.scope, allowed_flow_names=list(key.allowed_flow_names)
    )


def revoke_access_key(key: AccessKey) -> None:
    """Deactivate `key`; requests signed with it fail with UnrecognizedClientException."""
    AccessKey.objects.filter(id=key.id).update(is_active=False, revoked_at=clock.now())
    forget_cached_keys()
