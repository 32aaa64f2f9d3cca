"""PostgreSQL's search indexes for the public projection; nothing on other databases.

Full text: GIN on ``to_tsvector('simple', …)`` of ``search_text`` and ``keys``, the very expression
the ``matches`` and ``has_keys`` lookups use (``transparency.text``). ``IF NOT EXISTS`` makes a
re-run harmless.
"""

from django.db import migrations

INDEXES = [
    "CREATE INDEX IF NOT EXISTS public_process_text ON procurement_publicprocess "
    "USING gin (to_tsvector('simple'::regconfig, search_text))",
    "CREATE INDEX IF NOT EXISTS public_process_keys ON procurement_publicprocess "
    "USING gin (to_tsvector('simple'::regconfig, keys))",
]
DROP = [
    "DROP INDEX IF EXISTS public_process_keys",
    "DROP INDEX IF EXISTS public_process_text",
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in INDEXES:
            schema_editor.execute(statement)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("procurement", "0008_transparency_and_ocds")]

    operations = [migrations.RunPython(create, drop)]
