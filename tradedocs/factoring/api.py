"""Integrator API for reverse factoring (``/api/v1/factoring/…``): institutions, suppliers and buyers.

- Institutions read the chains they are admitted to with their current offer, publish offers, list the
  selections and operations addressed to them, operate or decline a selection, and read their exposure.
- Suppliers (and their integrators' tokens) list their negotiable documents, ask for the
  pre-acknowledgement of a document at an institution (``quote``) and select it.
- Buyers confirm payables in bulk (a JSON list of rows or a ``text/csv`` body) and record the payment at
  maturity (``settle``).

Every object is reached through the acting organisation (a token's own, or the person's active one):
another organisation's chain, document or financing is "not found". A token reads with ``read`` and
acts with ``factoring:write``; it acts with the integrator role in its organisation, which the services
accept beside the people's roles. Money travels as decimal strings. Errors are problem+json with the
services' stable codes (``spread_over_cap``, ``already_financed``, ``invalid_transition``…).
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.parsers import BaseParser, JSONParser
from rest_framework.permissions import SAFE_METHODS, BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.accounts.api import schema  # noqa: F401 - registers the token scheme for the API docs
from portal.accounts.enums import OrganisationKind, TokenScope
from portal.accounts.models import Organisation
from portal.api.openapi import path_id, problems
from portal.api.permissions import acting_organisation, is_token
from portal.core import clock
from portal.core.errors import DomainError, NotFoundError
from tradedocs.factoring import services
from tradedocs.factoring.enums import FinancingStatus, ReceivableStatus
from tradedocs.factoring.models import Chain, ChainInstitution, Financing, Offer, Receivable

TAGS = ["factoring"]
CHAIN_ID = path_id("chain_id", "A factoring chain's id.")
RECEIVABLE_ID = path_id("receivable_id", "A negotiable document's id.")
FINANCING_ID = path_id("financing_id", "A financing's id (a document selected for an institution).")
ORGANISATION = OpenApiParameter(
    "organisation", OpenApiTypes.INT, description="The organisation you act for (people in several)."
)
MAX_PAYABLE_ROWS = 10_000
CSV_COLUMNS = ("supplier_ruc", "number", "amount", "due_date", "currency")


class FactoringScopes(BasePermission):
    """A token reads with ``read`` and selects, operates, publishes, loads and settles with ``factoring:write``."""

    def has_permission(self, request, view) -> bool:
        if not is_token(request.user):
            return True
        scope = TokenScope.READ if request.method in SAFE_METHODS else TokenScope.FACTORING_WRITE
        if not request.user.has_scope(scope):
            self.message = _("The API token lacks the scope '%(scope)s'.") % {"scope": scope}
            return False
        return True


class CSVBodyParser(BaseParser):
    """A ``text/csv`` body as text (UTF-8, a byte-order mark tolerated)."""

    media_type = "text/csv"

    def parse(self, stream, media_type=None, parser_context=None) -> str:
        data = stream.read() if stream is not None else b""
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise DomainError(_("The CSV file must be UTF-8 text."), code="invalid_csv") from None


def _organisation(request) -> Organisation:
    raw = request.query_params.get("organisation")
    return acting_organisation(request, int(raw) if raw and raw.isdigit() else None)


def _money(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


# ── serializers (named Factoring… apart from the other APIs' for a clean schema) ──────────────────


class FactoringOfferSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    chain = serializers.IntegerField(source="chain_id", read_only=True)
    institution = serializers.CharField(source="institution.tax_id", read_only=True)
    institution_name = serializers.CharField(source="institution.name", read_only=True)
    reference_rate = serializers.DecimalField(max_digits=7, decimal_places=4, coerce_to_string=True)
    spread = serializers.DecimalField(max_digits=7, decimal_places=4, coerce_to_string=True)
    rate = serializers.DecimalField(max_digits=8, decimal_places=4, coerce_to_string=True, read_only=True)
    valid_from = serializers.DateField(required=False)
    published_at = serializers.DateTimeField(read_only=True)


class FactoringChainSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    programme = serializers.CharField(source="programme.code")
    buyer = serializers.CharField(source="buyer.tax_id")
    buyer_name = serializers.CharField(source="buyer.name")
    relation = serializers.CharField(help_text="How the acting organisation takes part: buyer, supplier, institution.")
    day_count = serializers.CharField()
    cap_points = serializers.DecimalField(max_digits=7, decimal_places=4, coerce_to_string=True)
    is_active = serializers.BooleanField()
    limit = serializers.DecimalField(
        max_digits=18, decimal_places=2, coerce_to_string=True, allow_null=True, help_text="An institution's limit."
    )
    auto_accept_up_to = serializers.DecimalField(
        max_digits=18, decimal_places=2, coerce_to_string=True, allow_null=True
    )
    offers = FactoringOfferSerializer(many=True, help_text="The current offers (an institution sees its own).")


class FactoringReceivableSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    chain = serializers.IntegerField(source="chain_id")
    supplier = serializers.CharField(source="supplier.tax_id")
    supplier_name = serializers.CharField(source="supplier.name")
    buyer = serializers.CharField(source="buyer.tax_id")
    buyer_name = serializers.CharField(source="buyer.name")
    source = serializers.CharField()
    document_type = serializers.CharField()
    number = serializers.CharField()
    currency = serializers.CharField()
    face_value = serializers.DecimalField(max_digits=18, decimal_places=2, coerce_to_string=True)
    credit_notes = serializers.DecimalField(max_digits=18, decimal_places=2, coerce_to_string=True)
    amount = serializers.DecimalField(max_digits=18, decimal_places=2, coerce_to_string=True)
    issue_date = serializers.DateField(allow_null=True)
    due_date = serializers.DateField()
    status = serializers.CharField()
    status_changed_at = serializers.DateTimeField()
    invoice = serializers.IntegerField(source="invoice_id", allow_null=True)


class FactoringFinancingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    receivable = serializers.IntegerField(source="receivable_id")
    number = serializers.CharField(source="receivable.number")
    chain = serializers.IntegerField(source="receivable.chain_id")
    supplier = serializers.CharField(source="receivable.supplier.tax_id")
    buyer = serializers.CharField(source="receivable.buyer.tax_id")
    institution = serializers.CharField(source="institution.tax_id")
    currency = serializers.CharField(source="receivable.currency")
    due_date = serializers.DateField(source="receivable.due_date")
    status = serializers.CharField()
    face = serializers.DecimalField(max_digits=18, decimal_places=2, coerce_to_string=True)
    rate = serializers.DecimalField(max_digits=7, decimal_places=4, coerce_to_string=True)
    days = serializers.IntegerField()
    discount = serializers.DecimalField(max_digits=18, decimal_places=2, coerce_to_string=True)
    net = serializers.DecimalField(max_digits=18, decimal_places=2, coerce_to_string=True)
    effective_rate = serializers.DecimalField(max_digits=7, decimal_places=2, coerce_to_string=True)
    disbursement_date = serializers.DateField()
    selected_at = serializers.DateTimeField()
    operated_at = serializers.DateTimeField(allow_null=True)
    settled_at = serializers.DateTimeField(allow_null=True)
    cancelled_at = serializers.DateTimeField(allow_null=True)


class FactoringQuoteSerializer(serializers.Serializer):
    """The pre-acknowledgement: what the supplier receives and what it pays for the money."""

    receivable = serializers.IntegerField()
    institution = serializers.CharField()
    offer = serializers.IntegerField()
    currency = serializers.CharField()
    face = serializers.CharField(help_text="Face value less credit notes, a decimal string.")
    rate = serializers.CharField(help_text="Annual discount rate, percent (reference + spread).")
    reference_rate = serializers.CharField()
    spread = serializers.CharField()
    day_count = serializers.CharField()
    days = serializers.IntegerField()
    discount = serializers.CharField()
    net = serializers.CharField()
    effective_rate = serializers.CharField(help_text="Effective annual yield on the net, percent.")
    disbursement_date = serializers.DateField()
    due_date = serializers.DateField()


class FactoringSelectSerializer(serializers.Serializer):
    institution = serializers.IntegerField(help_text="The institution's organisation id.")


class FactoringPayableRowSerializer(serializers.Serializer):
    supplier_ruc = serializers.CharField(max_length=32)
    number = serializers.CharField(max_length=100)
    amount = serializers.CharField(max_length=32, help_text="A decimal string: 1234.50")
    due_date = serializers.CharField(max_length=10, help_text="YYYY-MM-DD")
    currency = serializers.CharField(max_length=3, required=False)


class FactoringPayableResultSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    loaded = serializers.BooleanField()
    receivable = serializers.IntegerField(required=False)
    code = serializers.CharField(required=False)
    message = serializers.CharField(required=False)


class FactoringPayablesLoadSerializer(serializers.Serializer):
    loaded = serializers.IntegerField()
    refused = serializers.IntegerField()
    rows = FactoringPayableResultSerializer(many=True)


class FactoringExposureSerializer(serializers.Serializer):
    chain = serializers.IntegerField()
    chain_name = serializers.CharField()
    buyer = serializers.CharField()
    limit = serializers.CharField(allow_null=True)
    outstanding = serializers.CharField(help_text="Face value operated and not yet settled (overdue included).")
    available = serializers.CharField(allow_null=True)
    overdue = serializers.CharField()
    awaiting = serializers.CharField(help_text="Face value selected for the institution, not yet operated.")
    operations = serializers.IntegerField()


class FactoringReceivableFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ReceivableStatus.values, required=False)
    chain = serializers.IntegerField(required=False)


class FactoringFinancingFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=FinancingStatus.values, required=False)
    chain = serializers.IntegerField(required=False)


class FactoringQuoteQuerySerializer(serializers.Serializer):
    institution = serializers.IntegerField()


# ── scoping: everything through the acting organisation ───────────────────────────────────────────


def _receivables(organisation: Organisation):
    return Receivable.objects.filter(Q(supplier=organisation) | Q(buyer=organisation)).select_related(
        "supplier", "buyer", "chain"
    )


def _financings(organisation: Organisation):
    return Financing.objects.filter(
        Q(institution=organisation) | Q(receivable__supplier=organisation) | Q(receivable__buyer=organisation)
    ).select_related("institution", "receivable__supplier", "receivable__buyer")


def _supplier_receivable(organisation: Organisation, receivable_id: int) -> Receivable:
    receivable = (
        Receivable.objects.select_related("chain", "supplier", "buyer")
        .filter(pk=receivable_id, supplier=organisation)
        .first()
    )
    if receivable is None:
        raise NotFoundError(_("No such document."), code="receivable_not_found")
    return receivable


def _financing(organisation: Organisation, financing_id: int, *, as_: str) -> Financing:
    parties = {
        "institution": Q(institution=organisation),
        "settler": Q(institution=organisation) | Q(receivable__buyer=organisation),
    }[as_]
    financing = (
        Financing.objects.select_related("institution", "receivable__supplier", "receivable__buyer")
        .filter(parties, pk=financing_id)
        .first()
    )
    if financing is None:
        raise NotFoundError(_("No such financing."), code="financing_not_found")
    return financing


def _institution(raw_id: int) -> Organisation:
    institution = Organisation.objects.filter(pk=raw_id, kind=OrganisationKind.FINANCIAL_INSTITUTION).first()
    if institution is None:
        raise NotFoundError(_("No such financial institution."), code="institution_not_found")
    return institution


def _chain_rows(organisation: Organisation) -> list[dict]:
    today = clock.today()
    chains = (
        Chain.objects.filter(
            Q(buyer=organisation)
            | Q(institutions__institution=organisation)
            | Q(suppliers__supplier=organisation, suppliers__joined_at__isnull=False)
        )
        .select_related("programme", "buyer")
        .distinct()
        .order_by("pk")
    )
    memberships = {m.chain_id: m for m in ChainInstitution.objects.filter(institution=organisation, chain__in=chains)}
    rows = []
    for chain in chains:
        member = memberships.get(chain.pk)
        relation = "buyer" if chain.buyer_id == organisation.pk else "institution" if member else "supplier"
        admitted = (
            [organisation]
            if relation == "institution"
            else [m.institution for m in chain.institutions.select_related("institution").order_by("pk")]
        )
        offers = [
            offer
            for institution in admitted
            if (offer := services.current_offer(chain=chain, institution=institution, on=today)) is not None
        ]
        rows.append(
            {
                "id": chain.pk,
                "name": chain.name,
                "programme": chain.programme,
                "buyer": chain.buyer,
                "relation": relation,
                "day_count": chain.day_count,
                "cap_points": chain.cap_points,
                "is_active": chain.is_active,
                "limit": member.limit if member else None,
                "auto_accept_up_to": member.auto_accept_up_to if member else None,
                "offers": offers,
            }
        )
    return rows


class _FactoringView(APIView):
    permission_classes = [IsAuthenticated, FactoringScopes]


def _paginated(view, request, rows, serializer):
    paginator = LimitOffsetPagination()
    page = paginator.paginate_queryset(rows, request, view=view)
    return paginator.get_paginated_response(serializer(page, many=True).data)


# ── chains and offers ─────────────────────────────────────────────────────────────────────────────


class FactoringChainListView(_FactoringView):
    """The chains the acting organisation takes part in, as buyer, supplier (joined) or institution."""

    @extend_schema(
        tags=TAGS,
        summary="Chains you take part in, with the current offers",
        parameters=[ORGANISATION],
        responses={200: FactoringChainSerializer(many=True), **problems(401, 403)},
    )
    def get(self, request):
        return Response(FactoringChainSerializer(_chain_rows(_organisation(request)), many=True).data)


class FactoringOfferView(_FactoringView):
    """An admitted institution publishes its rate for a chain: reference plus spread, the spread at most
    the chain's cap (``409 spread_over_cap`` beyond it)."""

    @extend_schema(
        tags=TAGS,
        summary="Publish an offer for a chain (institutions)",
        parameters=[CHAIN_ID, ORGANISATION],
        request=FactoringOfferSerializer,
        responses={201: FactoringOfferSerializer, **problems(400, 401, 403, 404, 409)},
    )
    def post(self, request, chain_id):
        organisation = _organisation(request)
        member = (
            ChainInstitution.objects.select_related("chain").filter(chain_id=chain_id, institution=organisation).first()
        )
        if member is None:
            raise NotFoundError(_("No such chain."), code="chain_not_found")
        serializer = FactoringOfferSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        offer = services.offer_publish(
            actor=request.user,
            chain=member.chain,
            institution=organisation,
            reference_rate=data["reference_rate"],
            spread=data["spread"],
            valid_from=data.get("valid_from"),
        )
        offer = Offer.objects.select_related("institution").get(pk=offer.pk)
        return Response(FactoringOfferSerializer(offer).data, status=status.HTTP_201_CREATED)


