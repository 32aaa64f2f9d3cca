"""Peru's regions, a UNSPSC seed, the UIT by year, Law 30056's size classes and Peru's policy."""

from datetime import date

from django.db import migrations

from smeregistry.reference_data import (
    POLICY_PE,
    REGIONS_PE,
    SIZE_RULES_PE,
    SIZE_RULES_PE_BASIS,
    SIZE_RULES_PE_FROM,
    UIT_PE,
    UNSPSC_SEED,
)


def _significant(code):
    prefix = code
    while len(prefix) > 2 and prefix.endswith("00"):
        prefix = prefix[:-2]
    return prefix


LEVELS = {2: "segment", 4: "family", 6: "class", 8: "commodity"}


def load(apps, schema_editor):
    Region = apps.get_model("smeregistry", "Region")
    UnspscCategory = apps.get_model("smeregistry", "UnspscCategory")
    TaxUnitValue = apps.get_model("smeregistry", "TaxUnitValue")
    SizeClassRule = apps.get_model("smeregistry", "SizeClassRule")
    JurisdictionPolicy = apps.get_model("smeregistry", "JurisdictionPolicy")

    Region.objects.bulk_create([Region(country="PE", code=code, name=name) for code, name in REGIONS_PE])
    by_prefix = {}
    for code, name_es, name_en in sorted(UNSPSC_SEED, key=lambda row: len(_significant(row[0]))):
        prefix = _significant(code)
        parent = next((by_prefix[prefix[:n]] for n in (6, 4, 2) if n < len(prefix) and prefix[:n] in by_prefix), None)
        by_prefix[prefix] = UnspscCategory.objects.create(
            code=code, prefix=prefix, level=LEVELS[len(prefix)], parent=parent, name_es=name_es, name_en=name_en
        )
    TaxUnitValue.objects.bulk_create(
        [TaxUnitValue(jurisdiction="PE", unit="UIT", fiscal_year=year, value=value) for year, value in UIT_PE]
    )
    SizeClassRule.objects.bulk_create(
        [
            SizeClassRule(
                jurisdiction="PE",
                size_class=size_class,
                max_units=max_units,
                unit="UIT",
                valid_from=date.fromisoformat(SIZE_RULES_PE_FROM),
                legal_basis=SIZE_RULES_PE_BASIS,
            )
            for size_class, max_units in SIZE_RULES_PE
        ]
    )
    JurisdictionPolicy.objects.create(jurisdiction="PE", **POLICY_PE)


def unload(apps, schema_editor):
    for model in ("JurisdictionPolicy", "SizeClassRule", "TaxUnitValue", "Region"):
        apps.get_model("smeregistry", model).objects.all().delete()
    UnspscCategory = apps.get_model("smeregistry", "UnspscCategory")
    for level in ("commodity", "class", "family", "segment"):
        UnspscCategory.objects.filter(level=level).delete()


class Migration(migrations.Migration):
    dependencies = [("smeregistry", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
