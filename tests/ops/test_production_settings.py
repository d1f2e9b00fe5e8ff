"""No insecure default in production (issue 11, findings 2 and 8).

Settings are read once per process, so each story starts Python with a chosen environment.
"""

from __future__ import annotations

import json
import os
import secrets as random_secrets
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from tests import factories
from workforce import access_keys
from workforce.models import AccessKey

ROOT = Path(__file__).resolve().parents[2]
PUBLISHED_DEV_KEY = "insecure-dev-key-change-me-in-production-0123456789"

# A 404 and a 500 as a browser gets them from the settings under test.
TECHNICAL_PAGES_PROBE = """
import json, django
django.setup()
import hitl.kernel.health
def broken(request):
    raise RuntimeError("boom: a bug in a view")
hitl.kernel.health.healthz = broken  # before the URLconf is imported, so /healthz raises
from django.conf import settings
from django.test import Client
client = Client(raise_request_exception=False)
not_found = client.get("/portal/no-such-page", HTTP_ACCEPT="text/html")
server_error = client.get("/healthz", HTTP_ACCEPT="text/html")
print(json.dumps({"debug": settings.DEBUG,
                  "not_found": [not_found.status_code, not_found.content.decode()],
                  "server_error": [server_error.status_code, server_error.content.decode()]}))
"""


def clean_env(var_dir: Path, **variables: str) -> dict[str, str]:
    """The process environment without any Django or hitl setting, plus `variables`."""
    env = {name: value for name, value in os.environ.items() if not name.startswith(("DJANGO_", "HITL_"))}
    env.pop("DATABASE_URL", None)
    env.update(HITL_VAR_DIR=str(var_dir), DJANGO_SETTINGS_MODULE="hitl.settings", **variables)
    return env


def run_python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, timeout=60)


def production_env(var_dir: Path) -> dict[str, str]:
    """What docs/security.md tells an operator behind a TLS proxy to set."""
    return clean_env(
        var_dir,
        DJANGO_SECRET_KEY=random_secrets.token_urlsafe(50),
        HITL_SECRET_ENCRYPTION_KEY=random_secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="reviews.example.com",
        DJANGO_CSRF_TRUSTED_ORIGINS="https://reviews.example.com",
        HITL_PUBLIC_URL="https://reviews.example.com",
        HITL_TRUST_PROXY_HEADERS="true",
        HITL_SECURE_SSL_REDIRECT="true",
        HITL_HSTS_SECONDS="31536000",
        HITL_HSTS_PRELOAD="true",
    )


def test_with_nothing_set_debug_is_off_and_a_404_or_500_shows_no_technical_page(tmp_path):
    result = run_python(TECHNICAL_PAGES_PROBE, clean_env(tmp_path))

    assert result.returncode == 0, result.stderr
    pages = json.loads(result.stdout.strip().splitlines()[-1])
    assert pages["debug"] is False
    status, body = pages["not_found"]
    assert status == 404
    assert "URLconf" not in body and "urlpatterns" not in body and "portal/" not in body
    status, body = pages["server_error"]
    assert status == 500
    assert "Traceback" not in body and "boom" not in body and "SECRET_KEY" not in body


def test_debug_off_refuses_to_start_with_the_published_development_key(tmp_path):
    for published in (PUBLISHED_DEV_KEY, "change-me-to-a-long-random-string"):
        env = clean_env(tmp_path, DJANGO_DEBUG="false", DJANGO_SECRET_KEY=published, HITL_SECRET_ENCRYPTION_KEY="x")

        result = run_python("import django; django.setup()", env)

        assert result.returncode != 0
        assert "ImproperlyConfigured" in result.stderr and "DJANGO_SECRET_KEY" in result.stderr


def test_a_chosen_signing_key_needs_its_own_encryption_key(tmp_path):
    env = clean_env(tmp_path, DJANGO_SECRET_KEY=random_secrets.token_urlsafe(50))

    result = run_python("import django; django.setup()", env)

    assert result.returncode != 0
    assert "HITL_SECRET_ENCRYPTION_KEY is not set" in result.stderr


def test_with_no_keys_set_each_install_keeps_its_own_signing_and_encryption_keys(tmp_path):
    code = "from django.conf import settings; print(settings.SECRET_KEY); print(settings.HITL_SECRET_ENCRYPTION_KEY)"

    first = run_python(code, clean_env(tmp_path)).stdout.split()
    again = run_python(code, clean_env(tmp_path)).stdout.split()
    elsewhere = run_python(code, clean_env(tmp_path / "other-install")).stdout.split()

    assert first == again  # kept across restarts and shared by every process of the install
    signing_key, encryption_key = first
    assert signing_key != encryption_key and len(signing_key) >= 50
    assert signing_key != PUBLISHED_DEV_KEY
    assert elsewhere[0] != signing_key
    for name in ("secret_key", "encryption_key"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600


def test_check_deploy_passes_with_the_production_settings_and_fails_without_tls(tmp_path):
    command = [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"]
    env = production_env(tmp_path)

    passed = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)

    assert passed.returncode == 0, passed.stderr
    assert "no issues" in passed.stdout
    without_tls = {
        name: value for name, value in env.items() if name not in ("HITL_SECURE_SSL_REDIRECT", "HITL_HSTS_SECONDS")
    }
    failed = subprocess.run(command, env=without_tls, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert failed.returncode != 0
    assert "security.W004" in failed.stderr and "security.W008" in failed.stderr


def test_tls_settings_redirect_to_https_send_hsts_and_spare_the_probes(tmp_path):
    code = """
import json, django
django.setup()
from django.test import Client
client = Client()
plain = client.get("/portal/", HTTP_HOST="reviews.example.com")
probe = client.get("/healthz", HTTP_HOST="reviews.example.com")
proxied = client.get("/healthz", HTTP_HOST="reviews.example.com", HTTP_X_FORWARDED_PROTO="https")
from django.conf import settings
print(json.dumps([plain.status_code, plain.get("Location"), probe.status_code, proxied.status_code,
                  proxied.get("Strict-Transport-Security"), settings.SESSION_COOKIE_SECURE,
                  settings.CSRF_COOKIE_SECURE]))
"""
    result = run_python(code, production_env(tmp_path))

    assert result.returncode == 0, result.stderr
    plain, location, probe, proxied, hsts, *cookies_secure = json.loads(result.stdout.strip().splitlines()[-1])
    assert (plain, location) == (301, "https://reviews.example.com/portal/")
    assert probe == 200
    assert proxied == 200
    assert hsts == "max-age=31536000; includeSubDomains; preload"
    assert cookies_secure == [True, True]


@pytest.mark.django_db
def test_reencrypt_secrets_moves_every_secret_to_the_newest_key(settings):
    settings.HITL_SECRET_ENCRYPTION_KEY = "old-key"
    created = access_keys.create_access_key(factories.account())
    old_token = AccessKey.objects.get().encrypted_secret

    settings.HITL_SECRET_ENCRYPTION_KEY = "new-key, old-key"
    call_command("reencrypt_secrets", stdout=open(os.devnull, "w"))  # noqa: SIM115

    settings.HITL_SECRET_ENCRYPTION_KEY = "new-key"  # the old key is gone
    access_keys._decrypted.cache_clear()
    key = AccessKey.objects.get()
    assert key.encrypted_secret != old_token
    assert access_keys.secret_of(key) == created.secret_access_key
