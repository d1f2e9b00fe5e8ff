"""The operations lead's admin: invitations, access keys, loops (read-only, stop in bulk), audit."""

from __future__ import annotations

import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from flows.loops import lifecycle
from flows.models import HumanLoop
from tests import factories as f
from workforce import access_keys
from workforce.models import AccessKey, AuditRecord, WorkteamMembership

pytestmark = pytest.mark.django_db


def _start(acct, flow, name, content='{"taskObject": "hello"}'):
    return lifecycle.start_human_loop(
        account=acct, name=name, flow_definition_arn=f.flow_arn(flow), input_content=content
    ).loop


def test_inviting_one_reviewer_creates_an_account_without_password_and_mails_a_link(
    admin_client, django_capture_on_commit_callbacks
):
    acct = f.account()
    team = f.workteam(acct)
    url = reverse("admin:workforce_workteam_invite", args=[team.pk])

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, {"email": "Ana@Example.com", "role": "reviewer"})

    assert response.status_code == 302
    user = get_user_model().objects.get(email="ana@example.com")
    assert not user.has_usable_password()
    assert WorkteamMembership.objects.filter(workteam=team, user=user, role="reviewer").exists()
    assert user.worker.worker_id  # the identity written into output.json
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["ana@example.com"]
    assert "/accounts/password/reset/key/" in mail.outbox[0].body
    record = AuditRecord.objects.get(operation="InviteReviewers")
    assert record.actor == "opslead" and record.details["invited"] == ["ana@example.com"]


def test_inviting_from_csv_adds_new_and_existing_reviewers_and_reports_bad_rows(
    admin_client, django_capture_on_commit_callbacks
):
    acct = f.account()
    team = f.workteam(acct)
    existing = f.user("bo", email="bo@example.com")
    csv = b"email,role\ncy@example.com,lead\nbo@example.com\nnot-an-email\ncy@example.com\n"
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:workforce_workteam_invite", args=[team.pk]),
            {"role": "reviewer", "csv_file": SimpleUploadedFile("team.csv", csv, content_type="text/csv")},
            follow=True,
        )

    assert response.status_code == 200
    members = dict(WorkteamMembership.objects.filter(workteam=team).values_list("user__email", "role"))
    assert members == {"cy@example.com": "lead", "bo@example.com": "reviewer"}
    assert [m.to for m in mail.outbox] == [["cy@example.com"]]  # existing accounts get no invitation
    text = response.content.decode()
    assert "Row 4 (not-an-email)" in text and "Already members: cy@example.com" in text
    assert existing.memberships.count() == 1


