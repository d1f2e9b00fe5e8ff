"""Workforces and work teams: validation edge cases, at service and handler level."""

from __future__ import annotations

import uuid

import pytest

from hitl.aws.registry import RequestContext
from hitl.kernel.errors import InUse, InvalidInput, LimitExceeded
from tests import factories as f
from workforce import secrets, services
from workforce.api import sagemaker as api
from workforce.models import Workforce, Workteam

pytestmark = pytest.mark.django_db

OIDC = {
    "ClientId": "hitl-portal",
    "ClientSecret": "s3cr3t value",
    "Issuer": "https://idp.example.com",
    "AuthorizationEndpoint": "https://idp.example.com/authorize",
    "TokenEndpoint": "https://idp.example.com/token",
    "UserInfoEndpoint": "https://idp.example.com/userinfo",
    "LogoutEndpoint": "https://idp.example.com/logout",
    "JwksUri": "https://idp.example.com/jwks",
}
OIDC_MEMBERS = [{"OidcMemberDefinition": {"Groups": ["reviewers"]}}]


@pytest.fixture
def acct():
    return f.account()


def ctx_for(acct) -> RequestContext:
    return RequestContext(account=acct, access_key=None, request_id=str(uuid.uuid4()))


def call_invalid(handler, acct, body) -> str:
    with pytest.raises(InvalidInput) as error:
        handler(ctx_for(acct), body)
    return error.value.message


def test_the_client_secret_is_stored_encrypted_and_never_returned(acct):
    api.create_workforce(ctx_for(acct), {"WorkforceName": "staff", "OidcConfig": OIDC})

    workforce = Workforce.objects.get()
    assert "s3cr3t" not in workforce.oidc_client_secret_encrypted
    assert secrets.decrypt(workforce.oidc_client_secret_encrypted) == "s3cr3t value"
    assert "ClientSecret" not in workforce.oidc_config
    described = api.describe_workforce(ctx_for(acct), {"WorkforceName": "staff"})["Workforce"]
    assert described["OidcConfig"] == {k: v for k, v in OIDC.items() if k != "ClientSecret"}
    assert described["Status"] == "Active"
    assert described["SourceIpConfig"] == {"Cidrs": []}


@pytest.mark.parametrize(
    ("overrides", "path", "why"),
    [
        ({"TokenEndpoint": "http://idp.example.com/token"}, "oidcConfig.tokenEndpoint", "https"),
        ({"JwksUri": None}, "oidcConfig.jwksUri", "must not be null"),
        ({"ClientSecret": "tab\there"}, "oidcConfig.clientSecret", "pattern"),
        ({"Issuer": "https://" + "x" * 500}, "oidcConfig.issuer", "500"),
    ],
)
def test_oidc_config_members_are_validated(acct, overrides, path, why):
    config = {**OIDC, **overrides}
    message = call_invalid(api.create_workforce, acct, {"WorkforceName": "staff", "OidcConfig": config})

    assert f"'{path}'" in message and why in message
    assert "s3cr3t" not in message


def test_cognito_workforces_are_refused(acct):
    message = call_invalid(
        api.create_workforce, acct, {"WorkforceName": "staff", "CognitoConfig": {"UserPool": "p_1", "ClientId": "c"}}
    )

    assert "cognitoConfig" in message


@pytest.mark.parametrize(
    ("cidrs", "why"),
    [
        (["10.0.0.0/33"], "valid CIDR"),
        (["10.0.0.1"], "CIDR"),
        ([f"10.0.{i}.0/24" for i in range(11)], "less than or equal to 10"),
    ],
)
def test_source_ip_cidrs_are_validated(acct, cidrs, why):
    body = {"WorkforceName": "staff", "OidcConfig": OIDC, "SourceIpConfig": {"Cidrs": cidrs}}

    assert why in call_invalid(api.create_workforce, acct, body)


def test_ipv4_and_ipv6_cidrs_are_accepted_and_updated(acct):
    body = {"WorkforceName": "staff", "OidcConfig": OIDC, "SourceIpConfig": {"Cidrs": ["10.0.0.0/8", "2001:db8::/32"]}}
    api.create_workforce(ctx_for(acct), body)

    updated = api.update_workforce(ctx_for(acct), {"WorkforceName": "staff", "SourceIpConfig": {"Cidrs": []}})

    assert updated["Workforce"]["SourceIpConfig"] == {"Cidrs": []}
    assert updated["Workforce"]["OidcConfig"]["ClientId"] == "hitl-portal"


def test_one_workforce_per_account(acct):
    services.create_workforce(acct, name="first", oidc_config=None)

    with pytest.raises(InvalidInput, match="only one private workforce"):
        services.create_workforce(acct, name="second", oidc_config=None)
    services.create_workforce(f.account(), name="first", oidc_config=None)  # another account may


