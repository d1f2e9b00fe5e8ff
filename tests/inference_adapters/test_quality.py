"""Consolidated answers, reviewer agreement, consolidated.json beside output.json, per-flow numbers."""

import json

import pytest
from django.core.management import call_command

from flows.delivery.storage import get_store
from flows.loops import lifecycle
from flows.models import HumanLoop
from inference_adapters.custom import CallableModel, ConfidenceBand, Router
from inference_adapters.quality.flow_quality import (
    consolidate,
    consolidated_key,
    krippendorff_alpha,
    write_consolidated,
)
from tests import factories as f


def _doc(*contents):
    return {
        "flowDefinitionArn": "arn:aws:sagemaker:us-east-1:123456789012:flow-definition/x",
        "humanLoopName": "loop-1",
        "humanAnswers": [{"answerContent": c, "workerId": f"w{i}"} for i, c in enumerate(contents)],
    }


def test_classifier_answers_are_majority_voted_and_a_tie_is_flagged_not_resolved():
    result = consolidate(_doc({"s": {"label": "Mixed"}}, {"s": {"label": "Positive"}}, {"s": {"label": "Positive"}}))
    assert result["consolidatedAnswer"] == {"s": {"label": "Positive"}}
    assert result["agreement"]["s.label"] == {"votes": {"Mixed": 1, "Positive": 2}, "pairwiseAgreement": 0.333333}
    assert result["fields"]["s.label"] == {
        "answer": "Positive",
        "confidence": 0.666667,
        "method": "majority-vote",
        "flagged": True,  # under the default hitl:flag-below of 0.7
        "reason": "low confidence",
        "votes": {"Mixed": 1, "Positive": 2},
    }
    tie = consolidate(_doc({"s": {"label": "Mixed"}}, {"s": {"label": "Positive"}}))
    # Before issue 14 a 1-1 tie went silently to the label submitted first ("Mixed").
    assert tie["consolidatedAnswer"] == {"s": {"label": None}}
    assert tie["fields"]["s.label"]["flagged"] is True
    assert tie["fields"]["s.label"]["reason"] == "tie"
    assert tie["flagged"] is True


def test_multi_label_and_moderation_labels_keep_what_a_majority_chose():
    result = consolidate(
        _doc(
            {
                "c": {"labels": ["Music", "News"]},
                "AWS/Rekognition/DetectModerationLabels/Image/V3": {
                    "moderationLabels": [{"name": "Suggestive", "parentName": ""}]
                },
            },
            {"c": {"labels": ["News"]}, "AWS/Rekognition/DetectModerationLabels/Image/V3": {"moderationLabels": []}},
            {
                "c": {"labels": ["News", "Music"]},
                "AWS/Rekognition/DetectModerationLabels/Image/V3": {
                    "moderationLabels": [{"name": "Suggestive", "parentName": ""}]
                },
            },
        )
    )
    assert result["consolidatedAnswer"]["c"] == {"labels": ["Music", "News"]}
    assert result["consolidatedAnswer"]["AWS/Rekognition/DetectModerationLabels/Image/V3"] == {
        "moderationLabels": [{"name": "Suggestive", "parentName": ""}]
    }
    assert result["agreement"]["c.labels[News]"]["pairwiseAgreement"] == 1.0


def test_boxes_are_clustered_by_iou_and_kept_as_median_boxes_when_a_majority_drew_them():
    def boxes(*items):
        return {
            "bb": {
                "annotatedResult": {"boundingBoxes": list(items), "inputImageProperties": {"height": 480, "width": 640}}
            }
        }

    dog = {"label": "Dog", "left": 40, "top": 64, "width": 210, "height": 120}
    result = consolidate(
        _doc(
            boxes(dog, {"label": "Cat", "left": 400, "top": 10, "width": 50, "height": 50}),
            boxes({**dog, "left": 44, "width": 200}),
            boxes({**dog, "left": 50, "top": 70}, {"label": "Dog", "left": 500, "top": 300, "width": 20, "height": 20}),
        )
    )
    assert result["consolidatedAnswer"]["bb"] == {
        "annotatedResult": {
            "boundingBoxes": [{"label": "Dog", "left": 44, "top": 64, "width": 210, "height": 120}],
            "inputImageProperties": {"height": 480, "width": 640},
        }
    }


