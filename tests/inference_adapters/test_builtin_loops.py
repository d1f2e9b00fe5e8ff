"""Built-in task types end to end: StartHumanLoop, the Python adapters, proxy mode and the HTTP endpoint."""

import json

import pytest
from botocore.stub import Stubber

from flows.definitions.activation import camelize
from flows.definitions.conditions import TEXTRACT_SOURCE, sampling_draw
from flows.delivery.storage import get_store
from flows.loops import lifecycle
from flows.models import HumanLoop
from inference_adapters import clients, rekognition, textract
from tests import factories as f
from tests.inference_adapters import documents as d


def _rekognition_loop_name_without_sampling(flow_arn):
    """A loop name whose request draws >= 10, so the worked example's Sampling leaf is false."""
    from flows.definitions.conditions import request_sampling_key

    for n in range(1000):
        request = camelize(d.rekognition_request(flow_arn, f"moderation-{n}"))
        if sampling_draw(request_sampling_key(flow_arn, request)) >= 10:
            return f"moderation-{n}"
    raise AssertionError


@pytest.mark.django_db(transaction=True)
def test_textract_worked_example_creates_the_loop_and_output_json_has_the_documented_input(payroll):
    acct, reviewer, flow = payroll
    flow_arn = f.flow_arn(flow)

    output = textract.analyze_document(account=acct, request=d.textract_request(flow_arn), response=d.TEXTRACT_RESPONSE)

    loop = HumanLoop.objects.get(name="payroll-7781")
    assert output["HumanLoopArn"].endswith(":human-loop/payroll-7781")
    assert output["HumanLoopActivationReasons"] == ["ConditionsEvaluation"]
    assert json.loads(output["HumanLoopActivationConditionsEvaluationResults"]) == d.EXPECTED_TEXTRACT_RESULTS
    assert loop.data_attributes == {"ContentClassifiers": ["FreeOfPersonallyIdentifiableInformation"]}
    expected_input = {
        "aiServiceRequest": {
            "document": {"s3Object": {"bucket": "scans", "name": "payroll/7781.png"}},
            "featureTypes": ["FORMS"],
            "humanLoopConfig": {
                "dataAttributes": {"contentClassifiers": ["FreeOfPersonallyIdentifiableInformation"]},
                "flowDefinitionArn": flow_arn,
                "humanLoopName": "payroll-7781",
            },
        },
        "aiServiceResponse": camelize(d.TEXTRACT_RESPONSE),
        "humanLoopContext": d.EXPECTED_TEXTRACT_CONTEXT,
        "humanTaskActivationConditionResults": d.EXPECTED_TEXTRACT_RESULTS,
        "selectedAiServiceResponse": {"blocks": d.EXPECTED_SELECTED_BLOCKS},
    }
    assert loop.input_json == expected_input
    assert camelize(d.TEXTRACT_RESPONSE)["blocks"][0] == {
        "blockType": "KEY_VALUE_SET",
        "id": "k-1",
        "entityTypes": ["KEY"],
        "confidence": 58.2,
        "page": 1,
        "relationships": [{"type": "VALUE", "ids": ["v-1"]}, {"type": "CHILD", "ids": ["w-1", "w-2"]}],
    }

    # A retry of the same call returns the same loop; no second loop.
    again = textract.analyze_document(account=acct, request=d.textract_request(flow_arn), response=d.TEXTRACT_RESPONSE)
    assert again == output
    assert HumanLoop.objects.count() == 1

    task = lifecycle.claim_next_task(reviewer)
    answer = {
        "AWS/Textract/AnalyzeDocument/Forms/V1": {
            "blocks": [{"blockType": "KEY_VALUE_SET", "id": "k-1", "text": "Pay Date:"}]
        }
    }
    lifecycle.submit_task(reviewer, task.id, answer)
    loop.refresh_from_db()
    bucket, key = loop.output_s3_uri.removeprefix("s3://").split("/", 1)
    document = json.loads(get_store().get(bucket, key))
    assert document["awsManagedHumanLoopRequestSource"] == TEXTRACT_SOURCE
    assert document["inputContent"] == expected_input
    assert document["humanAnswers"][0]["answerContent"] == answer


