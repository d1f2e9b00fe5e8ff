"""Run the time sweeps once: reopen timed-out leases, fail loops past their lifetime.

Celery beat runs the same sweeps every few seconds; this command is for the
embedded default (no beat) and for operators, e.g. from cron.
"""

from django.core.management.base import BaseCommand

from flows.loops import lifecycle


class Command(BaseCommand):
    help = "Reopen review tasks whose lease ran out and fail human loops past their availability lifetime."

    def handle(self, *args, **options) -> None:
        reopened = lifecycle.expire_leases()
        failed = lifecycle.expire_loops()
        self.stdout.write(f"Reopened {reopened} timed-out tasks; failed {failed} expired human loops.")
