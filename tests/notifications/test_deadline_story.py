"""The issue's story end to end: boto3 configures it, a real SMTP server and a Slack/Teams stand-in receive it.

A flow with deadline 10 min, a reminder at 5, escalation at 8 to team B and fail on
timeout, set with boto3 (the work teams' NotificationConfiguration, the flow's
hitl:deadline tags). With the clock frozen and moved: the new-work digest reaches
the SMTP server within a second of the start, the reminder reaches the reviewer
holding the task at 5 min, team B is told and can claim at 8 min, and at 10 min
the loop is Failed/Expired, with its status event, and its output says why.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from standardwebhooks.webhooks import Webhook

from flows.loops import lifecycle
from flows.models import ReviewTask, WebhookEndpoint
from hitl.kernel import clock
from notifications import tasks
from notifications.models import Channel
from tests import factories
from tests.notifications.conftest import channel, notified_team, topic_of

pytestmark = pytest.mark.usefixtures("signing_follows_clock")


def _links(message) -> list[str]:
    return re.findall(r"https?://\S+/notifications/open/\S+", message.get_body(("plain",)).get_content())


def test_deadline_reminder_escalation_and_timeout_reach_reviewers(aws_account, smtp_server, http_receiver, monkeypatch):
    base, posted = http_receiver()
    committed_at: list[float] = []  # when each started loop's transaction committed (the loop exists from then)
    counted = lifecycle.metrics.loop_started

    def loop_started(loop) -> None:
        transaction.on_commit(lambda: committed_at.append(time.monotonic()))
        counted(loop)

    monkeypatch.setattr(lifecycle.metrics, "loop_started", loop_started)
    account = aws_account.account
    sm, a2i = aws_account.sagemaker, aws_account.runtime
    clock.set_now(dt.datetime.now(dt.UTC).replace(microsecond=0))
    team_a, (holder, other) = notified_team(account, name="team-a")
    team_b, (b_reviewer,) = notified_team(account, name="team-b", reviewers=1)
    for team in (team_a, team_b):  # what an A2I user already sets: the work team's SNS topic
        team.notification_config = None
        team.save()
        sm.update_workteam(
            WorkteamName=team.name, NotificationConfiguration={"NotificationTopicArn": topic_of(account)}
        )
    channel(account, Channel.Kind.EMAIL)
    channel(account, Channel.Kind.SLACK, url=base + "/slack", secret="slack-signing-secret")
    channel(account, Channel.Kind.TEAMS, url=base + "/teams")
    WebhookEndpoint.objects.create(account=account, url=base + "/events", secret="event-secret")
    ui = factories.human_task_ui(account)
    flow_arn = sm.create_flow_definition(
        FlowDefinitionName="urgent-reviews",
        HumanLoopConfig={
            "WorkteamArn": sm.describe_workteam(WorkteamName="team-a")["Workteam"]["WorkteamArn"],
            "HumanTaskUiArn": f"arn:aws:sagemaker:us-east-1:{account.aws_account_id}:human-task-ui/{ui.name}",
            "TaskTitle": "Urgent review",
            "TaskDescription": "Pick the sentiment",
            "TaskCount": 1,
            "TaskAvailabilityLifetimeInSeconds": 3600,
        },
        OutputConfig={"S3OutputPath": "s3://a2i-results/urgent"},
        RoleArn=f"arn:aws:iam::{account.aws_account_id}:role/A2I",
        Tags=[
            {"Key": "hitl:deadline", "Value": "10m"},
            {"Key": "hitl:deadline:reminders", "Value": "5m"},
            {"Key": "hitl:deadline:escalate-at", "Value": "8m"},
            {"Key": "hitl:deadline:escalate-to", "Value": "team-b"},
            {"Key": "hitl:deadline:on-timeout", "Value": "fail"},
        ],
    )["FlowDefinitionArn"]

    # t = 0: the loop starts; the digest reaches the SMTP server within a second of the loop's commit (when
    # it exists for anyone), not of the StartHumanLoop request: its HTTP round trip is not the digest's latency.
    a2i.start_human_loop(
        HumanLoopName="urgent-1", FlowDefinitionArn=flow_arn, HumanLoopInput={"InputContent": json.dumps({"t": 1})}
    )
    tasks.send_notifications()
    [created] = committed_at
    assert smtp_server.arrived_at[0] - created < 1
    assert sorted(m["To"] for m in smtp_server) == [holder.email, other.email]
    assert smtp_server[0]["Subject"] == "1 new task for team-a"
    assert {path for path, _, _ in posted} == {"/slack", "/teams"}

    # t = 1 min: a reviewer of team A takes it through the link in their e-mail.
    clock.advance(60)
    browser = Client()
    browser.force_login(holder)
    mail = next(m for m in smtp_server if m["To"] == holder.email)
    assert browser.get(urlsplit(_links(mail)[0]).path).status_code == 302
    task = lifecycle.claim_next_task(holder)
    assert task is not None and task.human_loop.name == "urgent-1"

    # t = 5 min: the reminder goes to the reviewer holding it, and to no one else.
    clock.advance(240)
    tasks.run_deadline_steps()
    reminders = [m for m in smtp_server if m["Subject"].startswith("Reminder")]
    assert [m["To"] for m in reminders] == [holder.email]
    lifecycle.release_task(holder, task.id)  # they give it back at 6 min

    # t = 8 min: team B is told, in e-mail and on Slack (with a Claim button), and can claim.
    clock.advance(180)
    assert lifecycle.claim_next_task(b_reviewer) is None or pytest.fail("team B could claim before the escalation")
    tasks.run_deadline_steps()
    escalation = next(m for m in smtp_server if m["Subject"].startswith("Escalated to you"))
    assert escalation["To"] == b_reviewer.email
    slack_posts = [json.loads(body) for path, _, body in posted if path == "/slack"]
    buttons = [e for b in slack_posts[-1]["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [b["text"]["text"] for b in buttons] == ["Claim urgent-1"]
    b_browser = Client()
    b_browser.force_login(b_reviewer)
    opened = b_browser.get(urlsplit(_links(escalation)[0]).path)
    assert opened.status_code == 302
    claimed = ReviewTask.objects.get(human_loop__name="urgent-1", state="leased")
    assert claimed.worker == b_reviewer

    # t = 10 min: the loop fails as A2I's expiry does, with its event; the output says why.
    clock.advance(120)
    tasks.run_deadline_steps()
    described = a2i.describe_human_loop(HumanLoopName="urgent-1")
    assert (described["HumanLoopStatus"], described["FailureCode"]) == ("Failed", "Expired")
    assert "deadline of 600 s passed" in described["FailureReason"]
    [(_, headers, body)] = [p for p in posted if p[0] == "/events"]
    event = Webhook(b"event-secret").verify(body, {k.lower(): v for k, v in headers.items()})
    assert (event["detail"]["humanLoopStatus"], event["detail"]["failureCode"]) == ("Failed", "Expired")
    bucket, key = event["detail"]["humanLoopOutput"]["outputS3Uri"].removeprefix("s3://").split("/", 1)
    output = json.loads((settings.HITL_LOCAL_STORE_DIR / bucket / key).read_text())
    assert output["hitlTimeout"]["action"] == "fail" and output["hitlTimeout"]["deadlineSeconds"] == 600
    assert ReviewTask.objects.get(id=claimed.id).state == "cancelled"
