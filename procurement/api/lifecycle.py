"""API: after the bids — documents, the opening and its record, the committee's verdicts, the award and
its results, appeals, and the contracts signed and completed.

Every act calls the service the officer and oversight pages call; refusals are the services' problems
(see ``procurement.api.views``). Who may call what:

- Every act here is one a person answers for, so tokens get 403 (``PersonOnly``): the entity's
  (documents, opening, award, completion), the committee's (verdicts), the oversight body's
  (resolutions) and the supplier's (appeals, its signature). The appeal and contract services record
  the person who filed or signed (``Appeal.filed_by``, ``Contract.supplier_signed_by`` are people), so a
  token with ``bids:write`` cannot stand in for a supplier there as it does for bids.
- A contract is signed for the organisation the caller acts for (``organisation`` in the body, or the
  active one): an officer signs for the entity, a supplier's representative for the supplier; the
  service refuses anyone else.
- The opening record is public from the moment the bids are opened (``opened_at``) and is a 409
  ``not_opened`` before: no bidder, price or even count comes out of it while bids are sealed. A bid is
  named by id only once opened; before, every caller gets 404 ``bid_not_found``.
- The results (score sheets of every round, awards in force and revoked, lottery seed, appeal window,
  appeals with grounds, fee and resolution, contracts with their performance evaluation) are public
  once the process was awarded (its lottery seed is drawn at the first award) and a 409 ``not_awarded``
  before. Appeals are public acts, read per process there.
- ``GET appeals/`` is the oversight body's work queue across every process: its reviewers only (403 for
  anyone else), as the oversight pages are.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.accounts.api import schema  # noqa: F401 - registers the token scheme for the API docs
from portal.core.errors import RuleViolation
from procurement.api.common import TENDER_ID, path_id, problems
from procurement.api.permissions import PersonOnly, PublicRead, acting_organisation
from procurement.api.serializers_lifecycle import (
    AddedDocumentSerializer,
    AppealFileSerializer,
    AppealFilterSerializer,
    AppealResolveSerializer,
    AppealSerializer,
    ContractCompleteSerializer,
    ContractSerializer,
    ContractSignSerializer,
    DocumentAddSerializer,
    EvaluationInputSerializer,
    EvaluationSerializer,
    OpeningRecordSerializer,
    ResultsSerializer,
)
from procurement.models import Appeal, Award, Bid, Contract, Item, Lot, Tender
from procurement.selectors import (
    appeal_get,
    contract_get,
    lot_get_for_actor,
    opened_bid_get,
    public_opened_bids,
    score_sheets,
    tender_get_for_actor,
)
from procurement.services._common import require_oversight_reviewer
from procurement.services.appeals import appeal_file, appeal_resolve
from procurement.services.awards import bid_evaluate, tender_award
from procurement.services.contracts import contract_complete, contract_sign
from procurement.services.documents import tender_document_add
from procurement.services.opening import tender_open

TAGS = ["procurement"]
CENT = Decimal("0.01")
BID_ID = path_id("bid_id", "An opened bid's id (from the opening record).")
LOT_ID = path_id("lot_id", "A lot's id (from the tender).")
APPEAL_ID = path_id("appeal_id", "An appeal's id (from the results).")
CONTRACT_ID = path_id("contract_id", "A contract's id (from the results).")


# --- Reading: only opened bids, only after the opening; results only after the award ----------------------


def _ref(organisation) -> dict[str, Any]:
    return {"id": organisation.pk, "name": organisation.name, "tax_id": organisation.tax_id}


def opening_record(tender: Tender) -> dict[str, Any]:
    """Who bid for each lot, when, and for how much, as the opening read it.

    Refused (409) before the opening. Only live bids the opening read are selected, and never their
    sealed box; the technical declarations are the committee's to read, not part of the record."""
    if tender.opened_at is None:
        raise RuleViolation(
            _("The bids are sealed until the opening: there is no opening record yet."), code="not_opened"
        )
    lots = list(
        Lot.objects.filter(tender=tender)
        .prefetch_related(Prefetch("items", queryset=Item.objects.order_by("number")))
        .order_by("number")
    )
    bids: dict[int, list[Bid]] = defaultdict(list)
    for bid in public_opened_bids(tender=tender).defer("opened_technical").select_related("participant__organisation"):
        bids[bid.lot_id].append(bid)
    record = []
    for lot in lots:
        quantities = {item.number: item.quantity for item in lot.items.all()}
        record.append(
            {
                "id": lot.pk,
                "number": lot.number,
                "title": lot.title,
                "status": lot.status,
                "status_reason": lot.status_reason,
                "bids": [
                    {
                        "bid": bid.pk,
                        "bidder": _ref(bid.participant.organisation),
                        "received_at": bid.received_at,
                        "digest": bid.digest,
                        "total": bid.price_total,
                        "prices": [
                            {
                                "item_number": number,
                                "quantity": quantities[number],
                                "unit_price": Decimal(price),
                                "line_total": (quantities[number] * Decimal(price)).quantize(
                                    CENT, rounding=ROUND_HALF_UP
                                ),
                            }
                            for number, price in sorted(
                                ((int(number), price) for number, price in (bid.opened_prices or {}).items())
                            )
                        ],
                    }
                    for bid in bids.get(lot.pk, [])
                ],
            }
        )
    return {
        "tender": tender.pk,
        "code": tender.code,
        "currency": tender.currency,
        "opened_at": tender.opened_at,
        "lots": record,
    }


