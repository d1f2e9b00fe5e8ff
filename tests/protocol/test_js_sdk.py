"""The AWS SDK for JavaScript v3 (`@aws-sdk/client-sagemaker-a2i-runtime`, `@aws-sdk/client-sagemaker`) against hitl.

The clients are installed from npm by the test setup (tests/protocol/js, cached in
var/js-clients/) and run by Node in a subprocess: modeled exception classes,
paginators and HTTP statuses are what a TypeScript customer's code sees.
"""

from __future__ import annotations

import json

from flows.loops import lifecycle
from tests.factories import SENTIMENT_TEMPLATE
from tests.protocol.test_control_plane_setup_story import OIDC


def runtime(command: str, **members) -> dict:
    return {"client": "runtime", "command": command, "input": members}


def sagemaker(command: str, **members) -> dict:
    return {"client": "sagemaker", "command": command, "input": members}


def outputs(results: list[dict]) -> list[dict]:
    for result in results:
        assert "error" not in result, result
    return [result.get("output", result.get("pages")) for result in results]


def loop_input(text: str) -> dict:
    return {"InputContent": json.dumps({"taskObject": text})}


def test_the_js_sdk_sets_up_the_control_plane_with_paginators(aws_account, js_sdk):
    account_id = aws_account.account.aws_account_id
    # fmt: off
    created = outputs(js_sdk(aws_account, [
        sagemaker("CreateWorkforce", WorkforceName="staff", OidcConfig=OIDC),
        sagemaker("UpdateWorkforce", WorkforceName="staff", SourceIpConfig={"Cidrs": ["10.0.0.0/8"]}),
        sagemaker("DescribeWorkforce", WorkforceName="staff"),
        sagemaker("ListWorkforces"),
        sagemaker("CreateWorkteam", WorkteamName="support", Description="Support",
                  MemberDefinitions=[{"OidcMemberDefinition": {"Groups": ["support"]}}]),
        sagemaker("UpdateWorkteam", WorkteamName="support", Description="Support reviewers"),
        sagemaker("DescribeWorkteam", WorkteamName="support"),
        sagemaker("CreateHumanTaskUi", HumanTaskUiName="ui-a", UiTemplate={"Content": SENTIMENT_TEMPLATE}),
        sagemaker("CreateHumanTaskUi", HumanTaskUiName="ui-b", UiTemplate={"Content": SENTIMENT_TEMPLATE}),
        sagemaker("CreateHumanTaskUi", HumanTaskUiName="ui-c", UiTemplate={"Content": SENTIMENT_TEMPLATE}),
        sagemaker("DescribeHumanTaskUi", HumanTaskUiName="ui-a"),
        {"client": "sagemaker", "paginate": "ListHumanTaskUis", "input": {"SortOrder": "Ascending"}, "pageSize": 2},
        {"client": "sagemaker", "paginate": "ListWorkteams", "input": {}, "pageSize": 1},
    ]))
    # fmt: on
    workforce, workforces, team, team_described = created[2]["Workforce"], created[3], created[4], created[6]
    assert workforce["SourceIpConfig"] == {"Cidrs": ["10.0.0.0/8"]}
    assert [w["WorkforceName"] for w in workforces["Workforces"]] == ["staff"]
    assert team_described["Workteam"]["Description"] == "Support reviewers"
    assert created[10]["UiTemplate"]["Url"].startswith(aws_account.endpoint_url)
    ui_pages = created[11]
    assert [len(page["HumanTaskUiSummaries"]) for page in ui_pages] == [2, 1]
    assert [s["HumanTaskUiName"] for page in ui_pages for s in page["HumanTaskUiSummaries"]] == ["ui-a", "ui-b", "ui-c"]
    assert [t["WorkteamName"] for page in created[12] for t in page["Workteams"]] == ["support"]

    ui_arn = f"arn:aws:sagemaker:us-east-1:{account_id}:human-task-ui/ui-a"
    config = {"WorkteamArn": team["WorkteamArn"], "HumanTaskUiArn": ui_arn, "TaskTitle": "Tickets",
              "TaskDescription": "Pick the sentiment", "TaskCount": 1}  # fmt: skip
    flows = [
        sagemaker("CreateFlowDefinition", FlowDefinitionName=f"flow-{n}", HumanLoopConfig=config,
                  OutputConfig={"S3OutputPath": "s3://a2i-results/js"}, RoleArn=f"arn:aws:iam::{account_id}:role/A2I")
        for n in (1, 2, 3)
    ]  # fmt: skip
    flow_arn = f"arn:aws:sagemaker:us-east-1:{account_id}:flow-definition/flow-1"
    # fmt: off
    results = outputs(js_sdk(aws_account, [
        *flows,
        sagemaker("DescribeFlowDefinition", FlowDefinitionName="flow-1"),
        {"client": "sagemaker", "paginate": "ListFlowDefinitions", "input": {"SortOrder": "Ascending"}, "pageSize": 2},
        sagemaker("AddTags", ResourceArn=flow_arn, Tags=[{"Key": "team", "Value": "support"}, {"Key": "env", "Value": "ci"}]),
        sagemaker("DeleteTags", ResourceArn=flow_arn, TagKeys=["env"]),
        sagemaker("ListTags", ResourceArn=flow_arn),
        sagemaker("DeleteFlowDefinition", FlowDefinitionName="flow-3"),
        sagemaker("DeleteHumanTaskUi", HumanTaskUiName="ui-c"),
        sagemaker("CreateWorkteam", WorkteamName="spare", Description="Spare",
                  MemberDefinitions=[{"OidcMemberDefinition": {"Groups": ["spare"]}}]),
        sagemaker("DeleteWorkteam", WorkteamName="spare"),
    ]))
    # fmt: on
    assert results[0]["FlowDefinitionArn"] == flow_arn
    assert results[3]["FlowDefinitionStatus"] == "Active"
    assert [len(page["FlowDefinitionSummaries"]) for page in results[4]] == [2, 1]
    assert results[7]["Tags"] == [{"Key": "team", "Value": "support"}]
    assert results[11] == {"Success": True}


