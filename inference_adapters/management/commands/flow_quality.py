"""Print a flow definition's quality numbers (disagreement with the model, reviewer agreement) as JSON."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from flows.models import FlowDefinition
from inference_adapters.quality import flow_quality


class Command(BaseCommand):
    help = "Print human-vs-model disagreement and Krippendorff's alpha for a flow definition, as JSON."

    def add_arguments(self, parser) -> None:
        parser.add_argument("flow_definition_name")
        parser.add_argument(
            "--account", help="Account name or 12-digit id (needed when several accounts use the name)."
        )

    def handle(self, *args, **options) -> None:
        flows = FlowDefinition.objects.filter(
            name=options["flow_definition_name"], deleted_at__isnull=True
        ).select_related("account")
        if options["account"]:
            flows = flows.filter(Q(account__name=options["account"]) | Q(account__aws_account_id=options["account"]))
        found = list(flows[:2])
        if not found:
            raise CommandError(f"No flow definition named {options['flow_definition_name']}.")
        if len(found) > 1:
            raise CommandError("Several accounts have a flow definition with this name; pass --account.")
        self.stdout.write(json.dumps(flow_quality(found[0]), indent=2, sort_keys=True))
