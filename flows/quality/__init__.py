"""Quality control inside the loop: what decides who may claim and when a loop has enough answers.

A flow's quality settings read from its `hitl:` tags (`quality_config`), gold items mixed
into reviewers' queues with qualification and pausing (`gold`), and adaptive overlap
(`overlap_rules`). Consolidating answers and estimating reviewers' reliability is model
work and lives in `inference_adapters/quality/`, which registers into `quality_config`.
"""
