from django.apps import AppConfig


class InferenceAdaptersConfig(AppConfig):
    name = "inference_adapters"
