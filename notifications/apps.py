from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        # Binds flows.jobs.ANNOUNCE_NEW_WORK to its task, as Celery's autodiscovery does in a worker.
        from notifications import tasks  # noqa: F401
