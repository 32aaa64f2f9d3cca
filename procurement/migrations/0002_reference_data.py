"""Peru's procedure types (validated as they load) and the 2026 public holidays."""

from django.db import migrations

from procurement.procedure_config import validate_procedure_config
from procurement.reference_data import HOLIDAYS_PE, PROCEDURE_TYPES_PE


def load(apps, schema_editor):
    Holiday = apps.get_model("procurement", "Holiday")
    ProcedureType = apps.get_model("procurement", "ProcedureType")
    for row in PROCEDURE_TYPES_PE:
        problems = validate_procedure_config(row["config"])
        if problems:
            raise ValueError(f"procedure type {row['code']}: {'; '.join(problems)}")
        ProcedureType.objects.create(jurisdiction="PE", code=row["code"], name=row["name"], config=row["config"])
    Holiday.objects.bulk_create([Holiday(jurisdiction="PE", day=day, name=name) for day, name in HOLIDAYS_PE])


def unload(apps, schema_editor):
    apps.get_model("procurement", "Holiday").objects.filter(jurisdiction="PE").delete()
    apps.get_model("procurement", "ProcedureType").objects.filter(jurisdiction="PE").delete()


class Migration(migrations.Migration):
    dependencies = [("procurement", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
