"""Deadline-sweep benchmark (issue 16): the reminder/escalation sweep over 100,000 open loops.

    python -m bench.notify_sweep [--loops 100000] [--holders 1000] [--out bench/results/notify-sweep.json]

Starts N open loops (flows.loops.bulk) on a flow with deadline tags (deadline 10 min, a
reminder at 5, escalation at 8 to a second team), a reviewer holding a task of `--holders` of them,
then, with hitl.kernel.clock moved, times notifications.sweeps.run_deadline_steps:

* quiet: nothing due yet (t = 4 min): what every 5 s sweep costs while loops wait;
* reminders: every loop's reminder due at once (t = 5 min): a LoopStep per held loop, one e-mail
  delivery per holder;
* escalation: every loop escalated at once (t = 8 min): a ClaimGrant per loop (the step cursor is
  the step's record), one message per member of team B for the whole sweep;
* timeouts: every loop's deadline passed at once (t = 10 min): one sweep times out all of them,
  1,000 a transaction (flows.loops.lifecycle.time_out_human_loops), up to 200,000;
* again: each sweep repeated right after: nothing is taken or sent twice.

Runs on the database DATABASE_URL names (default: a fresh SQLite file under var/), migrating it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hitl.settings")
    if not os.environ.get("DATABASE_URL"):
        path = ROOT / "var" / "bench-notify.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
    import django
    from django.conf import settings

    django.setup()
    # A thousand reviewers: PBKDF2 would take minutes to hash their (unused) passwords.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def run(loops: int, holders: int) -> dict:
    from django.db.models import Count

    from flows.loops import bulk, lifecycle
    from flows.models import ClaimGrant
    from hitl.kernel import clock
    from notifications import sweeps
    from notifications.models import Channel, Delivery, LoopStep
    from tests import factories

    account = factories.account()
    topic = f"arn:aws:sns:us-east-1:{account.aws_account_id}:reviewers"
    reviewers = [factories.user(f"bench-r{n}", email=f"r{n}@example.com") for n in range(holders)]
    team = factories.workteam(
        account, members=reviewers, name="team-a", notification_config={"NotificationTopicArn": topic}
    )
    backups = [factories.user(f"bench-b{n}", email=f"b{n}@example.com") for n in range(5)]
    factories.workteam(account, members=backups, name="team-b", notification_config={"NotificationTopicArn": topic})
    Channel.objects.create(account=account, name="email", kind=Channel.Kind.EMAIL, topic_arn=topic)
    tags = [
        {"Key": "hitl:deadline", "Value": "10m"},
        {"Key": "hitl:deadline:reminders", "Value": "5m"},
        {"Key": "hitl:deadline:escalate-at", "Value": "8m"},
        {"Key": "hitl:deadline:escalate-to", "Value": "team-b"},
    ]
    flow = factories.flow_definition(account, team, name="bench", tags=tags, task_availability_lifetime_seconds=3600)
    # A timed-out loop's output write is a worker's task (flows.jobs.FINALIZE_LOOP), enqueued on commit; with no
    # broker it would run inside the sweep (eager), so the bench keeps the enqueues: the sweep is what is timed.
    enqueued: list = []
    lifecycle.enqueue_on_commit = lambda *args, **kwargs: enqueued.append(args)
    clock.set_now(dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC))
    started = time.perf_counter()
    items = ({"HumanLoopName": f"bench-{n}", "InputContent": "{}"} for n in range(loops))
    summary = bulk.bulk_start_human_loops(account, flow, items)
    start_seconds = time.perf_counter() - started
    print(f"started {summary.created} loops in {start_seconds:.1f} s", flush=True)
    for reviewer in reviewers:
        lifecycle.claim_next_task(reviewer)

    def timed(label: str, at_seconds: int) -> dict:
        clock.set_now(dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC) + dt.timedelta(seconds=at_seconds, milliseconds=1))
        began = time.perf_counter()
        taken = sweeps.run_deadline_steps()
        result = {"step": label, "seconds": round(time.perf_counter() - began, 3), "loop_steps_taken": taken}
        print(result, flush=True)
        return result

    results = [timed("quiet (nothing due)", 240), timed("reminders due for every loop", 300)]
    results.append(timed("again (nothing new)", 301))
    results.append(timed("escalation due for every loop", 480))
    results.append(timed("again (nothing new)", 481))
    results.append(timed("timeouts due for every loop", 600))
    results.append(timed("again (nothing new)", 605))
    return {
        "loops": summary.created,
        "holders": holders,
        "bulk_start_seconds": round(start_seconds, 2),
        "sweeps": results,
        "loop_steps": dict(LoopStep.objects.values_list("step").annotate(n=Count("id")).order_by("step")),
        "claim_grants": ClaimGrant.objects.count(),
        "output_jobs_enqueued": len(enqueued),  # flows.loops.lifecycle.FINALIZE_CHUNK loops a job
        "output_writes_enqueued": sum(len(args[1]) for args in enqueued),
        "deliveries": {kind: Delivery.objects.filter(kind=kind).count() for kind in ("reminder", "escalation")},
        "database": os.environ["DATABASE_URL"].split(":", 1)[0],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loops", type=int, default=100_000)
    parser.add_argument("--holders", type=int, default=1000)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "notify-sweep.json")
    args = parser.parse_args(argv)
    _django()
    result = run(args.loops, args.holders)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
