"""Workforce and work team operations through boto3 `sagemaker`."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from workforce.models import Workforce

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
MEMBERS = [{"OidcMemberDefinition": {"Groups": ["reviewers"]}}]


def error_of(call, **kwargs) -> tuple[str, str]:
    with pytest.raises(ClientError) as error:
        call(**kwargs)
    return error.value.response["Error"]["Code"], error.value.response["Error"]["Message"]


def test_a_private_oidc_workforce_is_created_described_listed_updated_and_deleted(aws_account, sagemaker_client):
    arn = sagemaker_client.create_workforce(
        WorkforceName="staff", OidcConfig=OIDC, SourceIpConfig={"Cidrs": ["10.0.0.0/8"]}
    )["WorkforceArn"]
    assert arn == f"arn:aws:sagemaker:us-east-1:{aws_account.account.aws_account_id}:workforce/staff"

    workforce = sagemaker_client.describe_workforce(WorkforceName="staff")["Workforce"]
    assert workforce["WorkforceArn"] == arn
    assert workforce["Status"] == "Active"
    assert workforce["SourceIpConfig"] == {"Cidrs": ["10.0.0.0/8"]}
    assert workforce["OidcConfig"] == {k: v for k, v in OIDC.items() if k != "ClientSecret"}
    assert workforce["SubDomain"] and "://" not in workforce["SubDomain"]
    assert [w["WorkforceName"] for w in sagemaker_client.list_workforces()["Workforces"]] == ["staff"]
    assert "very-secret" not in Workforce.objects.get().oidc_client_secret_encrypted

    updated = sagemaker_client.update_workforce(WorkforceName="staff", SourceIpConfig={"Cidrs": ["192.168.0.0/16"]})
    assert updated["Workforce"]["SourceIpConfig"] == {"Cidrs": ["192.168.0.0/16"]}
    assert updated["Workforce"]["LastUpdatedDate"] >= workforce["LastUpdatedDate"]

    sagemaker_client.delete_workforce(WorkforceName="staff")
    code, message = error_of(sagemaker_client.describe_workforce, WorkforceName="staff")
    assert code == "ValidationException" and message.startswith("No workforce")


def test_a_second_workforce_and_cognito_are_validation_errors(sagemaker_client):
    sagemaker_client.create_workforce(WorkforceName="staff", OidcConfig=OIDC)

    assert error_of(sagemaker_client.create_workforce, WorkforceName="more", OidcConfig=OIDC)[0] == (
        "ValidationException"
    )
    code, message = error_of(
        sagemaker_client.create_workforce,
        WorkforceName="cog",
        CognitoConfig={"UserPool": "us-east-1_abc", "ClientId": "abc"},
    )
    assert code == "ValidationException" and "cognitoConfig" in message


def test_an_http_oidc_endpoint_is_refused_naming_the_field(sagemaker_client):
    code, message = error_of(
        sagemaker_client.create_workforce, WorkforceName="staff", OidcConfig={**OIDC, "Issuer": "http://idp"}
    )

    assert code == "ValidationException" and "'oidcConfig.issuer'" in message


def test_a_team_is_created_described_listed_updated_and_deleted(aws_account, sagemaker_client):
    sagemaker_client.create_workforce(WorkforceName="staff", OidcConfig=OIDC)
    account_id = aws_account.account.aws_account_id

    arn = sagemaker_client.create_workteam(
        WorkteamName="moderators", Description="Content moderators", MemberDefinitions=MEMBERS
    )["WorkteamArn"]

    assert arn == f"arn:aws:sagemaker:us-east-1:{account_id}:workteam/private-crowd/moderators"
    team = sagemaker_client.describe_workteam(WorkteamName="moderators")["Workteam"]
    assert team["WorkteamArn"] == arn
    assert team["WorkforceArn"] == f"arn:aws:sagemaker:us-east-1:{account_id}:workforce/staff"
    assert team["MemberDefinitions"] == MEMBERS
    assert team["Description"] == "Content moderators"
    assert "NotificationConfiguration" not in team
    assert {"CreateDate", "LastUpdatedDate", "SubDomain"} <= set(team)

    new_members = [{"OidcMemberDefinition": {"Groups": ["reviewers", "leads"]}}]
    updated = sagemaker_client.update_workteam(WorkteamName="moderators", MemberDefinitions=new_members)["Workteam"]
    assert updated["MemberDefinitions"] == new_members
    assert updated["Description"] == "Content moderators"

    assert sagemaker_client.delete_workteam(WorkteamName="moderators")["Success"] is True
    code, message = error_of(sagemaker_client.describe_workteam, WorkteamName="moderators")
    assert code == "ValidationException" and message.startswith("The work team")


def test_missing_teams_are_validation_errors_starting_with_the_work_team(sagemaker_client):
    for call in (sagemaker_client.describe_workteam, sagemaker_client.delete_workteam):
        code, message = error_of(call, WorkteamName="ghosts")
        assert code == "ValidationException" and message.startswith("The work team")
    code, message = error_of(sagemaker_client.update_workteam, WorkteamName="ghosts", Description="x")
    assert code == "ValidationException" and message.startswith("The work team")


def test_duplicate_team_is_resource_in_use_and_the_quota_is_resource_limit_exceeded(sagemaker_client, settings):
    sagemaker_client.create_workteam(WorkteamName="a", Description="d", MemberDefinitions=MEMBERS)

    with pytest.raises(sagemaker_client.exceptions.ResourceInUse):
        sagemaker_client.create_workteam(WorkteamName="a", Description="d", MemberDefinitions=MEMBERS)
    settings.HITL_WORKTEAM_QUOTA = 1
    with pytest.raises(sagemaker_client.exceptions.ResourceLimitExceeded):
        sagemaker_client.create_workteam(WorkteamName="b", Description="d", MemberDefinitions=MEMBERS)


def test_bad_member_definitions_are_validation_errors(sagemaker_client):
    code, message = error_of(
        sagemaker_client.create_workteam,
        WorkteamName="a",
        Description="d",
        MemberDefinitions=[{"OidcMemberDefinition": {"Groups": ["has space"]}}],
    )

    assert code == "ValidationException" and "memberDefinitions.1.oidcMemberDefinition.groups.1" in message


def test_list_workteams_sorts_by_name_and_date_filters_and_pages(sagemaker_client):
    for name in ("charlie", "alpha", "bravo"):
        sagemaker_client.create_workteam(WorkteamName=name, Description="d", MemberDefinitions=MEMBERS)

    def all_names(**kwargs) -> list[str]:
        names, token = [], None
        while True:
            page = sagemaker_client.list_workteams(MaxResults=1, **({"NextToken": token} if token else {}), **kwargs)
            names += [t["WorkteamName"] for t in page["Workteams"]]
            token = page.get("NextToken")
            if not token:
                return names

    assert all_names() == ["charlie", "alpha", "bravo"]  # default: CreateDate, Ascending
    assert all_names(SortBy="Name") == ["alpha", "bravo", "charlie"]
    assert all_names(SortBy="Name", SortOrder="Descending") == ["charlie", "bravo", "alpha"]
    assert all_names(NameContains="HA") == ["charlie", "alpha"]  # case-insensitive


def test_a_team_used_by_a_flow_cannot_be_deleted(aws_account, sagemaker_client):
    team_arn = sagemaker_client.create_workteam(WorkteamName="busy", Description="d", MemberDefinitions=MEMBERS)[
        "WorkteamArn"
    ]
    ui_arn = sagemaker_client.create_human_task_ui(HumanTaskUiName="ui", UiTemplate={"Content": "<p>hi</p>"})[
        "HumanTaskUiArn"
    ]
    sagemaker_client.create_flow_definition(
        FlowDefinitionName="uses-busy",
        HumanLoopConfig={
            "WorkteamArn": team_arn,
            "HumanTaskUiArn": ui_arn,
            "TaskTitle": "t",
            "TaskDescription": "d",
            "TaskCount": 1,
        },
        OutputConfig={"S3OutputPath": "s3://bucket/out"},
        RoleArn=f"arn:aws:iam::{aws_account.account.aws_account_id}:role/A2I",
    )

    with pytest.raises(sagemaker_client.exceptions.ResourceInUse):
        sagemaker_client.delete_workteam(WorkteamName="busy")
    # The workforce still has the team.
    code, _ = error_of(sagemaker_client.delete_workforce, WorkforceName="default")
    assert code == "ValidationException"


def test_another_account_cannot_see_teams_or_workforces(sagemaker_client, make_clients):
    sagemaker_client.create_workforce(WorkforceName="staff", OidcConfig=OIDC)
    sagemaker_client.create_workteam(WorkteamName="mine", Description="d", MemberDefinitions=MEMBERS)
    other = make_clients("other-tenant").sagemaker

    assert other.list_workteams()["Workteams"] == []
    assert other.list_workforces()["Workforces"] == []
    assert error_of(other.describe_workteam, WorkteamName="mine")[1].startswith("The work team")
    assert error_of(other.describe_workforce, WorkforceName="staff")[1].startswith("No workforce")
