"""The active-learning story on a small slice: routing share matches the band, retraining does not hurt."""

import csv
import io
import json
import struct
import zlib

import pytest
from django.core.management import call_command

pytest.importorskip("sklearn")

from flows.delivery.storage import get_store  # noqa: E402
from flows.models import HumanLoop  # noqa: E402
from inference_adapters.models import RoutingDecision  # noqa: E402
from inference_adapters.quality.active_learning import digit_png, run_demo  # noqa: E402


@pytest.mark.django_db(transaction=True)
def test_uncertain_items_go_to_humans_and_the_retrained_model_is_not_worse(tmp_path):
    band = (0.0, 0.8)

    report = run_demo(pool_size=80, seed_size=30, band=band, out_dir=tmp_path)

    # The share routed equals the share of pool confidences inside the band, counted here from the predictions.
    in_band = sum(band[0] <= c < band[1] for c in report.confidences)
    assert len(report.confidences) == 80
    assert 0 < in_band < 80
    assert report.routed_to_humans == in_band
    assert report.share_to_humans == pytest.approx(in_band / 80)
    assert report.reviewed_items == in_band
    assert HumanLoop.objects.filter(status="Completed").count() == in_band
    assert RoutingDecision.objects.filter(route="auto").count() == 80 - in_band
    assert report.accuracy_after >= report.accuracy_before

    rows = [json.loads(line) for line in open(report.jsonl_path)]
    with open(report.csv_path, newline="") as handle:
        table = list(csv.DictReader(handle))
    assert len(rows) == len(table) == in_band
    assert [r["item_id"] for r in rows] == [t["item_id"] for t in table]
    assert all(len(r["pixels"]) == 64 and 0 <= r["label"] <= 9 for r in rows)
    assert any(r["label"] != r["model_label"] for r in rows)  # humans corrected the model somewhere

    # Each loop's image is a real PNG in the output store, referenced as s3:// for grant_read_access.
    loop = HumanLoop.objects.first()
    bucket, key = loop.input_json["taskObject"].removeprefix("s3://").split("/", 1)
    assert get_store().get(bucket, key).startswith(b"\x89PNG\r\n\x1a\n")


def test_digit_png_is_a_valid_grayscale_png():
    png = digit_png([16] * 32 + [0] * 32, scale=2)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height, depth, color = struct.unpack(">IIBB", png[16:26])
    assert (width, height, depth, color) == (16, 16, 8, 0)
    idat_length = struct.unpack(">I", png[33:37])[0]
    raw = zlib.decompress(png[41 : 41 + idat_length])
    assert len(raw) == 16 * 17
    assert raw[1] == 0 and raw[-1] == 255  # ink black on top, white paper below


@pytest.mark.django_db(transaction=True)
def test_the_command_prints_the_numbers(tmp_path):
    out = io.StringIO()
    call_command(
        "active_learning_demo",
        "--pool",
        "40",
        "--seed-size",
        "30",
        "--band",
        "0",
        "0.7",
        "--out-dir",
        str(tmp_path),
        stdout=out,
    )
    numbers = json.loads(out.getvalue())
    assert numbers["pool_size"] == 40
    assert numbers["band"] == [0.0, 0.7]
    assert 0 <= numbers["share_to_humans"] <= 1
    assert numbers["routed_to_humans"] == numbers["reviewed_items"]
