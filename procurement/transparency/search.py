"""The public search and the drill-down figures, read from the public projection only.

Processes are searched in ``PublicProcess`` (one row per published tender, never a draft, never a
sealed figure); contracts in ``Contract`` joined to the public row of their tender; a supplier's
record in its awards, contracts and the bids the opening has read (sealed box deferred). Nothing
here takes an actor: everything it can return is public to anyone, so the results and their counts
may be cached and exported.

``process_search`` is the one entry point for processes: the search page, the exports, the entity
page and the benchmark all call it, so what they measure is what the public gets.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import ExtractYear
from django.utils.translation import get_language

from portal.accounts.enums import OrganisationKind
from portal.accounts.models import Organisation
from procurement.enums import AwardStatus, ContractStatus, ProcurementObject, Sector, TenderStatus
from procurement.models import Award, Bid, BidStatus, Contract, EntityProfile, ProcedureType, PublicProcess
from procurement.selectors import AUCTION_IN_PROGRESS
from procurement.timeline import LIMA
from procurement.transparency import text
from smeregistry.models import Region
from smeregistry.sizing import significant_prefix

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
# Public data that changes at the pace of procurement acts: a minute old is fresh enough for the
# counts of a broad query, and it spares the database the six GROUP BYs of every visit.
CACHE_SECONDS = 60
LABELS_CACHE_SECONDS = 600
FACETS = ("region", "sector", "procedure_type", "object", "status", "year")
# Sort name → ORDER BY; each ends on the primary key so pages never overlap or skip a row.
PROCESS_SORTS = {
    "newest": ("-published_at", "-tender_id"),
    "oldest": ("published_at", "tender_id"),
    "amount_desc": ("-reference_value", "-tender_id"),
    "amount_asc": ("reference_value", "tender_id"),
}
CONTRACT_SORTS = {
    "newest": (F("signed_at").desc(nulls_last=True), "-pk"),
    "oldest": (F("signed_at").asc(nulls_last=True), "pk"),
    "amount_desc": ("-amount", "-pk"),
    "amount_asc": ("amount", "pk"),
}
# What a result row needs; ``search_text`` and ``keys`` are long and only filtered on.
PROCESS_COLUMNS = (
    "tender_id",
    "code",
    "title",
    "entity_id",
    "entity_name",
    "entity_ruc",
    "sector",
    "region_code",
    "procedure_type_id",
    "object",
    "status",
    "currency",
    "reference_value",
    "awarded_amount",
    "published_at",
    "awarded_at",
)


STATUS_LABELS = dict(TenderStatus.choices)


@dataclass(frozen=True, slots=True)
class ProcessRow:
    """One result: the columns of ``PROCESS_COLUMNS``, read as a tuple (a page of model instances
    costs more than the query that finds it)."""

    tender_id: int
    code: str
    title: str
    entity_id: int
    entity_name: str
    entity_ruc: str
    sector: str
    region_code: str
    procedure_type_id: int
    object: str
    status: str
    currency: str
    reference_value: Decimal
    awarded_amount: Decimal | None
    published_at: datetime
    awarded_at: datetime | None

    def get_status_display(self) -> str:
        return str(STATUS_LABELS.get(self.status, self.status))


def lima_day_start(day: date) -> datetime:
    """The first instant of a calendar day in Lima, as an aware datetime."""
    return datetime.combine(day, time.min, tzinfo=LIMA)


def category_key(code: str) -> str:
    """The ``keys`` token of a UNSPSC category typed at any level: ``43`` → ``c43``,
    ``43211500`` → ``c432115`` (trailing pairs of zeros mark the level, as in the registry)."""
    code = (code or "").strip()
    if not code.isdigit() or len(code) not in {2, 4, 6, 8}:
        raise ValueError(f"a UNSPSC category has 2, 4, 6 or 8 digits, not {code!r}")
    return f"c{significant_prefix(code.ljust(8, '0'))}"


@dataclass(frozen=True)
class SearchCriteria:
    """What a citizen asks of the processes. Every criterion is optional; all given must hold.

    Dates are Lima calendar days, both ends included. ``region`` is the entity's region (where it
    sits); ``entity`` an entity's id (the drill-down), ``entity_text`` part of its name or its RUC.
    Amounts bound the reference value, in the process's currency. ``supplier`` (a RUC) finds the
    processes with an award in force to that supplier; ``category`` a UNSPSC code at any level."""

    text: str = ""
    published_from: date | None = None
    published_to: date | None = None
    entity: int | None = None
    entity_text: str = ""
    sector: str = ""
    region: str = ""
    procedure_type: int | None = None
    object: str = ""
    status: str = ""
    amount_min: Decimal | None = None
    amount_max: Decimal | None = None
    supplier: str = ""
    category: str = ""

    def normalised(self) -> SearchCriteria:
        """The same question written one way: text as its search terms, codes stripped, so that two
        spellings of one query share a cache entry."""
        return replace(
            self,
            text=" ".join(text.query_terms(self.text)),
            entity_text=self.entity_text.strip(),
            supplier=self.supplier.strip(),
            category=category_key(self.category)[1:] if self.category.strip() else "",
        )

    def cache_key(self, prefix: str) -> str:
        digest = hashlib.sha256(repr(sorted(asdict(self.normalised()).items())).encode()).hexdigest()
        return f"transparency:{prefix}:{digest}"


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int


@dataclass(frozen=True)
class SearchResults:
    """One page of results, the number of rows that match, and (processes) the facet counts of the
    whole matching set: {facet: [values, most frequent first]}."""

    rows: list[Any]
    total: int
    page: int
    page_size: int
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.page_size))

    @property
    def first(self) -> int:
        return (self.page - 1) * self.page_size + 1 if self.total else 0

    @property
    def last(self) -> int:
        return min(self.page * self.page_size, self.total)


def _entities_matching(entity_text: str) -> QuerySet[Organisation]:
    """Contracting entities by RUC or part of their name: a small table, searched first, so the
    large one is filtered by its indexed ``entity`` column instead of a scan of names."""
    rows = Organisation.objects.filter(kind=OrganisationKind.CONTRACTING_ENTITY)
    value = entity_text.strip()
    return rows.filter(Q(tax_id=value) | Q(name__icontains=value)).values("pk")


def process_queryset(criteria: SearchCriteria) -> QuerySet[PublicProcess]:
    """The public processes matching ``criteria`` (unordered). Raises ValueError for a category
    that is not a UNSPSC code; the search form checks it first."""
    rows = PublicProcess.objects.all()
    terms = text.query_terms(criteria.text)
    if terms:
        rows = rows.filter(search_text__matches=terms)
    keys = []
    if criteria.category.strip():
        keys.append(category_key(criteria.category))
    if criteria.supplier.strip():
        keys.append(f"s{criteria.supplier.strip()}")
    if keys:
        rows = rows.filter(keys__has_keys=keys)
    if criteria.published_from is not None:
        rows = rows.filter(published_at__gte=lima_day_start(criteria.published_from))
    if criteria.published_to is not None:
        rows = rows.filter(published_at__lt=lima_day_start(criteria.published_to + timedelta(days=1)))
    if criteria.entity is not None:
        rows = rows.filter(entity_id=criteria.entity)
    if criteria.entity_text.strip():
        rows = rows.filter(entity_id__in=_entities_matching(criteria.entity_text))
    exact = {
        "sector": criteria.sector,
        "region_code": criteria.region,
        "procedure_type_id": criteria.procedure_type,
        "object": criteria.object,
        "status": criteria.status,
    }
    rows = rows.filter(**{name: value for name, value in exact.items() if value not in (None, "")})
    if criteria.amount_min is not None:
        rows = rows.filter(reference_value__gte=criteria.amount_min)
    if criteria.amount_max is not None:
        rows = rows.filter(reference_value__lte=criteria.amount_max)
    return rows


FACET_COLUMNS = {
    "region": "region_code",
    "sector": "sector",
    "procedure_type": "procedure_type_id",
    "object": "object",
    "status": "status",
    "year": "year",
}


def _facet_counts(rows: QuerySet[PublicProcess]) -> dict[str, dict[str, int]]:
    """The counts per value of every facet over the matching set; each row falls in exactly one
    value of each facet. On PostgreSQL one scan answers all six (GROUPING SETS): a broad query
    reads its tens of thousands of rows once, not six times. Elsewhere, six GROUP BYs."""
    columns = (
        rows.order_by().annotate(year=ExtractYear("published_at", tzinfo=LIMA)).values_list(*FACET_COLUMNS.values())
    )
    if connection.vendor != "postgresql":
        return {
            facet: {str(value): n for value, n in columns.values_list(column).annotate(n=Count("pk"))}
            for facet, column in FACET_COLUMNS.items()
        }
    inner, params = columns.query.sql_with_params()
    names = ", ".join(FACET_COLUMNS.values())
    sets = ", ".join(f"({column})" for column in FACET_COLUMNS.values())
    counts: dict[str, dict[str, int]] = {facet: {} for facet in FACET_COLUMNS}
    with connection.cursor() as cursor:
        cursor.execute(
            # Column names are constants; every value is a parameter of the inner query.
            f"SELECT {names}, GROUPING({names}), COUNT(*) FROM ({inner}) AS matching GROUP BY GROUPING SETS ({sets})",  # noqa: S608
            params,
        )
        width = len(FACET_COLUMNS)
        for *values, grouping, n in cursor.fetchall():
            # GROUPING() sets a bit for every column the row is NOT grouped by: the clear one is the facet.
            position = next(i for i in range(width) if not grouping & (1 << (width - 1 - i)))
            counts[list(FACET_COLUMNS)[position]][str(values[position])] = n
    return counts


def _page_rows(rows: QuerySet, *, indexed_words: bool, total: int) -> list[ProcessRow]:
    """Fetch one page (``rows`` is already sliced and ordered), telling PostgreSQL how, when words or
    keys filter it. The planner cannot know how many rows a set of words matches (it multiplies the
    words' frequencies, while the words of a product come together), so it guesses, and a wrong
    guess costs seconds: walking the date index for a supplier's thirty processes reads all million
    rows; collecting the thirty thousand matches of a common product to sort them reads thirty
    thousand pages for fifty results. The total is known by now (the facet counts), so choose: walk
    the sort's index when the page is likely found within fewer rows than there are matches,
    otherwise collect the matches through the GIN index and sort them."""
    if connection.vendor != "postgresql" or not indexed_words or not total:
        return [ProcessRow(*row) for row in rows]
    everything = _approximate_size()
    walk = (rows.query.high_mark or 0) * everything / total
    switch_off = "enable_bitmapscan" if walk < total else "enable_indexscan"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT current_setting(%s), set_config(%s, 'off', true)", [switch_off, switch_off])
        previous = cursor.fetchone()[0]
        found = [ProcessRow(*row) for row in rows]
        cursor.execute("SELECT set_config(%s, %s, true)", [switch_off, previous])
    return found


def _approximate_size() -> float:
    """How many public processes there are, as PostgreSQL last counted them (instant, near enough)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [PublicProcess._meta.db_table])
        row = cursor.fetchone()
    return max(float(row[0]) if row else 0.0, 1.0)


