"""Reviewer reliability for categorical answers: Dawid–Skene EM, majority vote, one item's posterior.

Pure NumPy over integer-coded judgments (item, worker, label); no Django.
`dawid_skene` follows Dawid & Skene (1979) exactly as Toloka's crowd-kit
`DawidSkene` does (majority-vote start, confusion matrices clipped at 1e-10,
stopping on the change of the evidence lower bound per judgment), so the two
give the same posteriors (tests/inference_adapters/test_reliability.py
compares them on a recorded crowd-kit run). Written here rather than
imported: crowd-kit pulls in pandas, pyarrow, nltk and transformers, over a
hundred megabytes for forty lines of array code.

Gold items (known answers) are clamped: their posterior is the known label on
every iteration, which is how gold sharpens the reviewers' matrices.

hitl's own fits (`fit_flow_question`) add two things crowd-kit does not,
because plain maximum likelihood is overconfident on a flow's early or thinly
reviewed items, and adaptive overlap stops on what the matrices promise:

* a Dirichlet prior on every confusion-matrix row (`dirichlet_prior`): PRIOR_STRENGTH
  pseudo-answers per true label, right PRIOR_ACCURACY of the time. The M-step
  returns the posterior mean, (soft counts + pseudo-counts) / total, which is
  also the predictive probability of the reviewer's next answer: a reviewer
  seen on five items cannot look 100 % accurate, one seen on five hundred is
  hardly moved.
* only informative judgments fit the matrices (`informative_weights`): an item
  answered by one reviewer says nothing about that reviewer's accuracy (EM
  would only echo the answer back into the diagonal), so it gets a posterior
  but adds no counts; gold items and items with two or more answers do.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

EPS = 1e-10
# The Dirichlet prior of hitl's fits: as if each reviewer had answered PRIOR_STRENGTH items of each true label
# and been right PRIOR_ACCURACY of the time (the accuracy assumed of a reviewer before any estimate). Chosen on
# bench/crowd.py's crowd: 2 to 10 give the same adaptive-overlap accuracy; 5 keeps a 300-item flow calibrated.
PRIOR_STRENGTH = 5.0
PRIOR_ACCURACY = 0.7
# Two posteriors this close are a tie: neither label is preferred by the data.
TIE_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Judgments:
    """Integer-coded answers: judgment n says worker[n] gave item[n] the label label[n]."""

    item: np.ndarray
    worker: np.ndarray
    label: np.ndarray
    n_items: int
    n_workers: int
    n_classes: int

    @classmethod
    def of(cls, item, worker, label, *, n_items=None, n_workers=None, n_classes=None) -> Judgments:
        item, worker, label = (np.asarray(a, dtype=np.int64) for a in (item, worker, label))
        return cls(
            item,
            worker,
            label,
            n_items if n_items is not None else int(item.max(initial=-1)) + 1,
            n_workers if n_workers is not None else int(worker.max(initial=-1)) + 1,
            n_classes if n_classes is not None else int(label.max(initial=-1)) + 1,
        )


@dataclass(frozen=True)
class Estimate:
    posteriors: np.ndarray  # (items, classes)
    priors: np.ndarray  # (classes,)
    confusion: np.ndarray  # (workers, observed, true): P(worker answers observed | truth is true)
    iterations: int


def vote_shares(data: Judgments) -> np.ndarray:
    """Return each item's share of votes per label (rows of items without votes are zero)."""
    counts = np.zeros((data.n_items, data.n_classes))
    np.add.at(counts, (data.item, data.label), 1.0)
    totals = counts.sum(axis=1, keepdims=True)
    return np.divide(counts, totals, out=np.zeros_like(counts), where=totals > 0)


def dawid_skene(
    data: Judgments,
    *,
    gold: dict[int, int] | None = None,
    prior: np.ndarray | None = None,
    fit_weights: np.ndarray | None = None,
    max_iterations: int = 100,
    tol: float = 1e-5,
) -> Estimate:
    """Estimate every worker's confusion matrix and every item's label posterior by EM.

    Without `prior` and `fit_weights` this is crowd-kit's DawidSkene. `prior`
    (observed, true) pseudo-counts are added to every worker's soft counts;
    `fit_weights` (one per judgment, 0 or 1) say which judgments count in the M-step.
    """
    gold_items = np.fromiter((gold or {}).keys(), dtype=np.int64)
    gold_labels = np.fromiter((gold or {}).values(), dtype=np.int64)

    def clamp(posteriors: np.ndarray) -> np.ndarray:
        if len(gold_items):
            posteriors[gold_items] = 0.0
            posteriors[gold_items, gold_labels] = 1.0
        return posteriors

    cell = data.worker * data.n_classes + data.label  # each judgment's (worker, answer) cell
    posteriors = clamp(vote_shares(data))
    priors = posteriors.mean(axis=0)
    confusion, _ = _m_step(data, cell, posteriors, prior, fit_weights)
    loss = -np.inf
    iterations = 0
    for iterations in range(1, max_iterations + 1):  # noqa: B007 (the count is returned)
        posteriors = clamp(_e_step(data, cell, priors, confusion))
        priors = posteriors.mean(axis=0)
        confusion, counts = _m_step(data, cell, posteriors, prior, fit_weights)
        new_loss = _evidence_lower_bound(data, counts, posteriors, priors, confusion)
        if new_loss - loss < tol:
            break
        loss = new_loss
    return Estimate(posteriors, priors, confusion, iterations)


