"""Domain errors raised by services.

Services raise them and know nothing of HTTP. Each class names, once, how
every surface shows it: `status` is its HTTP status (the A2I runtime API,
the reviewer JSON API and the portal pages), `aws_code` its error code in the
runtime API (rest-json) and `aws_control_plane_code` in the SageMaker API
(JSON 1.1, always status 400). One handler per surface reads these:
hitl.aws.errors (AWS APIs), review_ui.api.exception_handler (reviewer API) and
review_ui.errors (pages), as DRF's exception_handler does. Messages are
written for a person: they say which field or resource and why.
"""

from __future__ import annotations


class HitlError(Exception):
    """Base class of every error a service raises on purpose."""

    status = 400
    aws_code = "ValidationException"
    aws_control_plane_code = "ValidationException"

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

    status = 404
    aws_code = "ResourceNotFoundException"
    aws_control_plane_code = "ResourceNotFound"


class Conflict(HitlError):
    """The request conflicts with the current state (duplicate loop name, lost lease)."""

    status = 409
    aws_code = "ConflictException"
    aws_control_plane_code = "ConflictException"


class InUse(HitlError):
    """The name is taken, or the resource is still referenced."""

    aws_control_plane_code = "ResourceInUse"


class LimitExceeded(HitlError):
    """A resource-count quota (flow definitions, UIs, teams) was reached."""

    status = 402
    aws_code = "ServiceQuotaExceededException"
    aws_control_plane_code = "ResourceLimitExceeded"


class QuotaExceeded(HitlError):
    """The active-loop quota was reached."""

    status = 402
    aws_code = "ServiceQuotaExceededException"
    aws_control_plane_code = "ResourceLimitExceeded"


class Throttled(HitlError):
    """Too many requests for this key."""

    status = 429
    aws_code = "ThrottlingException"
    aws_control_plane_code = "ThrottlingException"


class AccessDenied(HitlError):
    """Authenticated, but not allowed to do this."""

    status = 403
    aws_code = "AccessDeniedException"
    aws_control_plane_code = "AccessDeniedException"
