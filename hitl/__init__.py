"""hitl: a self-hosted, A2I-compatible human-in-the-loop review platform; this package is its kernel and project configuration.

Kernel (knows no domain app: the import-linter contracts, docs/architecture.md): `errors`
(the one error hierarchy), `transactions`, `process_cache`, `clock`, `metrics` and `health`
(registries the apps fill), `request_context`, `middleware`, `throttling`, `coordination`,
`db`, and the AWS wire layer `aws`. Project configuration: `settings`, `urls`, `celery`,
`wsgi`, `asgi`, which wire the apps together.
"""

from hitl.celery import app as celery_app

__all__ = ("celery_app",)