def _contracts():
    return Contract.objects.select_related("supplier", "award__lot")


def _appeals():
    return Appeal.objects.select_related("appellant", "lot")


def results(tender: Tender) -> dict[str, Any]:
    """The outcome of an awarded process; refused (409) before its first award."""
    if not tender.lottery_seed:  # drawn at the first award and kept: the mark that results exist
        raise RuleViolation(_("This process has not been awarded yet: there are no results."), code="not_awarded")
    sheets = score_sheets(tender=tender)
    awards: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for award in Award.objects.filter(lot__tender=tender).select_related("supplier").order_by("round", "pk"):
        awards[award.lot_id].append(
            {
                "id": award.pk,
                "round": award.round,
                "supplier": _ref(award.supplier),
                "amount": award.amount,
                "currency": award.currency,
                "status": award.status,
                "awarded_at": award.awarded_at,
            }
        )
    lots = [
        {
            "id": lot.pk,
            "number": lot.number,
            "title": lot.title,
            "status": lot.status,
            "status_reason": lot.status_reason,
            "score_sheets": [{"round": number, "rows": rows} for number, rows in sheets.get(lot.pk, [])],
            "awards": awards[lot.pk],
        }
        for lot in Lot.objects.filter(tender=tender).order_by("number")
    ]
    return {
        "tender": tender.pk,
        "code": tender.code,
        "status": tender.status,
        "currency": tender.currency,
        "awarded_at": tender.awarded_at,
        "lottery_seed": tender.lottery_seed,
        "appeal_until": tender.appeal_until,
        "consented_at": tender.consented_at,
        "lots": lots,
        "appeals": list(_appeals().filter(tender=tender).order_by("filed_at", "pk")),
        "contracts": list(_contracts().filter(tender=tender).order_by("number")),
    }


class PersonActView(APIView):
    """An act a person answers for; the service decides whether this person may do it."""

    permission_classes = [IsAuthenticated, PersonOnly]


