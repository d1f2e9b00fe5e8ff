"""Seed a ready demo and print how to use it.

    python manage.py demo [--password P] [--account NAME]

Creates (or reuses, so it is safe to run again): a superuser `admin`, two
reviewers `reviewer1` and `reviewer2`, an account, its workforce and a work
team with both reviewers, the AWS sentiment-analysis task UI, a flow
definition and a handful of loops with varied texts, and an access key for
boto3. The password is made once and kept in var/demo-password, so a second
run prints the same credentials (`--password` sets a new one); the access key
is reused and its secret printed again. When the reviewers have answered every
demo loop, a run starts a fresh batch, so there is always work in the portal.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Any

from cryptography.fernet import InvalidToken
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from flows.definitions import sample_inputs, services
from flows.loops import lifecycle
from flows.models import FlowDefinition, HumanLoop, HumanTaskUi
from hitl.kernel import arns
from hitl.kernel.public_url import public_url
from workforce import access_keys
from workforce import services as workforce_services
from workforce.models import AccessKey, Account, Workteam

TEMPLATE_PATH = sample_inputs.TEMPLATES_DIR / "text" / "sentiment-analysis.liquid.html"
TEAM_NAME = "demo-reviewers"
UI_NAME = "sentiment-analysis"
FLOW_NAME = "sentiment-review"
API_USER = "demo-api"
PASSWORD_FILE = "demo-password"
REVIEWERS = ("reviewer1", "reviewer2")
TEXTS = (
    "The delivery was two days late, but support refunded the shipping without me even asking.",
    "Absolutely love this blender. Smoothies in thirty seconds, and it is quieter than my old one.",
    "The package contained the charger and a USB cable.",
    "Worst hotel stay ever: the room smelled of smoke and the front desk just shrugged.",
    "Great food, terrible service. We waited an hour for the bill.",
    "ok i guess?? idk",
)


class Command(BaseCommand):
    help = "Seed a demo (admin, two reviewers, team, sentiment task UI, flow definition, loops) and print the URLs."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--account", default="default", help="Account (tenant) to seed. Default: 'default'.")
        parser.add_argument(
            "--password", help="Password for admin and the reviewers (default: a new random one each run)."
        )

    def handle(self, *args: Any, account: str, password: str | None, **options: Any) -> None:
        password, password_note = _demo_password(password)
        with transaction.atomic():
            tenant, _ = Account.objects.get_or_create(name=account)
            admin = self._user("admin", password, superuser=True)
            tenant.admins.add(admin)
            team = self._team(tenant)
            for username in REVIEWERS:
                reviewer = workforce_services.ensure_reviewer(username, password=password)
                workforce_services.add_member(team, reviewer)
            flow = self._flow(tenant, team, self._ui(tenant))
            key_id, secret = self._access_key(tenant)
        flow_arn = arns.build("flow-definition", tenant.aws_account_id, flow.name)
        started = self._loops(tenant, flow, flow_arn)
        self._report(tenant, flow_arn, started, password, key_id, secret)
        self.stdout.write(password_note)

    def _user(self, username: str, password: str, *, superuser: bool = False):
        user_model = get_user_model()
        user = user_model.objects.filter(username=username).first()
        if user is None:
            create = user_model.objects.create_superuser if superuser else user_model.objects.create_user
            return create(username=username, email=f"{username}@example.com", password=password)
        user.set_password(password)
        user.save(update_fields=["password"])
        return user

    def _team(self, tenant: Account) -> Workteam:
        team = Workteam.objects.filter(account=tenant, name=TEAM_NAME).first()
        if team is not None:
            return team
        return workforce_services.create_workteam(
            tenant,
            name=TEAM_NAME,
            description="Demo reviewers for the sentiment-analysis flow",
            member_definitions=[{"OidcMemberDefinition": {"Groups": [TEAM_NAME]}}],
        )

    def _ui(self, tenant: Account) -> HumanTaskUi:
        ui = HumanTaskUi.objects.filter(account=tenant, name=UI_NAME).first()
        if ui is not None:
            return ui
        content = TEMPLATE_PATH.read_text(encoding="utf-8")
        return services.create_human_task_ui(tenant, name=UI_NAME, content=content)

    def _flow(self, tenant: Account, team: Workteam, ui: HumanTaskUi) -> FlowDefinition:
        flow = services.flow_definitions(tenant).filter(name=FLOW_NAME).first()
        if flow is not None:
            return flow
        account_id = tenant.aws_account_id
        spec = services.FlowDefinitionSpec(
            name=FLOW_NAME,
            role_arn=f"arn:aws:iam::{account_id}:role/HitlDemo",
            s3_output_path="s3://hitl-demo/sentiment",
            workteam_arn=arns.build("workteam", account_id, team.name),
            human_task_ui_arn=arns.build("human-task-ui", account_id, ui.name),
            task_title="What is the sentiment of this text?",
            task_description="Read the text and choose the sentiment it mainly expresses.",
            task_count=1,
            task_keywords=["sentiment", "text"],
        )
        return services.create_flow_definition(tenant, spec)

    def _access_key(self, tenant: Account) -> tuple[str, str]:
        user = get_user_model().objects.filter(username=API_USER).first()
        if user is None:
            user = get_user_model().objects.create_user(username=API_USER)
        key = AccessKey.objects.filter(account=tenant, user=user, is_active=True).order_by("id").first()
        if key is not None:
            try:
                return key.access_key_id, access_keys.secret_of(key)
            except InvalidToken:
                pass  # encrypted with a key this install no longer has (a demo database from before): a new key
        new = access_keys.create_access_key(tenant, user=user)
        return new.access_key.access_key_id, new.secret_access_key

    def _loops(self, tenant: Account, flow: FlowDefinition, flow_arn: str) -> int:
        """Start the demo loops; once every one is answered, a new batch under a new prefix."""
        batch = "demo-sentiment"
        if not HumanLoop.objects.filter(flow_definition=flow, status__in=HumanLoop.OPEN).exists():
            batches = HumanLoop.objects.filter(flow_definition=flow, name__startswith="demo-sentiment-").count()
            batch = f"demo-sentiment-{batches // len(TEXTS) + 1}" if batches else batch
        created = 0
        for number, text in enumerate(TEXTS, start=1):
            result = lifecycle.start_human_loop(
                account=tenant,
                name=f"{batch}-{number}",
                flow_definition_arn=flow_arn,
                input_content=json.dumps({"taskObject": text}),
            )
            created += result.created
        return created

    def _report(self, tenant: Account, flow_arn: str, started: int, password: str, key_id: str, secret: str) -> None:
        base = public_url()
        endpoint = base + (f"/{settings.HITL_API_PREFIX.strip('/')}" if settings.HITL_API_PREFIX.strip("/") else "")
        write = self.stdout.write
        write(f"Demo ready in account {tenant.name} ({tenant.aws_account_id}); {started} new loop(s) started.")
        write("")
        write(f"Console:          {base}/console/   user: admin   password: {password}")
        write(f"Reviewer portal:  {base}/portal/   users: {', '.join(REVIEWERS)}   password: {password}")
        write(f"Admin:            {base}/admin/    user: admin   password: {password}")
        write(f"API endpoint:     {endpoint}   region: {settings.HITL_REGION}")
        write(f"Flow definition:  {flow_arn}")
        write("")
        write("AWS credentials for boto3 (credentials-file form):")
        write(f"aws_access_key_id = {key_id}")
        write(f"aws_secret_access_key = {secret}")
        write("")
        write("Try it: paste these lines into .venv/bin/python. The portal hands out the oldest task first, so")
        write("reviewers answer the demo's own loops before yours; `make demo` again adds loops once they are done.")
        write("")
        write("import boto3, json")
        write(
            f'a2i = boto3.client("sagemaker-a2i-runtime", endpoint_url="{endpoint}", region_name="{settings.HITL_REGION}",'
            f' aws_access_key_id="{key_id}", aws_secret_access_key="{secret}")'
        )
        write(
            f'a2i.start_human_loop(HumanLoopName="my-first-loop", FlowDefinitionArn="{flow_arn}",'
            ' HumanLoopInput={"InputContent": json.dumps({"taskObject": "I love it!"})})'
        )
        write('print(a2i.describe_human_loop(HumanLoopName="my-first-loop")["HumanLoopStatus"])')
        write("")


def _demo_password(given: str | None) -> tuple[str, str]:
    """Return the demo password and a line saying where it came from: --password, var/demo-password, or new."""
    path = Path(settings.VAR_DIR) / PASSWORD_FILE
    if given:
        note = f"Password set by --password (kept in {path} for the next run)."
    elif path.exists() and path.read_text(encoding="utf-8").strip():
        return path.read_text(encoding="utf-8").strip(), f"Password unchanged since the first run (kept in {path})."
    else:
        given, note = secrets.token_urlsafe(9), f"New password (kept in {path}: the next run prints the same one)."
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(given + "\n", encoding="utf-8")
    path.chmod(0o600)
    return given, note
