"""Quality numbers computed from reviewers' answers, apart from the model adapters.

Consolidation of one item's answers (`consolidation`), reviewer reliability by Dawid–Skene
(`reliability`), consolidated.json per loop and the per-flow re-estimation and reports
(`flow_quality`), the quality-control HTTP operations (`api`), and the closed
active-learning demo (`active_learning`). The loop-side rules (gold items, adaptive
overlap, quality settings) are `flows.quality`; this package registers into them.
"""
