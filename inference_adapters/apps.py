from django.apps import AppConfig


class InferenceAdaptersConfig(AppConfig):
    name = "inference_adapters"
    verbose_name = "Model routing"  # the admin index section

    def ready(self) -> None:
        from flows.delivery import outputs
        from flows.quality import quality_config
        from inference_adapters import api  # noqa: F401  (registers the adapters' HTTP operations with hitl.aws)
        from inference_adapters.quality import api as quality_api  # noqa: F401  (registers the quality-control operations)
        from inference_adapters.quality import flow_quality as quality

        # consolidated.json beside every output.json, before the loop takes its final status.
        outputs.register_after_output_hook(quality.write_consolidated)
        # Gold scoring and adaptive overlap (flows) read answers the way consolidation does.
        quality_config.register_consolidation(
            questions=quality.categorical_questions, confidence=quality.answers_confidence
        )
