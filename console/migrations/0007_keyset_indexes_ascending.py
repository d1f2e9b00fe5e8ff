"""The console's two keyset indexes in ascending order: each new loop then lands on the rightmost leaf.

The newest-first walk (console.loop_search, ORDER BY created_at DESC, id DESC) reads an ascending
index backwards just as well. But with (created_at DESC, id DESC) every new loop, the newest,
went to the leftmost leaf of its account's range: PostgreSQL descends the tree for each insert
(its rightmost-leaf fast path does not apply) and splits pages in half, leaving them half
empty (14 MB against 4.4 MB for the primary key at 200,000 loops). Ascending, the two indexes
cost about 5 µs less PostgreSQL CPU per imported loop (bench/README.md "sixth pass").
"""

from django.db import migrations

ASCENDING = [
    "CREATE INDEX console_loop_account_created_idx "
    "ON flows_humanloop (account_id, created_at, id) WHERE deleted_at IS NULL",
    "CREATE INDEX console_loop_account_status_created_idx "
    "ON flows_humanloop (account_id, status, created_at, id) WHERE deleted_at IS NULL",
]
DESCENDING = [
    "CREATE INDEX console_loop_account_created_idx "
    "ON flows_humanloop (account_id, created_at DESC, id DESC) WHERE deleted_at IS NULL",
    "CREATE INDEX console_loop_account_status_created_idx "
    "ON flows_humanloop (account_id, status, created_at DESC, id DESC) WHERE deleted_at IS NULL",
]
NAMES = ["console_loop_account_created_idx", "console_loop_account_status_created_idx"]


def _recreate(schema_editor, statements: list[str]) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in NAMES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
    for statement in statements:
        schema_editor.execute(statement)


def ascending(apps, schema_editor) -> None:
    _recreate(schema_editor, ASCENDING)


def descending(apps, schema_editor) -> None:
    _recreate(schema_editor, DESCENDING)


class Migration(migrations.Migration):
    dependencies = [("console", "0006_finer_input_statistics")]

    operations = [migrations.RunPython(ascending, descending)]