def test_a_missing_workforce_says_no_workforce(acct):
    for handler in (api.describe_workforce, api.update_workforce, api.delete_workforce):
        assert call_invalid(handler, acct, {"WorkforceName": "ghost"}).startswith("No workforce")


def test_a_workforce_with_teams_cannot_be_deleted(acct):
    services.create_workteam(acct, name="t", description="d", member_definitions=OIDC_MEMBERS)

    with pytest.raises(InvalidInput, match="work teams"):
        services.delete_workforce(acct, "default")
    services.delete_workteam(acct, "t")
    services.delete_workforce(acct, "default")
    assert not Workforce.objects.exists()


def test_a_team_without_workforce_name_joins_an_auto_created_default_workforce(acct):
    team = services.create_workteam(acct, name="t1", description="d", member_definitions=OIDC_MEMBERS)
    second = services.create_workteam(acct, name="t2", description="d", member_definitions=OIDC_MEMBERS)

    assert team.workforce.name == "default"
    assert second.workforce_id == team.workforce_id
    assert Workforce.objects.filter(account=acct).count() == 1


def test_member_definitions_must_match_the_workforce_kind(acct):
    api.create_workforce(ctx_for(acct), {"WorkforceName": "staff", "OidcConfig": OIDC})
    cognito = [{"CognitoMemberDefinition": {"UserPool": "us-east-1_abc", "UserGroup": "g", "ClientId": "abc"}}]

    with pytest.raises(InvalidInput, match="OidcMemberDefinition"):
        services.create_workteam(acct, name="t", description="d", member_definitions=cognito)


@pytest.mark.parametrize(
    ("members", "why"),
    [
        ([], "greater than or equal to 1"),
        (OIDC_MEMBERS * 11, "less than or equal to 10"),
        ([{}], "exactly one of"),
        ([{**OIDC_MEMBERS[0], "CognitoMemberDefinition": {}}], "exactly one of"),
        ([{"OidcMemberDefinition": {"Groups": ["has space"]}}], "pattern"),
        ([{"OidcMemberDefinition": {"Groups": [f"g{i}" for i in range(11)]}}], "less than or equal to 10"),
        ([{"CognitoMemberDefinition": {"UserPool": "nopool", "UserGroup": "g", "ClientId": "c"}}], "pattern"),
    ],
)
def test_member_definitions_are_validated(acct, members, why):
    body = {"WorkteamName": "t", "Description": "d", "MemberDefinitions": members}

    message = call_invalid(api.create_workteam, acct, body)

    assert "memberDefinitions" in message and why in message
    assert not Workteam.objects.exists()


def test_team_names_are_unique_and_limited_by_the_quota(acct, settings):
    services.create_workteam(acct, name="t", description="d", member_definitions=OIDC_MEMBERS)
    with pytest.raises(InUse):
        services.create_workteam(acct, name="t", description="d", member_definitions=OIDC_MEMBERS)
    settings.HITL_WORKTEAM_QUOTA = 1
    with pytest.raises(LimitExceeded):
        services.create_workteam(acct, name="u", description="d", member_definitions=OIDC_MEMBERS)


def test_a_missing_team_says_the_work_team(acct):
    for handler in (api.describe_workteam, api.update_workteam, api.delete_workteam):
        assert call_invalid(handler, acct, {"WorkteamName": "ghost"}).startswith("The work team")


def test_update_changes_only_given_members_and_bumps_last_updated(acct):
    from hitl.kernel import clock

    team = services.create_workteam(
        acct,
        name="t",
        description="before",
        member_definitions=OIDC_MEMBERS,
        notification_config={"NotificationTopicArn": f"arn:aws:sns:us-east-1:{acct.aws_account_id}:topic"},
    )
    clock.advance(60)

    updated = api.update_workteam(ctx_for(acct), {"WorkteamName": "t", "Description": "after"})["Workteam"]

    assert updated["Description"] == "after"
    assert updated["MemberDefinitions"] == OIDC_MEMBERS
    assert updated["NotificationConfiguration"] == team.notification_config
    assert updated["LastUpdatedDate"] >= updated["CreateDate"] + 60


def test_a_team_used_by_an_active_flow_cannot_be_deleted(acct):
    team = f.workteam(acct, name="busy")
    f.flow_definition(acct, team, name="uses-busy")

    with pytest.raises(InUse, match="uses-busy"):
        services.delete_workteam(acct, "busy")


def test_listing_teams_costs_the_same_queries_however_many_teams(acct, django_assert_num_queries):
    for number in range(5):
        services.create_workteam(acct, name=f"t{number}", description="d", member_definitions=OIDC_MEMBERS)

    with django_assert_num_queries(1):
        page = api.list_workteams(ctx_for(acct), {"MaxResults": 100})

    assert [team["WorkteamName"] for team in page["Workteams"]] == [f"t{n}" for n in range(5)]
