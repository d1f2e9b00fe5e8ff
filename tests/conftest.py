"""Shared fixtures: personas (an owner account with a key, a reviewer on its team, an outsider)."""

from __future__ import annotations

import pytest

from hitl import clock


@pytest.fixture(autouse=True)
def _reset_clock():
    """Tests may move hitl.clock; put it back afterwards."""
    yield
    clock.reset()


@pytest.fixture(autouse=True)
def _isolated_store(settings, tmp_path):
    """Each test writes outputs to its own local store directory."""
    from flows.storage import get_store

    settings.HITL_LOCAL_STORE_DIR = tmp_path / "store"
    get_store.cache_clear()
    yield
    get_store.cache_clear()
