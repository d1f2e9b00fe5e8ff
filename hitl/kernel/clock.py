"""The one source of "now" for domain code, so tests can move time.

Tests call `clock.set_now(dt)` / `clock.advance(seconds)` / `clock.reset()`.
Production code never sets it.
"""

from __future__ import annotations

import datetime as dt

_offset = dt.timedelta(0)
_frozen: dt.datetime | None = None


def now() -> dt.datetime:
    """Return the current aware UTC datetime (possibly moved by a test)."""
    if _frozen is not None:
        return _frozen
    return dt.datetime.now(dt.UTC) + _offset


def set_now(value: dt.datetime) -> None:
    global _frozen
    _frozen = value


def advance(seconds: float) -> None:
    global _frozen, _offset
    if _frozen is not None:
        _frozen = _frozen + dt.timedelta(seconds=seconds)
    else:
        _offset += dt.timedelta(seconds=seconds)


def reset() -> None:
    global _frozen, _offset
    _frozen = None
    _offset = dt.timedelta(0)
