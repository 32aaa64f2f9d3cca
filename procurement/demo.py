"""Demo world for procurement: the Ministry of Health's tenders in every status, built through the
services as an officer, the suppliers, the committee and the oversight body would.

Each tender is driven along its own chronogram, chosen in the past so that the deadlines it needed
have passed by now and the next one has not: the services stamp every act from ``portal.core.clock``,
which this module moves (and always restores). The chronograph's own ``tender_advance`` makes the
deadline-driven moves (enquiries, bidding, the opening, the consent), one tender at a time, so that
moving the clock for one tender never moves another.

- borrador: a licitación pública for cancer medicines, with its bases and a chronogram
- consultas: uniforms for health staff, with questions (some answered) from Textiles Huancayo
- bases integradas: a licitación pública for road maintenance, answers published
- presentación de ofertas: computers for regional offices (and a lot reserved for MYPE) with sealed
  bids from Inversiones Andinas and others
- evaluación: medical gloves and masks, opened, with the committee's verdicts
- apelación: multifunction printers, awarded, with an appeal pending from Inversiones Andinas
- consentido: work clothes (a lot reserved for MYPE), an appeal dismissed, contracts to sign
- contratado: office supplies by comparación de precios, signed by both parties
- culminado: a cleaning service, completed with its performance rating
- desierto: data-centre servers, no bid qualified
- cancelado: essential medicines, cancelled during the enquiries
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from portal.accounts.models import Organisation, User
from portal.accounts.selectors import spokespeople_of
from portal.core import clock
from procurement.calendar import add_days, deadline_at, is_working_day
from procurement.enums import DocumentKind, TenderStatus
from procurement.models import Bid, BidStatus, Contract, EntityProfile, ProcedureType, Question, Tender
from procurement.services._common import holidays_of
from procurement.services.appeals import appeal_file, appeal_resolve
from procurement.services.awards import bid_evaluate, tender_award
from procurement.services.bids import _requirements, bid_submit
from procurement.services.chronograph import tender_advance
from procurement.services.contracts import contract_complete, contract_sign
from procurement.services.documents import tender_document_add
from procurement.services.participation import answers_publish, participant_register, question_answer, question_ask
from procurement.services.plans import PlanLineData, plan_create, plan_publish
from procurement.services.tenders import (
    ItemData,
    LotData,
    tender_cancel,
    tender_create,
    tender_publish,
    tender_set_timeline,
)
from procurement.timeline import LIMA, Timeline, earliest_timeline
from smeregistry.models import Region, Supplier
from smeregistry.selectors import supplier_search
from smeregistry.services.eligibility import eligibility_evaluate

logger = logging.getLogger(__name__)

S = TenderStatus
ENTITY_RUC_BODY = "2013137301"  # Ministerio de Salud (demo), see portal.accounts.demo
ANDINAS, TEXTILES = "Inversiones Andinas S.A.C.", "Textiles Huancayo E.I.R.L."
AMAZONIA, MEDSUR = "Servicios Generales Amazonía S.R.L.", "Distribuidora Médica del Sur S.A.C."
CORPORACION = "Corporación Industrial Peruana S.A."
LIMA_STORE = "Almacén central del MINSA, Av. Salaverry 801, Jesús María, Lima"
HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class Item:
    code: str
    description: str
    quantity: int
    unit: str
    unit_price: str  # the entity's reference unit price
    region: str = "15"
    place: str = LIMA_STORE


@dataclass(frozen=True)
class DemoLot:
    title: str
    items: list[Item]
    mype_reserved: bool = False

    @property
    def reference_value(self) -> Decimal:
        return sum((Decimal(item.unit_price) * item.quantity for item in self.items), Decimal(0))


@dataclass(frozen=True)
class Bidder:
    """A supplier's bid: its unit prices are the reference ones times ``factor``."""

    name: str | None  # a demo supplier's legal name; None: the next eligible supplier of the registry
    factor: str
    technical: int = 80
    qualified: bool = True


@dataclass(frozen=True)
class DemoTender:
    target: str
    procedure: str
    object: str
    title: str
    description: str
    lots: list[DemoLot]
    bidders: list[Bidder] = field(default_factory=list)
    questions: list[tuple[str, str]] = field(default_factory=list)  # (question, answer or "")


