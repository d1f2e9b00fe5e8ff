"""What a loop's page shows: each reviewer's answer drawn on the task, the consolidated answer, checks, timeline."""

from __future__ import annotations

import json
from typing import Any

from django.db.models import Q
from django.http import HttpRequest

from console import answer_view
from console.models import AnswerCheck
from flows.models import HumanLoop, ReviewTask
from inference_adapters.quality import flow_quality as quality
from review_ui import grants, rendering
from workforce.models import AuditRecord

TIMELINE_LIMIT = 200
_IMAGE_KEYS = ("taskObject", "image", "image1", "sourceImage")


def context(request: HttpRequest, loop: HumanLoop) -> dict[str, Any]:
    """Return the loop page's template context."""
    tasks = list(
        ReviewTask.objects.filter(human_loop=loop)
        .select_related("worker")
        .order_by("submitted_at", "accepted_at", "id")
    )
    submitted = [task for task in tasks if task.state == ReviewTask.State.SUBMITTED]
    text, image_url = _task_text(loop.input_json), _image_url(request, loop)
    reviewers = [
        {
            "task": task,
            "who": task.worker.get_username() if task.worker else "",
            "drawings": answer_view.drawings(task.answer, text=text, image_url=image_url),
        }
        for task in submitted
    ]
    checks = list(AnswerCheck.objects.filter(human_loop=loop).order_by("checked_at", "id"))
    corrections = [
        {"check": check, "drawings": answer_view.drawings(check.answer, text=text, image_url=image_url)}
        for check in checks
        if check.decision == AnswerCheck.Decision.CORRECTED
    ]
    consolidated = None
    if submitted:
        document = {
            "humanAnswers": [
                {"workerId": str(task.worker_id), "answerContent": task.answer or {}} for task in submitted
            ]
        }
        consolidated = quality.consolidate(document)
        consolidated["drawings"] = answer_view.drawings(
            consolidated["consolidatedAnswer"], text=text, image_url=image_url
        )
    latest = checks[-1] if checks else None
    return {
        "loop": loop,
        "input_text": json.dumps(loop.input_json, indent=2, ensure_ascii=False),
        "tasks": tasks,
        "reviewers": reviewers,
        "consolidated": consolidated,
        "agreement_rows": _agreement_rows(consolidated),
        "checks": checks,
        "corrections": corrections,
        "unwritten_corrections": any(not c["check"].written_to for c in corrections),
        "latest_check": latest,
        "correction_text": json.dumps(
            (consolidated or {}).get("consolidatedAnswer") or (submitted[-1].answer if submitted else {}), indent=2
        ),
        "timeline": timeline(loop, tasks, checks),
        "can_check": loop.status == HumanLoop.Status.COMPLETED,
    }


def timeline(loop: HumanLoop, tasks: list[ReviewTask], checks: list[AnswerCheck]) -> list[dict[str, Any]]:
    """Return the loop's events, oldest first: its start and finish, reviewers' claims and answers, API and admin
    actions from the audit trail, and the managers' checks."""
    events = [{"at": loop.created_at, "what": "Started", "who": "", "detail": loop.flow_definition.name}]
    records = (
        AuditRecord.objects.filter(account_id=loop.account_id, created_at__gte=loop.created_at)
        .filter(_audit_of(loop))
        .order_by("created_at", "id")[:TIMELINE_LIMIT]
    )
    for record in records:
        if record.operation == "StartHumanLoop":
            continue  # the "Started" line
        detail = record.result if record.result not in ("", "OK") else ""
        events.append({"at": record.created_at, "what": record.operation, "who": record.actor, "detail": detail})
    seen_task_records = any(record.kind == AuditRecord.Kind.TASK for record in records)
    if not seen_task_records:  # task actions are audited; without records, the task rows tell the story
        for task in tasks:
            who = task.worker.get_username() if task.worker else ""
            if task.accepted_at:
                events.append({"at": task.accepted_at, "what": "Claimed", "who": who, "detail": ""})
            if task.submitted_at:
                events.append({"at": task.submitted_at, "what": "Answered", "who": who, "detail": ""})
    for check in checks:
        events.append(
            {
                "at": check.checked_at,
                "what": check.get_decision_display(),
                "who": check.checked_by,
                "detail": check.note,
            }
        )
    if loop.finished_at:
        events.append({"at": loop.finished_at, "what": loop.status, "who": "", "detail": loop.output_s3_uri})
    return sorted(events, key=lambda event: event["at"])


def _audit_of(loop: HumanLoop) -> Q:
    return (
        Q(resource=loop.name, kind=AuditRecord.Kind.API)
        | Q(resource__endswith=f" human-loop/{loop.id}", kind=AuditRecord.Kind.TASK)
        | Q(resource__startswith=f"flows.humanloop/{loop.id} ", kind=AuditRecord.Kind.ADMIN)
    )


def _agreement_rows(consolidated: dict[str, Any] | None) -> list[dict[str, Any]]:
    if not consolidated:
        return []
    rows = []
    for path, decision in consolidated["fields"].items():
        agreement = consolidated["agreement"].get(path, {})
        rows.append(
            {
                "path": path,
                "answer": json.dumps(decision.get("answer"), ensure_ascii=False),
                "confidence": decision.get("confidence"),
                "method": decision.get("method"),
                "flagged": decision.get("flagged"),
                "votes": agreement.get("votes"),
                "pairwise": agreement.get("pairwiseAgreement"),
            }
        )
    return rows


def _task_text(task_input: Any) -> str | None:
    """Return the text entity spans count offsets in: the input's taskObject when it is text."""
    value = task_input.get("taskObject") if isinstance(task_input, dict) else None
    return value if isinstance(value, str) and not value.startswith(("s3://", "http://", "https://")) else None


def _image_url(request: HttpRequest, loop: HumanLoop) -> str | None:
    """Return a URL the manager's browser can load for the loop's input image (review_ui.rendering.object_link)."""
    task_input = loop.input_json if isinstance(loop.input_json, dict) else {}
    uri = next((task_input[k] for k in _IMAGE_KEYS if isinstance(task_input.get(k), str)), None)
    if not uri or not uri.startswith(("s3://", "http://", "https://")):
        return None
    object_grants = grants.ObjectGrants(
        account_id=loop.account_id, user_id=request.user.pk, actor=request.user.get_username()
    )
    return rendering.object_link(uri, object_grants=object_grants)
