"""The embedded default (SQLite) refuses a loop naming no flow, as its foreign key did before 0018.

0018 moved the loop's flow from a foreign-key constraint to statement-level triggers on PostgreSQL;
on SQLite it left Django's PROTECT only, so a start on a flow another process had just deleted
(tests/flows/test_cached_flows.py) was no longer refused. SQLite checks per row cheaply and has one
writer at a time, so a row trigger on insert (and on a change of flow) is the whole guard. No delete
trigger: Django's PROTECT refuses an ORM delete of a flow with loops, and a test database's flush
deletes the flows before the loops.
"""

from django.db import migrations

CREATE = [
    "CREATE TRIGGER flows_loop_flow_exists BEFORE INSERT ON flows_humanloop FOR EACH ROW "
    "WHEN NOT EXISTS (SELECT 1 FROM flows_flowdefinition WHERE id = NEW.flow_definition_id) "
    "BEGIN SELECT RAISE(ABORT, 'flow definition does not exist for a human loop'); END",
    "CREATE TRIGGER flows_loop_flow_changed BEFORE UPDATE OF flow_definition_id ON flows_humanloop FOR EACH ROW "
    "WHEN NOT EXISTS (SELECT 1 FROM flows_flowdefinition WHERE id = NEW.flow_definition_id) "
    "BEGIN SELECT RAISE(ABORT, 'flow definition does not exist for a human loop'); END",
]
DROP = [
    "DROP TRIGGER IF EXISTS flows_loop_flow_exists",
    "DROP TRIGGER IF EXISTS flows_loop_flow_changed",
]


def create(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "sqlite":
        for statement in CREATE:
            schema_editor.execute(statement)


def drop(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "sqlite":
        for statement in DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("flows", "0018_loop_flow_checked_per_statement")]

    operations = [migrations.RunPython(create, drop)]
