"""hitl: a self-hosted, A2I-compatible human-in-the-loop review platform."""

from hitl.celery import app as celery_app

__all__ = ("celery_app",)
