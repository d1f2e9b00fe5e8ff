"""A seeded synthetic crowd answers through the reviewer API; the flow is re-estimated and exported through the
quality extension (SigV4-signed) and the flow_quality command. The full 2,000-item crowd is bench/quality.py."""

import json
import random

import numpy as np
import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from django.core.management import call_command
from django.test import Client

from bench import crowd
from flows.delivery.storage import get_store
from flows.models import HumanLoop, ReviewTask
from flows.quality import gold
from tests import factories as f
from workforce.access_keys import create_access_key

pytestmark = pytest.mark.django_db(transaction=True)
LABELS = list(crowd.CLASSES)
ITEMS = 45
TEMPLATE = (
    "<crowd-form><crowd-classifier name=\"animal\" categories=\"['cat', 'dog', 'fox']\" header=\"Which?\">"
    "<classification-target>{{ task.input.taskObject }}</classification-target></crowd-classifier></crowd-form>"
)


@pytest.fixture
def signed(live_server):
    def post(key, path, body):
        url = f"{live_server.url}{path}"
        data = json.dumps(body)
        request = AWSRequest(method="POST", url=url, data=data, headers={"Content-Type": "application/json"})
        SigV4Auth(Credentials(key.access_key.access_key_id, key.secret_access_key), "sagemaker", "us-east-1").add_auth(
            request
        )
        return requests.post(url, data=data, headers=dict(request.headers), timeout=30)

    return post


