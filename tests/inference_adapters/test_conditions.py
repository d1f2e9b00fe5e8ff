"""Activation conditions: the spec's worked examples, edge cases, sampling and validation errors."""

import copy
import json

import pytest

from flows.definitions import conditions as c
from flows.definitions.activation import camelize
from hitl.kernel.errors import InvalidInput
from tests.inference_adapters import documents as d

TEXTRACT_RESPONSE = camelize(d.TEXTRACT_RESPONSE)
REKOGNITION_RESPONSE = camelize(d.REKOGNITION_RESPONSE)


def _key_drawing(at_least: float, below: float = 100.0) -> str:
    """Return a sampling key whose deterministic draw lies in [at_least, below)."""
    for n in range(10_000):
        if at_least <= c.sampling_draw(f"key-{n}") < below:
            return f"key-{n}"
    raise AssertionError("no key found")


def _leaf(kind, **params):
    return {"ConditionType": kind, "ConditionParameters": params}


def test_textract_worked_example_selects_the_pay_date_pair_and_names_both_keys():
    evaluation = c.evaluate(c.TEXTRACT_SOURCE, d.TEXTRACT_CONDITIONS, TEXTRACT_RESPONSE, "any")

    assert evaluation.activated is True
    assert evaluation.results == d.EXPECTED_TEXTRACT_RESULTS
    assert evaluation.selected == ["k-1", "v-1", "w-1", "w-2", "w-3"]
    assert evaluation.important_form_keys == d.EXPECTED_TEXTRACT_CONTEXT["importantFormKeys"]
    # The input document is not modified by evaluation.
    assert "EvaluationResult" not in json.dumps(d.TEXTRACT_CONDITIONS)


def test_rekognition_worked_example_records_every_node_and_selects_suggestive_only():
    key = _key_drawing(10)  # "Sampling assumed false for this input"
    evaluation = c.evaluate(c.REKOGNITION_SOURCE, d.REKOGNITION_CONDITIONS, REKOGNITION_RESPONSE, key)

    assert evaluation.activated is True
    assert evaluation.results == d.EXPECTED_REKOGNITION_RESULTS
    assert evaluation.selected == [0]


def test_sampling_at_100_percent_is_always_true_and_selects_everything():
    doc = {"Conditions": [_leaf("Sampling", RandomSamplingPercentage=100)]}
    for n in range(50):
        evaluation = c.evaluate(c.TEXTRACT_SOURCE, doc, TEXTRACT_RESPONSE, f"k{n}")
        assert evaluation.activated
        assert evaluation.selected == [b["id"] for b in TEXTRACT_RESPONSE["blocks"]]


def test_sampling_at_0_percent_is_never_true():
    doc = {"Conditions": [_leaf("Sampling", RandomSamplingPercentage=0)]}
    assert not any(c.evaluate(c.REKOGNITION_SOURCE, doc, REKOGNITION_RESPONSE, f"k{n}").activated for n in range(200))


def test_sampling_is_deterministic_per_input_and_close_to_its_percentage():
    doc = {"Conditions": [_leaf("Sampling", RandomSamplingPercentage=25)]}
    outcomes = [c.evaluate(c.REKOGNITION_SOURCE, doc, REKOGNITION_RESPONSE, f"item-{n}").activated for n in range(2000)]
    again = [c.evaluate(c.REKOGNITION_SOURCE, doc, REKOGNITION_RESPONSE, f"item-{n}").activated for n in range(2000)]
    assert outcomes == again
    assert 0.22 < sum(outcomes) / len(outcomes) < 0.28


def test_sampling_key_ignores_member_order_of_the_request():
    request = {"image": {"s3Object": {"bucket": "b", "name": "n"}}, "humanLoopConfig": {"humanLoopName": "x"}}
    reordered = {"humanLoopConfig": {"humanLoopName": "x"}, "image": {"s3Object": {"name": "n", "bucket": "b"}}}
    assert c.request_sampling_key("arn", request) == c.request_sampling_key("arn", reordered)


def test_missing_key_is_false_when_an_alias_is_present_after_whitespace_collapsing():
    response = copy.deepcopy(TEXTRACT_RESPONSE)
    response["blocks"][2]["text"] = "  Pay"  # key text becomes "  Pay Date:" -> "Pay Date:"
    doc = {
        "Conditions": [
            _leaf("MissingImportantFormKey", ImportantFormKey="PayDate", ImportantFormKeyAliases=["Pay Date:"])
        ]
    }
    assert c.evaluate(c.TEXTRACT_SOURCE, doc, response, "k").activated is False
    case_differs = {"Conditions": [_leaf("MissingImportantFormKey", ImportantFormKey="pay date:")]}
    assert c.evaluate(c.TEXTRACT_SOURCE, case_differs, response, "k").activated is True


