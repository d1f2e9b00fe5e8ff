from django.apps import AppConfig


class FlowsConfig(AppConfig):
    name = "flows"
    verbose_name = "Flows and loops"  # the admin index section

    def ready(self) -> None:
        from flows import (
            metrics,
            tasks,  # noqa: F401  (binds the Celery tasks of flows.jobs)
        )
        from flows.api import (
            runtime,  # noqa: F401  (registers the runtime operations)
            sagemaker,  # noqa: F401  (registers the flow and task UI operations)
            versions,  # noqa: F401  (registers hitl's Update*/List*Versions extension operations)
        )
        from flows.delivery import storage
        from hitl.kernel import health
        from hitl.kernel import metrics as kernel_metrics

        health.register_readiness_check("outputStore", lambda: storage.get_store().check())
        kernel_metrics.register_scrape_collector(metrics.DatabaseCollector())