def test_a_synthetic_crowd_through_the_reviewer_api_is_re_estimated_rewritten_and_exported(
    signed, monkeypatch, tmp_path, capsys
):
    monkeypatch.setattr(gold, "_random", random.Random(14))
    rng = np.random.default_rng(14)
    people = crowd.reviewers(seed=14, n_biased=8, n_random=2)  # half the bench crowd, to stay fast
    acct = f.account()
    users = [f.user() for _ in people]
    team = f.workteam(acct, members=users)
    flow = f.flow_definition(
        acct,
        team,
        f.human_task_ui(acct, content=TEMPLATE),
        task_count=3,
        tags=[{"Key": "hitl:gold-rate", "Value": "0.1"}, {"Key": "hitl:min-history", "Value": "30"}],
    )
    key = create_access_key(acct)
    arn = f.flow_arn(flow)
    for n in range(6):
        label = LABELS[n % 3]
        response = signed(
            key,
            "/adapters/quality/gold-items",
            {
                "FlowDefinitionArn": arn,
                "HumanLoopName": f"item-g{n}",
                "InputContent": json.dumps({"taskObject": f"photo g{n}", "truth": label}),
                "Answer": {"animal": {"label": label}},
            },
        )
        assert response.status_code == 200, response.text
        assert response.json() == {"HumanLoopName": f"item-g{n}", "Created": True}
    truth = crowd.truths(ITEMS, seed=14)
    for n, label in enumerate(truth):
        f.human_loop(flow, {"taskObject": f"photo {n}", "truth": LABELS[label]}, name=f"item-{n}")

    clients = []
    for user in users:
        client = Client()
        client.defaults["HTTP_AUTHORIZATION"] = f"Token {f.worker_token(user)}"
        clients.append(client)
    active = list(range(len(people)))
    while active:
        for n in list(active):
            response = clients[n].get(f"/portal/api/tasks/next?flow={flow.name}")
            if response.status_code == 204:
                active.remove(n)
                continue
            task = response.json()
            answer = LABELS[people[n].answer(LABELS.index(task["input"]["truth"]), rng)]
            submitted = clients[n].post(
                f"/portal/api/tasks/{task['taskId']}/submit",
                json.dumps({"answerContent": {"animal": {"label": answer}}}),
                content_type="application/json",
            )
            assert submitted.status_code == 200
    assert HumanLoop.objects.filter(is_gold=False, status="Completed").count() == ITEMS

    # Before any estimate: majority vote.
    first = HumanLoop.objects.get(name="item-0")
    bucket, output_key = first.output_s3_uri.removeprefix("s3://").split("/", 1)
    consolidated_key = output_key.replace("output.json", "consolidated.json")
    assert json.loads(get_store().get(bucket, consolidated_key))["methods"] == ["majority-vote"]

    response = signed(key, "/adapters/quality/reestimate", {"FlowDefinitionArn": arn, "Rewrite": True})

    assert response.status_code == 200, response.text
    summary, reviewers = response.json()["Summary"], response.json()["Reviewers"]
    assert summary["loops"] == ITEMS and summary["rewritten"] == ITEMS
    assert summary["fields"]["animal.label"]["classes"] == LABELS
    assert summary["goldItemsAnswered"] >= 1
    assert len(reviewers) == len(people)
    by_worker = {r["workerId"]: r for r in reviewers}
    estimated = [by_worker[u.worker.worker_id]["estimatedAccuracy"] for u in users]
    assert np.corrcoef(estimated, [p.accuracy for p in people])[0, 1] > 0.5  # about 13 answers each: a rough fit
    gold_answers = ReviewTask.objects.filter(human_loop__is_gold=True, state="submitted").count()
    assert sum(r["goldAnswered"] for r in reviewers) == gold_answers
    assert {"goldAccuracy", "agreementWithConsolidated", "paused", "excludedAnswers"} <= set(reviewers[0])
    rewritten = json.loads(get_store().get(bucket, consolidated_key))
    assert rewritten["methods"] == ["dawid-skene"]

    exported = signed(key, "/adapters/quality/export", {"FlowDefinitionArn": arn})
    assert exported.status_code == 200, exported.text
    assert exported.json() == {
        "ExportS3Uri": f"s3://a2i-results/reviews/{flow.name}/consolidated-answers.jsonl",
        "Lines": ITEMS,
    }
    body = get_store().get("a2i-results", f"reviews/{flow.name}/consolidated-answers.jsonl").decode()
    rows = [json.loads(line) for line in body.splitlines()]
    assert len(rows) == ITEMS
    answers = {row["humanLoopName"]: row["consolidatedAnswer"]["animal"]["label"] for row in rows}
    ds_right = sum(answers[f"item-{n}"] == LABELS[label] for n, label in enumerate(truth))
    votes = {row["humanLoopName"]: row["agreement"]["animal.label"]["votes"] for row in rows}

    def majority_right(counts, label):  # a tie counts as wrong: majority vote does not know
        top = max(counts.values())
        winners = [name for name, count in counts.items() if count == top]
        return winners == [LABELS[label]]

    mv_right = sum(majority_right(votes[f"item-{n}"], label) for n, label in enumerate(truth))
    # 45 items give each reviewer about 13 answers: too few for Dawid-Skene to beat majority vote reliably
    # (it does on the full crowd: test_reliability.py and bench/quality.py). Here: it is sane.
    assert ds_right >= 0.7 * ITEMS
    assert mv_right >= 0.7 * ITEMS

    out = tmp_path / "answers.jsonl"
    call_command("flow_quality", flow.name, "--reestimate", "--export", str(out))
    assert json.loads(capsys.readouterr().out)["summary"]["loops"] == ITEMS
    assert len(out.read_text().splitlines()) == ITEMS


def test_the_quality_extension_refuses_bad_requests_with_aws_errors(signed):
    acct = f.account()
    team = f.workteam(acct, members=[f.user()])
    flow = f.flow_definition(acct, team)
    key = create_access_key(acct)
    arn = f.flow_arn(flow)

    bad_name = signed(
        key,
        "/adapters/quality/gold-items",
        {"FlowDefinitionArn": arn, "HumanLoopName": "Bad_Name", "InputContent": "{}", "Answer": {"a": 1}},
    )
    no_answer = signed(
        key, "/adapters/quality/gold-items", {"FlowDefinitionArn": arn, "HumanLoopName": "g1", "InputContent": "{}"}
    )
    unknown_flow = signed(key, "/adapters/quality/reestimate", {"FlowDefinitionArn": arn + "-nope"})
    other = create_access_key(f.account())
    foreign = signed(other, "/adapters/quality/export", {"FlowDefinitionArn": arn})

    assert bad_name.status_code == 400 and bad_name.json()["__type"] == "ValidationException"
    assert "HumanLoopName" in bad_name.json()["Message"]
    assert no_answer.status_code == 400 and "Answer" in no_answer.json()["Message"]
    assert unknown_flow.json()["__type"] == "ResourceNotFoundException"
    assert foreign.json()["__type"] == "ResourceNotFoundException"  # another tenant's flow does not exist for them
