from django.contrib import admin

from inference_adapters.models import RoutingDecision
from workforce.admin import AccountScopedAdmin


@admin.register(RoutingDecision)
class RoutingDecisionAdmin(AccountScopedAdmin):
    """Recorded router decisions: read-only, they are the audit trail of why a loop exists (or not)."""

    account_path = "flow_definition__account"
    list_display = ("item_id", "model_version", "route", "reasons", "flow_definition", "human_loop", "created_at")
    list_filter = ("route", "model_version")
    search_fields = ("item_id", "flow_definition__name", "human_loop__name")
    list_select_related = ("flow_definition", "human_loop")
    raw_id_fields = ("flow_definition", "human_loop")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
