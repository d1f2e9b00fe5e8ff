"""Versioned, editable flow definitions and task UIs (issue 17): publish, update, pin, diff, roll back.

Every task UI and flow definition has an ordered history of immutable
versions. The HumanTaskUi and FlowDefinition rows hold the current version's
values (so Create/Describe/List and every existing reader see what A2I shows)
and its id (`current_version`). A start copies `current_version_id` and
`template_id` from the cached flow row into the loop row (flows.loops.rules'
new_loop_row), so the pin costs no statement; a loop is then reviewed with its
pinned version's settings (`pinned_settings`): its reviewers' time limit, the
title and description they see, TaskCount, the output path, and its `hitl:`
tags (`pinned_tags`: quality control, deadlines and notifications, agent
policy; every feature configured by `hitl:` tags is versioned with no code
here). A feature that decides per loop reads the loop's version
(`pinned_flow(loop)`, `pinned_tags(loop)`); a sweep over a flow's loops groups
them by `HumanLoop.flow_version_id` and reads `flow_version_by_id(id).settings`. The work
team is pinned by the task rows (they carry it), the template by
`HumanLoop.template`, the lifetime by `HumanLoop.expires_at`.

Updates name the version they were based on; a stale base is a Conflict.
A template that drops an answer field that existing answers of a flow hold
is refused unless forced.
"""

from __future__ import annotations

import copy
import difflib
import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from flows.definitions import agent_policy, templates
from flows.loops import lookups
from flows.models import (
    FlowDefinition,
    FlowDefinitionVersion,
    HumanLoop,
    HumanTaskUi,
    HumanTaskUiVersion,
    ReviewTask,
    TaskTemplate,
)
from flows.quality import quality_config
from hitl.kernel import clock
from hitl.kernel.errors import Conflict, InvalidInput, NotFound
from hitl.kernel.process_cache import ProcessCache

# The FlowDefinition columns (attnames) a flow version holds and UpdateFlowDefinition may change.
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
# Not a column: the flow's tags with this prefix (quality_config.PREFIX), a version's `hitl:` settings.
HITL_TAGS = "hitl_tags"
SETTING_NAMES = (*EDITABLE_FIELDS, HITL_TAGS)

# Static `name="..."` attributes of form elements: the answer fields a template produces.
_FIELD_NAME = re.compile(r"<(?:crowd-[a-z-]+|input|select|textarea)\b[^>]*?\sname\s*=\s*[\"']([^\"'{}]+)[\"']", re.I)

# Versions never change once written, so a process may keep them for its whole life.
_versions: ProcessCache[FlowDefinitionVersion] = ProcessCache("flow definition versions")


# --- Reading ------------------------------------------------------------------------


def flow_version_by_id(version_id: int) -> FlowDefinitionVersion | None:
    """Return the flow version `version_id` with its task UI version and template (cached per process)."""
    return _versions.get(
        version_id,
        lambda: (
            FlowDefinitionVersion.objects.select_related("human_task_ui_version", "template")
            .filter(id=version_id)
            .first()
        ),
    )


def pinned_settings(loop: HumanLoop) -> dict[str, Any]:
    """Return the settings `loop` is reviewed with: its pinned version's, or (loops from before versions) the flow's.

    A setting a version predates (written before the setting was versioned) reads as the flow's.
    """
    version = flow_version_by_id(loop.flow_version_id) if loop.flow_version_id else None
    if version is not None and all(name in version.settings for name in SETTING_NAMES):
        return version.settings
    current = flow_settings(lookups.flow_by_id(loop.flow_definition_id))
    return current | (version.settings if version is not None else {})


def pinned_tags(loop: HumanLoop) -> list[dict[str, str]]:
    """Return the `hitl:` tags (Key/Value) of the version `loop` is pinned to: what quality_config.parse reads."""
    return pinned_settings(loop)[HITL_TAGS]


def pinned_flow(loop: HumanLoop) -> FlowDefinition:
    """Return `loop`'s flow definition as its pinned version defines it: an unsaved copy, for reading only.

    What reads a flow's settings for one loop (quality_config.of_flow, consolidation, adaptive
    overlap's extra task) reads this, so a version published later changes nothing for the loop.
    """
    flow = loop.flow_definition
    settings = pinned_settings(loop)
    if flow_settings(flow) == settings:
        return flow
    pinned = copy.copy(flow)
    for name in EDITABLE_FIELDS:
        setattr(pinned, name, settings[name])
    pinned.tags = _with_hitl_tags(flow.tags, settings[HITL_TAGS])
    return pinned


