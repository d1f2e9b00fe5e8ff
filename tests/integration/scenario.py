"""Building blocks for integration stories: a team, loops, answers, and what landed in S3."""

from __future__ import annotations

import json
from dataclasses import dataclass

from flows.loops import lifecycle
from flows.models import FlowDefinition, HumanLoop, StatusEvent
from tests import factories as f
from tests.integration.conftest import BUCKET, s3_client, wait_until
from workforce.models import Account


@dataclass
class Team:
    account: Account
    reviewers: list
    flow: FlowDefinition


def team(reviewers: int = 3, **flow_overrides) -> Team:
    """An account whose work team has `reviewers` members, and a flow definition for it."""
    acct = f.account()
    members = [f.user() for _ in range(reviewers)]
    workteam = f.workteam(acct, members=members)
    flow_overrides.setdefault("s3_output_path", f"s3://{BUCKET}/reviews")
    return Team(acct, members, f.flow_definition(acct, workteam, **flow_overrides))


def start(t: Team, name: str, text: str = "ok") -> HumanLoop:
    result = lifecycle.start_human_loop(
        account=t.account,
        name=name,
        flow_definition_arn=f.flow_arn(t.flow),
        input_content=json.dumps({"taskObject": text}),
    )
    return result.loop


def answer_everything(t: Team) -> int:
    """Let every reviewer claim and answer tasks until none is left for anyone. Returns the number answered."""
    answered = 0
    progress = True
    while progress:
        progress = False
        for reviewer in t.reviewers:
            task = lifecycle.claim_next_task(reviewer)
            if task is not None:
                lifecycle.submit_task(reviewer, task.id, {"sentiment": {"label": f"by-{reviewer.username}"}})
                answered += 1
                progress = True
    return answered


def status_of(name: str) -> str:
    return HumanLoop.objects.get(name=name).status


def wait_for_status(names: list[str], status: str, timeout: float) -> None:
    def done() -> bool:
        return HumanLoop.objects.filter(name__in=names, status=status).count() == len(names)

    wait_until(done, timeout, f"{len(names)} loops to be {status}")


def key_of(loop_uri: str) -> str:
    return loop_uri.removeprefix(f"s3://{BUCKET}/")


def read_output(name: str) -> dict:
    loop = HumanLoop.objects.get(name=name)
    body = s3_client().get_object(Bucket=BUCKET, Key=key_of(loop.output_s3_uri))["Body"].read()
    return json.loads(body)


def output_etags(name: str) -> list[str]:
    """Return the ETag of every version ever written at the loop's output key (oldest last)."""
    loop = HumanLoop.objects.get(name=name)
    key = key_of(loop.output_s3_uri)
    listing = s3_client().list_object_versions(Bucket=BUCKET, Prefix=key)
    return [v["ETag"] for v in listing.get("Versions", []) if v["Key"] == key]


def assert_written_once(names: list[str]) -> None:
    """Each loop: Completed once (one event), its output present with all its answers, never two contents."""
    for name in names:
        loop = HumanLoop.objects.get(name=name)
        assert loop.status == "Completed", name
        events = StatusEvent.objects.filter(human_loop=loop)
        assert [e.body["detail"]["humanLoopStatus"] for e in events] == ["Completed"], name
        document = read_output(name)
        assert len(document["humanAnswers"]) == loop.flow_definition.task_count, name
        etags = output_etags(name)
        assert etags and len(set(etags)) == 1, f"{name}: different contents were written: {etags}"