@pytest.mark.django_db
def test_start_human_loop_with_nothing_true_creates_no_loop(payroll):
    acct, _, flow = payroll
    response = json.loads(json.dumps(d.TEXTRACT_RESPONSE))
    response["Blocks"][0]["Confidence"] = 99.0  # Pay Date confident...
    response["Blocks"][6]["Confidence"] = 99.0
    response["Blocks"].append(
        {"BlockType": "KEY_VALUE_SET", "Id": "k-3", "EntityTypes": ["KEY"], "Confidence": 90.0, "Text": "Name:"}
    )  # ...and Employee Name present (via alias)
    content = json.dumps(
        {"aiServiceRequest": camelize(d.textract_request(f.flow_arn(flow))), "aiServiceResponse": camelize(response)}
    )

    result = lifecycle.start_human_loop(
        account=acct, name="payroll-7781", flow_definition_arn=f.flow_arn(flow), input_content=content
    )

    assert result.loop is None and result.created is False
    assert not HumanLoop.objects.exists()


@pytest.mark.django_db
def test_start_human_loop_on_a_builtin_flow_requires_the_request_response_pair(payroll):
    acct, _, flow = payroll
    from hitl.kernel.errors import InvalidInput

    with pytest.raises(InvalidInput, match='"aiServiceRequest" and "aiServiceResponse"'):
        lifecycle.start_human_loop(
            account=acct, name="x", flow_definition_arn=f.flow_arn(flow), input_content='{"taskObject": 1}'
        )


@pytest.mark.django_db
def test_rekognition_worked_example_selects_suggestive(moderation):
    acct, _, flow = moderation
    flow_arn = f.flow_arn(flow)
    name = _rekognition_loop_name_without_sampling(flow_arn)

    output = rekognition.detect_moderation_labels(
        account=acct, request=d.rekognition_request(flow_arn, name), response=d.REKOGNITION_RESPONSE
    )

    loop = HumanLoop.objects.get(name=name)
    assert json.loads(output["HumanLoopActivationConditionsEvaluationResults"]) == d.EXPECTED_REKOGNITION_RESULTS
    assert loop.input_json["selectedAiServiceResponse"] == d.EXPECTED_REKOGNITION_SELECTED
    assert loop.input_json["humanTaskActivationConditionResults"] == d.EXPECTED_REKOGNITION_RESULTS
    assert "humanLoopContext" not in loop.input_json
    assert loop.input_json["aiServiceRequest"]["image"] == {
        "s3Object": {"bucket": "uploads", "name": "photos/beach.jpg"}
    }


@pytest.mark.django_db
def test_rekognition_without_a_firing_condition_returns_no_arn(moderation):
    acct, _, flow = moderation
    flow_arn = f.flow_arn(flow)
    name = _rekognition_loop_name_without_sampling(flow_arn)
    response = {
        "ModerationLabels": [{"Confidence": 99.5, "Name": "Suggestive", "ParentName": ""}],
        "ModerationModelVersion": "3.0",
    }

    output = rekognition.detect_moderation_labels(
        account=acct, request=d.rekognition_request(flow_arn, name), response=response
    )

    assert "HumanLoopArn" not in output
    assert (
        json.loads(output["HumanLoopActivationConditionsEvaluationResults"])["Conditions"][0]["EvaluationResult"]
        is False
    )
    assert not HumanLoop.objects.exists()


# --- Proxy mode (botocore Stubber on clients.py) -----------------------------------


@pytest.fixture
def proxy(settings):
    settings.HITL_ADAPTER_PROXY = True
    clients.client.cache_clear()
    yield
    clients.client.cache_clear()


@pytest.mark.django_db
def test_proxy_mode_calls_textract_without_the_human_loop_config(payroll, proxy):
    acct, _, flow = payroll
    request = d.textract_request(f.flow_arn(flow))
    with Stubber(clients.client("textract")) as stub:
        stub.add_response(
            "analyze_document",
            d.TEXTRACT_RESPONSE,
            expected_params={"Document": request["Document"], "FeatureTypes": ["FORMS"]},
        )
        output = textract.analyze_document(account=acct, request=request)
        stub.assert_no_pending_responses()

    assert output["HumanLoopArn"].endswith("human-loop/payroll-7781")
    assert HumanLoop.objects.get().input_json["aiServiceResponse"] == camelize(d.TEXTRACT_RESPONSE)


@pytest.mark.django_db
def test_proxy_mode_calls_rekognition(moderation, proxy):
    acct, _, flow = moderation
    flow_arn = f.flow_arn(flow)
    name = _rekognition_loop_name_without_sampling(flow_arn)
    request = d.rekognition_request(flow_arn, name)
    with Stubber(clients.client("rekognition")) as stub:
        stub.add_response(
            "detect_moderation_labels", d.REKOGNITION_RESPONSE, expected_params={"Image": request["Image"]}
        )
        output = rekognition.detect_moderation_labels(account=acct, request=request)

    assert output["HumanLoopArn"].endswith(f"human-loop/{name}")


