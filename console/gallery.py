"""The flow gallery: AWS's 73 sample task templates (shipped in console/gallery/) and the built-in task types.

Each sample gets a plausible input for its live preview, made from the `task.input.<field>`
references of its template: images point at a picture served by this server, texts are short
sentences, the built-in types get a Textract or Rekognition input as A2I sends it.
"""

from __future__ import annotations

import copy
import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.templatetags.static import static

from flows.models import FlowDefinition
from hitl.kernel.errors import NotFound
from hitl.kernel.public_url import public_url

GALLERY_DIR = Path(__file__).resolve().parent / "gallery"
CATEGORIES = (("text", "Text"), ("images", "Images"), ("audio", "Audio"), ("video", "Video"), ("other", "Other"))
BUILT_IN_SOURCES = {
    "text/textract_analyze_document": FlowDefinition.TEXTRACT_SOURCE,
    "images/rekognition_detect_moderation": FlowDefinition.REKOGNITION_SOURCE,
}
# A starting point for the built-in types' HumanLoopActivationConditions (editable on the form).
DEFAULT_CONDITIONS = {
    FlowDefinition.TEXTRACT_SOURCE: (
        '{"Conditions": [{"ConditionType": "ImportantFormKeyConfidenceCheck", "ConditionParameters": '
        '{"ImportantFormKey": "*", "KeyValueBlockConfidenceLessThan": 80, "WordBlockConfidenceLessThan": 80}}]}'
    ),
    FlowDefinition.REKOGNITION_SOURCE: (
        '{"Conditions": [{"ConditionType": "ModerationLabelConfidenceCheck", "ConditionParameters": '
        '{"ModerationLabelName": "*", "ConfidenceLessThan": 80}}]}'
    ),
}
SAMPLE_IMAGE = "console/sample-image-1.png"
_REFERENCE = re.compile(r"task\.input\.([A-Za-z_][A-Za-z0-9_]*)")
_HEADER = re.compile(r'\bheader="([^"{}]{3,120})"')
_MEDIA = {"audio": "s3://your-bucket/audio/sample.mp3", "video": "s3://your-bucket/video/sample.mp4"}


@dataclass(frozen=True)
class Sample:
    slug: str  # "images/bounding-box": category / file name without .liquid.html
    category: str
    title: str
    summary: str  # the template's first header="..." (what the reviewer is asked), or ""
    path: Path

    @property
    def request_source(self) -> str:
        """Return the built-in task type's AwsManagedHumanLoopRequestSource, or "" for a custom task."""
        return BUILT_IN_SOURCES.get(self.slug, "")

    @property
    def content(self) -> str:
        return self.path.read_text(encoding="utf-8")

    def sample_input(self) -> dict[str, Any]:
        """Return a plausible task.input for the live preview of this template."""
        return sample_input(self.content, category=self.category, slug=self.slug, request_source=self.request_source)


def sample_input(content: str, *, category: str = "", slug: str = "", request_source: str = "") -> dict[str, Any]:
    """Return a plausible task.input for a template: a value for each `task.input.<field>` it reads."""
    if request_source:
        return copy.deepcopy(_BUILT_IN_INPUTS[request_source])
    image_url = public_url() + static(SAMPLE_IMAGE)
    data: dict[str, Any] = {}
    for name in dict.fromkeys(_REFERENCE.findall(content)):
        if name == "taskObject":
            data[name] = _task_object(category, slug, content, image_url)
        elif name in _IMAGE_FIELDS:
            data[name] = image_url
        elif name in _VALUES:
            data[name] = copy.deepcopy(_VALUES[name])
        else:
            data[name] = f"Sample {name}"
    for item in ("item1", "item2"):
        if isinstance(data.get(item), dict):
            data[item]["image"] = image_url
    return data


