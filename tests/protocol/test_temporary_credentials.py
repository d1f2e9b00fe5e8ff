"""Temporary credentials: hitl's STS subset through the real boto3 `sts` client, used by the A2I clients."""

from __future__ import annotations

import datetime as dt
import io

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from django.core.management import call_command

from hitl.kernel import clock
from tests.protocol.conftest import REGION, start_loop
from workforce.access_keys import revoke_access_key
from workforce.models import AccessKey

pytestmark = pytest.mark.usefixtures("signing_follows_clock")


def sts_client(aws_account, **credentials):
    return aws_account.client("sts", **credentials)


def session_client(aws_account, service: str, credentials: dict):
    return boto3.client(
        service,
        endpoint_url=aws_account.endpoint_url,
        region_name=REGION,
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
        config=Config(retries={"max_attempts": 1}),
    )


def error_of(call) -> tuple[str, int, str]:
    with pytest.raises(ClientError) as info:
        call()
    response = info.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Message"]


def test_get_session_token_issues_credentials_that_sign_both_a2i_apis(aws_account, flow_setup):
    clock.set_now(dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC))

    credentials = sts_client(aws_account).get_session_token(DurationSeconds=900)["Credentials"]

    assert credentials["AccessKeyId"].startswith("ASIA") and len(credentials["AccessKeyId"]) == 20
    assert credentials["Expiration"] == dt.datetime(2026, 12, 1, 9, 15, tzinfo=dt.UTC)
    runtime = session_client(aws_account, "sagemaker-a2i-runtime", credentials)
    arn = start_loop(runtime, flow_setup.flow_arn, "loop-1")
    assert runtime.describe_human_loop(HumanLoopName="loop-1")["HumanLoopArn"] == arn
    names = [
        f["FlowDefinitionName"]
        for f in session_client(aws_account, "sagemaker", credentials).list_flow_definitions()[
            "FlowDefinitionSummaries"
        ]
    ]
    assert names == [flow_setup.flow.name]
    session = AccessKey.objects.get(access_key_id=credentials["AccessKeyId"])
    assert session.parent.access_key_id == aws_account.access_key_id
    assert session.session_token_sha256 and credentials["SessionToken"] not in session.session_token_sha256


def test_session_credentials_expire_with_expired_token_exception(aws_account, flow_setup):
    credentials = sts_client(aws_account).get_session_token(DurationSeconds=900)["Credentials"]
    runtime = session_client(aws_account, "sagemaker-a2i-runtime", credentials)
    sagemaker = session_client(aws_account, "sagemaker", credentials)
    clock.advance(901)

    code, status, message = error_of(lambda: runtime.list_human_loops(FlowDefinitionArn=flow_setup.flow_arn))
    assert (code, status, message) == (
        "ExpiredTokenException",
        403,
        "The security token included in the request is expired",
    )
    code, status, _ = error_of(lambda: sagemaker.list_workteams())
    assert (code, status) == ("ExpiredTokenException", 400)


def test_a_forged_or_missing_session_token_is_an_unrecognized_client(aws_account, flow_setup):
    credentials = sts_client(aws_account).get_session_token()["Credentials"]
    forged = dict(credentials, SessionToken=credentials["SessionToken"][:-4] + "AAAA")
    without = boto3.client(
        "sagemaker-a2i-runtime",
        endpoint_url=aws_account.endpoint_url,
        region_name=REGION,
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
    )

    for client in (session_client(aws_account, "sagemaker-a2i-runtime", forged), without):
        code, status, message = error_of(lambda c=client: c.list_human_loops(FlowDefinitionArn=flow_setup.flow_arn))
        assert (code, status, message) == (
            "UnrecognizedClientException",
            403,
            "The security token included in the request is invalid.",
        )
    # A token sent with a long-term key: credentials this server never issued.
    code, _, _ = error_of(
        lambda: aws_account.client("sagemaker", aws_session_token=credentials["SessionToken"]).list_workteams()
    )
    assert code == "UnrecognizedClientException"


def test_sts_answers_authentication_failures_with_its_own_error_codes(aws_account):
    code, status, message = error_of(
        lambda: sts_client(aws_account, aws_access_key_id="AKIAUNKNOWNUNKNOWN00").get_session_token()
    )
    assert (code, status, message) == (
        "InvalidClientTokenId",
        403,
        "The security token included in the request is invalid.",
    )
    code, status, _ = error_of(lambda: sts_client(aws_account, aws_secret_access_key="wrong").get_caller_identity())
    assert (code, status) == ("SignatureDoesNotMatch", 403)
    credentials = sts_client(aws_account).get_session_token(DurationSeconds=900)["Credentials"]
    clock.advance(901)
    sts = session_client(aws_account, "sts", credentials)
    with pytest.raises(sts.exceptions.ExpiredTokenException):
        sts.assume_role(RoleArn=f"arn:aws:iam::{aws_account.account.aws_account_id}:role/A2I", RoleSessionName="ci")