def facet_labels() -> dict[str, dict[str, str]]:
    """What each facet value is called, in the active language; reference data, cached per language."""
    key = f"transparency:facet-labels:{get_language()}"
    labels = cache.get(key)
    if labels is None:
        labels = _facet_labels()
        cache.set(key, labels, LABELS_CACHE_SECONDS)
    return labels


def _facet_labels() -> dict[str, dict[str, str]]:
    return {
        "region": dict(Region.objects.filter(country="PE").values_list("code", "name")),
        "sector": {value: str(label) for value, label in Sector.choices},
        "procedure_type": {str(pk): name for pk, name in ProcedureType.objects.values_list("pk", "name")},
        "object": {value: str(label) for value, label in ProcurementObject.choices},
        "status": {value: str(label) for value, label in TenderStatus.choices},
        "year": {},
    }


def _page_bounds(total: int, page: int, page_size: int) -> tuple[int, int]:
    page_size = max(1, min(int(page_size), MAX_PAGE_SIZE))
    pages = max(1, math.ceil(total / page_size))
    return max(1, min(int(page), pages)), page_size


def process_search(
    criteria: SearchCriteria,
    *,
    sort: str = "newest",
    page: int = 1,
    page_size: int = PAGE_SIZE,
    facets: bool = True,
    use_cache: bool = True,
) -> SearchResults:
    """One page of the public processes matching ``criteria``, sorted (``PROCESS_SORTS``; an unknown
    sort is the default, newest first), with the total and, when ``facets``, the counts per region,
    sector, procedure type, object, status and year of the whole matching set.

    The counts and the total come from the facet GROUP BYs (the status counts add up to the total),
    cached for ``CACHE_SECONDS`` under the normalised criteria when ``use_cache``; without facets the
    total is one COUNT. A page past the last is the last. Rows are ``ProcessRow``s."""
    rows = process_queryset(criteria)
    counts: dict[str, dict[str, int]] | None = None
    if facets:
        key = criteria.cache_key("facets")
        counts = cache.get(key) if use_cache else None
        if counts is None:
            counts = _facet_counts(rows)
            if use_cache:
                cache.set(key, counts, CACHE_SECONDS)
        total = sum(counts["status"].values())
    else:
        total = rows.count()
    page, page_size = _page_bounds(total, page, page_size)
    order = PROCESS_SORTS.get(sort, PROCESS_SORTS["newest"])
    start = (page - 1) * page_size
    indexed_words = bool(text.query_terms(criteria.text) or criteria.category.strip() or criteria.supplier.strip())
    page_of = rows.order_by(*order).values_list(*PROCESS_COLUMNS)[start : start + page_size]
    found = _page_rows(page_of, indexed_words=indexed_words, total=total) if total else []
    facet_values = {}
    if counts is not None:
        labels = facet_labels()
        for facet in FACETS:
            values = [FacetValue(value, labels[facet].get(value, value), n) for value, n in counts[facet].items()]
            if facet == "year":
                values.sort(key=lambda item: item.value, reverse=True)
            else:
                values.sort(key=lambda item: (-item.count, item.label))
            facet_values[facet] = values
    return SearchResults(rows=found, total=total, page=page, page_size=page_size, facets=facet_values)