def _task_object(category: str, slug: str, content: str, image_url: str) -> str:
    if "grant_read_access" not in content and "s3_presign" not in content and "src=" not in content:
        return "The delivery was two days late, but support refunded the shipping without me even asking."
    if category in _MEDIA:
        return _MEDIA[category]
    if "website" in slug:
        return "https://example.com/"
    if "youtube" in slug:
        return "https://www.youtube.com/embed/aqz-KE-bpKQ"
    if "document-classification" in slug:
        return "s3://your-bucket/documents/sample.pdf"
    if category == "images" or "receipt" in slug or "ocr" in slug:
        return image_url
    return "The delivery was two days late, but support refunded the shipping without me even asking."


@functools.cache
def samples() -> tuple[Sample, ...]:
    """Return every sample of the gallery, by category then title."""
    found = []
    order = {name: index for index, (name, _) in enumerate(CATEGORIES)}
    for path in GALLERY_DIR.rglob("*.html"):
        category = path.parent.name
        stem = path.name.removesuffix(".html").removesuffix(".liquid")
        content = path.read_text(encoding="utf-8")
        header = _HEADER.search(content)
        title = stem.replace("_", " ").replace("-", " ").strip().capitalize()
        found.append(Sample(f"{category}/{stem}", category, title, header.group(1) if header else "", path))
    return tuple(sorted(found, key=lambda s: (order.get(s.category, 99), s.title)))


def get(slug: str) -> Sample:
    """Return the sample `slug` ("images/bounding-box"), or raise NotFound."""
    for sample in samples():
        if sample.slug == slug:
            return sample
    raise NotFound(f"There is no sample template {slug!r} in the gallery.")


def by_category() -> list[tuple[str, list[Sample]]]:
    """Return [(category label, samples)] for the gallery page, built-in task types apart."""
    groups = []
    for name, label in CATEGORIES:
        group = [s for s in samples() if s.category == name and not s.request_source]
        if group:
            groups.append((label, group))
    return groups


def built_in() -> list[Sample]:
    """Return the samples of the built-in task types (Textract forms, Rekognition moderation)."""
    return [s for s in samples() if s.request_source]


_IMAGE_FIELDS = {"image", "image1", "image2", "image3", "image4"}
_VALUES: dict[str, Any] = {
    "audioFile1": "s3://your-bucket/audio/speaker1.wav",
    "audioFile2": "s3://your-bucket/audio/speaker2.wav",
    "item1": {"title": "Red shoe, size 9", "image": ""},
    "item2": {"title": "Red shoe (9)", "image": ""},
    "labels": [
        {"label": "person", "shortDisplayName": "per", "fullDisplayName": "Person"},
        {"label": "place", "shortDisplayName": "plc", "fullDisplayName": "Place"},
    ],
    "searchText": "running shoes",
    "title": "Trail running shoe",
    "surveyLink": "https://example.com/survey?id=1",
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
_BUILT_IN_INPUTS: dict[str, dict[str, Any]] = {
    FlowDefinition.TEXTRACT_SOURCE: {
        "aiServiceRequest": {
            "document": {"s3Object": {"bucket": "your-bucket", "name": "forms/sample.png"}},
            "featureTypes": ["FORMS"],
        },
        "aiServiceResponse": {"blocks": [], "documentMetadata": {"pages": 1}},
        "humanLoopContext": {
            "importantFormKeys": [{"importantFormKey": "Pay Date", "importantFormKeyAliases": ["Pay Date:"]}]
        },
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
    },
    FlowDefinition.REKOGNITION_SOURCE: {
        "aiServiceRequest": {"image": {"s3Object": {"bucket": "your-bucket", "name": "photos/sample.jpg"}}},
        "aiServiceResponse": {
            "moderationLabels": [{"confidence": 76.7, "name": "Suggestive", "parentName": ""}],
            "moderationModelVersion": "3.0",
        },
        "selectedAiServiceResponse": {
            "moderationLabels": [{"confidence": 76.7, "name": "Suggestive", "parentName": ""}],
            "moderationModelVersion": "3.0",
        },
    },
}
