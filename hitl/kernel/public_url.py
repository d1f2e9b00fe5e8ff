"""The server's external base URL, for absolute links (template URLs, SubDomain, invitation links).

HITL_PUBLIC_URL wins when set. Otherwise the URL is the current request's own
origin: its scheme and Host, checked against ALLOWED_HOSTS by Django; behind a
proxy, X-Forwarded-Host and X-Forwarded-Proto count only with
HITL_TRUST_PROXY_HEADERS (Django's USE_X_FORWARDED_HOST and
SECURE_PROXY_SSL_HEADER). Outside a request (commands, Celery tasks) it is
DEFAULT_PUBLIC_URL.
"""

from __future__ import annotations

import contextvars

from django.conf import settings
from django.http import HttpRequest

DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"

_request: contextvars.ContextVar[HttpRequest | None] = contextvars.ContextVar("hitl_public_url_request", default=None)


def public_url() -> str:
    """Return the external base URL, without a trailing slash."""
    if settings.HITL_PUBLIC_URL:
        return settings.HITL_PUBLIC_URL.rstrip("/")
    request = _request.get()
    if request is None:
        return DEFAULT_PUBLIC_URL
    return request.build_absolute_uri("/").rstrip("/")


def set_request(request: HttpRequest) -> contextvars.Token:
    """Make `request` the one whose origin public_url() answers with (hitl.kernel.middleware)."""
    return _request.set(request)


def reset_request(token: contextvars.Token) -> None:
    _request.reset(token)
