from decimal import Decimal

from django.db import migrations

from procurement.reference_data import APPEAL_FEE_RULES_PE, EXCHANGE_RATES


def load(apps, schema_editor):
    AppealFeeRule = apps.get_model("procurement", "AppealFeeRule")
    ExchangeRate = apps.get_model("procurement", "ExchangeRate")
    for row in APPEAL_FEE_RULES_PE:
        AppealFeeRule.objects.update_or_create(
            jurisdiction="PE",
            valid_from=row["valid_from"],
            defaults={"rate": Decimal(row["rate"]), "minimum": Decimal(row["minimum"])},
        )
    for row in EXCHANGE_RATES:
        ExchangeRate.objects.update_or_create(
            currency=row["currency"], day=row["day"], defaults={"rate": Decimal(row["rate"])}
        )


def unload(apps, schema_editor):
    apps.get_model("procurement", "AppealFeeRule").objects.all().delete()
    apps.get_model("procurement", "ExchangeRate").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("procurement", "0006_opening_award_appeal_contract")]

    operations = [migrations.RunPython(load, unload)]