# --- Contracts ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ContractCriteria:
    """What a citizen asks of the contracts: the dates are Lima days of the signature (a contract
    still awaiting signatures has none and is not in a date range); amounts bound the contract's
    amount; ``region`` is the contracting entity's; ``text`` is searched in the process."""

    text: str = ""
    signed_from: date | None = None
    signed_to: date | None = None
    entity: int | None = None
    entity_text: str = ""
    region: str = ""
    supplier: str = ""
    amount_min: Decimal | None = None
    amount_max: Decimal | None = None
    status: str = ""


CONTRACT_COLUMNS = (
    "pk",
    "number",
    "tender_id",
    "tender__public__code",
    "tender__public__title",
    "tender__public__entity_id",
    "tender__public__entity_name",
    "tender__public__region_code",
    "supplier__name",
    "supplier__tax_id",
    "amount",
    "currency",
    "status",
    "signed_at",
    "completed_at",
    "rating",
)


def contract_queryset(criteria: ContractCriteria) -> QuerySet[Contract]:
    """The contracts of public processes matching ``criteria`` (unordered)."""
    rows = Contract.objects.filter(tender__public__isnull=False)
    terms = text.query_terms(criteria.text)
    if terms:
        rows = rows.filter(Q(number=criteria.text.strip()) | Q(tender__public__search_text__matches=terms))
    if criteria.signed_from is not None:
        rows = rows.filter(signed_at__gte=lima_day_start(criteria.signed_from))
    if criteria.signed_to is not None:
        rows = rows.filter(signed_at__lt=lima_day_start(criteria.signed_to + timedelta(days=1)))
    if criteria.entity is not None:
        rows = rows.filter(tender__entity_id=criteria.entity)
    if criteria.entity_text.strip():
        rows = rows.filter(tender__entity_id__in=_entities_matching(criteria.entity_text))
    if criteria.region:
        rows = rows.filter(tender__public__region_code=criteria.region)
    if criteria.supplier.strip():
        rows = rows.filter(supplier__tax_id=criteria.supplier.strip())
    if criteria.amount_min is not None:
        rows = rows.filter(amount__gte=criteria.amount_min)
    if criteria.amount_max is not None:
        rows = rows.filter(amount__lte=criteria.amount_max)
    if criteria.status:
        rows = rows.filter(status=criteria.status)
    return rows


