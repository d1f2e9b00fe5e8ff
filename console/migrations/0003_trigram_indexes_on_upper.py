"""The trigram indexes of 0001 on upper(...): Django's `icontains` on PostgreSQL is `UPPER(col) LIKE UPPER(%s)`.

An index on the bare column does not serve that expression; these do. PostgreSQL only, and only
where the pg_trgm extension exists (see 0001).
"""

from django.db import migrations

OLD = ["console_loop_input_trgm_idx", "console_loop_name_trgm_idx", "console_task_answer_trgm_idx"]
NEW = [
    "CREATE INDEX IF NOT EXISTS console_loop_input_upper_trgm_idx "
    "ON flows_humanloop USING gin ((upper(input_content)) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS console_loop_name_upper_trgm_idx "
    "ON flows_humanloop USING gin ((upper(name::text)) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS console_task_answer_upper_trgm_idx "
    "ON flows_reviewtask USING gin ((upper(answer::text)) gin_trgm_ops) WHERE answer IS NOT NULL",
]


def _has_trigram(schema_editor) -> bool:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        return cursor.fetchone() is not None


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql" or not _has_trigram(schema_editor):
        return
    for name in OLD:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
    for statement in NEW:
        schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in (
        "console_loop_input_upper_trgm_idx",
        "console_loop_name_upper_trgm_idx",
        "console_task_answer_upper_trgm_idx",
    ):
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("console", "0002_answer_check")]

    operations = [migrations.RunPython(forward, backward)]
