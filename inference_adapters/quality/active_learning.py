"""A closed active-learning loop with a real model, offline: scikit-learn's bundled digits.

Train a classifier on a small labelled seed, score a pool, send the items
whose confidence falls in the band to humans through real loops (the
confidence router on a crowd-image-classifier flow, images as PNG objects in
the output store), let simulated reviewers answer through the lifecycle
(claim_next_task/submit_task, answering the true label), export the reviewed
items as a training set (JSONL and CSV), retrain on seed + reviewed items,
and report accuracy on a held-out test set before and after.

Needs the optional "ml" dependency group (scikit-learn).
"""

from __future__ import annotations

import csv
import itertools
import json
import struct
import uuid
import zlib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model

from flows.definitions import versions
from flows.delivery import outputs
from flows.delivery.storage import get_store
from flows.loops import lifecycle
from flows.models import FlowDefinition, HumanLoop, HumanTaskUi, TaskTemplate
from hitl.kernel import arns
from inference_adapters.custom import CallableModel, ConfidenceBand, Prediction, Router
from inference_adapters.models import RoutingDecision
from workforce.models import Account, ReadLocation, Worker, Workforce, Workteam, WorkteamMembership

DEMO_ACCOUNT = "active-learning-demo"
DEMO_BUCKET = "hitl-demo"
ANSWER_KEY = "digit"
TEST_SIZE = 500
TEMPLATE = """<script src="https://assets.crowd.aws/crowd-html-elements.js"></script>
<crowd-form>
  <crowd-image-classifier
    name="digit"
    src="{{ task.input.taskObject | grant_read_access }}"
    header="Which digit is this?"
    categories="['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']"
  >
    <full-instructions header="Digit classification">
      <p>The image shows one handwritten digit (8 x 8 pixels, enlarged). Pick the digit.</p>
      <p>The model suggested {{ task.input.initialValue }}; it was not sure.</p>
    </full-instructions>
    <short-instructions><p>Pick the digit shown in the image.</p></short-instructions>
  </crowd-image-classifier>
</crowd-form>
"""


@dataclass
class DemoReport:
    flow_definition_name: str
    seed_size: int
    pool_size: int
    test_size: int
    band: tuple[float, float]
    routed_to_humans: int
    share_to_humans: float
    reviewed_items: int
    accuracy_before: float
    accuracy_after: float
    jsonl_path: str
    csv_path: str
    # Model confidence of every pool item, in pool order (to check the routing independently).
    confidences: list[float] = field(default_factory=list, repr=False)

    def summary(self) -> dict[str, Any]:
        """Return the report without the per-item confidences."""
        data = asdict(self)
        data.pop("confidences")
        return data


