"""Verify AWS Signature Version 4 on incoming requests, exactly as AWS does (spec 2.2).

Protocol: both (rest-json runtime and JSON 1.1 control plane); both SDK clients
sign with service name `sagemaker`. The canonical request is rebuilt from the
request as it arrived on the wire: the raw path (including any endpoint
prefix), the raw query string, the signed headers as sent and the SHA-256 of
the raw body. Failures raise AwsError with the AWS code; runtime answers 403,
the control plane 400 (spec 2.4).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from urllib.parse import quote, unquote_to_bytes, urlsplit

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest
from django.utils.encoding import escape_uri_path

from hitl import clock
from hitl.aws.errors import AwsError
from workforce import access_keys
from workforce.models import AccessKey

ALGORITHM = "AWS4-HMAC-SHA256"
SERVICE = "sagemaker"
TERMINATOR = "aws4_request"
AMZ_DATE_FORMAT = "%Y%m%dT%H%M%SZ"
# Writing last_used_at on every call would turn each read into a write.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)

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
    credential = parts["Credential"].split("/")
    if len(credential) != 5 or not all(credential):
        raise _error(
            "IncompleteSignatureException",
            f"Credential must have the form <AccessKeyId>/<yyyymmdd>/<region>/<service>/{TERMINATOR}; "
            f"got '{parts['Credential']}'.",
        )
    access_key_id, date, region, service, terminator = credential
    return Authorization(
        access_key_id=access_key_id,
        date=date,
        region=region,
        service=service,
        terminator=terminator,
        signed_headers=parts["SignedHeaders"].split(";"),
        signature=parts["Signature"],
    )


def _check_scope(auth: Authorization, amz_date: str) -> None:
    if auth.terminator != TERMINATOR:
        raise _error(
            "InvalidSignatureException",
            f"Credential should be scoped with a valid terminator: '{TERMINATOR}', not '{auth.terminator}'.",
        )
    if auth.service != SERVICE:
        raise _error("InvalidSignatureException", f"Credential should be scoped to correct service: '{SERVICE}'.")
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
        try:
            parsed = dt.datetime.strptime(amz_date, AMZ_DATE_FORMAT).replace(tzinfo=dt.UTC)
        except ValueError:
            raise _error(
                "IncompleteSignatureException",
                f"X-Amz-Date must be in the ISO 8601 basic format YYYYMMDD'T'HHMMSS'Z'; got '{amz_date}'.",
            ) from None
        return "x-amz-date", amz_date, parsed
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


def _signed_header_values(request: HttpRequest, auth: Authorization, date_header: str) -> dict[str, str]:
    signed = auth.signed_headers
    for required in ("host", date_header):
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


def authenticate(request: HttpRequest) -> AccessKey:
    """Verify the request's SigV4 signature and return the active access key (raises AwsError)."""
    header = request.headers.get("Authorization")
    if not header:
        raise _error("MissingAuthenticationTokenException", "Missing Authentication Token")
    auth = parse_authorization(header)
    date_header, amz_date, when = _request_time(request)
    _check_scope(auth, amz_date)
    _check_skew(amz_date, when)

    key = access_keys.active_key(auth.access_key_id)
    # Every key here is a long-term key: a session token means credentials this server never issued.
    if key is None or request.headers.get("X-Amz-Security-Token"):
        raise _error("UnrecognizedClientException", "The security token included in the request is invalid.")

    headers = _signed_header_values(request, auth, date_header)
    canonical = canonical_request(
        request.method or "GET",
        raw_path(request),
        request.META.get("QUERY_STRING", ""),
        headers,
        auth.signed_headers,
        _payload_hash(request),
    )
    expected = signature(
        access_keys.secret_of(key),
        auth.date,
        auth.region,
        auth.service,
        string_to_sign(amz_date, auth.scope, canonical),
    )
    if not hmac.compare_digest(expected.encode(), auth.signature.encode()):
        raise _error("InvalidSignatureException", _MISMATCH)
    _touch(key)
    return key


def _touch(key: AccessKey) -> None:
    now = clock.now()
    if key.last_used_at is None or now - key.last_used_at >= LAST_USED_RESOLUTION:
        AccessKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
