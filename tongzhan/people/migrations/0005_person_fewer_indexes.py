"""Fewer indexes on people_person: each costs every write of a person.

- person_region_pinyin had the same key as people_person_scope_cover (0003), which serves
  every query it served;
- the region foreign key's own index: every remaining index but two starts with region;
- on PostgreSQL, the *_like copies (varchar_pattern_ops) that db_index made of the blind
  indexes, the name key and the region code: these are only compared whole or as ranges,
  never with LIKE, so plain indexes (declared in Meta) replace them.
Measured on the import's write (docs/PERFORMANCE.md).

The database side is written out: Django alters a field on SQLite by copying the table,
which would drop the two indexes that 0003 and 0004 created with SQL.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

TABLE = "people_person"
# Plain indexes on exactly one of these columns are replaced (any name: Django's hashed
# ones, and the _like copies on PostgreSQL).
SINGLE_COLUMNS = (["id_number_index"], ["phone_index"], ["name_key"], ["region_id"])
NEW = {
    "person_id_number_index": "id_number_index",
    "person_phone_index": "phone_index",
    "person_name_key": "name_key",
}


def forwards(apps, schema_editor):
    connection, quote = schema_editor.connection, schema_editor.quote_name
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, TABLE)
    for name, info in constraints.items():
        plain = info["index"] and not (info["primary_key"] or info["unique"])
        if plain and (name == "person_region_pinyin" or info["columns"] in SINGLE_COLUMNS):
            schema_editor.execute(f"DROP INDEX {quote(name)}")
    for name, column in NEW.items():
        schema_editor.execute(f"CREATE INDEX {quote(name)} ON {quote(TABLE)} ({quote(column)})")


def backwards(apps, schema_editor):
    quote = schema_editor.quote_name
    for name in NEW:
        schema_editor.execute(f"DROP INDEX {quote(name)}")
    schema_editor.execute(
        f"CREATE INDEX person_region_pinyin ON {quote(TABLE)} (region_id, name_pinyin, id)"
    )
    # The db_index indexes as Django made them (with their _like copies on PostgreSQL).
    person = apps.get_model("people", "Person")
    for field_name in ("id_number_index", "phone_index", "name_key", "region"):
        for sql in schema_editor._field_indexes_sql(person, person._meta.get_field(field_name)):
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("people", "0004_person_no_id"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    state_operations = [
        migrations.RemoveIndex(model_name="person", name="person_region_pinyin"),
        migrations.AlterField(
            model_name="person",
            name="id_number_index",
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.AlterField(
            model_name="person",
            name="name_key",
            field=models.CharField(blank=True, editable=False, max_length=50),
        ),
        migrations.AlterField(
            model_name="person",
            name="phone_index",
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.AlterField(
            model_name="person",
            name="region",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                to="core.region",
                verbose_name="所属区域",
            ),
        ),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(fields=["id_number_index"], name="person_id_number_index"),
        ),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(fields=["phone_index"], name="person_phone_index"),
        ),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(fields=["name_key"], name="person_name_key"),
        ),
    ]
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=state_operations,
            database_operations=[migrations.RunPython(forwards, backwards, elidable=False)],
        )
    ]
