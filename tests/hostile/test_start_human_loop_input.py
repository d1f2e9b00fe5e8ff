"""StartHumanLoop refuses hostile input with ValidationException: never a 500, never a loop nobody can open.

Finding 4 of issue 11. Runs on SQLite and on PostgreSQL (whose jsonb refuses NUL).
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flows.models import HumanLoop
from hitl.kernel import client_json
from review_ui.rendering import render_task_template
from tests import factories as f
from tests.hostile.conftest import error_of, unique_name

HYPOTHESIS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

HOSTILE_CONTENT = {
    "an escaped lone surrogate": '{"taskObject": "\\ud800"}',
    "an escaped lone low surrogate in a key": '{"\\udc00": 1}',
    "a NUL character": '{"taskObject": "a\\u0000b"}',
    "deep nesting": "[" * 5000 + "]" * 5000,
    "deep objects": '{"a":' * 3000 + "1" + "}" * 3000,
    "a float that overflows": '{"score": 1e999}',
    "a 5000-digit integer": '{"id": 1' + "0" * 5000 + "}",
    "NaN": '{"score": NaN}',
    "-Infinity": '{"score": -Infinity}',
    "not JSON": "{'taskObject': 'single quotes'}",
}


@pytest.mark.parametrize("content", HOSTILE_CONTENT.values(), ids=HOSTILE_CONTENT.keys())
def test_hostile_input_content_is_a_validation_error_naming_the_member(api, flow, content):
    response = api.start(f.flow_arn(flow), HumanLoopInput={"InputContent": content})

    assert response.status_code == 400
    name, message = error_of(response)
    assert name == "ValidationException"
    assert message.startswith(
        "1 validation error detected: Value at 'humanLoopInput.inputContent' failed to satisfy constraint: "
        "Member must be a JSON document ("
    )
    assert not HumanLoop.objects.exists()


def test_the_limits_are_named_in_the_message(api, flow):
    response = api.start(f.flow_arn(flow), HumanLoopInput={"InputContent": "[" * 5000 + "]" * 5000})
    assert f"nesting deeper than {client_json.MAX_DEPTH} levels" in error_of(response)[1]

    response = api.start(f.flow_arn(flow), HumanLoopInput={"InputContent": '{"taskObject": "\\u0000"}'})
    assert "a NUL character (\\u0000), which cannot be stored at $.taskObject" in error_of(response)[1]


def test_a_raw_lone_surrogate_in_any_member_is_refused_naming_it(api, flow):
    # json.dumps writes the raw surrogate as an escape: the outer body decodes to a str holding it.
    response = api.start(f.flow_arn(flow), HumanLoopInput={"InputContent": '{"taskObject": "\ud800"}'})

    assert response.status_code == 400
    name, message = error_of(response)
    assert name == "ValidationException"
    assert message == (
        "1 validation error detected: Value at 'humanLoopInput.inputContent' failed to satisfy constraint: "
        "Member must not contain a lone surrogate (\\ud800) that is not a character"
    )
    assert not HumanLoop.objects.exists()


def test_a_request_body_that_is_not_utf8_or_too_deep_is_a_validation_error(api, flow):
    for body in (b'{"HumanLoopName": "\xff\xfe"}', b"[" * 5000 + b"]" * 5000, b'{"HumanLoopName": NaN}'):
        response = api.start(f.flow_arn(flow), body=body)

        assert response.status_code == 400, body[:20]
        name, message = error_of(response)
        assert name == "ValidationException"
        assert message.startswith("The request body is not valid JSON: ")


def test_hostile_data_attributes_are_a_validation_error(api, flow):
    for attributes in ({"ContentClassifiers": ["\ud800"]}, {"ContentClassifiers": "FreeOfAdultContent"}, [1]):
        response = api.start(f.flow_arn(flow), DataAttributes=attributes)

        assert response.status_code == 400, attributes
        assert error_of(response)[0] == "ValidationException"
    assert not HumanLoop.objects.exists()


def test_valid_unicode_survives_intact(api, flow):
    content = json.dumps({"taskObject": "emoji \U0001f600, escaped \\ud83d\\ude00 pair, \u2028 and </script>"})
    response = api.start(f.flow_arn(flow), HumanLoopName="unicode-ok", HumanLoopInput={"InputContent": content})

    assert response.status_code == 200, response.content
    assert HumanLoop.objects.get(name="unicode-ok").input_json == json.loads(content)


# --- Properties: no input makes a 500, and an accepted input always renders -------------------

scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text()
json_values = st.recursive(scalars, lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner), max_leaves=12)
hostile_text = st.one_of(
    json_values.map(json.dumps),  # NaN, Infinity and escaped lone surrogates included
    json_values.map(lambda value: json.dumps(value, ensure_ascii=False)),  # raw lone surrogates
    st.text(),
    st.integers(0, 6000).map(lambda depth: "[" * depth + "]" * depth),
    st.integers(0, 6000).map(lambda digits: "1" + "0" * digits),
    st.integers(-2000, 2000).map(lambda exponent: f"[1e{exponent}]"),
    st.sampled_from(list(HOSTILE_CONTENT.values())),
)


@HYPOTHESIS
@given(content=hostile_text)
def test_no_input_content_makes_a_500_and_what_is_accepted_renders(api, flow, content):
    name = unique_name()
    response = api.start(f.flow_arn(flow), HumanLoopName=name, HumanLoopInput={"InputContent": content})

    assert response.status_code in (200, 400), response.content
    if response.status_code == 400:
        assert error_of(response)[0] == "ValidationException"
        return
    loop = HumanLoop.objects.get(name=name)
    page = render_task_template(f.SENTIMENT_TEMPLATE, {"taskObject": loop.input_json})
    page.encode("utf-8")
    json.dumps(loop.input_json, allow_nan=False).encode("utf-8")


@HYPOTHESIS
@given(
    body=(st.binary(max_size=300) | hostile_text.map(lambda text: text.encode("utf-8", "surrogatepass"))).filter(
        bytes.strip
    )
)
def test_no_request_body_makes_a_500(api, flow, body):
    response = api.start(f.flow_arn(flow), body=body)

    assert response.status_code < 500, response.content
    assert error_of(response)[0] == "ValidationException"


@HYPOTHESIS
@given(attributes=json_values)
def test_no_data_attributes_make_a_500(api, flow, attributes):
    response = api.start(f.flow_arn(flow), HumanLoopName=unique_name(), DataAttributes=attributes)

    assert response.status_code in (200, 400), response.content
