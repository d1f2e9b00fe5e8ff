"""The flow gallery: AWS's 73 sample task templates (flows/definitions/sample_templates/) and the built-in task types.

Each sample gets a plausible input for its live preview (flows.definitions.sample_inputs, shared
with the tests): images point at a picture served by this server, other media at s3:// URIs of a
placeholder bucket, texts are short sentences, the built-in types get a Textract or Rekognition
input as A2I sends it.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.templatetags.static import static

from flows.definitions import sample_inputs
from flows.models import FlowDefinition
from hitl.kernel.errors import NotFound
from hitl.kernel.public_url import public_url

GALLERY_DIR = sample_inputs.TEMPLATES_DIR
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
_HEADER = re.compile(r'\bheader="([^"{}]{3,120})"')


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
        return sample_input(self.content, slug=self.slug, request_source=self.request_source)


def sample_input(content: str, *, slug: str = "", request_source: str = "") -> dict[str, Any]:
    """Return a plausible task.input for a template: a value for each `task.input.<field>` it reads."""
    if request_source:
        slug = next(name for name, source in BUILT_IN_SOURCES.items() if source == request_source)
    return sample_inputs.sample_input(content, slug, media=_preview_media)


def _preview_media(path: str) -> str:
    """Images: the picture this server ships; other media: an s3:// URI the preview shows as a placeholder."""
    if path.startswith("images/"):
        return public_url() + static(SAMPLE_IMAGE)
    return f"s3://your-bucket/{path}"


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
