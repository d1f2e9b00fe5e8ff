"""A seeded synthetic crowd with known confusion matrices (issue 14's benchmark crowd).

20 reviewers on 3 classes: 16 with accuracies spread evenly over 0.55–0.95
whose errors all go to one favourite wrong label (the usual shape of real
annotator bias), and 4 answering uniformly at random. `spread_errors=True`
sends the errors of the 16 uniformly to the wrong labels instead.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

CLASSES = ("cat", "dog", "fox")


@dataclass(frozen=True)
class Reviewer:
    name: str
    accuracy: float  # the true chance of a right answer (for the random ones, 1/3)
    matrix: np.ndarray  # (true, answered) probabilities

    def answer(self, truth: int, rng: np.random.Generator) -> int:
        return int(rng.choice(len(CLASSES), p=self.matrix[truth]))


def reviewers(seed: int = 14, *, spread_errors: bool = False, n_biased: int = 16, n_random: int = 4) -> list[Reviewer]:
    """Return the crowd: the biased reviewers first (accuracy ascending), then the random ones."""
    rng = np.random.default_rng(seed)
    k = len(CLASSES)
    crowd = []
    for n, accuracy in enumerate(np.linspace(0.55, 0.95, n_biased)):
        matrix = np.zeros((k, k))
        for truth in range(k):
            matrix[truth, truth] = accuracy
            if spread_errors:
                matrix[truth, [c for c in range(k) if c != truth]] = (1 - accuracy) / (k - 1)
            else:
                favourite = int(rng.choice([c for c in range(k) if c != truth]))
                matrix[truth, favourite] = 1 - accuracy
        crowd.append(Reviewer(f"biased-{n:02d}", float(accuracy), matrix))
    for n in range(n_random):
        crowd.append(Reviewer(f"random-{n}", 1 / k, np.full((k, k), 1 / k)))
    return crowd


def truths(n_items: int = 2000, seed: int = 14) -> np.ndarray:
    """Return each item's true class, uniformly drawn."""
    return np.random.default_rng(seed + 1).integers(0, len(CLASSES), size=n_items)


def fixed_overlap(
    crowd: list[Reviewer], truth: np.ndarray, overlap: int = 3, seed: int = 14
) -> list[tuple[int, int, int]]:
    """Return (item, reviewer, answer) for `overlap` distinct random reviewers per item."""
    rng = np.random.default_rng(seed + 2)
    judgments = []
    for item, true_label in enumerate(truth):
        for reviewer in rng.choice(len(crowd), size=overlap, replace=False):
            judgments.append((item, int(reviewer), crowd[reviewer].answer(int(true_label), rng)))
    return judgments
