"""The reviewer portal and the people-facing pages: work list, task page, the sandboxed task frame, the reviewer JSON API, template previews and the ops pages for team leads and staff.

A top layer (docs/architecture.md): it calls flows.loops.lifecycle and workforce services and
renders the customer's Liquid templates (`rendering`); it registers its template check
with flows. Errors reach people through `api.exception_handler` and `errors`.
"""
