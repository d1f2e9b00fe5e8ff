"""`manage.py add_worker`: create a reviewer and put them on a work team."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from tests import factories as f
from workforce.models import Worker

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_add_worker_creates_the_user_and_joins_the_team():
    acct = f.account(name="acme")
    team = f.workteam(acct, name="moderators")

    out = run("add_worker", "alice", "--workteam", "moderators", "--password", "pw-alice", "--email", "a@x.org")

    user = get_user_model().objects.get(username="alice")
    assert user.check_password("pw-alice") and user.email == "a@x.org"
    assert Worker.objects.filter(user=user).exists()
    assert team.members.filter(pk=user.pk).exists()
    assert "Created user alice added to work team moderators" in out
    assert "already a member" in run("add_worker", "alice", "--workteam", "moderators")


def test_add_worker_names_the_missing_team():
    with pytest.raises(CommandError, match="Work team 'ghosts' does not exist"):
        run("add_worker", "bob", "--workteam", "ghosts")
    assert not get_user_model().objects.filter(username="bob").exists()


def test_add_worker_asks_for_the_account_when_the_team_name_is_ambiguous():
    f.workteam(f.account(name="one"), name="shared")
    other_team = f.workteam(f.account(name="two"), name="shared")

    with pytest.raises(CommandError, match="--account"):
        run("add_worker", "carol", "--workteam", "shared")
    run("add_worker", "carol", "--workteam", "shared", "--account", "two")
    assert other_team.members.filter(username="carol").exists()
