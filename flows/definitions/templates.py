"""Task templates' validity: the checks CreateHumanTaskUi and UpdateHumanTaskUi run before storing one.

Whether the portal can render a template is the portal's knowledge, so flows offers the
interface and review_ui registers its check (`rendering.validate_template`) in
AppConfig.ready. services (create) and versions (update) both call `validate`.
"""

from __future__ import annotations

from collections.abc import Callable

TEMPLATE_VALIDATORS: list[Callable[[str], None]] = []


def register_validator(validator: Callable[[str], None]) -> None:
    """Add a check that raises InvalidInput (naming line and reason) for a template that cannot be rendered."""
    if validator not in TEMPLATE_VALIDATORS:
        TEMPLATE_VALIDATORS.append(validator)


def validate(content: str) -> None:
    """Check a task template as CreateHumanTaskUi does (and UpdateHumanTaskUi, which reuses it)."""
    if not TEMPLATE_VALIDATORS:
        raise RuntimeError("No template validator is registered (review_ui registers one in AppConfig.ready).")
    for validator in TEMPLATE_VALIDATORS:
        validator(content)
