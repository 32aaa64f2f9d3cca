"""Demo price history: ten past price comparisons (comparación de precios) for nitrile examination
gloves by the three demo entities over the last eighteen months, so that the price history page has
a product with a visible trend and the statistics have more than one entity and region.

Each process is driven through the services along its own chronogram, as ``procurement.demo`` does
(its driver is reused: draft, publish, bids, opening, award, both signatures), with
``portal.core.clock`` moved to each act and always given back. The Ministry of Health buys only in
past fiscal years: its plan for this year is ``procurement.demo``'s, and publishing another version
would supersede it. The Hospital Regional de Cusco has no officer among the demo people, so the
multi-entity officer ``entidad`` (already the municipality's) is made its officer too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from portal.accounts.enums import Role
from portal.accounts.models import User
from portal.accounts.services import membership_grant
from portal.core import clock
from procurement.calendar import is_working_day
from procurement.demo import (
    MEDSUR,
    Bidder,
    Cast,
    DemoLot,
    DemoTender,
    Item,
    Plan,
    _at,
    _drive,
    _lima_time,
    _sign_and_complete,
)
from procurement.enums import TenderStatus
from procurement.models import ProcedureType, Tender
from procurement.services._common import holidays_of
from procurement.services.plans import PlanLineData, plan_create, plan_publish
from procurement.timeline import LIMA, earliest_timeline
from smeregistry.models import Supplier

GLOVES = "42132203"
PLACES = {
    "minsa": ("15", "Almacén central del MINSA, Av. Salaverry 801, Jesús María, Lima"),
    "munilima": ("15", "Almacén municipal, Jr. de la Unión 300, Cercado de Lima"),
    "hospital": ("08", "Hospital Regional del Cusco, Av. de la Cultura s/n, Cusco"),
}
OFFICERS = {"minsa": "oficial", "munilima": "entidad", "hospital": "entidad"}


@dataclass(frozen=True)
class Purchase:
    months_ago: int
    entity: str
    boxes: int
    reference: str  # the entity's reference price per box of 100; the winner bids 4 % below it


PURCHASES = [
    Purchase(17, "minsa", 2000, "30.00"),
    Purchase(15, "hospital", 1500, "33.00"),
    Purchase(14, "munilima", 1800, "31.00"),
    Purchase(12, "minsa", 2200, "31.50"),
    Purchase(10, "hospital", 1600, "34.00"),
    Purchase(8, "munilima", 2000, "32.00"),
    Purchase(6, "minsa", 2000, "32.50"),
    Purchase(4, "hospital", 1400, "35.00"),
    Purchase(2, "munilima", 2100, "33.00"),
    Purchase(1, "minsa", 1900, "33.50"),
]


def title(number: int) -> str:
    return f"Adquisición de guantes de examen de nitrilo — compra {number} de {len(PURCHASES)}"


def _spec(number: int, purchase: Purchase, entity: str) -> DemoTender:
    region, place = PLACES[entity]
    item = Item(
        GLOVES,
        "Guante de examen de nitrilo talla M, caja de 100",
        purchase.boxes,
        "BX",
        purchase.reference,
        region,
        place,
    )
    return DemoTender(
        TenderStatus.CONTRACTED,
        "comparacion-de-precios",
        "goods",
        title(number),
        "Guantes descartables para los servicios de emergencia y hospitalización.",
        [DemoLot("Guantes de examen", [item])],
        bidders=[Bidder(MEDSUR, "0.96"), Bidder(None, "0.99")],
    )


def _publication_day(now, months_ago: int, holidays):
    day = now.astimezone(LIMA).date() - timedelta(days=30 * months_ago)
    while not is_working_day(day, holidays):
        day += timedelta(days=1)
    return day


def load(world: dict) -> None:
    if Tender.objects.filter(title=title(1)).exists():
        return
    organisations = world.get("organisations") or {}
    now = timezone.now().replace(microsecond=0)
    try:
        with transaction.atomic():
            _load(organisations, now)
    finally:
        clock.set_source(None)


def _load(organisations: dict, now) -> None:
    procedure = ProcedureType.objects.get(jurisdiction="PE", code="comparacion-de-precios")
    holidays = holidays_of("PE")
    membership_grant(
        actor=None,
        organisation=organisations["hospital"],
        user=User.objects.get(username="entidad"),
        role=Role.PROCUREMENT_OFFICER,
    )
    suppliers = {s.legal_name: s for s in Supplier.objects.filter(legal_name=MEDSUR)}
    runs = []
    for number, purchase in enumerate(PURCHASES, start=1):
        day = _publication_day(now, purchase.months_ago, holidays)
        # The ministry's plan for this year belongs to procurement.demo: this year it is the municipality that buys.
        entity = "munilima" if purchase.entity == "minsa" and day.year == now.astimezone(LIMA).year else purchase.entity
        timeline = earliest_timeline(_lima_time(day, 9), procedure.config, holidays)
        runs.append((entity, day.year, _spec(number, purchase, entity), Plan(timeline, None)))
    lines = {}
    for entity, year in sorted({(entity, year) for entity, year, _spec_, _plan in runs}):
        specs = [(spec, plan) for e, y, spec, plan in runs if (e, y) == (entity, year)]
        officer = User.objects.get(username=OFFICERS[entity])
        _at(min(plan.timeline.published_at for _spec_, plan in specs) - timedelta(days=3))
        pac = plan_create(
            actor=officer,
            entity=organisations[entity],
            fiscal_year=year,
            lines=[
                PlanLineData(
                    description=spec.title,
                    object=spec.object,
                    procedure_type=procedure,
                    unspsc_code=GLOVES,
                    estimated_value=spec.lots[0].reference_value,
                    planned_month=plan.timeline.published_at.astimezone(LIMA).month,
                )
                for spec, plan in specs
            ],
        )
        pac = plan_publish(actor=officer, plan=pac)
        lines.update({line.description: line for line in pac.lines.all()})
    for entity, _year, spec, plan in runs:
        officer = User.objects.get(username=OFFICERS[entity])
        cast = Cast(
            entity=organisations[entity],
            officer=officer,
            evaluator=officer,
            reviewer=User.objects.get(username="revisor"),
            suppliers=suppliers,
        )
        tender = _drive(spec, cast, plan, lines[spec.title])
        _sign_and_complete(spec, tender, cast, plan)
