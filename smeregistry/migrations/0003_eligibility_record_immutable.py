"""Eligibility records are evidence: the database refuses to change one once written."""

from django.db import migrations

POSTGRES_UP = """
CREATE OR REPLACE FUNCTION eligibility_record_refuse_update() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'eligibility records are immutable (update refused on record %%)', OLD.id;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER eligibility_record_immutable
    BEFORE UPDATE ON smeregistry_eligibilityrecord
    FOR EACH ROW EXECUTE FUNCTION eligibility_record_refuse_update();
"""
POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS eligibility_record_immutable ON smeregistry_eligibilityrecord;
DROP FUNCTION IF EXISTS eligibility_record_refuse_update();
"""
SQLITE_UP = """CREATE TRIGGER eligibility_record_immutable BEFORE UPDATE ON smeregistry_eligibilityrecord
BEGIN SELECT RAISE(ABORT, 'eligibility records are immutable'); END"""
SQLITE_DOWN = "DROP TRIGGER IF EXISTS eligibility_record_immutable"


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_UP)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_UP)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_DOWN)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_DOWN)


class Migration(migrations.Migration):
    dependencies = [("smeregistry", "0002_reference_data")]

    operations = [migrations.RunPython(forwards, backwards)]
