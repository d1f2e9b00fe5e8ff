"""The wire layer's view of credentials and of the audit trail: interfaces a domain app registers.

Protocol: none by itself. hitl.aws knows no domain app: SigV4 (hitl.aws.sigv4)
asks the registered CredentialStore for the key behind an access key id, and
the entry view (and hitl.kernel.middleware, for refused calls) hand each API call to
the registered recorder. The workforce app registers both in its
AppConfig.ready (workforce.access_keys, workforce.audit.trail.record_api_call), as
DRF's authentication classes are named in settings rather than imported.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

# A key of this scope may call the runtime API only, not the control plane.
RUNTIME_SCOPE = "runtime"


class SessionTokenProblem(Exception):
    """Why a request's session token does not fit its key; `expired` or not."""

    def __init__(self, *, expired: bool) -> None:
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


class Credential(Protocol):
    """What the wire layer reads of an access key."""

    access_key_id: str
    rate_limit_id: str  # whose throttle bucket the key's calls draw from
    scope: str
    account: Any
    account_id: int
    allowed_flow_names: list[str]
    # Whose request budget a call spends (session keys share their long-term key's).
    rate_limit_id: str


class CredentialStore(Protocol):
    def active_key(self, access_key_id: str) -> Credential | None:
        """Return the active key with this id, or None."""

    def cached_key(self, access_key_id: str) -> Credential | None:
        """The active key if this process vouches for it without the database, else None.

        None too when its use is due to be noted (touch would write): the caller then
        takes the database path (active_key, touch) instead.
        """

    def check_session_token(self, key: Credential, token: str | None) -> None:
        """Raise SessionTokenProblem unless `token` fits `key` (none for a long-term key)."""

    def secret_of(self, key: Credential) -> str:
        """Return the key's secret access key."""

    def touch(self, key: Credential) -> None:
        """Note that the key was just used (coarsely: not a write per request)."""


ApiCallRecorder = Callable[..., None]
# (signed-in user, 12-digit account id) -> the account, if the user administers it; else raises AccessDenied.
StaffAccountLookup = Callable[[Any, str], Any]
_store: CredentialStore | None = None
_recorder: ApiCallRecorder | None = None
_staff_account: StaffAccountLookup | None = None


def register_store(store: CredentialStore) -> None:
    global _store
    _store = store


def store() -> CredentialStore:
    if _store is None:
        raise ImproperlyConfigured("No credential store is registered (the workforce app registers one).")
    return _store


def register_api_call_recorder(recorder: ApiCallRecorder) -> None:
    """`recorder(request, request_id, *, status_code=200, result="OK")` records one AWS API call."""
    global _recorder
    _recorder = recorder


def record_api_call(request: HttpRequest, request_id: str, *, status_code: int = 200, result: str = "OK") -> None:
    if _recorder is None:
        raise ImproperlyConfigured("No API call recorder is registered (the workforce app registers one).")
    _recorder(request, request_id, status_code=status_code, result=result)


def register_staff_account_lookup(lookup: StaffAccountLookup) -> None:
    """Let operations that accept a staff session (adapter operations) find the account the user acts for."""
    global _staff_account
    _staff_account = lookup


def staff_account(user: Any, aws_account_id: str) -> Any:
    if _staff_account is None:
        raise ImproperlyConfigured("No staff account lookup is registered (the workforce app registers one).")
    return _staff_account(user, aws_account_id)
