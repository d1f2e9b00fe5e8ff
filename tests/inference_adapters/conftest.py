"""Flows of the built-in task types with the stock sample templates."""

import json

import pytest

from flows.definitions.conditions import REKOGNITION_SOURCE, TEXTRACT_SOURCE
from tests import factories as f
from tests.inference_adapters import documents as d
from tests.shared_material import SAMPLE_TEMPLATES

SAMPLES = SAMPLE_TEMPLATES


def _flow(source, conditions, *, name, template):
    acct = f.account()
    reviewer = f.user()
    team = f.workteam(acct, members=[reviewer])
    ui = f.human_task_ui(acct, content=(SAMPLES / template).read_text())
    flow = f.flow_definition(
        acct, team, ui, name=name, request_source=source, activation_conditions=json.dumps(conditions)
    )
    return acct, reviewer, flow


@pytest.fixture
def payroll():
    return _flow(
        TEXTRACT_SOURCE,
        d.TEXTRACT_CONDITIONS,
        name="payroll-forms",
        template="text/textract_analyze_document.liquid.html",
    )


@pytest.fixture
def moderation():
    return _flow(
        REKOGNITION_SOURCE,
        d.REKOGNITION_CONDITIONS,
        name="moderation",
        template="images/rekognition_detect_moderation.liquid.html",
    )
