"""A loop's story told by the personas: the owner starts it, the team's reviewer answers, nobody else sees it."""

from __future__ import annotations

import pytest

from flows.loops import lifecycle, loop_queries
from hitl.kernel.errors import NotFound
from tests import factories as f


@pytest.mark.django_db(transaction=True)  # the output is written when the answer commits
def test_only_the_flows_team_reviews_the_loop_and_only_its_account_sees_it(personas):
    loop = f.human_loop(personas.flow, name="review-me")

    # Another team of the same account, and the outsider tenant's reviewer, get no task of it.
    assert lifecycle.claim_next_task(personas.other_team_reviewer) is None
    assert lifecycle.claim_next_task(personas.outsider.reviewer) is None
    # The outsider tenant cannot name it, or stop it.
    with pytest.raises(NotFound):
        loop_queries.get_human_loop(personas.outsider.account, "review-me")
    with pytest.raises(NotFound):
        lifecycle.stop_human_loop(account=personas.outsider.account, name="review-me")

    task = lifecycle.claim_next_task(personas.reviewer)
    assert task.human_loop_id == loop.id
    with pytest.raises(NotFound):  # someone who never held the task learns nothing about it
        lifecycle.submit_task(personas.other_team_reviewer, task.id, {"sentiment": {"label": "Negative"}})
    lifecycle.submit_task(personas.reviewer, task.id, {"sentiment": {"label": "Positive"}})

    finished = loop_queries.get_human_loop(personas.account, "review-me")
    assert finished.status == "Completed" and finished.output_s3_uri
    assert personas.owner in personas.account.admins.all()
    assert personas.tenant.key.access_key.account == personas.account
    assert personas.outsider.key.access_key.account != personas.account
