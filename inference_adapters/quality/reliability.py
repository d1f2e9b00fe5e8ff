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
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

EPS = 1e-10
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
    data: Judgments, *, gold: dict[int, int] | None = None, max_iterations: int = 100, tol: float = 1e-5
) -> Estimate:
    """Estimate every worker's confusion matrix and every item's label posterior by EM."""
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
    confusion, _ = _m_step(data, cell, posteriors)
    loss = -np.inf
    iterations = 0
    for iterations in range(1, max_iterations + 1):  # noqa: B007 (the count is returned)
        posteriors = clamp(_e_step(data, cell, priors, confusion))
        priors = posteriors.mean(axis=0)
        confusion, counts = _m_step(data, cell, posteriors)
        new_loss = _evidence_lower_bound(data, counts, posteriors, priors, confusion)
        if new_loss - loss < tol:
            break
        loss = new_loss
    return Estimate(posteriors, priors, confusion, iterations)


def _m_step(data: Judgments, cell: np.ndarray, posteriors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the confusion matrices and the soft counts they were normalized from."""
    k = data.n_classes
    counts = np.stack(
        [np.bincount(cell, weights=posteriors[data.item, c], minlength=data.n_workers * k) for c in range(k)],
        axis=-1,
    ).reshape(data.n_workers, k, k)
    # Only (worker, observed) cells that occur are clipped, as crowd-kit's grouped sums have no other rows.
    seen = np.zeros((data.n_workers, k), dtype=bool)
    seen[data.worker, data.label] = True
    clipped = np.where(seen[:, :, None], np.maximum(counts, EPS), 0.0)
    totals = clipped.sum(axis=1, keepdims=True)
    return np.divide(clipped, totals, out=np.zeros_like(clipped), where=totals > 0), counts


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