# ── financings: the institution's queue, operate, decline, exposure; the buyer's settle ────────────


class FactoringFinancingListView(_FactoringView):
    """Financings the acting organisation is party to: an institution's selections and operations, a
    supplier's discounts, a buyer's discounted payables. Filter by ``status`` and ``chain``."""

    @extend_schema(
        tags=TAGS,
        summary="Selections and operations",
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, enum=FinancingStatus.values),
            OpenApiParameter("chain", OpenApiTypes.INT),
            ORGANISATION,
        ],
        responses={200: FactoringFinancingSerializer(many=True), **problems(400, 401, 403)},
    )
    def get(self, request):
        filters = FactoringFinancingFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        rows = _financings(_organisation(request))
        if status_ := filters.validated_data.get("status"):
            rows = rows.filter(status=status_)
        if chain := filters.validated_data.get("chain"):
            rows = rows.filter(receivable__chain_id=chain)
        return _paginated(self, request, rows.order_by("-selected_at", "-pk"), FactoringFinancingSerializer)


class FactoringOperateView(_FactoringView):
    """The institution operates a selection: it disburses the net to the supplier today and takes the
    buyer's obligation, within its limit and the buyer's."""

    @extend_schema(
        tags=TAGS,
        summary="Operate a selected document (institutions)",
        parameters=[FINANCING_ID, ORGANISATION],
        request=None,
        responses={200: FactoringFinancingSerializer, **problems(401, 403, 404, 409)},
    )
    def post(self, request, financing_id):
        financing = _financing(_organisation(request), financing_id, as_="institution")
        financing = services.financing_operate(actor=request.user, financing=financing)
        return Response(FactoringFinancingSerializer(_refreshed(financing)).data)


