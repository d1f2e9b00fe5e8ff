"""Export the audit trail as JSON lines (one record per line, oldest first)."""

from __future__ import annotations

import datetime as dt
import sys

from django.core.management.base import BaseCommand, CommandError

from workforce.audit import trail as audit
from workforce.models import AuditRecord


class Command(BaseCommand):
    help = "Write audit records as JSON lines to stdout or a file, optionally filtered by time, kind or account."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--since", help="ISO date or datetime (UTC), inclusive")
        parser.add_argument("--until", help="ISO date or datetime (UTC), exclusive")
        parser.add_argument("--kind", choices=AuditRecord.Kind.values)
        parser.add_argument("--account", help="12-digit account id")
        parser.add_argument("--output", "-o", help="file to write (default: stdout)")

    def handle(self, *args, **options) -> None:
        records = AuditRecord.objects.select_related("account").order_by("created_at", "id")
        if options["since"]:
            records = records.filter(created_at__gte=_parse_time(options["since"]))
        if options["until"]:
            records = records.filter(created_at__lt=_parse_time(options["until"]))
        if options["kind"]:
            records = records.filter(kind=options["kind"])
        if options["account"]:
            records = records.filter(account__aws_account_id=options["account"])
        out = open(options["output"], "w", encoding="utf-8") if options["output"] else self.stdout  # noqa: SIM115
        count = 0
        try:
            for line in audit.json_lines(records.iterator(chunk_size=2000)):
                out.write(line, ending="") if out is self.stdout else out.write(line)
                count += 1
        finally:
            if out is not self.stdout:
                out.close()
        sys.stderr.write(f"Exported {count} audit record(s).\n")


def _parse_time(value: str) -> dt.datetime:
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(f"Not an ISO date or datetime: {value!r}") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