def test_assume_role_inherits_the_scope_of_the_key_that_asked(aws_account, flow_setup):
    AccessKey.objects.filter(access_key_id=aws_account.access_key_id).update(
        scope=AccessKey.Scope.RUNTIME, allowed_flow_names=[flow_setup.flow.name]
    )
    role_arn = f"arn:aws:iam::{aws_account.account.aws_account_id}:role/service-role/A2IReviews"
    clock.set_now(dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC))

    response = sts_client(aws_account).assume_role(RoleArn=role_arn, RoleSessionName="nightly-batch")

    assert response["AssumedRoleUser"]["Arn"] == (
        f"arn:aws:sts::{aws_account.account.aws_account_id}:assumed-role/A2IReviews/nightly-batch"
    )
    assert response["AssumedRoleUser"]["AssumedRoleId"].endswith(":nightly-batch")
    credentials = response["Credentials"]
    assert credentials["Expiration"] == dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)
    start_loop(session_client(aws_account, "sagemaker-a2i-runtime", credentials), flow_setup.flow_arn, "loop-1")
    code, _, _ = error_of(lambda: session_client(aws_account, "sagemaker", credentials).list_workteams())
    assert code == "AccessDeniedException"


def test_assume_role_refuses_another_accounts_role_and_bad_input(aws_account):
    sts = sts_client(aws_account)

    code, status, message = error_of(
        lambda: sts.assume_role(RoleArn="arn:aws:iam::999999999999:role/Other", RoleSessionName="x1")
    )
    assert (code, status) == ("AccessDenied", 403)
    assert "sts:AssumeRole" in message
    code, status, message = error_of(lambda: sts.get_session_token(DurationSeconds=200_000))
    assert (code, status) == ("ValidationError", 400)
    assert "durationSeconds" in message


def test_session_credentials_cannot_ask_for_more_session_tokens_but_can_assume_a_role_for_no_longer(aws_account):
    credentials = sts_client(aws_account).get_session_token(DurationSeconds=900)["Credentials"]
    sts = session_client(aws_account, "sts", credentials)

    code, _, message = error_of(lambda: sts.get_session_token())
    assert (code, message) == ("AccessDenied", "Cannot call GetSessionToken with session credentials")
    chained = sts.assume_role(
        RoleArn=f"arn:aws:iam::{aws_account.account.aws_account_id}:role/A2I", RoleSessionName="chained"
    )["Credentials"]
    assert chained["Expiration"] == credentials["Expiration"]
    assert session_client(aws_account, "sts", chained).get_caller_identity()["Account"] == (
        aws_account.account.aws_account_id
    )


def test_revoking_the_long_term_key_revokes_its_sessions(aws_account, flow_setup):
    credentials = sts_client(aws_account).get_session_token()["Credentials"]
    runtime = session_client(aws_account, "sagemaker-a2i-runtime", credentials)
    runtime.list_human_loops(FlowDefinitionArn=flow_setup.flow_arn)

    revoke_access_key(aws_account.access_key)

    code, _, _ = error_of(lambda: runtime.list_human_loops(FlowDefinitionArn=flow_setup.flow_arn))
    assert code == "UnrecognizedClientException"


def test_the_management_command_prints_session_credentials_a_client_can_use(aws_account, flow_setup):
    out = io.StringIO()
    call_command("create_session_credentials", aws_account.access_key_id, "--duration", "900", stdout=out)

    lines = out.getvalue().splitlines()
    assert [line.split(" = ")[0] for line in lines[:3]] == [
        "aws_access_key_id",
        "aws_secret_access_key",
        "aws_session_token",
    ]
    assert lines[3].startswith("# expires ")
    values = [line.split(" = ", 1)[1] for line in lines[:3]]
    credentials = dict(zip(("AccessKeyId", "SecretAccessKey", "SessionToken"), values, strict=True))
    runtime = session_client(aws_account, "sagemaker-a2i-runtime", credentials)
    assert runtime.list_human_loops(FlowDefinitionArn=flow_setup.flow_arn)["HumanLoopSummaries"] == []
    clock.advance(901)
    code, _, _ = error_of(lambda: runtime.list_human_loops(FlowDefinitionArn=flow_setup.flow_arn))
    assert code == "ExpiredTokenException"


def test_boto3s_own_credential_chain_assumes_a_role_at_hitl(aws_account, flow_setup, tmp_path, monkeypatch):
    # A role_arn profile: botocore's AssumeRole provider calls STS at AWS_ENDPOINT_URL_STS and refreshes itself.
    config = tmp_path / "config"
    config.write_text(
        "[profile base]\n"
        f"aws_access_key_id = {aws_account.access_key_id}\n"
        f"aws_secret_access_key = {aws_account.secret_access_key}\n"
        "[profile reviews]\n"
        f"role_arn = arn:aws:iam::{aws_account.account.aws_account_id}:role/A2IReviews\n"
        "source_profile = base\n"
        f"region = {REGION}\n"
    )
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", aws_account.endpoint_url)

    session = boto3.Session(profile_name="reviews")
    runtime = session.client("sagemaker-a2i-runtime", endpoint_url=aws_account.endpoint_url)
    start_loop(runtime, flow_setup.flow_arn, "loop-1")

    frozen = session.get_credentials().get_frozen_credentials()
    assert frozen.access_key.startswith("ASIA") and frozen.token
    assert AccessKey.objects.get(access_key_id=frozen.access_key).parent.access_key_id == aws_account.access_key_id
