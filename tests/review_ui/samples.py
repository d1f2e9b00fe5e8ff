"""The AWS sample task templates and plausible inputs for them (crowd-elements.md section 6).

Shared by the rendering tests and the browser tests. The inputs are the console's
(flows.definitions.sample_inputs), with every media file an s3:// URI of the bucket "bucket", so each
goes through grant_read_access.
"""

from __future__ import annotations

from typing import Any

from flows.definitions import sample_inputs
from flows.definitions.sample_inputs import REKOGNITION_INPUT, TEXTRACT_INPUT  # noqa: F401  (the tests' names)
from tests.shared_material import SAMPLE_TEMPLATES

SAMPLES_DIR = SAMPLE_TEMPLATES


def sample_paths() -> list[str]:
    """Return every sample template, relative to SAMPLES_DIR."""
    return sorted(str(path.relative_to(SAMPLES_DIR)) for path in SAMPLES_DIR.rglob("*.html"))


def sample_template(relative: str) -> str:
    return (SAMPLES_DIR / relative).read_text(encoding="utf-8")


def sample_input(relative: str) -> dict[str, Any]:
    """Return a plausible task.input for one sample template."""
    return sample_inputs.sample_input(
        sample_template(relative), sample_inputs.template_slug(relative), media=lambda path: f"s3://bucket/{path}"
    )
