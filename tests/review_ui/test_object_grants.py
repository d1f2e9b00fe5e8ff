"""grant_read_access / s3_presign grant only objects the loop's account may read (issue 11, finding 1).

The attack: tenant A's loop input names tenant B's output.json; A's reviewer must get a refused
placeholder, never a URL that serves it. Allowed objects get URLs bound to the task and the reviewer.
"""

from __future__ import annotations

import json
import re
import time

import pytest
import requests
from django.core import signing

from flows.loops import lifecycle
from flows.models import ReviewTask
from review_ui import grants
from tests import factories
from workforce.models import AuditRecord

PHOTO_TEMPLATE = '<crowd-form><img id="photo" src="{{ task.input.taskObject | grant_read_access }}"></crowd-form>'
B_OUTPUT_KEY = "reviews/kyc/2026/12/01/09/00/00/kyc-1/output.json"
B_ANSWERS = b'{"humanAnswers": [{"answerContent": {"passport": "X1234567"}}]}'


@pytest.fixture
def tenant_b(db):
    """Tenant B: a flow whose answers are stored under s3://b-results/reviews."""
    acct = factories.account(name="tenant-b")
    team = factories.workteam(acct, members=[factories.user("bob")])
    factories.flow_definition(acct, team, name="kyc", s3_output_path="s3://b-results/reviews")
    return acct


@pytest.fixture
def tenant_a(db):
    acct = factories.account(name="tenant-a")
    reviewer = factories.user("alice", password="pw-alice")
    team = factories.workteam(acct, members=[reviewer])
    ui = factories.human_task_ui(acct, content=PHOTO_TEMPLATE)
    flow = factories.flow_definition(
        acct, team, ui, name="photos", s3_output_path="s3://a-results/out", task_time_limit_seconds=600
    )
    return acct, reviewer, flow


def _frame_html(client, reviewer) -> str:
    """Open the reviewer's next task in the portal and return its frame's HTML."""
    client.force_login(reviewer)
    page = client.get("/portal/work/").content.decode()
    frame_url = re.search(r'<iframe id="task-frame"[^>]*\ssrc="([^"]+)"', page)[1]
    response = client.get(frame_url)
    assert response.status_code == 200
    return response.content.decode()


def _photo_src(frame: str) -> str:
    return re.search(r'<img id="photo" src="([^"]*)"', frame)[1].replace("&amp;", "&")


@pytest.mark.parametrize("operator_allowed_the_bucket", [False, True])
def test_a_reviewer_of_tenant_a_cannot_read_tenant_b_output_through_grant_read_access(
    client, tenant_a, tenant_b, operator_allowed_the_bucket
):
    from flows.delivery.storage import get_store

    get_store().put("b-results", B_OUTPUT_KEY, B_ANSWERS, content_type="application/json")
    acct, reviewer, flow = tenant_a
    if operator_allowed_the_bucket:  # even a location covering B's output path does not open it
        factories.read_location(acct, "b-results")
    factories.human_loop(flow, {"taskObject": f"s3://b-results/{B_OUTPUT_KEY}"})

    frame = _frame_html(client, reviewer)

    assert "/portal/objects/" not in frame
    assert _photo_src(frame) == grants.REFUSED_PLACEHOLDER_URL
    assert "data-hitl-refused-objects" in frame and "another account&#x27;s output path" in frame
    record = AuditRecord.objects.get(operation="GrantReadAccess")
    assert (record.account_id, record.actor, record.result) == (acct.id, "alice", "AccessDenied")
    assert record.resource == f"s3://b-results/{B_OUTPUT_KEY}"


def test_an_object_outside_the_account_read_locations_is_refused_with_the_reason(client, tenant_a):
    acct, reviewer, flow = tenant_a
    factories.read_location(acct, "a-media", "photos/")
    factories.human_loop(flow, {"taskObject": "s3://a-media/private/cat.png"})

    frame = _frame_html(client, reviewer)

    assert _photo_src(frame) == grants.REFUSED_PLACEHOLDER_URL
    assert "s3://a-media/private/cat.png is not in a location this account may read" in frame


def test_an_allowed_object_is_served_only_while_its_reviewer_holds_the_task(client, tenant_a):
    from flows.delivery.storage import get_store

    acct, reviewer, flow = tenant_a
    factories.read_location(acct, "a-media", "photos/")
    get_store().put("a-media", "photos/cat.png", b"PNGDATA", content_type="image/png")
    factories.human_loop(flow, {"taskObject": "s3://a-media/photos/cat.png"})
    url = _photo_src(_frame_html(client, reviewer))
    assert url.startswith("/portal/objects/") and url.endswith("/cat.png")
    client.logout()

    served = client.get(url)  # the sandboxed frame sends no cookies: the token is the credential
    assert served.status_code == 200 and served.content == b"PNGDATA"

    intruder = factories.user("mallory")
    client.force_login(intruder)
    assert client.get(url).status_code == 403  # made for alice, not for whoever holds the link
    client.logout()

    held = ReviewTask.objects.get(worker=reviewer)
    lifecycle.release_task(reviewer, held.id)
    refused = client.get(url)
    assert refused.status_code == 403
    assert "no longer assigned" in refused.content.decode()
    assert AuditRecord.objects.filter(operation="GrantReadAccess", resource="s3://a-media/photos/cat.png").count() == 2


