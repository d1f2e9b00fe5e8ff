"""Bulk start (flows/loops/bulk.py and `manage.py bulk_start`): the same rules and the same loops as StartHumanLoop."""

import json

import pytest
from django.core.management import CommandError, call_command

from flows.delivery.storage import get_store
from flows.loops import lifecycle
from flows.loops.bulk import BulkItem, bulk_start_human_loops
from flows.models import HumanLoop, ReviewTask
from hitl.kernel.errors import Conflict, InvalidInput, QuotaExceeded
from tests import factories as f


@pytest.fixture
def setup():
    acct = f.account()
    alice, bob = f.user("alice"), f.user("bob")
    team = f.workteam(acct, members=[alice, bob])
    flow = f.flow_definition(acct, team, task_count=2)
    return acct, flow, alice, bob


@pytest.mark.django_db(transaction=True)
def test_bulk_loops_match_single_start_and_complete_end_to_end(setup):
    acct, flow, alice, bob = setup
    single = lifecycle.start_human_loop(
        account=acct, name="single", flow_definition_arn=f.flow_arn(flow), input_content='{"taskObject": "a"}'
    ).loop
    items = [BulkItem(f"bulk-{i}", json.dumps({"taskObject": f"text {i}"})) for i in range(7)]
    summary = bulk_start_human_loops(acct, flow, items, batch_size=3, writers=1)  # several batches, in order
    assert (summary.created, summary.existing, summary.failures) == (7, 0, [])

    loop = HumanLoop.objects.get(name="bulk-3")
    assert loop.status == "InProgress"
    assert loop.input_json == {"taskObject": "text 3"}
    assert loop.input_content == items[3].input_content
    assert loop.template_id == single.template_id
    assert loop.expires_at - loop.created_at == single.expires_at - single.created_at
    tasks = list(ReviewTask.objects.filter(human_loop=loop))
    assert len(tasks) == 2
    assert {(t.state, t.workteam_id, t.flow_definition_id, t.available_until) for t in tasks} == {
        ("open", flow.workteam_id, flow.id, loop.expires_at)
    }

    # The oldest task first: the single loop, then the bulk loops in file order.
    claimed = [lifecycle.claim_next_task(alice) for _ in range(3)]
    assert [t.human_loop.name for t in claimed] == ["single", "bulk-0", "bulk-1"]
    task_b = lifecycle.claim_next_task(bob)
    assert task_b.human_loop.name == "single"
    for reviewer, task in ((alice, claimed[1]), (bob, lifecycle.claim_next_task(bob))):
        assert task.human_loop.name == "bulk-0"
        lifecycle.submit_task(reviewer, task.id, {"sentiment": {"label": reviewer.username}})
    done = HumanLoop.objects.get(name="bulk-0")
    assert done.status == "Completed"
    bucket, key = done.output_s3_uri.removeprefix("s3://").split("/", 1)
    document = json.loads(get_store().get(bucket, key))
    assert document["inputContent"] == {"taskObject": "text 0"}
    assert [a["answerContent"]["sentiment"]["label"] for a in document["humanAnswers"]] == ["alice", "bob"]


@pytest.mark.django_db
def test_each_item_gets_start_human_loops_answer(setup):
    acct, flow, _, _ = setup
    lifecycle.start_human_loop(
        account=acct, name="taken", flow_definition_arn=f.flow_arn(flow), input_content='{"a": 1}'
    )
    items = [
        {"HumanLoopName": "ok-1", "InputContent": '{"a": 1}'},
        {"HumanLoopName": "taken", "InputContent": '{"a": 1}'},  # identical retry: the existing loop
        {"HumanLoopName": "taken", "InputContent": '{"a": 2}'},  # different input: Conflict
        {"HumanLoopName": "Bad_Name", "InputContent": "{}"},
        {"HumanLoopName": "not-json", "InputContent": "{nope"},
        {"HumanLoopName": "ok-2", "HumanLoopInput": {"InputContent": "[1, 2]"}},
        {"HumanLoopName": "ok-2", "HumanLoopInput": {"InputContent": "[1, 2]"}},  # repeated in the batch
        {"HumanLoopName": "ok-1", "InputContent": '{"a": 9}'},  # same name, other input, same batch
        {"HumanLoopName": "attrs", "InputContent": "{}", "DataAttributes": {"ContentClassifiers": ["Nope"]}},
    ]
    summary = bulk_start_human_loops(acct, flow, items)
    assert (summary.created, summary.existing) == (2, 2)
    assert [(x.index, type(x.error)) for x in summary.failures] == [
        (2, Conflict),
        (3, InvalidInput),
        (4, InvalidInput),
        (7, Conflict),
        (8, InvalidInput),
    ]
    assert "humanLoopName" in summary.failures[1].error.message
    assert set(HumanLoop.objects.values_list("name", flat=True)) == {"taken", "ok-1", "ok-2"}
    assert ReviewTask.objects.count() == 3 * flow.task_count

    again = bulk_start_human_loops(acct, flow, items[:2])  # a retried file creates nothing new
    assert (again.created, again.existing, again.failures) == (0, 2, [])


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_apply_the_same_rules_across_batches(setup):
    """On PostgreSQL two writer threads insert batches at once; a name repeated in a later batch still
    gets the existing loop (identical) or a Conflict (different), never a second loop."""
    acct, flow, _, _ = setup
    items = [BulkItem(f"par-{i}", json.dumps({"i": i})) for i in range(12)]
    items += [BulkItem("par-1", json.dumps({"i": 1})), BulkItem("par-2", '{"other": true}')]
    summary = bulk_start_human_loops(acct, flow, items, batch_size=4, writers=2)
    assert (summary.created, summary.existing) == (12, 1)
    assert [(x.index, x.name, type(x.error)) for x in summary.failures] == [(13, "par-2", Conflict)]
    assert HumanLoop.objects.filter(name__startswith="par-").count() == 12
    assert ReviewTask.objects.filter(human_loop__name__startswith="par-").count() == 12 * flow.task_count


