"""A loop's flow held by statement-level triggers on PostgreSQL instead of a foreign-key constraint.

The constraint ran its check query once per inserted row: about 5 µs of backend CPU a loop on
the import's critical path (bench/README.md "sixth pass"). The triggers give the same guarantee
once per INSERT statement, over its transition table:

- after an INSERT into flows_humanloop, every flow its rows name is locked FOR KEY SHARE (what
  the constraint's check does: a concurrent delete of the flow waits for this transaction) and
  must exist, else foreign_key_violation;
- a loop whose flow_definition_id changes (nothing does) is checked the same way, row by row;
- before a flow is deleted, no loop may name it, else foreign_key_violation. Under READ COMMITTED
  a delete that waited for an inserting transaction's lock sees its loops, since the trigger's
  query takes a fresh snapshot (tests/lifecycle/test_loop_flow_guard.py shows both orders).

SQLite keeps Django's PROTECT only, like every copied reference of the loop.
"""

import django.db.models.deletion
from django.db import migrations, models

CREATE = [
    """
    CREATE FUNCTION flows_loops_name_existing_flows() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        missing bigint;
    BEGIN
        PERFORM 1 FROM flows_flowdefinition
        WHERE id IN (SELECT flow_definition_id FROM new_loops) FOR KEY SHARE;
        SELECT n.flow_definition_id INTO missing
        FROM (SELECT DISTINCT flow_definition_id FROM new_loops) AS n
        WHERE NOT EXISTS (SELECT 1 FROM flows_flowdefinition AS f WHERE f.id = n.flow_definition_id)
        LIMIT 1;
        IF missing IS NOT NULL THEN
            RAISE EXCEPTION 'flow definition %% does not exist for a human loop', missing
                USING ERRCODE = 'foreign_key_violation';
        END IF;
        RETURN NULL;
    END $$
    """,
    "CREATE TRIGGER flows_loop_flow_exists AFTER INSERT ON flows_humanloop "
    "REFERENCING NEW TABLE AS new_loops FOR EACH STATEMENT EXECUTE FUNCTION flows_loops_name_existing_flows()",
    """
    CREATE FUNCTION flows_loop_moved_to_existing_flow() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM 1 FROM flows_flowdefinition WHERE id = NEW.flow_definition_id FOR KEY SHARE;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'flow definition %% does not exist for a human loop', NEW.flow_definition_id
                USING ERRCODE = 'foreign_key_violation';
        END IF;
        RETURN NEW;
    END $$
    """,
    "CREATE TRIGGER flows_loop_flow_changed BEFORE UPDATE OF flow_definition_id ON flows_humanloop FOR EACH ROW "
    "WHEN (OLD.flow_definition_id IS DISTINCT FROM NEW.flow_definition_id) "
    "EXECUTE FUNCTION flows_loop_moved_to_existing_flow()",
    """
    CREATE FUNCTION flows_flow_without_loops() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF EXISTS (SELECT 1 FROM flows_humanloop WHERE flow_definition_id = OLD.id) THEN
            RAISE EXCEPTION 'flow definition %% still has human loops', OLD.id
                USING ERRCODE = 'foreign_key_violation';
        END IF;
        RETURN OLD;
    END $$
    """,
    "CREATE TRIGGER flows_flow_deleted_without_loops BEFORE DELETE ON flows_flowdefinition FOR EACH ROW "
    "EXECUTE FUNCTION flows_flow_without_loops()",
]
DROP = [
    "DROP TRIGGER IF EXISTS flows_flow_deleted_without_loops ON flows_flowdefinition",
    "DROP TRIGGER IF EXISTS flows_loop_flow_changed ON flows_humanloop",
    "DROP TRIGGER IF EXISTS flows_loop_flow_exists ON flows_humanloop",
    "DROP FUNCTION IF EXISTS flows_flow_without_loops()",
    "DROP FUNCTION IF EXISTS flows_loop_moved_to_existing_flow()",
    "DROP FUNCTION IF EXISTS flows_loops_name_existing_flows()",
]


def create(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        for statement in CREATE:  # run with parameters: %% is a plain %
            schema_editor.execute(statement)


def drop(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        for statement in DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("flows", "0017_side_write_decisions")]

    operations = [
        migrations.AlterField(
            model_name="humanloop",
            name="flow_definition",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="human_loops",
                to="flows.flowdefinition",
            ),
        ),
        migrations.RunPython(create, drop),
    ]
