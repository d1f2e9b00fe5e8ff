from django.apps import AppConfig


class WorkforceConfig(AppConfig):
    name = "workforce"

    def ready(self) -> None:
        from workforce.api import sagemaker  # noqa: F401  (registers the work team and workforce operations)
