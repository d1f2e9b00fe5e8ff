"""The AWS CLI (v1, pinned in the test group) against hitl: every runtime operation and the control plane's.

Each call is the `aws` executable in a subprocess, configured only by the standard
environment (AWS_ENDPOINT_URL, keys, region), as a customer's shell script runs it.
"""

from __future__ import annotations

import json

from flows.loops import lifecycle
from tests import factories as f
from tests.factories import SENTIMENT_TEMPLATE
from tests.protocol.test_control_plane_setup_story import OIDC
from workforce.models import Workteam, WorkteamMembership

# awscli v1: 0 success, 2 a missing or unknown argument (checked client-side), 255 an error answered by the service.
SERVICE_ERROR = 255


def ok(result):
    assert result.returncode == 0, result.stderr
    return result.output


def service_error(result, code: str) -> str:
    assert result.returncode == SERVICE_ERROR, (result.returncode, result.stderr)
    assert f"({code})" in result.stderr, result.stderr
    return result.stderr


def test_the_cli_sets_up_a_flow_runs_loops_and_cleans_up(aws_account, aws_cli):
    cli = lambda *args: aws_cli(aws_account, *args)  # noqa: E731
    account_id = aws_account.account.aws_account_id

    # Control plane: workforce, team, task UI, flow definition, tags.
    ok(cli("sagemaker", "create-workforce", "--workforce-name", "staff", "--oidc-config", json.dumps(OIDC)))
    ok(
        cli(
            "sagemaker",
            "update-workforce",
            "--workforce-name",
            "staff",
            "--source-ip-config",
            json.dumps({"Cidrs": ["10.0.0.0/8"]}),
        )
    )
    workforce = ok(cli("sagemaker", "describe-workforce", "--workforce-name", "staff"))["Workforce"]
    assert workforce["SourceIpConfig"] == {"Cidrs": ["10.0.0.0/8"]}
    assert [w["WorkforceName"] for w in ok(cli("sagemaker", "list-workforces"))["Workforces"]] == ["staff"]
    team_arn = ok(
        cli(
            "sagemaker",
            "create-workteam",
            "--workteam-name",
            "support",
            "--description",
            "Support",
            "--member-definitions",
            json.dumps([{"OidcMemberDefinition": {"Groups": ["support"]}}]),
        )
    )["WorkteamArn"]
    ok(cli("sagemaker", "update-workteam", "--workteam-name", "support", "--description", "Support reviewers"))
    assert ok(cli("sagemaker", "describe-workteam", "--workteam-name", "support"))["Workteam"]["Description"] == (
        "Support reviewers"
    )
    assert [t["WorkteamName"] for t in ok(cli("sagemaker", "list-workteams"))["Workteams"]] == ["support"]
    ui_arn = ok(
        cli(
            "sagemaker",
            "create-human-task-ui",
            "--human-task-ui-name",
            "sentiment-ui",
            "--ui-template",
            json.dumps({"Content": SENTIMENT_TEMPLATE}),
        )
    )["HumanTaskUiArn"]
    assert ok(cli("sagemaker", "describe-human-task-ui", "--human-task-ui-name", "sentiment-ui"))["UiTemplate"]["Url"]
    assert [u["HumanTaskUiArn"] for u in ok(cli("sagemaker", "list-human-task-uis"))["HumanTaskUiSummaries"]] == [
        ui_arn
    ]
    flow_arn = ok(
        cli(
            "sagemaker",
            "create-flow-definition",
            "--flow-definition-name",
            "tickets",
            "--human-loop-config",
            json.dumps(
                {
                    "WorkteamArn": team_arn,
                    "HumanTaskUiArn": ui_arn,
                    "TaskTitle": "Tickets",
                    "TaskDescription": "Pick the sentiment",
                    "TaskCount": 1,
                }
            ),
            "--output-config",
            json.dumps({"S3OutputPath": "s3://a2i-results/tickets"}),
            "--role-arn",
            f"arn:aws:iam::{account_id}:role/A2I",
        )
    )["FlowDefinitionArn"]
    assert (
        ok(cli("sagemaker", "describe-flow-definition", "--flow-definition-name", "tickets"))["FlowDefinitionStatus"]
        == "Active"
    )
    assert len(ok(cli("sagemaker", "list-flow-definitions"))["FlowDefinitionSummaries"]) == 1
    ok(cli("sagemaker", "add-tags", "--resource-arn", flow_arn, "--tags", "Key=team,Value=support", "Key=env,Value=ci"))
    ok(cli("sagemaker", "delete-tags", "--resource-arn", flow_arn, "--tag-keys", "env"))
    assert ok(cli("sagemaker", "list-tags", "--resource-arn", flow_arn))["Tags"] == [
        {"Key": "team", "Value": "support"}
    ]

    # Runtime: start three loops, page through them, answer one, stop one, delete them.
    for n in range(1, 4):
        started = ok(
            cli(
                "sagemaker-a2i-runtime",
                "start-human-loop",
                "--human-loop-name",
                f"ticket-{n}",
                "--flow-definition-arn",
                flow_arn,
                "--human-loop-input",
                json.dumps({"InputContent": json.dumps({"taskObject": f"Ticket {n}"})}),
            )
        )
        assert started["HumanLoopArn"].endswith(f":human-loop/ticket-{n}")
    described = ok(cli("sagemaker-a2i-runtime", "describe-human-loop", "--human-loop-name", "ticket-1"))
    assert described["HumanLoopStatus"] == "InProgress"
    assert described["HumanLoopOutput"]["OutputS3Uri"].endswith("/ticket-1/output.json")
    # The CLI follows NextToken itself: page size 1, all three loops.
    listed = ok(
        cli(
            "sagemaker-a2i-runtime",
            "list-human-loops",
            "--flow-definition-arn",
            flow_arn,
            "--sort-order",
            "Ascending",
            "--page-size",
            "1",
        )
    )
    assert [s["HumanLoopName"] for s in listed["HumanLoopSummaries"]] == ["ticket-1", "ticket-2", "ticket-3"]
    first = ok(
        cli(
            "sagemaker-a2i-runtime",
            "list-human-loops",
            "--flow-definition-arn",
            flow_arn,
            "--sort-order",
            "Ascending",
            "--max-items",
            "2",
        )
    )
    assert len(first["HumanLoopSummaries"]) == 2 and first["NextToken"]
    rest = ok(
        cli(
            "sagemaker-a2i-runtime",
            "list-human-loops",
            "--flow-definition-arn",
            flow_arn,
            "--sort-order",
            "Ascending",
            "--starting-token",
            first["NextToken"],
        )
    )
    assert [s["HumanLoopName"] for s in rest["HumanLoopSummaries"]] == ["ticket-3"]

    reviewer = f.user("rita")
    WorkteamMembership.objects.create(workteam=Workteam.objects.get(name="support"), user=reviewer)
    task = lifecycle.claim_next_task(reviewer)
    lifecycle.submit_task(reviewer, task.id, {"sentiment": {"label": "Positive"}})
    answered = task.human_loop.name
    assert (
        ok(cli("sagemaker-a2i-runtime", "describe-human-loop", "--human-loop-name", answered))["HumanLoopStatus"]
        == "Completed"
    )
    running = next(name for name in ("ticket-1", "ticket-2") if name != answered)
    ok(cli("sagemaker-a2i-runtime", "stop-human-loop", "--human-loop-name", running))
    ok(cli("sagemaker-a2i-runtime", "stop-human-loop", "--human-loop-name", answered))  # finished: a no-op
    ok(cli("sagemaker-a2i-runtime", "stop-human-loop", "--human-loop-name", "ticket-3"))
    for name in ("ticket-1", "ticket-2", "ticket-3"):
        ok(cli("sagemaker-a2i-runtime", "delete-human-loop", "--human-loop-name", name))

    # Clean-up of the control plane.
    ok(cli("sagemaker", "delete-flow-definition", "--flow-definition-name", "tickets"))
    ok(cli("sagemaker", "delete-human-task-ui", "--human-task-ui-name", "sentiment-ui"))


