"""The data migration of issue 17: existing task UIs and flows get a version 1, existing loops are pinned to it."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("flows", "0004_quality_control_gold_items")]
AFTER = [("flows", "0006_fill_versions")]


@pytest.mark.django_db(transaction=True)
def test_existing_rows_get_version_one_and_loops_are_pinned():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    account = old.get_model("workforce", "Account").objects.create(name="legacy")
    workforce = old.get_model("workforce", "Workforce").objects.create(account=account, name="default")
    team = old.get_model("workforce", "Workteam").objects.create(
        account=account, workforce=workforce, name="team", description="d"
    )
    template = old.get_model("flows", "TaskTemplate").objects.create(sha256="a" * 64, content="<crowd-form/>")
    ui = old.get_model("flows", "HumanTaskUi").objects.create(account=account, name="ui", template=template)
    flow = old.get_model("flows", "FlowDefinition").objects.create(
        account=account,
        name="flow",
        workteam=team,
        human_task_ui=ui,
        human_task_ui_arn="arn",
        template=template,
        task_title="t",
        task_description="d",
        task_count=2,
        s3_output_path="s3://b/p",
        role_arn="r",
    )
    old.get_model("flows", "HumanLoop").objects.create(
        account=account,
        flow_definition=flow,
        template=template,
        name="loop",
        input_content="{}",
        input_json={},
        expires_at=now,
    )

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    ui_version = new.get_model("flows", "HumanTaskUiVersion").objects.get(human_task_ui_id=ui.id)
    flow_version = new.get_model("flows", "FlowDefinitionVersion").objects.get(flow_definition_id=flow.id)
    assert (ui_version.number, ui_version.content_sha256) == (1, "a" * 64)
    assert (flow_version.number, flow_version.settings["task_count"], flow_version.human_task_ui_version_id) == (
        1,
        2,
        ui_version.id,
    )
    assert new.get_model("flows", "HumanTaskUi").objects.get(id=ui.id).current_version_id == ui_version.id
    assert new.get_model("flows", "FlowDefinition").objects.get(id=flow.id).current_version_id == flow_version.id
    assert new.get_model("flows", "HumanLoop").objects.get(name="loop").flow_version_id == flow_version.id
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
