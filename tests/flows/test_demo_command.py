"""`manage.py demo`: seed a ready demo, idempotently."""

from __future__ import annotations

import code
import contextlib
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from flows.loops import lifecycle
from flows.models import FlowDefinition, HumanLoop, HumanTaskUi
from workforce.models import AccessKey, Account, Worker, Workteam

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _own_var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path  # var/demo-password of this test only


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_demo_seeds_a_ready_demo_and_is_idempotent():
    first = run("demo", "--password", "demo-pass")
    second = run("demo", "--password", "demo-pass")

    users = get_user_model().objects
    assert users.get(username="admin").is_superuser
    assert users.get(username="admin").check_password("demo-pass")
    team = Workteam.objects.get(name="demo-reviewers", account__name="default")
    assert sorted(team.members.values_list("username", flat=True)) == ["reviewer1", "reviewer2"]
    assert Worker.objects.filter(user__username="reviewer1").exists()
    ui = HumanTaskUi.objects.get(name="sentiment-analysis")
    assert "crowd-classifier" in ui.template.content
    flow = FlowDefinition.objects.get(name="sentiment-review")
    assert flow.template_id == ui.template_id
    assert HumanLoop.objects.filter(flow_definition=flow, status="InProgress").count() == 6
    assert len({loop.input_json["taskObject"] for loop in HumanLoop.objects.all()}) == 6
    # Second run created nothing new and printed the same key.
    assert AccessKey.objects.filter(account__name="default").count() == 1
    key = AccessKey.objects.get()
    assert f"aws_access_key_id = {key.access_key_id}" in first
    assert f"aws_access_key_id = {key.access_key_id}" in second
    assert "6 new loop(s)" in first and "0 new loop(s)" in second
    assert "/portal/" in first and "demo-pass" in first
    assert "Console:          http://127.0.0.1:8000/console/" in first


def test_a_second_run_prints_the_same_password_and_says_so():
    first = run("demo")
    second = run("demo")
    password = first.split("password: ")[1].split()[0]
    assert f"password: {password}" in second
    assert "Password unchanged since the first run" in second
    assert get_user_model().objects.get(username="reviewer1").check_password(password)
    assert password != "demo-pass"
    third = run("demo", "--password", "demo-pass")
    assert "password: demo-pass" in third and "password: demo-pass" in run("demo")


def test_once_every_demo_loop_is_finished_a_run_starts_new_ones_for_the_reviewers():
    run("demo", "--password", "demo-pass")
    account = Account.objects.get(name="default")
    for loop in HumanLoop.objects.filter(account=account):
        lifecycle.stop_human_loop(account=account, name=loop.name)
    assert not HumanLoop.objects.filter(status__in=HumanLoop.OPEN).exists()
    out = run("demo", "--password", "demo-pass")
    assert "6 new loop(s)" in out
    assert HumanLoop.objects.filter(status="InProgress", name__startswith="demo-sentiment-2-").count() == 6


def test_the_printed_snippet_pastes_into_the_python_prompt_and_starts_a_loop(live_server, settings):
    settings.HITL_PUBLIC_URL = live_server.url
    out = run("demo", "--password", "demo-pass")
    lines = out[out.index("import boto3") :].splitlines()
    lines = lines[: next(i for i, line in enumerate(lines) if line.startswith("print(")) + 1]
    console = code.InteractiveConsole()
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
        for line in lines:  # as a terminal feeds a paste to the prompt: line by line
            console.push(line)
    assert "Error" not in printed.getvalue()
    assert printed.getvalue().strip().splitlines()[-1] == "InProgress"  # after the echo of start_human_loop's answer
    assert HumanLoop.objects.get(name="my-first-loop").status == "InProgress"
