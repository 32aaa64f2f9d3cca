"""Procurement pages (public): the tender search, the tender's page with its timeline, and its
published documents. See procurement/urls.py.

No sign-in needed and no JavaScript. Drafts are only ever found through ``tenders_visible_to`` (an
entity's members see their own). Before the opening nothing about bids is shown here except what
``bids_visible_to`` gives the person looking: counts to the entity's officers, a bidder's own receipts
to the bidder. From the opening on, the results are public (``opening_record``, ``tender_results``).

URL names: tender-list, tender-detail, tender-by-code, tender-document.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from portal.accounts.enums import OrganisationKind
from portal.accounts.models import Organisation
from portal.core import clock
from portal.core.errors import DomainError, NotFoundError
from procurement.auction.selectors import auction_board_for, tender_auctions
from procurement.enums import AppealStatus, ContractStatus, ProcurementObject, TenderStatus
from procurement.forms_supplier import AppealForm, QuestionForm
from procurement.models import ProcedureType, Tender
from procurement.reference_data import UNITS_REC20
from procurement.selectors import (
    OPEN_FOR_PARTICIPATION,
    AppealLine,
    OpenedBid,
    bids_visible_to,
    opening_record,
    participant_of,
    published_questions,
    tender_document_get,
    tender_documents,
    tender_exit_from,
    tender_get_for_actor,
    tender_lots,
    tender_participant_count,
    tender_results,
    tender_search,
    tenders_visible_to,
)
from procurement.services.appeals import APPEALABLE_LOTS, appeal_fee, appeal_window_open
from procurement.services.bids import SUPPLIER_ROLES
from procurement.services.contracts import SIGNING_STATUSES
from procurement.timeline import LIMA
from procurement.transitions import path_for
from smeregistry.models import Region
from smeregistry.views.public import normalise_category

PAGE_SIZE = 50
S = TenderStatus
EXITS = frozenset({S.CANCELLED, S.ANNULLED, S.VOID})
UNIT_NAMES = dict(UNITS_REC20)
MORE_FILTERS = frozenset(
    {"procedure_type", "object", "category", "published_from", "published_to", "amount_min", "amount_max"}
)


# --- Search ----------------------------------------------------------------------------------------


class TenderSearchForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Code or title"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    entity = forms.CharField(label=gettext_lazy("Contracting entity (name or RUC)"), required=False, max_length=200)
    procedure_type = forms.TypedChoiceField(
        label=gettext_lazy("Procedure type"), required=False, coerce=int, empty_value=None
    )
    object = forms.ChoiceField(
        label=gettext_lazy("Object"),
        required=False,
        choices=[("", gettext_lazy("Any object")), *ProcurementObject.choices],
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", gettext_lazy("Any status")), *((v, label) for v, label in TenderStatus.choices if v != S.DRAFT)],
    )
    region = forms.ChoiceField(label=gettext_lazy("Delivery region"), required=False)
    category = forms.CharField(
        label=gettext_lazy("Category (UNSPSC code)"),
        required=False,
        max_length=11,
        help_text=gettext_lazy("Segment, family, class or product, e.g. 43 or 43211500."),
    )
    published_from = forms.DateField(
        label=gettext_lazy("Published from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    published_to = forms.DateField(
        label=gettext_lazy("Published until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    amount_min = forms.DecimalField(
        label=gettext_lazy("Reference value from"),
        required=False,
        min_value=0,
        max_digits=18,
        decimal_places=2,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    amount_max = forms.DecimalField(
        label=gettext_lazy("Reference value up to"),
        required=False,
        min_value=0,
        max_digits=18,
        decimal_places=2,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["procedure_type"].choices = [
            ("", _("Any procedure")),
            *ProcedureType.objects.filter(jurisdiction="PE", is_active=True).values_list("pk", "name"),
        ]
        self.fields["region"].choices = [
            ("", _("Any region")),
            *Region.objects.filter(country="PE").values_list("code", "name"),
        ]

    def clean_category(self) -> str:
        code = self.cleaned_data["category"].strip()
        return normalise_category(code) if code else ""

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("published_from"), data.get("published_to")
        if start and end and start > end:
            self.add_error("published_to", _("The end of the range comes before its start."))
        low, high = data.get("amount_min"), data.get("amount_max")
        if low is not None and high is not None and low > high:
            self.add_error("amount_max", _("The maximum is below the minimum."))
        return data

    def criteria(self) -> dict[str, Any]:
        """The selector's keyword arguments; days are Lima days, [start of ``from``, end of ``to``]."""
        data = self.cleaned_data
        start, end = data.get("published_from"), data.get("published_to")
        return {
            "text": data.get("q") or None,
            "entity": data.get("entity") or None,
            "procedure_type_id": data.get("procedure_type"),
            "procurement_object": data.get("object") or None,
            "status": data.get("status") or None,
            "region_code": data.get("region") or None,
            "category_code": data.get("category") or None,
            "published_from": datetime.combine(start, time.min, tzinfo=LIMA) if start else None,
            "published_before": datetime.combine(end + timedelta(days=1), time.min, tzinfo=LIMA) if end else None,
            "amount_min": data.get("amount_min"),
            "amount_max": data.get("amount_max"),
        }


