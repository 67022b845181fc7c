"""Drop the person_id index of the category and search-key tables: each table's unique
constraint (person, category) / (person, kind, key) starts with person_id, so its index
already serves every lookup by person (the detail page, cascades, the merge), and the
second copy only cost every write (an import writes 100,000 persons' rows into both).

The database side is written out, as in 0005: Django alters a field on SQLite by copying
the table.
"""

import django.db.models.deletion
from django.db import migrations, models

TABLES = ("people_personcategory", "people_personsearchkey")


def forwards(apps, schema_editor):
    connection, quote = schema_editor.connection, schema_editor.quote_name
    for table in TABLES:
        with connection.cursor() as cursor:
            constraints = connection.introspection.get_constraints(cursor, table)
        for name, info in constraints.items():
            plain = info["index"] and not (info["primary_key"] or info["unique"])
            if plain and info["columns"] == ["person_id"]:
                schema_editor.execute(f"DROP INDEX {quote(name)}")


def backwards(apps, schema_editor):
    # The foreign key's index as Django made it: `apps` is the state before this migration.
    for model_name in ("PersonCategory", "PersonSearchKey"):
        model = apps.get_model("people", model_name)
        for sql in schema_editor._field_indexes_sql(model, model._meta.get_field("person")):
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("people", "0006_person_category_bits")]

    state_operations = [
        migrations.AlterField(
            model_name=model_name,
            name="person",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name=related_name,
                to="people.person",
            ),
        )
        for model_name, related_name in (
            ("personcategory", "categories"),
            ("personsearchkey", "search_keys"),
        )
    ]
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=state_operations,
            database_operations=[migrations.RunPython(forwards, backwards, elidable=False)],
        )
    ]
