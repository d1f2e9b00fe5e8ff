"""Presigned-query SigV4 (X-Amz-Algorithm... in the query string), signed by botocore, sent by requests and curl."""

from __future__ import annotations

import json
import subprocess
from urllib.parse import urlencode

import pytest
import requests
from botocore.auth import SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from hitl.kernel import clock
from tests.protocol.conftest import REGION, start_loop

pytestmark = pytest.mark.usefixtures("signing_follows_clock")


def presign(
    aws_account,
    path: str,
    params: dict | None = None,
    *,
    expires: int = 60,
    token: str | None = None,
    key_id: str | None = None,
    secret: str | None = None,
) -> str:
    """Return a presigned GET URL for `path`, signed by botocore's own query signer."""
    credentials = Credentials(key_id or aws_account.access_key_id, secret or aws_account.secret_access_key, token)
    url = aws_account.endpoint_url + path + (f"?{urlencode(params)}" if params else "")
    request = AWSRequest(method="GET", url=url)
    request.context["timestamp"] = clock.now().strftime("%Y%m%dT%H%M%SZ")
    SigV4QueryAuth(credentials, "sagemaker", REGION, expires=expires).add_auth(request)
    return request.url


def test_a_presigned_describe_url_from_the_client_works_with_plain_http_and_curl(
    aws_account, runtime_client, flow_setup
):
    start_loop(runtime_client, flow_setup.flow_arn, "loop-1")

    url = runtime_client.generate_presigned_url("describe_human_loop", Params={"HumanLoopName": "loop-1"}, ExpiresIn=60)

    assert "X-Amz-Algorithm=AWS4-HMAC-SHA256" in url and "X-Amz-Signature=" in url
    assert requests.get(url, timeout=10).json()["HumanLoopStatus"] == "InProgress"
    curl = subprocess.run(["curl", "-sS", "-w", "\n%{http_code}", url], capture_output=True, text=True, timeout=30)
    body, status = curl.stdout.rsplit("\n", 1)
    assert status == "200", curl
    assert json.loads(body)["HumanLoopName"] == "loop-1"


def test_a_presigned_list_keeps_its_operation_parameters_and_only_those(aws_account, runtime_client, flow_setup):
    for name in ("loop-1", "loop-2", "loop-3"):
        start_loop(runtime_client, flow_setup.flow_arn, name)

    url = presign(aws_account, "/human-loops", {"FlowDefinitionArn": flow_setup.flow_arn, "MaxResults": "2"})
    response = requests.get(url, timeout=10)

    assert response.status_code == 200, response.text
    assert len(response.json()["HumanLoopSummaries"]) == 2
    assert response.json()["NextToken"]


def test_a_presigned_url_expires_after_x_amz_expires(aws_account, flow_setup):
    url = presign(aws_account, "/human-loops", {"FlowDefinitionArn": flow_setup.flow_arn}, expires=60)
    assert requests.get(url, timeout=10).status_code == 200

    clock.advance(61)
    response = requests.get(url, timeout=10)

    assert response.status_code == 403
    assert response.headers["x-amzn-ErrorType"] == "InvalidSignatureException"
    assert response.json()["Message"].startswith("Signature expired: the presigned request was valid until")


def test_a_long_lived_presigned_url_outlives_the_header_skew(aws_account, flow_setup):
    url = presign(aws_account, "/human-loops", {"FlowDefinitionArn": flow_setup.flow_arn}, expires=3600)

    clock.advance(30 * 60)  # past the 15-minute skew a signed header would get

    assert requests.get(url, timeout=10).status_code == 200


def test_a_tampered_presigned_url_is_an_invalid_signature(aws_account, flow_setup, make_flow_setup):
    other = make_flow_setup(aws_account.account)
    url = presign(aws_account, "/human-loops", {"FlowDefinitionArn": flow_setup.flow_arn})

    response = requests.get(url.replace(flow_setup.flow.name, other.flow.name), timeout=10)

    assert response.status_code == 403
    assert response.json()["__type"] == "InvalidSignatureException"


def test_incomplete_query_auth_names_what_is_missing(aws_account, flow_setup):
    url = presign(aws_account, "/human-loops", {"FlowDefinitionArn": flow_setup.flow_arn})
    stripped = "&".join(part for part in url.split("&") if not part.startswith("X-Amz-Signature="))

    response = requests.get(stripped, timeout=10)

    assert response.status_code == 403
    assert response.json()["__type"] == "IncompleteSignatureException"
    assert "Missing: X-Amz-Signature" in response.json()["Message"]


def test_query_auth_and_an_authorization_header_together_are_refused(aws_account, flow_setup):
    url = presign(aws_account, "/human-loops", {"FlowDefinitionArn": flow_setup.flow_arn})

    response = requests.get(url, headers={"Authorization": "AWS4-HMAC-SHA256 Credential=x"}, timeout=10)

    assert response.status_code == 403
    assert "Only one auth mechanism allowed" in response.json()["Message"]


def test_a_presigned_url_of_session_credentials_carries_its_token(aws_account, flow_setup):
    credentials = aws_account.client("sts").get_session_token(DurationSeconds=900)["Credentials"]
    params = {"FlowDefinitionArn": flow_setup.flow_arn}

    url = presign(
        aws_account,
        "/human-loops",
        params,
        token=credentials["SessionToken"],
        key_id=credentials["AccessKeyId"],
        secret=credentials["SecretAccessKey"],
    )
    assert "X-Amz-Security-Token=" in url
    assert requests.get(url, timeout=10).status_code == 200
    without_token = "&".join(p for p in url.split("&") if not p.startswith("X-Amz-Security-Token="))
    assert requests.get(without_token, timeout=10).json()["__type"] == "UnrecognizedClientException"
