"""`Authorization: Token <key>` for the reviewer JSON API (keys from create_worker_token)."""

from __future__ import annotations

import datetime as dt
import hashlib

from rest_framework import authentication, exceptions

from hitl import clock
from workforce.models import WorkerToken

# As for access keys (hitl/aws/sigv4.py): writing last_used_at on every call turns each read into a write.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


class WorkerTokenAuthentication(authentication.TokenAuthentication):
    keyword = "Token"

    def authenticate_credentials(self, key: str):
        digest = hashlib.sha256(key.encode()).hexdigest()
        token = WorkerToken.objects.select_related("user").filter(key_sha256=digest).first()
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed("Invalid or revoked worker token.")
        now = clock.now()
        if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
            WorkerToken.objects.filter(id=token.id).update(last_used_at=now)
        return (token.user, token)
