"""output.json through the outbox: SSE-KMS on S3, same bytes when run twice, store errors retried."""

import json

import boto3
import pytest
from moto import mock_aws

from flows import tasks
from flows.delivery.storage import get_store
from flows.loops import lifecycle
from flows.models import HumanLoop, OutputOutbox
from hitl.kernel import clock
from tests import factories as f

KMS_KEY = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def _answered_loop(name: str = "loop-1", **flow_overrides) -> HumanLoop:
    acct = f.account()
    reviewer = f.user()
    flow = f.flow_definition(acct, f.workteam(acct, members=[reviewer]), task_count=1, **flow_overrides)
    lifecycle.start_human_loop(
        account=acct, name=name, flow_definition_arn=f.flow_arn(flow), input_content='{"taskObject": "x"}'
    )
    task = lifecycle.claim_next_task(reviewer)
    lifecycle.submit_task(reviewer, task.id, {"sentiment": {"label": "Positive"}})
    return HumanLoop.objects.get(name=name)


@pytest.fixture
def s3(settings, monkeypatch):
    monkeypatch.delenv("AWS_ENDPOINT_URL_S3", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        settings.HITL_OUTPUT_BACKEND = "s3"
        get_store.cache_clear()
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket="a2i-results")
        client.put_bucket_versioning(Bucket="a2i-results", VersioningConfiguration={"Status": "Enabled"})
        yield client
        get_store.cache_clear()


@pytest.mark.django_db(transaction=True)
def test_a_flow_with_a_kms_key_writes_its_output_encrypted_with_that_key(s3):
    loop = _answered_loop(kms_key_id=KMS_KEY)

    assert loop.status == "Completed"
    key = loop.output_s3_uri.removeprefix("s3://a2i-results/")
    head = s3.head_object(Bucket="a2i-results", Key=key)
    assert head["ServerSideEncryption"] == "aws:kms"
    assert head["SSEKMSKeyId"] == KMS_KEY
    assert head["ContentType"] == "application/json"


@pytest.mark.django_db(transaction=True)
def test_finalizing_twice_leaves_one_object_and_one_event(s3):
    loop = _answered_loop()
    key = loop.output_s3_uri.removeprefix("s3://a2i-results/")

    assert lifecycle.finalize_loop(loop.id) is False  # already done: nothing written
    versions = s3.list_object_versions(Bucket="a2i-results", Prefix=key)["Versions"]
    assert len(versions) == 1
    assert loop.status_events.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_same_document_is_built_byte_for_byte_on_a_rerun(s3):
    # Given a finished loop whose outbox is forced back to pending (a crash right after the put)
    loop = _answered_loop()
    key = loop.output_s3_uri.removeprefix("s3://a2i-results/")
    first = s3.get_object(Bucket="a2i-results", Key=key)["Body"].read()
    OutputOutbox.objects.filter(human_loop=loop).update(state="pending")
    HumanLoop.objects.filter(id=loop.id).update(status="InProgress", output_s3_uri="", finished_at=None)

    assert lifecycle.finalize_loop(loop.id) is True
    versions = s3.list_object_versions(Bucket="a2i-results", Prefix=key)["Versions"]
    assert len(versions) == 2 and len({v["ETag"] for v in versions}) == 1
    assert s3.get_object(Bucket="a2i-results", Key=key)["Body"].read() == first
    assert json.loads(first)["humanAnswers"][0]["answerContent"] == {"sentiment": {"label": "Positive"}}


class _BrokenStore:
    def put(self, *args, **kwargs):
        raise ConnectionError("S3 is unreachable")


@pytest.mark.django_db(transaction=True)
def test_a_store_error_keeps_the_loop_in_progress_until_the_outbox_sweep_writes_it(monkeypatch, settings):
    broken = _BrokenStore()
    monkeypatch.setattr("flows.delivery.outputs.get_store", lambda: broken)
    loop = _answered_loop()

    # Then the loop waits, with the failure on its outbox row
    assert loop.status == "InProgress"
    outbox = OutputOutbox.objects.get(human_loop=loop)
    assert (outbox.state, outbox.attempts) == ("pending", 1)
    assert "S3 is unreachable" in outbox.last_error
    assert tasks.redeliver_outbox() == 0  # its own retry is not overdue yet

    # When the store is back and the retry is overdue, the sweep finishes the loop
    monkeypatch.setattr("flows.delivery.outputs.get_store", get_store)
    clock.advance(settings.HITL_OUTBOX_GRACE_SECONDS + 5)
    assert tasks.redeliver_outbox() == 1
    loop.refresh_from_db()
    assert loop.status == "Completed"
    bucket, key = loop.output_s3_uri.removeprefix("s3://").split("/", 1)
    assert json.loads(get_store().get(bucket, key))["humanLoopName"] == "loop-1"
    assert tasks.redeliver_outbox() == 0