def contract_search(
    criteria: ContractCriteria, *, sort: str = "newest", page: int = 1, page_size: int = PAGE_SIZE
) -> SearchResults:
    """One page of the contracts matching ``criteria`` (newest signature first by default; unsigned
    ones last), as dicts of ``CONTRACT_COLUMNS``, with the total."""
    rows = contract_queryset(criteria)
    total = rows.count()
    page, page_size = _page_bounds(total, page, page_size)
    order = CONTRACT_SORTS.get(sort, CONTRACT_SORTS["newest"])
    start = (page - 1) * page_size
    found = list(rows.order_by(*order).values(*CONTRACT_COLUMNS)[start : start + page_size]) if total else []
    return SearchResults(rows=found, total=total, page=page, page_size=page_size)


@dataclass(frozen=True)
class PublicContract:
    """A contract's public summary with what its page links to."""

    pk: int
    number: str
    status: str
    amount: Decimal
    currency: str
    created_at: datetime
    entity_signed_at: datetime | None
    supplier_signed_at: datetime | None
    signed_at: datetime | None
    completed_at: datetime | None
    rating: int | None
    performance_comment: str
    lot_number: int
    lot_title: str
    awarded_at: datetime
    supplier_name: str
    supplier_ruc: str
    process: PublicProcess

    @property
    def status_label(self) -> str:
        return str(ContractStatus(self.status).label)


