"""Plausible task.input for the AWS sample task templates in sample_templates/: one place for all who show them.

The console's live preview (console.gallery), and the rendering and browser tests of every sample,
build their inputs here: a value for each `task.input.<field>` a template reads. Media (the task
object of an image, audio, video or document template, image fields) are stand-in paths such as
"images/sample.jpg" that the caller turns into a URL (`media`): the console into a picture it
serves or an s3:// URI, the tests into s3:// URIs their grants serve. The built-in task types get
the inputs of a2i-api.md's worked examples (7.4 Textract, 7.5 / 9.8 Rekognition).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

TEMPLATES_DIR = Path(__file__).resolve().parent / "sample_templates"
TEXT = "The delivery was two days late, but support refunded the shipping without me even asking."

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

BUILT_IN_INPUTS: dict[str, dict[str, Any]] = {
    "text/textract_analyze_document": TEXTRACT_INPUT,
    "images/rekognition_detect_moderation": REKOGNITION_INPUT,
}
IMAGE_FIELDS = ("image", "image1", "image2", "image3", "image4")
VALUES: dict[str, Any] = {
    "audioFile1": "s3://your-bucket/audio/speaker1.wav",
    "audioFile2": "s3://your-bucket/audio/speaker2.wav",
    "item1": {"title": "Red shoe, size 9", "image": ""},
    "item2": {"title": "Red shoe (9)", "image": ""},
    "labels": ["Sports", "Politics", "Technology"],  # crowd-classifier categories
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
# Templates whose fields want other values than VALUES gives.
BY_TEMPLATE: dict[str, dict[str, Any]] = {
    "other/website-classification": {"taskObject": "https://example.com/"},
    "video/video-classification-youtube": {"taskObject": "https://www.youtube.com/embed/aqz-KE-bpKQ"},
    "text/named-entity-recognition": {
        "labels": [
            {"label": "person", "shortDisplayName": "per", "fullDisplayName": "Person"},
            {"label": "place", "shortDisplayName": "plc", "fullDisplayName": "Place"},
        ],
    },
}
_REFERENCE = re.compile(r"task\.input\.([A-Za-z_][A-Za-z0-9_]*)")
# The task object is media where the template loads it as a stored object.
_MEDIA_TASK_OBJECT = re.compile(r"task\.input\.taskObject\s*\|\s*(grant_read_access|s3_presign)")
_MEDIA_BY_FOLDER = {"audio": "audio/sample.mp3", "video": "video/sample.mp4"}
_MEDIA_BY_TEMPLATE = {
    "text/document-classification": "documents/sample.pdf",
    "other/custom-instructions-width": "video/sample.mp4",
}


def template_slug(relative: str) -> str:
    """Return "images/bounding-box" for "images/bounding-box.liquid.html" (a path under TEMPLATES_DIR)."""
    return relative.removesuffix(".html").removesuffix(".liquid")


def sample_input(content: str, slug: str = "", *, media: Callable[[str], str]) -> dict[str, Any]:
    """Return a plausible task.input for the template `content` (the sample `slug`, or "" for any other).

    `media("images/sample.jpg")` returns the URL or s3:// URI to put where the template loads media.
    """
    if slug in BUILT_IN_INPUTS:
        return copy.deepcopy(BUILT_IN_INPUTS[slug])
    data: dict[str, Any] = {}
    for name in dict.fromkeys(_REFERENCE.findall(content)):
        if name == "taskObject":
            data[name] = _task_object(content, slug, media)
        elif name in IMAGE_FIELDS:
            data[name] = media(f"images/{name}.jpg")
        elif name in VALUES:
            data[name] = copy.deepcopy(VALUES[name])
        else:
            data[name] = f"Sample {name}"
    for item in ("item1", "item2"):
        if isinstance(data.get(item), dict):
            data[item]["image"] = media(f"images/{item}.jpg")
    data.update(copy.deepcopy(BY_TEMPLATE.get(slug, {})))
    return data


def _task_object(content: str, slug: str, media: Callable[[str], str]) -> str:
    if not _MEDIA_TASK_OBJECT.search(content):
        return TEXT
    folder = slug.split("/", 1)[0]
    return media(_MEDIA_BY_TEMPLATE.get(slug) or _MEDIA_BY_FOLDER.get(folder) or "images/sample.jpg")
