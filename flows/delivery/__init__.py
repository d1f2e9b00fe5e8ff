"""Delivery: what leaves the server once a loop's status changes.

output.json written to the output store (`outputs`, `storage`), status-change events
(`events`) and their webhooks (`webhooks`), the outbox that retries every delivery with
one attempt row per try (`outbox`), and which stored objects a task page may show
(`read_access`). Everything here is safe to run twice: keys are deterministic and
deliveries are claimed with a conditional update.
"""
