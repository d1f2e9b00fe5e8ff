"""Indexes behind the console's loop list and search (console.loop_search), on PostgreSQL only.

- the newest-first keyset walk of an account's loops: (account_id, created_at DESC, id DESC);
- the same within one status: (account_id, status, created_at DESC, id DESC);
- text search inside the input, the answers and the name: trigram GIN indexes (pg_trgm), which
  serve `ILIKE '%text%'`. Without the pg_trgm extension (no privilege to create it) the trigram
  indexes are left out and text search scans.

SQLite (the embedded default) gets none: its tables stay small enough to scan.
"""

from django.db import migrations, transaction

KEYSET = [
    "CREATE INDEX IF NOT EXISTS console_loop_account_created_idx "
    "ON flows_humanloop (account_id, created_at DESC, id DESC) WHERE deleted_at IS NULL",
    "CREATE INDEX IF NOT EXISTS console_loop_account_status_created_idx "
    "ON flows_humanloop (account_id, status, created_at DESC, id DESC) WHERE deleted_at IS NULL",
]
TRIGRAM = [
    "CREATE INDEX IF NOT EXISTS console_loop_input_trgm_idx ON flows_humanloop USING gin (input_content gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS console_loop_name_trgm_idx ON flows_humanloop USING gin (name gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS console_task_answer_trgm_idx "
    "ON flows_reviewtask USING gin ((answer::text) gin_trgm_ops) WHERE answer IS NOT NULL",
]
NAMES = [
    "console_loop_account_created_idx",
    "console_loop_account_status_created_idx",
    "console_loop_input_trgm_idx",
    "console_loop_name_trgm_idx",
    "console_task_answer_trgm_idx",
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in KEYSET:
        schema_editor.execute(statement)
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except Exception:  # no privilege to create the extension: text search works, by scanning
        return
    for statement in TRIGRAM:
        schema_editor.execute(statement)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in NAMES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("flows", "0006_fill_versions")]

    operations = [migrations.RunPython(create, drop)]
