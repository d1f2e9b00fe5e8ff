"""In the browser: the stock Textract and Rekognition templates, fed by the adapters, submit the documented answers."""

import json
import time

import pytest

from flows.models import HumanLoop
from flows.storage import get_store
from inference_adapters import rekognition, textract
from inference_adapters.conditions import REKOGNITION_SOURCE, TEXTRACT_SOURCE
from tests import factories as f
from tests.browser.conftest import _fast_passwords, chromium, page, portal, store_image  # noqa: F401
from tests.inference_adapters import documents as d
from tests.inference_adapters.test_builtin_loops import _rekognition_loop_name_without_sampling

pytestmark = pytest.mark.browser


def _stored_json(loop, name):
    """Read a JSON object written when `loop` completed (finalizing runs just after the submit commits)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        loop.refresh_from_db()
        if loop.status == "Completed":
            break
        time.sleep(0.05)
    bucket, key = loop.output_s3_uri.removeprefix("s3://").split("/", 1)
    return json.loads(get_store().get(bucket, key.replace("output.json", name)))


def test_textract_review_adds_the_missing_key_and_output_json_has_the_documented_answer(portal):  # noqa: F811
    flow = portal.sample_flow(
        "text/textract_analyze_document.liquid.html",
        name="payroll-forms",
        request_source=TEXTRACT_SOURCE,
        activation_conditions=json.dumps(d.TEXTRACT_CONDITIONS),
    )
    store_image("scans", "payroll/7781.png", 600, 800)
    textract.analyze_document(
        account=portal.account, request=d.textract_request(f.flow_arn(flow)), response=d.TEXTRACT_RESPONSE
    )
    loop = HumanLoop.objects.get(name="payroll-7781")

    frame = portal.start(flow)
    assert frame.get_by_label("Value of Pay Date:").input_value() == "03/15/2024"
    frame.get_by_label("Value of Employee Name").fill("Dana Ruiz")
    frame.get_by_role("button", name="Submit").click()

    # Spec 7.4: the reviewed key/value graph, with the added key.
    expected = {
        "AWS/Textract/AnalyzeDocument/Forms/V1": {
            "blocks": [
                {"blockType": "KEY_VALUE_SET", "id": "k-1", "entityTypes": ["KEY"], "text": "Pay Date:",
                 "relationships": [{"type": "CHILD", "ids": ["w-1", "w-2"]}, {"type": "VALUE", "ids": ["v-1"]}]},
                {"blockType": "KEY_VALUE_SET", "id": "v-1", "entityTypes": ["VALUE"], "text": "03/15/2024",
                 "relationships": [{"type": "CHILD", "ids": ["w-3"]}]},
                {"blockType": "KEY_VALUE_SET", "id": "new-k-1", "entityTypes": ["KEY"], "text": "Employee Name",
                 "relationships": [{"type": "VALUE", "ids": ["new-v-1"]}]},
                {"blockType": "KEY_VALUE_SET", "id": "new-v-1", "entityTypes": ["VALUE"], "text": "Dana Ruiz"},
            ]
        }
    }  # fmt: skip
    assert portal.answer_of(loop) == expected
    output = _stored_json(loop, "output.json")
    assert output["humanAnswers"][0]["answerContent"] == expected
    assert output["inputContent"]["humanLoopContext"] == d.EXPECTED_TEXTRACT_CONTEXT
    assert _stored_json(loop, "consolidated.json")["consolidatedAnswer"] == expected


def test_rekognition_review_confirms_the_selected_label(portal):  # noqa: F811
    flow = portal.sample_flow(
        "images/rekognition_detect_moderation.liquid.html",
        name="moderation",
        request_source=REKOGNITION_SOURCE,
        activation_conditions=json.dumps(d.REKOGNITION_CONDITIONS),
    )
    store_image("uploads", "photos/beach.jpg", 640, 480)
    name = _rekognition_loop_name_without_sampling(f.flow_arn(flow))
    rekognition.detect_moderation_labels(
        account=portal.account, request=d.rekognition_request(f.flow_arn(flow), name), response=d.REKOGNITION_RESPONSE
    )
    loop = HumanLoop.objects.get(name=name)

    frame = portal.start(flow)
    assert frame.get_by_role("checkbox", name="Female Swimwear Or Underwear").count() == 0  # not selected
    frame.get_by_role("checkbox", name="Suggestive").check()
    frame.get_by_role("button", name="Submit").click()

    expected = {
        "AWS/Rekognition/DetectModerationLabels/Image/V3": {
            "moderationLabels": [{"name": "Suggestive", "parentName": ""}]
        }
    }
    assert portal.answer_of(loop) == expected
    assert _stored_json(loop, "output.json")["humanAnswers"][0]["answerContent"] == expected
