"""Fixtures every test gets: a reset clock, fast password hashing, an isolated output store."""

from __future__ import annotations

import importlib
import os

import pytest
from django.conf import settings as django_settings
from django.urls import clear_url_caches

from hitl.kernel import clock
from tests.personas import personas  # noqa: F401  (the owner / reviewers / outsider fixture)


def pytest_runtest_setup(item):
    """A slow_story test runs once per suite: on the PostgreSQL pass (make test runs the unit tests on both)."""
    if item.get_closest_marker("slow_story") is not None:
        from django.db import connection

        if connection.vendor != "postgresql":
            pytest.skip("slow_story: runs on the PostgreSQL pass only (scripts/test_postgres.sh)")


@pytest.fixture(autouse=True)
def _reset_clock():
    """Tests may move hitl.kernel.clock; put it back afterwards."""
    yield
    clock.reset()


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Hash test passwords with MD5: PBKDF2 costs a second per persona on a busy 2-core machine."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _isolated_store(settings, tmp_path):
    """Each test writes outputs to its own local store directory."""
    from flows.delivery.storage import get_store

    settings.HITL_LOCAL_STORE_DIR = tmp_path / "store"
    get_store.cache_clear()
    yield
    get_store.cache_clear()


@pytest.fixture
def moto_s3(settings, monkeypatch):
    """The s3 output backend on a real S3 server (moto's, on a free 127.0.0.1 port): yields the store.

    AWS_ENDPOINT_URL_S3 points boto3 at it, as a MinIO deployment's configuration does; the test
    makes the buckets it needs (`moto_s3.client.create_bucket`).
    """
    import socket

    from moto.server import ThreadedMotoServer

    from flows.delivery.storage import get_store

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    settings.HITL_OUTPUT_BACKEND = "s3"
    get_store.cache_clear()
    yield get_store()
    get_store.cache_clear()
    server.stop()


@pytest.fixture
def api_prefix(settings):
    """Serve the AWS APIs under /a2i (HITL_API_PREFIX) for this test, then restore the URL map."""

    def reload_urls() -> None:
        importlib.reload(importlib.import_module(django_settings.ROOT_URLCONF))
        clear_url_caches()

    settings.HITL_API_PREFIX = "/a2i"
    reload_urls()
    yield "/a2i"
    settings.HITL_API_PREFIX = ""
    reload_urls()


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
CHROMIUM_ARGS += ["--disable-component-update"]


@pytest.fixture(scope="session")
def chromium():
    """Debian's headless Chromium through Playwright: one browser for the whole session.

    Playwright's sync API allows one instance per thread, so every browser test shares this one.
    """
    # Playwright's sync API runs an event loop in this thread; Django refuses ORM calls next to one otherwise.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def _empty_process_caches():
    """Cached keys, tokens, flows and memberships never leak from one test's database into the next."""
    from hitl.kernel import process_cache

    process_cache.clear_all()
    yield
    process_cache.clear_all()


@pytest.fixture(params=["statements", "orm"])
def writer(request, settings):
    """Run the test once per writer of the hot paths: flows.loops.hot_sql's statements (PostgreSQL), then the ORM."""
    from django.db import connection

    if request.param == "statements" and connection.vendor != "postgresql":
        pytest.skip("flows.loops.hot_sql runs on PostgreSQL only; the ORM writer is the one tested here")
    settings.HITL_HOT_SQL = request.param == "statements"
    return request.param
