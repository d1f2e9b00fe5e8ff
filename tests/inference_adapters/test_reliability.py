"""Dawid–Skene (inference_adapters.quality.reliability): the same posteriors as crowd-kit, and better than majority vote.

data/crowdkit_dawid_skene.json was recorded with crowd-kit 1.4.2 (Toloka,
Apache-2.0) on a seeded crowd of bench/crowd.py (300 items, 3 answers each),
by `DawidSkene(n_iter=100, tol=1e-5).fit_predict_proba(df)`; the script is in
bench/README.md ("Quality control"). crowd-kit is not a dependency: it pulls in
pandas, pyarrow, nltk and transformers.
"""

import json
from pathlib import Path

import numpy as np
import pytest

from bench import crowd
from inference_adapters.quality import reliability

RECORDED = json.loads((Path(__file__).parent / "data" / "crowdkit_dawid_skene.json").read_text())


def _judgments(rows, n_items, n_workers=20, n_classes=3):
    rows = np.asarray(rows)
    return reliability.Judgments.of(
        rows[:, 0], rows[:, 1], rows[:, 2], n_items=n_items, n_workers=n_workers, n_classes=n_classes
    )


def test_posteriors_match_crowd_kit_on_the_recorded_run():
    data = _judgments(RECORDED["judgments"], n_items=len(RECORDED["truth"]))

    estimate = reliability.dawid_skene(data)

    assert estimate.iterations == RECORDED["iterations"]
    assert np.abs(estimate.posteriors - np.asarray(RECORDED["posteriors"])).max() < 1e-6
    assert np.abs(estimate.priors - np.asarray(RECORDED["priors"])).max() < 1e-6


def _crowd_run(seed, *, spread_errors=False):
    people = crowd.reviewers(seed=seed, spread_errors=spread_errors)
    truth = crowd.truths(2000, seed=seed)
    data = _judgments(crowd.fixed_overlap(people, truth, overlap=3, seed=seed), n_items=2000)
    estimate = reliability.dawid_skene(data)
    ds = float((estimate.posteriors.argmax(axis=1) == truth).mean())
    # Majority vote counts a tie as wrong: it does not know the answer (hitl flags it).
    shares = reliability.vote_shares(data)
    unique_best = (shares == shares.max(axis=1, keepdims=True)).sum(axis=1) == 1
    mv = float(((shares.argmax(axis=1) == truth) & unique_best).mean())
    estimated = reliability.worker_accuracy(estimate.confusion, estimate.priors)
    r = float(np.corrcoef(estimated, [p.accuracy for p in people])[0, 1])
    return ds, mv, r


@pytest.mark.parametrize("seed", [14, 15, 16])
def test_on_the_biased_crowd_dawid_skene_beats_majority_vote_by_5_points_and_finds_the_accuracies(seed):
    # 2,000 items, 3 classes, 20 reviewers: 16 biased towards one wrong label (accuracy 0.55-0.95), 4 random.
    ds, mv, r = _crowd_run(seed)

    assert ds >= mv + 0.05
    assert r >= 0.9


def test_on_a_crowd_with_uniform_errors_the_gain_is_smaller_but_there():
    ds, mv, r = _crowd_run(14, spread_errors=True)

    assert ds > mv
    assert r >= 0.9


def test_gold_items_are_clamped_to_their_known_label():
    # Two reviewers always disagree; the gold item says reviewer 0 is the one who is right.
    data = reliability.Judgments.of([0, 0, 1, 1], [0, 1, 0, 1], [0, 1, 0, 1], n_classes=2)

    estimate = reliability.dawid_skene(data, gold={0: 0})

    assert estimate.posteriors[0].tolist() == [1.0, 0.0]
    assert estimate.posteriors[1, 0] > 0.99  # the other item follows reviewer 0
    assert reliability.worker_accuracy(estimate.confusion, estimate.priors)[0] > 0.99


def test_a_tie_is_reported_as_a_tie():
    best, confidence, tied = reliability.top_two(np.array([0.5, 0.5]))
    assert (best, confidence, tied) == (0, 0.5, True)
    assert reliability.top_two(np.array([0.2, 0.8])) == (1, 0.8, False)


def test_lone_answers_do_not_make_a_reviewer_look_reliable():
    # Reviewer 0 answers 40 items alone, at random; reviewers 1 and 2 agree on 40 others.
    rng = np.random.default_rng(3)
    rows = [(item, 0, int(rng.integers(3))) for item in range(40)]
    rows += [(40 + item, worker, item % 3) for item in range(40) for worker in (1, 2)]
    data = _judgments(rows, n_items=80, n_workers=3)

    plain = reliability.dawid_skene(data)
    fit = reliability.fit_flow_question(data)

    # Plain EM echoes each lone answer back into the diagonal: reviewer 0 looks perfect.
    assert reliability.worker_accuracy(plain.confusion, plain.priors)[0] > 0.99
    # Lone answers add no counts: reviewer 0's matrix is the prior's, 70% right.
    assert fit.evidence.tolist() == [0, 40, 40]
    assert reliability.worker_accuracy(fit.estimate.confusion, fit.estimate.priors)[0] == pytest.approx(0.7)
    assert fit.estimate.posteriors[:40].max() < 0.95  # and none of its answers is sure


def test_the_dirichlet_prior_keeps_a_few_agreements_from_looking_certain():
    def agreeing(n_items):
        return _judgments(
            [(item, worker, item % 3) for item in range(n_items) for worker in (0, 1)], n_items, n_workers=2
        )

    few = reliability.fit_flow_question(agreeing(6)).estimate
    many = reliability.fit_flow_question(agreeing(600)).estimate

    assert reliability.dawid_skene(agreeing(6)).confusion[0].diagonal().min() > 0.99
    # Two items per label, plus five pseudo-answers per label right 70% of the time: at most (2 + 3.5) / 7.
    assert 0.7 < few.confusion[0].diagonal().max() <= 5.5 / 7
    assert many.confusion[0].diagonal().min() > 0.98
