"""AddTags / ListTags / DeleteTags through boto3 `sagemaker`."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

MEMBERS = [{"OidcMemberDefinition": {"Groups": ["reviewers"]}}]


def test_tags_are_added_listed_overwritten_and_deleted_on_a_work_team(sagemaker_client):
    arn = sagemaker_client.create_workteam(
        WorkteamName="team", Description="d", MemberDefinitions=MEMBERS, Tags=[{"Key": "env", "Value": "dev"}]
    )["WorkteamArn"]

    added = sagemaker_client.add_tags(
        ResourceArn=arn, Tags=[{"Key": "env", "Value": "prod"}, {"Key": "owner", "Value": "ops"}]
    )

    assert added["Tags"] == [{"Key": "env", "Value": "prod"}, {"Key": "owner", "Value": "ops"}]
    assert sagemaker_client.list_tags(ResourceArn=arn)["Tags"] == [
        {"Key": "env", "Value": "prod"},
        {"Key": "owner", "Value": "ops"},
    ]
    sagemaker_client.delete_tags(ResourceArn=arn, TagKeys=["env", "absent"])
    assert sagemaker_client.list_tags(ResourceArn=arn)["Tags"] == [{"Key": "owner", "Value": "ops"}]


def test_more_than_fifty_tags_and_unknown_resources_are_validation_errors(aws_account, sagemaker_client, make_clients):
    arn = sagemaker_client.create_human_task_ui(HumanTaskUiName="ui", UiTemplate={"Content": "<p>x</p>"})[
        "HumanTaskUiArn"
    ]
    sagemaker_client.add_tags(ResourceArn=arn, Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(50)])

    with pytest.raises(ClientError) as error:
        sagemaker_client.add_tags(ResourceArn=arn, Tags=[{"Key": "one-more", "Value": "v"}])
    assert error.value.response["Error"]["Code"] == "ValidationException"
    assert len(sagemaker_client.list_tags(ResourceArn=arn)["Tags"]) == 50

    other = make_clients("other-tenant").sagemaker
    with pytest.raises(ClientError) as error:
        other.list_tags(ResourceArn=arn)
    assert error.value.response["Error"]["Code"] == "ValidationException"
