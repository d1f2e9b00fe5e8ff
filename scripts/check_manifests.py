"""Validate rendered Kubernetes manifests offline (called by scripts/check_manifests.sh for each overlay).

    .venv/bin/python scripts/check_manifests.py OVERLAY_NAME RENDERED.yaml

Three layers, all without a cluster or a network:
1. every built-in object against the Kubernetes OpenAPI schemas shipped in kubernetes-validate
   (strict: an unknown field is an error, as `kubectl apply`'s server-side field validation says);
2. every KEDA object against deploy/kubernetes/schemas/keda.sh-crds.yaml, unknown fields refused
   too, plus the parameters each scaler needs;
3. what a schema cannot see: references between objects (ConfigMaps, Secrets and their keys,
   scale targets, selectors), memory requests and limits on every container, the web probes,
   exactly one beat, PgBouncer in transaction mode, and every setting of the README's
   configuration table wired into the hitl-config ConfigMap or the hitl-secrets Secret.
Prints one line per problem and exits 1 if there is any.
"""

from __future__ import annotations

import functools
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import yaml

ROOT = Path(__file__).resolve().parent.parent
CRDS = ROOT / "deploy" / "kubernetes" / "schemas" / "keda.sh-crds.yaml"
README = ROOT / "README.md"
KUBERNETES_VERSION = "1.30.0"  # the oldest minor still supported by the main managed offerings
# README settings that an overlay may leave unset on purpose, and why.
MAY_BE_UNSET = {
    "AWS_ENDPOINT_URL_S3": "unset means AWS S3 itself; the single-node overlay points it at MinIO",
}
# Scaler parameters KEDA needs, from the trigger's metadata or its TriggerAuthentication.
SCALER_NEEDS = {
    "redis": [("listName",), ("address", "host", "addressFromEnv", "hostFromEnv")],
    "postgresql": [("query",), ("targetQueryValue",), ("connection", "connectionFromEnv", "host")],
}
WORKLOADS = {"Deployment", "StatefulSet", "DaemonSet", "Job"}


def load(text: str) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(text) if doc]


def check(docs: list[dict[str, Any]], readme: str | None = None) -> list[str]:
    """Return every problem found in one overlay's rendered objects."""
    problems: list[str] = []
    crds = _keda_schemas()
    for doc in docs:
        problems += [f"{_name(doc)}: {p}" for p in _schema_problems(doc, crds)]
    problems += _reference_problems(docs)
    problems += _resource_problems(docs)
    problems += _topology_problems(docs)
    problems += _settings_problems(docs, readme if readme is not None else README.read_text())
    return problems


# --- 1 and 2: schemas -------------------------------------------------------------------


@functools.cache
def _keda_schemas() -> dict[tuple[str, str], dict[str, Any]]:
    schemas = {}
    for crd in load(CRDS.read_text()):
        for version in crd["spec"]["versions"]:
            key = (f"{crd['spec']['group']}/{version['name']}", crd["spec"]["names"]["kind"])
            schemas[key] = _strict(version["schema"]["openAPIV3Schema"])
    return schemas


def _strict(schema: dict[str, Any]) -> dict[str, Any]:
    """The CRD's OpenAPI schema as JSON Schema, refusing fields it does not list (unless it says to keep them)."""
    schema = {k: v for k, v in schema.items() if not k.startswith("x-kubernetes-") and k != "format"}
    if "properties" in schema:
        schema["properties"] = {name: _strict(sub) for name, sub in schema["properties"].items()}
        schema.setdefault("additionalProperties", False)
    if isinstance(schema.get("additionalProperties"), dict):
        schema["additionalProperties"] = _strict(schema["additionalProperties"])
    if "items" in schema:
        schema["items"] = _strict(schema["items"])
    return schema


def _schema_problems(doc: dict[str, Any], crds: dict[tuple[str, str], dict[str, Any]]) -> list[str]:
    key = (doc.get("apiVersion", ""), doc.get("kind", ""))
    if key[0].startswith("keda.sh/"):
        if key not in crds:
            return [f"no schema for {key[0]} {key[1]} in {CRDS.relative_to(ROOT)}"]
        validator = jsonschema.Draft7Validator(crds[key])
        return [f"{'.'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}" for e in validator.iter_errors(doc)]
    return list(_builtin_problems(json.dumps(doc, sort_keys=True)))


