"""A TaskCount=3 loop answered by three reviewers through the portal API ends Completed with one output.json."""

import pytest
import requests

from flows.models import HumanLoop
from tests import factories as f
from tests.integration import scenario
from tests.integration.conftest import BUCKET, s3_client

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_three_reviewers_answer_through_the_api_and_the_worker_writes_one_output_at_the_spec_key(live, live_server):
    # Given a flow needing three distinct answers, and three reviewers with API tokens
    t = scenario.team(reviewers=3, task_count=3)
    loop = scenario.start(t, "review-0001", "Late delivery, but support fixed it fast.")
    sessions = []
    for reviewer in t.reviewers:
        session = requests.Session()
        session.headers["Authorization"] = f"Token {f.worker_token(reviewer)}"
        sessions.append(session)
    api = f"{live_server.url}/portal/api/tasks"

    # When each claims the next task (a reviewer never gets the loop twice) and submits
    claimed = []
    for session in sessions:
        response = session.get(f"{api}/next", timeout=10)
        assert response.status_code == 200, response.text
        assert response.json()["humanLoopName"] == "review-0001"
        claimed.append(response.json()["taskId"])
    assert len(set(claimed)) == 3
    assert sessions[0].get(f"{api}/next", timeout=10).status_code == 204
    for reviewer, session, task_id in zip(t.reviewers, sessions, claimed, strict=True):
        answer = {"answerContent": {"sentiment": {"label": reviewer.username}}}
        response = session.post(f"{api}/{task_id}/submit", json=answer, timeout=10)
        assert response.status_code == 200, response.text

    # Then the worker process writes output.json and completes the loop
    scenario.wait_for_status(["review-0001"], "Completed", timeout=20)
    loop = HumanLoop.objects.get(id=loop.id)
    stamp = loop.created_at.strftime("%Y/%m/%d/%H/%M/%S")
    key = f"reviews/{t.flow.name}/{stamp}/review-0001/output.json"
    assert loop.output_s3_uri == f"s3://{BUCKET}/{key}"
    listing = s3_client().list_objects_v2(Bucket=BUCKET, Prefix=f"reviews/{t.flow.name}/")["Contents"]
    assert [o["Key"] for o in listing if o["Key"].endswith("/output.json")] == [key]
    document = scenario.read_output("review-0001")
    assert document["humanLoopName"] == "review-0001"
    assert document["inputContent"] == {"taskObject": "Late delivery, but support fixed it fast."}
    assert document["flowDefinitionArn"].endswith(f":flow-definition/{t.flow.name}")
    assert [a["answerContent"] for a in document["humanAnswers"]] == [
        {"sentiment": {"label": r.username}} for r in t.reviewers
    ]
    assert [a["workerId"] for a in document["humanAnswers"]] == [r.worker.worker_id for r in t.reviewers]
    assert s3_client().head_object(Bucket=BUCKET, Key=key)["ContentType"] == "application/json"
    scenario.assert_written_once(["review-0001"])
    # A late resubmission is refused with a clear 409
    late = sessions[0].post(f"{api}/{claimed[0]}/submit", json={"answerContent": {"again": True}}, timeout=10)
    assert late.status_code == 409 and "already submitted" in late.json()["message"]
