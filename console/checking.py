"""Checking answers: accept a loop's answer, correct it, or send the loop back for another answer.

Each decision is an AnswerCheck row with who and when, and an audit record. A correction is only
recorded on a Completed loop, as its own answer: corrections.json (every correction of the loop,
oldest first, the same bytes for the same rows) is written beside output.json after the row
commits; output.json and the reviewers' answers are never touched. Sending back is the lifecycle's
operation (flows.loops.lifecycle.send_back_for_another_answer), which alone changes the loop's status.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.http import HttpRequest

from console.models import AnswerCheck
from flows.definitions.conditions import canonical_json
from flows.delivery import outputs
from flows.delivery.storage import get_store
from flows.loops import lifecycle
from flows.models import HumanLoop
from hitl.kernel import arns, client_json
from hitl.kernel.errors import InvalidInput
from workforce.audit import trail as audit

logger = logging.getLogger(__name__)
CORRECTIONS_NAME = "corrections.json"
Decision = AnswerCheck.Decision


def accept(request: HttpRequest, loop: HumanLoop, note: str = "") -> AnswerCheck:
    """Record that the loop's answer is accepted as it is (Completed loops only)."""
    _require_completed(loop, "accepted")
    return _record(request, loop, Decision.ACCEPTED, note=note)


def correct(request: HttpRequest, loop: HumanLoop, answer_text: str, note: str = "") -> AnswerCheck:
    """Record a corrected answer (a JSON object, within the client JSON limits) and write corrections.json."""
    _require_completed(loop, "corrected")
    try:
        answer = client_json.parse(answer_text)
    except client_json.ClientJsonError as exc:
        raise InvalidInput([f"The corrected answer is not valid JSON: {exc}"]) from None
    if not isinstance(answer, dict):
        raise InvalidInput(["The corrected answer must be a JSON object, like a reviewer's answerContent."])
    check = _record(request, loop, Decision.CORRECTED, note=note, answer=answer)
    transaction.on_commit(lambda: write_corrections(loop.id))
    return check


def send_back(request: HttpRequest, loop: HumanLoop, note: str = "") -> AnswerCheck:
    """Send a Completed loop back for one more reviewer's answer (flows.loops.lifecycle), and record it."""
    with transaction.atomic():
        lifecycle.send_back_for_another_answer(account=loop.account, name=loop.name)
        return _record(request, loop, Decision.SENT_BACK, note=note)


def corrections_key(output_key: str) -> str:
    """Return the key of corrections.json beside the output.json at `output_key`."""
    prefix = output_key.rsplit("/", 1)[0] if "/" in output_key else ""
    return f"{prefix}/{CORRECTIONS_NAME}" if prefix else CORRECTIONS_NAME


def corrections_document(loop: HumanLoop, checks: list[AnswerCheck]) -> dict[str, Any]:
    """Return corrections.json for a loop: every correction, oldest first, with who and when."""
    return {
        "flowDefinitionArn": arns.build("flow-definition", loop.account.aws_account_id, loop.flow_definition.name),
        "humanLoopName": loop.name,
        "corrections": [
            {
                "correctedBy": check.checked_by,
                "correctedAt": check.checked_at.isoformat(),
                "note": check.note,
                "answerContent": check.answer,
            }
            for check in checks
        ],
    }


def write_corrections(loop_id: int) -> str:
    """Write the loop's corrections.json beside its output.json and mark the rows written; return its URI.

    Safe to run again (the same rows give the same bytes). A storage failure is logged and the
    rows stay unwritten: the loop's page says so and the next correction writes them all.
    """
    loop = HumanLoop.objects.select_related("account", "flow_definition").get(id=loop_id)
    checks = list(AnswerCheck.objects.filter(human_loop=loop, decision=Decision.CORRECTED).order_by("checked_at", "id"))
    if not checks or not loop.output_s3_uri:
        return ""
    bucket, output_key = outputs.split_s3_path(loop.output_s3_uri)
    key = corrections_key(output_key)
    body = canonical_json(corrections_document(loop, checks)).encode("utf-8")
    try:
        get_store().put(bucket, key, body, content_type="application/json", kms_key_id=loop.flow_definition.kms_key_id)
    except Exception:
        logger.warning("corrections of loop %s not written", loop_id, exc_info=True)
        return ""
    uri = f"s3://{bucket}/{key}"
    AnswerCheck.objects.filter(id__in=[check.id for check in checks]).update(written_to=uri)
    return uri


def _require_completed(loop: HumanLoop, verb: str) -> None:
    if loop.status != HumanLoop.Status.COMPLETED:
        raise InvalidInput([f"Human loop {loop.name} is {loop.status}; only a Completed loop's answer can be {verb}."])


def _record(request: HttpRequest, loop: HumanLoop, decision: str, *, note: str, answer: Any = None) -> AnswerCheck:
    with transaction.atomic():
        check = AnswerCheck.objects.create(
            account=loop.account,
            human_loop=loop,
            decision=decision,
            answer=answer,
            note=note[:1024],
            checked_by=request.user.get_username(),
        )
        audit.record_admin(request, f"ConsoleAnswer{decision.title().replace('_', '')}", loop, note=note[:200])
    return check