def pinned_time_limit(loop: HumanLoop) -> int:
    """Return the seconds a reviewer of `loop` has per task (TaskTimeLimitInSeconds of its pinned version)."""
    return pinned_settings(loop)["task_time_limit_seconds"]


def output_fields(loop: HumanLoop) -> dict[str, Any]:
    """Return the extra top-level output.json members naming the versions a loop ran with (A2I parsers ignore them)."""
    fields: dict[str, Any] = {}
    template = TaskTemplate.objects.filter(id=loop.template_id).values_list("sha256", flat=True).first()
    if template:
        fields["hitlTemplateSha256"] = template
    version = flow_version_by_id(loop.flow_version_id) if loop.flow_version_id else None
    if version is not None:
        fields["hitlFlowDefinitionVersion"] = version.number
        if version.human_task_ui_version is not None:
            fields["hitlHumanTaskUiVersion"] = version.human_task_ui_version.number
    return fields


def flow_settings(flow: FlowDefinition) -> dict[str, Any]:
    """Return the flow row's current editable settings by attname, and its `hitl:` tags."""
    return {name: getattr(flow, name) for name in EDITABLE_FIELDS} | {HITL_TAGS: hitl_tags_of(flow.tags)}


def hitl_tags_of(tags: list[dict[str, str]] | None) -> list[dict[str, str]]:
    """Return the `hitl:` tags among `tags`, sorted by Key (so equal settings compare equal)."""
    found = [{"Key": t["Key"], "Value": t["Value"]} for t in tags or () if t["Key"].startswith(quality_config.PREFIX)]
    return sorted(found, key=lambda tag: tag["Key"])


def _with_hitl_tags(tags: list[dict[str, str]], hitl_tags: list[dict[str, str]]) -> list[dict[str, str]]:
    """Return `tags` with its `hitl:` tags replaced by `hitl_tags` (other tags are A2I resource tags, unversioned)."""
    return [t for t in tags if not t["Key"].startswith(quality_config.PREFIX)] + list(hitl_tags)


def content_hash(settings: dict[str, Any], template_sha256: str) -> str:
    document = json.dumps({"settings": settings, "template": template_sha256}, sort_keys=True, default=str)
    return hashlib.sha256(document.encode("utf-8")).hexdigest()


# --- Publishing (first versions, at creation and in the data migration) ---------------------


def publish_first_ui_version(ui: HumanTaskUi, *, created_by: str = "") -> HumanTaskUiVersion:
    """Record version 1 of a new task UI (its creation template) and make it current."""
    return _publish_ui_version(ui, ui.template, created_by=created_by, note="Created")


def publish_first_flow_version(flow: FlowDefinition, *, created_by: str = "") -> FlowDefinitionVersion:
    """Record version 1 of a new flow definition (its creation settings) and make it current."""
    ui_version = flow.human_task_ui.current_version if flow.human_task_ui_id else None
    return _publish_flow_version(flow, flow_settings(flow), ui_version, created_by=created_by, note="Created")


def _publish_ui_version(ui: HumanTaskUi, template: TaskTemplate, *, created_by: str, note: str) -> HumanTaskUiVersion:
    number = (ui.current_version.number if ui.current_version_id else 0) + 1
    version = HumanTaskUiVersion.objects.create(
        human_task_ui=ui,
        number=number,
        template=template,
        content_sha256=template.sha256,
        created_by=created_by,
        created_at=clock.now(),
        note=note,
    )
    ui.template, ui.current_version = template, version
    ui.save(update_fields=["template", "current_version"])
    return version


def _publish_flow_version(
    flow: FlowDefinition,
    settings: dict[str, Any],
    ui_version: HumanTaskUiVersion | None,
    *,
    created_by: str,
    note: str,
) -> FlowDefinitionVersion:
    template = TaskTemplate.objects.get(id=settings["template_id"])
    latest = FlowDefinitionVersion.objects.filter(flow_definition=flow).order_by("-number").first()
    version = FlowDefinitionVersion.objects.create(
        flow_definition=flow,
        number=(latest.number if latest else 0) + 1,
        settings=settings,
        human_task_ui_version=ui_version,
        template=template,
        content_sha256=content_hash(settings, template.sha256),
        created_by=created_by,
        created_at=clock.now(),
        note=note,
    )
    columns = [name for name in settings if name != HITL_TAGS]
    for name in columns:
        setattr(flow, name, settings[name])
    flow.tags = _with_hitl_tags(flow.tags, settings[HITL_TAGS])
    flow.current_version = version
    flow.save(update_fields=[*(FlowDefinition._meta.get_field(n).name for n in columns), "tags", "current_version"])
    lookups.forget_flows()
    return version


# --- Updating -------------------------------------------------------------------------


