"""Task templates and activation conditions refuse hostile input with ValidationException, never a 500."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flows.models import FlowDefinition, HumanTaskUi
from hitl.kernel import arns
from tests import factories as f
from tests.hostile.conftest import error_of, unique_name
from tests.hostile.test_start_human_loop_input import hostile_text

HYPOTHESIS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def create_ui(api, content):
    return api.control("CreateHumanTaskUi", {"HumanTaskUiName": unique_name("ui"), "UiTemplate": {"Content": content}})


@pytest.mark.parametrize(
    "content, reason",
    [
        ("<p>\ud800</p>", "a lone surrogate (\\ud800) that is not a character"),
        ("<p>a\x00b</p>", "a NUL character (\\u0000), which cannot be stored"),
    ],
    ids=["lone surrogate", "NUL"],
)
def test_a_template_with_characters_no_page_can_hold_is_refused(api, content, reason):
    response = create_ui(api, content)

    assert response.status_code == 400
    assert error_of(response) == (
        "ValidationException",
        f"1 validation error detected: Value at 'uiTemplate.content' failed to satisfy constraint: "
        f"Member must not contain {reason}",
    )
    assert not HumanTaskUi.objects.exists()


def builtin_flow_request(api, conditions: str) -> dict:
    team = f.workteam(api.account)
    ui = f.human_task_ui(api.account)
    return {
        "FlowDefinitionName": unique_name("flow"),
        "RoleArn": f"arn:aws:iam::{api.account.aws_account_id}:role/A2I",
        "HumanLoopRequestSource": {"AwsManagedHumanLoopRequestSource": FlowDefinition.REKOGNITION_SOURCE},
        "HumanLoopActivationConfig": {
            "HumanLoopActivationConditionsConfig": {"HumanLoopActivationConditions": conditions}
        },
        "HumanLoopConfig": {
            "WorkteamArn": arns.build("workteam", api.account.aws_account_id, team.name),
            "HumanTaskUiArn": arns.build("human-task-ui", api.account.aws_account_id, ui.name),
            "TaskTitle": "Review",
            "TaskDescription": "Review it",
            "TaskCount": 1,
        },
        "OutputConfig": {"S3OutputPath": "s3://a2i-results/out"},
    }


@pytest.mark.parametrize(
    "conditions",
    ['{"Conditions": ' + "[" * 5000 + "]" * 5000 + "}", '{"Conditions": [{"ConditionType": NaN}]}', '{"\\u0000": 1}'],
    ids=["deep nesting", "NaN", "NUL"],
)
def test_hostile_activation_conditions_are_a_validation_error(api, conditions):
    response = api.control("CreateFlowDefinition", builtin_flow_request(api, conditions))

    assert response.status_code == 400
    name, message = error_of(response)
    assert name == "ValidationException"
    assert message.startswith("HumanLoopActivationConditions is not valid JSON: ")
    assert not FlowDefinition.objects.exists()


@HYPOTHESIS
@given(content=st.text(min_size=1) | hostile_text)
def test_no_template_makes_a_500(api, content):
    response = create_ui(api, content)

    assert response.status_code in (200, 400), response.content


@HYPOTHESIS
@given(conditions=hostile_text | st.recursive(st.text() | st.floats() | st.integers(), st.lists).map(json.dumps))
def test_no_activation_conditions_make_a_500(api, conditions):
    response = api.control("CreateFlowDefinition", builtin_flow_request(api, conditions))

    assert response.status_code in (200, 400), response.content
