"""Edit a flow definition from any surface: UpdateFlowDefinition, `manage.py edit_flow` and the admin (issue 17).

Each surface turns its input into one dict of requested changes (snake_case:
the FlowDefinition attnames of flows.definitions.versions.EDITABLE_FIELDS, with the work
team and task UI named by ARN, and `hitl_tags`); `edit_flow_definition`
resolves the names to the account's rows, validates every change as
CreateFlowDefinition does, and publishes the next version through
flows.definitions.versions. So the three surfaces accept and refuse exactly the same.
"""

from __future__ import annotations

import re
from typing import Any

from flows.definitions import services, versions
from flows.models import FlowDefinition, FlowDefinitionVersion
from flows.quality import quality_config
from hitl.kernel.errors import InvalidInput
from workforce.models import Account

# CreateFlowDefinition's limits (HumanLoopConfig), as (low, high) for numbers and max length for text.
NUMBER_LIMITS = {
    "task_count": (1, quality_config.MAX_TASK_COUNT),
    "task_availability_lifetime_seconds": (1, 864000),
    "task_time_limit_seconds": (30, 28800),
}
TEXT_LIMITS = {"task_title": 128, "task_description": 255}
MAX_KEYWORDS, MAX_KEYWORD_LENGTH = 5, 30
# The patterns the wire layer checks too (flows.api.sagemaker): a title with no control characters, keywords.
_TITLE = re.compile(r"^[\t\n\r -\uD7FF\uE000-\uFFFD]*$")
_KEYWORD = re.compile(r"^[A-Za-z0-9]+( [A-Za-z0-9]+)*$")

REQUESTABLE = (
    "workteam_arn",
    "human_task_ui_arn",
    *TEXT_LIMITS,
    "task_keywords",
    *NUMBER_LIMITS,
    "s3_output_path",
    "activation_conditions",
    versions.HITL_TAGS,
)


def edit_flow_definition(
    account: Account,
    flow: FlowDefinition,
    requested: dict[str, Any],
    *,
    base_version: int | None,
    human_task_ui_version: int | None = None,
    note: str = "",
    created_by: str = "",
    force: bool = False,
) -> FlowDefinitionVersion:
    """Validate `requested` (REQUESTABLE keys) as at creation and publish the flow's next version.

    Raises InvalidInput naming the first bad setting, NotFound-style InvalidInput for a team or
    task UI the account does not have, and flows.definitions.versions' Conflict on a stale `base_version`.
    """
    return versions.update_flow_definition(
        flow,
        flow_changes(account, flow, requested),
        base_version=base_version,
        human_task_ui_version=human_task_ui_version,
        note=note,
        created_by=created_by,
        force=force,
    )


def flow_changes(account: Account, flow: FlowDefinition, requested: dict[str, Any]) -> dict[str, Any]:
    """Return `requested` as checked FlowDefinition attnames (flows.definitions.versions.update_flow_definition's `changes`)."""
    unknown = set(requested) - set(REQUESTABLE)
    if unknown:
        raise InvalidInput(
            f"These flow definition settings cannot be changed: {', '.join(sorted(unknown))} "
            f"(changeable: {', '.join(REQUESTABLE)})."
        )
    changes = dict(requested)
    for name, (low, high) in NUMBER_LIMITS.items():
        if name in changes:
            value = changes[name]
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise InvalidInput(f"{name} must be a whole number from {low} to {high}, not {value!r}.")
    for name, limit in TEXT_LIMITS.items():
        if name in changes:
            value = changes[name]
            if not isinstance(value, str) or not 1 <= len(value) <= limit or not _TITLE.match(value):
                raise InvalidInput(f"{name} must be 1 to {limit} characters of text, not {value!r}.")
    if "task_keywords" in changes:
        _check_keywords(changes["task_keywords"])
    if "s3_output_path" in changes:
        services.validate_output_path(changes["s3_output_path"])
    if "activation_conditions" in changes:
        conditions = changes["activation_conditions"] or ""
        if conditions:
            services.validate_activation_conditions(flow.request_source, conditions)
        changes["activation_conditions"] = conditions
    if versions.HITL_TAGS in changes or "task_availability_lifetime_seconds" in changes:
        # Deadlines must end before the lifetime, and escalate to teams and reviewers that exist.
        services.validate_deadline_tags(
            account,
            changes.get(versions.HITL_TAGS, versions.hitl_tags_of(flow.tags)),
            changes.get("task_availability_lifetime_seconds", flow.task_availability_lifetime_seconds),
        )
    if "workteam_arn" in changes:
        changes["workteam_id"] = services.workteam_for_arn(account, changes.pop("workteam_arn")).id
    if "human_task_ui_arn" in changes:
        changes["human_task_ui_id"] = services.human_task_ui_for_arn(account, changes["human_task_ui_arn"]).id
    return changes


def _check_keywords(keywords: Any) -> None:
    if not isinstance(keywords, list) or len(keywords) > MAX_KEYWORDS:
        raise InvalidInput(f"task_keywords must be a list of at most {MAX_KEYWORDS} keywords.")
    for keyword in keywords:
        if not isinstance(keyword, str) or not 1 <= len(keyword) <= MAX_KEYWORD_LENGTH or not _KEYWORD.match(keyword):
            raise InvalidInput(
                f"Keyword {keyword!r}: up to {MAX_KEYWORD_LENGTH} letters or digits, words separated by one space."
            )
