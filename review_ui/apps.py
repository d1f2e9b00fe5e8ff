from django.apps import AppConfig


class ReviewUiConfig(AppConfig):
    name = "review_ui"