class TenderDocumentCreateView(PersonActView):
    """Add the next version of the bases (draft only), an annex (until the enquiries end) or an amendment
    (while bids are open; the bids deadline moves if bidders would be left too little time):
    ``multipart/form-data`` with ``kind``, ``title`` and ``document_file``."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        tags=TAGS,
        summary="Add a document to a tender",
        parameters=[TENDER_ID],
        request={"multipart/form-data": DocumentAddSerializer},
        responses={201: AddedDocumentSerializer, **problems(400, 401, 403, 404, 409, 415)},
    )
    def post(self, request, tender_id):
        tender = tender_get_for_actor(actor=request.user, tender_id=tender_id)
        serializer = DocumentAddSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        document = tender_document_add(
            actor=request.user,
            tender=tender,
            kind=data["kind"],
            title=data["title"],
            document_file=data["document_file"],
        )
        return Response(AddedDocumentSerializer(document).data, status=status.HTTP_201_CREATED)


class TenderOpeningView(PersonActView):
    """Open the bids at or after the opening time, by server time (the chronograph does it too)."""

    @extend_schema(
        tags=TAGS,
        summary="Open the bids (the entity's officer)",
        parameters=[TENDER_ID],
        request=None,
        responses={200: OpeningRecordSerializer, **problems(401, 403, 404, 409)},
    )
    def post(self, request, tender_id):
        tender = tender_open(actor=request.user, tender=tender_get_for_actor(actor=request.user, tender_id=tender_id))
        return Response(OpeningRecordSerializer(opening_record(tender)).data)


class TenderAwardView(PersonActView):
    """Award every lot in evaluation: a new round of score sheets, and the appeal window opens."""

    @extend_schema(
        tags=TAGS,
        summary="Award the process (buena pro)",
        parameters=[TENDER_ID],
        request=None,
        responses={200: ResultsSerializer, **problems(401, 403, 404, 409)},
    )
    def post(self, request, tender_id):
        tender = tender_award(actor=request.user, tender=tender_get_for_actor(actor=request.user, tender_id=tender_id))
        return Response(ResultsSerializer(results(tender)).data)


class BidEvaluationView(PersonActView):
    """The committee's verdict on an opened bid (a member of the entity's evaluation committee or its
    officer): qualified or not (with the reason) and, in a weighted evaluation, the technical points.
    Revisable until the lot is awarded."""

    @extend_schema(
        tags=TAGS,
        summary="Evaluate an opened bid",
        parameters=[BID_ID],
        request=EvaluationInputSerializer,
        responses={200: EvaluationSerializer, **problems(400, 401, 403, 404, 409)},
    )
    def post(self, request, bid_id):
        bid = opened_bid_get(actor=request.user, bid_id=bid_id)
        serializer = EvaluationInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        evaluation = bid_evaluate(actor=request.user, bid=bid, **serializer.validated_data)
        evaluation.refresh_from_db()  # the points as stored, to the cent
        return Response(EvaluationSerializer(evaluation).data)


class ContractCompletionView(PersonActView):
    """Complete a signed contract with the entity's evaluation of the supplier (public)."""

    @extend_schema(
        tags=TAGS,
        summary="Complete a contract with the performance evaluation",
        parameters=[CONTRACT_ID],
        request=ContractCompleteSerializer,
        responses={200: ContractSerializer, **problems(400, 401, 403, 404, 409)},
    )
    def post(self, request, contract_id):
        contract = contract_get(actor=request.user, contract_id=contract_id)
        serializer = ContractCompleteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        contract_complete(actor=request.user, contract=contract, **serializer.validated_data)
        return Response(ContractSerializer(contract_get(actor=request.user, contract_id=contract_id)).data)


# --- The parties' and the oversight body's acts -----------------------------------------------------------


class LotAppealCreateView(PersonActView):
    """A bidder's representative appeals the result of a lot while the appeal window is open, by server
    time; the fee is computed and recorded. A pending appeal suspends the consent of the process."""

    @extend_schema(
        tags=TAGS,
        summary="Appeal the result of a lot",
        parameters=[LOT_ID],
        request=AppealFileSerializer,
        responses={201: AppealSerializer, **problems(400, 401, 403, 404, 409)},
    )
    def post(self, request, lot_id):
        lot = lot_get_for_actor(actor=request.user, lot_id=lot_id)
        serializer = AppealFileSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        organisation = acting_organisation(request, data.get("organisation"))
        appeal = appeal_file(actor=request.user, lot=lot, organisation=organisation, grounds=data["grounds"])
        return Response(
            AppealSerializer(appeal_get(actor=request.user, appeal_id=appeal.pk)).data, status=status.HTTP_201_CREATED
        )


def _require_reviewer(request: Request) -> None:
    try:
        require_oversight_reviewer(request.user)
    except PermissionDenied:
        raise PermissionDenied(_("Only the oversight body's reviewers read and resolve appeals.")) from None