@pytest.mark.django_db
def test_quota_and_inactive_flow(setup, settings):
    acct, flow, _, _ = setup
    settings.HITL_ACTIVE_LOOP_QUOTA = 3
    summary = bulk_start_human_loops(acct, flow, [BulkItem(f"q-{i}", "{}") for i in range(5)], batch_size=2)
    assert summary.created == 3
    assert [type(x.error) for x in summary.failures] == [QuotaExceeded, QuotaExceeded]
    flow.status = "Failed"
    flow.save()
    with pytest.raises(InvalidInput, match="not Active"):
        bulk_start_human_loops(acct, flow, [BulkItem("late", "{}")])


@pytest.mark.django_db
def test_bulk_start_command_reads_jsonl(setup, tmp_path, capsys):
    acct, flow, _, _ = setup
    path = tmp_path / "loops.jsonl"
    lines = [json.dumps({"HumanLoopName": f"cmd-{i}", "InputContent": json.dumps({"i": i})}) for i in range(4)]
    path.write_text("\n".join(lines) + "\n\n")
    call_command("bulk_start", str(path), account=acct.name, flow=f.flow_arn(flow))
    assert "created=4 existing=0 not_activated=0 failed=0" in capsys.readouterr().out
    assert HumanLoop.objects.get(name="cmd-2").input_json == {"i": 2}

    path.write_text(lines[0] + "\nnot json\n")
    with pytest.raises(CommandError, match="1 of 2 items failed"):
        call_command("bulk_start", str(path), account=acct.aws_account_id, flow=flow.name)
    assert "item 2 (): InvalidInput: Item 2 is not JSON" in capsys.readouterr().err


@pytest.mark.django_db
def test_bulk_start_command_takes_input_content_as_an_object_and_reports_progress_per_batch(setup, tmp_path, capsys):
    acct, flow, _, _ = setup
    path = tmp_path / "loops.jsonl"
    lines = [{"HumanLoopName": f"obj-{i}", "InputContent": {"taskObject": f"text {i}", "n": i}} for i in range(5)]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    call_command("bulk_start", str(path), account=acct.name, flow=flow.name, batch_size=2, writers=1)
    captured = capsys.readouterr()
    assert "created=5 existing=0 not_activated=0 failed=0" in captured.out
    progress = [line for line in captured.err.splitlines() if "items" in line]
    assert [line.split(":")[0] for line in progress] == [
        "2 of 5 items (40%)",
        "4 of 5 items (80%)",
        "5 of 5 items (100%)",
    ]
    loop = HumanLoop.objects.get(name="obj-3")
    assert loop.input_json == {"taskObject": "text 3", "n": 3}
    assert json.loads(loop.input_content) == {"taskObject": "text 3", "n": 3}

    # The same file again: every object serializes to the same InputContent, so each loop already exists.
    call_command("bulk_start", str(path), account=acct.name, flow=flow.name, quiet=True)
    captured = capsys.readouterr()
    assert "created=0 existing=5" in captured.out and captured.err == ""


@pytest.mark.django_db
def test_bulk_start_applies_a_tool_call_review_flows_agent_policy(setup, tmp_path, capsys):
    """The same policy as StartHumanLoop (flows.definitions.activation.admit): refused requests fail, auto-approved ones start
    no loop, the rest start one."""
    acct, flow, _, _ = setup
    flow.tags = [
        {"Key": "hitl:agent:allowed-decisions:refund", "Value": "approve reject"},
        {"Key": "hitl:agent:auto-approve:read_file", "Value": "path=/tmp/"},
    ]
    flow.save(update_fields=["tags"])

    def hitl_request(tool: str, args: dict, decisions: list[str]) -> str:
        return json.dumps(
            {
                "action_requests": [{"name": tool, "args": args, "description": tool}],
                "review_configs": [{"action_name": tool, "allowed_decisions": decisions}],
            }
        )

    lines = [
        {"HumanLoopName": "needs-person", "InputContent": hitl_request("refund", {"order": 1}, ["approve", "reject"])},
        {"HumanLoopName": "offers-edit", "InputContent": hitl_request("refund", {"order": 2}, ["approve", "edit"])},
        {"HumanLoopName": "auto", "InputContent": hitl_request("read_file", {"path": "/tmp/x"}, ["approve"])},
        {"HumanLoopName": "not-a-request", "InputContent": '{"taskObject": "text"}'},
    ]
    path = tmp_path / "agent.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    with pytest.raises(CommandError, match="2 of 4 items failed"):
        call_command("bulk_start", str(path), account=acct.name, flow=f.flow_arn(flow))
    out = capsys.readouterr()
    assert "created=1 existing=0 not_activated=1 failed=2" in out.out
    text = out.out + out.err
    assert "allows only approve, reject for refund" in text and "must be a LangChain HITLRequest" in text
    assert list(HumanLoop.objects.values_list("name", flat=True)) == ["needs-person"]
