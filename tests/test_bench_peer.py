"""bench.peer_data drives the console's real pages (sign-in, upload, mapping, progress, export), and the
peer table puts those numbers beside Label Studio's (bench/peer_data.py, bench/report.py)."""

from __future__ import annotations

import pytest

from bench import report
from bench.peer_data import Console, answer_loops, csv_rows
from flows.models import HumanLoop

PASSWORD = "bench peer password"


@pytest.mark.django_db(transaction=True)
def test_the_bench_imports_and_exports_through_the_console_pages(live_server, personas, settings):
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False  # plain http, as on the bench stack
    personas.owner.set_password(PASSWORD)
    personas.owner.save(update_fields=["password"])
    console = Console(live_server.url, personas.owner.username, PASSWORD)

    result = console.import_csv(personas.flow.id, csv_rows(30), 30, timeout=60)

    assert result["rows"] == 30 and result["rows_per_s"] > 0
    loops = HumanLoop.objects.filter(flow_definition=personas.flow)
    assert loops.count() == 30
    assert {loop.input_json["taskObject"] for loop in loops} == {
        f"Review item {i}: the model flagged this sentence as possibly negative." for i in range(30)
    }
    assert answer_loops(personas.flow.id, personas.reviewer.pk, 20) == 20  # 10 loops stay open: not exported
    for export_format in ("jsonl", "csv"):
        exported = console.export(personas.flow.id, export_format, 20)  # checks the line count itself
        assert exported["answers"] == 20 and exported["megabytes"] > 0


@pytest.mark.django_db(transaction=True)
def test_a_refused_sign_in_is_said_and_not_benchmarked(live_server, personas, settings):
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    with pytest.raises(RuntimeError, match="sign-in failed"):
        Console(live_server.url, personas.owner.username, "not the password")


def test_the_peer_table_sets_the_console_import_and_export_beside_label_studio():
    ours = {
        "start": [],
        "queue": [],
        "seed": [{"from": 0, "loops_per_s_in_command": 12000.0}, {"from": 10000, "loops_per_s_in_command": 11000.0}],
        "peer_data": {
            "rows": 10000,
            "answers": 5000,
            "import": [{"rows_per_s": 4000.0}, {"rows_per_s": 6000.0}],
            "export": [
                {"format": "jsonl", "answers_per_s": 9000.0},
                {"format": "csv", "answers_per_s": 30000.0},
            ],
        },
    }
    peer = {
        "params": {"concurrency": 8},
        "bulk_import": [{"tasks_per_s": 2000.0}],
        "grow_import": [{"tasks_per_s": 2750.0}],
        "peer_data": {
            "rows": 10000,
            "answers": 5000,
            "import": [{"rows_per_s": 2500.0}],
            "export": [{"format": "json", "answers_per_s": 3000.0}, {"format": "csv", "answers_per_s": 6000.0}],
        },
    }

    table = {line.split(" | ")[0].lstrip("| "): line for line in report.compare(ours, peer).splitlines()}

    assert table["bulk import 10k (`bulk_start` JSONL vs import API, JSON body): items/s"].endswith("| 6.0× |")
    assert table["bulk import 10k → 100k (`bulk_start` vs 10k-task import requests): items/s"].endswith("| 4.0× |")
    csv_import = table["CSV file import 10,000 rows (console upload → job done vs import API upload): rows/s"]
    assert csv_import == (
        "| CSV file import 10,000 rows (console upload → job done vs import API upload): rows/s "
        "| 5,000 | 2,500 | 2.0× |"
    )
    assert table["export 5,000 answers, JSONL with consolidated answer vs JSON: answers/s"].endswith("| 3.0× |")
    assert table["export 5,000 answers, CSV: answers/s"].endswith("| 5.0× |")


def test_without_the_import_and_export_runs_their_rows_say_n_a():
    table = report.compare({"start": [], "queue": [], "seed": []}, {"params": {"concurrency": 8}})
    assert "| CSV file import 0 rows (console upload → job done vs import API upload): rows/s | - | - | n/a |" in table