class FactoringDeclineView(_FactoringView):
    """The institution declines a selection: the document is negotiable again."""

    @extend_schema(
        tags=TAGS,
        summary="Decline a selection (institutions)",
        parameters=[FINANCING_ID, ORGANISATION],
        request=None,
        responses={200: FactoringFinancingSerializer, **problems(401, 403, 404, 409)},
    )
    def post(self, request, financing_id):
        financing = _financing(_organisation(request), financing_id, as_="institution")
        financing = services.financing_refuse(actor=request.user, financing=financing)
        return Response(FactoringFinancingSerializer(_refreshed(financing)).data)


class FactoringSettleView(_FactoringView):
    """The buyer (or the institution) records the buyer's payment at maturity: the document settles."""

    @extend_schema(
        tags=TAGS,
        summary="Record the payment at maturity (buyers)",
        parameters=[FINANCING_ID, ORGANISATION],
        request=None,
        responses={200: FactoringFinancingSerializer, **problems(401, 403, 404, 409)},
    )
    def post(self, request, financing_id):
        financing = _financing(_organisation(request), financing_id, as_="settler")
        financing = services.financing_settle(actor=request.user, financing=financing)
        return Response(FactoringFinancingSerializer(_refreshed(financing)).data)


def _refreshed(financing: Financing) -> Financing:
    return Financing.objects.select_related("institution", "receivable__supplier", "receivable__buyer").get(
        pk=financing.pk
    )