@functools.lru_cache(maxsize=1024)
def _builtin_problems(doc_json: str) -> tuple[str, ...]:
    """kubernetes-validate's verdict on one object (cached: it reads the schema files on every call)."""
    doc = json.loads(doc_json)
    try:
        kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)
    except kubernetes_validate.ValidationError as exc:
        return (f"{'.'.join(map(str, exc.path)) or '(root)'}: {exc.message}",)
    except kubernetes_validate.SchemaNotFoundError:
        return (f"unknown kind {doc.get('kind')} of {doc.get('apiVersion')} for Kubernetes {KUBERNETES_VERSION}",)
    return ()


# --- 3: what schemas cannot see ------------------------------------------------------------


def _name(doc: dict[str, Any]) -> str:
    return f"{doc.get('kind')}/{doc.get('metadata', {}).get('name')}"


def _find(docs: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any] | None:
    return next((d for d in docs if d.get("kind") == kind and d["metadata"].get("name") == name), None)


def _keys(doc: dict[str, Any]) -> set[str]:
    return set(doc.get("data") or {}) | set(doc.get("stringData") or {})


def _pod_specs(docs: list[dict[str, Any]]) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    for doc in docs:
        if doc.get("kind") in WORKLOADS:
            yield doc, doc["spec"]["template"]


def _containers(pod: dict[str, Any]) -> list[dict[str, Any]]:
    spec = pod["spec"]
    return list(spec.get("initContainers") or []) + list(spec.get("containers") or [])


def _reference_problems(docs: list[dict[str, Any]]) -> list[str]:
    problems = []

    def needs(owner: str, kind: str, name: str, key: str | None = None) -> None:
        target = _find(docs, kind, name)
        if target is None:
            problems.append(f"{owner}: refers to {kind} {name}, which the overlay does not define")
        elif key is not None and key not in _keys(target):
            problems.append(f"{owner}: refers to key {key} of {kind} {name}, which it does not have")

    for owner_doc, pod in _pod_specs(docs):
        owner = _name(owner_doc)
        for container in _containers(pod):
            for source in container.get("envFrom") or []:
                if "configMapRef" in source:
                    needs(owner, "ConfigMap", source["configMapRef"]["name"])
                if "secretRef" in source:
                    needs(owner, "Secret", source["secretRef"]["name"])
            for env in container.get("env") or []:
                ref = env.get("valueFrom") or {}
                if "secretKeyRef" in ref:
                    needs(owner, "Secret", ref["secretKeyRef"]["name"], ref["secretKeyRef"]["key"])
                if "configMapKeyRef" in ref:
                    needs(owner, "ConfigMap", ref["configMapKeyRef"]["name"], ref["configMapKeyRef"]["key"])
        for volume in pod["spec"].get("volumes") or []:
            if "configMap" in volume:
                needs(owner, "ConfigMap", volume["configMap"]["name"])
            if "secret" in volume:
                needs(owner, "Secret", volume["secret"]["secretName"])
    for doc in docs:
        owner, spec = _name(doc), doc.get("spec") or {}
        if doc.get("kind") == "TriggerAuthentication":
            for ref in spec.get("secretTargetRef") or []:
                needs(owner, "Secret", ref["name"], ref["key"])
        if doc.get("kind") in ("HorizontalPodAutoscaler", "ScaledObject"):
            target = spec["scaleTargetRef"]
            needs(owner, target.get("kind", "Deployment"), target["name"])
        if doc.get("kind") == "ScaledObject":
            for trigger in spec.get("triggers") or []:
                auth = trigger.get("authenticationRef")
                auth_doc = _find(docs, auth.get("kind", "TriggerAuthentication"), auth["name"]) if auth else None
                if auth and auth_doc is None:
                    problems.append(f"{owner}: refers to TriggerAuthentication {auth['name']}, not defined")
                given = set(trigger.get("metadata") or {})
                given |= {r["parameter"] for r in ((auth_doc or {}).get("spec") or {}).get("secretTargetRef") or []}
                for alternatives in SCALER_NEEDS.get(trigger["type"], []):
                    if not given & set(alternatives):
                        problems.append(f"{owner}: {trigger['type']} trigger needs {' or '.join(alternatives)}")
        if doc.get("kind") in ("Service", "PodDisruptionBudget"):
            selector = spec.get("selector") or {}
            labels = selector.get("matchLabels", selector) if doc["kind"] == "PodDisruptionBudget" else selector
            if labels and not any(
                labels.items() <= (pod["metadata"].get("labels") or {}).items() for _, pod in _pod_specs(docs)
            ):
                problems.append(f"{owner}: its selector {labels} matches no pod template")
    return problems


