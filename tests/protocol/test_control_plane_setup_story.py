"""The set-up story a customer's boto3 code runs, from an empty account to a reviewed loop."""

from __future__ import annotations

import io
import json

from django.contrib.auth import get_user_model
from django.core.management import call_command

from flows.loops import lifecycle
from tests.factories import SENTIMENT_TEMPLATE
from workforce.models import WorkteamMembership

OIDC = {
    "ClientId": "hitl-portal",
    "ClientSecret": "very-secret",
    "Issuer": "https://idp.example.com",
    "AuthorizationEndpoint": "https://idp.example.com/authorize",
    "TokenEndpoint": "https://idp.example.com/token",
    "UserInfoEndpoint": "https://idp.example.com/userinfo",
    "LogoutEndpoint": "https://idp.example.com/logout",
    "JwksUri": "https://idp.example.com/jwks",
}


def test_from_workforce_to_a_completed_loop(aws_account, sagemaker_client, runtime_client):
    # Given a workforce, a team, a task UI and a flow definition created through the control plane,
    sagemaker_client.create_workforce(WorkforceName="staff", OidcConfig=OIDC)
    team_arn = sagemaker_client.create_workteam(
        WorkteamName="support-reviewers",
        Description="Support ticket reviewers",
        MemberDefinitions=[{"OidcMemberDefinition": {"Groups": ["support"]}}],
    )["WorkteamArn"]
    ui_arn = sagemaker_client.create_human_task_ui(
        HumanTaskUiName="sentiment-ui", UiTemplate={"Content": SENTIMENT_TEMPLATE}
    )["HumanTaskUiArn"]
    flow_arn = sagemaker_client.create_flow_definition(
        FlowDefinitionName="ticket-sentiment",
        HumanLoopConfig={
            "WorkteamArn": team_arn,
            "HumanTaskUiArn": ui_arn,
            "TaskTitle": "Ticket sentiment",
            "TaskDescription": "Pick the sentiment of the ticket",
            "TaskCount": 1,
            "TaskTimeLimitInSeconds": 300,
        },
        OutputConfig={"S3OutputPath": "s3://a2i-results/tickets"},
        RoleArn=f"arn:aws:iam::{aws_account.account.aws_account_id}:role/A2I",
    )["FlowDefinitionArn"]
    assert (
        sagemaker_client.describe_flow_definition(FlowDefinitionName="ticket-sentiment")["FlowDefinitionStatus"]
        == "Active"
    )
    # and a reviewer added with the management command,
    out = io.StringIO()
    call_command("add_worker", "rita", "--workteam", "support-reviewers", "--account", "acme", stdout=out)
    assert WorkteamMembership.objects.filter(workteam__name="support-reviewers", user__username="rita").exists()

    # when a loop is started and the reviewer answers it,
    runtime_client.start_human_loop(
        HumanLoopName="ticket-1",
        FlowDefinitionArn=flow_arn,
        HumanLoopInput={"InputContent": json.dumps({"taskObject": "Thanks, that fixed it!"})},
    )
    assert runtime_client.describe_human_loop(HumanLoopName="ticket-1")["HumanLoopStatus"] == "InProgress"
    rita = get_user_model().objects.get(username="rita")
    task = lifecycle.claim_next_task(rita)
    assert task is not None and task.human_loop.name == "ticket-1"
    lifecycle.submit_task(rita, task.id, {"sentiment": {"label": "Positive"}})

    # then the loop completes with its output.
    described = runtime_client.describe_human_loop(HumanLoopName="ticket-1")
    assert described["HumanLoopStatus"] == "Completed"
    assert described["FlowDefinitionArn"] == flow_arn
    assert described["HumanLoopOutput"]["OutputS3Uri"].startswith("s3://a2i-results/tickets/")
