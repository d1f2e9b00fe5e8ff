"""Status events to an SQS queue and an EventBridge bus through boto3 (moto), with the delivery log."""

import json

import boto3
import pytest
from moto import mock_aws

from flows.loops import lifecycle
from flows.models import WebhookDelivery
from tests import factories as f


@pytest.fixture
def aws(monkeypatch):
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_SQS", "AWS_ENDPOINT_URL_EVENTS"):
        monkeypatch.delenv(name, raising=False)
    with mock_aws():
        yield


def _complete_a_loop():
    acct = f.account()
    reviewer = f.user()
    flow = f.flow_definition(acct, f.workteam(acct, members=[reviewer]), task_count=1)
    lifecycle.start_human_loop(account=acct, name="loop-1", flow_definition_arn=f.flow_arn(flow), input_content="{}")
    task = lifecycle.claim_next_task(reviewer)
    lifecycle.submit_task(reviewer, task.id, {"ok": True})


@pytest.mark.django_db(transaction=True)
def test_events_go_to_the_sqs_queue_and_the_eventbridge_bus_with_a_configurable_source(aws, settings):
    sqs = boto3.client("sqs", region_name="us-east-1")
    queue_url = sqs.create_queue(QueueName="a2i-events")["QueueUrl"]
    bus_queue_url = sqs.create_queue(QueueName="from-bus")["QueueUrl"]
    bus_queue_arn = sqs.get_queue_attributes(QueueUrl=bus_queue_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    events = boto3.client("events", region_name="us-east-1")
    events.create_event_bus(Name="a2i")
    events.put_rule(
        Name="a2i-status",
        EventBusName="a2i",
        EventPattern=json.dumps({"source": ["hitl.a2i"], "detail-type": ["SageMaker A2I HumanLoop Status Change"]}),
    )
    events.put_targets(Rule="a2i-status", EventBusName="a2i", Targets=[{"Id": "q", "Arn": bus_queue_arn}])
    settings.HITL_EVENT_SQS_QUEUE_URL = queue_url
    settings.HITL_EVENT_BUS_NAME = "a2i"
    settings.HITL_EVENT_SOURCE = "hitl.a2i"

    _complete_a_loop()

    [message] = sqs.receive_message(QueueUrl=queue_url)["Messages"]
    event = json.loads(message["Body"])
    assert event["source"] == "aws.sagemaker"  # the EventBridge shape, verbatim
    assert event["detail"]["humanLoopStatus"] == "Completed"
    [forwarded] = sqs.receive_message(QueueUrl=bus_queue_url)["Messages"]
    from_bus = json.loads(forwarded["Body"])
    assert from_bus["source"] == "hitl.a2i"
    assert from_bus["detail"] == event["detail"]
    deliveries = WebhookDelivery.objects.select_related("endpoint").order_by("endpoint__url")
    assert [(d.endpoint.url, d.state) for d in deliveries] == [
        ("eventbridge:a2i", "delivered"),
        (f"sqs:{queue_url}", "delivered"),
    ]


@pytest.mark.django_db(transaction=True)
def test_a_missing_queue_leaves_the_delivery_pending_with_the_error(aws, settings):
    settings.HITL_EVENT_SQS_QUEUE_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/no-such-queue"

    _complete_a_loop()

    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.attempts) == ("pending", 1)
    assert "NonExistentQueue" in delivery.last_error or "QueueDoesNotExist" in delivery.last_error