class FactoringExposureView(_FactoringView):
    """An institution's exposure per chain: outstanding face value against its limit."""

    @extend_schema(
        tags=TAGS,
        summary="Exposure per chain (institutions)",
        parameters=[ORGANISATION],
        responses={200: FactoringExposureSerializer(many=True), **problems(401, 403)},
    )
    def get(self, request):
        organisation = _organisation(request)
        live = (FinancingStatus.OPERATED, FinancingStatus.OVERDUE)
        totals = {
            row["receivable__chain"]: row
            for row in Financing.objects.filter(institution=organisation)
            .values("receivable__chain")
            .annotate(
                outstanding=Sum("face", filter=Q(status__in=live)),
                overdue=Sum("face", filter=Q(status=FinancingStatus.OVERDUE)),
                awaiting=Sum("face", filter=Q(status=FinancingStatus.SELECTED)),
                operations=Count("pk", filter=Q(status__in=live)),
            )
        }
        rows = []
        zero = Decimal("0.00")
        for member in (
            ChainInstitution.objects.filter(institution=organisation).select_related("chain__buyer").order_by("pk")
        ):
            total = totals.get(member.chain_id, {})
            outstanding = total.get("outstanding") or zero
            rows.append(
                {
                    "chain": member.chain_id,
                    "chain_name": member.chain.name,
                    "buyer": member.chain.buyer.tax_id,
                    "limit": _money(member.limit),
                    "outstanding": str(outstanding),
                    "available": _money(None if member.limit is None else member.limit - outstanding),
                    "overdue": str(total.get("overdue") or zero),
                    "awaiting": str(total.get("awaiting") or zero),
                    "operations": total.get("operations") or 0,
                }
            )
        return Response(FactoringExposureSerializer(rows, many=True).data)


