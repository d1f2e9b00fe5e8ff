"""The stock Textract and Rekognition templates render with the loop input the adapters build."""

import html
import json
import re

import pytest

from flows.loops import lifecycle
from flows.models import HumanLoop
from inference_adapters import rekognition, textract
from review_ui import work
from tests import factories as f
from tests.inference_adapters import documents as d
from tests.inference_adapters.test_builtin_loops import _rekognition_loop_name_without_sampling


def _attribute(page: str, name: str) -> str:
    """Return an attribute of the built-in crowd element (the first crowd-textract/rekognition tag)."""
    page = page[re.search(r"<crowd-(textract|rekognition)-", page).start() :]
    match = re.search(rf"""\s{name}=(?:"([^"]*)"|'([^']*)')""", page)
    assert match, f"{name} attribute missing"
    return html.unescape(match[1] if match[1] is not None else match[2])


@pytest.mark.django_db
def test_textract_template_gets_the_selected_blocks_keys_and_a_served_image(payroll):
    acct, reviewer, flow = payroll
    f.read_location(acct, "scans")
    textract.analyze_document(account=acct, request=d.textract_request(f.flow_arn(flow)), response=d.TEXTRACT_RESPONSE)

    page = work.render_task(lifecycle.claim_next_task(reviewer), reviewer)

    assert [b["id"] for b in json.loads(_attribute(page, "initial-value"))] == ["k-1", "v-1", "w-1", "w-2", "w-3"]
    assert json.loads(_attribute(page, "keys")) == d.EXPECTED_TEXTRACT_CONTEXT["importantFormKeys"]
    assert _attribute(page, "src").startswith("/portal/objects/") and _attribute(page, "src").endswith("/7781.png")


@pytest.mark.django_db
def test_rekognition_template_lists_only_the_selected_labels(moderation):
    acct, reviewer, flow = moderation
    f.read_location(acct, "uploads", "photos/")
    name = _rekognition_loop_name_without_sampling(f.flow_arn(flow))
    rekognition.detect_moderation_labels(
        account=acct, request=d.rekognition_request(f.flow_arn(flow), name), response=d.REKOGNITION_RESPONSE
    )
    assert HumanLoop.objects.count() == 1

    page = work.render_task(lifecycle.claim_next_task(reviewer), reviewer)

    categories = re.sub(r"\s+", " ", _attribute(page, "categories"))
    assert 'name: "Suggestive"' in categories and 'parentName: ""' in categories
    assert "Female Swimwear" not in categories
    assert _attribute(page, "src").endswith("/beach.jpg")