COMPUTERS = DemoLot(
    "Computadoras portátiles y monitores",
    [
        Item("43211503", "Computadora portátil de 14 pulgadas, 16 GB RAM, SSD 512 GB", 60, "C62", "3200.00"),
        Item("43211902", "Monitor LED de 24 pulgadas", 60, "C62", "650.00"),
    ],
)
OFFICE_SUPPLIES = DemoLot(
    "Útiles de escritorio para las oficinas regionales",
    [
        Item("44121704", "Bolígrafo de tinta seca, caja de 50 unidades", 300, "BX", "28.00"),
        Item("44122011", "Archivador de palanca lomo ancho", 1200, "C62", "9.50"),
    ],
    mype_reserved=True,
)

TENDERS = [
    DemoTender(
        S.DRAFT,
        "licitacion-publica",
        "goods",
        "Adquisición de medicamentos oncológicos para los hospitales nacionales",
        "Abastecimiento de medicamentos oncológicos para doce meses, con entregas trimestrales.",
        [
            DemoLot(
                "Antineoplásicos",
                [
                    Item("51111800", "Trastuzumab 440 mg, polvo liofilizado para solución", 900, "C62", "1450.00"),
                    Item("51111700", "Carboplatino 450 mg/45 mL, inyectable", 2500, "C62", "180.00"),
                ],
            )
        ],
    ),
    DemoTender(
        S.ENQUIRIES,
        "adjudicacion-simplificada",
        "goods",
        "Adquisición de uniformes para el personal asistencial de los establecimientos de salud de Junín",
        "Uniformes de trabajo (chaqueta y pantalón) en tallas surtidas para el personal de enfermería.",
        [
            DemoLot(
                "Uniformes de enfermería",
                [Item("53102710", "Uniforme de enfermería antifluido, dos piezas", 1500, "SET", "95.00", "12")],
                mype_reserved=True,
            )
        ],
        bidders=[Bidder(TEXTILES, "1"), Bidder(None, "1")],
        questions=[
            ("¿Se aceptan tallas especiales a pedido, fuera de la tabla de tallas?", "Sí, hasta un 5 % del total."),
            ("¿El plazo de entrega se cuenta desde la firma del contrato o desde la orden de compra?", ""),
            ("Observamos que la tela antifluido exigida solo la fabrica un proveedor extranjero.", ""),
        ],
    ),
    DemoTender(
        S.INTEGRATED_BASES,
        "licitacion-publica",
        "works",
        "Mantenimiento periódico de la vía de acceso al Hospital Regional de Huancavelica",
        "Mantenimiento periódico de 18 km de camino vecinal afirmado: bacheo, perfilado y cunetas.",
        [
            DemoLot(
                "Mantenimiento periódico del camino vecinal HV-101",
                [
                    Item(
                        "72141100",
                        "Mantenimiento periódico de camino vecinal afirmado",
                        18,
                        "KMT",
                        "98000.00",
                        "09",
                        "Tramo Huancavelica – Yauli, km 0+000 al km 18+000",
                    )
                ],
            )
        ],
        bidders=[Bidder(None, "1"), Bidder(None, "1")],
        questions=[
            ("¿Se puede usar material de cantera propia del contratista?", "Sí, con el ensayo de calidad aprobado."),
            ("¿Cuál es el plazo de ejecución de la obra?", "Noventa días calendario desde la entrega del terreno."),
        ],
    ),
    DemoTender(
        S.BIDDING,
        "adjudicacion-simplificada",
        "goods",
        "Adquisición de computadoras para las oficinas regionales de salud",
        "Equipos de cómputo para las Direcciones Regionales de Salud, con garantía de tres años.",
        [COMPUTERS, OFFICE_SUPPLIES],
        bidders=[Bidder(ANDINAS, "0.93"), Bidder(CORPORACION, "0.97"), Bidder(None, "0.99")],
        questions=[("¿Se aceptan equipos con procesador de generación anterior?", "No, según las especificaciones.")],
    ),
    DemoTender(
        S.EVALUATION,
        "adjudicacion-simplificada",
        "goods",
        "Adquisición de guantes y mascarillas para los establecimientos de salud del sur",
        "Material médico de protección para los establecimientos de Arequipa, Moquegua y Tacna.",
        [
            DemoLot(
                "Guantes y mascarillas",
                [
                    Item("42132203", "Guante de examen de nitrilo talla M, caja de 100", 4000, "BX", "32.00", "04"),
                    Item("42131713", "Mascarilla quirúrgica descartable, caja de 50", 3000, "BX", "18.00", "04"),
                ],
            )
        ],
        bidders=[Bidder(MEDSUR, "0.95", 85), Bidder(None, "0.91", 70), Bidder(None, "0.98", 75, qualified=False)],
    ),
    DemoTender(
        S.APPEAL_WINDOW,
        "adjudicacion-simplificada",
        "goods",
        "Adquisición de impresoras multifuncionales para las redes de salud de Lima",
        "Impresoras láser multifuncionales con servicio de mantenimiento preventivo por dos años.",
        [
            DemoLot(
                "Impresoras multifuncionales",
                [Item("43212105", "Impresora multifuncional láser monocromática A4", 120, "C62", "2100.00")],
            )
        ],
        bidders=[Bidder(CORPORACION, "0.90", 88), Bidder(ANDINAS, "0.92", 80)],
    ),
    DemoTender(
        S.CONSENTED,
        "adjudicacion-simplificada",
        "goods",
        "Adquisición de ropa de trabajo para el personal de limpieza y mantenimiento hospitalario",
        "Ropa de trabajo y calzado de seguridad para el personal de servicios de los hospitales de Lima.",
        [
            DemoLot(
                "Overoles de trabajo", [Item("53102701", "Overol de drill con cinta reflectiva", 800, "C62", "85.00")]
            ),
            DemoLot(
                "Mandiles y gorros (reservado a MYPE)",
                [Item("53102702", "Mandil de tela antifluido con gorro", 1200, "SET", "45.00")],
                mype_reserved=True,
            ),
        ],
        bidders=[Bidder(TEXTILES, "0.94", 85), Bidder(None, "0.96", 75)],
    ),
    DemoTender(
        S.CONTRACTED,
        "comparacion-de-precios",
        "goods",
        "Adquisición de útiles de escritorio para la sede central",
        "Útiles de escritorio de uso común para el primer semestre.",
        [
            DemoLot(
                "Útiles de escritorio",
                [
                    Item("44121704", "Bolígrafo de tinta seca, caja de 50 unidades", 400, "BX", "28.00"),
                    Item("44122011", "Archivador de palanca lomo ancho", 2000, "C62", "9.50"),
                    Item("14111507", "Papel bond A4 75 g, resma de 500 hojas", 1200, "RM", "14.00"),
                ],
            )
        ],
        bidders=[Bidder(ANDINAS, "0.88"), Bidder(None, "0.95")],
    ),
    DemoTender(
        S.COMPLETED,
        "adjudicacion-simplificada",
        "services",
        "Servicio de limpieza y desinfección de los establecimientos de salud de Loreto",
        "Limpieza, desinfección y manejo interno de residuos en seis establecimientos, por seis meses.",
        [
            DemoLot(
                "Limpieza y desinfección",
                [
                    Item(
                        "76111501",
                        "Servicio mensual de limpieza y desinfección",
                        6,
                        "MON",
                        "21000.00",
                        "16",
                        "Hospital Regional de Loreto, Av. 28 de Julio s/n, Punchana, Maynas",
                    )
                ],
            )
        ],
        bidders=[Bidder(AMAZONIA, "0.95", 90), Bidder(None, "0.93", 65)],
    ),
    DemoTender(
        S.VOID,
        "adjudicacion-simplificada",
        "goods",
        "Adquisición de servidores para el centro de datos del ministerio",
        "Servidores de rack para la renovación del centro de datos, con instalación.",
        [
            DemoLot(
                "Servidores de rack",
                [Item("43211501", "Servidor de rack 2U, 2 procesadores, 256 GB", 6, "C62", "38000.00")],
            )
        ],
        bidders=[Bidder(ANDINAS, "0.97", 40, qualified=False), Bidder(CORPORACION, "0.99", 50, qualified=False)],
    ),
    DemoTender(
        S.CANCELLED,
        "adjudicacion-simplificada",
        "goods",
        "Adquisición de medicamentos esenciales para los establecimientos del primer nivel de atención",
        "Paracetamol, amoxicilina y sales de rehidratación oral para los centros de salud de Ayacucho.",
        [
            DemoLot(
                "Medicamentos esenciales",
                [
                    Item("51142106", "Paracetamol 500 mg, tableta", 400000, "C62", "0.08", "05"),
                    Item("51101503", "Amoxicilina 500 mg, cápsula", 250000, "C62", "0.20", "05"),
                    Item("51191905", "Sales de rehidratación oral, sobre de 27,9 g", 60000, "C62", "0.90", "05"),
                ],
            )
        ],
    ),
]

