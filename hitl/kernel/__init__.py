"""The kernel: what every app leans on and which knows no domain app.

Domain errors (`errors`), "now" (`clock`), enqueueing after commit (`transactions`),
per-process caches, the metrics registry, the current request's id and JSON logs,
client JSON parsing, per-key throttling, health probes, request middleware, the embedded
beat, the public base URL, ARNs, cross-process coordination (the `coordination` app) and
the PostgreSQL backend (`db`). Nothing here imports flows, workforce, review_ui or
inference_adapters (an import-linter contract); an app that must plug in registers into an
interface offered here, such as `health.register_readiness_check`.
"""
