"""On PostgreSQL, loop names compare byte by byte (COLLATE "C"): the same order for every valid name, less CPU per insert.

A name matches A2I's `^[a-z0-9](-*[a-z0-9])*$`, plain ASCII, which the database's default
collation (C.UTF-8 or a language's) orders exactly as "C" does. But a non-"C" collation
compares through strcoll: the two btree indexes on the name (human_loop_name_unique and
human_loop_list_idx) cost about 14 µs of PostgreSQL CPU per inserted loop with it and 7 µs
with "C" (a 200,000-row COPY into a copy of the table, bench/README.md "sixth pass").

Not in the model (`db_collation`): SQLite has no collation named "C" (and compares bytes
already). A later AlterField of `name` would drop the collation on PostgreSQL:
tests/lifecycle/test_bulk_stage.py checks it is still "C".
"""

from django.db import migrations

TABLE, COLUMN = "flows_humanloop", "name"


def bytewise(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        # Same type: no table rewrite, only the two indexes on the name are rebuilt.
        schema_editor.execute(f'ALTER TABLE {TABLE} ALTER COLUMN {COLUMN} TYPE varchar(63) COLLATE "C"')


def default(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {TABLE} ALTER COLUMN {COLUMN} TYPE varchar(63) COLLATE pg_catalog.default")


class Migration(migrations.Migration):
    dependencies = [("flows", "0014_review_task_loop_unconstrained")]

    operations = [migrations.RunPython(bytewise, default)]