APPEAL_GROUNDS = "El comité calificó mal nuestra experiencia: presentamos siete contratos y solo se valoraron tres."
CANCEL_REASON = "La necesidad será atendida mediante la compra corporativa de medicamentos de CENARES."
VOID_REASON = "No acredita la certificación técnica exigida en las especificaciones técnicas."


# --- Documents ---------------------------------------------------------------------------------------


def _pdf(title: str, lines: list[str]) -> bytes:
    """A one-page PDF with a title and some lines (Helvetica, Latin-1): enough for a demo document."""

    def text(value: str) -> str:
        return value.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    body = ["BT /F1 16 Tf 56 780 Td (" + text(title) + ") Tj ET"]
    body += [f"BT /F1 11 Tf 56 {750 - 18 * index} Td ({text(line)}) Tj ET" for index, line in enumerate(lines)]
    stream = "\n".join(body).encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _document(name: str, title: str, tender: Tender, extra: list[str]) -> ContentFile:
    lines = [tender.code, tender.title[:90], *extra, "Documento de demostración: datos ficticios."]
    return ContentFile(_pdf(title, lines), name=name)


# --- Time ------------------------------------------------------------------------------------------


def _at(moment: datetime) -> None:
    clock.set_source(lambda: moment)


def _lima_time(day: date, hour: int) -> datetime:
    return deadline_at(day, at=time(hour, 0))


