from django.apps import AppConfig


class WorkforceConfig(AppConfig):
    name = "workforce"

    def ready(self) -> None:
        from workforce.api import sagemaker, sts  # noqa: F401  (registers the team, workforce and STS operations)
