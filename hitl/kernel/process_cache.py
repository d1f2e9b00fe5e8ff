"""Short-lived, per-process caches for the rows every hot request reads.

Every API call looks up its access key, every start and list its flow
definition, every reviewer call its worker token and team memberships. Those
rows change rarely, so each web process keeps what it read for
`HITL_PROCESS_CACHE_SECONDS` (5 s by default; 0 turns caching off). A
change saved through the ORM in this process (save, delete, or the services
that call `clear`) empties the affected cache at once; other processes see it
within the lifetime. That bound is documented in the README
("Consistency of cached rows").

Values are shared between requests and threads: treat them as read-only.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from django.conf import settings

V = TypeVar("V")

_ALL: list[ProcessCache] = []


class ProcessCache(Generic[V]):
    """A dict whose entries expire; a `None` result is never cached (so made-up keys cannot grow it)."""

    def __init__(self, name: str, max_entries: int = 4096) -> None:
        self.name = name
        self.max_entries = max_entries
        self._entries: dict[Hashable, tuple[float, V]] = {}
        _ALL.append(self)

    def get(self, key: Hashable, load: Callable[[], V | None]) -> V | None:
        """Return the cached value for `key`, or `load()` it (and cache it unless it is None)."""
        lifetime = settings.HITL_PROCESS_CACHE_SECONDS
        now = time.monotonic()
        cached = self._entries.get(key)
        if cached is not None and now - cached[0] < lifetime:
            return cached[1]
        value = load()
        if value is not None and lifetime > 0:
            if len(self._entries) >= self.max_entries:
                self._entries.clear()
            self._entries[key] = (now, value)
        return value

    def peek(self, key: Hashable) -> V | None:
        """Return the cached value for `key` if it is still fresh, without loading it (None otherwise)."""
        cached = self._entries.get(key)
        if cached is not None and time.monotonic() - cached[0] < settings.HITL_PROCESS_CACHE_SECONDS:
            return cached[1]
        return None

    def clear(self, *args: object, **kwargs: object) -> None:
        """Drop every entry (usable as a signal receiver)."""
        self._entries.clear()


def clear_all() -> None:
    """Drop every entry of every process cache (tests, and operators' commands that change many rows)."""
    for cache in _ALL:
        cache.clear()
