from django.apps import AppConfig


class ReviewUiConfig(AppConfig):
    name = "review_ui"

    def ready(self) -> None:
        from flows.definitions import templates
        from review_ui import rendering

        # CreateHumanTaskUi refuses a template this portal could not render.
        templates.register_validator(rendering.validate_template)