def test_tokens_without_the_account_and_task_binding_or_forged_are_refused(client, tenant_a, tenant_b):
    from flows.delivery.storage import get_store

    get_store().put("b-results", B_OUTPUT_KEY, B_ANSWERS, content_type="application/json")
    # The URL the old code made (and anyone knowing SECRET_KEY could mint): bucket and key only.
    unbound = signing.dumps({"b": "b-results", "k": B_OUTPUT_KEY}, salt="review_ui.objects", compress=True)
    assert client.get(f"/portal/objects/{unbound}/output.json").status_code == 404
    bound_wrong = signing.dumps({"b": "b-results", "k": B_OUTPUT_KEY}, salt=grants.OBJECT_SIGNING_SALT)
    assert client.get(f"/portal/objects/{bound_wrong}/output.json").status_code == 404

    acct, reviewer, _flow = tenant_a
    factories.read_location(acct, "b-results")
    # Even a well-formed token for A's account naming B's output is refused when served.
    minted = signing.dumps(
        {"b": "b-results", "k": B_OUTPUT_KEY, "a": acct.id, "u": reviewer.pk, "t": None},
        salt=grants.OBJECT_SIGNING_SALT,
    )
    assert client.get(f"/portal/objects/{minted}/output.json").status_code == 403


def test_the_reviewer_api_html_gets_the_placeholder_too(client, tenant_a, tenant_b):
    acct, reviewer, flow = tenant_a
    factories.human_loop(flow, {"taskObject": f"s3://b-results/{B_OUTPUT_KEY}"})
    key = factories.worker_token(reviewer)

    task = client.get("/portal/api/tasks/next", HTTP_AUTHORIZATION=f"Token {key}").json()

    assert "/portal/objects/" not in task["html"]
    assert grants.REFUSED_PLACEHOLDER_URL in task["html"]


def test_the_staff_preview_grants_only_its_account_objects(client, tenant_a, tenant_b):
    acct, _reviewer, flow = tenant_a
    staff = factories.user("ada", is_staff=True)
    acct.admins.add(staff)
    client.force_login(staff)
    sample = json.dumps({"taskObject": f"s3://b-results/{B_OUTPUT_KEY}"})

    client.post("/portal/preview/", {"ui": flow.human_task_ui_id, "template": "", "input": sample})
    frame = client.get("/portal/preview/frame?preview=1").content.decode()

    assert "/portal/objects/" not in frame
    assert "another account&#x27;s output path" in frame


# --- The S3 backend: a real S3 server (moto's), and the presigned URL must not be produced. ---


@pytest.fixture
def s3_server(moto_s3):
    for bucket in ("b-results", "a-media"):
        moto_s3.client.create_bucket(Bucket=bucket)
    return moto_s3


def test_on_the_s3_backend_tenant_b_output_is_not_presigned_for_tenant_a(client, tenant_a, tenant_b, s3_server):
    s3_server.put("b-results", B_OUTPUT_KEY, B_ANSWERS, content_type="application/json")
    s3_server.put("a-media", "photos/cat.png", b"PNGDATA", content_type="image/png")
    acct, reviewer, flow = tenant_a
    factories.read_location(acct, "b-results")
    factories.read_location(acct, "a-media", "photos/")
    factories.human_loop(flow, {"taskObject": f"s3://b-results/{B_OUTPUT_KEY}"})
    factories.human_loop(flow, {"taskObject": "s3://a-media/photos/cat.png"})
    key = factories.worker_token(reviewer)

    first = client.get("/portal/api/tasks/next", HTTP_AUTHORIZATION=f"Token {key}").json()
    lifecycle.submit_task(reviewer, first["taskId"], {"ok": True})
    second = client.get("/portal/api/tasks/next", HTTP_AUTHORIZATION=f"Token {key}").json()

    assert "X-Amz-" not in first["html"] and "Signature=" not in first["html"]
    assert grants.REFUSED_PLACEHOLDER_URL in first["html"]
    presigned = re.search(r'<img id="photo" src="([^"]*)"', second["html"])[1].replace("&amp;", "&")
    assert "Signature=" in presigned
    expires_at = int(re.search(r"[?&]Expires=(\d+)", presigned)[1])
    assert 0 < expires_at - time.time() <= 600  # no longer than the reviewer's lease
    assert requests.get(presigned, timeout=10).content == b"PNGDATA"


def test_only_operators_edit_an_accounts_read_locations_in_the_admin(client, tenant_a, django_user_model):
    from django.contrib.auth.models import Permission

    acct = tenant_a[0]
    factories.read_location(acct, "a-media", "photos/")
    owner = factories.user("owner", is_staff=True)
    owner.user_permissions.set(Permission.objects.filter(content_type__app_label="workforce"))
    acct.admins.add(owner)
    url = f"/admin/workforce/account/{acct.pk}/change/"

    client.force_login(owner)
    page = client.get(url).content.decode()
    assert "a-media" in page and "photos/" in page  # shown to the account's admin
    assert 'name="read_locations-0-bucket"' not in page and "read_locations-__prefix__" not in page

    client.force_login(django_user_model.objects.create_superuser("root", "root@example.com", "pw"))
    page = client.get(url).content.decode()
    assert 'name="read_locations-0-bucket"' in page and "read_locations-__prefix__" in page
