"""Control-plane operations for work teams and workforces.

Protocol: JSON 1.1 (`sagemaker`, X-Amz-Target: SageMaker.<Op>). Missing teams
and workforces are ValidationException (as SageMaker does), duplicates are
ResourceInUse. OidcConfig.ClientSecret is accepted, stored encrypted and never
returned.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from hitl.aws import shapes
from hitl.aws.registry import RequestContext, control_plane_operation
from hitl.aws.validation import Validator
from hitl.kernel import arns
from workforce import services
from workforce.models import Workforce, Workteam

NAME_CONTAINS = r"[a-zA-Z0-9\-]+"
COGNITO_USER_POOL = r"[\w-]+_[0-9a-zA-Z]+"
COGNITO_CLIENT_ID = r"[\w+]+"
OIDC_GROUP = r"[\p{L}\p{M}\p{S}\p{N}\p{P}]+"
SNS_TOPIC_ARN = r"arn:aws[a-z\-]*:sns:[a-z0-9\-]*:[0-9]{12}:[a-zA-Z0-9_.-]*"
PRINTABLE = r"[ -~]+"
HTTPS_URL = r"https://\S+"
OIDC_SCOPE = r"[!#-\[\]-~]+( [!#-\[\]-~]+)*"
RESOURCE_ID = r"[-0-9a-zA-Z]+"
ENABLED_DISABLED = ("Enabled", "Disabled")
OIDC_ENDPOINTS = ("Issuer", "AuthorizationEndpoint", "TokenEndpoint", "UserInfoEndpoint", "LogoutEndpoint", "JwksUri")


# --- Work teams ---------------------------------------------------------------


@control_plane_operation("CreateWorkteam")
def create_workteam(ctx: RequestContext, body: dict[str, Any]) -> dict[str, Any]:
    v = Validator(body)
    name = _name(v, "WorkteamName", "workteam")
    workforce_name = v.string("WorkforceName", min_len=1, max_len=63, pattern=shapes.NAME_PATTERNS["workforce"])
    members = _member_definitions(v, required=True)
    description = v.string("Description", required=True, min_len=1, max_len=200, pattern=".+")
    notification = _notification_config(v)
    access = _worker_access_config(v)
    tags = shapes.tags(v)
    v.done()
    team = services.create_workteam(
        ctx.account,
        name=name,
        description=description,
        member_definitions=members,
        workforce_name=workforce_name,
        notification_config=notification,
        worker_access_config=access,
        tags=tags,
    )
    return {"WorkteamArn": arns.build("workteam", ctx.account.aws_account_id, team.name)}


@control_plane_operation("DescribeWorkteam")
def describe_workteam(ctx: RequestContext, body: dict[str, Any]) -> dict[str, Any]:
    v = Validator(body)
    name = _name(v, "WorkteamName", "workteam")
    v.done()
    return {"Workteam": _render_workteam(ctx, services.get_workteam(ctx.account, name))}


@control_plane_operation("ListWorkteams")
def list_workteams(ctx: RequestContext, body: dict[str, Any]) -> dict[str, Any]:
    params = shapes.list_params(body, default_order="Ascending", sort_by=True, name_contains_pattern=NAME_CONTAINS)
    queryset = services.workteams(ctx.account)
    if params.name_contains:
        queryset = queryset.filter(name__icontains=params.name_contains)
    rows, token = shapes.page(queryset, params, sort_field="name" if params.sort_by_name else "created_at")
    output: dict[str, Any] = {"Workteams": [_render_workteam(ctx, team) for team in rows]}
    if token:
        output["NextToken"] = token
    return output


@control_plane_operation("UpdateWorkteam")
def update_workteam(ctx: RequestContext, body: dict[str, Any]) -> dict[str, Any]:
    v = Validator(body)
    name = _name(v, "WorkteamName", "workteam")
    members = _member_definitions(v, required=False)
    description = v.string("Description", min_len=1, max_len=200, pattern=".+")
    notification = _notification_config(v)
    access = _worker_access_config(v)
    v.done()
    team = services.update_workteam(
        ctx.account,
        name,
        description=description,
        member_definitions=members,
        notification_config=notification,
        worker_access_config=access,
    )
    return {"Workteam": _render_workteam(ctx, team)}


@control_plane_operation("DeleteWorkteam")
def delete_workteam(ctx: RequestContext, body: dict[str, Any]) -> dict[str, Any]:
    v = Validator(body)
    name = _name(v, "WorkteamName", "workteam")
    v.done()
    services.delete_workteam(ctx.account, name)
    return {"Success": True}


def _render_workteam(ctx: RequestContext, team: Workteam) -> dict[str, Any]:
    account_id = ctx.account.aws_account_id
    output: dict[str, Any] = {
        "WorkteamName": team.name,
        "MemberDefinitions": team.member_definitions,
        "WorkteamArn": arns.build("workteam", account_id, team.name),
        "WorkforceArn": arns.build("workforce", account_id, team.workforce.name),
        "Description": team.description,
        "SubDomain": team.workforce.sub_domain or services.portal_host(),
        "CreateDate": shapes.epoch(team.created_at),
        "LastUpdatedDate": shapes.epoch(team.updated_at),
    }
    if team.notification_config is not None:
        output["NotificationConfiguration"] = team.notification_config
    if team.worker_access_config is not None:
        output["WorkerAccessConfiguration"] = team.worker_access_config
    return output


def _member_definitions(v: Validator, *, required: bool) -> list[dict[str, Any]] | None:
    items = v.list("MemberDefinitions", required=required, min_items=1, max_items=10)
    if items is None:
        return None
    result = []
    for index, item in enumerate(items):
        member = f"MemberDefinitions.{index + 1}"
        if not isinstance(item, dict):
            v.fail(member, item, "Member must be a structure")
            continue
        definition = Validator(item, prefix=member, errors=v.errors)
        cognito = definition.structure("CognitoMemberDefinition")
        oidc = definition.structure("OidcMemberDefinition")
        if (cognito is None) == (oidc is None):
            v.fail(member, item, "Member must contain exactly one of CognitoMemberDefinition, OidcMemberDefinition")
            continue
        if cognito is not None:
            result.append(
                {
                    "CognitoMemberDefinition": {
                        "UserPool": cognito.string(
                            "UserPool", required=True, min_len=1, max_len=55, pattern=COGNITO_USER_POOL
                        ),
                        "UserGroup": cognito.string(
                            "UserGroup", required=True, min_len=1, max_len=128, pattern=r"[\p{L}\p{M}\p{S}\p{N}\p{P}]+"
                        ),
                        "ClientId": cognito.string(
                            "ClientId", required=True, min_len=1, max_len=128, pattern=COGNITO_CLIENT_ID
                        ),
                    }
                }
            )
        else:
            groups = oidc.list("Groups", required=True, min_items=1, max_items=10) or []
            checked = Validator(
                {str(i + 1): g for i, g in enumerate(groups)},
                prefix=f"{member}.OidcMemberDefinition.Groups",
                errors=v.errors,
            )
            for i in range(len(groups)):
                checked.string(str(i + 1), required=True, min_len=1, max_len=63, pattern=OIDC_GROUP)
            result.append({"OidcMemberDefinition": {"Groups": groups}})
    return result


def _notification_config(v: Validator) -> dict[str, Any] | None:
    config = v.structure("NotificationConfiguration")
    if config is None:
        return None
    topic = config.string("NotificationTopicArn", pattern=SNS_TOPIC_ARN)
    return {"NotificationTopicArn": topic} if topic else {}


def _worker_access_config(v: Validator) -> dict[str, Any] | None:
    config = v.structure("WorkerAccessConfiguration")
    if config is None:
        return None
    output: dict[str, Any] = {}
    presign = config.structure("S3Presign")
    if presign is not None:
        output["S3Presign"] = {}
        constraints = presign.structure("IamPolicyConstraints")
        if constraints is not None:
            values = {
                member: constraints.string(member, enum=ENABLED_DISABLED) for member in ("SourceIp", "VpcSourceIp")
            }
            output["S3Presign"]["IamPolicyConstraints"] = {k: value for k, value in values.items() if value}
    return output


# --- Workforces ---------------------------------------------------------------


@control_plane_operation("CreateWorkforce")
def create_workforce(ctx: RequestContext, body: dict[str, Any]) -> dict[str, Any]:
    v = Validator(body)
    name = _name(v, "WorkforceName", "workforce")
    if v.present("CognitoConfig"):
        v.fail(
            "CognitoConfig",
            "CognitoConfig",
            "Cognito workforces are not supported by this server; create a private workforce with OidcConfig",
        )
    oidc, secret = _oidc_config(v, required=not v.present("CognitoConfig"))
    cidrs = _source_ip_cidrs(v)
    vpc = _vpc_config(v)
    ip_type = v.string("IpAddressType", enum=("ipv4", "dualstack"))
    tags = shapes.tags(v)
    v.done()
    workforce = services.create_workforce(
        ctx.account,
        name=name,
        oidc_config=oidc,
        client_secret=secret or "",
        source_ip_cidrs=cidrs or [],
        vpc_config=vpc,
        ip_address_type=ip_type or "",
        tags=tags,
    )
    return {"WorkforceArn": arns.build("workforce", ctx.account.aws_account_id, workforce.name)}


@control_plane_operation("DescribeWorkforce")
def describe_workforce(ctx: RequestContext, body: dict[str, Any]) -> dict[str, Any]:
    v = Validator(body)
    name = _name(v, "WorkforceName", "workforce")
    v.done()
    return {"Workforce": _render_workforce(ctx, services.get_workforce(ctx.account, name))}


@control_plane_operation("ListWorkforces")
def list_workforces(ctx: RequestContext, body: dict[str, Any]) -> dict[str, Any]:
    params = shapes.list_params(body, default_order="Ascending", sort_by=True, name_contains_pattern=NAME_CONTAINS)
    queryset = services.workforces(ctx.account)
    if params.name_contains:
        queryset = queryset.filter(name__icontains=params.name_contains)
    rows, token = shapes.page(queryset, params, sort_field="name" if params.sort_by_name else "created_at")
    output: dict[str, Any] = {"Workforces": [_render_workforce(ctx, workforce) for workforce in rows]}
    if token:
        output["NextToken"] = token
    return output


@control_plane_operation("UpdateWorkforce")
def update_workforce(ctx: RequestContext, body: dict[str, Any]) -> dict[str, Any]:
    v = Validator(body)
    name = _name(v, "WorkforceName", "workforce")
    changes: dict[str, Any] = {}
    if v.present("OidcConfig"):
        changes["oidc_config"], changes["client_secret"] = _oidc_config(v, required=True)
    if v.present("SourceIpConfig"):
        changes["source_ip_cidrs"] = _source_ip_cidrs(v) or []
    if v.present("WorkforceVpcConfig"):
        changes["vpc_config"] = _vpc_config(v)
    if v.present("IpAddressType"):
        changes["ip_address_type"] = v.string("IpAddressType", enum=("ipv4", "dualstack"))
    v.done()
    workforce = services.update_workforce(ctx.account, name, **changes)
    return {"Workforce": _render_workforce(ctx, workforce)}


@control_plane_operation("DeleteWorkforce")
def delete_workforce(ctx: RequestContext, body: dict[str, Any]) -> dict[str, Any]:
    v = Validator(body)
    name = _name(v, "WorkforceName", "workforce")
    v.done()
    services.delete_workforce(ctx.account, name)
    return {}


def _render_workforce(ctx: RequestContext, workforce: Workforce) -> dict[str, Any]:
    output: dict[str, Any] = {
        "WorkforceName": workforce.name,
        "WorkforceArn": arns.build("workforce", ctx.account.aws_account_id, workforce.name),
        "LastUpdatedDate": shapes.epoch(workforce.updated_at),
        "SourceIpConfig": {"Cidrs": list(workforce.source_ip_cidrs)},
        "SubDomain": workforce.sub_domain or services.portal_host(),
        "CreateDate": shapes.epoch(workforce.created_at),
        "Status": workforce.status,
    }
    if workforce.oidc_config:
        output["OidcConfig"] = {k: value for k, value in workforce.oidc_config.items() if k != "ClientSecret"}
    if workforce.cognito_config:
        output["CognitoConfig"] = workforce.cognito_config
    if workforce.vpc_config:
        output["WorkforceVpcConfig"] = workforce.vpc_config
    if workforce.ip_address_type:
        output["IpAddressType"] = workforce.ip_address_type
    return output


def _oidc_config(v: Validator, *, required: bool) -> tuple[dict[str, Any] | None, str | None]:
    config = v.structure("OidcConfig", required=required)
    if config is None:
        return None, None
    stored: dict[str, Any] = {
        "ClientId": config.string("ClientId", required=True, min_len=1, max_len=1024, pattern=PRINTABLE)
    }
    secret = config.string("ClientSecret", required=True, min_len=1, max_len=1024, pattern=PRINTABLE)
    for member in OIDC_ENDPOINTS:
        stored[member] = config.string(member, required=True, max_len=500, pattern=HTTPS_URL)
    scope = config.string("Scope", max_len=1024, pattern=OIDC_SCOPE)
    if scope:
        stored["Scope"] = scope
    extra = config.body.get("AuthenticationRequestExtraParams")
    if extra is not None:
        if not isinstance(extra, dict) or len(extra) > 10:
            config.fail("AuthenticationRequestExtraParams", extra, "Member must be a map of at most 10 entries")
        elif any(
            not isinstance(k, str) or not isinstance(val, str) or len(k) > 512 or len(val) > 512
            for k, val in extra.items()
        ):
            config.fail(
                "AuthenticationRequestExtraParams",
                extra,
                "Map keys and values must be strings of at most 512 characters",
            )
        else:
            stored["AuthenticationRequestExtraParams"] = extra
    return stored, secret


def _source_ip_cidrs(v: Validator) -> list[str] | None:
    config = v.structure("SourceIpConfig")
    if config is None:
        return None
    cidrs = config.list("Cidrs", required=True, max_items=10) or []
    valid = []
    for index, cidr in enumerate(cidrs):
        member = f"Cidrs.{index + 1}"
        if not isinstance(cidr, str) or not 4 <= len(cidr) <= 64 or "/" not in cidr:
            config.fail(member, cidr, "Member must be an IPv4 or IPv6 CIDR block of 4 to 64 characters")
            continue
        try:
            ipaddress.ip_network(cidr, strict=False)
        except ValueError as exc:
            config.fail(member, cidr, f"Member must be a valid CIDR block ({exc})")
            continue
        valid.append(cidr)
    return valid


def _vpc_config(v: Validator) -> dict[str, Any] | None:
    config = v.structure("WorkforceVpcConfig")
    if config is None:
        return None
    output: dict[str, Any] = {"VpcId": config.string("VpcId", required=True, max_len=32, pattern=RESOURCE_ID)}
    for member, max_items in (("SecurityGroupIds", 5), ("Subnets", 16)):
        items = config.list(member, required=True, min_items=1, max_items=max_items) or []
        checked = Validator(
            {str(i + 1): x for i, x in enumerate(items)}, prefix=f"{config.prefix}.{member}", errors=v.errors
        )
        for i in range(len(items)):
            checked.string(str(i + 1), max_len=32, pattern=RESOURCE_ID)
        output[member] = items
    return output


def _name(v: Validator, member: str, kind: str) -> str | None:
    return v.string(member, required=True, min_len=1, max_len=63, pattern=shapes.NAME_PATTERNS[kind])
