"""The stock A2I Textract and Rekognition review templates, on loops started by the built-in adapters."""

import json

import pytest

from flows.definitions.conditions import REKOGNITION_SOURCE, TEXTRACT_SOURCE
from flows.models import HumanLoop
from inference_adapters import rekognition, textract
from tests import factories
from tests.browser.conftest import store_image
from tests.inference_adapters import documents as d

pytestmark = pytest.mark.browser


def key_values(blocks: list[dict]) -> dict[str, str]:
    """Read the form as graph-walking Textract consumer code does: each text through its CHILD WORD ids."""
    by_id = {block["id"]: block for block in blocks}

    def text(block: dict) -> str:
        ids = [i for r in block.get("relationships", []) if r["type"] == "CHILD" for i in r["ids"]]
        return " ".join(by_id[i]["text"] for i in ids if by_id[i]["blockType"] == "WORD")

    pairs = {}
    for block in blocks:
        if block["blockType"] == "KEY_VALUE_SET" and block["entityTypes"] == ["KEY"]:
            value_ids = [i for r in block["relationships"] if r["type"] == "VALUE" for i in r["ids"]]
            pairs[text(block)] = " ".join(text(by_id[i]) for i in value_ids)
    return pairs


def _builtin_flow(portal, source, conditions, *, name, sample):
    return portal.sample_flow(sample, name=name, request_source=source, activation_conditions=json.dumps(conditions))


def test_textract_review_returns_the_corrected_key_value_blocks(portal):
    # Given the worked example of a2i-api.md 9.7: "Pay Date:" needs review and "Employee Name" is missing
    flow = _builtin_flow(
        portal,
        TEXTRACT_SOURCE,
        d.TEXTRACT_CONDITIONS,
        name="payroll-forms",
        sample="text/textract_analyze_document.liquid.html",
    )
    store_image("scans", "payroll/7781.png", 850, 1100)
    textract.analyze_document(
        account=portal.account, request=d.textract_request(factories.flow_arn(flow)), response=d.TEXTRACT_RESPONSE
    )
    loop = HumanLoop.objects.get(name="payroll-7781")

    frame = portal.start(flow)
    assert frame.get_by_role("textbox", name="Value of Pay Date:").input_value() == "03/15/2024"
    assert frame.get_by_role("textbox", name="Key 1").get_attribute("readonly") is not None  # no-key-edit
    frame.get_by_role("textbox", name="Value of Employee Name").fill("Dana Ruiz")
    frame.get_by_role("button", name="Submit").click()

    # Then the answer is the reviewed graph (crowd-elements.md 3.7): the KEY_VALUE_SET blocks with their
    # text and confidence, and every CHILD id a WORD block; the typed value gets new words.
    assert portal.answer_of(loop) == {
        "AWS/Textract/AnalyzeDocument/Forms/V1": {
            "blocks": [
                {"blockType": "KEY_VALUE_SET", "id": "k-1", "entityTypes": ["KEY"], "text": "Pay Date:", "confidence": 58.2,
                 "relationships": [{"type": "CHILD", "ids": ["w-1", "w-2"]}, {"type": "VALUE", "ids": ["v-1"]}]},
                {"blockType": "KEY_VALUE_SET", "id": "v-1", "entityTypes": ["VALUE"], "text": "03/15/2024", "confidence": 58.2,
                 "relationships": [{"type": "CHILD", "ids": ["w-3"]}]},
                {"blockType": "KEY_VALUE_SET", "id": "new-k-1", "entityTypes": ["KEY"], "text": "Employee Name", "confidence": 100,
                 "relationships": [{"type": "CHILD", "ids": ["new-k-1-w-1", "new-k-1-w-2"]}, {"type": "VALUE", "ids": ["new-v-1"]}]},
                {"blockType": "KEY_VALUE_SET", "id": "new-v-1", "entityTypes": ["VALUE"], "text": "Dana Ruiz", "confidence": 100,
                 "relationships": [{"type": "CHILD", "ids": ["new-v-1-w-1", "new-v-1-w-2"]}]},
                {"blockType": "WORD", "id": "w-1", "text": "Pay", "confidence": 99.1},
                {"blockType": "WORD", "id": "w-2", "text": "Date:", "confidence": 97.0},
                {"blockType": "WORD", "id": "w-3", "text": "03/15/2024", "confidence": 81.4},
                {"blockType": "WORD", "id": "new-k-1-w-1", "text": "Employee", "confidence": 100},
                {"blockType": "WORD", "id": "new-k-1-w-2", "text": "Name", "confidence": 100},
                {"blockType": "WORD", "id": "new-v-1-w-1", "text": "Dana", "confidence": 100},
                {"blockType": "WORD", "id": "new-v-1-w-2", "text": "Ruiz", "confidence": 100},
            ]
        }
    }  # fmt: skip
    blocks = portal.answer_of(loop)["AWS/Textract/AnalyzeDocument/Forms/V1"]["blocks"]
    assert key_values(blocks) == {"Pay Date:": "03/15/2024", "Employee Name": "Dana Ruiz"}


