"""Database backends: Django's PostgreSQL backend with a health check that costs no round trip and pooler detection.

Part of the kernel (docs/architecture.md): it knows no domain app.
"""
