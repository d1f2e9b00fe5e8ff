"""Run the closed active-learning loop on scikit-learn's digits and print the numbers as JSON."""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from inference_adapters.quality.active_learning import run_demo


class Command(BaseCommand):
    help = (
        "Train on a small labelled seed of the digits data set, route uncertain pool items to simulated reviewers "
        "through real human loops, export the reviewed items (JSONL, CSV), retrain and print accuracy before/after."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--pool", type=int, default=400, help="Unlabelled items scored by the model (default 400).")
        parser.add_argument("--seed-size", type=int, default=50, help="Labelled items the first model learns from.")
        parser.add_argument(
            "--band",
            type=float,
            nargs=2,
            metavar=("LOW", "HIGH"),
            default=(0.0, 0.9),
            help="Send items with LOW <= confidence < HIGH to humans (default 0 0.9).",
        )
        parser.add_argument("--reviewers", type=int, default=2, help="Simulated reviewers on the team.")
        parser.add_argument("--random-state", type=int, default=0)
        parser.add_argument("--out-dir", type=Path, default=None, help="Where the training set is written.")

    def handle(self, *args, **options) -> None:
        try:
            import sklearn  # noqa: F401
        except ImportError:
            raise CommandError("scikit-learn is missing; install the 'ml' dependency group.") from None
        low, high = options["band"]
        if not 0 <= low <= high <= 1:
            raise CommandError("--band needs 0 <= LOW <= HIGH <= 1 (confidences are probabilities).")
        report = run_demo(
            pool_size=options["pool"],
            seed_size=options["seed_size"],
            band=(low, high),
            reviewers=options["reviewers"],
            random_state=options["random_state"],
            out_dir=options["out_dir"] or Path(settings.VAR_DIR) / "active_learning",
        )
        self.stdout.write(json.dumps(report.summary(), indent=2))