def _appeal_until(procedure: ProcedureType, awarded_at: datetime, holidays) -> datetime | None:
    """The end of the appeal window opened by an award at ``awarded_at`` (as ``awards.appeal_deadline``)."""
    window = procedure.config.get("appeal_window") or {}
    if not window or "appeal" not in (procedure.config.get("stages") or []):
        return None
    day = add_days(awarded_at.astimezone(LIMA).date(), window["days"], unit=window["unit"], holidays=holidays)
    return deadline_at(day, at=time(23, 59, 59))


@dataclass(frozen=True)
class Plan:
    """When each act of a tender happens, from its chronogram."""

    timeline: Timeline
    appeal_until: datetime | None

    @property
    def opened(self) -> datetime:
        return self.timeline.opening_at or self.timeline.bids_due

    @property
    def evaluated(self) -> datetime:
        return self.opened + HOUR

    @property
    def awarded(self) -> datetime:
        return self.opened + 2 * HOUR

    @property
    def consented(self) -> datetime:
        return self.appeal_until or self.awarded

    @property
    def signed(self) -> datetime:
        return self.consented + timedelta(days=3)


# What must have happened by now (``done``) and what must still be ahead (``ahead``) for a tender to
# stand in each status.
DONE: dict[str, Callable[[Plan], datetime]] = {
    S.ENQUIRIES: lambda p: p.timeline.published_at + 4 * HOUR,
    S.CANCELLED: lambda p: p.timeline.published_at + 4 * HOUR,
    S.INTEGRATED_BASES: lambda p: p.timeline.enquiries_end + HOUR,
    S.BIDDING: lambda p: p.timeline.integrated_bases_at + 2 * HOUR,
    S.EVALUATION: lambda p: p.evaluated,
    S.VOID: lambda p: p.awarded,
    S.APPEAL_WINDOW: lambda p: p.awarded + HOUR,
    S.CONSENTED: lambda p: p.consented + HOUR,
    S.CONTRACTED: lambda p: p.signed + HOUR,
    S.COMPLETED: lambda p: p.signed + timedelta(days=40),
}
AHEAD: dict[str, Callable[[Plan], datetime | None]] = {
    S.ENQUIRIES: lambda p: p.timeline.enquiries_end,
    S.INTEGRATED_BASES: lambda p: p.timeline.integrated_bases_at,
    S.BIDDING: lambda p: p.timeline.bids_due - HOUR,
    S.APPEAL_WINDOW: lambda p: p.appeal_until,
}


