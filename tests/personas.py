"""The people every story test needs, as one fixture: `personas` (see tests/conftest.py).

- the account owner: a staff user who administers the account, with its access key (the data owner
  calling the AWS APIs);
- a reviewer on the account's work team, which the flow sends its tasks to;
- a reviewer on another team of the same account: sees none of the flow's tasks;
- an outsider tenant: another account with its own owner, key and reviewer, who learns nothing of
  the first account (ResourceNotFound, no tasks).

Built with tests.factories, through services where they exist. New tests take `personas` instead
of building their own people.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from flows.models import FlowDefinition
from tests import factories as f
from workforce.access_keys import NewAccessKey, create_access_key
from workforce.models import Account, Workteam


@dataclass(frozen=True)
class Tenant:
    account: Account
    owner: Any  # a staff user in account.admins
    key: NewAccessKey
    team: Workteam
    reviewer: Any
    flow: FlowDefinition


@dataclass(frozen=True)
class Personas:
    tenant: Tenant
    other_team: Workteam
    other_team_reviewer: Any
    outsider: Tenant

    @property
    def account(self) -> Account:
        return self.tenant.account

    @property
    def owner(self) -> Any:
        return self.tenant.owner

    @property
    def reviewer(self) -> Any:
        return self.tenant.reviewer

    @property
    def flow(self) -> FlowDefinition:
        return self.tenant.flow


def tenant(prefix: str) -> Tenant:
    """Build one account with its owner, access key, work team, reviewer and a sentiment flow."""
    account = f.account(name=f"{prefix}-account")
    owner = f.user(f"{prefix}-owner", is_staff=True)
    account.admins.add(owner)
    reviewer = f.user(f"{prefix}-reviewer")
    team = f.workteam(account, members=[reviewer], name=f"{prefix}-team")
    flow = f.flow_definition(account, team, name=f"{prefix}-sentiment")
    return Tenant(account, owner, create_access_key(account), team, reviewer, flow)


@pytest.fixture
def personas(db) -> Personas:
    home = tenant("acme")
    other_team_reviewer = f.user("acme-other-reviewer")
    other_team = f.workteam(home.account, members=[other_team_reviewer], name="acme-other-team")
    return Personas(home, other_team, other_team_reviewer, tenant("globex"))
