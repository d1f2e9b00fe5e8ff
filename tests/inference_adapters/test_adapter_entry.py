"""The adapters' HTTP operations go through the one AWS entry point: SigV4, throttling, audit, request ids, errors."""

from __future__ import annotations

import json
import logging

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from flows.models import HumanLoop
from tests import factories as f
from tests.inference_adapters import documents as d
from workforce.access_keys import create_access_key
from workforce.models import AuditRecord

URL = "/adapters/textract/analyze-document"


def signed_post(client, new_key, body: str, url: str = URL):
    request = AWSRequest(
        method="POST", url=f"http://testserver{url}", data=body, headers={"Content-Type": "application/json"}
    )
    credentials = Credentials(new_key.access_key.access_key_id, new_key.secret_access_key)
    SigV4Auth(credentials, "sagemaker", "us-east-1").add_auth(request)
    headers = {k: v for k, v in request.headers.items() if k.lower() != "content-type"} | {"Host": "testserver"}
    return client.generic("POST", url, body, content_type="application/json", headers=headers)


@pytest.mark.django_db
def test_a_signed_adapter_call_is_audited_with_its_request_id(client, payroll):
    acct, _, flow = payroll
    key = create_access_key(acct)
    body = json.dumps({"Request": d.textract_request(f.flow_arn(flow)), "Response": d.TEXTRACT_RESPONSE})

    response = signed_post(client, key, body)

    assert response.status_code == 200
    assert "HumanLoopArn" in response.json()["HumanLoopActivationOutput"]
    request_id = response["x-amzn-RequestId"]
    assert response["X-Request-Id"] == request_id  # the one id of hitl.kernel.middleware, in logs and audit alike
    record = AuditRecord.objects.get(kind="api", operation="AnalyzeDocument")
    assert (record.request_id, record.account_id, record.access_key_id, record.result) == (
        request_id,
        acct.id,
        key.access_key.access_key_id,
        "OK",
    )


@pytest.mark.django_db
def test_adapter_calls_are_throttled_per_access_key(client, payroll, settings):
    settings.HITL_THROTTLE_RATE, settings.HITL_THROTTLE_BURST = 0.001, 1
    acct, _, flow = payroll
    key = create_access_key(acct)
    body = json.dumps({"Request": d.textract_request(f.flow_arn(flow)), "Response": d.TEXTRACT_RESPONSE})

    assert signed_post(client, key, body).status_code == 200
    throttled = signed_post(client, key, body)

    assert throttled.status_code == 429
    assert throttled["x-amzn-ErrorType"] == "ThrottlingException"
    assert AuditRecord.objects.filter(operation="AnalyzeDocument", result="ThrottlingException").count() == 1


@pytest.mark.django_db
def test_a_bug_in_an_adapter_is_a_logged_internal_error_not_a_json_complaint(client, payroll, monkeypatch, caplog):
    acct, _, flow = payroll
    admin = f.user(is_staff=True)
    acct.admins.add(admin)
    client.force_login(admin)

    def broken(**kwargs):
        raise ValueError("an adapter bug")

    monkeypatch.setattr("inference_adapters.textract.analyze_document", broken)
    body = json.dumps({"Request": d.textract_request(f.flow_arn(flow)), "Response": d.TEXTRACT_RESPONSE})

    with caplog.at_level(logging.ERROR):
        response = client.post(URL, body, content_type="application/json")

    assert response.status_code == 500
    assert response.json()["__type"] == "InternalServerException"
    assert "not valid JSON" not in response.json()["Message"]
    assert any("an adapter bug" in (r.exc_text or "") for r in caplog.records)


@pytest.mark.django_db
def test_a_flow_arn_of_another_region_is_a_validation_error_for_a_staff_caller(client, payroll):
    acct, _, flow = payroll
    admin = f.user(is_staff=True)
    acct.admins.add(admin)
    client.force_login(admin)
    arn = f.flow_arn(flow).replace(":us-east-1:", ":eu-west-1:")
    body = json.dumps({"Request": d.textract_request(arn), "Response": d.TEXTRACT_RESPONSE})

    response = client.post(URL, body, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["__type"] == "ValidationException"
    assert "FlowDefinitionArn" in response.json()["Message"]
    assert not HumanLoop.objects.exists()


@pytest.mark.django_db
def test_an_unknown_adapter_path_is_an_unknown_operation_once_authenticated(client):
    assert (
        client.post("/adapters/comprehend/detect-sentiment", "{}", content_type="application/json").status_code == 403
    )
    client.force_login(f.user(is_staff=True))
    response = client.post("/adapters/comprehend/detect-sentiment", "{}", content_type="application/json")

    assert response.status_code == 404
    assert response["x-amzn-ErrorType"] == "UnknownOperationException"
