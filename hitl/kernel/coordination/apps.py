from django.apps import AppConfig


class CoordinationConfig(AppConfig):
    name = "hitl.kernel.coordination"
    label = "coordination"
    verbose_name = "Coordination"
    default_auto_field = "django.db.models.BigAutoField"
