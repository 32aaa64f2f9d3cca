"""A small known world for the public search, built through the services as a real portal would
be: three entities in three regions and sectors, processes in several statuses, awards to
different suppliers, a completed contract with its evaluation, a sealed bid not yet opened and a
draft that must never be public.

=====  ===========================  ======================  ==========  ===========================
name   entity (region, sector)      title                   status      awards, contracts
=====  ===========================  ======================  ==========  ===========================
gloves Salud (15 Lima, health)      guantes quirúrgicos     completed   alpha; contract completed 4/5
pcs    Cusco (08, regional)         computadoras            contracted  beta (alpha lost); signed
clean  Arequipa (04, local)         limpieza (services)     bidding     gamma's sealed bid: SEALED
cancel Cusco (08, regional)         mobiliario escolar      cancelled   —
draft  Salud                        borrador reservado      draft       —
=====  ===========================  ======================  ==========  ===========================

Published one after the other (gloves first, cancel last), each a few weeks after the previous.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from portal.accounts.enums import OrganisationKind, Role
from procurement.models import Contract, EntityProfile, Tender
from procurement.services.awards import bid_evaluate, tender_award
from procurement.services.chronograph import chronograph_sweep
from procurement.services.contracts import contract_complete, contract_sign
from procurement.services.participation import participant_register
from procurement.services.tenders import tender_cancel, tender_publish, tender_set_timeline
from procurement.timeline import earliest_timeline
from smeregistry.models import Region
from tests.factories import OrganisationFactory, member, valid_ruc
from tests.procurement.factories import (
    draft_tender,
    entity_officer,
    holidays,
    item_data,
    line_data,
    lot_data,
    open_bidding,
    place_bid,
    procedure,
    published_plan,
)
from tests.smeregistry.factories import registered_supplier

# A unit price nobody would bid by chance: 12 × 987,654.32 = 11,851,851.84 in the sealed bid.
SEALED_UNIT_PRICE = Decimal("987654.32")
SEALED_STRINGS = ("987654.32", "987,654.32", "11851851.84", "11,851,851.84", "987654,32", "11.851.851,84")


@dataclass
class Party:
    officer: object
    evaluator: object
    entity: object


@dataclass
class World:
    salud: Party
    cusco: Party
    arequipa: Party
    alpha: object
    beta: object
    gamma: object
    gloves: Tender
    pcs: Tender
    clean: Tender
    cancel: Tender
    draft: Tender
    gloves_contract: Contract
    pcs_contract: Contract


def party(name: str, ruc: str, *, sector: str, level: str, region: str) -> Party:
    entity = OrganisationFactory(kind=OrganisationKind.CONTRACTING_ENTITY, name=name, tax_id=ruc)
    EntityProfile.objects.create(
        organisation=entity, sector=sector, level=level, region=Region.objects.get(country="PE", code=region)
    )
    officer = entity_officer(entity)
    evaluator = member(OrganisationKind.CONTRACTING_ENTITY, Role.EVALUATOR, organisation=entity)
    return Party(officer=officer, evaluator=evaluator, entity=entity)


def supplier(n: int, name: str):
    return registered_supplier(
        n,
        legal_name=name,
        registers=["goods", "services"],
        category_codes=["43210000", "42130000", "76110000", "56100000"],
    )


def publish(clock, who: Party, *, title: str, lot, object_: str = "goods", suppliers=()) -> Tender:
    """A tender of ``who`` published now on the procedure's earliest chronogram, with ``suppliers``
    registered, put in its bidding stage."""
    plan = published_plan(who.officer, lines=[line_data(object=object_, description=title)])
    tender = draft_tender(who.officer, plan=plan, lots=[lot], title=title)
    timeline = earliest_timeline(clock.now, procedure().config, holidays())
    tender = tender_set_timeline(actor=who.officer, tender=tender, timeline=timeline)
    tender = tender_publish(actor=who.officer, tender=tender)
    for one in suppliers:
        participant_register(actor=one.owner, tender=tender, organisation=one.organisation)
    return open_bidding(tender)


def award_and_consent(clock, who: Party, tender: Tender, scores: dict) -> Tender:
    clock.set(tender.opening_at)
    chronograph_sweep(now=clock.now)
    tender = Tender.objects.get(pk=tender.pk)
    for bid, score in scores.items():
        bid_evaluate(actor=who.evaluator, bid=bid, qualified=True, technical_score=score)
    tender = tender_award(actor=who.officer, tender=tender)
    clock.set(tender.appeal_until)
    chronograph_sweep(now=clock.now)
    return Tender.objects.get(pk=tender.pk)


def sign(who: Party, contract: Contract, winner) -> Contract:
    contract = contract_sign(actor=winner.owner, contract=contract, organisation=winner.organisation)
    return contract_sign(actor=who.officer, contract=contract, organisation=who.entity)


def build(clock) -> World:
    salud = party("Ministerio de Salud", valid_ruc(71_000_001), sector="health", level="national", region="15")
    cusco = party("Gobierno Regional de Cusco", valid_ruc(71_000_002), sector="regional", level="regional", region="08")
    arequipa = party(
        "Municipalidad Provincial de Arequipa", valid_ruc(71_000_003), sector="local", level="local", region="04"
    )
    alpha = supplier(1, "Andina Médica S.A.C.")
    beta = supplier(2, "Cómputo del Sur S.A.C.")
    gamma = supplier(3, "Limpiezas Misti E.I.R.L.")

    gloves_lot = lot_data(
        title="Guantes",
        reference_value=Decimal("50000.00"),
        items=[
            item_data(
                unspsc_code="42132203",
                description="Guante quirúrgico de látex estéril",
                quantity=Decimal("10000"),
                region_code="15",
            )
        ],
    )
    gloves = publish(clock, salud, title="Adquisición de guantes quirúrgicos", lot=gloves_lot, suppliers=[alpha])
    clock.set(gloves.bids_due - timedelta(hours=1))
    (bid,) = [place_bid(alpha, gloves.lots.get(), {1: Decimal("4.50")})]
    gloves = award_and_consent(clock, salud, gloves, {bid: "80"})
    gloves_contract = sign(salud, Contract.objects.get(tender=gloves), alpha)
    gloves_contract = contract_complete(
        actor=salud.officer, contract=gloves_contract, rating=4, comment="Entregó a tiempo y completo"
    )

    clock.advance(days=7)
    pcs_lot = lot_data(
        title="Computadoras",
        reference_value=Decimal("200000.00"),
        items=[item_data(unspsc_code="43211503", quantity=Decimal("40"), region_code="08")],
    )
    pcs = publish(clock, cusco, title="Computadoras portátiles para colegios", lot=pcs_lot, suppliers=[alpha, beta])
    clock.set(pcs.bids_due - timedelta(hours=1))
    lot = pcs.lots.get()
    dear = place_bid(alpha, lot, {1: Decimal("4800.00")})
    cheap = place_bid(beta, lot, {1: Decimal("4000.00")})
    pcs = award_and_consent(clock, cusco, pcs, {dear: "80", cheap: "80"})
    pcs_contract = sign(cusco, Contract.objects.get(tender=pcs), beta)

    clock.advance(days=7)
    clean_lot = lot_data(
        title="Limpieza",
        reference_value=Decimal("30000000.00"),
        items=[
            item_data(
                unspsc_code="76111501",
                description="Servicio de limpieza de locales municipales",
                quantity=Decimal("12"),
                unit="MON",
                region_code="04",
            )
        ],
    )
    clean = publish(
        clock,
        arequipa,
        title="Servicio de limpieza de locales",
        lot=clean_lot,
        object_="services",
        suppliers=[gamma],
    )
    place_bid(gamma, clean.lots.get(), {1: SEALED_UNIT_PRICE})

    clock.advance(days=1)
    cancel_lot = lot_data(
        title="Carpetas",
        reference_value=Decimal("80000.00"),
        items=[
            item_data(
                unspsc_code="56101700",
                description="Carpetas escolares bipersonales",
                quantity=Decimal("400"),
                region_code="08",
            )
        ],
    )
    cancel = publish(clock, cusco, title="Mobiliario escolar", lot=cancel_lot)
    cancel = tender_cancel(actor=cusco.officer, tender=cancel, reason="Presupuesto reasignado")

    draft = draft_tender(salud.officer, title="Borrador reservado de ambulancias")
    return World(
        salud=salud,
        cusco=cusco,
        arequipa=arequipa,
        alpha=alpha,
        beta=beta,
        gamma=gamma,
        gloves=gloves,
        pcs=pcs,
        clean=clean,
        cancel=cancel,
        draft=draft,
        gloves_contract=gloves_contract,
        pcs_contract=pcs_contract,
    )
