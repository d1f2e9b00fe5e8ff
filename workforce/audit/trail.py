"""The audit trail: who did what to which resource, when, with which result and request id.

Records are only ever inserted (AuditRecord refuses updates and deletes). Task
actions are written inside the caller's transaction, so a claim and its audit
row commit or roll back together.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from django.contrib.admin.models import LogEntry
from django.db import connection
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.http import HttpRequest

from hitl.kernel import clock
from hitl.kernel.request_context import get_request_id
from workforce.models import AuditRecord

# Parameters that name the resource an AWS operation acts on, most specific first.
_RESOURCE_PARAMS = (
    "HumanLoopName",
    "FlowDefinitionName",
    "HumanTaskUiName",
    "WorkteamName",
    "WorkforceName",
    "FlowDefinitionArn",
    "HumanTaskUiArn",
    "ResourceArn",
)


def record_api_call(request: HttpRequest, request_id: str, *, status_code: int = 200, result: str = "OK") -> None:
    """Record one AWS API call, successful or not, from what hitl.aws.views left on `request`."""
    params = getattr(request, "aws_params", None) or {}
    operation = getattr(request, "aws_operation", "") or _claimed_operation(request)
    access_key = getattr(request, "aws_access_key", None)
    access_key_id = access_key.access_key_id if access_key else _claimed_access_key_id(request)
    resource = next((str(params[name]) for name in _RESOURCE_PARAMS if params.get(name)), "")
    if not resource and operation == "ListHumanLoops":
        resource = str(params.get("FlowDefinitionArn", ""))
    _insert(
        kind=AuditRecord.Kind.API,
        request_id=request_id,
        account_id=access_key.account_id if access_key else None,
        actor=access_key_id,
        access_key_id=access_key_id[:20],
        operation=operation[:64],
        resource=resource[:1024],
        status_code=status_code,
        result=result,
        details={"method": request.method, "path": request.path},
    )


def _claimed_operation(request: HttpRequest) -> str:
    target = request.headers.get("X-Amz-Target", "")
    return target.split(".", 1)[-1] if target else f"{request.method} {request.path}"


def _claimed_access_key_id(request: HttpRequest) -> str:
    # Unauthenticated calls still name the key they claimed to be signed with.
    authorization = request.headers.get("Authorization", "")
    marker = "Credential="
    if marker not in authorization:
        return ""
    return authorization.split(marker, 1)[1].split("/", 1)[0][:20]


# What a task action's record names; flows.loops.hot_sql builds the same text in SQL from this one format.
TASK_RESOURCE = "review-task/{task_id} human-loop/{loop_id}"


def task_row(
    operation: str, actor: str, *, task_id: Any, loop_id: Any, account_id: Any, details: dict | None = None
) -> dict[str, Any]:
    """Return the columns (created_at aside) of a reviewer's claim, release or submit record."""
    return {
        "kind": AuditRecord.Kind.TASK.value,
        "request_id": get_request_id(),
        "account_id": account_id,
        "actor": actor,
        "access_key_id": "",
        "operation": operation,
        "resource": TASK_RESOURCE.format(task_id=task_id, loop_id=loop_id),
        "status_code": None,
        "result": "OK",
        "details": details or {},
    }


def record_task(operation: str, user: Any, task: Any, *, account_id: int | None, **details: Any) -> None:
    """Record a reviewer's claim, release or submit of a review task (inside the caller's transaction)."""
    row = task_row(
        operation,
        user.get_username(),
        task_id=task.id,
        loop_id=task.human_loop_id,
        account_id=account_id,
        details=details,
    )
    _insert(**row)


def record_refused_grant(*, account_id: int, actor: str, uri: str, reason: str, task_id: int | None) -> None:
    """Record an object a task page (or a preview, task_id None) asked to show and was refused."""
    _insert(
        kind=AuditRecord.Kind.TASK,
        request_id=get_request_id(),
        account_id=account_id,
        actor=actor[:150],
        access_key_id="",
        operation="GrantReadAccess",
        resource=uri[:1024],
        status_code=403,
        result="AccessDenied",
        details={"reason": reason, "reviewTask": task_id},
    )


