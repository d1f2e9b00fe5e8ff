"""The console's text search moves off the loop table: a search table filled after the loops commit.

The trigram indexes on flows_humanloop (0003) cost every start about 35 µs of PostgreSQL CPU a
loop, a third of a bulk import's (bench/README.md). They are dropped; LoopSearchText carries the
name and input with the same trigram indexes, and a statement-level trigger on flows_humanloop
records each INSERT's id range in LoopSearchBacklog, which console.search_index copies from.
Loops that exist already are put in the backlog, so the first sweeps index them.

SQLite (the embedded default) gets neither trigger nor indexes: its search scans the loop table.
"""

from django.db import migrations, models

TRIGGER = [
    """
    CREATE OR REPLACE FUNCTION console_loop_search_backlog() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO console_loopsearchbacklog (low, high)
        SELECT low, high FROM (SELECT min(id) AS low, max(id) AS high FROM new_loops) AS inserted
        WHERE low IS NOT NULL;
        RETURN NULL;
    END $$
    """,
    "CREATE TRIGGER console_loop_search_backlog AFTER INSERT ON flows_humanloop "
    "REFERENCING NEW TABLE AS new_loops FOR EACH STATEMENT EXECUTE FUNCTION console_loop_search_backlog()",
    "INSERT INTO console_loopsearchbacklog (low, high) "
    "SELECT min(id), max(id) FROM flows_humanloop HAVING count(*) > 0",
]
TRIGRAM = [
    "CREATE INDEX IF NOT EXISTS console_search_input_upper_trgm_idx "
    "ON console_loopsearchtext USING gin ((upper(input_content)) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS console_search_name_upper_trgm_idx "
    "ON console_loopsearchtext USING gin ((upper(name::text)) gin_trgm_ops)",
]
OFF_THE_LOOP_TABLE = ["console_loop_input_upper_trgm_idx", "console_loop_name_upper_trgm_idx"]


def _has_trigram(schema_editor) -> bool:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        return cursor.fetchone() is not None


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in TRIGGER:
        schema_editor.execute(statement)
    if _has_trigram(schema_editor):
        for name in OFF_THE_LOOP_TABLE:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
        for statement in TRIGRAM:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP TRIGGER IF EXISTS console_loop_search_backlog ON flows_humanloop")
    schema_editor.execute("DROP FUNCTION IF EXISTS console_loop_search_backlog()")
    if _has_trigram(schema_editor):
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS console_loop_input_upper_trgm_idx "
            "ON flows_humanloop USING gin ((upper(input_content)) gin_trgm_ops)"
        )
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS console_loop_name_upper_trgm_idx "
            "ON flows_humanloop USING gin ((upper(name::text)) gin_trgm_ops)"
        )


class Migration(migrations.Migration):
    dependencies = [("console", "0003_trigram_indexes_on_upper")]

    operations = [
        migrations.CreateModel(
            name="LoopSearchBacklog",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("low", models.BigIntegerField()),
                ("high", models.BigIntegerField()),
            ],
        ),
        migrations.CreateModel(
            name="LoopSearchText",
            fields=[
                ("loop_id", models.BigIntegerField(primary_key=True, serialize=False)),
                ("account_id", models.BigIntegerField()),
                ("name", models.CharField(max_length=63)),
                ("input_content", models.TextField()),
            ],
        ),
        migrations.RunPython(forward, backward),
    ]
