"""Domain errors raised by services.

Services know nothing of HTTP or AWS spellings; the protocol layers map each
class to a wire error (hitl/aws/errors.py for the AWS APIs, the portal's own
JSON errors for the reviewer API). Messages are written for a person: they
say which field or resource and why.
"""

from __future__ import annotations


class HitlError(Exception):
    """Base class of every error a service raises on purpose."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(HitlError):
    """Bad shape, pattern, length, or a state that forbids the request."""

    def __init__(self, message: str | list[str]) -> None:
        if isinstance(message, list):
            count = len(message)
            noun = "error" if count == 1 else "errors"
            message = f"{count} validation {noun} detected: " + "; ".join(message)
        super().__init__(message)


class NotFound(HitlError):
    """The named resource does not exist in the caller's account."""


class Conflict(HitlError):
    """The request conflicts with the current state (duplicate loop name, lost lease)."""


class InUse(HitlError):
    """The name is taken, or the resource is still referenced."""


class LimitExceeded(HitlError):
    """A resource-count quota (flow definitions, UIs, teams) was reached."""


class QuotaExceeded(HitlError):
    """The active-loop quota was reached."""


class Throttled(HitlError):
    """Too many requests for this key."""


class AccessDenied(HitlError):
    """Authenticated, but not allowed to do this."""