def _plan_for(spec: DemoTender, procedure: ProcedureType, now: datetime) -> Plan:
    """The latest chronogram (the earliest the procedure allows, published at 09:00 Lima on a working
    day) that puts the tender in ``spec.target`` now."""
    holidays = holidays_of(procedure.jurisdiction)
    today = now.astimezone(LIMA).date()
    fallback = None
    for back in range(1, 400):
        day = today - timedelta(days=back)
        if not is_working_day(day, holidays):
            continue
        timeline = earliest_timeline(_lima_time(day, 9), procedure.config, holidays)
        opened = timeline.opening_at or timeline.bids_due
        plan = Plan(timeline, _appeal_until(procedure, opened + 2 * HOUR, holidays))
        if DONE[spec.target](plan) >= now:
            continue
        ahead = AHEAD.get(spec.target, lambda _plan: None)(plan)
        if ahead is None or ahead > now:
            return plan
        fallback = fallback or plan
    if fallback is None:
        raise RuntimeError(f"no chronogram puts a {procedure.code} in {spec.target} today")
    return fallback


# --- Suppliers -------------------------------------------------------------------------------------


def _speaker(supplier: Supplier) -> User:
    return spokespeople_of(organisation_ids=[supplier.organisation_id]).first()


def _eligible_others(tender: Tender, taken: set[int], count: int, at: datetime) -> list[Supplier]:
    """Registry suppliers other than the named demo ones that may bid for the tender's first lot at
    ``at`` (in RUC order); for a tender that only takes participants, active ones in its register."""
    lot = tender.lots.order_by("number").first()
    requirements = _requirements(tender, lot)
    found: list[Supplier] = []
    for code in requirements.unspsc_codes:
        for supplier in supplier_search(category_code=code).exclude(pk__in=taken).order_by("ruc"):
            if len(found) == count:
                return found
            if supplier not in found and eligibility_evaluate(party=supplier, lot=requirements, at=at)["eligible"]:
                found.append(supplier)
    if len(found) < count and tender.status in {S.PUBLISHED, S.ENQUIRIES}:
        for supplier in supplier_search().exclude(pk__in=taken).order_by("ruc"):
            if len(found) == count:
                break
            if requirements.register in supplier.registers and supplier not in found:
                found.append(supplier)
    return found


def _bidders(
    spec: DemoTender, tender: Tender, named: dict[str, Supplier], at: datetime
) -> list[tuple[Bidder, Supplier]]:
    taken = {supplier.pk for supplier in named.values()}
    wanted = sum(1 for bidder in spec.bidders if bidder.name is None)
    others = iter(_eligible_others(tender, taken, wanted, at) if wanted else [])
    chosen = []
    for bidder in spec.bidders:
        supplier = named[bidder.name] if bidder.name else next(others, None)
        if supplier is not None:  # fewer eligible suppliers in the registry than the demo asks for
            chosen.append((bidder, supplier))
    return chosen


# --- Driving a tender ------------------------------------------------------------------------------


@dataclass
class Cast:
    entity: Organisation
    officer: User
    evaluator: User
    reviewer: User
    suppliers: dict[str, Supplier]


def _lot_data(lot: DemoLot) -> LotData:
    return LotData(
        title=lot.title,
        reference_value=lot.reference_value,
        mype_reserved=lot.mype_reserved,
        items=[
            ItemData(
                unspsc_code=item.code,
                description=item.description,
                quantity=Decimal(item.quantity),
                unit=item.unit,
                delivery_place=item.place,
                region_code=item.region,
            )
            for item in lot.items
        ],
    )


