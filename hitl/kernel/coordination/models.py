"""Rows shared by every process: who runs which sweep until when, and the tokens left per rate key."""

from __future__ import annotations

from django.db import models


class SweepLease(models.Model):
    """The lease on one periodic sweep: its holder runs it; nobody runs it again before `due_at`."""

    name = models.CharField(max_length=100, primary_key=True)
    # Before a run: when the sweep is next due. During a run: when the holder's lease ends.
    due_at = models.DateTimeField()
    holder = models.CharField(max_length=200, blank=True, default="")
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_finished_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="")

    def __str__(self) -> str:
        return self.name


class ThrottleBucket(models.Model):
    """A token bucket: `tokens` left at `updated_at` (seconds since the epoch), refilled at the configured rate."""

    key = models.CharField(max_length=200, primary_key=True)
    tokens = models.FloatField()
    updated_at = models.FloatField()

    def __str__(self) -> str:
        return self.key
