"""The portal's HTML pages: sign-in, work list, task page, the isolated task frame, release, preview."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from flows.loops import lifecycle
from flows.models import HumanLoop, ReviewTask
from review_ui import work
from tests import factories
from workforce.models import WorkerToken
from workforce.tokens import hash_token

pytestmark = pytest.mark.django_db


def frame_src(page: str) -> str:
    return re.search(r'<iframe id="task-frame"[^>]*\ssrc="([^"]+)"', page)[1]


def test_a_reviewer_signs_in_with_username_or_email_and_lands_on_the_work_list(client, reviewer):
    page = client.get("/accounts/login/")
    assert page.status_code == 200
    assert 'id="login-form"' in page.content.decode()
    assert "sign up" not in page.content.decode().lower()

    by_email = client.post("/accounts/login/", {"login": "rita@example.com", "password": "correct horse"})
    assert by_email.status_code == 302 and by_email["Location"] == "/portal/"
    client.logout()
    by_name = client.post("/accounts/login/", {"login": "rita", "password": "correct horse"}, follow=True)
    assert by_name.redirect_chain[-1][0] == "/portal/"
    assert 'id="signed-in-as">rita<' in by_name.content.decode()


def test_sign_up_is_closed_by_default(client):
    response = client.post(
        "/accounts/signup/",
        {
            "username": "mallory",
            "email": "m@example.com",
            "password1": "x-Very-long-pw-1",
            "password2": "x-Very-long-pw-1",
        },
    )

    assert response.status_code == 200
    assert "closed" in response.content.decode().lower()
    from django.contrib.auth import get_user_model

    assert not get_user_model().objects.filter(username="mallory").exists()


def test_password_reset_sends_an_email(client, reviewer):
    page = client.get("/accounts/password/reset/")
    assert page.status_code == 200
    assert "portal.css" in page.content.decode()  # allauth pages wear the portal chrome

    client.post("/accounts/password/reset/", {"email": "rita@example.com"})

    assert len(mail.outbox) == 1
    assert "rita@example.com" in mail.outbox[0].to


def test_portal_pages_require_sign_in(client, flow):
    assert client.get("/portal/")["Location"].startswith("/accounts/login/")
    assert client.get("/portal/work/?flow=sentiment")["Location"].startswith("/accounts/login/")


def test_the_work_list_shows_only_the_reviewers_teams_with_counts(client, account, flow, reviewer, other_team):
    factories.human_loop(flow)
    factories.human_loop(flow)
    hidden = factories.flow_definition(account, other_team, name="secret-flow", task_title="Secret work")
    factories.human_loop(hidden)
    client.force_login(reviewer)

    page = client.get("/portal/").content.decode()

    assert "Review sentiment" in page and "Pick the sentiment of the text" in page
    assert '<span class="keyword">sentiment</span>' in page
    assert '<strong class="waiting-count">2</strong>' in page
    assert 'class="button start-working" href="/portal/work/?flow=sentiment"' in page
    assert "Secret work" not in page and "other-team" not in page


def test_start_working_claims_a_task_and_embeds_it_in_a_sandboxed_frame(client, flow, reviewer):
    factories.human_loop(flow)
    client.force_login(reviewer)

    page = client.get("/portal/work/?flow=sentiment").content.decode()

    task = ReviewTask.objects.get(worker=reviewer, state=ReviewTask.State.LEASED)
    iframe = re.search(r"<iframe [^>]*>", page)[0]
    assert 'sandbox="allow-scripts allow-forms allow-popups"' in iframe
    assert "allow-same-origin" not in page
    assert frame_src(page) == f"/portal/tasks/{task.id}/frame"
    assert 'id="time-left"' in page
    assert 590 <= int(re.search(r'data-seconds-left="(\d+)"', page)[1]) <= 600
    assert 'id="release-button"' in page
    assert "/static/review_ui/portal.js" in page
    # A reload shows the same task instead of taking another one.
    client.get("/portal/work/?flow=sentiment")
    assert ReviewTask.objects.filter(worker=reviewer).count() == 1


def test_the_frame_has_a_strict_policy_and_is_served_only_to_the_lease_holder(client, flow, reviewer, second_reviewer):
    factories.human_loop(flow, {"taskObject": "<script>alert(document.cookie)</script>"})
    client.force_login(reviewer)
    src = frame_src(client.get("/portal/work/?flow=sentiment").content.decode())

    response = client.get(src)

    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "connect-src 'none'" in policy and "form-action 'none'" in policy and "default-src 'none'" in policy
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    body = response.content.decode()
    assert "<script>alert(document.cookie)</script>" not in body
    assert "&lt;script&gt;alert(document.cookie)&lt;/script&gt;" in body
    assert '<script src="/static/review_ui/elements/crowd-html-elements.js"></script>' in body

    client.force_login(second_reviewer)
    assert client.get(src).status_code == 404


def test_no_more_work_page(client, flow, reviewer):
    client.force_login(reviewer)

    response = client.get("/portal/work/?flow=sentiment")

    assert 'id="no-more-work"' in response.content.decode()


def test_the_no_more_work_page_names_the_task_title_not_the_flows_internal_name(client, account, team, reviewer):
    factories.flow_definition(account, team, name="sent-v2-internal", task_title="Rate the review's tone")
    client.force_login(reviewer)

    page = client.get("/portal/work/?flow=sent-v2-internal").content.decode()

    assert "Rate the review&#x27;s tone" in page
    assert "sent-v2-internal" not in page


def test_skip_releases_the_task_and_opens_the_next(client, flow, reviewer):
    factories.human_loop(flow, name="first")
    factories.human_loop(flow, name="second")
    client.force_login(reviewer)
    client.get("/portal/work/?flow=sentiment")
    first = ReviewTask.objects.get(worker=reviewer, state=ReviewTask.State.LEASED)

    response = client.post(f"/portal/tasks/{first.id}/release", {"next": "/portal/work/?flow=sentiment"}, follow=True)

    first.refresh_from_db()
    assert first.state == ReviewTask.State.OPEN and first.worker is None
    current = ReviewTask.objects.get(worker=reviewer, state=ReviewTask.State.LEASED)
    assert current.human_loop.name == "second"
    assert frame_src(response.content.decode()) == f"/portal/tasks/{current.id}/frame"


def test_release_goes_back_to_the_list(client, flow, reviewer):
    factories.human_loop(flow)
    client.force_login(reviewer)
    client.get("/portal/work/?flow=sentiment")
    task = ReviewTask.objects.get(worker=reviewer)

    response = client.post(f"/portal/tasks/{task.id}/release")

    assert response.status_code == 302 and response["Location"] == "/portal/"
    task.refresh_from_db()
    assert task.state == ReviewTask.State.OPEN


def test_create_worker_token_prints_the_key_last_and_stores_only_its_hash(client, flow):
    out = StringIO()

    call_command("create_worker_token", "newbie", "--create-user", stdout=out, stderr=StringIO())

    key = out.getvalue().strip().splitlines()[-1]
    token = WorkerToken.objects.get(user__username="newbie")
    assert token.key_sha256 == hash_token(key) and key not in token.key_sha256
    response = client.get("/portal/api/tasks/next", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 204


def test_preview_is_for_staff_and_shows_parse_errors_with_the_line(client, reviewer):
    client.force_login(reviewer)
    assert client.get("/portal/preview/").status_code == 302  # not staff: sent to the admin login
    reviewer.is_staff = True
    reviewer.save()

    bad = client.post("/portal/preview/", {"template": "<p>\n{% if task.input.x %}", "input": "{}"})
    assert 'id="preview-errors"' in bad.content.decode()
    assert "line 2" in bad.content.decode()

    good = client.post(
        "/portal/preview/", {"template": factories.SENTIMENT_TEMPLATE, "input": '{"taskObject": "Lovely <day>"}'}
    )
    page = good.content.decode()
    assert 'sandbox="allow-scripts allow-forms allow-popups"' in page and 'id="preview-answer"' in page
    frame = client.get(frame_src(page))
    assert frame.status_code == 200
    assert "connect-src 'none'" in frame["Content-Security-Policy"]
    assert "Lovely &lt;day&gt;" in frame.content.decode()


def test_preview_can_start_from_a_stored_task_ui(client, account, reviewer):
    ui = factories.human_task_ui(account, name="my-ui")
    reviewer.is_staff = True
    reviewer.save()
    account.admins.add(reviewer)
    client.force_login(reviewer)

    page = client.get(f"/portal/preview/?ui={ui.pk}").content.decode()
    assert "crowd-classifier" in page  # the textarea holds the UI's template

    posted = client.post("/portal/preview/", {"ui": ui.pk, "template": "", "input": '{"taskObject": "hi"}'})
    assert 'id="task-frame"' in posted.content.decode()


def test_repeated_failed_sign_ins_are_throttled(client, reviewer):
    from django.core.cache import cache

    cache.clear()
    for _ in range(5):
        failed = client.post("/accounts/login/", {"login": "rita", "password": "wrong"})
        assert failed.status_code == 200

    blocked = client.post("/accounts/login/", {"login": "rita", "password": "correct horse"})

    assert blocked.status_code in (200, 429)
    assert "_auth_user_id" not in client.session
    cache.clear()


def test_the_work_list_costs_the_same_queries_for_one_flow_or_many(client, account, team, flow, reviewer):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    factories.human_loop(flow)
    client.force_login(reviewer)
    client.get("/portal/")  # the reviewer's teams are now in the process cache for both measurements
    with CaptureQueriesContext(connection) as one_flow:
        client.get("/portal/")
    for n in range(3):
        factories.human_loop(factories.flow_definition(account, team, name=f"more-{n}"))

    with CaptureQueriesContext(connection) as four_flows:
        page = client.get("/portal/").content.decode()

    assert page.count('class="work-item"') == 4
    assert len(four_flows) == len(one_flow)


def test_history_shows_gold_accuracy_per_flow_but_never_the_gold_items_themselves(client, flow, reviewer):
    from django.utils import timezone

    from flows.models import ReviewerStanding

    now = timezone.now()
    submitted = {"state": ReviewTask.State.SUBMITTED, "worker": reviewer, "accepted_at": now, "submitted_at": now}
    real = factories.human_loop(flow, {"text": "real"})
    gold = factories.human_loop(flow, {"text": "gold"})
    HumanLoop.objects.filter(id=gold.id).update(is_gold=True)
    ReviewTask.objects.filter(human_loop=real).update(
        **submitted, answer={"label": "real-answer"}, time_spent_seconds=4
    )
    ReviewTask.objects.filter(human_loop=gold).update(
        **submitted, answer={"label": "gold-answer"}, time_spent_seconds=2
    )
    ReviewerStanding.objects.create(flow_definition=flow, worker=reviewer, gold_answered=4, gold_correct=3)
    client.force_login(reviewer)

    page = client.get("/portal/history/").content.decode()

    assert "real-answer" in page and "gold-answer" not in page
    assert "3 of 4 (75 %)" in page
    assert re.search(r'id="submitted-count">1<', page)


def test_the_work_list_counts_waiting_loops_up_to_a_bound(client, flow, reviewer, monkeypatch):
    # An exact count reads every open task of the flow: seconds at 1,000,000 open loops (bench/README.md).
    monkeypatch.setattr(work, "WAITING_COUNTED_UP_TO", 3)
    for n in range(4):
        factories.human_loop(flow, name=f"loop-{n}")
    client.force_login(reviewer)

    assert '<strong class="waiting-count">3+</strong>' in client.get("/portal/").content.decode()
    lifecycle.claim_next_task(reviewer, flow=flow)  # one loop fewer for this reviewer: 3, exactly
    assert '<strong class="waiting-count">3</strong>' in client.get("/portal/").content.decode()
