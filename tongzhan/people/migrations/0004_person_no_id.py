"""A partial index of the persons registered without an ID number, by birth date.

An import compares each ledger row with the registry's persons of the same name or
pinyin born in the same month. A row with an ID number can only be near a person
without one (ledgers.importer.dedupe._registry_near); most registered persons have
one, so this index holds few rows and the comparison reads only those. Measured at
1M persons: the pinyin comparison of a 1,000-row chunk read 52,000 persons (0.6 s on
PostgreSQL), most of the check's time (docs/PERFORMANCE.md).

Written as SQL for the reasons given in 0003 (the name starts with the table's).
"""

from django.db import migrations

NAME = "people_person_no_id"


def create(apps, schema_editor):
    schema_editor.execute(
        f"CREATE INDEX {NAME} ON people_person (birth_date, name_key) WHERE id_number_index = ''"
    )


def drop(apps, schema_editor):
    schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}")


class Migration(migrations.Migration):
    dependencies = [("people", "0003_person_scope_cover")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
