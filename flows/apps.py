from django.apps import AppConfig


class FlowsConfig(AppConfig):
    name = "flows"

    def ready(self) -> None:
        from flows.api import (
            runtime,  # noqa: F401  (registers the runtime operations)
            sagemaker,  # noqa: F401  (registers the flow and task UI operations)
        )
