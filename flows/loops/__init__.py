"""Human loops: starting them, and the review tasks reviewers claim and submit.

The rulebook (`rules`: whether a start, claim, submit, release, stop, expiry or finish may
happen), its writers (`lifecycle`, the ORM writer on every database and the only writer of
refusals; `hot_sql`, start, claim and submit as single PostgreSQL statements; `bulk`, COPY
of the same rows), StartHumanLoop's input rules (`start_input`), and the cached and paged
reads of loops (`lookups`, `loop_queries`). A finished loop is handed to `flows.delivery`.
"""