def test_textract_review_drops_rejected_pairs_and_blanks_values(portal):
    flow = _builtin_flow(
        portal,
        TEXTRACT_SOURCE,
        d.TEXTRACT_CONDITIONS,
        name="payroll-forms",
        sample="text/textract_analyze_document.liquid.html",
    )
    store_image("scans", "payroll/7781.png", 850, 1100)
    textract.analyze_document(
        account=portal.account, request=d.textract_request(factories.flow_arn(flow)), response=d.TEXTRACT_RESPONSE
    )
    loop = HumanLoop.objects.get(name="payroll-7781")

    frame = portal.start(flow)
    frame.get_by_role("checkbox", name="Value is blank").check()
    frame.get_by_role("button", name="Submit").click()

    assert portal.answer_of(loop) == {
        "AWS/Textract/AnalyzeDocument/Forms/V1": {
            "blocks": [
                {"blockType": "KEY_VALUE_SET", "id": "k-1", "entityTypes": ["KEY"], "text": "Pay Date:", "confidence": 58.2,
                 "relationships": [{"type": "CHILD", "ids": ["w-1", "w-2"]}, {"type": "VALUE", "ids": ["v-1"]}]},
                {"blockType": "KEY_VALUE_SET", "id": "v-1", "entityTypes": ["VALUE"], "text": "", "confidence": 58.2},
                {"blockType": "WORD", "id": "w-1", "text": "Pay", "confidence": 99.1},
                {"blockType": "WORD", "id": "w-2", "text": "Date:", "confidence": 97.0},
            ]
        }
    }  # fmt: skip


def test_rekognition_review_returns_the_confirmed_labels(portal):
    # Given the worked example of a2i-api.md 9.8: only "Suggestive" is selected for review
    flow = _builtin_flow(
        portal,
        REKOGNITION_SOURCE,
        d.REKOGNITION_CONDITIONS,
        name="moderation",
        sample="images/rekognition_detect_moderation.liquid.html",
    )
    store_image("uploads", "photos/beach.jpg", 1024, 768)
    rekognition.detect_moderation_labels(
        account=portal.account,
        request=d.rekognition_request(factories.flow_arn(flow), "moderation-1"),
        response=d.REKOGNITION_RESPONSE,
    )
    loop = HumanLoop.objects.get(name="moderation-1")

    frame = portal.start(flow)
    assert frame.get_by_role("checkbox").count() == 2  # "Suggestive" and the "None" choice
    frame.get_by_role("checkbox", name="Suggestive").check()
    frame.get_by_role("button", name="Submit").click()

    assert portal.answer_of(loop) == {
        "AWS/Rekognition/DetectModerationLabels/Image/V3": {
            "moderationLabels": [{"name": "Suggestive", "parentName": ""}]
        }
    }


def test_rekognition_none_gives_an_empty_label_list(portal):
    flow = _builtin_flow(
        portal,
        REKOGNITION_SOURCE,
        d.REKOGNITION_CONDITIONS,
        name="moderation",
        sample="images/rekognition_detect_moderation.liquid.html",
    )
    store_image("uploads", "photos/beach.jpg", 1024, 768)
    rekognition.detect_moderation_labels(
        account=portal.account,
        request=d.rekognition_request(factories.flow_arn(flow), "moderation-1"),
        response=d.REKOGNITION_RESPONSE,
    )
    loop = HumanLoop.objects.get(name="moderation-1")

    frame = portal.start(flow)
    frame.get_by_role("checkbox", name="Suggestive").check()
    frame.get_by_role("checkbox", name="None").click()
    assert frame.get_by_role("checkbox", name="Suggestive").is_disabled()
    frame.get_by_role("button", name="Submit").click()

    assert portal.answer_of(loop) == {"AWS/Rekognition/DetectModerationLabels/Image/V3": {"moderationLabels": []}}
