"""Output paths S3 would refuse are refused at CreateFlowDefinition; a write that can never succeed fails the loop.

Finding 7 of issue 11: `S3OutputPath="s3://../../etc/x"` was accepted, and the
answered loop then stayed InProgress forever with no reason anywhere. Transient
store errors keep retrying (tests/flows/test_output_delivery.py).
"""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from flows.delivery import storage
from flows.loops import lifecycle
from flows.models import FlowDefinition, HumanLoop, OutputOutbox, StatusEvent
from hitl.kernel import arns
from tests import factories as f
from tests.flows.test_output_delivery import s3  # noqa: F401 (moto S3 with the a2i-results bucket)
from tests.hostile.conftest import error_of

REFUSED_PATHS = {
    "s3://../../etc/x": "'..' is not a valid S3 bucket name",
    "s3://./x": "'.' is not a valid S3 bucket name",
    "s3://Upper_Case/x": "'Upper_Case' is not a valid S3 bucket name",
    "s3://ab/x": "'ab' is not a valid S3 bucket name",
    "s3://10.0.0.1/x": "'10.0.0.1' is not a valid S3 bucket name",
    "s3://my..bucket/x": "'my..bucket' is not a valid S3 bucket name",
    "s3://xn--bucket/x": "'xn--bucket' uses a prefix or suffix S3 reserves",
    "s3://results/a/../../b": "the key prefix has a '.' or '..' segment",
    "s3://results/./b": "the key prefix has a '.' or '..' segment",
    "https://s3.amazonaws.com/results/" + "k/" * 440: "the key prefix is longer than",
}


def flow_request(account, s3_output_path: str) -> dict:
    team = f.workteam(account)
    ui = f.human_task_ui(account)
    return {
        "FlowDefinitionName": "checked-paths",
        "RoleArn": f"arn:aws:iam::{account.aws_account_id}:role/A2I",
        "HumanLoopConfig": {
            "WorkteamArn": arns.build("workteam", account.aws_account_id, team.name),
            "HumanTaskUiArn": arns.build("human-task-ui", account.aws_account_id, ui.name),
            "TaskTitle": "Review",
            "TaskDescription": "Review it",
            "TaskCount": 1,
        },
        "OutputConfig": {"S3OutputPath": s3_output_path},
    }


@pytest.mark.parametrize("path, reason", REFUSED_PATHS.items(), ids=[path[:40] for path in REFUSED_PATHS])
def test_create_flow_definition_refuses_output_paths_s3_would_refuse(api, path, reason):
    response = api.control("CreateFlowDefinition", flow_request(api.account, path))

    assert response.status_code == 400
    name, message = error_of(response)
    assert name == "ValidationException"
    assert message.startswith(
        f"1 validation error detected: Value '{path[:80]}' at 'outputConfig.s3OutputPath' failed to satisfy "
        f"constraint: {reason}"
    )
    assert not FlowDefinition.objects.exists()


@pytest.mark.parametrize(
    "path",
    ["s3://a2i-results", "s3://a2i.results.example/reviews/2024/", "https://a2i-out.s3.us-east-1.amazonaws.com/x"],
)
def test_valid_output_paths_are_accepted(api, path):
    response = api.control("CreateFlowDefinition", flow_request(api.account, path))

    assert response.status_code == 200, response.content


def answered_loop_on(s3_output_path: str) -> HumanLoop:
    """Answer a loop of a flow stored with this path (as before paths were checked)."""
    acct = f.account()
    reviewer = f.user()
    flow = f.flow_definition(acct, f.workteam(acct, members=[reviewer]), s3_output_path=s3_output_path)
    loop = f.human_loop(flow, {"taskObject": "x"}, name="answered")
    task = lifecycle.claim_next_task(reviewer)
    lifecycle.submit_task(reviewer, task.id, {"sentiment": {"label": "Positive"}})
    loop.refresh_from_db()
    return loop


@pytest.mark.django_db(transaction=True)  # the output is written on commit
def test_an_output_path_the_local_store_refuses_fails_the_loop_saying_what_to_fix():
    loop = answered_loop_on("s3://../../etc/x")

    assert loop.status == HumanLoop.Status.FAILED
    assert loop.failure_code == "InternalError"
    assert loop.failure_reason.startswith("The local output store cannot write there (key ")
    assert "check the flow definition's S3OutputPath" in loop.failure_reason
    outbox = OutputOutbox.objects.get(human_loop=loop)
    assert outbox.state == OutputOutbox.State.DONE and outbox.last_error == loop.failure_reason
    [event] = StatusEvent.objects.filter(human_loop=loop)
    assert event.body["detail"]["humanLoopStatus"] == "Failed"


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("s3")
def test_a_bucket_that_does_not_exist_fails_the_loop_with_the_s3_error():
    loop = answered_loop_on("s3://no-such-bucket-here/reviews")

    assert (loop.status, loop.failure_code) == ("Failed", "InternalError")
    assert loop.failure_reason.startswith("The output store refused the write with NoSuchBucket (")
    assert "names an existing bucket this server may write to" in loop.failure_reason


def test_throttling_and_server_errors_are_transient_and_keep_retrying():
    def error(code: str, status: int) -> ClientError:
        return ClientError(
            {"Error": {"Code": code, "Message": "m"}, "ResponseMetadata": {"HTTPStatusCode": status}}, "PutObject"
        )

    assert storage.permanent_failure_reason(error("SlowDown", 503)) is None
    assert storage.permanent_failure_reason(error("InternalError", 500)) is None
    assert storage.permanent_failure_reason(ConnectionError("S3 is unreachable")) is None
    assert storage.permanent_failure_reason(OSError(28, "No space left on device")) is None
    assert storage.permanent_failure_reason(error("AccessDenied", 403)) is not None
