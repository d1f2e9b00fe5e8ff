"""Fixtures for hostile-input tests: SigV4-signed requests through Django's test client (in process, fast).

The protocol suite proves wire compatibility with real clients over HTTP; these
tests send bodies no SDK would produce (invalid UTF-8, lone surrogates, NUL,
deep nesting), so they sign raw bytes with botocore's signer and skip the network.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from typing import Any

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from django.test import Client

from tests import factories as f
from workforce import secrets as secret_box
from workforce.models import AccessKey, Account

SECRET = "hostile-input-secret-key-000000000000000"
_key_ids = itertools.count(1)
_names = itertools.count(1)


def unique_name(prefix: str = "loop") -> str:
    return f"{prefix}-{next(_names)}"


@dataclass
class SignedApi:
    """Send signed AWS requests with any body bytes, as `account`'s key."""

    client: Client
    account: Account
    access_key_id: str

    def send(self, method: str, path: str, body: bytes, *, target: str | None = None):
        headers = {"Content-Type": "application/x-amz-json-1.1" if target else "application/json"}
        if target:
            headers["X-Amz-Target"] = f"SageMaker.{target}"
        request = AWSRequest(method=method, url=f"http://testserver{path}", data=body, headers=headers)
        SigV4Auth(Credentials(self.access_key_id, SECRET), "sagemaker", "us-east-1").add_auth(request)
        meta = {
            "HTTP_" + name.upper().replace("-", "_"): value
            for name, value in request.headers.items()
            if name.lower() != "content-type"
        }
        meta["HTTP_HOST"] = "testserver"  # signed by botocore, which takes it from the URL
        return self.client.generic(method, path, data=body, content_type=headers["Content-Type"], **meta)

    def start(self, flow_arn: str, *, body: bytes | None = None, **members: Any):
        """POST StartHumanLoop; `members` are merged over a valid request, `body` replaces it."""
        if body is None:
            request = {
                "HumanLoopName": unique_name(),
                "FlowDefinitionArn": flow_arn,
                "HumanLoopInput": {"InputContent": "{}"},
            }
            request.update(members)
            body = json.dumps(request).encode()
        return self.send("POST", "/human-loops", body)

    def control(self, operation: str, request: dict[str, Any] | bytes):
        body = request if isinstance(request, bytes) else json.dumps(request).encode()
        return self.send("POST", "/", body, target=operation)


def error_of(response) -> tuple[str, str]:
    """Return (AWS error name, message) of an error response."""
    body = json.loads(response.content)
    name = response.headers.get("x-amzn-ErrorType", "").split(":")[0] or body.get("__type", "").split("#")[-1]
    return name, body.get("Message") or body.get("message", "")


@pytest.fixture
def api(db) -> SignedApi:
    account = f.account()
    key_id = f"AKIDHOSTILE{next(_key_ids):09d}"
    AccessKey.objects.create(access_key_id=key_id, encrypted_secret=secret_box.encrypt(SECRET), account=account)
    return SignedApi(Client(), account, key_id)


@pytest.fixture
def reviewer(db):
    return f.user()


@pytest.fixture
def flow(api, reviewer):
    team = f.workteam(api.account, members=[reviewer])
    return f.flow_definition(api.account, team, name="hostile-flow")