def contract_public(*, contract_id: int) -> PublicContract | None:
    """The public summary of a contract of a public process; None if there is none. The performance
    evaluation is part of it only once the contract is completed, as the entity publishes it then."""
    row = (
        Contract.objects.filter(pk=contract_id, tender__public__isnull=False)
        .values_list(
            "pk",
            "number",
            "status",
            "amount",
            "currency",
            "created_at",
            "entity_signed_at",
            "supplier_signed_at",
            "signed_at",
            "completed_at",
            "rating",
            "performance_comment",
            "award__lot__number",
            "award__lot__title",
            "award__awarded_at",
            "supplier__name",
            "supplier__tax_id",
            "tender_id",
        )
        .first()
    )
    if row is None:
        return None
    *fields, tender_id = row
    contract = PublicContract(*fields, process=PublicProcess.objects.only(*PROCESS_COLUMNS).get(tender_id=tender_id))
    if contract.status != ContractStatus.COMPLETED:
        contract = replace(contract, rating=None, performance_comment="")
    return contract


# --- Drill-down: regions, entities, a supplier's record -------------------------------------------------


@dataclass(frozen=True)
class Totals:
    """How many processes, and their reference and awarded values per currency (never added across
    currencies): [(currency, reference, awarded)]."""

    processes: int = 0
    amounts: list[tuple[str, Decimal, Decimal]] = field(default_factory=list)


def _totals_by(rows: QuerySet[PublicProcess], column: str) -> dict[Any, Totals]:
    grouped: dict[Any, Totals] = {}
    for key, currency, n, reference, awarded in (
        rows.order_by(column, "currency")
        .values_list(column, "currency")
        .annotate(n=Count("pk"), reference=Sum("reference_value"), awarded=Sum("awarded_amount"))
    ):
        before = grouped.get(key, Totals())
        grouped[key] = Totals(
            processes=before.processes + n,
            amounts=[*before.amounts, (currency, reference or Decimal("0"), awarded or Decimal("0"))],
        )
    return grouped


@dataclass(frozen=True)
class RegionLine:
    code: str
    name: str
    totals: Totals


def region_index() -> list[RegionLine]:
    """Every region of Peru with its entities' processes and amounts (the drill-down's first step),
    regions with processes first. Cached for a minute: one GROUP BY over every public process."""

    def compute() -> list[RegionLine]:
        totals = _totals_by(PublicProcess.objects.all(), "region_code")
        lines = [
            RegionLine(code, name, totals.get(code, Totals()))
            for code, name in Region.objects.filter(country="PE").order_by("name").values_list("code", "name")
        ]
        return sorted(lines, key=lambda line: (line.totals.processes == 0, line.name))

    return cache.get_or_set("transparency:regions", compute, CACHE_SECONDS)


