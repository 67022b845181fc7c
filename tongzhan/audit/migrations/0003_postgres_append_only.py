"""On PostgreSQL, triggers refuse what the application never does: updating or deleting an
audit entry, deleting the chain head, or moving the head backwards. Row triggers do not
fire on TRUNCATE, which the test framework uses to flush tables. SQLite has no such
guard; there `verify-audit` is what finds a change."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION tongzhan_audit_entry_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit entries are append-only (% refused)', TG_OP
        USING HINT = 'tongzhan never changes or deletes audit entries.';
END;
$$;

DROP TRIGGER IF EXISTS audit_entry_append_only ON audit_auditentry;
CREATE TRIGGER audit_entry_append_only
    BEFORE UPDATE OR DELETE ON audit_auditentry
    FOR EACH ROW EXECUTE FUNCTION tongzhan_audit_entry_guard();

CREATE OR REPLACE FUNCTION tongzhan_audit_head_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'the audit chain head cannot be deleted';
    END IF;
    -- The writer only ever moves the head forward, onto the entry it has just inserted.
    IF NEW.seq < OLD.seq THEN
        RAISE EXCEPTION 'the audit chain head only moves forward (% -> %)', OLD.seq, NEW.seq;
    END IF;
    IF NEW.seq > 0 AND NOT EXISTS (
        SELECT 1 FROM audit_auditentry WHERE seq = NEW.seq AND mac = NEW.mac
    ) THEN
        RAISE EXCEPTION 'the audit chain head must name an existing entry (seq %)', NEW.seq;
    END IF;
    RETURN NEW;
END;
$$;

DROP TRIGGER IF EXISTS audit_head_guard ON audit_audithead;
CREATE TRIGGER audit_head_guard
    BEFORE UPDATE OR DELETE ON audit_audithead
    FOR EACH ROW EXECUTE FUNCTION tongzhan_audit_head_guard();
"""

DROP = """
DROP TRIGGER IF EXISTS audit_head_guard ON audit_audithead;
DROP TRIGGER IF EXISTS audit_entry_append_only ON audit_auditentry;
DROP FUNCTION IF EXISTS tongzhan_audit_head_guard();
DROP FUNCTION IF EXISTS tongzhan_audit_entry_guard();
"""


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_object_index")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