def test_the_js_sdk_runs_every_runtime_operation(aws_account, js_sdk, flow_setup):
    flow_arn = flow_setup.flow_arn
    # fmt: off
    first = outputs(js_sdk(aws_account, [
        *[runtime("StartHumanLoop", HumanLoopName=f"loop-{n}", FlowDefinitionArn=flow_arn,
                  HumanLoopInput=loop_input(f"Ticket {n}")) for n in (1, 2, 3)],
        runtime("DescribeHumanLoop", HumanLoopName="loop-1"),
        {"client": "runtime", "paginate": "ListHumanLoops",
         "input": {"FlowDefinitionArn": flow_arn, "SortOrder": "Ascending"}, "pageSize": 2},
    ]))
    # fmt: on
    assert first[0]["HumanLoopArn"].endswith(":human-loop/loop-1")
    described = first[3]
    assert described["HumanLoopStatus"] == "InProgress"
    assert described["HumanLoopOutput"]["OutputS3Uri"].endswith("/loop-1/output.json")
    assert described["CreationTime"].endswith("Z")  # the SDK parsed it into a Date
    pages = first[4]
    assert [[s["HumanLoopName"] for s in page["HumanLoopSummaries"]] for page in pages] == [
        ["loop-1", "loop-2"],
        ["loop-3"],
    ]

    task = lifecycle.claim_next_task(flow_setup.reviewer)
    lifecycle.submit_task(flow_setup.reviewer, task.id, {"sentiment": {"label": "Positive"}})
    answered = task.human_loop.name
    others = [name for name in ("loop-1", "loop-2", "loop-3") if name != answered]
    # fmt: off
    second = outputs(js_sdk(aws_account, [
        runtime("DescribeHumanLoop", HumanLoopName=answered),
        *[runtime("StopHumanLoop", HumanLoopName=name) for name in (*others, answered)],
        runtime("DescribeHumanLoop", HumanLoopName=others[0]),
        *[runtime("DeleteHumanLoop", HumanLoopName=name) for name in (answered, *others)],
        {"client": "runtime", "paginate": "ListHumanLoops", "input": {"FlowDefinitionArn": flow_arn}},
    ]))
    # fmt: on
    assert second[0]["HumanLoopStatus"] == "Completed"
    assert second[4]["HumanLoopStatus"] == "Stopped"
    assert second[-1] == [{"HumanLoopSummaries": []}]


def test_js_sdk_errors_are_the_modeled_exception_classes(aws_account, js_sdk, flow_setup):
    start = {"HumanLoopName": "loop-1", "FlowDefinitionArn": flow_setup.flow_arn}
    # fmt: off
    results = js_sdk(aws_account, [
        runtime("StartHumanLoop", **start, HumanLoopInput=loop_input("first")),
        runtime("StartHumanLoop", **start, HumanLoopInput=loop_input("different")),
        runtime("DescribeHumanLoop", HumanLoopName="nope"),
        runtime("StartHumanLoop", HumanLoopName="loop-2", FlowDefinitionArn="arn:aws:sagemaker:us-east-1:1:x",
                HumanLoopInput=loop_input("x")),
        sagemaker("DescribeFlowDefinition", FlowDefinitionName="nope"),
        sagemaker("CreateWorkteam", WorkteamName=flow_setup.workteam.name, Description="d",
                  MemberDefinitions=[{"OidcMemberDefinition": {"Groups": ["g"]}}]),
        sagemaker("DeleteWorkforce", WorkforceName="default"),
    ])
    # fmt: on
    errors = [result.get("error") for result in results]
    assert errors[0] is None
    expected = [
        ("ConflictException", 409, True),
        ("ResourceNotFoundException", 404, True),
        ("ValidationException", 400, True),
        ("ResourceNotFound", 400, True),
        ("ResourceInUse", 400, True),
    ]
    assert [(e["name"], e["status"], e["modeledClass"]) for e in errors[1:6]] == expected
    assert all(e["serviceException"] and e["fault"] == "client" for e in errors[1:])
    assert errors[6]["name"] == "ValidationException" and "work teams" in errors[6]["message"]

    wrong_key = js_sdk(aws_account, [runtime("DescribeHumanLoop", HumanLoopName="loop-1")], secret_access_key="wrong")
    assert wrong_key[0]["error"]["name"] == "InvalidSignatureException"
    assert wrong_key[0]["error"]["status"] == 403


def test_the_js_sdk_signs_with_session_credentials(aws_account, js_sdk, flow_setup):
    credentials = aws_account.client("sts").get_session_token(DurationSeconds=900)["Credentials"]

    results = js_sdk(
        aws_account,
        [runtime("StartHumanLoop", HumanLoopName="loop-1", FlowDefinitionArn=flow_setup.flow_arn,
                 HumanLoopInput=loop_input("x")), sagemaker("ListWorkteams")],
        access_key_id=credentials["AccessKeyId"],
        secret_access_key=credentials["SecretAccessKey"],
        session_token=credentials["SessionToken"],
    )  # fmt: skip

    assert outputs(results)[0]["HumanLoopArn"].endswith(":human-loop/loop-1")
    forged = js_sdk(aws_account, [sagemaker("ListWorkteams")], access_key_id=credentials["AccessKeyId"],
                    secret_access_key=credentials["SecretAccessKey"], session_token="forged")  # fmt: skip
    assert forged[0]["error"]["name"] == "UnrecognizedClientException"
