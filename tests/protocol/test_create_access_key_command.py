"""`manage.py create_access_key`: its two-line output is a contract, and the key it prints signs requests."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from workforce import access_keys
from workforce.models import AccessKey, Account


def run(*args: str) -> list[str]:
    out = io.StringIO()
    call_command("create_access_key", *args, stdout=out)
    return out.getvalue().splitlines()


@pytest.mark.django_db
def test_it_prints_exactly_the_two_credentials_file_lines_and_stores_the_secret_encrypted():
    lines = run("alice", "--create-user")

    assert len(lines) == 2
    key_id = lines[0].removeprefix("aws_access_key_id = ")
    secret = lines[1].removeprefix("aws_secret_access_key = ")
    assert key_id.startswith("AKIA") and len(key_id) == 20
    assert len(secret) == 40
    key = AccessKey.objects.get(access_key_id=key_id)
    assert key.user.username == "alice"
    assert key.account.name == "default"
    assert secret not in key.encrypted_secret
    assert access_keys.secret_of(key) == secret


@pytest.mark.django_db
def test_it_uses_or_creates_the_named_account():
    existing = Account.objects.create(name="acme")
    get_user_model().objects.create_user(username="bob")

    first = run("bob", "--account", "acme")[0].removeprefix("aws_access_key_id = ")
    second = run("bob", "--account", "globex")[0].removeprefix("aws_access_key_id = ")

    assert AccessKey.objects.get(access_key_id=first).account == existing
    assert AccessKey.objects.get(access_key_id=second).account.name == "globex"


@pytest.mark.django_db
def test_a_missing_user_is_an_error_without_create_user():
    with pytest.raises(CommandError, match="User 'carol' does not exist; pass --create-user"):
        run("carol")

    assert not AccessKey.objects.exists()
    assert not get_user_model().objects.filter(username="carol").exists()


def test_the_printed_key_signs_boto3_requests(aws_account, runtime_client, flow_setup):
    # aws_account's credentials come from the command's output (see conftest).
    response = runtime_client.list_human_loops(FlowDefinitionArn=flow_setup.flow_arn)

    assert response["HumanLoopSummaries"] == []
