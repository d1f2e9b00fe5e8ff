"""hitl's versioning extension through real boto3 (issue 17): the service-model extra, updates, history."""

import json

import pytest
from botocore.exceptions import ClientError

from flows.delivery.storage import get_store
from flows.loops import lifecycle
from flows.models import HumanLoop
from hitl_agents.service_model import sagemaker_client as extended_client
from tests import factories as f
from tests.protocol.conftest import REGION, start_loop

V2 = f.SENTIMENT_TEMPLATE.replace("What sentiment", "Which sentiment (v2)")
DROPS_SENTIMENT = '<crowd-form><crowd-input name="comment"></crowd-input></crowd-form>'


def _client(aws_account):
    return extended_client(
        endpoint_url=aws_account.endpoint_url,
        region_name=REGION,
        aws_access_key_id=aws_account.access_key_id,
        aws_secret_access_key=aws_account.secret_access_key,
    )


def _answer_oldest(reviewer) -> dict:
    task = lifecycle.claim_next_task(reviewer)
    lifecycle.submit_task(reviewer, task.id, {"sentiment": {"label": "Positive"}})
    loop = HumanLoop.objects.get(id=task.human_loop_id)
    bucket, key = loop.output_s3_uri.removeprefix("s3://").split("/", 1)
    return json.loads(get_store().get(bucket, key))


def test_update_list_conflict_refusal_and_rollback_through_boto3(aws_account, sagemaker_client, runtime_client):
    reviewer = f.user()
    team = f.workteam(aws_account.account, members=[reviewer])
    sm = _client(aws_account)
    ui_arn = sm.create_human_task_ui(HumanTaskUiName="sentiment", UiTemplate={"Content": f.SENTIMENT_TEMPLATE})[
        "HumanTaskUiArn"
    ]
    flow_arn = sm.create_flow_definition(
        FlowDefinitionName="reviews",
        RoleArn=f"arn:aws:iam::{aws_account.account.aws_account_id}:role/A2I",
        OutputConfig={"S3OutputPath": "s3://a2i-results/reviews"},
        HumanLoopConfig={
            "WorkteamArn": f"arn:aws:sagemaker:{REGION}:{aws_account.account.aws_account_id}:workteam/private-crowd/{team.name}",
            "HumanTaskUiArn": ui_arn,
            "TaskTitle": "Sentiment",
            "TaskDescription": "Pick the sentiment",
            "TaskCount": 1,
        },
    )["FlowDefinitionArn"]
    before = sagemaker_client.describe_flow_definition(FlowDefinitionName="reviews")
    start_loop(runtime_client, flow_arn, "on-v1")
    first = _answer_oldest(reviewer)  # an answer with "sentiment" now exists
    start_loop(runtime_client, flow_arn, "in-flight")

    with pytest.raises(ClientError) as refused:
        sm.update_human_task_ui(HumanTaskUiName="sentiment", UiTemplate={"Content": DROPS_SENTIMENT}, BaseVersion=1)
    assert refused.value.response["Error"]["Code"] == "ValidationException"
    assert "sentiment" in refused.value.response["Error"]["Message"]

    updated = sm.update_human_task_ui(
        HumanTaskUiName="sentiment", UiTemplate={"Content": V2}, BaseVersion=1, VersionNote="reword"
    )
    assert updated["HumanTaskUiVersion"] == 2
    assert updated["UpdatedFlowDefinitions"] == [{"FlowDefinitionName": "reviews", "FlowDefinitionVersion": 2}]
    with pytest.raises(ClientError) as stale:
        sm.update_human_task_ui(HumanTaskUiName="sentiment", UiTemplate={"Content": V2 + " "}, BaseVersion=1)
    assert stale.value.response["Error"]["Code"] == "ConflictException"

    start_loop(runtime_client, flow_arn, "on-v2")
    in_flight, on_v2 = _answer_oldest(reviewer), _answer_oldest(reviewer)
    assert (first["hitlFlowDefinitionVersion"], in_flight["hitlFlowDefinitionVersion"]) == (1, 1)
    assert on_v2["hitlFlowDefinitionVersion"] == 2 and on_v2["hitlHumanTaskUiVersion"] == 2
    assert in_flight["hitlTemplateSha256"] != on_v2["hitlTemplateSha256"]

    moved = sm.update_flow_definition(
        FlowDefinitionName="reviews",
        BaseVersion=2,
        HumanLoopConfig={"TaskTitle": "Sentiment, again", "TaskCount": 2},
        VersionNote="two reviewers",
    )
    assert moved["FlowDefinitionVersion"] == 3
    with pytest.raises(ClientError) as bad:
        sm.update_flow_definition(FlowDefinitionName="reviews", BaseVersion=3, HumanLoopConfig={"TaskCount": 10})
    assert bad.value.response["Error"]["Code"] == "ValidationException"
    rolled = sm.update_flow_definition(FlowDefinitionName="reviews", BaseVersion=3, RollbackToVersion=1)
    assert rolled["FlowDefinitionVersion"] == 4
    with pytest.raises(ClientError) as bad_tag:
        sm.update_flow_definition(
            FlowDefinitionName="reviews", BaseVersion=4, HitlTags=[{"Key": "hitl:flag-below", "Value": "2"}]
        )
    assert bad_tag.value.response["Error"]["Code"] == "ValidationException"
    assert "hitl:flag-below must be a number from 0 to 1" in bad_tag.value.response["Error"]["Message"]

    history = sm.list_flow_definition_versions(FlowDefinitionName="reviews")
    assert history["CurrentVersion"] == 4
    assert [(v["Version"], v["TaskCount"], v["HumanTaskUiVersion"]) for v in history["FlowDefinitionVersions"]] == [
        (1, 1, 1),
        (2, 1, 2),
        (3, 2, 2),
        (4, 1, 1),
    ]
    ui_history = sm.list_human_task_ui_versions(HumanTaskUiName="sentiment")
    assert [v["VersionNote"] for v in ui_history["HumanTaskUiVersions"]] == ["Created", "reword"]

    # The standard calls answer as before: the same members, showing the current (rolled back) version.
    after = sagemaker_client.describe_flow_definition(FlowDefinitionName="reviews")
    assert set(after) == set(before)
    assert after["HumanLoopConfig"] == before["HumanLoopConfig"]
    assert "update_flow_definition" not in dir(sagemaker_client)  # a plain client is unchanged

    # The flow's hitl: tags (quality, notifications, agents) are versioned settings too.
    tagged = sm.update_flow_definition(
        FlowDefinitionName="reviews", BaseVersion=4, HitlTags=[{"Key": "hitl:flag-below", "Value": "0.9"}]
    )
    assert tagged["FlowDefinitionVersion"] == 5
    assert {"Key": "hitl:flag-below", "Value": "0.9"} in sagemaker_client.list_tags(ResourceArn=flow_arn)["Tags"]