def test_word_confidence_holds_when_any_word_of_key_or_value_satisfies_it():
    only_value_word_low = {
        "Conditions": [
            _leaf("ImportantFormKeyConfidenceCheck", ImportantFormKey="Pay Date:", WordBlockConfidenceLessThan=90)
        ]
    }
    no_word_that_low = {
        "Conditions": [
            _leaf("ImportantFormKeyConfidenceCheck", ImportantFormKey="Pay Date:", WordBlockConfidenceLessThan=80)
        ]
    }
    assert c.evaluate(c.TEXTRACT_SOURCE, only_value_word_low, TEXTRACT_RESPONSE, "k").activated is True
    assert c.evaluate(c.TEXTRACT_SOURCE, no_word_that_low, TEXTRACT_RESPONSE, "k").activated is False


def test_comparisons_of_one_leaf_form_a_range():
    inside = _leaf(
        "ImportantFormKeyConfidenceCheck",
        ImportantFormKey="*",
        KeyValueBlockConfidenceGreaterThan=90,
        KeyValueBlockConfidenceLessThanEquals=96.5,
    )
    outside = _leaf(
        "ImportantFormKeyConfidenceCheck",
        ImportantFormKey="*",
        KeyValueBlockConfidenceGreaterThan=60,
        KeyValueBlockConfidenceLessThan=90,
    )
    evaluation = c.evaluate(c.TEXTRACT_SOURCE, {"Conditions": [inside]}, TEXTRACT_RESPONSE, "k")
    assert evaluation.selected == ["k-2", "v-2", "w-4", "w-5"]
    assert evaluation.important_form_keys == []  # "*" names no key
    assert c.evaluate(c.TEXTRACT_SOURCE, {"Conditions": [outside]}, TEXTRACT_RESPONSE, "k").activated is False


def test_nested_and_or_only_true_paths_contribute_to_the_selection():
    pay_date_low = _leaf(
        "ImportantFormKeyConfidenceCheck",
        ImportantFormKey="Pay Date",
        ImportantFormKeyAliases=["Pay Date:"],
        KeyValueBlockConfidenceLessThan=60,
    )
    id_high = _leaf("ImportantFormKeyConfidenceCheck", ImportantFormKey="ID:", KeyValueBlockConfidenceGreaterThan=90)
    never = _leaf("Sampling", RandomSamplingPercentage=0.01)
    doc = {"Conditions": [{"Or": [{"And": [pay_date_low, never]}, {"And": [id_high, pay_date_low]}]}]}
    key = _key_drawing(1)
    evaluation = c.evaluate(c.TEXTRACT_SOURCE, doc, TEXTRACT_RESPONSE, key)

    assert evaluation.activated is True
    first_and, second_and = evaluation.results["Conditions"][0]["Or"]
    assert first_and["EvaluationResult"] is False
    assert first_and["And"][0]["EvaluationResult"] is True  # recorded even though its And is false
    assert second_and["EvaluationResult"] is True
    assert set(evaluation.selected) == {"k-1", "v-1", "w-1", "w-2", "w-3", "k-2", "v-2", "w-4", "w-5"}
    assert [k["importantFormKey"] for k in evaluation.important_form_keys] == ["ID:", "Pay Date"]


def test_nothing_true_means_no_activation():
    doc = {
        "Conditions": [_leaf("ModerationLabelConfidenceCheck", ModerationLabelName="Violence", ConfidenceGreaterThan=1)]
    }
    evaluation = c.evaluate(c.REKOGNITION_SOURCE, doc, REKOGNITION_RESPONSE, "k")
    assert evaluation.activated is False
    assert evaluation.selected == []
    assert evaluation.results["Conditions"][0]["EvaluationResult"] is False


# --- Validation -----------------------------------------------------------------


def _error(source, document):
    text = document if isinstance(document, str) else json.dumps(document)
    with pytest.raises(InvalidInput) as info:
        c.validate_conditions(source, text)
    return info.value.message


