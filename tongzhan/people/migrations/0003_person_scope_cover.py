"""A covering index for the person list's scans (docs/PERFORMANCE.md).

Every list, search and filter of a county-sized scope reads the persons of a region
range. Through the plain region indexes that is one heap row per person, spread over
thousands of pages (measured on PostgreSQL, 1M persons, 17,000 in the county: the
bitmap heap scan was most of the search's 40 ms). With the columns the filters, the
search box and the default order read in the index, it is an index-only scan.

Written as SQL because neither engine gets it from a Meta index: Django's `include`
(PostgreSQL only) creates nothing at all on SQLite, where a covering index is simply a
longer key. The name starts with the table's, as Django's own do (bench/common.py's
schema check counts such names as not declared by the models on purpose).
"""

from django.db import migrations

NAME = "people_person_scope_cover"
KEY = "region_id, name_pinyin, id"
COVERED = (
    "status, birth_date, name_key, work_unit, political_status, second_party, religion, "
    "is_representative, representative_level"
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        sql = f"CREATE INDEX {NAME} ON people_person ({KEY}) INCLUDE ({COVERED})"
    else:
        sql = f"CREATE INDEX {NAME} ON people_person ({KEY}, {COVERED})"
    schema_editor.execute(sql)


def drop(apps, schema_editor):
    schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}")


class Migration(migrations.Migration):
    dependencies = [("people", "0002_savedfilter")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
