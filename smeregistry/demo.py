"""Demo world for the supplier registry, built through its services.

- The demo SMEs (Inversiones Andinas for ``proveedor``, Textiles Huancayo for ``textiles``…), a
  large company, and 300 more suppliers across the 25 regions and every size, mostly verified.
- Sanctions: some in force, one starting next month, one already over.
- One consortium of two MYPE.
- Awards for the three demo entities this year, so that the quota dashboard shows one entity at the
  goal (green), one close (amber) and one far (red).
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from stdnum.pe import ruc as ruc_number

from portal.accounts.models import Organisation, User
from portal.core import clock
from smeregistry.models import Region, Supplier, UnspscCategory
from smeregistry.services.consortia import consortium_create
from smeregistry.services.eligibility import LotRequirements, eligibility_check
from smeregistry.services.quotas import award_fact_record
from smeregistry.services.sanctions import sanction_record
from smeregistry.services.suppliers import SupplierData, supplier_register, supplier_suspend, supplier_verify

MAIN_SUPPLIERS = [
    # owner username, RUC body, legal name, region, registers, categories, annual sales
    ("proveedor", "2060123401", "Inversiones Andinas S.A.C.", "15", ["goods"], ["43210000", "44120000"], "480000.00"),
    ("textiles", "2060123402", "Textiles Huancayo E.I.R.L.", "12", ["goods"], ["53100000", "53102700"], "2400000.00"),
    (
        None,
        "2060123403",
        "Servicios Generales Amazonía S.R.L.",
        "16",
        ["services"],
        ["76110000", "47130000"],
        "1500000.00",
    ),
    (None, "2060123404", "Distribuidora Médica del Sur S.A.C.", "04", ["goods"], ["42130000", "42132200"], "760000.00"),
    (
        None,
        "2010012305",
        "Corporación Industrial Peruana S.A.",
        "15",
        ["goods", "services"],
        ["15100000", "43210000"],
        "95000000.00",
    ),
]

NAME_WORDS = ["Andina", "Inca", "del Pacífico", "Selva", "Altiplano", "Norte", "Sur", "Cordillera", "Valle", "Costa"]
NAME_KINDS = ["Comercial", "Servicios", "Distribuidora", "Inversiones", "Constructora", "Textil", "Agroindustrias"]
NAME_FORMS = ["S.A.C.", "E.I.R.L.", "S.R.L.", "S.A."]


def _ruc(body: str) -> str:
    return body + ruc_number.calc_check_digit(body)


def _owner(username: str | None, index: int) -> User:
    if username:
        return User.objects.get(username=username)
    user, _created = User.objects.get_or_create(
        username=f"rep{index:03d}",
        defaults={
            "email": f"rep{index:03d}@proveedores.demo",
            "first_name": "Representante",
            "last_name": f"{index:03d}",
        },
    )
    if _created:
        user.set_unusable_password()
        user.email_digest = True  # the demo's many suppliers do not each get an e-mail at once
        user.save()
    return user


def _data(ruc: str, name: str, region: str, registers, categories, sales: str, index: int) -> SupplierData:  # noqa: PLR0917
    return SupplierData(
        ruc=ruc,
        legal_name=name,
        address=f"Jr. Los Olivos {100 + index}",
        region_code=region,
        email=f"contacto{index}@proveedores.demo",
        representative_name="Representante Legal",
        representative_document=f"{40000000 + index:08d}",
        registers=list(registers),
        category_codes=list(categories),
        annual_sales=sales,
        sales_fiscal_year=2025,
        employees=3 + index % 40,
    )


@transaction.atomic
def load(world: dict) -> None:
    if Supplier.objects.filter(ruc=_ruc(MAIN_SUPPLIERS[0][1])).exists():
        world["suppliers"] = {
            s.legal_name: s for s in Supplier.objects.filter(ruc__in=[_ruc(m[1]) for m in MAIN_SUPPLIERS])
        }
        return
    operator = User.objects.get(username="admin")
    reviewer = User.objects.get(username="revisor")
    rng = random.Random(2026)  # noqa: S311 - the same demo every time, not cryptography

    suppliers: dict[str, Supplier] = {}
    for index, (owner, body, name, region, registers, categories, sales) in enumerate(MAIN_SUPPLIERS):
        supplier = supplier_register(
            actor=_owner(owner, index), data=_data(_ruc(body), name, region, registers, categories, sales, index)
        )
        suppliers[name] = supplier_verify(actor=operator, supplier=supplier, approve=True)

    regions = list(Region.objects.values_list("code", flat=True))
    classes = list(UnspscCategory.objects.filter(level__in=["family", "class"]).values_list("code", flat=True))
    bulk = []
    for index in range(300):
        roll = rng.random()
        sales = (
            rng.randint(20_000, 800_000) if roll < 0.6 else
            rng.randint(810_000, 9_000_000) if roll < 0.85 else
            rng.randint(9_200_000, 12_000_000) if roll < 0.93 else
            rng.randint(13_000_000, 200_000_000)
        )  # fmt: skip
        name = f"{rng.choice(NAME_KINDS)} {rng.choice(NAME_WORDS)} {index + 1} {rng.choice(NAME_FORMS)}"
        registers = rng.sample(["goods", "services", "works_consulting", "works_execution"], k=rng.choice([1, 1, 2]))
        supplier = supplier_register(
            actor=_owner(None, 100 + index),
            data=_data(
                _ruc(f"2061{index + 1:06d}"),
                name,
                rng.choice(regions),
                registers,
                rng.sample(classes, k=rng.randint(1, 3)),
                f"{sales}.00",
                100 + index,
            ),
        )
        if index % 10 != 0:  # one in ten waits for verification
            supplier = supplier_verify(actor=operator, supplier=supplier, approve=True)
        bulk.append(supplier)
    supplier_suspend(actor=operator, supplier=bulk[1], reason="Documentación observada en fiscalización posterior")

    today = timezone.localdate()
    for offset, supplier in enumerate(bulk[3:9]):
        starts = today - timedelta(days=90 - offset * 10)
        sanction_record(
            actor=reviewer,
            supplier=supplier,
            starts_on=starts,
            ends_on=None if offset % 2 else starts + timedelta(days=365),
            reason="Presentar información inexacta en un procedimiento de selección",
            source=f"Resolución N.° {1200 + offset}-2026-TCE-S{offset % 4 + 1}",
        )
    sanction_record(
        actor=reviewer,
        supplier=bulk[12],
        starts_on=today + timedelta(days=30),
        ends_on=today + timedelta(days=30 + 180),
        reason="Incumplir injustificadamente obligaciones contractuales",
        source="Resolución N.° 1310-2026-TCE-S2",
    )
    sanction_record(
        actor=reviewer,
        supplier=bulk[13],
        starts_on=today - timedelta(days=400),
        ends_on=today - timedelta(days=35),
        reason="Desistir o retirar injustificadamente su oferta",
        source="Resolución N.° 0421-2025-TCE-S1",
    )

    andinas, medsur = suppliers["Inversiones Andinas S.A.C."], suppliers["Distribuidora Médica del Sur S.A.C."]
    consortium_create(
        actor=User.objects.get(username="proveedor"),
        name="Consorcio Salud Andina",
        members=[(andinas, "60.00"), (medsur, "40.00")],
    )

    _awards(world, rng, [*suppliers.values(), *[s for s in bulk if s.status == "active"]])
    world["suppliers"] = suppliers


def _awards(world: dict, rng: random.Random, suppliers: list[Supplier]) -> None:
    """This year's awards: MINSA at the goal, Lima near it, the Cusco hospital far from it."""
    entities = world["organisations"]
    plans = [("minsa", 0.47), ("munilima", 0.40), ("hospital", 0.15)]
    mype = [s for s in suppliers if s.size_class in {"micro", "small"}]
    others = [s for s in suppliers if s.size_class not in {"micro", "small"}]
    year = clock.now().year
    last_month = timezone.localdate().month
    for key, mype_share in plans:
        entity: Organisation = entities[key]
        for number in range(40):
            month = 1 + number % last_month
            awarded_on = date(year, month, 1 + number % 27)
            party = rng.choice(mype if rng.random() < mype_share else others)
            amount = Decimal(rng.randint(8_000, 400_000)).quantize(Decimal("0.01"))
            reference = f"DEMO-{key.upper()}-{year}-{number + 1:03d}"
            record = eligibility_check(
                party=party,
                lot=LotRequirements(reference=reference),
                purpose="award",
                at=timezone.make_aware(timezone.datetime(year, month, awarded_on.day, 12)),
            )
            award_fact_record(
                source=reference,
                entity=entity,
                party=party,
                eligibility=record,
                amount=amount,
                currency="PEN",
                amount_local=amount,
                awarded_on=awarded_on,
                title=f"Adquisición de bienes y servicios N.° {number + 1} ({entity.name})",
            )
