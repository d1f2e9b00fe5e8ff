#!/usr/bin/env bash
# Render every overlay of deploy/kubernetes with `kubectl kustomize` and validate the result offline
# (scripts/check_manifests.py: Kubernetes schemas, KEDA's CRD schemas, references, settings).
# Needs kubectl (Debian's kubernetes-client is enough: the manifests keep to kustomize v2.0.3) and
# the project's .venv (kubernetes-validate). No cluster, no network.
set -euo pipefail
cd "$(dirname "$0")/.."

KUBECTL="${KUBECTL:-kubectl}"
command -v "$KUBECTL" >/dev/null || { echo "kubectl not found (scripts/install.sh --system installs it)" >&2; exit 1; }
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

status=0
for overlay in deploy/kubernetes/overlays/*/; do
  name="$(basename "$overlay")"
  # Newer kustomize warns that the v2-compatible fields (bases, patchesStrategicMerge...) are deprecated.
  if ! "$KUBECTL" kustomize "$overlay" >"$out/$name.yaml" 2>"$out/$name.err"; then
    echo "$name: kubectl kustomize failed:" >&2
    grep -v "is deprecated" "$out/$name.err" >&2 || true
    status=1
    continue
  fi
  .venv/bin/python scripts/check_manifests.py "$name" "$out/$name.yaml" || status=1
done
exit "$status"
