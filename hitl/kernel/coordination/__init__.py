"""Cross-process coordination kept in the database: sweep leases and per-key rate buckets.

A small Django app of the kernel (it knows no domain app). It is what the
embedded default (SQLite, no broker) uses where the full stack would use
Celery beat or Redis: `SweepLease` rows let one web process at a time run
each sweep of the in-process scheduler (hitl.kernel.embedded_beat), and
`ThrottleBucket` rows hold the token buckets of hitl.kernel.throttling when no Redis
is configured. Both are claimed with a single conditional UPDATE, so every
web process, on SQLite or PostgreSQL, sees one shared state.
"""
