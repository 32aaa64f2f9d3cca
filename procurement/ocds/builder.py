"""One OCDS 1.1 release from what is public of a tender at one of its events.

Every release is a full snapshot (not a delta): anyone can read it alone, and a record compiled from
the releases loses nothing. What a snapshot may show is what the portal's public pages show at that
moment. In particular a bid appears (``bids.details``, tenderers, their number) only once the
opening has read it: this module reads ``opened_at`` and ``price_total`` of opened bids, never the
sealed box, and reads nothing of a bid before ``tender.opened_at`` is set. The committee's verdicts
are public with the score sheet, so a bid is ``pending`` until the lot is scored.

The tender's own fields come from the instance given (a service may record the event before it
saves them); lots, awards, contracts, bids and documents are read from the database, where the
service wrote them before recording the event.

Money and quantities are JSON numbers, as OCDS wants: an integral Decimal becomes an int (exact at
any size), any other a float, which round-trips exactly for up to 15 significant digits (cents of
amounts under ten trillion) — PostgreSQL's jsonb keeps the number as written.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Max, Prefetch
from django.urls import NoReverseMatch, reverse

from procurement.enums import AwardStatus, ContractStatus, LotStatus, ProcurementObject, Stage, TenderStatus
from procurement.models import Award, Bid, Contract, Item, Lot, LotScore, Tender, TenderDocument
from procurement.reference_data import UNITS_REC20
from procurement.selectors import AUCTION_IN_PROGRESS
from smeregistry.enums import SizeClass

LANGUAGE = "es"  # the language of the portal's data (titles, descriptions), whoever reads it
RUC_SCHEME = "PE-RUC"
UNSPSC = "UNSPSC"
UNIT_SCHEME = "UNCEFACT"  # UN/ECE Recommendation 20, maintained by UN/CEFACT
UNIT_NAMES = dict(UNITS_REC20)

# The portal's statuses in OCDS's closed codelists.
TENDER_STATUS = {
    TenderStatus.PUBLISHED: "active",
    TenderStatus.ENQUIRIES: "active",
    TenderStatus.INTEGRATED_BASES: "active",
    TenderStatus.BIDDING: "active",
    TenderStatus.OPENING: "active",
    TenderStatus.AUCTION: "active",
    TenderStatus.EVALUATION: "active",
    # From the buena pro on the competition is over: OCDS's "complete" (an upheld appeal makes it active again).
    TenderStatus.AWARDED: "complete",
    TenderStatus.APPEAL_WINDOW: "complete",
    TenderStatus.CONSENTED: "complete",
    TenderStatus.CONTRACTED: "complete",
    TenderStatus.COMPLETED: "complete",
    TenderStatus.VOID: "unsuccessful",
    TenderStatus.CANCELLED: "cancelled",
    TenderStatus.ANNULLED: "cancelled",
}
LOT_STATUS = {
    LotStatus.OPEN: "active",
    LotStatus.AWARDED: "complete",
    LotStatus.VOID: "unsuccessful",
    LotStatus.CANCELLED: "cancelled",
}
CONTRACT_STATUS = {
    ContractStatus.AWAITING_SIGNATURES: "pending",
    ContractStatus.SIGNED: "active",
    ContractStatus.COMPLETED: "terminated",
    ContractStatus.CANCELLED: "cancelled",
}
# OCDS has three categories; consulting is a service.
CATEGORY = {
    ProcurementObject.GOODS: "goods",
    ProcurementObject.SERVICES: "services",
    ProcurementObject.CONSULTING: "services",
    ProcurementObject.WORKS: "works",
}
# Every procedure type publishes a call any registered supplier may answer ("open"), except the
# direct contracting, where the entity names its supplier. Types not listed here are open.
METHOD = {"contratacion-directa": "direct"}
# OCDS's partyScale: "sme" is small *or* medium, so Peru's medium enterprise (outside MYPE) is an sme.
SCALE = {SizeClass.MICRO: "micro", SizeClass.SMALL: "sme", SizeClass.MEDIUM: "sme", SizeClass.LARGE: "large"}


def number(value: Decimal) -> int | float:
    """A Decimal as a JSON number (see the module's docstring for why this is exact)."""
    return int(value) if value == value.to_integral_value() else float(value)


def moment(value: datetime) -> str:
    """An aware datetime as RFC 3339 in UTC."""
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def money(amount: Decimal, currency: str) -> dict[str, Any]:
    return {"amount": number(amount), "currency": currency}


def period(**dates: datetime | None) -> dict[str, str] | None:
    found = {key: moment(value) for key, value in dates.items() if value is not None}
    return found or None


def party_id(ruc: str) -> str:
    return f"{RUC_SCHEME}-{ruc}"


def lot_id(lot_number: int) -> str:
    return f"lot-{lot_number}"


def _absolute(name: str, *args: Any) -> str | None:
    try:
        path = reverse(name, args=args)
    except NoReverseMatch:  # the public pages are not installed (an API-only deployment)
        return None
    return settings.PORTAL_BASE_URL.rstrip("/") + path


def _compact(data: dict[str, Any]) -> dict[str, Any]:
    """Leave out what is unknown rather than publish nulls and empty lists."""
    return {key: value for key, value in data.items() if value is not None and value not in ([], {})}


class _Parties:
    """The release's parties by id, each with its roles in the order they were found."""

    def __init__(self) -> None:
        self.parties: dict[str, dict[str, Any]] = {}

    def add(self, *, ruc: str, name: str, role: str, size_class: str = "") -> dict[str, str]:
        key = party_id(ruc)
        party = self.parties.setdefault(
            key,
            {"id": key, "name": name, "identifier": {"scheme": RUC_SCHEME, "id": ruc, "legalName": name}, "roles": []},
        )
        if role not in party["roles"]:
            party["roles"].append(role)
        if size_class in SCALE:  # a later snapshot (the award's) wins over the bid's
            party["details"] = {"scale": SCALE[size_class]}
        return {"id": key, "name": name}

    def as_list(self) -> list[dict[str, Any]]:
        return list(self.parties.values())


def build_release(
    *,
    tender: Tender,
    ocid: str,
    release_id: str,
    date: datetime,
    tags: list[str],
    amendments: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The release ``release_id`` of ``tender`` as it stands now, dated ``date`` and tagged ``tags``.

    ``tender`` must be past its draft (a draft is not public). ``amendments`` are the tender's
    amendments so far, which only the release history knows (see ``releases``).
    """
    entity = tender.entity
    parties = _Parties()
    buyer = parties.add(ruc=entity.tax_id, name=entity.name, role="buyer")
    parties.add(ruc=entity.tax_id, name=entity.name, role="procuringEntity")
    lots = list(
        Lot.objects.filter(tender_id=tender.pk)
        .order_by("number")
        .prefetch_related(Prefetch("items", Item.objects.order_by("number")))
    )
    numbers = {lot.pk: lot.number for lot in lots}
    opened = tender.opened_at is not None
    bids = _bids(tender, numbers, parties) if opened else []
    awards = _awards(tender, numbers, parties)
    release = {
        "ocid": ocid,
        "id": release_id,
        "date": moment(date),
        "tag": list(tags),
        "initiationType": "tender",
        "language": LANGUAGE,
        "parties": None,  # filled last: bids and awards add their parties
        "buyer": buyer,
        "planning": _planning(tender),
        "tender": _tender(tender, lots, buyer, amendments or [], bids if opened else None),
        "bids": {"details": bids} if opened else None,
        "awards": awards,
        "contracts": _contracts(tender),
    }
    release["parties"] = parties.as_list()
    return _compact(release)


def _planning(tender: Tender) -> dict[str, Any]:
    line = tender.plan_line
    plan = line.plan
    return {
        "budget": {
            "id": f"PAC-{plan.fiscal_year}-{line.number}",
            "description": line.description,
            "amount": money(line.estimated_value, line.currency),
        }
    }


def _tender(
    tender: Tender,
    lots: list[Lot],
    buyer: dict[str, str],
    amendments: list[dict[str, Any]],
    bids: list[dict[str, Any]] | None,
) -> dict[str, Any]:
    stages = tender.procedure_type.config.get("stages") or []
    tenderers: dict[str, dict[str, str]] = {}
    for bid in bids or []:
        for tenderer in bid["tenderers"]:
            tenderers.setdefault(tenderer["id"], tenderer)
    data = {
        "id": tender.code,
        "title": tender.title,
        "description": tender.description or None,
        "status": TENDER_STATUS[tender.status],
        "procuringEntity": buyer,
        "value": money(tender.reference_value, tender.currency),
        "procurementMethod": METHOD.get(tender.procedure_type.code, "open"),
        "procurementMethodDetails": tender.procedure_type.name,
        "mainProcurementCategory": CATEGORY[tender.object],
        "submissionMethod": ["electronicSubmission", *(["electronicAuction"] if Stage.AUCTION in stages else [])],
        # Why a process or a lot ended without a winner, was cancelled or annulled (OCDS 1.1 has no
        # field for it; this is the name the standard's next version gives it).
        "statusDetails": tender.status_reason or None,
        "enquiryPeriod": period(startDate=tender.published_at, endDate=tender.enquiries_end)
        if tender.enquiries_end
        else None,
        "tenderPeriod": period(startDate=tender.integrated_bases_at or tender.published_at, endDate=tender.bids_due),
        "awardPeriod": period(startDate=tender.opened_at or tender.opening_at, endDate=tender.awarded_at),
        "items": [_item(item, lot) for lot in lots for item in lot.items.all()],
        "lots": [
            _compact(
                {
                    "id": lot_id(lot.number),
                    "title": lot.title,
                    "statusDetails": lot.status_reason or None,
                    "status": LOT_STATUS[lot.status],
                    "value": money(lot.reference_value, tender.currency),
                }
            )
            for lot in lots
        ],
        "documents": _documents(tender),
        "amendments": amendments,
    }
    if bids is not None:  # after the opening only: before it, even how many bid is sealed
        data["numberOfTenderers"] = len(tenderers)
        data["tenderers"] = list(tenderers.values())
    return _compact(data)


def _item(item: Item, lot: Lot) -> dict[str, Any]:
    unit = {"scheme": UNIT_SCHEME, "id": item.unit}
    if item.unit in UNIT_NAMES:
        unit["name"] = UNIT_NAMES[item.unit]
    return {
        "id": f"{lot.number}-{item.number}",
        "description": item.description,
        "classification": {"scheme": UNSPSC, "id": item.unspsc_code},
        "quantity": number(item.quantity),
        "unit": unit,
        "relatedLot": lot_id(lot.number),
    }


def _documents(tender: Tender) -> list[dict[str, Any]]:
    documents = TenderDocument.objects.filter(tender_id=tender.pk, published_at__isnull=False).order_by("pk")
    return [
        _compact(
            {
                "id": str(document.pk),
                # The bases, their integrated version, their amendments and annexes are all bidding documents.
                "documentType": "biddingDocuments",
                "title": document.title,
                "url": _absolute("tender-document", tender.pk, document.pk),
                "datePublished": moment(document.published_at),
                "format": "application/pdf" if document.file.name.lower().endswith(".pdf") else None,
            }
        )
        for document in documents
    ]


def _bids(tender: Tender, numbers: dict[int, int], parties: _Parties) -> list[dict[str, Any]]:
    """The opened bids (only ever called once the opening is done) with the status the latest
    published score sheet gives them."""
    rounds = dict(
        LotScore.objects.filter(lot__tender_id=tender.pk)
        .values_list("lot_id")
        .annotate(last=Max("round"))
        .values_list("lot_id", "last")
    )
    excluded = {
        bid_id: bool(reason)
        for lot_id_, round_, bid_id, reason in LotScore.objects.filter(lot__tender_id=tender.pk).values_list(
            "lot_id", "round", "bid_id", "excluded_reason"
        )
        if rounds.get(lot_id_) == round_
    }
    bids = (
        Bid.objects.filter(lot__tender_id=tender.pk, opened_at__isnull=False)
        # A lot in a reverse auction publishes its bidders only once its auction is over.
        .exclude(lot__auction__status__in=AUCTION_IN_PROGRESS)
        .select_related("participant__organisation", "eligibility")
        .order_by("lot__number", "received_at", "pk")
        .only(
            "pk",
            "lot_id",
            "received_at",
            "price_total",
            "participant__organisation__name",
            "participant__organisation__tax_id",
            "eligibility__size_class",
        )
    )
    details = []
    for bid in bids:
        organisation = bid.participant.organisation
        tenderer = parties.add(
            ruc=organisation.tax_id, name=organisation.name, role="tenderer", size_class=bid.eligibility.size_class
        )
        status = "pending" if bid.pk not in excluded else ("disqualified" if excluded[bid.pk] else "valid")
        details.append(
            _compact(
                {
                    "id": str(bid.pk),
                    "date": moment(bid.received_at),
                    "status": status,
                    "tenderers": [tenderer],
                    "value": money(bid.price_total, tender.currency) if bid.price_total is not None else None,
                    "relatedLots": [lot_id(numbers[bid.lot_id])],
                }
            )
        )
    return details


def _awards(tender: Tender, numbers: dict[int, int], parties: _Parties) -> list[dict[str, Any]]:
    """Every award made (revoked ones as cancelled), and an unsuccessful one for each lot whose
    scoring found no winner. An award in force is pending until it is firm: consented, or made in a
    procedure with no appeal window."""
    stages = tender.procedure_type.config.get("stages") or []
    firm = tender.consented_at is not None or Stage.APPEAL not in stages
    sheet = _absolute("tender-detail", tender.pk)
    awards = []
    rows = (
        Award.objects.filter(lot__tender_id=tender.pk)
        .select_related("supplier", "eligibility")
        .order_by("awarded_at", "pk")
    )
    for award in rows:
        supplier = parties.add(
            ruc=award.supplier.tax_id,
            name=award.supplier.name,
            role="supplier",
            size_class=award.eligibility.size_class,
        )
        status = "cancelled" if award.status == AwardStatus.REVOKED else ("active" if firm else "pending")
        awards.append(
            _compact(
                {
                    "id": str(award.pk),
                    "status": status,
                    "date": moment(award.awarded_at),
                    "value": money(award.amount, award.currency),
                    "suppliers": [supplier],
                    "relatedLots": [lot_id(numbers[award.lot_id])],
                    "documents": [_score_sheet(numbers[award.lot_id], award.round, sheet)] if sheet else None,
                }
            )
        )
    scored_void = (
        LotScore.objects.filter(lot__tender_id=tender.pk, lot__status=LotStatus.VOID)
        .values_list("lot_id")
        .annotate(last=Max("round"))
        .order_by("lot__number")
        .values_list("lot_id", "last")
    )
    for lot_pk, round_ in scored_void:
        awards.append(
            _compact(
                {
                    "id": f"{lot_id(numbers[lot_pk])}-round-{round_}",
                    "status": "unsuccessful",
                    "relatedLots": [lot_id(numbers[lot_pk])],
                    "documents": [_score_sheet(numbers[lot_pk], round_, sheet)] if sheet else None,
                }
            )
        )
    return awards


def _score_sheet(lot_number: int, round_: int, url: str) -> dict[str, str]:
    """The published score sheet (cuadro comparativo) of a lot's round, on the tender's public page."""
    return {"id": f"score-sheet-{lot_number}-{round_}", "documentType": "evaluationReports", "url": url}


def _contracts(tender: Tender) -> list[dict[str, Any]]:
    contracts = Contract.objects.filter(tender_id=tender.pk).order_by("created_at", "pk")
    return [
        _compact(
            {
                "id": contract.number,
                "awardID": str(contract.award_id),
                "status": CONTRACT_STATUS[contract.status],
                "value": money(contract.amount, contract.currency),
                "dateSigned": moment(contract.signed_at) if contract.signed_at else None,
                "implementation": _implementation(contract),
            }
        )
        for contract in contracts
    ]


def _implementation(contract: Contract) -> dict[str, Any] | None:
    """The entity's evaluation of the supplier's performance, public once the contract is completed,
    as an assessment milestone met on the completion day (rating out of 5, then the comment)."""
    if contract.status != ContractStatus.COMPLETED:
        return None
    return {
        "milestones": [
            {
                "id": "performance-evaluation",
                "type": "assessment",
                "status": "met",
                "dateMet": moment(contract.completed_at),
                "code": f"rating-{contract.rating}-of-5",
                "description": f"{contract.rating}/5. {contract.performance_comment}",
            }
        ]
    }
