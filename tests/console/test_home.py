"""The console's home: an account admin sees their accounts' numbers and flows, and nobody else's."""

from __future__ import annotations

from django.urls import reverse

from flows.loops import lifecycle
from tests import factories as f
from workforce import services as workforce_services

HOME = "/console/"


def test_anonymous_visitor_is_sent_to_sign_in(client, db):
    response = client.get(HOME)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={HOME}"


def test_a_reviewer_who_administers_no_account_gets_a_403_page(client, personas):
    client.force_login(personas.reviewer)
    response = client.get(HOME)
    assert response.status_code == 403
    assert "The console is for account admins" in response.content.decode()
    assert personas.flow.name not in response.content.decode()


def test_the_owner_sees_their_flows_and_backlog_not_the_outsiders(client, personas):
    f.human_loop(personas.flow)
    f.human_loop(personas.flow)
    f.human_loop(personas.outsider.flow)
    client.force_login(personas.owner)
    response = client.get(HOME)
    assert response.status_code == 200
    page = response.content.decode()
    assert personas.flow.name in page
    assert personas.outsider.flow.name not in page
    assert response.context["glance"].open_tasks == 2
    assert response.context["glance"].open_loops == 2
    assert [row["flow"] for row in response.context["flows"]] == [personas.flow]
    assert response.context["flows"][0]["open"] == 2


def test_the_outsider_sees_none_of_the_first_accounts_numbers(client, personas):
    f.human_loop(personas.flow)
    client.force_login(personas.outsider.owner)
    response = client.get(HOME)
    assert response.status_code == 200
    assert response.context["glance"].open_tasks == 0
    assert personas.flow.name not in response.content.decode()


def test_throughput_time_to_complete_and_agreement_come_from_the_answers(
    client, personas, django_capture_on_commit_callbacks
):
    # Given a two-reviewer flow: one loop where the reviewers agree, one where they split
    second = f.user("acme-second-reviewer")
    workforce_services.add_member(personas.tenant.team, second)
    flow = f.flow_definition(personas.account, personas.tenant.team, task_count=2, name="acme-pairs")
    agreeing, split = f.human_loop(flow), f.human_loop(flow)
    answers = {agreeing.id: ("positive", "positive"), split.id: ("positive", "negative")}
    with django_capture_on_commit_callbacks(execute=True):
        for index, worker in enumerate((personas.reviewer, second)):
            for _ in range(2):
                task = lifecycle.claim_next_task(worker, flow=flow)
                label = answers[task.human_loop_id][index]
                lifecycle.submit_task(worker, task.id, {"sentiment": {"label": label}})
    # When the owner opens the home page
    client.force_login(personas.owner)
    glance = client.get(HOME).context["glance"]
    # Then four answers, two completed loops, and half of the pairs agreeing (1.0 and 0.0)
    assert (glance.submitted_24h, glance.submitted_7d, glance.completed_7d) == (4, 4, 2)
    assert glance.avg_minutes_to_complete is not None
    assert (glance.agreement, glance.agreement_loops) == (0.5, 2)
    assert glance.open_tasks == 0