# ── negotiable documents: the supplier's list, quote and selection ────────────────────────────────


class FactoringReceivableListView(_FactoringView):
    """Documents the acting organisation holds as supplier or owes as buyer. Filter by ``status``
    (``negotiable`` for those that can be discounted now) and ``chain``."""

    @extend_schema(
        tags=TAGS,
        summary="Negotiable documents",
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, enum=ReceivableStatus.values),
            OpenApiParameter("chain", OpenApiTypes.INT),
            ORGANISATION,
        ],
        responses={200: FactoringReceivableSerializer(many=True), **problems(400, 401, 403)},
    )
    def get(self, request):
        filters = FactoringReceivableFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        rows = _receivables(_organisation(request))
        if status_ := filters.validated_data.get("status"):
            rows = rows.filter(status=status_)
        if chain := filters.validated_data.get("chain"):
            rows = rows.filter(chain_id=chain)
        return _paginated(self, request, rows.order_by("due_date", "pk"), FactoringReceivableSerializer)


class FactoringQuoteView(_FactoringView):
    """The pre-acknowledgement of a document at an institution's current offer, disbursing today: face
    value, days, rate, discount, net and effective annual rate."""

    @extend_schema(
        tags=TAGS,
        summary="Pre-acknowledgement of a discount (suppliers)",
        parameters=[
            RECEIVABLE_ID,
            OpenApiParameter("institution", OpenApiTypes.INT, required=True, description="The institution's id."),
            ORGANISATION,
        ],
        responses={200: FactoringQuoteSerializer, **problems(400, 401, 403, 404, 409)},
    )
    def get(self, request, receivable_id):
        query = FactoringQuoteQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        receivable = _supplier_receivable(_organisation(request), receivable_id)
        institution = _institution(query.validated_data["institution"])
        if not ChainInstitution.objects.filter(chain=receivable.chain, institution=institution).exists():
            raise NotFoundError(_("This institution does not finance this chain."), code="institution_not_found")
        offer, figures = services.financing_quote(receivable=receivable, institution=institution)
        body = {
            "receivable": receivable.pk,
            "institution": institution.tax_id,
            "offer": offer.pk,
            "currency": receivable.currency,
            "face": str(figures.face),
            "rate": str(figures.rate),
            "reference_rate": str(offer.reference_rate),
            "spread": str(offer.spread),
            "day_count": receivable.chain.day_count,
            "days": figures.days,
            "discount": str(figures.discount),
            "net": str(figures.net),
            "effective_rate": str(figures.effective_rate),
            "disbursement_date": figures.disbursement_date,
            "due_date": figures.due_date,
        }
        return Response(FactoringQuoteSerializer(body).data)


