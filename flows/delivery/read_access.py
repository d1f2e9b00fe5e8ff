"""Which stored objects an account's task pages may show (grant_read_access / s3_presign).

hitl reads the store with its own credentials, so the question AWS answers with the
read permissions of a flow's RoleArn is answered here, in one place:

* an object under another account's flow output path is never readable (the
  answers of other tenants), whatever else is configured;
* otherwise an object is readable when it lies in one of the account's
  `ReadLocation`s (bucket + key prefix), which operators set in the admin;
* everything else is refused. With no locations an account can grant nothing.
"""

from __future__ import annotations

from flows.delivery.outputs import split_s3_path
from flows.models import FlowDefinition
from workforce.models import ReadLocation


class ReadPolicy:
    """What one account may read; built per render, so each bucket costs at most one query."""

    def __init__(self, account_id: int) -> None:
        self.account_id = account_id
        self._allowed: list[tuple[str, str]] | None = None
        self._foreign_prefixes: dict[str, list[str]] = {}

    def refusal(self, bucket: str, key: str) -> str | None:
        """Return why the account may not read s3://bucket/key, or None when it may."""
        uri = f"s3://{bucket}/{key}"
        if any(key.startswith(prefix) for prefix in self._other_accounts_output_prefixes(bucket)):
            return f"{uri} is under another account's output path; it can never be shown in this account's tasks."
        if not any(bucket == allowed and key.startswith(prefix) for allowed, prefix in self._allowed_locations()):
            return (
                f"{uri} is not in a location this account may read. An operator can allow its bucket or "
                "prefix in the admin (Accounts, Read locations)."
            )
        return None

    def _allowed_locations(self) -> list[tuple[str, str]]:
        if self._allowed is None:
            rows = ReadLocation.objects.filter(account_id=self.account_id).values_list("bucket", "prefix")
            self._allowed = list(rows)
        return self._allowed

    def _other_accounts_output_prefixes(self, bucket: str) -> list[str]:
        # Deleted flows count too: their outputs are still in the store. A prefix matches as a plain
        # string prefix ("out" also covers "outer/"), which refuses more, never less.
        if bucket not in self._foreign_prefixes:
            paths = (
                FlowDefinition.objects.exclude(account_id=self.account_id)
                .filter(s3_output_path__contains=bucket)
                .values_list("s3_output_path", flat=True)
            )
            prefixes = []
            for path in paths:
                try:
                    path_bucket, prefix = split_s3_path(path)
                except ValueError:
                    continue
                if path_bucket == bucket:
                    prefixes.append(prefix)
            self._foreign_prefixes[bucket] = prefixes
        return self._foreign_prefixes[bucket]


def read_refusal(account_id: int, bucket: str, key: str) -> str | None:
    """Return why account `account_id` may not read s3://bucket/key, or None when it may."""
    return ReadPolicy(account_id).refusal(bucket, key)
