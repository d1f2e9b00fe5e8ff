"""Consolidation of one item's answers against hand-computed fixtures: Dawid–Skene, ties, geometry, exclusions."""

import pytest

from flows.quality.quality_config import QualityConfig
from inference_adapters.quality.flow_quality import consolidate


def _doc(*contents, workers=None):
    workers = workers or [f"w{i}" for i in range(len(contents))]
    return {
        "flowDefinitionArn": "arn:aws:sagemaker:us-east-1:123456789012:flow-definition/x",
        "humanLoopName": "loop-1",
        "humanAnswers": [{"answerContent": c, "workerId": w} for c, w in zip(contents, workers, strict=True)],
    }


def _model(fields=None, accuracy=None):
    from inference_adapters.quality.consolidation import FlowModel

    return FlowModel.from_json(
        {
            "fields": fields or {},
            "workers": {w: {"accuracy": a, "judgments": 100} for w, a in (accuracy or {}).items()},
        }
    )


SENTIMENT = {
    "s.label": {
        "classes": ["neg", "pos"],
        "priors": [0.5, 0.5],
        "judgments": 100,
        # Rows: the answer given; columns: the true label.
        "workers": {"good": [[0.9, 0.1], [0.1, 0.9]], "poor": [[0.6, 0.4], [0.4, 0.6]]},
    }
}


def test_dawid_skene_settles_a_one_one_split_by_the_reviewers_reliability():
    document = _doc({"s": {"label": "pos"}}, {"s": {"label": "neg"}}, workers=["good", "poor"])

    result = consolidate(document, model=_model(SENTIMENT))

    # P(pos) = .5*.9*.4 / (.5*.9*.4 + .5*.1*.6) = .18 / .21
    assert result["consolidatedAnswer"] == {"s": {"label": "pos"}}
    assert result["fields"]["s.label"]["confidence"] == pytest.approx(0.857143)
    assert result["fields"]["s.label"]["method"] == "dawid-skene"
    assert result["fields"]["s.label"]["flagged"] is False
    assert result["methods"] == ["dawid-skene"]


def test_too_little_history_or_majority_vote_chosen_falls_back_to_majority_vote():
    document = _doc({"s": {"label": "pos"}}, {"s": {"label": "neg"}}, workers=["good", "poor"])

    little = consolidate(document, model=_model(SENTIMENT), config=QualityConfig(min_history=101))
    chosen = consolidate(document, model=_model(SENTIMENT), config=QualityConfig(consolidation="majority-vote"))

    for result in (little, chosen):
        assert result["fields"]["s.label"]["method"] == "majority-vote"
        assert result["consolidatedAnswer"] == {"s": {"label": None}}
        assert result["fields"]["s.label"]["reason"] == "tie"


def test_low_confidence_is_flagged_at_the_flows_threshold():
    document = _doc({"s": {"label": "pos"}}, {"s": {"label": "neg"}}, workers=["good", "poor"])

    strict = consolidate(document, model=_model(SENTIMENT), config=QualityConfig(flag_below=0.9))

    assert strict["consolidatedAnswer"] == {"s": {"label": "pos"}}
    assert strict["fields"]["s.label"]["flagged"] is True
    assert strict["fields"]["s.label"]["reason"] == "low confidence"


def test_answers_of_paused_reviewers_are_left_out():
    document = _doc({"s": {"label": "neg"}}, {"s": {"label": "pos"}}, {"s": {"label": "pos"}})
    spammer_first = _doc({"s": {"label": "neg"}}, {"s": {"label": "neg"}}, {"s": {"label": "pos"}})

    result = consolidate(document, excluded_worker_ids={"w1"})
    flipped = consolidate(spammer_first, excluded_worker_ids={"w0", "w1"})

    assert result["answerCount"] == 2
    assert result["excludedWorkerIds"] == ["w1"]
    assert result["consolidatedAnswer"] == {"s": {"label": None}}  # neg vs pos: a tie once w1 is out
    assert flipped["consolidatedAnswer"] == {"s": {"label": "pos"}}


def test_checkbox_objects_are_one_yes_no_question_per_value():
    result = consolidate(
        _doc(
            {"q": {"blurry": True, "dark": False}},
            {"q": {"blurry": True, "dark": True}},
            {"q": {"blurry": False, "dark": False}},
        )
    )
    two = consolidate(_doc({"q": {"dark": False}}, {"q": {"dark": True}}))

    assert result["consolidatedAnswer"] == {"q": {"blurry": True, "dark": False}}
    assert set(result["fields"]) == {"q[blurry]", "q[dark]"}
    assert two["consolidatedAnswer"] == {"q": {"dark": None}}
    assert two["fields"]["q[dark]"]["flagged"] is True