def digit_png(pixels: Any, scale: int = 8) -> bytes:
    """Encode an 8x8 digit (values 0-16, ink dark on white) as a grayscale PNG, enlarged `scale` times."""
    size = 8 * scale
    rows = []
    for y in range(size):
        row = bytes(255 - int(pixels[(y // scale) * 8 + x // scale]) * 255 // 16 for x in range(size))
        rows.append(b"\x00" + row)  # filter type 0 (None) per scanline

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", size, size, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
        + chunk(b"IEND", b"")
    )


def split_digits(seed_size: int, pool_size: int, random_state: int = 0) -> dict[str, Any]:
    """Shuffle the bundled digits and split them into seed, pool and test (arrays X_*, y_*)."""
    import numpy as np
    from sklearn.datasets import load_digits

    digits = load_digits()
    order = np.random.RandomState(random_state).permutation(len(digits.target))
    if seed_size + pool_size + 100 > len(order):
        raise ValueError(f"seed + pool must leave at least 100 of the {len(order)} digits for testing")
    seed, pool = order[:seed_size], order[seed_size : seed_size + pool_size]
    test = order[seed_size + pool_size :][:TEST_SIZE]
    return {
        "X_seed": digits.data[seed],
        "y_seed": digits.target[seed],
        "X_pool": digits.data[pool],
        "y_pool": digits.target[pool],
        "pool_index": pool,
        "X_test": digits.data[test],
        "y_test": digits.target[test],
    }


def train(features: Any, labels: Any) -> Any:
    """Fit the demo classifier (multinomial logistic regression on raw pixels, deterministic)."""
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(max_iter=5000).fit(features, labels)


def _setup_flow(reviewer_count: int) -> tuple[Account, FlowDefinition, list[Any]]:
    account, _ = Account.objects.get_or_create(name=DEMO_ACCOUNT)
    # The digit images the task page shows (grant_read_access reads only allowed locations).
    ReadLocation.objects.get_or_create(account=account, bucket=DEMO_BUCKET, prefix="digits/")
    workforce, _ = Workforce.objects.get_or_create(account=account, name="default")
    team, _ = Workteam.objects.get_or_create(
        account=account, name="digit-reviewers", defaults={"workforce": workforce, "description": "Simulated reviewers"}
    )
    reviewers = []
    for n in range(reviewer_count):
        user, _ = get_user_model().objects.get_or_create(username=f"demo-reviewer-{n + 1}")
        Worker.objects.get_or_create(user=user, defaults={"identity_provider_type": "Cognito", "sub": user.username})
        WorkteamMembership.objects.get_or_create(workteam=team, user=user)
        reviewers.append(user)
    ui, _ = HumanTaskUi.objects.get_or_create(
        account=account, name="digit-classifier", defaults={"template": TaskTemplate.for_content(TEMPLATE)}
    )
    name = f"digits-{uuid.uuid4().hex[:8]}"
    flow = FlowDefinition.objects.create(
        account=account,
        name=name,
        workteam=team,
        human_task_ui=ui,
        human_task_ui_arn=arns.build("human-task-ui", account.aws_account_id, ui.name),
        template=ui.template,
        task_title="Which digit is this?",
        task_description="Classify a handwritten digit the model was unsure about",
        task_count=1,
        s3_output_path=f"s3://{DEMO_BUCKET}/reviews",
        role_arn=f"arn:aws:iam::{account.aws_account_id}:role/A2I",
    )
    if ui.current_version_id is None:
        versions.publish_first_ui_version(ui)
    versions.publish_first_flow_version(flow)
    return account, flow, reviewers


def _review_all(flow: FlowDefinition, reviewers: list[Any], truth: dict[int, int]) -> int:
    """Let simulated reviewers answer every open task of `flow` with the true label. Returns answers given."""
    answered = 0
    idle = 0
    for reviewer in itertools.cycle(reviewers):
        task = lifecycle.claim_next_task(reviewer, flow=flow)
        if task is None:
            idle += 1
            if idle >= len(reviewers):
                return answered
            continue
        idle = 0
        index = HumanLoop.objects.get(id=task.human_loop_id).input_json["index"]
        lifecycle.submit_task(reviewer, task.id, {ANSWER_KEY: {"label": str(truth[index])}})
        answered += 1
    return answered


def export_training_set(flow: FlowDefinition, features: dict[int, Any], out_dir: Path) -> tuple[Path, Path, int]:
    """Write the human-reviewed items of `flow` as JSONL and CSV (label from the consolidated answer)."""
    rows = []
    decisions = RoutingDecision.objects.filter(
        flow_definition=flow, human_loop__status=HumanLoop.Status.COMPLETED
    ).select_related("human_loop")
    for decision in decisions.order_by("id"):
        loop = decision.human_loop
        bucket, key = outputs.split_s3_path(loop.output_s3_uri)
        consolidated = json.loads(get_store().get(bucket, key.rsplit("/", 1)[0] + "/consolidated.json"))
        index = loop.input_json["index"]
        rows.append(
            {
                "item_id": decision.item_id,
                "label": int(consolidated["consolidatedAnswer"][ANSWER_KEY]["label"]),
                "model_label": int(decision.prediction["Label"]),
                "model_confidence": decision.prediction["Confidence"],
                "pixels": [int(v) for v in features[index]],
            }
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    jsonl_path, csv_path = out_dir / "reviewed.jsonl", out_dir / "reviewed.csv"
    jsonl_path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    with csv_path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["item_id", "label", "model_label", "model_confidence", *[f"p{i}" for i in range(64)]])
        for row in rows:
            writer.writerow([row["item_id"], row["label"], row["model_label"], row["model_confidence"], *row["pixels"]])
    return jsonl_path, csv_path, len(rows)


def run_demo(
    *,
    pool_size: int = 400,
    seed_size: int = 50,
    band: tuple[float, float] = (0.0, 0.9),
    reviewers: int = 2,
    out_dir: Path,
    random_state: int = 0,
) -> DemoReport:
    """Run the whole story once on a fresh flow definition and return the numbers."""
    import numpy as np

    data = split_digits(seed_size, pool_size, random_state)
    model = train(data["X_seed"], data["y_seed"])
    accuracy_before = float(model.score(data["X_test"], data["y_test"]))
    probabilities = model.predict_proba(data["X_pool"])
    classes = [str(c) for c in model.classes_]
    account, flow, users = _setup_flow(reviewers)
    store = get_store()
    prefix = f"digits/{flow.name}"
    for position, pixels in enumerate(data["X_pool"]):
        store.put(DEMO_BUCKET, f"{prefix}/{position}.png", digit_png(pixels), content_type="image/png")

    def predict(payload: dict[str, Any]) -> dict[str, Any]:
        return {"scores": dict(zip(classes, map(float, probabilities[payload["index"]]), strict=True))}

    def build_input(item_id: str, payload: dict[str, Any], prediction: Prediction) -> dict[str, Any]:
        return {
            "taskObject": f"s3://{DEMO_BUCKET}/{prefix}/{payload['index']}.png",
            "index": payload["index"],
            "initialValue": prediction.label,
        }

    router = Router(
        account=account,
        flow_definition_arn=outputs.flow_arn(flow),
        model=CallableModel(predict),
        model_version=f"logreg-seed{seed_size}-rs{random_state}",
        rules=[ConfidenceBand(*band)],
        answer_key=ANSWER_KEY,
        build_input=build_input,
        loop_name_prefix="digit",
    )
    for position in range(pool_size):
        router.route(f"digit-{int(data['pool_index'][position])}", {"index": position})
    routed = RoutingDecision.objects.filter(flow_definition=flow, route=RoutingDecision.Route.HUMAN).count()
    truth = {position: int(label) for position, label in enumerate(data["y_pool"])}
    _review_all(flow, users, truth)
    jsonl_path, csv_path, reviewed = export_training_set(flow, dict(enumerate(data["X_pool"])), out_dir / flow.name)

    # Retrain from the exported file, so the export is what the model learns from.
    exported = [json.loads(line) for line in jsonl_path.read_text().splitlines()]
    features = np.vstack([data["X_seed"], *[np.array([row["pixels"]], dtype=float) for row in exported]])
    labels = np.concatenate([data["y_seed"], np.array([row["label"] for row in exported], dtype=int)])
    accuracy_after = float(train(features, labels).score(data["X_test"], data["y_test"]))
    return DemoReport(
        flow_definition_name=flow.name,
        seed_size=seed_size,
        pool_size=pool_size,
        test_size=len(data["y_test"]),
        band=band,
        routed_to_humans=routed,
        share_to_humans=round(routed / pool_size, 6) if pool_size else 0.0,
        reviewed_items=reviewed,
        accuracy_before=round(accuracy_before, 6),
        accuracy_after=round(accuracy_after, 6),
        jsonl_path=str(jsonl_path),
        csv_path=str(csv_path),
        confidences=[float(row.max()) for row in probabilities],
    )