class AppealListView(generics.ListAPIView):
    """The oversight body's queue: every appeal across every process, the latest filed first."""

    serializer_class = AppealSerializer
    permission_classes = [IsAuthenticated, PublicRead, PersonOnly]

    def get_queryset(self):
        _require_reviewer(self.request)
        filters = AppealFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        criteria = filters.validated_data
        rows = _appeals().order_by("-filed_at", "-pk")
        if "status" in criteria:
            rows = rows.filter(status=criteria["status"])
        if "tender" in criteria:
            rows = rows.filter(tender_id=criteria["tender"])
        return rows

    @extend_schema(
        tags=TAGS,
        summary="Appeals (the oversight body's reviewers)",
        parameters=[AppealFilterSerializer],
        responses={200: AppealSerializer(many=True), **problems(400, 401, 403)},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class AppealResolutionView(PersonActView):
    """A reviewer of the oversight body upholds (the award is revoked, the lot evaluated again) or
    dismisses a pending appeal, with the reasoning (public)."""

    @extend_schema(
        tags=TAGS,
        summary="Resolve an appeal (the oversight body)",
        parameters=[APPEAL_ID],
        request=AppealResolveSerializer,
        responses={200: AppealSerializer, **problems(400, 401, 403, 404, 409)},
    )
    def post(self, request, appeal_id):
        appeal = appeal_get(actor=request.user, appeal_id=appeal_id)
        serializer = AppealResolveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        appeal_resolve(actor=request.user, appeal=appeal, **serializer.validated_data)
        return Response(AppealSerializer(appeal_get(actor=request.user, appeal_id=appeal_id)).data)


class ContractSignatureView(PersonActView):
    """Sign a contract awaiting signatures for the organisation you act for: an officer for the entity, a
    representative for the supplier. Each party signs once; the second signature puts it in force."""

    @extend_schema(
        tags=TAGS,
        summary="Sign a contract",
        parameters=[CONTRACT_ID],
        request=ContractSignSerializer,
        responses={200: ContractSerializer, **problems(400, 401, 403, 404, 409)},
    )
    def post(self, request, contract_id):
        contract = contract_get(actor=request.user, contract_id=contract_id)
        serializer = ContractSignSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        organisation = acting_organisation(request, serializer.validated_data.get("organisation"))
        contract_sign(actor=request.user, contract=contract, organisation=organisation)
        return Response(ContractSerializer(contract_get(actor=request.user, contract_id=contract_id)).data)


# --- Public reads -----------------------------------------------------------------------------------------


class TenderOpeningRecordView(APIView):
    """The opening record: public once the bids are opened, a 409 ``not_opened`` before."""

    permission_classes = [PublicRead]

    @extend_schema(
        tags=TAGS,
        summary="The opening record",
        parameters=[TENDER_ID],
        responses={200: OpeningRecordSerializer, **problems(403, 404, 409)},
    )
    def get(self, request, tender_id):
        tender = tender_get_for_actor(actor=request.user, tender_id=tender_id)
        return Response(OpeningRecordSerializer(opening_record(tender)).data)


class TenderResultsView(APIView):
    """The results: public once the process was awarded, a 409 ``not_awarded`` before."""

    permission_classes = [PublicRead]

    @extend_schema(
        tags=TAGS,
        summary="The results: score sheets, awards, appeals and contracts",
        parameters=[TENDER_ID],
        responses={200: ResultsSerializer, **problems(403, 404, 409)},
    )
    def get(self, request, tender_id):
        tender = tender_get_for_actor(actor=request.user, tender_id=tender_id)
        return Response(ResultsSerializer(results(tender)).data)


urlpatterns = [
    path("tenders/<int:tender_id>/documents/", TenderDocumentCreateView.as_view(), name="api-tender-documents"),
    path("tenders/<int:tender_id>/opening/", TenderOpeningView.as_view(), name="api-tender-opening"),
    path(
        "tenders/<int:tender_id>/opening-record/", TenderOpeningRecordView.as_view(), name="api-tender-opening-record"
    ),
    path("bids/<int:bid_id>/evaluation/", BidEvaluationView.as_view(), name="api-bid-evaluation"),
    path("tenders/<int:tender_id>/award/", TenderAwardView.as_view(), name="api-tender-award"),
    path("tenders/<int:tender_id>/results/", TenderResultsView.as_view(), name="api-tender-results"),
    path("lots/<int:lot_id>/appeals/", LotAppealCreateView.as_view(), name="api-lot-appeals"),
    path("appeals/", AppealListView.as_view(), name="api-appeal-list"),
    path("appeals/<int:appeal_id>/resolution/", AppealResolutionView.as_view(), name="api-appeal-resolution"),
    path("contracts/<int:contract_id>/signatures/", ContractSignatureView.as_view(), name="api-contract-signatures"),
    path("contracts/<int:contract_id>/completion/", ContractCompletionView.as_view(), name="api-contract-completion"),
]