@require_safe
def tender_list(request: HttpRequest) -> HttpResponse:
    form = TenderSearchForm(request.GET or None)
    page = None
    if not form.is_bound or form.is_valid():
        rows = tender_search(actor=request.user, **(form.criteria() if form.is_bound else {}))
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "procurement/public/tender_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "now": clock.now(),
            # The less used filters stay folded unless they are in use.
            "more_open": any(request.GET.get(name) for name in MORE_FILTERS) or bool(set(form.errors) & MORE_FILTERS),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


# --- The tender's timeline ----------------------------------------------------------------------------

# The date each status of the path is known by, and whether it is the end of a period ("until").
STATUS_DATES = {
    S.PUBLISHED: ("published_at", False),
    S.ENQUIRIES: ("enquiries_end", True),
    S.INTEGRATED_BASES: ("integrated_bases_at", False),
    S.BIDDING: ("bids_due", True),
    S.OPENING: ("opening_at", False),
    S.AUCTION: ("auction_at", False),
}
DONE, CURRENT, COMING, NOT_REACHED = "done", "current", "coming", "not_reached"


@dataclass(frozen=True)
class TimelineStep:
    status: str
    label: str
    moment: datetime | None
    until: bool
    state: str  # done, current, coming or not_reached (the process left its path before)


def tender_timeline(tender: Tender, *, exit_from: str | None = None) -> list[TimelineStep]:
    """Every status of the procedure's regular path after the draft, with its date where the
    chronogram has one, marked done, current or coming. A process that left its path (cancelled,
    annulled, void) is marked done up to the status it left from (``exit_from``, from its audit
    trail; without it, up to the last date already passed when it left); the rest was not reached."""
    stages = tender.procedure_type.config.get("stages") or []
    statuses = [status for status in path_for(stages) if status != S.DRAFT]
    if tender.status in statuses:
        reached = statuses.index(tender.status)
    elif tender.status in EXITS:
        if exit_from in statuses:
            reached = statuses.index(exit_from) + 1
        else:
            passed = [
                index
                for index, status in enumerate(statuses)
                if (moment := _moment(tender, status)) is not None and moment <= tender.updated_at
            ]
            reached = max(passed, default=0) + 1
    else:  # a draft: nothing has happened yet
        reached = -1
    steps = []
    for index, status in enumerate(statuses):
        if tender.status in EXITS:
            state = DONE if index < reached else NOT_REACHED
        else:
            state = DONE if index < reached else CURRENT if index == reached else COMING
        field = STATUS_DATES.get(status)
        steps.append(
            TimelineStep(
                status=status,
                label=str(TenderStatus(status).label),
                moment=_moment(tender, status),
                until=bool(field and field[1]),
                state=state,
            )
        )
    return steps


def _moment(tender: Tender, status: str) -> datetime | None:
    field = STATUS_DATES.get(status)
    return getattr(tender, field[0]) if field else None


# --- The tender's page ----------------------------------------------------------------------------------


