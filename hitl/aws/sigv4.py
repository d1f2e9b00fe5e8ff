"""AWS Signature Version 4 verification (placeholder: the wire-layer helper implements it)."""

from __future__ import annotations

from django.http import HttpRequest

from workforce.models import AccessKey


def authenticate(request: HttpRequest) -> AccessKey:
    """Verify the request's SigV4 signature and return the access key (raises AwsError)."""
    raise NotImplementedError
