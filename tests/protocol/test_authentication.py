"""SigV4 failures as boto3 and raw HTTP clients see them (runtime 403, control plane 400)."""

from __future__ import annotations

import json

import pytest
import requests
from botocore.exceptions import ClientError

from hitl.kernel import clock
from workforce.access_keys import revoke_access_key
from workforce.models import AccessKey


def error_of(call) -> tuple[str, int, str]:
    with pytest.raises(ClientError) as info:
        call()
    response = info.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Message"]


def test_a_signed_request_records_when_the_key_was_last_used(aws_account, runtime_client, flow_setup):
    runtime_client.list_human_loops(FlowDefinitionArn=flow_setup.flow_arn)

    assert AccessKey.objects.get(access_key_id=aws_account.access_key_id).last_used_at is not None


def test_an_unknown_access_key_is_an_unrecognized_client(aws_account, flow_setup):
    runtime = aws_account.client("sagemaker-a2i-runtime", aws_access_key_id="AKIAUNKNOWNUNKNOWN00")
    sagemaker = aws_account.client("sagemaker", aws_access_key_id="AKIAUNKNOWNUNKNOWN00")

    code, status, message = error_of(lambda: runtime.list_human_loops(FlowDefinitionArn=flow_setup.flow_arn))
    assert (code, status) == ("UnrecognizedClientException", 403)
    assert message == "The security token included in the request is invalid."
    code, status, _ = error_of(lambda: sagemaker.list_flow_definitions())
    assert (code, status) == ("UnrecognizedClientException", 400)


def test_a_revoked_key_is_an_unrecognized_client(aws_account, runtime_client, flow_setup):
    runtime_client.list_human_loops(FlowDefinitionArn=flow_setup.flow_arn)
    revoke_access_key(aws_account.access_key)

    code, _, _ = error_of(lambda: runtime_client.list_human_loops(FlowDefinitionArn=flow_setup.flow_arn))
    assert code == "UnrecognizedClientException"


def test_a_wrong_secret_is_an_invalid_signature(aws_account, flow_setup):
    runtime = aws_account.client("sagemaker-a2i-runtime", aws_secret_access_key="not-the-secret")
    sagemaker = aws_account.client("sagemaker", aws_secret_access_key="not-the-secret")

    code, status, message = error_of(lambda: runtime.describe_human_loop(HumanLoopName="loop-1"))
    assert (code, status) == ("InvalidSignatureException", 403)
    assert message.startswith("The request signature we calculated does not match the signature you provided.")
    code, status, _ = error_of(lambda: sagemaker.list_workteams())
    assert (code, status) == ("InvalidSignatureException", 400)


def test_a_signature_older_than_the_skew_has_expired(runtime_client, flow_setup):
    clock.advance(20 * 60)  # the server is 20 minutes ahead of the signing client

    code, status, message = error_of(lambda: runtime_client.list_human_loops(FlowDefinitionArn=flow_setup.flow_arn))

    assert (code, status) == ("InvalidSignatureException", 403)
    assert message.startswith("Signature expired: ")
    assert " is now earlier than " in message
    assert message.endswith(" - 15 min.)")


def test_a_signature_from_the_future_is_not_yet_current(sagemaker_client):
    clock.advance(-20 * 60)

    code, status, message = error_of(lambda: sagemaker_client.list_flow_definitions())

    assert (code, status) == ("InvalidSignatureException", 400)
    assert message.startswith("Signature not yet current: ")


def test_the_region_is_part_of_the_credential_scope(aws_account, flow_setup):
    runtime = aws_account.client("sagemaker-a2i-runtime", region_name="eu-west-1")

    code, _, message = error_of(lambda: runtime.describe_human_loop(HumanLoopName="loop-1"))

    assert code == "InvalidSignatureException"
    assert "region" in message


@pytest.mark.parametrize(
    ("method", "path", "headers", "status", "content_type"),
    [
        ("GET", "/human-loops?FlowDefinitionArn=x", {}, 403, "application/json"),
        ("POST", "/human-loops/stop", {"Content-Type": "application/json"}, 403, "application/json"),
        (
            "POST",
            "/",
            {"X-Amz-Target": "SageMaker.ListFlowDefinitions", "Content-Type": "application/x-amz-json-1.1"},
            400,
            "application/x-amz-json-1.1",
        ),
    ],
)
def test_an_unsigned_request_is_missing_its_token(
    live_server, transactional_db, method, path, headers, status, content_type
):
    response = requests.request(method, live_server.url + path, headers=headers, data=b"{}", timeout=10)

    assert response.status_code == status
    assert response.headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"
    assert response.headers["Content-Type"] == content_type
    assert response.headers["x-amzn-RequestId"]
    assert response.headers["Date"]
    assert int(response.headers["Content-Length"]) == len(response.content)
    body = json.loads(response.content)
    assert body["__type"] == "MissingAuthenticationTokenException"
    assert body["Message"]


def test_a_malformed_authorization_header_is_an_incomplete_signature(live_server, transactional_db):
    response = requests.get(
        live_server.url + "/human-loops/loop-1",
        headers={"Authorization": "AWS4-HMAC-SHA256 Credential=AKIAX/20240102/us-east-1/sagemaker/aws4_request"},
        timeout=10,
    )

    assert response.status_code == 403
    assert response.json()["__type"] == "IncompleteSignatureException"


def test_a_runtime_only_key_may_not_call_the_control_plane(aws_account, sagemaker_client, runtime_client, flow_setup):
    AccessKey.objects.filter(access_key_id=aws_account.access_key_id).update(scope=AccessKey.Scope.RUNTIME)

    code, status, _ = error_of(lambda: sagemaker_client.list_flow_definitions())

    assert (code, status) == ("AccessDeniedException", 400)
    assert runtime_client.list_human_loops(FlowDefinitionArn=flow_setup.flow_arn)["HumanLoopSummaries"] == []


def test_curl_signing_with_its_own_sigv4_is_accepted(aws_account, runtime_client, flow_setup):
    # curl --aws-sigv4 (curl >= 7.75): another SigV4 implementation than botocore's.
    import subprocess

    runtime_client.start_human_loop(
        HumanLoopName="loop-1", FlowDefinitionArn=flow_setup.flow_arn, HumanLoopInput={"InputContent": "{}"}
    )
    done = subprocess.run(
        ["curl", "-sS", "--aws-sigv4", "aws:amz:us-east-1:sagemaker",
         "--user", f"{aws_account.access_key_id}:{aws_account.secret_access_key}",
         f"{aws_account.endpoint_url}/human-loops/loop-1"],
        capture_output=True, text=True, timeout=30,
    )  # fmt: skip

    assert json.loads(done.stdout)["HumanLoopStatus"] == "InProgress", done
