"""Start human loops from a JSONL file: one {"HumanLoopName", "InputContent"} object per line, with progress."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from flows.loops.bulk import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_WRITERS,
    STAGED_BATCH_SIZE,
    BulkSummary,
    bulk_start_human_loops,
    progress_line,
)
from flows.models import FlowDefinition
from hitl.kernel import arns
from hitl.kernel.errors import HitlError, InvalidInput
from workforce.models import Account


class Command(BaseCommand):
    help = (
        'Start a human loop for each line of a JSONL file ({"HumanLoopName", "InputContent"[, '
        '"DataAttributes"]}), in batches. InputContent is the task input as a JSON object, or that object '
        'as a JSON-encoded string as StartHumanLoop takes it (both {"InputContent": {"taskObject": "x"}} and '
        '{"InputContent": "{\\"taskObject\\": \\"x\\"}"} work). Same rules as StartHumanLoop; a line '
        "that fails is reported, the others go on. Progress goes to standard error after each batch. "
        "Use - to read standard input."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", help="JSONL file, or - for standard input")
        parser.add_argument("--account", required=True, help="account name or 12-digit AWS account id")
        parser.add_argument("--flow", required=True, help="flow definition name or ARN")
        parser.add_argument(
            "--batch-size",
            type=int,
            help=f"items per transaction (default {STAGED_BATCH_SIZE:,} on PostgreSQL, {DEFAULT_BATCH_SIZE:,} elsewhere)",
        )
        parser.add_argument(
            "--writers",
            type=int,
            default=DEFAULT_WRITERS,
            help="concurrent insert connections; ignored (PostgreSQL checks then writes each batch in one transaction)",
        )
        parser.add_argument("--max-errors-shown", type=int, default=20)
        parser.add_argument("--quiet", action="store_true", help="no progress lines, only the summary")

    def handle(self, *args: Any, **options: Any) -> None:
        account = Account.objects.filter(Q(name=options["account"]) | Q(aws_account_id=options["account"])).first()
        if account is None:
            raise CommandError(f"No account named {options['account']!r}.")
        flow_name = options["flow"]
        if flow_name.startswith("arn:"):
            flow_name = arns.parse_name("flow-definition", flow_name, account.aws_account_id) or ""
        flow = FlowDefinition.objects.filter(account=account, name=flow_name, deleted_at__isnull=True).first()
        if flow is None:
            raise CommandError(f"No flow definition {options['flow']!r} in account {account.name}.")

        handle = sys.stdin if options["path"] == "-" else open(options["path"], encoding="utf-8")
        total = None if handle is sys.stdin else _count_items(options["path"])
        started = time.perf_counter()

        def report(summary: BulkSummary) -> None:
            self.stderr.write(progress_line(summary, total, time.perf_counter() - started))

        try:
            summary = bulk_start_human_loops(
                account,
                flow,
                _read_lines(handle),
                batch_size=options["batch_size"],
                writers=options["writers"],
                progress=None if options["quiet"] else report,
            )
        except HitlError as exc:
            raise CommandError(exc.message) from None
        finally:
            if handle is not sys.stdin:
                handle.close()
        elapsed = time.perf_counter() - started

        for failure in summary.failures[: options["max_errors_shown"]]:
            self.stderr.write(
                f"item {failure.index + 1} ({failure.name}): {type(failure.error).__name__}: {failure.error}"
            )
        if len(summary.failures) > options["max_errors_shown"]:
            self.stderr.write(f"... and {len(summary.failures) - options['max_errors_shown']} more failures")
        rate = summary.total / elapsed if elapsed > 0 else 0.0
        self.stdout.write(
            f"created={summary.created} existing={summary.existing} not_activated={summary.not_activated} "
            f"failed={len(summary.failures)} seconds={elapsed:.2f} items_per_second={rate:.0f}"
        )
        if summary.failures:
            raise CommandError(f"{len(summary.failures)} of {summary.total} items failed.", returncode=2)


def _count_items(path: str) -> int:
    """Count the non-blank lines of the file (a fast pass in binary, for the progress percentage)."""
    with open(path, "rb") as handle:
        return sum(1 for line in handle if line.strip())


def _read_lines(handle) -> Iterator[dict[str, Any] | HitlError]:
    """Yield one item per non-blank line (items are numbered by those lines)."""
    lines = (line for line in handle if line.strip())
    for number, line in enumerate(lines, start=1):
        try:
            item = json.loads(line)
        except ValueError as exc:
            yield InvalidInput(f"Item {number} is not JSON: {exc}.")
            continue
        yield item