def _prices(lot: DemoLot, factor: str) -> dict[int, Decimal]:
    return {
        number: (Decimal(item.unit_price) * Decimal(factor)).quantize(Decimal("0.01"))
        for number, item in enumerate(lot.items, start=1)
    }


def _draft(spec: DemoTender, cast: Cast, plan_line, timeline: Timeline) -> Tender:
    tender = tender_create(
        actor=cast.officer,
        plan_line=plan_line,
        title=spec.title,
        description=spec.description,
        currency="PEN",
        lots=[_lot_data(lot) for lot in spec.lots],
    )
    bases = _document(
        "bases.pdf",
        "Bases administrativas",
        tender,
        ["Sección específica: condiciones especiales del procedimiento.", "Capítulo III: requerimiento."],
    )
    tender_document_add(actor=cast.officer, tender=tender, kind=DocumentKind.BASES, title="Bases", document_file=bases)
    return tender_set_timeline(actor=cast.officer, tender=tender, timeline=timeline)


def _bid_all(spec: DemoTender, tender: Tender, chosen, start: datetime) -> None:
    moment = start
    for lot, demo_lot in zip(tender.lots.order_by("number"), spec.lots, strict=True):
        requirements = _requirements(tender, lot)
        for bidder, supplier in chosen:
            moment += timedelta(minutes=7)
            _at(moment)
            if not eligibility_evaluate(party=supplier, lot=requirements, at=moment)["eligible"]:
                continue  # a large company does not bid for a lot reserved for MYPE
            bid_submit(
                actor=_speaker(supplier),
                lot=lot,
                organisation=supplier.organisation,
                prices=_prices(demo_lot, bidder.factor),
                technical={"plazo_entrega_dias": 15, "garantia_meses": 36, "marca": "Según ficha técnica"},
                idempotency_key=f"demo-{tender.code}-{lot.number}-{supplier.ruc}",
            )


def _evaluate(tender: Tender, chosen, evaluator: User, at: datetime, *, leave_last: bool) -> None:
    _at(at)
    verdicts = {supplier.organisation_id: bidder for bidder, supplier in chosen}
    bids = list(
        Bid.objects.filter(lot__tender=tender, status=BidStatus.SUBMITTED, opened_at__isnull=False)
        .select_related("participant")
        .order_by("lot__number", "received_at")
    )
    for bid in bids[:-1] if leave_last else bids:
        bidder = verdicts[bid.participant.organisation_id]
        bid_evaluate(
            actor=evaluator,
            bid=bid,
            qualified=bidder.qualified,
            technical_score=bidder.technical if bidder.qualified else None,
            comment="" if bidder.qualified else VOID_REASON,
        )


def _loser(tender: Tender, chosen) -> Supplier | None:
    lot = tender.lots.order_by("number").first()
    winner = lot.awards.filter(status="active").values_list("supplier_id", flat=True).first()
    bidders = set(lot.bids.filter(status=BidStatus.SUBMITTED).values_list("participant__organisation_id", flat=True))
    return next(
        (supplier for _bidder, supplier in chosen if supplier.organisation_id in bidders - {winner}),
        None,
    )