def test_the_worked_examples_are_valid():
    # validate_conditions raises InvalidInput on any problem and returns None otherwise.
    assert c.validate_conditions(c.TEXTRACT_SOURCE, json.dumps(d.TEXTRACT_CONDITIONS)) is None
    assert c.validate_conditions(c.REKOGNITION_SOURCE, json.dumps(d.REKOGNITION_CONDITIONS)) is None


@pytest.mark.parametrize(
    ("source", "document", "expected"),
    [
        (c.TEXTRACT_SOURCE, '{"Conditions": [', "is not valid JSON"),
        (c.TEXTRACT_SOURCE, _leaf("Sampling", RandomSamplingPercentage=5), "must be wrapped as"),
        (c.TEXTRACT_SOURCE, {"Conditions": []}, "Conditions must be a non-empty array"),
        (
            c.TEXTRACT_SOURCE,
            {"Conditions": [_leaf("ModerationLabelConfidenceCheck", ModerationLabelName="x")]},
            "Conditions[0].ConditionType 'ModerationLabelConfidenceCheck' is not valid for AWS/Textract/AnalyzeDocument/Forms/V1",
        ),
        (
            c.REKOGNITION_SOURCE,
            {"Conditions": [_leaf("ModerationLabelConfidenceCheck", ModerationLabelName="x", ConfidenceBelow=3)]},
            "Conditions[0].ConditionParameters.ConfidenceBelow is not a parameter of ModerationLabelConfidenceCheck",
        ),
        (
            c.REKOGNITION_SOURCE,
            {
                "Conditions": [
                    {
                        "Or": [
                            _leaf("Sampling", RandomSamplingPercentage=1),
                            _leaf("ModerationLabelConfidenceCheck", ModerationLabelName="x", ConfidenceLessThan=101),
                        ]
                    }
                ]
            },
            "Conditions[0].Or[1].ConditionParameters.ConfidenceLessThan is 101; it must be between 0 and 100",
        ),
        (
            c.TEXTRACT_SOURCE,
            {"Conditions": [_leaf("Sampling", RandomSamplingPercentage=0)]},
            "RandomSamplingPercentage is 0; it must be between 0.01 and 100",
        ),
        (
            c.TEXTRACT_SOURCE,
            {"Conditions": [_leaf("MissingImportantFormKey", ImportantFormKeyAliases=["a"])]},
            "Conditions[0].ConditionParameters.ImportantFormKey is required for MissingImportantFormKey",
        ),
        (
            c.REKOGNITION_SOURCE,
            {"Conditions": [{"Or": [_leaf("Sampling", RandomSamplingPercentage=1)]}]},
            "Conditions[0].Or must be an array of at least 2 conditions (has 1)",
        ),
        (
            c.REKOGNITION_SOURCE,
            {
                "Conditions": [
                    {
                        "Or": [
                            {
                                "And": [
                                    {"Or": [_leaf("Sampling", RandomSamplingPercentage=1)] * 2},
                                    _leaf("Sampling", RandomSamplingPercentage=1),
                                ]
                            },
                            _leaf("Sampling", RandomSamplingPercentage=1),
                        ]
                    }
                ]
            },
            "Conditions[0].Or[0].And[0].Or nests And/Or deeper than 2 levels",
        ),
        (
            c.REKOGNITION_SOURCE,
            {"Conditions": [_leaf("ModerationLabelConfidenceCheck", ModerationLabelName="x", ConfidenceLessThan="98")]},
            'ConfidenceLessThan must be a number, got "98"',
        ),
        (c.REKOGNITION_SOURCE, {"Conditions": [{"ConditionParameters": {}}]}, "Conditions[0] is missing ConditionType"),
        (
            "",
            {"Conditions": [_leaf("Sampling", RandomSamplingPercentage=1)]},
            "only allowed together with HumanLoopRequestSource",
        ),
    ],
)
def test_invalid_documents_are_rejected_with_the_node_and_the_reason(source, document, expected):
    assert expected in _error(source, document)


def test_several_problems_are_reported_together():
    message = _error(
        c.REKOGNITION_SOURCE,
        {"Conditions": [_leaf("Sampling"), _leaf("ModerationLabelConfidenceCheck", ModerationLabelName="")]},
    )
    assert message.startswith("2 validation errors detected: ")
    assert "Conditions[0].ConditionParameters.RandomSamplingPercentage is required" in message
    assert "Conditions[1].ConditionParameters.ModerationLabelName must be a non-empty string" in message