def test_boxes_are_weighted_by_reliability():
    def boxes(*items):
        return {"bb": {"annotatedResult": {"boundingBoxes": list(items)}}}

    a = {"label": "Dog", "left": 10, "top": 10, "width": 100, "height": 100}
    far = {"label": "Dog", "left": 500, "top": 500, "width": 50, "height": 50}
    document = _doc(boxes(a), boxes({**a, "left": 20}), boxes(far), workers=["sharp", "blur", "blur2"])

    result = consolidate(document, model=_model(accuracy={"sharp": 0.9, "blur": 0.5, "blur2": 0.5}))

    # IoU(a, a shifted by 10) = 9000 / 11000 >= 0.5: one cluster of weight 1.4 of 1.9 (kept); `far` has 0.5.
    # Weighted median of left (10 with 0.9, 20 with 0.5): 10. An unweighted median would say 15.
    assert result["consolidatedAnswer"]["bb"]["annotatedResult"]["boundingBoxes"] == [
        {"label": "Dog", "left": 10, "top": 10, "width": 100, "height": 100}
    ]
    field = result["fields"]["bb.annotatedResult.boundingBoxes"]
    assert field["confidence"] == pytest.approx(1.4 / 1.9, abs=1e-6)
    assert field["method"] == "iou-clustering (reliability-weighted)"


def test_entity_spans_are_clustered_by_span_overlap_and_a_half_supported_span_is_a_tie():
    person = {"label": "person", "startOffset": 0, "endOffset": 5}
    result = consolidate(
        _doc(
            {"e": {"entities": [person]}},
            {"e": {"entities": [{**person, "endOffset": 6}]}},
            {"e": {"entities": [{**person, "startOffset": 1}, {"label": "org", "startOffset": 10, "endOffset": 15}]}},
        )
    )
    tie = consolidate(_doc({"e": {"entities": [person]}}, {"e": {"entities": []}}))

    # Span IoU with [0,5): [0,6) 5/6, [1,5) 4/5. Starts 0,0,1 and ends 5,6,5: low medians 0 and 5. org: 1 of 3.
    assert result["consolidatedAnswer"]["e"] == {"entities": [{"endOffset": 5, "label": "person", "startOffset": 0}]}
    assert result["fields"]["e.entities"]["confidence"] == 1.0
    assert result["fields"]["e.entities"]["method"] == "span-overlap"
    assert tie["consolidatedAnswer"]["e"] == {"entities": []}
    assert tie["fields"]["e.entities"]["flagged"] is True
    assert tie["fields"]["e.entities"]["reason"] == "tie"


def test_keypoints_within_five_percent_of_the_diagonal_are_one_point():
    size = {"width": 300, "height": 400}  # diagonal 500: radius 25

    def points(*items):
        return {"kp": {"annotatedResult": {"keypoints": list(items), "inputImageProperties": size}}}

    result = consolidate(
        _doc(
            points({"label": "eye", "x": 100, "y": 100}),
            points({"label": "eye", "x": 110, "y": 105}),
            points({"label": "eye", "x": 200, "y": 200}),
        )
    )

    assert result["consolidatedAnswer"]["kp"] == {
        "annotatedResult": {"keypoints": [{"label": "eye", "x": 105.0, "y": 102.5}], "inputImageProperties": size}
    }
    assert result["fields"]["kp.annotatedResult.keypoints"]["confidence"] == pytest.approx(0.666667)


def test_polygons_keep_the_member_that_overlaps_the_others_most():
    def polygon(*vertices):
        return {
            "pg": {
                "annotatedResult": {
                    "polygons": [{"label": "roof", "vertices": [{"x": x, "y": y} for x, y in vertices]}]
                }
            }
        }

    big = polygon((0, 0), (100, 0), (0, 100))
    small = polygon((0, 0), (90, 0), (0, 90))
    shifted = polygon((5, 5), (100, 5), (5, 100))

    result = consolidate(_doc(small, big, shifted))

    # Box IoUs: big-small .81, big-shifted .9025, small-shifted 7225/9900: big overlaps the others most.
    assert result["consolidatedAnswer"]["pg"]["annotatedResult"]["polygons"] == [
        big["pg"]["annotatedResult"]["polygons"][0]
    ]