def _drive(spec: DemoTender, cast: Cast, plan: Plan, plan_line) -> Tender:  # noqa: PLR0911, PLR0912 - one story, told in order
    """Take a new tender along its chronogram to ``spec.target``, act by act."""
    timeline = plan.timeline
    _at(timeline.published_at - timedelta(days=1))
    tender = _draft(spec, cast, plan_line, timeline)
    _at(timeline.published_at)
    tender = tender_publish(actor=cast.officer, tender=tender)
    tender_advance(tender_id=tender.pk, now=timeline.published_at)
    tender.refresh_from_db()

    registered = timeline.published_at + HOUR
    _at(registered)
    chosen = _bidders(spec, tender, cast.suppliers, registered)
    for _bidder, supplier in chosen:
        participant_register(actor=_speaker(supplier), tender=tender, organisation=supplier.organisation)

    if spec.target == S.CANCELLED:
        _at(timeline.published_at + 3 * HOUR)
        return tender_cancel(actor=cast.officer, tender=tender, reason=CANCEL_REASON)

    if tender.status == S.ENQUIRIES:
        for index, (text, answer) in enumerate(spec.questions):
            _at(timeline.published_at + 2 * HOUR + timedelta(minutes=10 * index))
            _bidder, supplier = chosen[index % len(chosen)]
            question = question_ask(actor=_speaker(supplier), tender=tender, text=text)
            if answer:
                _at(timeline.published_at + 3 * HOUR + timedelta(minutes=10 * index))
                question_answer(actor=cast.officer, question=question, answer=answer)
        if spec.target == S.ENQUIRIES:
            return tender
        _at(timeline.enquiries_end + timedelta(minutes=30))
        for question in Question.objects.filter(tender=tender, answered_at__isnull=True).order_by("pk"):
            question_answer(actor=cast.officer, question=question, answer="Se precisa en las bases integradas.")
        bases = _document(
            "bases-integradas.pdf",
            "Bases integradas",
            tender,
            ["Incorpora las respuestas a las consultas y observaciones.", "Pliego absolutorio publicado."],
        )
        tender = answers_publish(actor=cast.officer, tender=tender, document_file=bases, title="Bases integradas")
        if spec.target == S.INTEGRATED_BASES:
            return tender
        tender_advance(tender_id=tender.pk, now=timeline.integrated_bases_at)

    _bid_all(spec, tender, chosen, (timeline.integrated_bases_at or timeline.published_at) + HOUR)
    if spec.target == S.BIDDING:
        return Tender.objects.get(pk=tender.pk)

    tender_advance(tender_id=tender.pk, now=plan.opened)
    tender.refresh_from_db()
    if tender.status == S.EVALUATION:
        _evaluate(tender, chosen, cast.evaluator, plan.evaluated, leave_last=spec.target == S.EVALUATION)
        if spec.target == S.EVALUATION:
            return tender
        _at(plan.awarded)
        tender = tender_award(actor=cast.officer, tender=tender)
    if tender.status != S.APPEAL_WINDOW:
        return tender  # void, or a price comparison: firm at its award, contracts drawn up

    # A losing bidder appeals: pending in the appeal window, dismissed by the reviewer in the consented one.
    loser = _loser(tender, chosen) if spec.target in {S.APPEAL_WINDOW, S.CONSENTED} else None
    if loser is not None:
        _at(plan.awarded + HOUR)
        appeal = appeal_file(
            actor=_speaker(loser),
            lot=tender.lots.order_by("number").first(),
            organisation=loser.organisation,
            grounds=APPEAL_GROUNDS,
        )
        if spec.target == S.APPEAL_WINDOW:
            return tender
        _at(plan.awarded + timedelta(days=1))
        appeal_resolve(
            actor=cast.reviewer,
            appeal=appeal,
            upheld=False,
            resolution="Infundado: el comité valoró los contratos que acreditan experiencia en bienes similares.",
        )
    tender_advance(tender_id=tender.pk, now=plan.consented)
    return Tender.objects.get(pk=tender.pk)


def _sign_and_complete(spec: DemoTender, tender: Tender, cast: Cast, plan: Plan) -> Tender:
    for contract in Contract.objects.filter(tender=tender).select_related("supplier").order_by("pk"):
        supplier = Supplier.objects.get(organisation=contract.supplier)
        _at(plan.signed - timedelta(days=1))
        contract_sign(actor=_speaker(supplier), contract=contract, organisation=contract.supplier)
        _at(plan.signed)
        signed = contract_sign(actor=cast.officer, contract=contract, organisation=cast.entity)
        if spec.target == S.COMPLETED:
            _at(plan.signed + timedelta(days=35))
            contract_complete(
                actor=cast.officer,
                contract=signed,
                rating=4,
                comment="Servicio prestado según los términos de referencia; una observación menor subsanada a tiempo.",
            )
    return Tender.objects.get(pk=tender.pk)


# --- Loader ----------------------------------------------------------------------------------------


