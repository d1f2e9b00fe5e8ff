"""Create, look up, rotate and revoke AWS-style access keys.

The secret is returned once, at creation; afterwards only its encrypted form
is stored (workforce.secrets).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import string
from dataclasses import dataclass
from functools import lru_cache

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q
from django.db.models.signals import post_delete, post_save

from hitl.aws.credentials import SessionTokenProblem
from hitl.kernel import clock
from hitl.kernel.process_cache import ProcessCache
from workforce import secrets as secret_box
from workforce.models import AccessKey, Account

_ID_ALPHABET = string.ascii_uppercase + "234567"
_SECRET_ALPHABET = string.ascii_letters + string.digits + "/+"


@dataclass(frozen=True)
class NewAccessKey:
    access_key: AccessKey
    secret_access_key: str
    session_token: str = ""  # only for temporary keys


# STS's bounds: GetSessionToken 15 min to 36 h (default 12 h), AssumeRole 15 min to 12 h (default 1 h).
MIN_SESSION_SECONDS = 900
MAX_SESSION_SECONDS = 129_600


def create_access_key(
    account: Account,
    *,
    user: AbstractBaseUser | None = None,
    scope: str = AccessKey.Scope.FULL,
    allowed_flow_names: list[str] | None = None,
) -> NewAccessKey:
    """Create a key pair for `account`; the returned secret is never retrievable again."""
    access_key_id, secret = _new_key_id("AKIA"), _new_secret()
    key = AccessKey.objects.create(
        access_key_id=access_key_id,
        encrypted_secret=secret_box.encrypt(secret),
        account=account,
        user=user,
        scope=scope,
        allowed_flow_names=allowed_flow_names or [],
    )
    return NewAccessKey(access_key=key, secret_access_key=secret)


def create_session_key(issuer: AccessKey, *, duration_seconds: int) -> NewAccessKey:
    """Issue temporary credentials (ASIA... id, secret, session token) that expire after `duration_seconds`.

    They act for the long-term key behind `issuer` (itself, or the key that issued a
    session `issuer`), with its account, user, scope and flows, and never outlive
    the issuing session. Revoking the long-term key revokes them.
    """
    root = issuer.parent if issuer.parent_id else issuer
    expires_at = clock.now() + dt.timedelta(seconds=duration_seconds)
    if issuer.expires_at is not None:
        expires_at = min(expires_at, issuer.expires_at)
    access_key_id, secret = _new_key_id("ASIA"), _new_secret()
    # Long and opaque, as AWS's are; only its hash is stored.
    token = secrets.token_urlsafe(96)
    key = AccessKey.objects.create(
        access_key_id=access_key_id,
        encrypted_secret=secret_box.encrypt(secret),
        account=root.account,
        user=root.user,
        scope=root.scope,
        allowed_flow_names=list(root.allowed_flow_names),
        parent=root,
        session_token_sha256=_token_hash(token),
        expires_at=expires_at,
    )
    return NewAccessKey(access_key=key, secret_access_key=secret, session_token=token)


def sync_session_keys(key: AccessKey) -> None:
    """Give the live sessions issued by `key` its current user, scope and flows (after an edit of `key`)."""
    AccessKey.objects.filter(parent=key, is_active=True).update(
        user=key.user, scope=key.scope, allowed_flow_names=list(key.allowed_flow_names)
    )
    forget_cached_keys()


def check_session_token(key: AccessKey, token: str | None) -> None:
    """Raise SessionTokenProblem unless `token` is right for `key` (none for a long-term key)."""
    if not key.is_temporary:
        if token:  # a token with a long-term key id: credentials this server never issued
            raise SessionTokenProblem(expired=False)
        return
    if not token or not hmac.compare_digest(_token_hash(token), key.session_token_sha256):
        raise SessionTokenProblem(expired=False)
    if key.expires_at <= clock.now():
        raise SessionTokenProblem(expired=True)


# Writing last_used_at on every call would turn each read into a write.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def touch(key: AccessKey) -> None:
    """Record that `key` signed a request now, at most once per LAST_USED_RESOLUTION."""
    now = clock.now()
    if _touch_due(key, now):
        AccessKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now


def _touch_due(key: AccessKey, now: dt.datetime) -> bool:
    return key.last_used_at is None or now - key.last_used_at >= LAST_USED_RESOLUTION


def _new_key_id(prefix: str) -> str:
    return prefix + "".join(secrets.choice(_ID_ALPHABET) for _ in range(16))


def _new_secret() -> str:
    return "".join(secrets.choice(_SECRET_ALPHABET) for _ in range(40))


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# Every API call looks its key up: cached per process (hitl.kernel.process_cache). A key revoked in this
# process stops working at once (revoke_access_key and any save or delete of a key or account clear
# the cache); in other web processes within HITL_PROCESS_CACHE_SECONDS.
_keys: ProcessCache[AccessKey] = ProcessCache("access keys")


def active_key(access_key_id: str) -> AccessKey | None:
    """Return the active key with this id (with its account), or None; cached per process for a few seconds."""
    return _keys.get(
        access_key_id,
        lambda: (
            AccessKey.objects.select_related("account", "parent")
            .filter(access_key_id=access_key_id, is_active=True)
            .first()
        ),
    )


def cached_key(access_key_id: str) -> AccessKey | None:
    """The active key from this process's cache, with no database read; None if absent or its touch is due."""
    key = _keys.peek(access_key_id)
    return None if key is None or _touch_due(key, clock.now()) else key


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
    """Deactivate `key` and the sessions it issued; requests signed with them fail with UnrecognizedClientException."""
    AccessKey.objects.filter(Q(id=key.id) | Q(parent_id=key.id)).filter(is_active=True).update(
        is_active=False, revoked_at=clock.now()
    )
    forget_cached_keys()