def tender_page(
    request: HttpRequest,
    tender: Tender,
    *,
    question_form: QuestionForm | None = None,
    appeal_forms: dict[int, AppealForm] | None = None,
    contract_errors: dict[int, str] | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    """The tender's page for the person asking. The supplier's actions (participate, ask, withdraw,
    appeal, sign) render it again, with their form or refusal, when the service refuses."""
    now = clock.now()
    lots = list(tender_lots(tender=tender))
    supplier = speaks_for_supplier(request)
    participant = participant_of(tender=tender, organisation=supplier)
    bids = bids_visible_to(actor=request.user, tender=tender)
    open_to_join = tender.status in OPEN_FOR_PARTICIPATION and tender.bids_due is not None and now < tender.bids_due
    can_ask = bool(
        participant
        and tender.status == S.ENQUIRIES
        and tender.enquiries_end is not None
        and now <= tender.enquiries_end
    )
    if can_ask and question_form is None:
        question_form = QuestionForm(lots=lots)
    describe_items(lots)
    record = opening_record(tender=tender)
    results = tender_results(tender=tender)
    for lot in lots:
        lot.opened_bids = record.get(lot.pk, [])
        lot.sheets = results.sheets.get(lot.pk, [])
        lot.award_lines = [award for award in results.awards if award.lot_id == lot.pk]
    own_appeals = [appeal for appeal in results.appeals if supplier and appeal.appellant_id == supplier.pk]
    appealable = appealable_lots(tender, lots, now=now, supplier=supplier, record=record, own_appeals=own_appeals)
    for lot in appealable:
        lot.appeal_form = (appeal_forms or {}).get(lot.number) or AppealForm(prefix=AppealForm.prefix_for(lot.number))
    context = {
        "tender": tender,
        "now": now,
        "lots": lots,
        "documents": list(tender_documents(tender=tender)),
        "questions": published_questions(tender=tender),
        "participants": tender_participant_count(tender=tender),
        "timeline": tender_timeline(
            tender, exit_from=tender_exit_from(tender=tender) if tender.status in EXITS else None
        ),
        "is_exit": tender.status in EXITS,
        "bid_counts": bids.counts,
        "own_bids": bids.own,
        "supplier": supplier,
        "participant": participant,
        "open_to_join": open_to_join,
        "can_register": bool(supplier and not participant and open_to_join),
        "can_ask": can_ask,
        "can_bid": bool(participant and tender.status == S.BIDDING and open_to_join),
        "question_form": question_form if can_ask else None,
        "results": results,
        # Auctions are scheduled at the opening: before it, the hot page at the deadline reads nothing more.
        "auction_boards": [
            (auction, auction_board_for(request.user, auction))
            for auction in (tender_auctions(tender.pk) if tender.opened_at else [])
        ],
        "appealable": appealable,
        "own_appeals": own_appeals,
        "signable": {
            contract.pk
            for contract in results.contracts
            if supplier
            and contract.supplier_id == supplier.pk
            and contract.status == ContractStatus.AWAITING_SIGNATURES
            and contract.supplier_signed_at is None
            and tender.status in SIGNING_STATUSES
        },
        "contract_errors": contract_errors or {},
        "error": error,
    }
    return render(request, "procurement/public/tender_detail.html", context, status=status)


def appealable_lots(
    tender: Tender,
    lots: list,
    *,
    now: datetime,
    supplier: Organisation | None,
    record: dict[int, list[OpenedBid]],
    own_appeals: list[AppealLine],
) -> list:
    """The lots whose result ``supplier`` may appeal now: the window is open, the lot has a result and
    one of its bids was opened, and no appeal of its on the lot is pending. Each gets the fee it would
    pay (``appeal_fee``) or, when no fee rule is in force, the service's refusal to show instead."""
    if supplier is None or not appeal_window_open(tender, now):
        return []
    bid_on = {bid.lot_id for bids in record.values() for bid in bids if bid.organisation_id == supplier.pk}
    pending = {appeal.lot_number for appeal in own_appeals if appeal.status == AppealStatus.FILED}
    lots = [lot for lot in lots if lot.pk in bid_on and lot.status in APPEALABLE_LOTS and lot.number not in pending]
    for lot in lots:
        lot.tender = tender  # the fee rule is the tender's jurisdiction's: no query for it
        try:
            lot.appeal_fee, lot.appeal_refusal = appeal_fee(lot=lot, on=now.astimezone(LIMA).date()), ""
        except DomainError as exc:
            lot.appeal_fee, lot.appeal_refusal = None, exc.message
    return lots


def speaks_for_supplier(request: HttpRequest) -> Organisation | None:
    """The active organisation, if it is a supplier the person speaks for (representative or
    administrator); None otherwise. The roles are those the middleware read for this request."""
    organisation = getattr(request, "organisation", None)
    if (
        organisation is not None
        and organisation.kind == OrganisationKind.SUPPLIER
        and getattr(request, "roles", frozenset()) & SUPPLIER_ROLES
    ):
        return organisation
    return None


def describe_items(lots: list) -> None:
    """Name each item's unit (UN/ECE Rec 20) and delivery region for people, in one query."""
    items = [item for lot in lots for item in lot.items.all()]
    regions = dict(
        Region.objects.filter(country="PE", code__in={item.region_code for item in items}).values_list("code", "name")
    )
    for item in items:
        item.unit_name = UNIT_NAMES.get(item.unit, item.unit)
        item.region_name = regions.get(item.region_code, item.region_code)


def tender_for(request: HttpRequest, pk: int) -> Tender:
    """The tender named in the URL, if the person may see it; 404 otherwise (drafts are not leaked)."""
    try:
        return tender_get_for_actor(actor=request.user, tender_id=pk)
    except NotFoundError:
        raise Http404(_("No such tender.")) from None


@require_safe
def tender_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return tender_page(request, tender_for(request, pk))


@require_safe
def tender_by_code(request: HttpRequest, code: str) -> HttpResponse:
    tender = tenders_visible_to(actor=request.user).filter(code=code.strip()).first()
    if tender is None:
        raise Http404(_("No such tender."))
    return redirect("tender-detail", pk=tender.pk)


@require_safe
def tender_document(request: HttpRequest, pk: int, document_id: int) -> FileResponse:
    """A published document of a visible tender. Files are served only through here (MEDIA_URL is
    not served), so a document uploaded but not yet published cannot be fetched by its path."""
    try:
        document = tender_document_get(actor=request.user, tender_id=pk, document_id=document_id)
        handle = document.file.open("rb")
    except (DomainError, FileNotFoundError, ValidationError):
        raise Http404(_("No such document.")) from None
    name = document.file.name.rsplit("/", 1)[-1]
    response = FileResponse(handle, as_attachment=True, filename=name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


urlpatterns = [
    path("procurement/tenders/", tender_list, name="tender-list"),
    path("procurement/tenders/<int:pk>/", tender_detail, name="tender-detail"),
    path("procurement/tenders/code/<str:code>/", tender_by_code, name="tender-by-code"),
    path("procurement/tenders/<int:pk>/documents/<int:document_id>/", tender_document, name="tender-document"),
]