def test_numbers_take_the_median_and_strings_the_mode():
    result = consolidate(
        _doc(
            {"n": 3, "t": "a", "ok": {"on": True}},
            {"n": 10, "t": "b", "ok": {"on": False}},
            {"n": 4, "t": "b", "ok": {"on": True}},
        )
    )
    assert result["consolidatedAnswer"] == {"n": 4, "t": "b", "ok": {"on": True}}


def test_krippendorff_alpha_matches_the_published_nominal_example():
    # Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", 4 coders x 12 units: alpha = 0.743.
    n = None
    coders = [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, n, n, n],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, n, 3],
        [n, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, n],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, n],
    ]
    units = [[v for v in unit if v is not None] for unit in zip(*coders, strict=True)]
    assert krippendorff_alpha(units) == pytest.approx(0.743, abs=5e-4)
    assert krippendorff_alpha([["a", "a"], ["a", "a"]]) is None  # no variation: undefined


def test_write_consolidated_gives_the_same_bytes_every_time():
    output = json.dumps(_doc({"s": {"label": "A"}})).encode()
    key = "p/flow/2024/05/01/09/30/12/loop-1/output.json"
    write_consolidated("bucket", key, output)
    first = get_store().get("bucket", consolidated_key(key))
    write_consolidated("bucket", key, output)
    assert get_store().get("bucket", "p/flow/2024/05/01/09/30/12/loop-1/consolidated.json") == first


@pytest.mark.django_db(transaction=True)
def test_finished_loops_get_consolidated_json_and_the_flow_its_quality_numbers(capsys):
    acct = f.account()
    reviewers = [f.user() for _ in range(3)]
    team = f.workteam(acct, members=reviewers)
    flow = f.flow_definition(acct, team, name="digits-review", task_count=3)
    predictions = {"a": "7", "b": "1"}
    router = Router(
        account=acct,
        flow_definition_arn=f.flow_arn(flow),
        model=CallableModel(lambda item: {"label": predictions[item["id"]], "confidence": 0.3}),
        model_version="m1",
        rules=[ConfidenceBand(0, 0.9)],
        answer_key="digit",
    )
    loops = {item: router.route(item, {"id": item}).loop for item in predictions}
    # Loop "a": all say 7 (model right). Loop "b": 2 say 4, one says 1 (model wrong).
    votes = {"a": ["7", "7", "7"], "b": ["4", "1", "4"]}
    for item in ("a", "b"):
        for reviewer, label in zip(reviewers, votes[item], strict=True):
            task = lifecycle.claim_next_task(reviewer, flow=flow)
            assert task.human_loop_id == loops[item].id
            lifecycle.submit_task(reviewer, task.id, {"digit": {"label": label}})

    loop_b = HumanLoop.objects.get(id=loops["b"].id)
    assert loop_b.status == "Completed"
    bucket, key = loop_b.output_s3_uri.removeprefix("s3://").split("/", 1)
    consolidated = json.loads(get_store().get(bucket, key.replace("output.json", "consolidated.json")))
    assert consolidated["consolidatedAnswer"] == {"digit": {"label": "4"}}
    assert consolidated["answerCount"] == 3

    call_command("flow_quality", "digits-review")
    numbers = json.loads(capsys.readouterr().out)
    assert numbers["loopsWithOutput"] == 2
    assert numbers["modelComparisons"] == 2
    assert numbers["disagreementRate"] == 0.5
    assert numbers["multiReviewerLoops"] == 2
    expected_alpha = krippendorff_alpha([votes["a"], votes["b"]])
    assert numbers["agreement"]["digit.label"] == {"krippendorffAlpha": expected_alpha, "units": 2}


def test_odd_answer_shapes_never_break_consolidation():
    odd = [
        {"bb": {"annotatedResult": {"boundingBoxes": ["not a box", {"label": "x"}]}}},
        {"m": {"moderationLabels": ["Suggestive", {"name": "Weapons"}]}},
        {"c": {"labels": [{"nested": 1}, "A"]}},
        {"mixed": [1, "a", None]},
        {"n": None},
    ]
    for first in odd:
        for second in odd:
            result = consolidate(_doc(first, second))
            json.dumps(result)  # serialisable
            assert result["answerCount"] == 2
