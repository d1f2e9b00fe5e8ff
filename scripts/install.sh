#!/usr/bin/env bash
# Idempotent installer: the Python virtualenv (always) and, with --system, the
# Debian packages the test suite runs for real (PostgreSQL, Redis, Chromium).
# Re-running is cheap: a stamp file records the hash of pyproject.toml.
set -euo pipefail
cd "$(dirname "$0")/.."

want_system=0
for arg in "$@"; do
  case "$arg" in
    --system) want_system=1 ;;
    *) echo "usage: $0 [--system]" >&2; exit 2 ;;
  esac
done

PYTHON=${PYTHON:-python3}
VENV=.venv

if [ "$want_system" = 1 ]; then
  missing=()
  [ -x /usr/lib/postgresql/15/bin/postgres ] || ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || missing+=(postgresql)
  command -v redis-server >/dev/null || missing+=(redis-server)
  # The integration tests' pass through a transaction-mode pooler (tests/integration/test_pooler.py).
  [ -x /usr/sbin/pgbouncer ] || command -v pgbouncer >/dev/null || missing+=(pgbouncer)
  # `kubectl kustomize` for make manifests-check (any kubectl already installed will do).
  command -v kubectl >/dev/null || missing+=(kubernetes-client)
  command -v chromium >/dev/null || missing+=(chromium)
  command -v chromedriver >/dev/null || missing+=(chromium-driver)
  # certutil: the single sign-on browser test puts its throw-away CA into Chromium's NSS database.
  command -v certutil >/dev/null || missing+=(libnss3-tools)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "installing system packages: ${missing[*]}"
    SUDO=""
    [ "$(id -u)" = 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
fi

if [ ! -x "$VENV/bin/python" ]; then
  "$PYTHON" -m venv "$VENV"
fi
stamp="$VENV/.hitl-deps-$(sha256sum pyproject.toml | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  "$VENV/bin/python" -m pip install -q --upgrade pip
  # Every pinned requirement of every group in pyproject.toml, nothing else.
  "$VENV/bin/python" - <<'PY' > "$VENV/requirements.txt"
import tomllib
project = tomllib.load(open("pyproject.toml", "rb"))["project"]
deps = list(project["dependencies"])
for group in project.get("optional-dependencies", {}).values():
    deps.extend(group)
print("\n".join(deps))
PY
  "$VENV/bin/python" -m pip install -q -r "$VENV/requirements.txt"
  rm -f "$VENV"/.hitl-deps-*
  touch "$stamp"
fi
