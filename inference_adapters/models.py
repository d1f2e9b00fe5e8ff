"""Recorded routing decisions of the confidence router (inference_adapters.custom)."""

from __future__ import annotations

from django.db import models

from flows.models import FlowDefinition, HumanLoop
from hitl.kernel import clock


class RoutingDecision(models.Model):
    """Why one model prediction for one item was (or was not) sent to humans.

    Unique per (flow, item, model version): the same item scored by the same
    model never starts two loops, however often or concurrently it is routed.
    """

    class Route(models.TextChoices):
        HUMAN = "human"
        AUTO = "auto"

    flow_definition = models.ForeignKey(FlowDefinition, on_delete=models.CASCADE, related_name="routing_decisions")
    item_id = models.CharField(max_length=255)
    model_version = models.CharField(max_length=128)
    route = models.CharField(max_length=8, choices=Route.choices)
    # Reason codes of the rules that fired (empty for AUTO), e.g. ["ConfidenceBand"].
    reasons = models.JSONField(default=list)
    # Every rule with its outcome, in rule order.
    rule_results = models.JSONField(default=list)
    prediction = models.JSONField()
    human_loop = models.OneToOneField(
        HumanLoop, null=True, blank=True, on_delete=models.SET_NULL, related_name="routing_decision"
    )
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["flow_definition", "item_id", "model_version"], name="routing_decision_once_per_item_model"
            )
        ]

    def __str__(self) -> str:
        return f"{self.item_id}@{self.model_version}: {self.route}"


class FlowReliability(models.Model):
    """A flow's last Dawid–Skene fit: per categorical question, each reviewer's confusion matrix and the priors.

    Written by inference_adapters.quality.flow_quality.reestimate_flow; read by every consolidation of the flow.
    """

    flow_definition = models.OneToOneField(FlowDefinition, on_delete=models.CASCADE, related_name="reliability")
    model = models.JSONField(default=dict)
    judgments = models.PositiveIntegerField(default=0)
    estimated_at = models.DateTimeField(default=clock.now)

    def __str__(self) -> str:
        return f"Reviewer estimate of {self.flow_definition}"
