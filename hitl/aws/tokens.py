"""Opaque pagination tokens (`NextToken`) for list operations.

Protocol: both. A token carries a keyset position (the sort key of the last
item returned), never an offset, so pages stay stable while rows are added or
deleted. It is bound to the request's filters: reusing it with other filters,
or sending anything this server did not issue, is a ValidationException.
Tokens are signed (HMAC with SECRET_KEY) so a client cannot forge positions.

    token = tokens.issue(["2024-05-01T09:30:12.345000+00:00", "loop-7"], filters)
    position = tokens.redeem(token, filters)   # -> ["2024-...", "loop-7"]
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

from django.conf import settings

from hitl.kernel.errors import InvalidInput

MAX_LENGTH = 8192
_SALT = b"hitl.aws.tokens"


def _digest(data: bytes) -> str:
    key = hashlib.sha256(_SALT + settings.SECRET_KEY.encode()).digest()
    return base64.urlsafe_b64encode(hmac.new(key, data, hashlib.sha256).digest()[:16]).decode().rstrip("=")


def _fingerprint(filters: dict[str, Any]) -> str:
    canonical = json.dumps(filters, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def issue(position: list[Any], filters: dict[str, Any]) -> str:
    """Return a token that resumes after `position` for exactly these `filters` (JSON-serialisable)."""
    payload = json.dumps({"p": position, "f": _fingerprint(filters)}, separators=(",", ":")).encode()
    body = base64.urlsafe_b64encode(payload).decode().rstrip("=")
    return f"{body}.{_digest(payload)}"


def redeem(token: str, filters: dict[str, Any]) -> list[Any]:
    """Return the position in `token`, or raise InvalidInput if it is foreign, tampered or for other filters."""
    invalid = InvalidInput(
        "The NextToken is not valid: pass the NextToken of the previous page unchanged, with the same filters."
    )
    if len(token) > MAX_LENGTH or "." not in token:
        raise invalid
    body, _, mac = token.partition(".")
    try:
        payload = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except ValueError:
        raise invalid from None
    if not hmac.compare_digest(_digest(payload), mac):
        raise invalid
    decoded = json.loads(payload)
    if decoded.get("f") != _fingerprint(filters):
        raise InvalidInput(
            "The NextToken was issued for a request with other filters: keep every parameter except "
            "MaxResults unchanged while paging."
        )
    return decoded["p"]