def _m_step(
    data: Judgments,
    cell: np.ndarray,
    posteriors: np.ndarray,
    prior: np.ndarray | None = None,
    fit_weights: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Return the confusion matrices and the soft counts they were normalized from."""
    k = data.n_classes
    weights = posteriors[data.item]
    if fit_weights is not None:
        weights = weights * fit_weights[:, None]
    counts = np.stack(
        [np.bincount(cell, weights=weights[:, c], minlength=data.n_workers * k) for c in range(k)],
        axis=-1,
    ).reshape(data.n_workers, k, k)
    if prior is not None:  # the posterior mean under a Dirichlet prior on each true label's answers
        smoothed = counts + prior
        return smoothed / smoothed.sum(axis=1, keepdims=True), counts
    # Only (worker, observed) cells that occur are clipped, as crowd-kit's grouped sums have no other rows.
    seen = np.zeros((data.n_workers, k), dtype=bool)
    seen[data.worker, data.label] = True
    clipped = np.where(seen[:, :, None], np.maximum(counts, EPS), 0.0)
    totals = clipped.sum(axis=1, keepdims=True)
    return np.divide(clipped, totals, out=np.zeros_like(clipped), where=totals > 0), counts


def dirichlet_prior(
    n_classes: int, *, accuracy: float = PRIOR_ACCURACY, strength: float = PRIOR_STRENGTH
) -> np.ndarray:
    """(observed, true) pseudo-counts: `strength` answers per true label, right `accuracy` of the time."""
    return one_coin_matrix(accuracy, n_classes) * strength


def informative_weights(data: Judgments, gold: dict[int, int] | None = None) -> np.ndarray:
    """1 for the judgments of items with two or more answers or a known answer, 0 for lone answers."""
    informative = np.bincount(data.item, minlength=data.n_items) >= 2
    if gold:
        informative[np.fromiter(gold.keys(), dtype=np.int64)] = True
    return informative[data.item].astype(float)


@dataclass(frozen=True)
class FlowFit:
    estimate: Estimate
    evidence: np.ndarray  # (workers,): the informative judgments each worker's matrix rests on


def fit_flow_question(data: Judgments, gold: dict[int, int] | None = None) -> FlowFit:
    """hitl's fit of one question of a flow: Dawid-Skene with the Dirichlet prior, on informative judgments."""
    weights = informative_weights(data, gold)
    estimate = dawid_skene(data, gold=gold, prior=dirichlet_prior(data.n_classes), fit_weights=weights)
    return FlowFit(estimate, np.bincount(data.worker, weights=weights, minlength=data.n_workers))


def _log_likelihoods(data: Judgments, cell: np.ndarray, priors: np.ndarray, confusion: np.ndarray) -> np.ndarray:
    # The log of each (worker, answer) row once, then one gather per judgment.
    log_confusion = np.log(np.maximum(confusion, EPS)).reshape(-1, data.n_classes)[cell]  # (judgments, classes)
    summed = np.stack(
        [np.bincount(data.item, weights=log_confusion[:, c], minlength=data.n_items) for c in range(data.n_classes)],
        axis=-1,
    )
    return np.log(np.maximum(priors, EPS)) + summed


def _e_step(data: Judgments, cell: np.ndarray, priors: np.ndarray, confusion: np.ndarray) -> np.ndarray:
    return softmax(_log_likelihoods(data, cell, priors, confusion))


def softmax(log_values: np.ndarray) -> np.ndarray:
    scaled = np.exp(log_values - log_values.max(axis=-1, keepdims=True))
    return scaled / scaled.sum(axis=-1, keepdims=True)


def _evidence_lower_bound(
    data: Judgments, counts: np.ndarray, posteriors: np.ndarray, priors: np.ndarray, confusion: np.ndarray
) -> float:
    """crowd-kit's loss: E[log p(answers, labels)] + entropy of the posteriors, per judgment.

    Summed over judgments, posterior x (log confusion + log prior) is the soft counts of the M-step
    times those logs: no pass over the judgments.
    """
    log_terms = np.log(np.maximum(confusion, EPS)) + np.log(np.maximum(priors, EPS))
    expectation = float((counts * log_terms).sum())
    clipped = np.maximum(posteriors, EPS)
    entropy = float(-(np.log(clipped) * clipped).sum())
    return (expectation + entropy) / max(len(data.item), 1)


def item_posterior(priors: np.ndarray, matrices: list[np.ndarray], labels: list[int]) -> np.ndarray:
    """Return one item's label posterior from its answers, each with its worker's confusion matrix."""
    log_values = np.log(np.maximum(priors, EPS)).copy()
    for matrix, label in zip(matrices, labels, strict=True):
        log_values += np.log(np.maximum(matrix[label], EPS))
    return softmax(log_values)


def one_coin_matrix(accuracy: float, n_classes: int) -> np.ndarray:
    """A confusion matrix for a worker right with probability `accuracy`, wrong uniformly otherwise."""
    if n_classes < 2:
        return np.ones((1, 1))
    off = (1.0 - accuracy) / (n_classes - 1)
    return np.full((n_classes, n_classes), off) + np.eye(n_classes) * (accuracy - off)


def worker_accuracy(confusion: np.ndarray, priors: np.ndarray) -> np.ndarray:
    """Return each worker's expected accuracy: the diagonal of their matrix weighted by the class priors."""
    diagonal = np.diagonal(confusion, axis1=1, axis2=2)
    return diagonal @ priors


def top_two(posterior: np.ndarray) -> tuple[int, float, bool]:
    """Return (best label, its probability, whether another label ties with it)."""
    order = np.argsort(-posterior, kind="stable")
    best = int(order[0])
    tied = len(order) > 1 and posterior[best] - posterior[order[1]] <= TIE_TOLERANCE
    return best, float(posterior[best]), bool(tied)
