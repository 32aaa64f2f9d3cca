"""API for integrators: supplier lookup and search, registration, sanctions, eligibility checks.

Registry data is public: anonymous callers (throttled), people and tokens with the ``read`` scope may
read it. Writing needs a signed-in person (registration) or the registry's operator (verification).
Eligibility checks are recorded for the organisation that asked, which alone (with the operator)
may read them again.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.permissions import SAFE_METHODS, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.accounts.api import schema  # noqa: F401 - registers the token scheme for the API docs
from portal.accounts.enums import OrganisationKind, Role, TokenScope
from portal.accounts.selectors import SUPPLIER_SPOKESPEOPLE, roles_for
from portal.api.permissions import is_token
from portal.core.errors import NotFoundError
from smeregistry.api.serializers import (
    EligibilityCheckRequestSerializer,
    EligibilityRecordSerializer,
    SanctionSerializer,
    SupplierFilterSerializer,
    SupplierRecordSerializer,
    SupplierRegistrationSerializer,
    SupplierSerializer,
    VerificationSerializer,
)
from smeregistry.models import Consortium, Supplier, SupplierCategory
from smeregistry.selectors import (
    PUBLIC_STATUSES,
    eligibility_record_get,
    public_sanctions,
    supplier_by_ruc,
    supplier_search,
)
from smeregistry.services.eligibility import LotRequirements, eligibility_check
from smeregistry.services.suppliers import SupplierData, require_operator, supplier_register, supplier_verify
from smeregistry.views.public import lima_today

# --- Permissions ------------------------------------------------------------------------------------


def _token_lacks(request: Request, scope: str) -> str | None:
    if is_token(request.user) and not request.user.has_scope(scope):
        return _("The API token lacks the scope '%(scope)s'.") % {"scope": scope}
    return None


class PublicRead(BasePermission):
    """Anyone may read; a token must carry the ``read`` scope."""

    def has_permission(self, request, view) -> bool:
        refusal = _token_lacks(request, TokenScope.READ)
        if refusal:
            self.message = refusal
            return False
        return True


class PersonOnly(BasePermission):
    """Acts that a person answers for (registering a business) are refused to API tokens."""

    message = _("This action needs a signed-in person, not an API token.")

    def has_permission(self, request, view) -> bool:
        return not is_token(request.user)


class IsRegistryOperator(BasePermission):
    """A person acting as the registry's operator (the same check the services run)."""

    def has_permission(self, request, view) -> bool:
        if is_token(request.user):
            self.message = _("This action needs a signed-in person, not an API token.")
            return False
        try:
            require_operator(request.user)
        except PermissionDenied as exc:
            self.message = str(exc)
            return False
        return True


ENTITY_CHECKERS = frozenset({Role.PROCUREMENT_OFFICER, Role.EVALUATOR})
OPERATOR_ROLES = frozenset({Role.ADMINISTRATOR, Role.REVIEWER})
SUPPLIER_ROLES = frozenset(SUPPLIER_SPOKESPEOPLE)


def checker_organisation(request: Request):
    """The organisation an eligibility check is run for: the token's, or the one the person acts for."""
    if is_token(request.user):
        return request.user.organisation
    return getattr(request, "organisation", None)


def _is_operator(request: Request) -> bool:
    organisation = checker_organisation(request)
    if is_token(request.user) or organisation is None:
        return False
    return organisation.kind == OrganisationKind.PLATFORM_OPERATOR and bool(
        roles_for(request.user, organisation) & OPERATOR_ROLES
    )


class MayCheckEligibility(BasePermission):
    """Contracting entities' officers and evaluators, the operator, supplier representatives (for their own
    supplier only, checked once the party is known) and tokens with the ``read`` scope."""

    message = _("Your role does not allow eligibility checks.")

    def has_permission(self, request, view) -> bool:
        if is_token(request.user):
            refusal = _token_lacks(request, TokenScope.READ)
            if refusal:
                self.message = refusal
                return False
            return True
        organisation = checker_organisation(request)
        if organisation is None:
            return False
        roles = roles_for(request.user, organisation)
        wanted = {
            OrganisationKind.CONTRACTING_ENTITY: ENTITY_CHECKERS,
            OrganisationKind.PLATFORM_OPERATOR: OPERATOR_ROLES,
            OrganisationKind.SUPPLIER: SUPPLIER_ROLES,
        }.get(organisation.kind, frozenset())
        return bool(roles & wanted)


# --- Suppliers --------------------------------------------------------------------------------------


def _with_categories(rows):
    return rows.prefetch_related(
        Prefetch("category_links", queryset=SupplierCategory.objects.select_related("category").order_by("prefix"))
    )


def _supplier_or_404(ruc: str) -> Supplier:
    supplier = supplier_by_ruc(ruc)
    if supplier is None:
        raise NotFoundError(_("No supplier with that RUC is registered."), code="supplier_not_found")
    return supplier


def _register(actor: Any, data: dict) -> Supplier:
    return supplier_register(actor=actor, data=SupplierData(**data))


