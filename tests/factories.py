"""Small factory functions for test data. Keyword overrides; services where they exist."""

from __future__ import annotations

import itertools
from typing import Any

from django.contrib.auth import get_user_model

from flows.models import FlowDefinition, HumanTaskUi, TaskTemplate
from hitl.kernel import arns
from workforce.models import Account, ReadLocation, Worker, Workforce, Workteam, WorkteamMembership

_seq = itertools.count(1)

SENTIMENT_TEMPLATE = """<script src="https://assets.crowd.aws/crowd-html-elements.js"></script>
<crowd-form>
  <crowd-classifier name="sentiment" categories="['Positive', 'Negative', 'Neutral', 'Mixed']"
    header="What sentiment does this text convey?">
    <classification-target>{{ task.input.taskObject }}</classification-target>
  </crowd-classifier>
</crowd-form>
"""


def account(**overrides: Any) -> Account:
    n = next(_seq)
    return Account.objects.create(name=overrides.pop("name", f"account-{n}"), **overrides)


def read_location(acct: Account, bucket: str, prefix: str = "") -> ReadLocation:
    """Let `acct`'s task pages show objects under s3://bucket/prefix (grant_read_access)."""
    return ReadLocation.objects.get_or_create(account=acct, bucket=bucket, prefix=prefix)[0]


def preview_grants(acct: Account, **user_overrides: Any):
    """Object grants as for a staff preview by a new admin of `acct` (URLs work without a session)."""
    from review_ui.grants import ObjectGrants

    admin = user(is_staff=True, **user_overrides)
    acct.admins.add(admin)
    return ObjectGrants(account_id=acct.id, user_id=admin.pk, actor=admin.get_username())


def user(username: str | None = None, **overrides: Any):
    username = username or f"user{next(_seq)}"
    password = overrides.pop("password", "pw-" + username)
    created = get_user_model().objects.create_user(username=username, password=password, **overrides)
    Worker.objects.get_or_create(user=created, defaults={"identity_provider_type": "Cognito", "sub": username})
    return created


def workforce(acct: Account, **overrides: Any) -> Workforce:
    return Workforce.objects.create(account=acct, name=overrides.pop("name", "default"), **overrides)


def workteam(acct: Account, members: list | None = None, **overrides: Any) -> Workteam:
    wf = overrides.pop("workforce", None) or Workforce.objects.filter(account=acct).first() or workforce(acct)
    team = Workteam.objects.create(
        account=acct,
        workforce=wf,
        name=overrides.pop("name", f"team-{next(_seq)}"),
        description=overrides.pop("description", "Reviewers"),
        **overrides,
    )
    for member in members or []:
        WorkteamMembership.objects.create(workteam=team, user=member)
    return team


def human_task_ui(acct: Account, content: str = SENTIMENT_TEMPLATE, **overrides: Any) -> HumanTaskUi:
    """A task UI with its version 1, as CreateHumanTaskUi stores it."""
    from flows.definitions import versions

    ui = HumanTaskUi.objects.create(
        account=acct,
        name=overrides.pop("name", f"ui-{next(_seq)}"),
        template=TaskTemplate.for_content(content),
        **overrides,
    )
    versions.publish_first_ui_version(ui)
    return ui


def flow_definition(acct: Account, team: Workteam, ui: HumanTaskUi | None = None, **overrides: Any) -> FlowDefinition:
    ui = ui or human_task_ui(acct)
    fields: dict[str, Any] = {
        "name": f"flow-{next(_seq)}",
        "task_title": "Review sentiment",
        "task_description": "Pick the sentiment of the text",
        "task_count": 1,
        "s3_output_path": "s3://a2i-results/reviews",
        "role_arn": f"arn:aws:iam::{acct.aws_account_id}:role/A2I",
    }
    fields.update(overrides)
    from flows.definitions import versions

    flow = FlowDefinition.objects.create(
        account=acct,
        workteam=team,
        human_task_ui=ui,
        human_task_ui_arn=arns.build("human-task-ui", acct.aws_account_id, ui.name),
        template=ui.template,
        **fields,
    )
    versions.publish_first_flow_version(flow)
    return flow


def flow_arn(flow: FlowDefinition) -> str:
    return arns.build("flow-definition", flow.account.aws_account_id, flow.name)


def human_loop(flow: FlowDefinition, task_input: Any = None, **overrides: Any):
    """Start a loop on `flow` through the lifecycle service (its tasks become claimable)."""
    import json

    from flows.loops import lifecycle

    content = json.dumps({"taskObject": "I love this product!"} if task_input is None else task_input)
    return lifecycle.start_human_loop(
        account=flow.account,
        name=overrides.pop("name", f"loop-{next(_seq)}"),
        flow_definition_arn=flow_arn(flow),
        input_content=content,
        **overrides,
    ).loop


def worker_token(member) -> str:
    """Create a reviewer API token for `member` and return the key."""
    from workforce.tokens import create_worker_token

    return create_worker_token(member)
