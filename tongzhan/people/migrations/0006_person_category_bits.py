"""Each person's categories as a bit set on the person row, in the list's covering index.

The counts per category of a list and a line's scope (条) read a person's categories.
From people_personcategory that is an index probe per person of the scope: 17,000 for a
county, most of a county list's time on PostgreSQL (docs/PERFORMANCE.md). With the bit
set in people_person_scope_cover they come from the index-only scan the list already
makes. PersonCategory stays the record; category_bits is kept with it by every writer.

Written as SQL: Django adds a NOT NULL column on SQLite by copying the table, which would
drop the indexes created with SQL (0003, 0004); ADD COLUMN with a constant default is
instant on both engines. The covering index is made again with the column, after the
backfill (cheaper than updating it row by row).
"""

from django.db import migrations, models

TABLE = "people_person"
INDEX = "people_person_scope_cover"
KEY = "region_id, name_pinyin, id"
COVERED_BEFORE = (
    "status, birth_date, name_key, work_unit, political_status, second_party, religion, "
    "is_representative, representative_level"
)
COVERED = f"{COVERED_BEFORE}, category_bits"
# Category code NN is bit NN - 1 (people.models.category_bits).
BACKFILL = f"""
UPDATE {TABLE} SET category_bits = (
    SELECT SUM(1 << (CAST(c.category AS integer) - 1))
    FROM people_personcategory c WHERE c.person_id = {TABLE}.id
)
WHERE EXISTS (SELECT 1 FROM people_personcategory c WHERE c.person_id = {TABLE}.id)
"""


def create_index(schema_editor, covered: str) -> None:
    if schema_editor.connection.vendor == "postgresql":
        sql = f"CREATE INDEX {INDEX} ON {TABLE} ({KEY}) INCLUDE ({covered})"
    else:
        sql = f"CREATE INDEX {INDEX} ON {TABLE} ({KEY}, {covered})"
    schema_editor.execute(sql)


def forwards(apps, schema_editor):
    schema_editor.execute(
        f"ALTER TABLE {TABLE} ADD COLUMN category_bits integer DEFAULT 0 NOT NULL"
    )
    schema_editor.execute(BACKFILL)
    schema_editor.execute(f"DROP INDEX {INDEX}")
    create_index(schema_editor, COVERED)


def backwards(apps, schema_editor):
    schema_editor.execute(f"DROP INDEX {INDEX}")
    schema_editor.execute(f"ALTER TABLE {TABLE} DROP COLUMN category_bits")
    create_index(schema_editor, COVERED_BEFORE)


class Migration(migrations.Migration):
    dependencies = [("people", "0005_person_fewer_indexes")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name="person",
                    name="category_bits",
                    field=models.IntegerField(db_default=0, default=0, editable=False),
                )
            ],
            database_operations=[migrations.RunPython(forwards, backwards, elidable=False)],
        )
    ]
