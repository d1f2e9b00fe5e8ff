"""A work team's qualification test (`hitl:qualification` on the work team): passed once, for every flow that opts in.

Set with CreateWorkteam's Tags or AddTags on the work team's ARN (boto3, no
new client) or in the admin: `N` or `N:ACCURACY`, the same value a flow's own
`hitl:qualification` takes. A flow opts in with `hitl:qualification=team`
(flows.quality.quality_config); its gold items give the test, and a reviewer
who passes it on any such flow of the team is qualified on all of them
(WorkteamQualification). A failed test holds the reviewer on all of them too,
until an admin deletes the verdict.
"""

from __future__ import annotations

from dataclasses import dataclass

from hitl.kernel.errors import InvalidInput

KEY = "hitl:qualification"
DEFAULT_ACCURACY = 0.8
MAX_ITEMS = 50


@dataclass(frozen=True)
class Qualification:
    gold_items: int
    accuracy: float


def parse_value(key: str, value: str, *, team_allowed: bool = False) -> Qualification | None:
    """Return the test `N` or `N:ACCURACY` asks for (None for off); raise InvalidInput saying what is allowed."""
    value = value.strip()
    if value in ("", "off"):
        return None
    count, _, accuracy = value.partition(":")
    allowed = "off, team, N or N:ACCURACY" if team_allowed else "off, N or N:ACCURACY"
    usage = f"Tag {key} must be {allowed} (1 <= N <= {MAX_ITEMS}, 0 < ACCURACY <= 1), not {value!r}."
    if not count.isdigit() or not 1 <= int(count) <= MAX_ITEMS:
        raise InvalidInput(usage)
    try:
        share = float(accuracy) if accuracy else DEFAULT_ACCURACY
    except ValueError:
        raise InvalidInput(usage) from None
    if not 0 < share <= 1:
        raise InvalidInput(usage)
    return Qualification(int(count), share)


def of_team_tags(tags: list[dict[str, str]] | None) -> Qualification | None:
    """Return the work team's test (None: the team has none, or its tag no longer parses)."""
    for tag in tags or ():
        if tag.get("Key") == KEY:
            try:
                return parse_value(KEY, tag.get("Value", ""))
            except InvalidInput:
                return None
    return None


def validate_team_tags(tags: list[dict[str, str]] | None) -> None:
    """Refuse a bad `hitl:qualification` on a work team (CreateWorkteam, AddTags, the admin)."""
    for tag in tags or ():
        if tag.get("Key") == KEY:
            parse_value(KEY, str(tag.get("Value", "")))
