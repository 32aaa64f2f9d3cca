from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.accounts.api import schema  # noqa: F401 - registers the token scheme for the API docs
from portal.accounts.api.serializers import (
    ApiTokenCreatedSerializer,
    ApiTokenCreateSerializer,
    ApiTokenSerializer,
    MemberSerializer,
    MeSerializer,
    OrganisationSerializer,
    TokenMeSerializer,
)
from portal.accounts.enums import Role
from portal.accounts.selectors import api_tokens_of, memberships_of
from portal.accounts.services import api_token_create, api_token_revoke
from portal.api.permissions import HasRoleIn, acting_organisation, is_token


class MeView(APIView):
    """Who is calling: the signed-in person with their memberships, or the token's organisation."""

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        if is_token(request.user):
            return Response(TokenMeSerializer(request.user).data)
        return Response(MeSerializer(request.user).data)


class OrganisationScopedMixin:
    # IsAuthenticated first: an anonymous caller must get 401, not the 404 that HasRoleIn's
    # organisation lookup gives to non-members.
    permission_classes = [IsAuthenticated, HasRoleIn]

    def get_organisation(self):
        if not hasattr(self, "_organisation"):
            self._organisation = acting_organisation(self.request, self.kwargs["organisation_id"])
        return self._organisation


class OrganisationDetailView(OrganisationScopedMixin, generics.RetrieveAPIView):
    """Any member (or the organisation's own token) may read its organisation."""

    serializer_class = OrganisationSerializer

    def get_object(self):
        return self.get_organisation()


class MemberListView(OrganisationScopedMixin, generics.ListAPIView):
    serializer_class = MemberSerializer
    required_roles = {Role.ADMINISTRATOR}
    tokens_allowed = False

    def get_queryset(self):
        return memberships_of(organisation=self.get_organisation())


class ApiTokenListCreateView(OrganisationScopedMixin, generics.ListAPIView):
    """An organisation administrator lists and issues API tokens. Tokens cannot manage tokens."""

    serializer_class = ApiTokenSerializer
    required_roles = {Role.ADMINISTRATOR}
    tokens_allowed = False

    def get_queryset(self):
        return api_tokens_of(organisation=self.get_organisation())

    @extend_schema(request=ApiTokenCreateSerializer, responses={201: ApiTokenCreatedSerializer})
    def post(self, request, organisation_id):
        serializer = ApiTokenCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token, key = api_token_create(
            actor=request.user, organisation=self.get_organisation(), **serializer.validated_data
        )
        body = ApiTokenSerializer(token).data | {"key": key}
        return Response(body, status=status.HTTP_201_CREATED)


class ApiTokenRevokeView(OrganisationScopedMixin, APIView):
    required_roles = {Role.ADMINISTRATOR}
    tokens_allowed = False

    @extend_schema(request=None, responses={200: ApiTokenSerializer})
    def delete(self, request, organisation_id, token_id):
        token = get_object_or_404(api_tokens_of(organisation=self.get_organisation()), pk=token_id)
        return Response(ApiTokenSerializer(api_token_revoke(actor=request.user, token=token)).data)