class FactoringSelectView(_FactoringView):
    """The supplier confirms the pre-acknowledgement: the document is selected for the institution (and
    operated at once when the chain lets the institution accept automatically)."""

    @extend_schema(
        tags=TAGS,
        summary="Select a document for discount (suppliers)",
        parameters=[RECEIVABLE_ID, ORGANISATION],
        request=FactoringSelectSerializer,
        responses={201: FactoringFinancingSerializer, **problems(400, 401, 403, 404, 409)},
    )
    def post(self, request, receivable_id):
        serializer = FactoringSelectSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        receivable = _supplier_receivable(_organisation(request), receivable_id)
        institution = _institution(serializer.validated_data["institution"])
        financing = services.financing_select(actor=request.user, receivable=receivable, institution=institution)
        return Response(FactoringFinancingSerializer(_refreshed(financing)).data, status=status.HTTP_201_CREATED)


# ── the buyer's payables ──────────────────────────────────────────────────────────────────────────


def _csv_rows(text: str) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(text))
    header = [name.strip().lower() for name in reader.fieldnames or []]
    missing = [name for name in CSV_COLUMNS[:4] if name not in header]
    if missing:
        raise DomainError(
            _("The CSV file needs the columns %(columns)s.") % {"columns": ", ".join(CSV_COLUMNS[:4])},
            code="invalid_csv",
        )
    reader.fieldnames = header
    rows = []
    for row in reader:
        if not any((value or "").strip() for value in row.values() if isinstance(value, str)):
            continue  # a blank line
        rows.append({name: (row.get(name) or "") for name in CSV_COLUMNS})
    return rows


