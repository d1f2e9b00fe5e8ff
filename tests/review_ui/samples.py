"""The AWS sample task templates and plausible inputs for them (crowd-elements.md section 6).

Shared by the rendering tests and the browser tests.
"""

from __future__ import annotations

import copy
from typing import Any

from tests.shared_material import SAMPLE_TEMPLATES

SAMPLES_DIR = SAMPLE_TEMPLATES

MEDIA_EXTENSIONS = {"audio": "mp3", "images": "jpg", "video": "mp4"}

# a2i-api.md 7.4 (inputContent of the Textract worked example).
TEXTRACT_INPUT: dict[str, Any] = {
    "aiServiceRequest": {
        "document": {"s3Object": {"bucket": "scans", "name": "payroll/7781.png"}},
        "featureTypes": ["FORMS"],
        "humanLoopConfig": {
            "dataAttributes": {"contentClassifiers": ["FreeOfPersonallyIdentifiableInformation"]},
            "flowDefinitionArn": "arn:aws:sagemaker:us-east-1:123456789012:flow-definition/payroll-forms",
            "humanLoopName": "payroll-7781",
        },
    },
    "aiServiceResponse": {"blocks": [], "documentMetadata": {"pages": 1}},
    "humanLoopContext": {
        "importantFormKeys": [
            {"importantFormKey": "Pay Date", "importantFormKeyAliases": ["Pay Date:", "PayDate"]},
            {"importantFormKey": "Employee Name", "importantFormKeyAliases": ["Name", "Name:"]},
        ]
    },
    "humanTaskActivationConditionResults": {"Conditions": [{"EvaluationResult": True}]},
    "selectedAiServiceResponse": {
        "blocks": [
            {
                "blockType": "KEY_VALUE_SET",
                "id": "k-1",
                "entityTypes": ["KEY"],
                "confidence": 58.2,
                "page": 1,
                "relationships": [{"type": "VALUE", "ids": ["v-1"]}, {"type": "CHILD", "ids": ["w-1", "w-2"]}],
            },
            {
                "blockType": "KEY_VALUE_SET",
                "id": "v-1",
                "entityTypes": ["VALUE"],
                "confidence": 58.2,
                "page": 1,
                "relationships": [{"type": "CHILD", "ids": ["w-3"]}],
            },
            {"blockType": "WORD", "id": "w-1", "text": "Pay", "confidence": 99.1, "page": 1},
            {"blockType": "WORD", "id": "w-2", "text": "Date:", "confidence": 97.0, "page": 1},
            {"blockType": "WORD", "id": "w-3", "text": "03/15/2024", "confidence": 81.4, "page": 1},
        ]
    },
}

# a2i-api.md 7.5 / 9.8 (Rekognition DetectModerationLabels).
REKOGNITION_INPUT: dict[str, Any] = {
    "aiServiceRequest": {
        "image": {"s3Object": {"bucket": "photos", "name": "uploads/beach 1.jpg"}},
        "humanLoopConfig": {
            "flowDefinitionArn": "arn:aws:sagemaker:us-east-1:123456789012:flow-definition/moderation",
            "humanLoopName": "moderation-1",
        },
    },
    "aiServiceResponse": {
        "moderationLabels": [
            {"confidence": 96.71, "name": "Suggestive", "parentName": ""},
            {"confidence": 88.2, "name": "Female Swimwear Or Underwear", "parentName": "Suggestive"},
        ],
        "moderationModelVersion": "3.0",
    },
    "humanTaskActivationConditionResults": {"Conditions": [{"EvaluationResult": True}]},
    "selectedAiServiceResponse": {
        "moderationLabels": [{"confidence": 96.71, "name": "Suggestive", "parentName": ""}],
        "moderationModelVersion": "3.0",
    },
}

_COMMON: dict[str, Any] = {
    "image": "s3://bucket/image.jpg",
    "image1": "s3://bucket/image1.jpg",
    "image2": "s3://bucket/image2.jpg",
    "image3": "s3://bucket/image3.jpg",
    "image4": "s3://bucket/image4.jpg",
    "audioFile1": "s3://bucket/speaker1.wav",
    "audioFile2": "s3://bucket/speaker2.wav",
    "item1": {"title": "Red shoe, size 9", "image": "s3://bucket/item1.jpg"},
    "item2": {"title": "Red shoe (9)", "image": "s3://bucket/item2.jpg"},
    "labels": ["Sports", "Politics", "Technology"],
    "searchText": "running shoes",
    "title": "Trail running shoe",
    "surveyLink": "https://example.com/survey?id=1&src=hitl",
    "company": "Example Corp",
    "context": "Booking a flight",
    "intent": "BookFlight",
    "conversation": "A: Where is my order? B: It shipped yesterday.",
    "topic": "Order status",
    "textBeginning": "The quick brown fox",
    "textEnd": "over the lazy dog.",
    "text": "Reviewers are paid for speed.",
    "utterance": "Book me a table for two",
    "text1": "The cat sat on the mat.",
    "text2": "A cat was sitting on a mat.",
    "original": {"language": "English", "text": "Good morning"},
    "translation": {"language": "Spanish", "text": "Buenos días"},
    "SourceLanguage": "English",
    "TargetLanguage": "Spanish",
    "translationPairs": [
        {"originalText": "Good morning", "translation": "Buenos días"},
        {"originalText": "Thank you", "translation": "Gracias"},
    ],
    "pngString": "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
}

_SPECIAL: dict[str, dict[str, Any]] = {
    "images/rekognition_detect_moderation.liquid.html": REKOGNITION_INPUT,
    "text/textract_analyze_document.liquid.html": TEXTRACT_INPUT,
    "other/website-classification.liquid.html": {"taskObject": "https://example.com/"},
    "video/video-classification-youtube.liquid.html": {"taskObject": "https://www.youtube.com/embed/abc123"},
    "text/named-entity-recognition.liquid.html": {
        "labels": [
            {"label": "person", "shortDisplayName": "per", "fullDisplayName": "Person"},
            {"label": "place", "shortDisplayName": "plc", "fullDisplayName": "Place"},
        ],
    },
}


def sample_paths() -> list[str]:
    """Return every sample template, relative to SAMPLES_DIR."""
    return sorted(str(path.relative_to(SAMPLES_DIR)) for path in SAMPLES_DIR.rglob("*.html"))


def sample_template(relative: str) -> str:
    return (SAMPLES_DIR / relative).read_text(encoding="utf-8")


def sample_input(relative: str) -> dict[str, Any]:
    """Return a plausible task.input for one sample template."""
    special = _SPECIAL.get(relative)
    if special is not None and "aiServiceRequest" in special:
        return copy.deepcopy(special)
    data = copy.deepcopy(_COMMON)
    template = sample_template(relative)
    folder = relative.split("/", 1)[0]
    if "taskObject | grant_read_access" in template or "taskObject  | grant_read_access" in template:
        extension = MEDIA_EXTENSIONS.get(folder, "jpg")
        if "document-classification" in relative:
            extension = "pdf"
        elif "custom-instructions-width" in relative:
            extension = "mp4"
        data["taskObject"] = f"s3://bucket/{folder}/sample.{extension}"
    else:
        data["taskObject"] = "I really enjoyed the service, but the food was cold."
    data.update(copy.deepcopy(special or {}))
    return data
