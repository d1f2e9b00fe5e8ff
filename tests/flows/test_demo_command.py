"""`manage.py demo`: seed a ready demo, idempotently."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from flows.models import FlowDefinition, HumanLoop, HumanTaskUi
from workforce.models import AccessKey, Worker, Workteam

pytestmark = pytest.mark.django_db(transaction=True)


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
