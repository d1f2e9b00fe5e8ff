from django.apps import AppConfig


class InferenceAdaptersConfig(AppConfig):
    name = "inference_adapters"

    def ready(self) -> None:
        from flows import outputs, quality_config
        from inference_adapters import (
            api,  # noqa: F401  (registers the adapters' HTTP operations with hitl.aws)
            quality,
            quality_api,  # noqa: F401  (registers the quality-control extension operations)
        )

        # consolidated.json beside every output.json, before the loop takes its final status.
        outputs.register_after_output_hook(quality.write_consolidated)
        # Gold scoring and adaptive overlap (flows) read answers the way consolidation does.
        quality_config.register_consolidation(
            questions=quality.categorical_questions, confidence=quality.answers_confidence
        )
