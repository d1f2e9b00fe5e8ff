"""Print a flow definition's quality numbers as JSON; re-estimate reviewer reliability, rewrite and export answers."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from flows.models import FlowDefinition
from inference_adapters.quality.flow_quality import flow_quality, reestimate_flow


class Command(BaseCommand):
    help = (
        "Print human-vs-model disagreement and Krippendorff's alpha for a flow definition, as JSON. "
        "--reestimate fits the reviewers' Dawid-Skene model to all finished loops (and prints the per-reviewer "
        "report); --rewrite also writes every finished loop's consolidated.json again; --export FILE writes the "
        "consolidated answers as JSON Lines."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("flow_definition_name")
        parser.add_argument(
            "--account", help="Account name or 12-digit id (needed when several accounts use the name)."
        )
        parser.add_argument("--reestimate", action="store_true", help="Re-estimate reviewer reliability.")
        parser.add_argument("--rewrite", action="store_true", help="With --reestimate: rewrite consolidated.json.")
        parser.add_argument("--export", metavar="FILE", help="With --reestimate: write the answers as JSONL here.")

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
        flow = found[0]
        if (options["rewrite"] or options["export"]) and not options["reestimate"]:
            raise CommandError("--rewrite and --export need --reestimate.")
        if not options["reestimate"]:
            self.stdout.write(json.dumps(flow_quality(flow), indent=2, sort_keys=True))
            return
        run = reestimate_flow(flow, consolidate_loops=bool(options["export"]), rewrite=options["rewrite"])
        if options["export"]:
            with open(options["export"], "w", encoding="utf-8") as out:
                out.writelines(run.jsonl())
        self.stdout.write(json.dumps({"summary": run.summary, "reviewers": run.reviewers}, indent=2, sort_keys=True))
