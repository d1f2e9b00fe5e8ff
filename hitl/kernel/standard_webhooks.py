"""Standard Webhooks signatures (https://www.standardwebhooks.com): the three headers and their HMAC.

    webhook-id:        the message id, the same on every retry (receivers deduplicate on it)
    webhook-timestamp: seconds since the epoch when this attempt was signed
    webhook-signature: "v1," + base64(HMAC-SHA256(key, f"{id}.{timestamp}.{body}"))

The key of a `whsec_<base64>` secret is its decoded bytes, as the specification
says; any other secret (the status-event webhooks' existing ones) is used as its
UTF-8 bytes, so a receiver verifies with `standardwebhooks.Webhook(secret.encode())`.
These few lines equal the `standardwebhooks` package's `Webhook.sign`
(tests/notifications/test_signing.py verifies with the package itself).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

SECRET_PREFIX = "whsec_"


def wall_clock_timestamp() -> int:
    """Return the `webhook-timestamp` of an attempt signed now: the machine's real time, not hitl.kernel.clock.

    Receivers compare it with their own clocks (five minutes either way), so a test's moved clock must not move it.
    """
    return int(time.time())


def key_of(secret: str) -> bytes:
    """Return the HMAC key of a secret: a `whsec_` secret's decoded bytes, else its UTF-8 bytes."""
    if secret.startswith(SECRET_PREFIX):
        return base64.b64decode(secret[len(SECRET_PREFIX) :])
    return secret.encode()


def signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """Return the `webhook-signature` value of one message."""
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(key_of(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def headers(secret: str, message_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """Return the three Standard Webhooks headers of one attempt."""
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(secret, message_id, timestamp, body),
    }
