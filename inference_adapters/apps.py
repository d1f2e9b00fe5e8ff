from django.apps import AppConfig


class InferenceAdaptersConfig(AppConfig):
    name = "inference_adapters"

    def ready(self) -> None:
        from flows import outputs
        from inference_adapters import (
            api,  # noqa: F401  (registers the adapters' HTTP operations with hitl.aws)
            quality,
        )

        # consolidated.json beside every output.json, before the loop takes its final status.
        outputs.register_after_output_hook(quality.write_consolidated)