def _resource_problems(docs: list[dict[str, Any]]) -> list[str]:
    problems = []
    for owner_doc, pod in _pod_specs(docs):
        for container in _containers(pod):
            resources = container.get("resources") or {}
            for part in ("requests", "limits"):
                if "memory" not in (resources.get(part) or {}):
                    problems.append(f"{_name(owner_doc)}: container {container['name']} has no memory {part}")
    return problems


def _topology_problems(docs: list[dict[str, Any]]) -> list[str]:
    problems = []
    beat = _find(docs, "Deployment", "hitl-beat")
    if beat is None:
        problems.append("no Deployment hitl-beat: the sweeps would never run")
    else:
        if beat["spec"].get("replicas", 1) != 1:
            problems.append("Deployment/hitl-beat: exactly one beat must run (replicas 1)")
        if (beat["spec"].get("strategy") or {}).get("type") != "Recreate":
            problems.append("Deployment/hitl-beat: strategy Recreate, so a rollout never runs two beats")
    for doc in docs:
        if doc.get("kind") in ("HorizontalPodAutoscaler", "ScaledObject") and doc["spec"]["scaleTargetRef"]["name"] == (
            "hitl-beat"
        ):
            problems.append(f"{_name(doc)}: beat must not be autoscaled")
    web = _find(docs, "Deployment", "hitl-web")
    if web is None:
        problems.append("no Deployment hitl-web")
    else:
        container = next(c for c in web["spec"]["template"]["spec"]["containers"] if c["name"] == "web")
        for probe, path in (("readinessProbe", "/readyz"), ("livenessProbe", "/healthz")):
            if ((container.get(probe) or {}).get("httpGet") or {}).get("path") != path:
                problems.append(f"Deployment/hitl-web: {probe} must GET {path}")
    if _find(docs, "Job", "hitl-migrate") is None:
        problems.append("no Job hitl-migrate: nothing applies the migrations")
    ini = (_find(docs, "ConfigMap", "hitl-pgbouncer") or {}).get("data", {}).get("pgbouncer.ini", "")
    if not re.search(r"^\s*pool_mode\s*=\s*transaction\s*$", ini, re.M):
        problems.append("ConfigMap/hitl-pgbouncer: pgbouncer.ini must set pool_mode = transaction")
    return problems


def readme_settings(readme: str) -> list[str]:
    """The variables of the README's configuration table (first column, in backticks)."""
    section = readme.split("\n## Configuration", 1)[1].split("\n## ", 1)[0]
    names: list[str] = []
    for line in section.splitlines():
        if line.startswith("| `"):
            names += re.findall(r"`([A-Z][A-Z0-9_]+)`", line.split("|")[1])
    return names


def _settings_problems(docs: list[dict[str, Any]], readme: str) -> list[str]:
    config = next((d for d in docs if d.get("kind") == "ConfigMap" and _base_name(d) == "hitl-config"), None)
    secret = next((d for d in docs if d.get("kind") == "Secret" and _base_name(d) == "hitl-secrets"), None)
    if config is None or secret is None:
        return ["the overlay must define the ConfigMap hitl-config and the Secret hitl-secrets"]
    wired = _keys(config) | _keys(secret)
    return [
        f"setting {name} (README configuration table) is in neither hitl-config nor hitl-secrets: add it to "
        "deploy/kubernetes/base/kustomization.yaml (or the overlays' hitl-secrets if it is a secret)"
        for name in readme_settings(readme)
        if name not in wired and name not in MAY_BE_UNSET
    ]


def _base_name(doc: dict[str, Any]) -> str:
    """The name before kustomize's hash suffix."""
    return re.sub(r"-[a-z0-9]{10}$", "", doc["metadata"]["name"])


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    overlay, path = argv
    docs = load(Path(path).read_text())
    problems = check(docs)
    for problem in problems:
        print(f"{overlay}: {problem}")
    if not problems:
        kinds = sorted({d["kind"] for d in docs})
        print(f"{overlay}: {len(docs)} objects valid ({', '.join(kinds)})")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
