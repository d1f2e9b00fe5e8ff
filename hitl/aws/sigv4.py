"""Verify AWS Signature Version 4 on incoming requests, exactly as AWS does (spec 2.2).

Protocol: both (rest-json runtime and JSON 1.1 control plane); both SDK clients
sign with service name `sagemaker`. The canonical request is rebuilt from the
request as it arrived on the wire: the raw path (including any endpoint
prefix), the raw query string, the signed headers as sent and the SHA-256 of
the raw body. Failures raise AwsError with the AWS code; runtime answers 403,
the control plane 400 (spec 2.4).

Two ways of carrying the signature are accepted, as AWS does: the
`Authorization` header, and presigned query parameters (`X-Amz-Algorithm`,
`X-Amz-Credential`, `X-Amz-Date`, `X-Amz-Expires`, `X-Amz-SignedHeaders`,
`X-Amz-Signature`), valid from X-Amz-Date until X-Amz-Expires seconds later.
Temporary credentials (issued by hitl's STS subset) must come with their
`X-Amz-Security-Token`, in the header or the query.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from urllib.parse import quote, unquote, unquote_to_bytes, urlsplit

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest
from django.utils.encoding import escape_uri_path

from hitl.aws import credentials
from hitl.aws.credentials import Credential
from hitl.aws.errors import AwsError
from hitl.kernel import clock

ALGORITHM = "AWS4-HMAC-SHA256"
SERVICE = "sagemaker"
STS_SERVICE = "sts"
MAX_PRESIGN_EXPIRES = 604_800  # seven days, as AWS allows
_QUERY_AUTH = ("X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-SignedHeaders", "X-Amz-Date")
QUERY_AUTH_PARAMETERS = frozenset((*_QUERY_AUTH, "X-Amz-Expires", "X-Amz-Security-Token"))
TERMINATOR = "aws4_request"
AMZ_DATE_FORMAT = "%Y%m%dT%H%M%SZ"

_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
)


def _error(code: str, message: str) -> AwsError:
    return AwsError(code, message, runtime_status=403, control_plane_status=400)


@dataclass(frozen=True)
class Authorization:
    """The parts of an `Authorization: AWS4-HMAC-SHA256 ...` header."""

    access_key_id: str
    date: str
    region: str
    service: str
    terminator: str
    signed_headers: list[str]
    signature: str
    presigned: bool = False

    @property
    def scope(self) -> str:
        return f"{self.date}/{self.region}/{self.service}/{self.terminator}"


# --- Canonical request (pure functions; the spec 2.3 test vector covers them) ------


def canonical_uri(raw_path: str) -> str:
    """Return the canonical URI of a path as received (still percent-encoded): encoded once more."""
    return quote(_remove_dot_segments(raw_path) if raw_path else "/", safe="/~")


def _remove_dot_segments(path: str) -> str:
    # RFC 3986 5.2.4, plus collapsing empty segments, as botocore does before signing.
    segments: list[str] = []
    for segment in path.split("/"):
        if segment == "..":
            if segments:
                segments.pop()
        elif segment and segment != ".":
            segments.append(segment)
    first = "/" if path.startswith("/") else ""
    last = "/" if path.endswith("/") and segments else ""
    return first + "/".join(segments) + last


def _rfc3986(raw: str) -> str:
    return quote(unquote_to_bytes(raw), safe="-_.~")


def canonical_query(query_string: str) -> str:
    """Return the canonical query: pairs decoded, re-encoded per RFC 3986, sorted by key then value."""
    pairs = []
    for pair in query_string.split("&"):
        if not pair:
            continue
        key, _, value = pair.partition("=")
        pairs.append((_rfc3986(key), _rfc3986(value)))
    return "&".join(f"{key}={value}" for key, value in sorted(pairs))


def canonical_header_value(value: str) -> str:
    """Trim a header value and collapse internal whitespace runs to one space."""
    return " ".join(value.split())


def canonical_request(
    method: str,
    raw_path: str,
    query_string: str,
    headers: dict[str, str],
    signed_headers: list[str],
    payload_hash: str,
) -> str:
    """Return the canonical request; `headers` maps lower-case names to values as sent."""
    header_block = "".join(f"{name}:{canonical_header_value(headers[name])}\n" for name in signed_headers)
    return "\n".join(
        [
            method.upper(),
            canonical_uri(raw_path),
            canonical_query(query_string),
            header_block,
            ";".join(signed_headers),
            payload_hash,
        ]
    )


def string_to_sign(amz_date: str, scope: str, canonical: str) -> str:
    """Return the SigV4 string to sign for a canonical request."""
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    return f"{ALGORITHM}\n{amz_date}\n{scope}\n{digest}"


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).digest()


def signature(secret: str, date: str, region: str, service: str, to_sign: str) -> str:
    """Return the hex signature of `to_sign` with the key derived from `secret` and the scope."""
    key = _hmac(("AWS4" + secret).encode("utf-8"), date)
    key = _hmac(key, region)
    key = _hmac(key, service)
    key = _hmac(key, TERMINATOR)
    return hmac.new(key, to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


# --- Reading the request ------------------------------------------------------------


def raw_path(request: HttpRequest) -> str:
    """Return the request path as sent on the wire (percent-encoded, with any prefix)."""
    raw_uri = request.META.get("RAW_URI") or request.META.get("REQUEST_URI")
    if raw_uri:
        # Absolute-form targets ("http://host/path") come from some proxies.
        return urlsplit(raw_uri).path if "://" in raw_uri.split("?", 1)[0] else raw_uri.split("?", 1)[0]
    # Re-encoding the decoded path is exact for what these APIs put in paths (a-z 0-9 - and the prefix).
    return escape_uri_path(request.path)


def parse_authorization(header: str) -> Authorization:
    """Split an Authorization header into its parts (raises IncompleteSignatureException)."""
    if not header.startswith(ALGORITHM + " "):
        raise _error(
            "IncompleteSignatureException",
            f"Authorization header requires the {ALGORITHM} algorithm; got '{header.split(' ', 1)[0]}'.",
        )
    parts: dict[str, str] = {}
    for item in header[len(ALGORITHM) + 1 :].split(","):
        name, sep, value = item.strip().partition("=")
        if sep:
            parts[name] = value.strip()
    missing = [name for name in ("Credential", "SignedHeaders", "Signature") if not parts.get(name)]
    if missing:
        raise _error(
            "IncompleteSignatureException",
            " ".join(f"Authorization header requires '{name}' parameter." for name in missing)
            + f" Authorization={header}",
        )
    return _authorization(parts["Credential"], parts["SignedHeaders"], parts["Signature"], presigned=False)


def _authorization(credential: str, signed_headers: str, signature: str, *, presigned: bool) -> Authorization:
    parts = credential.split("/")
    if len(parts) != 5 or not all(parts):
        raise _error(
            "IncompleteSignatureException",
            f"Credential must have the form <AccessKeyId>/<yyyymmdd>/<region>/<service>/{TERMINATOR}; "
            f"got '{credential}'.",
        )
    access_key_id, date, region, service, terminator = parts
    return Authorization(
        access_key_id=access_key_id,
        date=date,
        region=region,
        service=service,
        terminator=terminator,
        signed_headers=signed_headers.split(";"),
        signature=signature,
        presigned=presigned,
    )


def query_parameters(query_string: str) -> dict[str, str]:
    """Return the percent-decoded parameters of a raw query string (the last value of a repeated name)."""
    params = {}
    for pair in query_string.split("&"):
        if pair:
            key, _, value = pair.partition("=")
            params[unquote(key)] = unquote(value)
    return params


def _presigned_authorization(params: dict[str, str]) -> tuple[Authorization, str, dt.datetime, int]:
    """Read the query-string signature: (parts, X-Amz-Date, its time, X-Amz-Expires)."""
    missing = [name for name in _QUERY_AUTH if not params.get(name)]
    if missing:
        raise _error(
            "IncompleteSignatureException",
            "AWS query-string parameters must include "
            + ", ".join(f"'{name}'" for name in _QUERY_AUTH)
            + f". Missing: {', '.join(missing)}. Re-examine the query-string parameters.",
        )
    if params["X-Amz-Algorithm"] != ALGORITHM:
        raise _error(
            "IncompleteSignatureException",
            f"X-Amz-Algorithm only supports '{ALGORITHM}'; got '{params['X-Amz-Algorithm']}'.",
        )
    amz_date = params["X-Amz-Date"]
    when = _parse_amz_date(amz_date)
    raw_expires = params.get("X-Amz-Expires", "")
    if not raw_expires.isdigit() or not 1 <= int(raw_expires) <= MAX_PRESIGN_EXPIRES:
        raise _error(
            "IncompleteSignatureException",
            f"X-Amz-Expires must be a whole number of seconds from 1 to {MAX_PRESIGN_EXPIRES}; got '{raw_expires}'.",
        )
    auth = _authorization(
        params["X-Amz-Credential"], params["X-Amz-SignedHeaders"], params["X-Amz-Signature"], presigned=True
    )
    return auth, amz_date, when, int(raw_expires)


def _presigned_query(query_string: str) -> str:
    # The canonical query of a presigned request holds every parameter but the signature itself.
    return "&".join(pair for pair in query_string.split("&") if unquote(pair.partition("=")[0]) != "X-Amz-Signature")


def _check_scope(auth: Authorization, amz_date: str, service: str) -> None:
    if auth.terminator != TERMINATOR:
        raise _error(
            "InvalidSignatureException",
            f"Credential should be scoped with a valid terminator: '{TERMINATOR}', not '{auth.terminator}'.",
        )
    if auth.service != service:
        raise _error("InvalidSignatureException", f"Credential should be scoped to correct service: '{service}'.")
    if auth.region != settings.HITL_REGION:
        raise _error(
            "InvalidSignatureException",
            f"Credential should be scoped to a valid region, not '{auth.region}'. "
            f"This server serves '{settings.HITL_REGION}'.",
        )
    if auth.date != amz_date[:8]:
        raise _error(
            "InvalidSignatureException",
            f"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: "
            f"'{auth.date}' != '{amz_date[:8]}', from '{amz_date}'.",
        )


def _request_time(request: HttpRequest) -> tuple[str, str, dt.datetime]:
    """Return (header name used, amz-format timestamp, parsed time)."""
    amz_date = request.headers.get("X-Amz-Date")
    if amz_date is not None:
        return "x-amz-date", amz_date, _parse_amz_date(amz_date)
    date = request.headers.get("Date")
    if date is None:
        raise _error(
            "IncompleteSignatureException",
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
        )
    try:
        parsed = parsedate_to_datetime(date)
    except (TypeError, ValueError):
        raise _error("IncompleteSignatureException", f"The Date header is not a valid HTTP date: '{date}'.") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    parsed = parsed.astimezone(dt.UTC)
    return "date", parsed.strftime(AMZ_DATE_FORMAT), parsed


def _parse_amz_date(amz_date: str) -> dt.datetime:
    try:
        return dt.datetime.strptime(amz_date, AMZ_DATE_FORMAT).replace(tzinfo=dt.UTC)
    except ValueError:
        raise _error(
            "IncompleteSignatureException",
            f"X-Amz-Date must be in the ISO 8601 basic format YYYYMMDD'T'HHMMSS'Z'; got '{amz_date}'.",
        ) from None


def _check_presigned_window(amz_date: str, when: dt.datetime, expires: int) -> None:
    now = clock.now()
    skew = dt.timedelta(seconds=settings.HITL_SIGV4_MAX_SKEW_SECONDS)
    expiry = when + dt.timedelta(seconds=expires)
    if now > expiry:
        raise _error(
            "InvalidSignatureException",
            f"Signature expired: the presigned request was valid until {expiry.strftime(AMZ_DATE_FORMAT)} "
            f"(X-Amz-Date {amz_date} + X-Amz-Expires {expires} s); it is now {now.strftime(AMZ_DATE_FORMAT)}.",
        )
    if when > now + skew:
        raise _error(
            "InvalidSignatureException",
            f"Signature not yet current: {amz_date} is still later than {(now + skew).strftime(AMZ_DATE_FORMAT)} "
            f"({now.strftime(AMZ_DATE_FORMAT)} + {settings.HITL_SIGV4_MAX_SKEW_SECONDS // 60} min.)",
        )


def _check_skew(amz_date: str, when: dt.datetime) -> None:
    now = clock.now()
    skew = dt.timedelta(seconds=settings.HITL_SIGV4_MAX_SKEW_SECONDS)
    minutes = f"{settings.HITL_SIGV4_MAX_SKEW_SECONDS // 60} min."
    if when < now - skew:
        raise _error(
            "InvalidSignatureException",
            f"Signature expired: {amz_date} is now earlier than {(now - skew).strftime(AMZ_DATE_FORMAT)} "
            f"({now.strftime(AMZ_DATE_FORMAT)} - {minutes})",
        )
    if when > now + skew:
        raise _error(
            "InvalidSignatureException",
            f"Signature not yet current: {amz_date} is still later than {(now + skew).strftime(AMZ_DATE_FORMAT)} "
            f"({now.strftime(AMZ_DATE_FORMAT)} + {minutes})",
        )


def _signed_header_values(request: HttpRequest, auth: Authorization, date_header: str | None) -> dict[str, str]:
    signed = auth.signed_headers
    for required in ("host", date_header) if date_header else ("host",):
        if required not in signed:
            raise _error(
                "IncompleteSignatureException",
                f"'{required}' must be a 'SignedHeader' in the AWS Authorization.",
            )
    values = {}
    for name in signed:
        value = request.headers.get(name)
        if value is None:
            raise _error(
                "InvalidSignatureException",
                f"The header '{name}' is listed in SignedHeaders but is not present in the request.",
            )
        values[name] = value
    return values


def _payload_hash(request: HttpRequest) -> str:
    try:
        body = request.body
    except RequestDataTooBig:
        # Django would answer with an HTML 400, which botocore can only report as code "400".
        raise AwsError(
            "ValidationException",
            f"The request body is larger than {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes (HITL_MAX_REQUEST_BYTES).",
        ) from None
    actual = hashlib.sha256(body).hexdigest()
    declared = request.headers.get("X-Amz-Content-Sha256")
    if declared is not None and declared != actual:
        raise _error(
            "InvalidSignatureException",
            "The provided 'x-amz-content-sha256' header does not match what was computed.",
        )
    return actual


# --- Entry point ----------------------------------------------------------------


class NeedsDatabase(Exception):  # noqa: N818 (a signal to the caller, not an error)
    """authenticate(cached_only=True) cannot vouch for the key without a database read or write."""


def authenticate(request: HttpRequest, service: str = SERVICE, *, cached_only: bool = False) -> Credential:
    """Verify the request's SigV4 signature (header or presigned query) and return its active key.

    `service` is the credential scope's service: `sagemaker` for both A2I APIs,
    `sts` for the STS subset. Raises AwsError. With `cached_only` no database is
    touched (an event loop may call it): NeedsDatabase when the key is not in this
    process's cache or its use is due to be noted; call again without it then.
    """
    header = request.headers.get("Authorization")
    query_string = request.META.get("QUERY_STRING", "")
    params = query_parameters(query_string) if "X-Amz-" in query_string else {}
    if "X-Amz-Algorithm" in params:
        if header:
            raise _error(
                "IncompleteSignatureException",
                "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter or the "
                "Authorization header should be specified.",
            )
        auth, amz_date, when, expires = _presigned_authorization(params)
        _check_scope(auth, amz_date, service)
        _check_presigned_window(amz_date, when, expires)
        date_header, canonical_query_string = None, _presigned_query(query_string)
        token = params.get("X-Amz-Security-Token")
    elif header:
        auth = parse_authorization(header)
        date_header, amz_date, when = _request_time(request)
        _check_scope(auth, amz_date, service)
        _check_skew(amz_date, when)
        canonical_query_string, token = query_string, request.headers.get("X-Amz-Security-Token")
    else:
        raise _error("MissingAuthenticationTokenException", "Missing Authentication Token")

    store = credentials.store()
    key = store.cached_key(auth.access_key_id) if cached_only else store.active_key(auth.access_key_id)
    if key is None and cached_only:
        raise NeedsDatabase(auth.access_key_id)
    if key is None:
        raise _error("UnrecognizedClientException", "The security token included in the request is invalid.")
    try:
        store.check_session_token(key, token)
    except credentials.SessionTokenProblem as problem:
        if problem.expired:
            raise _error("ExpiredTokenException", "The security token included in the request is expired") from None
        raise _error("UnrecognizedClientException", "The security token included in the request is invalid.") from None

    headers = _signed_header_values(request, auth, date_header)
    canonical = canonical_request(
        request.method or "GET",
        raw_path(request),
        canonical_query_string,
        headers,
        auth.signed_headers,
        _payload_hash(request),
    )
    expected = signature(
        store.secret_of(key),
        auth.date,
        auth.region,
        auth.service,
        string_to_sign(amz_date, auth.scope, canonical),
    )
    if not hmac.compare_digest(expected.encode(), auth.signature.encode()):
        raise _error("InvalidSignatureException", _MISMATCH)
    if not cached_only:  # a cached key's use was noted recently (cached_key)
        store.touch(key)
    return key
