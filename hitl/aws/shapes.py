"""Wire <-> domain helpers shared by the control-plane handlers.

Protocol: JSON 1.1 (`sagemaker`). Timestamps go out as epoch seconds with a
millisecond fraction; list pages use an opaque keyset NextToken (hitl.aws.tokens:
the sort key and id of the last row returned), never an OFFSET.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from hitl.aws import tokens
from hitl.aws.validation import Validator
from hitl.kernel.errors import InvalidInput

NAME_PATTERNS = {
    "flow-definition": r"[a-z0-9](-*[a-z0-9]){0,62}",
    "human-task-ui": r"[a-z0-9](-*[a-z0-9])*",
    "workteam": r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}",
    "workforce": r"[a-zA-Z0-9]([a-zA-Z0-9\-]){0,62}",
}
TAG_PATTERN = r"([\p{L}\p{Z}\p{N}_.:/=+\-@]*)"
SORT_ORDERS = ("Ascending", "Descending")
MAX_TAGS = 50


def epoch(value: dt.datetime) -> float:
    """Return `value` as JSON 1.1 epoch seconds with millisecond precision.

    Truncated, not rounded: a value echoed back as CreationTimeAfter (>=) must
    still include the row it came from.
    """
    return math.floor(value.timestamp() * 1000) / 1000


def tags(v: Validator, name: str = "Tags") -> list[dict[str, str]]:
    """Validate a TagList member and return it as [{"Key", "Value"}] (empty when absent)."""
    items = v.list(name, max_items=MAX_TAGS) or []
    result = []
    for index, item in enumerate(items):
        member = f"{name}.{index + 1}"
        if not isinstance(item, dict):
            v.fail(member, item, "Member must be a structure")
            continue
        tag = Validator(item, prefix=f"{v.prefix}.{member}" if v.prefix else member, errors=v.errors)
        key = tag.string("Key", required=True, min_len=1, max_len=128, pattern=TAG_PATTERN)
        value = tag.string("Value", required=True, max_len=256, pattern=TAG_PATTERN)
        if key is not None and value is not None:
            result.append({"Key": key, "Value": value})
    return result


@dataclass(frozen=True)
class ListParams:
    """The common members of a List* request, validated."""

    created_after: dt.datetime | None
    created_before: dt.datetime | None
    descending: bool
    sort_by_name: bool
    name_contains: str | None
    max_results: int
    next_token: str | None


def list_params(
    body: dict[str, Any],
    *,
    default_order: str,
    sort_by: bool = False,
    name_contains_pattern: str | None = None,
) -> ListParams:
    """Validate CreationTime filters, SortOrder, SortBy, NameContains, MaxResults and NextToken."""
    v = Validator(body)
    created_after = v.timestamp("CreationTimeAfter")
    created_before = v.timestamp("CreationTimeBefore")
    order = v.string("SortOrder", enum=SORT_ORDERS, default=default_order)
    sort_field = v.string("SortBy", enum=("Name", "CreateDate"), default="CreateDate") if sort_by else "CreateDate"
    name_contains = None
    if name_contains_pattern:
        name_contains = v.string("NameContains", max_len=63, pattern=name_contains_pattern)
    max_results = v.integer("MaxResults", min_value=1, max_value=100, default=10)
    next_token = v.string("NextToken", max_len=8192)
    v.done()
    return ListParams(
        created_after=created_after,
        created_before=created_before,
        descending=order == "Descending",
        sort_by_name=sort_field == "Name",
        name_contains=name_contains,
        max_results=max_results,
        next_token=next_token,
    )


def filter_created(queryset: QuerySet, params: ListParams, field: str = "created_at") -> QuerySet:
    """Apply CreationTimeAfter (inclusive) and CreationTimeBefore (exclusive)."""
    if params.created_after is not None:
        queryset = queryset.filter(**{f"{field}__gte": params.created_after})
    if params.created_before is not None:
        queryset = queryset.filter(**{f"{field}__lt": params.created_before})
    return queryset


def page(queryset: QuerySet, params: ListParams, *, sort_field: str) -> tuple[list[Any], str | None]:
    """Return one keyset page of `queryset` ordered by (`sort_field`, id) and the NextToken, if more rows exist."""
    direction = "-" if params.descending else ""
    queryset = queryset.order_by(f"{direction}{sort_field}", f"{direction}id")
    filters = _token_filters(queryset, params, sort_field)
    if params.next_token:
        key, last_id = _position(tokens.redeem(params.next_token, filters), sort_field)
        op = "lt" if params.descending else "gt"
        queryset = queryset.filter(Q(**{f"{sort_field}__{op}": key}) | Q(**{sort_field: key, f"id__{op}": last_id}))
    rows = list(queryset[: params.max_results + 1])
    if len(rows) <= params.max_results:
        return rows, None
    rows = rows[: params.max_results]
    key = getattr(rows[-1], sort_field)
    return rows, tokens.issue([key.isoformat() if isinstance(key, dt.datetime) else key, rows[-1].id], filters)


def _token_filters(queryset: QuerySet, params: ListParams, sort_field: str) -> dict[str, Any]:
    # Binds a token to the listing it came from: same resource type, order and filters.
    return {
        "model": queryset.model._meta.label,
        "sort": sort_field,
        "descending": params.descending,
        "after": params.created_after.isoformat() if params.created_after else None,
        "before": params.created_before.isoformat() if params.created_before else None,
        "name": params.name_contains,
    }


def _position(position: list[Any], sort_field: str) -> tuple[Any, int]:
    try:
        key, last_id = position
        if sort_field.endswith("_at"):
            key = dt.datetime.fromisoformat(key)
        if not isinstance(last_id, int) or not isinstance(key, str | dt.datetime):
            raise TypeError(last_id)
    except (ValueError, TypeError):
        raise InvalidInput("The NextToken is invalid or belongs to a different request.") from None
    return key, last_id