class SupplierListView(generics.ListAPIView):
    """Search the registry; register a new supplier (a signed-in person, who becomes its representative)."""

    serializer_class = SupplierSerializer

    def get_permissions(self):
        # Reading is public; registering needs a signed-in person (anonymous → 401, token → 403).
        if self.request.method in SAFE_METHODS:
            return [PublicRead()]
        return [IsAuthenticated(), PersonOnly()]

    def get_queryset(self):
        filters = SupplierFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        criteria = filters.validated_data
        return _with_categories(
            supplier_search(
                category_code=criteria.get("category"),
                region_code=criteria.get("region"),
                size_class=criteria.get("size_class"),
                status=criteria.get("status") or PUBLIC_STATUSES,
                text=criteria.get("q"),
            )
        )

    @extend_schema(parameters=[SupplierFilterSerializer], responses=SupplierSerializer(many=True))
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=SupplierRegistrationSerializer, responses={201: SupplierRecordSerializer})
    def post(self, request):
        serializer = SupplierRegistrationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        supplier = _register(request.user, serializer.validated_data)
        return Response(
            SupplierRecordSerializer(
                _with_categories(Supplier.objects.select_related("region")).get(pk=supplier.pk)
            ).data,
            status=status.HTTP_201_CREATED,
        )


class SupplierDetailView(APIView):
    permission_classes = [PublicRead]

    @extend_schema(responses=SupplierSerializer)
    def get(self, request, ruc):
        return Response(SupplierSerializer(_supplier_or_404(ruc)).data)


class SupplierVerificationView(APIView):
    """The registry's operator approves or rejects a pending registration (a reason is needed to reject)."""

    permission_classes = [IsAuthenticated, IsRegistryOperator]

    @extend_schema(request=VerificationSerializer, responses=SupplierRecordSerializer)
    def post(self, request, ruc):
        supplier = _supplier_or_404(ruc)
        serializer = VerificationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        supplier = supplier_verify(actor=request.user, supplier=supplier, **serializer.validated_data)
        return Response(SupplierRecordSerializer(_supplier_or_404(supplier.ruc)).data)


# --- Sanctions --------------------------------------------------------------------------------------


class SanctionListView(generics.ListAPIView):
    """Sanctions in force today (Lima time)."""

    serializer_class = SanctionSerializer
    permission_classes = [PublicRead]

    def get_queryset(self):
        return public_sanctions(on=lima_today())


# --- Eligibility checks -----------------------------------------------------------------------------


def _may_read_record(request: Request, record) -> bool:
    if _is_operator(request):
        return True
    organisation = checker_organisation(request)
    return organisation is not None and record.checked_for_id == organisation.pk


def _party(request: Request, data: dict) -> Supplier | Consortium:
    if "ruc" in data:
        party: Supplier | Consortium = _supplier_or_404(data["ruc"])
        owners = {party.organisation_id}
    else:
        party = Consortium.objects.filter(pk=data["consortium_id"]).first()
        if party is None:
            raise NotFoundError(_("No consortium with that id."), code="consortium_not_found")
        owners = set(party.members.values_list("supplier__organisation_id", flat=True))
    organisation = checker_organisation(request)
    if (
        not is_token(request.user)
        and organisation is not None
        and organisation.kind == OrganisationKind.SUPPLIER
        and organisation.pk not in owners
    ):
        raise PermissionDenied(_("A supplier may check only its own eligibility."))
    return party


class EligibilityCheckCreateView(APIView):
    """Ask whether a supplier or consortium may take part in a lot now; the answer is stored."""

    permission_classes = [IsAuthenticated, MayCheckEligibility]

    @extend_schema(request=EligibilityCheckRequestSerializer, responses={201: EligibilityRecordSerializer})
    def post(self, request):
        serializer = EligibilityCheckRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        party = _party(request, data)
        lot = data["lot"]
        record = eligibility_check(
            party=party,
            lot=LotRequirements(
                reference=lot["reference"],
                unspsc_codes=tuple(lot["unspsc_codes"]),
                register=lot["register"],
                mype_reserved=lot["mype_reserved"],
            ),
            purpose="check",
            actor=request.user,
            organisation=checker_organisation(request),
        )
        return Response(EligibilityRecordSerializer(record).data, status=status.HTTP_201_CREATED)


class EligibilityCheckDetailView(APIView):
    permission_classes = [IsAuthenticated, MayCheckEligibility]

    @extend_schema(
        parameters=[OpenApiParameter("record_id", int, OpenApiParameter.PATH)],
        responses=EligibilityRecordSerializer,
    )
    def get(self, request, record_id):
        record = eligibility_record_get(record_id=record_id)
        if record is None or not _may_read_record(request, record):
            raise NotFoundError(_("No such eligibility check."), code="eligibility_check_not_found")
        return Response(EligibilityRecordSerializer(record).data)


urlpatterns = [
    path("suppliers/", SupplierListView.as_view(), name="api-supplier-list"),
    path("suppliers/<str:ruc>/", SupplierDetailView.as_view(), name="api-supplier-detail"),
    path("suppliers/<str:ruc>/verification/", SupplierVerificationView.as_view(), name="api-supplier-verification"),
    path("sanctions/", SanctionListView.as_view(), name="api-sanction-list"),
    path("eligibility-checks/", EligibilityCheckCreateView.as_view(), name="api-eligibility-check-list"),
    path(
        "eligibility-checks/<int:record_id>/",
        EligibilityCheckDetailView.as_view(),
        name="api-eligibility-check-detail",
    ),
]
