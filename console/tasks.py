"""Celery tasks of the console: the search index's catch-up sweep."""

from __future__ import annotations

from celery import shared_task

from console import search_index


@shared_task(acks_late=True, time_limit=120)
def index_loop_search() -> int:
    """Copy newly started loops into the console's search table (console.search_index)."""
    return search_index.catch_up(max_seconds=60)
