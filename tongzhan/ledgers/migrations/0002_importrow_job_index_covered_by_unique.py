"""Drop the job_id index of ledgers_importrow: the unique (job, line) constraint and the
(job, state, line) index both start with job_id and serve every lookup by job, and the
third copy cost every row a check stores (0.25 s of a 100,000-row check, measured on a
plain table in round 3 of docs/PERFORMANCE.md).

The database side is written out: Django alters a field on SQLite by copying the table.
"""

import django.db.models.deletion
from django.db import migrations, models

TABLE = "ledgers_importrow"


def forwards(apps, schema_editor):
    connection, quote = schema_editor.connection, schema_editor.quote_name
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, TABLE)
    for name, info in constraints.items():
        plain = info["index"] and not (info["primary_key"] or info["unique"])
        if plain and info["columns"] == ["job_id"]:
            schema_editor.execute(f"DROP INDEX {quote(name)}")


def backwards(apps, schema_editor):
    # The foreign key's index as Django made it: `apps` is the state before this migration.
    model = apps.get_model("ledgers", "ImportRow")
    for sql in schema_editor._field_indexes_sql(model, model._meta.get_field("job")):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("ledgers", "0001_initial")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="importrow",
                    name="job",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="rows",
                        to="ledgers.importjob",
                    ),
                )
            ],
            database_operations=[migrations.RunPython(forwards, backwards, elidable=False)],
        )
    ]