@dataclass(frozen=True)
class UiUpdate:
    version: HumanTaskUiVersion
    flow_versions: list[FlowDefinitionVersion]


def update_human_task_ui(
    ui: HumanTaskUi,
    *,
    content: str,
    base_version: int | None,
    note: str = "",
    created_by: str = "",
    force: bool = False,
) -> UiUpdate:
    """Publish `content` as the UI's next version and move the live flows that use it to that version.

    The template is validated as at CreateHumanTaskUi. Raises Conflict when `base_version`
    is not the current version, InvalidInput when it removes answer fields in use (unless `force`).
    """
    templates.validate(content)
    with transaction.atomic():
        ui = HumanTaskUi.objects.select_for_update().get(pk=ui.pk)
        _check_base("human task UI", ui.name, ui.current_version.number if ui.current_version_id else 0, base_version)
        template = TaskTemplate.for_content(content)
        flows = list(
            FlowDefinition.objects.select_for_update().filter(human_task_ui=ui, deleted_at__isnull=True).order_by("id")
        )
        if not force:
            for flow in flows:
                _check_answer_fields(flow, content)
        version = _publish_ui_version(ui, template, created_by=created_by, note=note)
        flow_versions = [
            _publish_flow_version(
                flow,
                flow_settings(flow) | {"template_id": template.id},
                version,
                created_by=created_by,
                note=f"Task UI {ui.name} v{version.number}" + (f": {note}" if note else ""),
            )
            for flow in flows
        ]
    return UiUpdate(version=version, flow_versions=flow_versions)


def update_flow_definition(
    flow: FlowDefinition,
    changes: dict[str, Any],
    *,
    base_version: int | None,
    human_task_ui_version: int | None = None,
    note: str = "",
    created_by: str = "",
    force: bool = False,
) -> FlowDefinitionVersion:
    """Publish the flow's next version: its current settings with `changes` (attnames, already validated).

    `changes` may name a new `human_task_ui_id` (with its `human_task_ui_arn`); `human_task_ui_version`
    picks a version of the (new or current) task UI, its current version by default when the UI changes.
    Raises Conflict on a stale `base_version`, InvalidInput on unknown fields or answer fields in use.
    """
    unknown = set(changes) - set(SETTING_NAMES)
    if unknown:
        raise InvalidInput(f"These flow definition settings cannot be changed: {', '.join(sorted(unknown))}.")
    if HITL_TAGS in changes:
        changes = changes | {HITL_TAGS: validated_hitl_tags(changes[HITL_TAGS])}
    with transaction.atomic():
        flow = FlowDefinition.objects.select_for_update().get(pk=flow.pk)
        current = FlowDefinitionVersion.objects.filter(id=flow.current_version_id).first()
        _check_base("flow definition", flow.name, current.number if current else 0, base_version)
        settings = flow_settings(flow) | changes
        ui_version = current.human_task_ui_version if current else None
        ui_id = settings["human_task_ui_id"]
        if human_task_ui_version is not None or settings["human_task_ui_id"] != flow.human_task_ui_id:
            ui_version = _ui_version(ui_id, human_task_ui_version)
            settings["template_id"] = ui_version.template_id
        if settings["template_id"] != flow.template_id and not force:
            _check_answer_fields(flow, TaskTemplate.objects.get(id=settings["template_id"]).content)
        if current is not None and settings == current.settings and ui_version == current.human_task_ui_version:
            raise InvalidInput(
                f"The update changes nothing: flow definition {flow.name} v{current.number} is the same."
            )
        return _publish_flow_version(flow, settings, ui_version, created_by=created_by, note=note)


def validated_hitl_tags(tags: list[dict[str, str]]) -> list[dict[str, str]]:
    """Return a flow's new `hitl:` tags sorted, or raise InvalidInput as AddTags would (quality_config, agent_policy)."""
    for tag in tags:
        if not str(tag.get("Key", "")).startswith(quality_config.PREFIX):
            raise InvalidInput(f"Tag {tag.get('Key')!r} is not a hitl: setting; set other tags with AddTags.")
        if not isinstance(tag.get("Value"), str) or len(tag["Value"]) > 256:
            raise InvalidInput(f"Tag {tag['Key']} needs a text value of at most 256 characters.")
    if len({tag["Key"] for tag in tags}) != len(tags):
        raise InvalidInput("Each hitl: tag may be given once.")
    quality_config.parse(tags)
    agent_policy.parse(tags)
    return hitl_tags_of(tags)