@pytest.mark.django_db
def test_without_proxy_mode_a_response_is_required(payroll):
    acct, _, flow = payroll
    from hitl.kernel.errors import InvalidInput

    with pytest.raises(InvalidInput, match="proxy mode"):
        textract.analyze_document(account=acct, request=d.textract_request(f.flow_arn(flow)))


# --- HTTP endpoint ----------------------------------------------------------------


@pytest.mark.django_db
def test_http_endpoint_starts_the_loop_for_a_staff_admin_of_the_account(client, payroll):
    acct, _, flow = payroll
    admin = f.user(is_staff=True)
    acct.admins.add(admin)
    client.force_login(admin)
    body = {"Request": d.textract_request(f.flow_arn(flow)), "Response": d.TEXTRACT_RESPONSE}

    response = client.post("/adapters/textract/analyze-document", json.dumps(body), content_type="application/json")

    assert response.status_code == 200
    output = response.json()["HumanLoopActivationOutput"]
    assert set(output) == {
        "HumanLoopArn",
        "HumanLoopActivationReasons",
        "HumanLoopActivationConditionsEvaluationResults",
    }
    assert HumanLoop.objects.get().name == "payroll-7781"


@pytest.mark.django_db
def test_http_endpoint_refuses_anonymous_and_other_accounts_staff(client, moderation):
    acct, _, flow = moderation
    body = json.dumps({"Request": d.rekognition_request(f.flow_arn(flow)), "Response": d.REKOGNITION_RESPONSE})
    url = "/adapters/rekognition/detect-moderation-labels"

    anonymous = client.post(url, body, content_type="application/json")
    assert anonymous.status_code == 403
    assert anonymous["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"

    client.force_login(f.user(is_staff=True))  # staff, but not an admin of this account
    other = client.post(url, body, content_type="application/json")
    assert other.status_code == 403
    assert other.json()["__type"] == "AccessDeniedException"
    assert not HumanLoop.objects.exists()


@pytest.mark.django_db
def test_http_endpoint_reports_bad_input_as_validation_exception(client, moderation):
    acct, _, flow = moderation
    admin = f.user(is_staff=True)
    acct.admins.add(admin)
    client.force_login(admin)
    url = "/adapters/rekognition/detect-moderation-labels"
    wrong_flow_type = {"Request": d.textract_request(f.flow_arn(flow)), "Response": d.TEXTRACT_RESPONSE}

    response = client.post(
        "/adapters/textract/analyze-document", json.dumps(wrong_flow_type), content_type="application/json"
    )
    assert response.status_code == 400
    assert "not AWS/Textract/AnalyzeDocument/Forms/V1" in response.json()["Message"]
    assert client.post(url, "{not json", content_type="application/json").json()["__type"] == "ValidationException"


@pytest.mark.django_db(transaction=True)
def test_http_endpoint_accepts_a_sigv4_signed_request_and_applies_the_key_flow_list(live_server, moderation):
    import requests
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    from workforce.access_keys import create_access_key

    acct, _, flow = moderation
    flow_arn = f.flow_arn(flow)
    name = _rekognition_loop_name_without_sampling(flow_arn)
    allowed = create_access_key(acct, allowed_flow_names=[flow.name])
    other_flows_only = create_access_key(acct, allowed_flow_names=["another-flow"])
    url = f"{live_server.url}/adapters/rekognition/detect-moderation-labels"
    body = json.dumps({"Request": d.rekognition_request(flow_arn, name), "Response": d.REKOGNITION_RESPONSE})

    def signed_post(new_key, sent_body=None):
        request = AWSRequest(method="POST", url=url, data=body, headers={"Content-Type": "application/json"})
        credentials = Credentials(new_key.access_key.access_key_id, new_key.secret_access_key)
        SigV4Auth(credentials, "sagemaker", "us-east-1").add_auth(request)
        return requests.post(url, data=sent_body or body, headers=dict(request.headers), timeout=10)

    refused = signed_post(other_flows_only)
    assert refused.status_code == 403
    assert refused.json()["__type"] == "AccessDeniedException"

    accepted = signed_post(allowed)
    assert accepted.status_code == 200
    assert accepted.json()["HumanLoopActivationOutput"]["HumanLoopArn"].endswith(f"human-loop/{name}")
    assert HumanLoop.objects.filter(name=name).count() == 1

    tampered = signed_post(allowed, sent_body=body.replace("96.71", "16.71"))
    assert tampered.status_code == 403
    assert tampered.json()["__type"] == "InvalidSignatureException"
