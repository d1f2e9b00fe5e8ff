"""Flows: flow definitions and task UIs, the human loops started on them, and delivering their results.

Definitions: `services` (create, describe, delete), `conditions` and `activation` (the
activation conditions of built-in task types). Loops: `rules` (the one rulebook of start,
claim, submit, release, stop, expiry and finish), `lifecycle` (the ORM writer and every
refusal), `hot_sql` (start, claim and submit as single PostgreSQL statements), `bulk`,
`loop_queries`. Delivery: `outputs` (output.json and the after-output hooks), `outbox`,
`events`, `webhooks`, `tasks`. The AWS operations are in `api/`. Flows sits above workforce
and below the portal, the adapters and agents (docs/architecture.md).
"""
