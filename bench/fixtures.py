"""Create the benchmark's tenant, teams, flows, API key and reviewer tokens, and seed loops in bulk.

Runs inside Django (`python -m bench.fixtures ...` with the stack's environment).
Uses the operator commands (create_access_key, create_worker_token, add_worker)
when they exist, so the bench sets up exactly what a user would; the ORM fills
in only what has no command (work team, task UI, flow definition).

    python -m bench.fixtures setup --reviewers 50 --out state.json
    python -m bench.fixtures jsonl --flow bench-queue --count 100000 --start 0 --out loops.jsonl
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import secrets
import sys
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

ACCOUNT = "bench"
TEMPLATE = """<script src="https://assets.crowd.aws/crowd-html-elements.js"></script>
<crowd-form>
  <crowd-classifier name="sentiment" categories="['Positive', 'Negative', 'Neutral']"
    header="What sentiment does this text convey?">
    <classification-target>{{ task.input.taskObject }}</classification-target>
  </crowd-classifier>
</crowd-form>
"""
# (flow name, team name, task count): StartHumanLoop targets one flow, the queue paths another,
# the load test a third, so each measurement sees only its own tasks.
FLOWS = [
    ("bench-start", "bench-start-team", 1),
    ("bench-queue", "bench-queue-team", 1),
    ("bench-load", "bench-load-team", 2),
]


def item_input(i: int) -> str:
    """Return the InputContent of loop `i`: about 120 bytes, like the peer's task payload."""
    return json.dumps(
        {"taskObject": f"Review item {i}: the model flagged this sentence as possibly negative.", "score": 0.42}
    )


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hitl.settings")
    import django

    django.setup()


def _command(name: str, *args: str) -> str | None:
    """Run a management command if it exists; return its stdout, or None when the command is missing."""
    from django.core.management import call_command, get_commands

    if name not in get_commands():
        return None
    out = io.StringIO()
    with redirect_stdout(out):
        call_command(name, *args, stdout=out)
    return out.getvalue()


def setup(reviewers: int, queue_reviewers: int, import_flows: int = 0) -> dict[str, Any]:
    """Create (or reuse) the bench tenant and return everything the clients need.

    `import_flows` adds that many empty TaskCount=1 flows (bench-import-1, ...), one per console import.
    """
    from django.contrib.auth import get_user_model

    from flows.definitions import versions
    from flows.models import FlowDefinition, HumanTaskUi, TaskTemplate
    from hitl.kernel import arns
    from workforce.models import Account, Worker, WorkerToken, Workforce, Workteam, WorkteamMembership

    out = _command("create_access_key", "bench-admin", "--create-user", "--account", ACCOUNT)
    pairs = dict(line.split(" = ", 1) for line in out.strip().splitlines() if " = " in line)
    account = Account.objects.get(name=ACCOUNT)
    workforce, _ = Workforce.objects.get_or_create(account=account, name="default")
    template = TaskTemplate.for_content(TEMPLATE)
    ui, _ = HumanTaskUi.objects.get_or_create(account=account, name="bench-ui", defaults={"template": template})
    if ui.current_version_id is None:
        versions.publish_first_ui_version(ui)
    flows = {}
    extra = [(f"bench-import-{n}", "bench-queue-team", 1) for n in range(1, import_flows + 1)]
    for flow_name, team_name, task_count in FLOWS + extra:
        team, _ = Workteam.objects.get_or_create(
            account=account, name=team_name, defaults={"workforce": workforce, "description": "bench reviewers"}
        )
        flow, _ = FlowDefinition.objects.get_or_create(
            account=account,
            name=flow_name,
            deleted_at=None,
            defaults={
                "workteam": team,
                "human_task_ui": ui,
                "human_task_ui_arn": arns.build("human-task-ui", account.aws_account_id, ui.name),
                "template": template,
                "task_title": "Review sentiment",
                "task_description": "Pick the sentiment",
                "task_count": task_count,
                "s3_output_path": f"s3://a2i-results/{flow_name}",
                "role_arn": f"arn:aws:iam::{account.aws_account_id}:role/A2I",
            },
        )
        if flow.current_version_id is None:
            versions.publish_first_flow_version(flow)  # a start pins it, as on a real flow
        flows[flow_name] = {
            "arn": arns.build("flow-definition", account.aws_account_id, flow_name),
            "team": team_name,
            "id": flow.id,
        }

    def reviewer(username: str, team_name: str) -> str:
        added = _command("add_worker", username, "--workteam", team_name)
        user = get_user_model().objects.filter(username=username).first()
        if added is None or user is None:  # the command is not there yet (or did not create the user)
            user, _ = get_user_model().objects.get_or_create(username=username)
            Worker.objects.get_or_create(user=user, defaults={"identity_provider_type": "Cognito", "sub": username})
            team = Workteam.objects.get(account=account, name=team_name)
            WorkteamMembership.objects.get_or_create(workteam=team, user=user)
        out = _command("create_worker_token", username, "--create-user")
        if out is not None:
            return out.strip().splitlines()[-1].strip()
        key = secrets.token_hex(20)
        WorkerToken.objects.create(user=user, key_sha256=hashlib.sha256(key.encode()).hexdigest())
        return key

    queue = [
        {"username": f"qrev{i}", "token": reviewer(f"qrev{i}", "bench-queue-team")} for i in range(queue_reviewers)
    ]
    load = [{"username": f"lrev{i}", "token": reviewer(f"lrev{i}", "bench-load-team")} for i in range(reviewers)]
    return {
        "account": ACCOUNT,
        "account_id": account.aws_account_id,
        "access_key_id": pairs["aws_access_key_id"],
        "secret_access_key": pairs["aws_secret_access_key"],
        "flows": flows,
        "queue_reviewers": queue,
        "load_reviewers": load,
    }


def write_jsonl(path: Path, prefix: str, start: int, count: int) -> None:
    """Write `count` StartHumanLoop items named {prefix}-{n} for n in [start, start+count)."""
    with open(path, "w", encoding="utf-8") as handle:
        for i in range(start, start + count):
            handle.write(json.dumps({"HumanLoopName": f"{prefix}-{i}", "InputContent": item_input(i)}) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("setup")
    p.add_argument("--reviewers", type=int, default=50)
    p.add_argument("--queue-reviewers", type=int, default=8)
    p.add_argument("--import-flows", type=int, default=0)
    p.add_argument("--out", required=True)
    p = sub.add_parser("jsonl")
    p.add_argument("--prefix", required=True)
    p.add_argument("--start", type=int, default=0)
    p.add_argument("--count", type=int, required=True)
    p.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    if args.cmd == "jsonl":
        write_jsonl(Path(args.out), args.prefix, args.start, args.count)
        return 0
    _django()
    state = setup(args.reviewers, args.queue_reviewers, args.import_flows)
    Path(args.out).write_text(json.dumps(state, indent=2))
    print(f"setup: account {state['account_id']}, flows {sorted(state['flows'])}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
