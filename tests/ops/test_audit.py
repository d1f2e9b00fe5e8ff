"""The audit trail: API calls, reviewer task actions and admin changes, append-only and exportable."""

from __future__ import annotations

import io
import json

import pytest
from botocore.exceptions import ClientError
from django.core.management import call_command

from flows.loops import lifecycle
from tests import factories as f
from workforce import access_keys
from workforce.models import AuditRecord


@pytest.mark.django_db(transaction=True)
def test_every_api_call_is_recorded_with_who_operation_resource_result_and_request_id(boto_client):
    acct = f.account()
    team = f.workteam(acct, members=[f.user()])
    flow = f.flow_definition(acct, team)
    new = access_keys.create_access_key(acct)
    runtime = boto_client("sagemaker-a2i-runtime", new)

    started = runtime.start_human_loop(
        HumanLoopName="audited-1",
        FlowDefinitionArn=f.flow_arn(flow),
        HumanLoopInput={"InputContent": '{"taskObject": "x"}'},
    )
    # An SDK retry of the same start answers the same loop; a different start under the name is refused.
    # Each call has exactly one record, whatever happened to the transaction it ran in.
    runtime.start_human_loop(
        HumanLoopName="audited-1",
        FlowDefinitionArn=f.flow_arn(flow),
        HumanLoopInput={"InputContent": '{"taskObject": "x"}'},
    )
    with pytest.raises(ClientError) as taken:
        runtime.start_human_loop(
            HumanLoopName="audited-1",
            FlowDefinitionArn=f.flow_arn(flow),
            HumanLoopInput={"InputContent": '{"taskObject": "y"}'},
        )
    with pytest.raises(ClientError) as missing:
        runtime.describe_human_loop(HumanLoopName="nope")
    forged = access_keys.create_access_key(acct)
    forged = type(forged)(access_key=forged.access_key, secret_access_key="wrong" * 8)
    with pytest.raises(ClientError):
        boto_client("sagemaker-a2i-runtime", forged).describe_human_loop(HumanLoopName="audited-1")

    records = list(AuditRecord.objects.filter(kind="api").order_by("id"))
    assert taken.value.response["Error"]["Code"] == "ConflictException"
    assert [(r.operation, r.resource, r.status_code, r.result) for r in records[:4]] == [
        ("StartHumanLoop", "audited-1", 200, "OK"),
        ("StartHumanLoop", "audited-1", 200, "OK"),
        ("StartHumanLoop", "audited-1", 409, "ConflictException"),
        ("DescribeHumanLoop", "nope", 404, "ResourceNotFoundException"),
    ]
    # Rejected before routing: the operation is named by method and path.
    assert (records[4].operation, records[4].status_code) == ("GET /human-loops/audited-1", 403)
    assert len(records) == 5
    assert records[0].actor == new.access_key.access_key_id and records[0].account_id == acct.id
    assert records[0].request_id == started["ResponseMetadata"]["RequestId"]
    assert records[2].request_id == taken.value.response["ResponseMetadata"]["RequestId"]
    assert records[3].request_id == missing.value.response["ResponseMetadata"]["RequestId"]
    # An unauthenticated call still names the key it claimed, but no account.
    assert records[4].actor == forged.access_key.access_key_id and records[4].account_id is None
    assert records[4].result in ("InvalidSignatureException", "SignatureDoesNotMatch", "UnrecognizedClientException")


@pytest.mark.django_db
def test_claim_release_and_submit_are_recorded_in_the_same_transaction(django_capture_on_commit_callbacks):
    acct = f.account()
    ana = f.user("ana")
    team = f.workteam(acct, members=[ana])
    flow = f.flow_definition(acct, team)
    for name in ("a", "b"):
        lifecycle.start_human_loop(account=acct, name=name, flow_definition_arn=f.flow_arn(flow), input_content="{}")

    first = lifecycle.claim_next_task(ana)
    lifecycle.release_task(ana, first.id)
    second = lifecycle.claim_next_task(ana)
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.submit_task(ana, second.id, {"label": "ok"})

    rows = list(AuditRecord.objects.filter(kind="task").order_by("id").values_list("operation", "actor", "resource"))
    assert rows == [
        ("ClaimTask", "ana", f"review-task/{first.id} human-loop/{first.human_loop_id}"),
        ("ReleaseTask", "ana", f"review-task/{first.id} human-loop/{first.human_loop_id}"),
        ("ClaimTask", "ana", f"review-task/{second.id} human-loop/{second.human_loop_id}"),
        ("SubmitTask", "ana", f"review-task/{second.id} human-loop/{second.human_loop_id}"),
    ]
    assert set(AuditRecord.objects.filter(kind="task").values_list("account_id", flat=True)) == {acct.id}


@pytest.mark.django_db
def test_audit_records_cannot_be_changed_or_deleted():
    record = AuditRecord.objects.create(kind="api", operation="StartHumanLoop", actor="AKIA1")

    record.result = "forged"
    with pytest.raises(PermissionError):
        record.save()
    with pytest.raises(PermissionError):
        record.delete()
    with pytest.raises(PermissionError):
        AuditRecord.objects.filter(id=record.id).update(actor="someone else")
    with pytest.raises(PermissionError):
        AuditRecord.objects.all().delete()
    assert AuditRecord.objects.get(id=record.id).actor == "AKIA1"


@pytest.mark.django_db
def test_audit_admin_filters_and_exports_json_lines(client, django_user_model):
    acct = f.account()
    AuditRecord.objects.create(kind="api", operation="StartHumanLoop", actor="AKIAONE", account=acct, resource="l1")
    AuditRecord.objects.create(kind="task", operation="SubmitTask", actor="ana", resource="review-task/1")
    client.force_login(django_user_model.objects.create_superuser("root", "r@example.com", "pw"))

    listing = client.get("/admin/workforce/auditrecord/", {"kind__exact": "task"}).content.decode()
    assert "SubmitTask" in listing and "AKIAONE" not in listing
    exported = client.post(
        "/admin/workforce/auditrecord/",
        {"action": "export_json_lines", "_selected_action": list(AuditRecord.objects.values_list("id", flat=True))},
    )
    assert exported["Content-Type"] == "application/x-ndjson"
    lines = [json.loads(line) for line in b"".join(exported.streaming_content).decode().splitlines()]
    assert [(x["operation"], x["actor"], x["accountId"]) for x in lines] == [
        ("StartHumanLoop", "AKIAONE", acct.aws_account_id),
        ("SubmitTask", "ana", None),
    ]
    # The export itself is an admin action on the audit trail, and no record can be edited from the admin.
    assert client.get(f"/admin/workforce/auditrecord/{AuditRecord.objects.first().id}/change/").status_code == 200
    assert client.post(f"/admin/workforce/auditrecord/{AuditRecord.objects.first().id}/delete/").status_code == 403


@pytest.mark.django_db
def test_export_audit_command_writes_filtered_json_lines(tmp_path):
    AuditRecord.objects.create(kind="api", operation="StartHumanLoop", actor="AKIAONE", request_id="r-1")
    AuditRecord.objects.create(kind="admin", operation="AdminChange", actor="root", request_id="r-2")

    out = io.StringIO()
    call_command("export_audit", "--kind", "api", stdout=out)
    assert [json.loads(line)["requestId"] for line in out.getvalue().splitlines()] == ["r-1"]

    target = tmp_path / "audit.jsonl"
    call_command("export_audit", "--since", "2000-01-01", "-o", str(target))
    assert [json.loads(line)["operation"] for line in target.read_text().splitlines()] == [
        "StartHumanLoop",
        "AdminChange",
    ]
