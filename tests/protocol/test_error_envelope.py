"""The AWS error envelope for failures that are not modeled errors: unexpected faults and unknown routes."""

from __future__ import annotations

import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from flows.loops import loop_queries


def signed(aws_account, method: str, path: str, body: bytes = b"", headers: dict | None = None) -> requests.Response:
    """Send a raw request signed like botocore signs it."""
    request = AWSRequest(method=method, url=aws_account.endpoint_url + path, data=body, headers=headers or {})
    credentials = Credentials(aws_account.access_key_id, aws_account.secret_access_key)
    SigV4Auth(credentials, "sagemaker", "us-east-1").add_auth(request)
    prepared = request.prepare()
    return requests.request(method, prepared.url, headers=dict(prepared.headers), data=body, timeout=10)


def test_an_unexpected_fault_is_a_json_internal_server_exception(monkeypatch, runtime_client, flow_setup):
    def broken(*args, **kwargs):
        raise RuntimeError("database on fire")

    monkeypatch.setattr(loop_queries, "get_human_loop", broken)

    with pytest.raises(ClientError) as info:
        runtime_client.describe_human_loop(HumanLoopName="loop-1")

    error, metadata = info.value.response["Error"], info.value.response["ResponseMetadata"]
    assert error["Code"] == "InternalServerException"
    assert metadata["HTTPStatusCode"] == 500
    assert "database on fire" not in error["Message"]  # internals never leak


def test_a_signed_request_to_an_unknown_runtime_path_is_an_unknown_operation(aws_account):
    response = signed(aws_account, "GET", "/human-loops/a/b")

    assert response.status_code == 404
    assert response.headers["x-amzn-ErrorType"] == "UnknownOperationException"


def test_an_unknown_control_plane_target_is_an_unknown_operation(aws_account):
    response = signed(
        aws_account,
        "POST",
        "/",
        b"{}",
        {"X-Amz-Target": "SageMaker.CreateTrainingJob", "Content-Type": "application/x-amz-json-1.1"},
    )

    assert response.status_code == 400
    assert response.json()["__type"] == "UnknownOperationException"


def test_a_body_changed_after_signing_is_an_invalid_signature(aws_account, flow_setup):
    request = AWSRequest(
        method="POST",
        url=aws_account.endpoint_url + "/human-loops/stop",
        data=b'{"HumanLoopName":"loop-1"}',
        headers={"Content-Type": "application/json"},
    )
    SigV4Auth(Credentials(aws_account.access_key_id, aws_account.secret_access_key), "sagemaker", "us-east-1").add_auth(
        request
    )
    prepared = request.prepare()

    response = requests.post(
        prepared.url, headers=dict(prepared.headers), data=b'{"HumanLoopName":"loop-2"}', timeout=10
    )

    assert response.status_code == 403
    assert response.json()["__type"] == "InvalidSignatureException"
