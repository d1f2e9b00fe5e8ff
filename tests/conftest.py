"""Fixtures every test gets: a reset clock, fast password hashing, an isolated output store."""

from __future__ import annotations

import importlib
import os

import pytest
from django.conf import settings as django_settings
from django.urls import clear_url_caches

from hitl.kernel import clock
from tests.personas import personas  # noqa: F401  (the owner / reviewers / outsider fixture)

# pytest-django's fixtures that open the test database; a test whose fixture closure holds none of
# them (and that carries no django_db marker) cannot reach the database from this process.
DATABASE_FIXTURES = frozenset(
    {
        "db",
        "transactional_db",
        "django_db_reset_sequences",
        "django_db_serialized_rollback",
        "django_db_setup",
        "live_server",
        "admin_user",
        "admin_client",
        "django_user_model",
        "django_username_field",
    }
)
ONLY_DATABASE_TESTS = "HITL_TESTS_DATABASE_ONLY"
DATABASE_SUFFIX = "HITL_TEST_DATABASE_SUFFIX"


def _unblocks_database(item: pytest.Item) -> bool:
    """True when the test or one of our fixtures asks for django_db_blocker (to unblock it).

    pytest-django's own autouse fixtures ask for it in every test without opening the database.
    """
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return False
    if "django_db_blocker" in info.argnames:
        return True
    return any(
        "django_db_blocker" in definition.argnames and not definition.func.__module__.startswith("pytest_django")
        for definitions in info.name2fixturedefs.values()
        for definition in definitions
    )


def uses_database(item: pytest.Item) -> bool:
    """True when `item` may touch the test database: a django_db marker or a database fixture in its closure."""
    if item.get_closest_marker("django_db") is not None:
        return True
    if not DATABASE_FIXTURES.isdisjoint(getattr(item, "fixturenames", ())):
        return True
    return _unblocks_database(item)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """With HITL_TESTS_DATABASE_ONLY=1 (the PostgreSQL pass), keep only the tests that use the database.

    The SQLite pass already ran the others; they cannot behave differently on another database. The
    slow stories (the `slow_story` marker) are the exception: the SQLite pass leaves them to this one.
    """
    if os.environ.get(ONLY_DATABASE_TESTS) != "1":
        return
    kept, dropped = [], []
    for item in items:
        keep = uses_database(item) or item.get_closest_marker("slow_story") is not None
        (kept if keep else dropped).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix: None) -> None:
    """HITL_TEST_DATABASE_SUFFIX=browser makes the test database test_hitl_browser.

    scripts/test_suite.sh runs two passes at once on one PostgreSQL server; each needs its own test database.
    """
    suffix = os.environ.get(DATABASE_SUFFIX)
    if not suffix:
        return
    for database in django_settings.DATABASES.values():
        if database["ENGINE"] != "django.db.backends.sqlite3":
            test = database.setdefault("TEST", {})
            test["NAME"] = f"{test.get('NAME') or 'test_' + database['NAME']}_{suffix}"


def pytest_runtest_setup(item):
    """A slow_story test runs once per suite: on the PostgreSQL pass (make test runs the unit tests on both)."""
    if item.get_closest_marker("slow_story") is not None:
        from django.db import connection

        if connection.vendor != "postgresql":
            pytest.skip("slow_story: runs on the PostgreSQL pass only (scripts/test_suite.sh)")


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
