"""Personas for the portal: two reviewers on a team, an outsider on another team, a flow with work."""

from __future__ import annotations

import pytest

from tests import factories


@pytest.fixture
def account(db):
    return factories.account()


@pytest.fixture
def reviewer(db):
    return factories.user("rita", email="rita@example.com", password="correct horse")


@pytest.fixture
def second_reviewer(db):
    return factories.user("sam", password="correct horse")


@pytest.fixture
def outsider(db):
    return factories.user("olga", password="correct horse")


@pytest.fixture
def team(account, reviewer, second_reviewer):
    return factories.workteam(account, members=[reviewer, second_reviewer], name="sentiment-team")


@pytest.fixture
def other_team(account, outsider):
    return factories.workteam(account, members=[outsider], name="other-team")


@pytest.fixture
def flow(account, team):
    return factories.flow_definition(
        account, team, name="sentiment", task_keywords=["text", "sentiment"], task_time_limit_seconds=600
    )