def _cast(world: dict) -> Cast:
    from portal.accounts.demo import demo_ruc

    entity = (world.get("organisations") or {}).get("minsa") or Organisation.objects.get(
        country="PE", tax_id=demo_ruc(ENTITY_RUC_BODY)
    )
    names = [ANDINAS, TEXTILES, AMAZONIA, MEDSUR, CORPORACION]
    return Cast(
        entity=entity,
        officer=User.objects.get(username="oficial"),
        evaluator=User.objects.get(username="evaluador"),
        reviewer=User.objects.get(username="revisor"),
        suppliers={supplier.legal_name: supplier for supplier in Supplier.objects.filter(legal_name__in=names)},
    )


def _draft_timeline(procedure: ProcedureType, now: datetime) -> Timeline:
    """A draft's chronogram: publication on the first working day a week from now."""
    holidays = holidays_of(procedure.jurisdiction)
    day = now.astimezone(LIMA).date() + timedelta(days=7)
    while not is_working_day(day, holidays):
        day += timedelta(days=1)
    return earliest_timeline(_lima_time(day, 9), procedure.config, holidays)


# The demo entities' public profiles (sector, level of government, region), by their RUC's body.
ENTITY_PROFILES = {
    "2013137301": ("health", "national", "15"),  # Ministerio de Salud, Lima
    "2013137302": ("local", "local", "15"),  # Municipalidad Metropolitana de Lima
    "2013137303": ("health", "regional", "08"),  # Hospital Regional de Cusco
}


def _profile_entities() -> None:
    from portal.accounts.demo import demo_ruc

    regions = {region.code: region for region in Region.objects.filter(country="PE")}
    for body, (sector, level, region) in ENTITY_PROFILES.items():
        organisation = Organisation.objects.filter(country="PE", tax_id=demo_ruc(body)).first()
        if organisation is not None:
            EntityProfile.objects.get_or_create(
                organisation=organisation, defaults={"sector": sector, "level": level, "region": regions[region]}
            )


def load(world: dict) -> None:
    _profile_entities()
    cast = _cast(world)
    if Tender.objects.filter(entity=cast.entity, title=TENDERS[0].title).exists():
        world["tenders"] = {t.title: t for t in Tender.objects.filter(entity=cast.entity)}
        return
    now = timezone.now().replace(microsecond=0)
    try:
        with transaction.atomic():
            world["tenders"] = _load(cast, now)
    finally:
        clock.set_source(None)


def _load(cast: Cast, now: datetime) -> dict[str, Tender]:
    procedures = {p.code: p for p in ProcedureType.objects.filter(jurisdiction="PE")}
    plans = {
        spec.title: (
            Plan(_draft_timeline(procedures[spec.procedure], now), None)
            if spec.target == S.DRAFT
            else _plan_for(spec, procedures[spec.procedure], now)
        )
        for spec in TENDERS
    }
    first = min(plan.timeline.published_at for plan in plans.values())
    _at(first - timedelta(days=3))
    pac = plan_create(
        actor=cast.officer,
        entity=cast.entity,
        fiscal_year=now.astimezone(LIMA).year,
        lines=[
            PlanLineData(
                description=spec.title,
                object=spec.object,
                procedure_type=procedures[spec.procedure],
                unspsc_code=spec.lots[0].items[0].code,
                estimated_value=sum((lot.reference_value for lot in spec.lots), Decimal(0)),
                planned_month=plans[spec.title].timeline.published_at.astimezone(LIMA).month,
            )
            for spec in TENDERS
        ],
    )
    pac = plan_publish(actor=cast.officer, plan=pac)
    lines = {line.description: line for line in pac.lines.all()}
    tenders = {}
    for spec in TENDERS:
        plan = plans[spec.title]
        if spec.target == S.DRAFT:
            _at(now)
            tender = _draft(spec, cast, lines[spec.title[:300]], plan.timeline)
        else:
            tender = _drive(spec, cast, plan, lines[spec.title[:300]])
            if spec.target in {S.CONTRACTED, S.COMPLETED}:
                tender = _sign_and_complete(spec, tender, cast, plan)
        if tender.status != spec.target:
            logger.warning("demo.tender_off_target", extra={"title": spec.title, "status": tender.status})
        tenders[spec.title] = tender
    return tenders
