"""Prometheus gauges read from flows' rows at scrape time: open tasks per team, webhook deliveries.

Registered with the kernel's registry (hitl.kernel.metrics.register_scrape_collector) in FlowsConfig.ready.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Count, Sum
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from flows.models import ReviewTask, WebhookDelivery


class DatabaseCollector(Collector):
    """State read from the database at scrape time: open tasks per team, webhook failures."""

    def describe(self) -> Iterator[Metric]:
        # Registration asks for names; answering here keeps it from querying the database at import.
        yield GaugeMetricFamily("hitl_review_tasks", "", labels=["workteam", "state"])
        yield GaugeMetricFamily("hitl_webhook_deliveries", "", labels=["state"])
        yield CounterMetricFamily("hitl_webhook_failures", "")

    def collect(self) -> Iterator[Metric]:
        tasks = GaugeMetricFamily(
            "hitl_review_tasks", "Review tasks not yet answered, by work team and state.", labels=["workteam", "state"]
        )
        rows = (
            ReviewTask.objects.filter(state__in=[ReviewTask.State.OPEN, ReviewTask.State.LEASED])
            .values("workteam__name", "state")
            .annotate(n=Count("id"))
            .order_by()
        )
        for row in rows:
            tasks.add_metric([row["workteam__name"], row["state"]], row["n"])
        yield tasks

        # Every attempt that did not deliver counts as one failure: pending and
        # failed rows failed all their attempts, delivered rows all but the last.
        totals = WebhookDelivery.objects.values("state").annotate(attempts=Sum("attempts"), n=Count("id")).order_by()
        failures = 0
        deliveries = GaugeMetricFamily("hitl_webhook_deliveries", "Webhook deliveries by state.", labels=["state"])
        for row in totals:
            attempts = row["attempts"] or 0
            failures += attempts - row["n"] if row["state"] == WebhookDelivery.State.DELIVERED else attempts
            deliveries.add_metric([row["state"]], row["n"])
        yield deliveries
        yield CounterMetricFamily("hitl_webhook_failures", "Failed webhook delivery attempts.", value=failures)
