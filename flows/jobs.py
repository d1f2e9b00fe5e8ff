"""The background jobs the loop, delivery and quality code hand work to, bound to Celery tasks by flows.tasks.

flows.tasks imports the services its tasks call (lifecycle, webhooks, gold), so those
services cannot import flows.tasks back. They enqueue a `Job` declared here instead, and
flows.tasks binds each job to its Celery task when it is imported (FlowsConfig.ready
imports it, as Celery's autodiscovery does in a worker). A job enqueued before it is bound
fails loudly, not silently. The Celery task names (`flows.tasks.*`) are unchanged.
"""

from __future__ import annotations

from typing import Any


class Job:
    """A named slot for one Celery task: `delay` and `name` are the bound task's."""

    def __init__(self, name: str) -> None:
        self._slot = name
        self._task: Any = None

    def bind(self, task: Any) -> None:
        self._task = task

    @property
    def task(self) -> Any:
        if self._task is None:
            raise RuntimeError(f"Job {self._slot} has no Celery task bound (flows.tasks binds it on import).")
        return self._task

    @property
    def name(self) -> str:
        return self.task.name

    def delay(self, *args: Any) -> Any:
        return self.task.delay(*args)


FINALIZE_LOOP = Job("finalize_loop")  # flows.loops.lifecycle, when a loop has its answers or is stopped
FINALIZE_LOOPS = Job("finalize_loops")  # flows.loops.lifecycle, a chunk of the loops a deadline batch timed out
DELIVER_WEBHOOK = Job("deliver_webhook")  # flows.delivery.events, one per endpoint of a status event
NOTIFY_REVIEWER_PAUSED = Job("notify_reviewer_paused")  # flows.quality.gold, when gold answers pause a reviewer
# flows.loops.lifecycle, when a loop starts for a team not announced to in the last digest window; bound by
# notifications.tasks (its send_notifications) so the digest leaves now, not at the next beat.
ANNOUNCE_NEW_WORK = Job("announce_new_work")
