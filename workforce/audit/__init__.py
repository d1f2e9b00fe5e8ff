"""The audit trail: who did what to which resource, when, with which result and request id.

`trail` records every AWS API call, task claim, submit and release, admin action, refused
object grant and delivery failure (the `AuditEvent` rows of `workforce.models`), and
streams them as JSON lines (the admin's export and `manage.py export_audit`). It sits
with workforce because every other app writes to it; it imports no other domain app.
"""