def test_team_page_shows_each_members_open_leases_and_throughput_and_removes_members(
    admin_client, django_capture_on_commit_callbacks
):
    acct = f.account()
    ana, bo = f.user("ana"), f.user("bo")
    team = f.workteam(acct, members=[ana, bo])
    flow = f.flow_definition(acct, team)
    _start(acct, flow, "l1")
    _start(acct, flow, "l2")
    task = lifecycle.claim_next_task(ana)
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.submit_task(ana, task.id, {"x": 1})
    lifecycle.claim_next_task(ana)

    page = admin_client.get(reverse("admin:workforce_workteam_change", args=[team.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert re.findall(r"field-open_leases\">\s*<p>(\d+)</p>", html)[:2] == ["1", "0"]  # ana, bo (then the empty form)
    assert re.findall(r"field-submitted_recently\">\s*<p>(\d+)</p>", html)[:2] == ["1", "0"]

    memberships = list(WorkteamMembership.objects.filter(workteam=team).order_by("id"))
    form = {
        "account": acct.pk,
        "workforce": team.workforce_id,
        "name": team.name,
        "description": team.description,
        "member_definitions": "[]",
        "tags": "[]",
        "memberships-TOTAL_FORMS": "2",
        "memberships-INITIAL_FORMS": "2",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
    }
    for i, m in enumerate(memberships):
        form.update({f"memberships-{i}-id": m.pk, f"memberships-{i}-workteam": team.pk})
        form.update({f"memberships-{i}-user": m.user_id, f"memberships-{i}-role": m.role})
    form["memberships-1-DELETE"] = "on"
    response = admin_client.post(reverse("admin:workforce_workteam_change", args=[team.pk]), form)
    assert response.status_code == 302, re.findall(r"errorlist.{0,300}", response.content.decode())
    assert list(team.memberships.values_list("user__username", flat=True)) == ["ana"]
    assert AuditRecord.objects.filter(kind="admin", operation="AdminChange").exists()  # via LogEntry


def test_creating_an_access_key_shows_the_secret_once(admin_client):
    acct = f.account()
    response = admin_client.post(
        reverse("admin:workforce_accesskey_add"),
        {"account": acct.pk, "scope": "runtime", "allowed_flow_names": "flow-a, flow-b"},
    )

    assert response.status_code == 200
    key = AccessKey.objects.get(account=acct)
    assert key.scope == "runtime" and key.allowed_flow_names == ["flow-a", "flow-b"]
    secret = access_keys.secret_of(key)
    assert secret in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    change_page = admin_client.get(reverse("admin:workforce_accesskey_change", args=[key.pk])).content.decode()
    assert key.access_key_id in change_page and secret not in change_page
    assert AuditRecord.objects.filter(operation="AdminAdd", resource__contains=key.access_key_id).exists()


def test_rotating_and_revoking_keys_from_the_changelist(admin_client):
    acct = f.account()
    old = access_keys.create_access_key(acct, scope="runtime", allowed_flow_names=["f"]).access_key
    other = access_keys.create_access_key(acct).access_key
    changelist = reverse("admin:workforce_accesskey_changelist")

    response = admin_client.post(changelist, {"action": "rotate_keys", "_selected_action": [old.pk]})

    assert response.status_code == 200
    old.refresh_from_db()
    assert not old.is_active and old.revoked_at is not None
    replacement = AccessKey.objects.get(account=acct, is_active=True, scope="runtime")
    assert replacement.allowed_flow_names == ["f"]
    assert access_keys.secret_of(replacement) in response.content.decode()

    admin_client.post(changelist, {"action": "revoke_keys", "_selected_action": [other.pk]})
    other.refresh_from_db()
    assert not other.is_active
    assert set(AuditRecord.objects.values_list("operation", flat=True)) >= {"RotateAccessKey", "RevokeAccessKey"}


def test_session_keys_follow_their_long_term_key_and_are_not_rotated(admin_client):
    acct = f.account()
    parent = access_keys.create_access_key(acct).access_key
    session = access_keys.create_session_key(parent, duration_seconds=900).access_key
    changelist = reverse("admin:workforce_accesskey_changelist")

    # Narrowing the long-term key narrows the sessions it issued.
    response = admin_client.post(
        reverse("admin:workforce_accesskey_change", args=[parent.pk]),
        {"user": "", "scope": "runtime", "allowed_flow_names": "flow-a"},
    )
    assert response.status_code == 302, re.findall(r"errorlist.{0,300}", response.content.decode())
    session.refresh_from_db()
    assert (session.scope, session.allowed_flow_names) == ("runtime", ["flow-a"])
    # A session key is not rotated into a long-term one.
    response = admin_client.post(changelist, {"action": "rotate_keys", "_selected_action": [session.pk]}, follow=True)
    assert "session keys cannot be rotated" in response.content.decode()
    assert AccessKey.objects.filter(account=acct).count() == 2
    # Revoking the long-term key revokes its sessions.
    admin_client.post(changelist, {"action": "revoke_keys", "_selected_action": [parent.pk]})
    session.refresh_from_db()
    assert not session.is_active


def test_loops_are_read_only_and_show_input_answers_and_output(admin_client, django_capture_on_commit_callbacks):
    acct = f.account()
    ana = f.user("ana")
    team = f.workteam(acct, members=[ana])
    flow = f.flow_definition(acct, team)
    loop = _start(acct, flow, "invoice-7", '{"taskObject": "needle-in-input"}')
    task = lifecycle.claim_next_task(ana)
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.submit_task(ana, task.id, {"sentiment": {"label": "needle-in-answer"}})
    loop.refresh_from_db()
    assert loop.status == "Completed"

    listing = admin_client.get(reverse("admin:flows_humanloop_changelist"), {"q": "invoice", "status": "Completed"})
    assert "invoice-7" in listing.content.decode()
    page = admin_client.get(reverse("admin:flows_humanloop_change", args=[loop.pk])).content.decode()
    assert "needle-in-input" in page and "needle-in-answer" in page and ana.worker.worker_id in page
    output = admin_client.get(reverse("admin:flows_humanloop_output", args=[loop.pk]))
    assert json.loads(output.content)["humanAnswers"][0]["workerId"] == ana.worker.worker_id

    # No edit form and no delete: the status can't be changed by hand.
    tampered = admin_client.post(reverse("admin:flows_humanloop_change", args=[loop.pk]), {"status": "InProgress"})
    assert tampered.status_code == 403
    assert (
        admin_client.post(reverse("admin:flows_humanloop_delete", args=[loop.pk]), {"post": "yes"}).status_code == 403
    )
    loop.refresh_from_db()
    assert loop.status == "Completed" and loop.deleted_at is None


def test_bulk_stop_goes_through_the_lifecycle_and_reports_loops_it_cannot_stop(
    admin_client, django_capture_on_commit_callbacks
):
    acct = f.account()
    ana = f.user("ana")
    team = f.workteam(acct, members=[ana])
    flow = f.flow_definition(acct, team)
    idle, held, done = _start(acct, flow, "idle"), _start(acct, flow, "held"), _start(acct, flow, "done")
    # Given "idle" already answered (Completed), "held" leased by a reviewer, "done" untouched.
    with django_capture_on_commit_callbacks(execute=True):
        first = lifecycle.claim_next_task(ana)  # oldest task first: idle's
        lifecycle.submit_task(ana, first.id, {"ok": True})
    lifecycle.claim_next_task(ana)  # held's task

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:flows_humanloop_changelist"),
            {"action": "stop_loops", "_selected_action": [idle.pk, held.pk, done.pk]},
            follow=True,
        )

    statuses = dict(HumanLoop.objects.values_list("name", "status"))
    assert statuses == {"idle": "Completed", "held": "Stopping", "done": "Stopped"}
    text = response.content.decode()
    assert "Stopped 2 human loop(s)" in text and "Idle: Human loop idle is Completed" in text
    results = dict(AuditRecord.objects.filter(operation="StopHumanLoop").values_list("resource", "result"))
    assert sorted(results.values()) == ["LoopAlreadyFinished", "OK", "OK"]