class FactoringPayablesView(_FactoringView):
    """The buyer confirms payables in bulk: a JSON list of rows or a ``text/csv`` body with the columns
    ``supplier_ruc,number,amount,due_date[,currency]``. Each row is loaded or refused on its own; the
    answer (200) gives the counts and, row by row, the document or the reason."""

    parser_classes = [JSONParser, CSVBodyParser]

    @extend_schema(
        tags=TAGS,
        summary="Confirm payables in bulk (buyers)",
        parameters=[CHAIN_ID, ORGANISATION],
        request={
            "application/json": FactoringPayableRowSerializer(many=True),
            "text/csv": OpenApiTypes.STR,
        },
        responses={200: FactoringPayablesLoadSerializer, **problems(400, 401, 403, 404, 415)},
    )
    def post(self, request, chain_id):
        organisation = _organisation(request)
        chain = Chain.objects.select_related("buyer").filter(pk=chain_id, buyer=organisation).first()
        if chain is None:
            raise NotFoundError(_("No such chain."), code="chain_not_found")
        data = request.data
        if isinstance(data, str):
            rows = _csv_rows(data)
        else:
            serializer = FactoringPayableRowSerializer(data=data, many=True)
            serializer.is_valid(raise_exception=True)
            rows = [{key: str(value) for key, value in row.items()} for row in serializer.validated_data]
        if not rows:
            raise DomainError(_("Send at least one payable."), code="required")
        if len(rows) > MAX_PAYABLE_ROWS:
            raise DomainError(
                _("Send at most %(count)s payables at a time.") % {"count": MAX_PAYABLE_ROWS}, code="too_many_rows"
            )
        result = services.payables_load(actor=request.user, chain=chain, rows=rows)
        return Response(FactoringPayablesLoadSerializer(result).data)


urlpatterns = [
    path("factoring/chains/", FactoringChainListView.as_view(), name="api-factoring-chains"),
    path("factoring/chains/<int:chain_id>/offers/", FactoringOfferView.as_view(), name="api-factoring-offers"),
    path("factoring/chains/<int:chain_id>/payables/", FactoringPayablesView.as_view(), name="api-factoring-payables"),
    path("factoring/receivables/", FactoringReceivableListView.as_view(), name="api-factoring-receivables"),
    path("factoring/receivables/<int:receivable_id>/quote/", FactoringQuoteView.as_view(), name="api-factoring-quote"),
    path(
        "factoring/receivables/<int:receivable_id>/select/",
        FactoringSelectView.as_view(),
        name="api-factoring-select",
    ),
    path("factoring/financings/", FactoringFinancingListView.as_view(), name="api-factoring-financings"),
    path(
        "factoring/financings/<int:financing_id>/operate/",
        FactoringOperateView.as_view(),
        name="api-factoring-operate",
    ),
    path(
        "factoring/financings/<int:financing_id>/decline/",
        FactoringDeclineView.as_view(),
        name="api-factoring-decline",
    ),
    path("factoring/financings/<int:financing_id>/settle/", FactoringSettleView.as_view(), name="api-factoring-settle"),
    path("factoring/exposure/", FactoringExposureView.as_view(), name="api-factoring-exposure"),
]
