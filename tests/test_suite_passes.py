"""The PostgreSQL pass keeps the tests that use the database, and the slow stories (tests/conftest.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FILES = [
    "tests/aws/test_sigv4.py",  # pure functions: no database
    "tests/lifecycle/test_writer_parity.py",  # django_db markers, and one pure rounding test
    "tests/inference_adapters/test_quality_crowd.py",  # a slow story
    "tests/console/test_home.py",  # the `client` of logged-in personas: db through fixtures
]


def collected(**env: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-m", "not integration and not browser", *FILES],
        cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return {line for line in done.stdout.splitlines() if "::" in line}


def test_the_postgresql_pass_drops_only_the_tests_that_cannot_reach_the_database():
    everything = collected(HITL_TESTS_DATABASE_ONLY="0")
    database_only = collected(HITL_TESTS_DATABASE_ONLY="1")

    dropped = everything - database_only
    assert dropped and database_only < everything
    # Pure functions go: the SigV4 test vector, the rounding rule; what reads or writes rows stays.
    assert (
        "tests/aws/test_sigv4.py::test_the_spec_test_vector_canonical_request_string_to_sign_and_signature" in dropped
    )
    assert "tests/aws/test_sigv4.py::test_last_use_is_written_at_most_once_a_minute" in database_only
    assert {test for test in dropped if "writer_parity" in test} == {
        "tests/lifecycle/test_writer_parity.py::test_time_spent_rounds_halves_away_from_zero_as_postgresql_does"
    }
    assert {test.split("::")[0] for test in dropped} == {
        "tests/aws/test_sigv4.py",
        "tests/lifecycle/test_writer_parity.py",
    }
    assert any("test_quality_crowd" in test for test in database_only)  # the slow story runs here, not on SQLite
    assert any("tests/console/test_home.py" in test for test in database_only)