@dataclass(frozen=True)
class EntityLine:
    pk: int
    name: str
    ruc: str
    sector: str
    sector_label: str
    level_label: str
    totals: Totals


def region_entities(*, region_code: str) -> list[EntityLine]:
    """The contracting entities seated in a region with their processes and amounts, most processes
    first; entities with a profile but no process yet are listed too. Cached for a minute."""

    def compute() -> list[EntityLine]:
        totals = _totals_by(PublicProcess.objects.filter(region_code=region_code), "entity_id")
        profiles = EntityProfile.objects.filter(region__code=region_code, region__country="PE").select_related(
            "organisation"
        )
        lines = [
            EntityLine(
                profile.organisation_id,
                profile.organisation.name,
                profile.organisation.tax_id,
                profile.sector,
                str(profile.get_sector_display()),
                str(profile.get_level_display()),
                totals.get(profile.organisation_id, Totals()),
            )
            for profile in profiles
        ]
        return sorted(lines, key=lambda line: (-line.totals.processes, line.name))

    return cache.get_or_set(f"transparency:region:{region_code}", compute, CACHE_SECONDS)


def entity_totals(*, entity_id: int) -> Totals:
    """An entity's processes and amounts, cached for a minute."""
    return cache.get_or_set(
        f"transparency:entity:{entity_id}",
        lambda: _totals_by(PublicProcess.objects.filter(entity_id=entity_id), "entity_id").get(entity_id, Totals()),
        CACHE_SECONDS,
    )


@dataclass(frozen=True)
class SupplierRecord:
    """A supplier's public record: the processes it took part in publicly (its bids the opening read
    and its awards), newest first, with the lots it bid for and won, and its contracts."""

    organisation: Organisation
    processes: list[dict[str, Any]]
    process_total: int
    contracts: list[dict[str, Any]]
    contract_total: int


def supplier_record(*, ruc: str, limit: int = PAGE_SIZE) -> SupplierRecord | None:
    """The record of the supplier with this RUC; None if no supplier organisation has it. Only bids
    with ``opened_at`` set are read, and only their lot: nothing sealed can come through here."""
    organisation = Organisation.objects.filter(
        kind=OrganisationKind.SUPPLIER, country="PE", tax_id=(ruc or "").strip()
    ).first()
    if organisation is None:
        return None
    opened = (
        Bid.objects.filter(participant__organisation=organisation, status=BidStatus.SUBMITTED, opened_at__isnull=False)
        .exclude(lot__auction__status__in=AUCTION_IN_PROGRESS)  # bidders of an auction are secret until it ends
        .values_list("lot__tender_id", "lot__number")
    )
    awards = Award.objects.filter(supplier=organisation).values_list("lot__tender_id", "lot__number", "status")
    bid_lots: dict[int, set[int]] = {}
    for tender_id, lot in opened:
        bid_lots.setdefault(tender_id, set()).add(lot)
    won_lots: dict[int, set[int]] = {}
    for tender_id, lot, status in awards:
        bid_lots.setdefault(tender_id, set()).add(lot)
        if status == AwardStatus.ACTIVE:
            won_lots.setdefault(tender_id, set()).add(lot)
    public = PublicProcess.objects.filter(tender_id__in=bid_lots).order_by("-published_at", "-tender_id")
    processes = [
        {**row, "lots_bid": sorted(bid_lots[row["tender_id"]]), "lots_won": sorted(won_lots.get(row["tender_id"], ()))}
        for row in public.values(
            "tender_id", "code", "title", "entity_id", "entity_name", "status", "currency", "published_at"
        )[:limit]
    ]
    contracts = contract_queryset(ContractCriteria(supplier=organisation.tax_id))
    return SupplierRecord(
        organisation=organisation,
        processes=processes,
        process_total=public.count(),
        contracts=list(contracts.order_by(*CONTRACT_SORTS["newest"]).values(*CONTRACT_COLUMNS)[:limit]),
        contract_total=contracts.count(),
    )
