"""hitl's STS subset: temporary credentials for the A2I APIs.

Protocol: query (STS 2011-06-15, hitl.aws.query), at the API endpoint itself,
so `boto3.client("sts", endpoint_url=...)` and the SDKs' credential chain
(`role_arn` profiles with `AWS_ENDPOINT_URL_STS`) work. A session inherits
the account, user, scope and flows of the long-term key behind the caller.
There are no IAM roles here: AssumeRole accepts any role ARN of the caller's
own account and names the session after it.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from hitl.aws.registry import RequestContext, sts_operation
from hitl.kernel.errors import AccessDenied, InvalidInput
from workforce import access_keys

ROLE_ARN = re.compile(r"^arn:aws[a-z\-]*:iam::(?P<account>\d{12}):role/(?P<path_and_name>[\w+=,.@/-]+)$")
ROLE_SESSION_NAME = re.compile(r"^[\w+=,.@-]{2,64}$")
GET_SESSION_TOKEN_DEFAULT = 43_200
GET_SESSION_TOKEN_MAX = access_keys.MAX_SESSION_SECONDS
ASSUME_ROLE_DEFAULT = 3_600
ASSUME_ROLE_MAX = 43_200


@sts_operation("GetSessionToken")
def get_session_token(context: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """Issue session credentials for the caller's long-term key (as STS, not from session credentials)."""
    if context.access_key.is_temporary:
        raise AccessDenied("Cannot call GetSessionToken with session credentials")
    duration = _duration(params, GET_SESSION_TOKEN_DEFAULT, GET_SESSION_TOKEN_MAX)
    new = access_keys.create_session_key(context.access_key, duration_seconds=duration)
    return {"Credentials": _credentials(new)}


@sts_operation("AssumeRole")
def assume_role(context: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """Issue session credentials named after a role ARN of the caller's own account."""
    role_arn = params.get("RoleArn", "")
    session_name = params.get("RoleSessionName", "")
    problems = []
    match = ROLE_ARN.match(role_arn)
    if not match:
        problems.append(
            f"Value '{role_arn}' at 'roleArn' failed to satisfy constraint: "
            "Member must be an IAM role ARN (arn:aws:iam::<12-digit account>:role/<name>)"
        )
    if not ROLE_SESSION_NAME.match(session_name):
        problems.append(
            f"Value '{session_name}' at 'roleSessionName' failed to satisfy constraint: "
            "Member must have length 2-64 and satisfy regular expression pattern: [\\w+=,.@-]*"
        )
    if problems:
        raise InvalidInput(problems)
    account_id = context.account.aws_account_id
    if match["account"] != account_id:
        raise AccessDenied(
            f"User: {context.access_key.access_key_id} is not authorized to perform: sts:AssumeRole "
            f"on resource: {role_arn} (roles of account {account_id} only)"
        )
    duration = _duration(params, ASSUME_ROLE_DEFAULT, ASSUME_ROLE_MAX)
    new = access_keys.create_session_key(context.access_key, duration_seconds=duration)
    role_name = match["path_and_name"].rsplit("/", 1)[-1]
    return {
        "Credentials": _credentials(new),
        "AssumedRoleUser": {
            "AssumedRoleId": f"AROA{hashlib.sha256(role_arn.encode()).hexdigest()[:17].upper()}:{session_name}",
            "Arn": f"arn:aws:sts::{account_id}:assumed-role/{role_name}/{session_name}",
        },
    }


@sts_operation("GetCallerIdentity")
def get_caller_identity(context: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    """Say which account and key signed the call (what `aws sts get-caller-identity` prints)."""
    key = context.access_key
    root = key.parent if key.parent_id else key
    user = root.user.get_username() if root.user else root.access_key_id
    return {
        "UserId": key.access_key_id,
        "Account": context.account.aws_account_id,
        "Arn": f"arn:aws:iam::{context.account.aws_account_id}:user/{user}",
    }


def _duration(params: dict[str, Any], default: int, maximum: int) -> int:
    raw = params.get("DurationSeconds")
    if raw is None:
        return default
    if not str(raw).isdigit() or not access_keys.MIN_SESSION_SECONDS <= int(raw) <= maximum:
        raise InvalidInput(
            [
                f"Value '{raw}' at 'durationSeconds' failed to satisfy constraint: "
                f"Member must have value between {access_keys.MIN_SESSION_SECONDS} and {maximum}"
            ]
        )
    return int(raw)


def _credentials(new: access_keys.NewAccessKey) -> dict[str, Any]:
    return {
        "AccessKeyId": new.access_key.access_key_id,
        "SecretAccessKey": new.secret_access_key,
        "SessionToken": new.session_token,
        "Expiration": new.access_key.expires_at,
    }
