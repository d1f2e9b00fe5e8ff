"""Build and parse the ARNs of this server's resources.

ARNs carry the server's region and the account's 12-digit id; an ARN naming
another account, region or resource type is treated as not found.
"""

from __future__ import annotations

import re

from django.conf import settings

_ARN = re.compile(r"^arn:aws[a-z\-]*:sagemaker:(?P<region>[a-z0-9\-]*):(?P<account>[0-9]{12}):(?P<resource>.+)$")

RESOURCE_PREFIXES = {
    "human-loop": "human-loop/",
    "flow-definition": "flow-definition/",
    "human-task-ui": "human-task-ui/",
    "workteam": "workteam/private-crowd/",
    "workforce": "workforce/",
}


def build(kind: str, account_id: str, name: str) -> str:
    """Return the ARN of resource `name` of type `kind` (a key of RESOURCE_PREFIXES)."""
    return f"arn:aws:sagemaker:{settings.HITL_REGION}:{account_id}:{RESOURCE_PREFIXES[kind]}{name}"


def parse_name(kind: str, arn: str, account_id: str) -> str | None:
    """Return the resource name in `arn` if it is a `kind` ARN of this account and region, else None."""
    match = _ARN.match(arn or "")
    if not match or match["account"] != account_id or match["region"] != settings.HITL_REGION:
        return None
    prefix = RESOURCE_PREFIXES[kind]
    resource = match["resource"]
    if not resource.startswith(prefix):
        return None
    name = resource[len(prefix) :]
    return name or None


def account_of(arn: str) -> str | None:
    """Return the 12-digit account id of a SageMaker ARN of this region, or None if it is not one."""
    match = _ARN.match(arn or "")
    if not match or match["region"] != settings.HITL_REGION:
        return None
    return match["account"]
