"""The auction rules of the subasta inversa electrónica (and its tie rule: the earlier price first),
added to the procedure type loaded by 0002. Frozen here: later edits are made as data, in the admin."""

from django.db import migrations

AUCTION = {
    "duration_minutes": 10,
    "extension_window_minutes": 2,
    "extension_minutes": 2,
    "max_duration_minutes": 30,
    "decrement": {"kind": "percent", "value": "0.5"},
    "price": "total",
    "single_bidder": "negotiation",
}
SCORING = {"tie_rules": ["earliest_submission", "mype_first", "lottery"]}


def load(apps, schema_editor):
    ProcedureType = apps.get_model("procurement", "ProcedureType")
    for row in ProcedureType.objects.filter(jurisdiction="PE", code="subasta-inversa-electronica"):
        row.config = {**row.config, "auction": row.config.get("auction") or AUCTION}
        row.config.setdefault("scoring", SCORING)
        row.save(update_fields=["config"])


def unload(apps, schema_editor):
    ProcedureType = apps.get_model("procurement", "ProcedureType")
    for row in ProcedureType.objects.filter(jurisdiction="PE", code="subasta-inversa-electronica"):
        row.config = {key: value for key, value in row.config.items() if key not in {"auction", "scoring"}}
        row.save(update_fields=["config"])


class Migration(migrations.Migration):
    dependencies = [("procurement", "0010_reverse_auction")]

    operations = [migrations.RunPython(load, unload)]
