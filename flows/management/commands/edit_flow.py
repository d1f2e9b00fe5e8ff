"""Versions of a flow definition or task UI from the shell (issue 17): list, diff, update, roll back.

    manage.py edit_flow ACCOUNT flow NAME --list
    manage.py edit_flow ACCOUNT flow NAME --diff 1 3
    manage.py edit_flow ACCOUNT flow NAME --set task_title="New title" --set task_count=2 --base 3 --note "why"
    manage.py edit_flow ACCOUNT flow NAME --set workteam=night-shift --set human_task_ui=sentiment-v2 --base 4
    manage.py edit_flow ACCOUNT flow NAME --set activation_conditions=@conditions.json --set hitl:overlap=fixed
    manage.py edit_flow ACCOUNT flow NAME --rollback 1 --base 4
    manage.py edit_flow ACCOUNT ui NAME --template new.html --base 2 [--force]

Every change goes through the same domain functions as UpdateFlowDefinition
(flows.definitions.editing: validated as at creation) and UpdateHumanTaskUi
(flows.definitions.versions); a refusal prints its message. A `hitl:KEY=VALUE` setting
sets one of the flow's versioned `hitl:` tags, `hitl:KEY=` removes it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from flows.definitions import editing, services, versions
from flows.models import FlowDefinition, FlowDefinitionVersion, HumanTaskUiVersion
from flows.quality import quality_config
from hitl.kernel import arns
from hitl.kernel.errors import HitlError
from workforce.models import Account

# The --set keys an operator may change here, with how the text is read (and under which name
# flows.definitions.editing takes it); the team and the task UI are named, not given by ARN.
_SETTABLE = {
    "workteam": ("workteam_arn", str),
    "human_task_ui": ("human_task_ui_arn", str),
    "task_title": ("task_title", str),
    "task_description": ("task_description", str),
    "task_count": ("task_count", int),
    "task_time_limit_seconds": ("task_time_limit_seconds", int),
    "task_availability_lifetime_seconds": ("task_availability_lifetime_seconds", int),
    "task_keywords": ("task_keywords", json.loads),
    "s3_output_path": ("s3_output_path", str),
    "activation_conditions": ("activation_conditions", str),
}


class Command(BaseCommand):
    help = "List, diff, update or roll back the versions of a flow definition or task UI."

    def add_arguments(self, parser) -> None:
        parser.add_argument("account", help="account name")
        parser.add_argument("kind", choices=["flow", "ui"])
        parser.add_argument("name")
        parser.add_argument("--list", action="store_true")
        parser.add_argument("--diff", nargs=2, type=int, metavar=("A", "B"))
        parser.add_argument(
            "--set",
            action="append",
            default=[],
            metavar="FIELD=VALUE",
            help=", ".join(_SETTABLE) + ", or hitl:KEY (a VALUE of @FILE reads the file)",
        )
        parser.add_argument("--ui-version", type=int, help="(flow) the task UI version to use (default: its current)")
        parser.add_argument("--template", type=Path, help="(ui) file with the new template")
        parser.add_argument("--rollback", type=int, metavar="VERSION", help="(flow) publish VERSION again")
        parser.add_argument("--base", type=int, help="the version this change is based on (stale: refused)")
        parser.add_argument("--note", default="")
        parser.add_argument("--force", action="store_true", help="allow removing answer fields in use")

    def handle(self, *args, **options) -> None:
        account = Account.objects.filter(name=options["account"]).first()
        if account is None:
            raise CommandError(f"No account named {options['account']}.")
        try:
            if options["kind"] == "flow":
                self._flow(account, options)
            else:
                self._ui(account, options)
        except HitlError as exc:
            raise CommandError(exc.message) from None

    def _flow(self, account: Account, options: dict) -> None:
        flow = services.get_flow_definition(account, options["name"])
        who = "manage.py edit_flow"
        if options["diff"]:
            self.stdout.write(versions.diff_flow_versions(flow, *options["diff"]))
        elif options["rollback"]:
            version = versions.roll_back_flow_definition(
                flow, options["rollback"], base_version=options["base"], created_by=who, force=options["force"]
            )
            self.stdout.write(f"Published {flow.name} v{version.number} (rollback to v{options['rollback']}).")
        elif options["set"]:
            version = editing.edit_flow_definition(
                account,
                flow,
                _requested(account, flow, options["set"]),
                base_version=options["base"],
                human_task_ui_version=options["ui_version"],
                note=options["note"],
                created_by=who,
                force=options["force"],
            )
            self.stdout.write(f"Published {flow.name} v{version.number}.")
        else:
            current = flow.current_version_id
            for v in FlowDefinitionVersion.objects.filter(flow_definition=flow).order_by("number"):
                mark = "*" if v.id == current else " "
                self.stdout.write(f"{mark} v{v.number}  {v.created_at:%Y-%m-%d %H:%M:%S}  {v.created_by}  {v.note}")

    def _ui(self, account: Account, options: dict) -> None:
        ui = services.get_human_task_ui(account, options["name"])
        if options["diff"]:
            self.stdout.write(versions.diff_ui_versions(ui, *options["diff"]))
        elif options["template"]:
            update = versions.update_human_task_ui(
                ui,
                content=options["template"].read_text(encoding="utf-8"),
                base_version=options["base"],
                note=options["note"],
                created_by="manage.py edit_flow",
                force=options["force"],
            )
            flows = ", ".join(f"{v.flow_definition.name} v{v.number}" for v in update.flow_versions) or "none"
            self.stdout.write(f"Published {ui.name} v{update.version.number}; flows moved to it: {flows}.")
        else:
            current = ui.current_version_id
            for v in HumanTaskUiVersion.objects.filter(human_task_ui=ui).order_by("number"):
                mark = "*" if v.id == current else " "
                self.stdout.write(
                    f"{mark} v{v.number}  {v.created_at:%Y-%m-%d %H:%M:%S}  {v.content_sha256[:12]}  {v.note}"
                )


def _requested(account: Account, flow: FlowDefinition, items: list[str]) -> dict[str, Any]:
    """Turn --set FIELD=VALUE items into flows.definitions.editing's requested changes."""
    requested: dict[str, Any] = {}
    tags = {tag["Key"]: tag["Value"] for tag in versions.hitl_tags_of(flow.tags)}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep:
            raise CommandError(f"--set {item}: write FIELD=VALUE.")
        if value.startswith("@"):
            try:
                value = Path(value[1:]).read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise CommandError(f"--set {key}: cannot read {value[1:]}: {exc.strerror}.") from None
        if key.startswith(quality_config.PREFIX):
            if value:
                tags[key] = value
            else:
                tags.pop(key, None)
            requested[versions.HITL_TAGS] = [{"Key": k, "Value": v} for k, v in tags.items()]
            continue
        if key not in _SETTABLE:
            raise CommandError(f"--set {key}: settable fields are {', '.join(_SETTABLE)} and hitl:KEY.")
        name, parse = _SETTABLE[key]
        try:
            parsed = parse(value)
        except ValueError as exc:
            raise CommandError(f"--set {key}: {exc}.") from None
        if name == "workteam_arn":
            parsed = arns.build("workteam", account.aws_account_id, parsed)
        elif name == "human_task_ui_arn":
            parsed = arns.build("human-task-ui", account.aws_account_id, parsed)
        requested[name] = parsed
    return requested
