"""Re-enqueue overdue outbox work: output writes and webhook deliveries whose message was lost.

Celery beat runs this every 10 s; without a broker (embedded default) the
work runs in this process.
"""

from django.core.management.base import BaseCommand

from flows import tasks


class Command(BaseCommand):
    help = "Retry output.json writes and webhook deliveries that are overdue."

    def handle(self, *args, **options) -> None:
        count = tasks.redeliver_outbox()
        self.stdout.write(f"Re-enqueued {count} overdue output writes and webhook deliveries.")
