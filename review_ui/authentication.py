"""`Authorization: Token <key>` for the reviewer JSON API (keys from create_worker_token)."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.contrib.auth import get_user_model
from django.db.models.signals import post_delete, post_save
from rest_framework import authentication, exceptions

from hitl.kernel import clock
from hitl.kernel.process_cache import ProcessCache
from workforce.models import WorkerToken

# As for access keys (hitl/aws/sigv4.py): writing last_used_at on every call turns each read into a write.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)

# Every reviewer API call looks its token up: cached per process (hitl.kernel.process_cache). Deleting a
# token or deactivating its user empties the cache of this process at once, others within its lifetime.
_tokens: ProcessCache[WorkerToken] = ProcessCache("worker tokens")
for _model in (WorkerToken, get_user_model()):
    post_save.connect(_tokens.clear, sender=_model, dispatch_uid=f"worker_tokens_forget_on_{_model.__name__}_save")
    post_delete.connect(_tokens.clear, sender=_model, dispatch_uid=f"worker_tokens_forget_on_{_model.__name__}_delete")


def token_for(key: str) -> WorkerToken | None:
    """Return the token (with its user) whose key is `key`, or None."""
    digest = hashlib.sha256(key.encode()).hexdigest()
    return _tokens.get(digest, lambda: WorkerToken.objects.select_related("user").filter(key_sha256=digest).first())


class WorkerTokenAuthentication(authentication.TokenAuthentication):
    keyword = "Token"

    def authenticate_credentials(self, key: str):
        token = token_for(key)
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed("Invalid or revoked worker token.")
        now = clock.now()
        if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
            WorkerToken.objects.filter(id=token.id).update(last_used_at=now)
            token.last_used_at = now  # the cached copy too, or every later call would write again
        return (token.user, token)