def test_the_cli_deletes_a_team_and_then_its_workforce(aws_account, aws_cli):
    cli = lambda *args: aws_cli(aws_account, *args)  # noqa: E731
    ok(cli("sagemaker", "create-workforce", "--workforce-name", "staff", "--oidc-config", json.dumps(OIDC)))
    ok(cli("sagemaker", "create-workteam", "--workteam-name", "spare", "--description", "Spare",
           "--member-definitions", json.dumps([{"OidcMemberDefinition": {"Groups": ["spare"]}}])))  # fmt: skip

    ok(cli("sagemaker", "delete-workteam", "--workteam-name", "spare"))
    ok(cli("sagemaker", "delete-workforce", "--workforce-name", "staff"))

    assert ok(cli("sagemaker", "list-workforces"))["Workforces"] == []


def test_cli_errors_carry_the_aws_code_and_exit_255(aws_account, aws_cli, flow_setup):
    cli = lambda *args, **kw: aws_cli(aws_account, *args, **kw)  # noqa: E731
    start = ("sagemaker-a2i-runtime", "start-human-loop", "--human-loop-name", "loop-1",
             "--flow-definition-arn", flow_setup.flow_arn)  # fmt: skip
    ok(cli(*start, "--human-loop-input", json.dumps({"InputContent": "{}"})))

    service_error(cli("sagemaker-a2i-runtime", "describe-human-loop", "--human-loop-name", "nope"),
                  "ResourceNotFoundException")  # fmt: skip
    service_error(cli(*start, "--human-loop-input", json.dumps({"InputContent": '{"other": 1}'})), "ConflictException")
    service_error(cli(*start[:-1], "arn:aws:sagemaker:us-east-1:1:flow-definition/x",
                      "--human-loop-input", json.dumps({"InputContent": "{}"})), "ValidationException")  # fmt: skip
    service_error(cli("sagemaker", "describe-flow-definition", "--flow-definition-name", "nope"), "ResourceNotFound")
    service_error(cli("sagemaker", "create-workteam", "--workteam-name", flow_setup.workteam.name, "--description", "d",
                      "--member-definitions", json.dumps([{"OidcMemberDefinition": {"Groups": ["g"]}}])),
                  "ResourceInUse")  # fmt: skip
    service_error(cli("sagemaker", "list-workteams", env={"AWS_SECRET_ACCESS_KEY": "wrong"}),
                  "InvalidSignatureException")  # fmt: skip
    service_error(cli("sagemaker-a2i-runtime", "describe-human-loop", "--human-loop-name", "loop-1",
                      env={"AWS_ACCESS_KEY_ID": "AKIAUNKNOWNUNKNOWN00"}), "UnrecognizedClientException")  # fmt: skip
    assert cli("sagemaker-a2i-runtime", "describe-human-loop").returncode == 2  # missing parameter: client-side