def record_delivery_failure(
    operation: str, *, resource: str, account_id: int | None, error: str, status_code: int | None = None
) -> None:
    """Record a failed attempt of outbound work (an output write, a webhook delivery) by a background task."""
    _insert(
        kind=AuditRecord.Kind.LOOP,
        request_id=get_request_id(),
        account_id=account_id,
        actor="hitl",
        access_key_id="",
        operation=operation,
        resource=resource[:1024],
        status_code=status_code,
        result="Failed",
        details={"error": error[:2000]},
    )


def record_quality(operation: str, *, account_id: int, resource: str, **details: Any) -> None:
    """Record a quality-control decision hitl took itself (a reviewer paused on a flow), in the caller's transaction."""
    _insert(
        kind=AuditRecord.Kind.TASK,
        request_id=get_request_id(),
        account_id=account_id,
        actor="hitl",
        access_key_id="",
        operation=operation,
        resource=resource[:1024],
        status_code=None,
        result="OK",
        details=details,
    )


def _insert(**columns: Any) -> None:
    """Insert one record without the ORM's per-call query compilation (every API call and task action writes one).

    A plain INSERT, the same on SQLite and PostgreSQL; values are adapted as the ORM would.
    """
    ops = connection.ops
    columns = {
        "created_at": ops.adapt_datetimefield_value(clock.now()),
        **columns,
        "details": json.dumps(columns["details"]),
    }
    names = ", ".join(ops.quote_name(name) for name in columns)
    placeholders = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {AuditRecord._meta.db_table} ({names}) VALUES ({placeholders})", list(columns.values())
        )


def record_admin(request: HttpRequest, operation: str, obj: Any, *, result: str = "OK", **details: Any) -> AuditRecord:
    """Record an operator's action taken through the admin (actions, invitations, key rotation)."""
    return AuditRecord.objects.create(
        kind=AuditRecord.Kind.ADMIN,
        request_id=get_request_id(),
        account_id=getattr(obj, "account_id", None),
        actor=request.user.get_username(),
        operation=operation[:64],
        resource=f"{obj._meta.label_lower}/{obj.pk} {obj}"[:1024],
        result=result[:64],
        details=details,
    )


@receiver(post_save, sender=LogEntry, dispatch_uid="audit_admin_log_entry")
def _record_admin_log_entry(sender: type, instance: LogEntry, created: bool, **kwargs: Any) -> None:
    """Mirror every Django admin add/change/delete into the audit trail."""
    if not created:
        return
    operation = {1: "AdminAdd", 2: "AdminChange", 3: "AdminDelete"}.get(instance.action_flag, "AdminAction")
    AuditRecord.objects.create(
        kind=AuditRecord.Kind.ADMIN,
        request_id=get_request_id(),
        actor=instance.user.get_username() if instance.user_id else "",
        operation=operation,
        resource=f"{instance.content_type.app_label}.{instance.content_type.model}/{instance.object_id} "
        f"{instance.object_repr}"[:1024],
        result="OK",
        details={"change_message": instance.get_change_message()},
    )


def as_json(record: AuditRecord) -> dict[str, Any]:
    """Return the export form of one record (one JSON line)."""
    return {
        "id": record.id,
        "time": record.created_at.isoformat(),
        "kind": record.kind,
        "requestId": record.request_id,
        "accountId": record.account.aws_account_id if record.account_id else None,
        "actor": record.actor,
        "accessKeyId": record.access_key_id or None,
        "operation": record.operation,
        "resource": record.resource,
        "statusCode": record.status_code,
        "result": record.result,
        "details": record.details,
    }


def json_lines(records: Iterable[AuditRecord]) -> Iterator[str]:
    """Yield each record as one JSON line (newline-terminated), oldest first as given."""
    for record in records:
        yield json.dumps(as_json(record), sort_keys=True, separators=(",", ":")) + "\n"
