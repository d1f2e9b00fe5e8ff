"""Version 1 for every existing task UI and flow definition; existing loops pinned to their flow's version 1."""

import hashlib
import json

from django.db import migrations

# A frozen copy of flows.definitions.versions.EDITABLE_FIELDS and content_hash as of this migration.
EDITABLE_FIELDS = (
    "workteam_id",
    "human_task_ui_id",
    "human_task_ui_arn",
    "template_id",
    "task_title",
    "task_description",
    "task_keywords",
    "task_count",
    "task_availability_lifetime_seconds",
    "task_time_limit_seconds",
    "public_task_price",
    "s3_output_path",
    "activation_conditions",
)


def _content_hash(settings, template_sha256):
    document = json.dumps({"settings": settings, "template": template_sha256}, sort_keys=True, default=str)
    return hashlib.sha256(document.encode("utf-8")).hexdigest()


def fill_versions(apps, schema_editor):
    HumanTaskUi = apps.get_model("flows", "HumanTaskUi")
    HumanTaskUiVersion = apps.get_model("flows", "HumanTaskUiVersion")
    FlowDefinition = apps.get_model("flows", "FlowDefinition")
    FlowDefinitionVersion = apps.get_model("flows", "FlowDefinitionVersion")
    HumanLoop = apps.get_model("flows", "HumanLoop")
    for ui in HumanTaskUi.objects.filter(current_version__isnull=True).select_related("template").iterator():
        version = HumanTaskUiVersion.objects.create(
            human_task_ui=ui,
            number=1,
            template=ui.template,
            content_sha256=ui.template.sha256,
            created_at=ui.created_at,
            note="Existing before versions",
        )
        HumanTaskUi.objects.filter(id=ui.id).update(current_version=version)
    for flow in FlowDefinition.objects.filter(current_version__isnull=True).select_related("template").iterator():
        settings = {name: getattr(flow, name) for name in EDITABLE_FIELDS}
        ui_version = HumanTaskUiVersion.objects.filter(human_task_ui_id=flow.human_task_ui_id, number=1).first()
        version = FlowDefinitionVersion.objects.create(
            flow_definition=flow,
            number=1,
            settings=settings,
            human_task_ui_version=ui_version,
            template=flow.template,
            content_sha256=_content_hash(settings, flow.template.sha256),
            created_at=flow.created_at,
            note="Existing before versions",
        )
        FlowDefinition.objects.filter(id=flow.id).update(current_version=version)
        HumanLoop.objects.filter(flow_definition=flow, flow_version__isnull=True).update(flow_version=version)


class Migration(migrations.Migration):
    dependencies = [("flows", "0005_flow_and_task_ui_versions")]

    operations = [migrations.RunPython(fill_versions, migrations.RunPython.noop, elidable=True)]