def test_the_cli_gets_session_credentials_through_a_role_profile(aws_account, aws_cli, flow_setup, tmp_path):
    # A profile with role_arn: the CLI's own credential chain calls STS AssumeRole at AWS_ENDPOINT_URL.
    config = tmp_path / "config"
    config.write_text(
        "[profile base]\n"
        f"aws_access_key_id = {aws_account.access_key_id}\n"
        f"aws_secret_access_key = {aws_account.secret_access_key}\n"
        "[profile reviews]\n"
        f"role_arn = arn:aws:iam::{aws_account.account.aws_account_id}:role/A2IReviews\n"
        "source_profile = base\n"
        "role_session_name = nightly\n"
    )
    env = {"AWS_CONFIG_FILE": str(config), "AWS_PROFILE": "reviews"}

    identity = ok(aws_cli(aws_account, "sts", "get-caller-identity", env=env, with_keys=False))
    listed = ok(aws_cli(aws_account, "sagemaker-a2i-runtime", "list-human-loops",
                        "--flow-definition-arn", flow_setup.flow_arn, env=env, with_keys=False))  # fmt: skip

    assert identity["UserId"].startswith("ASIA")
    assert identity["Account"] == aws_account.account.aws_account_id
    assert listed["HumanLoopSummaries"] == []
    session = ok(aws_cli(aws_account, "sts", "get-session-token", "--duration-seconds", "900"))["Credentials"]
    assert session["AccessKeyId"].startswith("ASIA")
