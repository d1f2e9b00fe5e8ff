"""A search row is deleted with its loop (an account's deletion cascades to both), through a foreign key."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("console", "0004_loop_search_table"),
        ("flows", "0012_copied_references_unconstrained"),
    ]

    operations = [
        # Rows of loops deleted before the key existed would fail it.
        migrations.RunSQL(
            "DELETE FROM console_loopsearchtext WHERE loop_id NOT IN (SELECT id FROM flows_humanloop)",
            migrations.RunSQL.noop,
        ),
        migrations.RenameField(model_name="loopsearchtext", old_name="loop_id", new_name="loop"),
        migrations.AlterField(
            model_name="loopsearchtext",
            name="loop",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.CASCADE,
                primary_key=True,
                related_name="+",
                serialize=False,
                to="flows.humanloop",
            ),
        ),
    ]