def roll_back_flow_definition(
    flow: FlowDefinition, number: int, *, base_version: int | None, created_by: str = "", force: bool = False
) -> FlowDefinitionVersion:
    """Publish flow version `number`'s settings as a new version (history is never rewritten)."""
    old = FlowDefinitionVersion.objects.filter(flow_definition=flow, number=number).first()
    if old is None:
        raise NotFound(f"Flow definition {flow.name} has no version {number}.")
    changes = dict(old.settings)
    ui_number = old.human_task_ui_version.number if old.human_task_ui_version else None
    with transaction.atomic():
        version = update_flow_definition(
            flow,
            changes,
            base_version=base_version,
            human_task_ui_version=ui_number,
            note=f"Rollback to v{number}",
            created_by=created_by,
            force=force,
        )
        if version.human_task_ui_version_id != old.human_task_ui_version_id:
            FlowDefinitionVersion.objects.filter(id=version.id).update(human_task_ui_version=old.human_task_ui_version)
            version.human_task_ui_version = old.human_task_ui_version
    return version


def _ui_version(ui_id: int | None, number: int | None) -> HumanTaskUiVersion:
    versions = HumanTaskUiVersion.objects.filter(human_task_ui_id=ui_id)
    version = versions.filter(number=number).first() if number else versions.order_by("-number").first()
    if version is None:
        raise InvalidInput(
            f"The human task UI has no version {number}." if number else "The human task UI has no versions."
        )
    return version


def _check_base(kind: str, name: str, current: int, base: int | None) -> None:
    if base is not None and base != current:
        raise Conflict(
            f"The {kind} {name} is at version {current}, and this update was based on version {base}. "
            "Describe the current version, reapply your change to it, and send it again."
        )


# --- Answer fields --------------------------------------------------------------------


def template_fields(content: str) -> set[str]:
    """Return the static answer field names a template's form elements produce."""
    return set(_FIELD_NAME.findall(content))


def answer_fields_in_use(flow: FlowDefinition) -> set[str]:
    """Return the top-level answer fields that submitted answers of `flow` hold."""
    answers = ReviewTask.objects.filter(
        flow_definition=flow, state=ReviewTask.State.SUBMITTED, answer__isnull=False
    ).values_list("answer", flat=True)
    used: set[str] = set()
    for answer in answers.iterator():
        if isinstance(answer, dict):
            used.update(answer)
    return used


def _check_answer_fields(flow: FlowDefinition, content: str) -> None:
    missing = answer_fields_in_use(flow) - template_fields(content)
    if missing:
        raise InvalidInput(
            f"The new template of flow definition {flow.name} no longer has the answer fields "
            f"{', '.join(sorted(missing))}, which existing answers of this flow contain; downstream parsers of its "
            "output would break. Keep or rename them back, or force the update (Force=true)."
        )


# --- Diff -----------------------------------------------------------------------------


def diff_flow_versions(flow: FlowDefinition, a: int, b: int) -> str:
    """Return a unified diff of two flow versions: settings, then template text."""
    versions = {v.number: v for v in FlowDefinitionVersion.objects.filter(flow_definition=flow, number__in=(a, b))}
    for number in (a, b):
        if number not in versions:
            raise NotFound(f"Flow definition {flow.name} has no version {number}.")
    left, right = versions[a], versions[b]
    lines = list(
        difflib.unified_diff(
            _settings_lines(left), _settings_lines(right), f"v{a} settings", f"v{b} settings", lineterm=""
        )
    )
    lines += difflib.unified_diff(
        TaskTemplate.objects.get(id=left.template_id).content.splitlines(),
        TaskTemplate.objects.get(id=right.template_id).content.splitlines(),
        f"v{a} template",
        f"v{b} template",
        lineterm="",
    )
    return "\n".join(lines)


def diff_ui_versions(ui: HumanTaskUi, a: int, b: int) -> str:
    """Return a unified diff of two task UI versions' templates."""
    versions = {v.number: v for v in HumanTaskUiVersion.objects.filter(human_task_ui=ui, number__in=(a, b))}
    for number in (a, b):
        if number not in versions:
            raise NotFound(f"Human task UI {ui.name} has no version {number}.")
    return "\n".join(
        difflib.unified_diff(
            versions[a].template.content.splitlines(),
            versions[b].template.content.splitlines(),
            f"v{a}",
            f"v{b}",
            lineterm="",
        )
    )


def _settings_lines(version: FlowDefinitionVersion) -> list[str]:
    settings = dict(version.settings)
    settings.pop("template_id", None)
    tags = settings.pop(HITL_TAGS, [])
    lines = [f"{key}: {json.dumps(value)}" for key, value in sorted(settings.items())]
    return lines + [f"tag {tag['Key']}: {json.dumps(tag['Value'])}" for tag in tags]
