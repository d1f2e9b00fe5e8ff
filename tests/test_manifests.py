"""deploy/kubernetes: every overlay renders and validates, and the validator catches real mistakes.

`make test` runs scripts/check_manifests.sh (manifests-check); these tests render the overlays the
same way and prove each layer of scripts/check_manifests.py refuses what it must.
"""

from __future__ import annotations

import copy
import importlib.util
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OVERLAYS = sorted(p.name for p in (ROOT / "deploy" / "kubernetes" / "overlays").iterdir() if p.is_dir())

_spec = importlib.util.spec_from_file_location("check_manifests", ROOT / "scripts" / "check_manifests.py")
checker = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(checker)


def render(overlay: str) -> list[dict]:
    if shutil.which("kubectl") is None:
        pytest.fail("kubectl is missing: scripts/install.sh --system installs Debian's kubernetes-client")
    done = subprocess.run(
        ["kubectl", "kustomize", str(ROOT / "deploy" / "kubernetes" / "overlays" / overlay)],
        capture_output=True,
        text=True,
        check=True,
    )
    return checker.load(done.stdout)


@pytest.fixture(scope="module")
def rendered() -> dict[str, list[dict]]:
    return {overlay: render(overlay) for overlay in OVERLAYS}


def find(docs: list[dict], kind: str, name: str) -> dict:
    return next(d for d in docs if d["kind"] == kind and d["metadata"]["name"].startswith(name))


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_overlay_renders_to_valid_objects(rendered, overlay):
    assert checker.check(rendered[overlay]) == []


def test_both_overlays_exist_and_only_the_external_one_uses_keda(rendered):
    assert OVERLAYS == ["external", "single-node"]
    assert any(d["kind"] == "ScaledObject" for d in rendered["external"])
    assert not any(d["kind"] == "ScaledObject" for d in rendered["single-node"])
    assert any(d["kind"] == "StatefulSet" and d["metadata"]["name"] == "hitl-postgres" for d in rendered["single-node"])


def mutated(docs: list[dict], kind: str, name: str, change) -> list[str]:
    docs = copy.deepcopy(docs)
    change(find(docs, kind, name))
    return checker.check(docs)


def test_an_unknown_field_in_a_builtin_object_is_refused(rendered):
    def typo(doc):
        doc["spec"]["template"]["spec"]["containers"][0]["resource"] = {}

    assert any("resource" in p for p in mutated(rendered["external"], "Deployment", "hitl-web", typo))


def test_keda_objects_are_checked_against_the_crd_schema(rendered):
    def number_instead_of_string(doc):
        doc["spec"]["triggers"][0]["metadata"]["listLength"] = 20

    def unknown_field(doc):
        doc["spec"]["maxReplicas"] = 10  # KEDA's field is maxReplicaCount

    def missing_list(doc):
        del doc["spec"]["triggers"][0]["metadata"]["listName"]

    docs = rendered["external"]
    assert any(
        "20 is not of type 'string'" in p
        for p in mutated(docs, "ScaledObject", "hitl-worker", number_instead_of_string)
    )
    assert any("maxReplicas" in p for p in mutated(docs, "ScaledObject", "hitl-worker", unknown_field))
    assert any("needs listName" in p for p in mutated(docs, "ScaledObject", "hitl-worker", missing_list))


def test_a_dangling_reference_is_refused(rendered):
    def wrong_key(doc):
        doc["spec"]["secretTargetRef"][0]["key"] = "REDIS_ADRESS"

    def wrong_secret(doc):
        doc["spec"]["template"]["spec"]["containers"][0]["envFrom"][1]["secretRef"]["name"] = "hitl-secret"

    docs = rendered["external"]
    assert any("REDIS_ADRESS" in p for p in mutated(docs, "TriggerAuthentication", "hitl-keda", wrong_key))
    assert any("hitl-secret," in p for p in mutated(docs, "Deployment", "hitl-worker", wrong_secret))


def test_exactly_one_beat_and_memory_limits_everywhere(rendered):
    def two_beats(doc):
        doc["spec"]["replicas"] = 2

    def rolling(doc):
        doc["spec"]["strategy"] = {"type": "RollingUpdate"}

    def no_limit(doc):
        del doc["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]

    docs = rendered["single-node"]
    assert any("exactly one beat" in p for p in mutated(docs, "Deployment", "hitl-beat", two_beats))
    assert any("Recreate" in p for p in mutated(docs, "Deployment", "hitl-beat", rolling))
    assert any("no memory limits" in p for p in mutated(docs, "Deployment", "hitl-worker", no_limit))


def test_pgbouncer_must_pool_by_transaction(rendered):
    def session_mode(doc):
        doc["data"]["pgbouncer.ini"] = doc["data"]["pgbouncer.ini"].replace("= transaction", "= session")

    assert any("pool_mode" in p for p in mutated(rendered["external"], "ConfigMap", "hitl-pgbouncer", session_mode))


def test_a_readme_setting_missing_from_the_config_is_reported(rendered):
    readme = (ROOT / "README.md").read_text()
    assert "HITL_THROTTLE_RATE" in checker.readme_settings(readme)
    row = "| `HITL_NEW_KNOB` | `1` | a setting someone added to the table |\n"
    added = readme.replace("| `HITL_THROTTLE_RATE`", row + "| `HITL_THROTTLE_RATE`", 1)
    problems = checker.check(rendered["external"], readme=added)
    assert len(problems) == 1
    assert problems[0].startswith("setting HITL_NEW_KNOB (README configuration table) is in neither hitl-config")


def _pod_environment(docs: list[dict]) -> dict[str, str]:
    """The environment the web container gets from hitl-config and hitl-secrets."""
    import base64

    env: dict[str, str] = {}
    for doc in docs:
        name = checker._base_name(doc)
        if doc["kind"] == "ConfigMap" and name == "hitl-config":
            env.update(doc["data"])
        if doc["kind"] == "Secret" and name == "hitl-secrets":
            env.update({k: base64.b64decode(v).decode() for k, v in doc["data"].items()})
    return env


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_settings_each_overlay_sets_start_django_and_pass_the_deploy_checks(rendered, overlay, tmp_path):
    import os
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith(("HITL_", "DJANGO_", "DATABASE_", "CELERY_"))}
    env.update(_pod_environment(rendered[overlay]))
    # The same settings, with a database that needs no server: `check` parses every variable.
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", HITL_VAR_DIR=str(tmp_path))
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "ERROR"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
