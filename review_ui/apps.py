from django.apps import AppConfig


class ReviewUiConfig(AppConfig):
    name = "review_ui"

    def ready(self) -> None:
        from flows.definitions import services
        from review_ui import rendering

        # CreateHumanTaskUi refuses a template this portal could not render.
        services.register_template_validator(rendering.validate_template)
