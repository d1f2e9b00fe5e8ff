"""hitl.kernel.transactions: Celery publishes wait for the commit, and inside a request for the response."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.core.signals import request_finished

from hitl.kernel import transactions


def fake_task(sent: list) -> SimpleNamespace:
    return SimpleNamespace(name="fake", delay=lambda *args: sent.append(args))


@pytest.mark.django_db
def test_inside_a_request_a_publish_waits_until_the_response_is_sent(settings, django_capture_on_commit_callbacks):
    settings.CELERY_TASK_ALWAYS_EAGER = False  # a real broker
    sent: list = []
    transactions.collect_until_response_sent()  # what hitl.kernel.middleware does as a request begins
    with django_capture_on_commit_callbacks(execute=True):
        transactions.enqueue_on_commit(fake_task(sent), 7)

    assert sent == []  # committed, but the response is not out yet
    request_finished.send(sender=None)
    assert sent == [(7,)]


@pytest.mark.django_db
def test_outside_a_request_or_with_eager_tasks_a_publish_goes_at_commit(settings, django_capture_on_commit_callbacks):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    sent: list = []
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        transactions.enqueue_on_commit(fake_task(sent), 1)
    assert sent == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert sent == [(1,)]

    settings.CELERY_TASK_ALWAYS_EAGER = True  # the embedded default: tasks run in-process at commit
    transactions.collect_until_response_sent()
    with django_capture_on_commit_callbacks(execute=True):
        transactions.enqueue_on_commit(fake_task(sent), 2)
    assert sent == [(1,), (2,)]
    request_finished.send(sender=None)
    assert sent == [(1,), (2,)]
