"""Integrator API for trade documents: post XML, read status, report, original, conversion; webhooks.

``POST /api/v1/documents/`` takes the raw XML (``Content-Type: application/xml``) with a token of the
sending organisation holding ``documents:write`` (or a signed-in person who sends for it) and answers
``202 Accepted`` with a ``Location``; validation runs in the background. Posting the same bytes again
answers ``200`` with the same document. An organisation reads what it sent and the valid documents
addressed to it; anything else is "not found". Every error is problem+json with a stable ``code``.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.parsers import BaseParser
from rest_framework.permissions import SAFE_METHODS, BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.accounts.api import schema  # noqa: F401 - registers the token scheme for the API docs
from portal.accounts.enums import TokenScope
from portal.api.openapi import path_id, problems
from portal.api.permissions import acting_organisation, is_token
from portal.notifications import webhooks
from tradedocs.enums import DocumentStatus, DocumentType
from tradedocs.presentation import document_context, rendered_in_other_syntax
from tradedocs.selectors import document_get, documents_list
from tradedocs.services.documents import document_answer, document_submit, status_message

TAGS = ["trade documents"]
DOCUMENT_ID = path_id("document_id", "A document's id (from the Location of its submission).")


class XMLBodyParser(BaseParser):
    """The request body as bytes, untouched: the document's identity is the SHA-256 of these bytes."""

    media_type = "application/xml"

    def parse(self, stream, media_type=None, parser_context=None) -> bytes:
        return stream.read() if stream is not None else b""


class TextXMLBodyParser(XMLBodyParser):
    media_type = "text/xml"


class DocumentScopes(BasePermission):
    """A token reads with ``read`` and sends or answers with ``documents:write``."""

    def has_permission(self, request, view) -> bool:
        if not is_token(request.user):
            return True
        scope = TokenScope.READ if request.method in SAFE_METHODS else TokenScope.DOCUMENTS_WRITE
        if not request.user.has_scope(scope):
            self.message = _("The API token lacks the scope '%(scope)s'.") % {"scope": scope}
            return False
        return True


def _organisation(request):
    raw = request.query_params.get("organisation")
    return acting_organisation(request, int(raw) if raw and raw.isdigit() else None)


class TradeDocumentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    document_type = serializers.CharField()
    syntax = serializers.CharField()
    status = serializers.CharField()
    number = serializers.CharField()
    issue_date = serializers.DateField(allow_null=True)
    currency = serializers.CharField()
    amount = serializers.DecimalField(max_digits=19, decimal_places=4, allow_null=True, coerce_to_string=True)
    seller_tax_id = serializers.CharField()
    seller_name = serializers.CharField()
    buyer_tax_id = serializers.CharField()
    buyer_name = serializers.CharField()
    specification = serializers.CharField()
    sha256 = serializers.CharField()
    size = serializers.IntegerField()
    sender = serializers.CharField(source="sender.tax_id")
    receiver = serializers.CharField(source="receiver.tax_id", allow_null=True, default=None)
    reasons = serializers.JSONField()
    created_at = serializers.DateTimeField()
    validated_at = serializers.DateTimeField(allow_null=True)
    answered_at = serializers.DateTimeField(allow_null=True)
    links = serializers.SerializerMethodField()

    def get_links(self, document) -> dict[str, str]:
        base = f"/api/v1/documents/{document.pk}/"
        links = {"self": base, "report": base + "report/", "original": base + "original/", "html": base + "html/"}
        if document.other_syntax:
            links["converted"] = base + "converted/"
        return links


class DocumentListView(APIView):
    """``GET``: the organisation's documents (inbox and outbox), filtered. ``POST``: send a document."""

    permission_classes = [IsAuthenticated, DocumentScopes]
    parser_classes = [XMLBodyParser, TextXMLBodyParser]

    @extend_schema(
        tags=TAGS,
        summary="Send a document (CII or UBL invoice, UBL credit note, Order-X order)",
        request={"application/xml": OpenApiTypes.BINARY},
        responses={202: TradeDocumentSerializer, 200: TradeDocumentSerializer, **problems(400, 401, 403, 409, 415)},
        parameters=[
            OpenApiParameter(
                "organisation", OpenApiTypes.INT, description="The sending organisation (people in several)."
            )
        ],
    )
    def post(self, request):
        organisation = _organisation(request)
        document = document_submit(actor=request.user, sender=organisation, data=request.data or b"")
        body = TradeDocumentSerializer(document).data
        response = Response(body, status=status.HTTP_200_OK if document.replayed else status.HTTP_202_ACCEPTED)
        response["Location"] = body["links"]["self"]
        return response

    @extend_schema(
        tags=TAGS,
        summary="List documents",
        parameters=[
            OpenApiParameter("box", OpenApiTypes.STR, enum=["inbox", "outbox"]),
            OpenApiParameter("type", OpenApiTypes.STR, enum=DocumentType.values),
            OpenApiParameter("status", OpenApiTypes.STR, enum=DocumentStatus.values),
            OpenApiParameter("party", OpenApiTypes.STR, description="Seller's or buyer's tax id (RUC)."),
            OpenApiParameter("issued_from", OpenApiTypes.DATE),
            OpenApiParameter("issued_to", OpenApiTypes.DATE),
            OpenApiParameter("received_from", OpenApiTypes.DATE),
            OpenApiParameter("received_to", OpenApiTypes.DATE),
            OpenApiParameter("organisation", OpenApiTypes.INT),
        ],
        responses={200: TradeDocumentSerializer(many=True), **problems(400, 401, 403)},
    )
    def get(self, request):
        filters = DocumentFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        rows = documents_list(
            organisation=_organisation(request),
            box=data.get("box", ""),
            document_type=data.get("type", ""),
            status=data.get("status", ""),
            party_tax_id=data.get("party", ""),
            issued_from=data.get("issued_from"),
            issued_to=data.get("issued_to"),
            received_from=data.get("received_from"),
            received_to=data.get("received_to"),
        )
        paginator = LimitOffsetPagination()
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(TradeDocumentSerializer(page, many=True).data)


class DocumentFilterSerializer(serializers.Serializer):
    box = serializers.ChoiceField(choices=["inbox", "outbox"], required=False)
    type = serializers.ChoiceField(choices=DocumentType.values, required=False)
    status = serializers.ChoiceField(choices=DocumentStatus.values, required=False)
    party = serializers.RegexField(r"^[0-9A-Za-z-]{1,32}$", required=False)
    issued_from = serializers.DateField(required=False)
    issued_to = serializers.DateField(required=False)
    received_from = serializers.DateField(required=False)
    received_to = serializers.DateField(required=False)
    organisation = serializers.IntegerField(required=False)
    limit = serializers.IntegerField(required=False, min_value=1)
    offset = serializers.IntegerField(required=False, min_value=0)


class _OneDocument(APIView):
    permission_classes = [IsAuthenticated, DocumentScopes]

    def document(self, request, document_id: int):
        return document_get(organisation=_organisation(request), document_id=document_id)


class DocumentDetailView(_OneDocument):
    @extend_schema(
        tags=TAGS,
        summary="A document's status",
        parameters=[DOCUMENT_ID],
        responses={200: TradeDocumentSerializer, **problems(401, 403, 404)},
    )
    def get(self, request, document_id):
        return Response(TradeDocumentSerializer(self.document(request, document_id)).data)


class DocumentReportView(_OneDocument):
    """The validation report: scenario, stages, and each finding with rule id, severity, XPath location,
    line and message. ``?svrl=1`` adds the raw SVRL of each rule set."""

    @extend_schema(
        tags=TAGS,
        summary="A document's validation report",
        parameters=[DOCUMENT_ID],
        responses={200: OpenApiTypes.OBJECT, **problems(401, 403, 404)},
    )
    def get(self, request, document_id):
        document = self.document(request, document_id)
        body = {"document": status_message(document), "report": document.report}
        if request.query_params.get("svrl") in {"1", "true"}:
            body["svrl"] = document.svrl
        return Response(body)


class DocumentOriginalView(_OneDocument):
    @extend_schema(
        tags=TAGS,
        summary="The original XML, byte for byte",
        parameters=[DOCUMENT_ID],
        responses={(200, "application/xml"): OpenApiTypes.BINARY, **problems(401, 403, 404)},
    )
    def get(self, request, document_id):
        document = self.document(request, document_id)
        response = HttpResponse(bytes(document.original), content_type="application/xml")
        response["Content-Disposition"] = f'attachment; filename="document-{document.pk}.xml"'
        response["X-Content-SHA256"] = document.sha256
        return response


class DocumentConvertedView(_OneDocument):
    @extend_schema(
        tags=TAGS,
        summary="The invoice rendered in the other syntax (CII ⇄ UBL)",
        parameters=[DOCUMENT_ID],
        responses={(200, "application/xml"): OpenApiTypes.BINARY, **problems(401, 403, 404, 409)},
    )
    def get(self, request, document_id):
        document = self.document(request, document_id)
        syntax, data = rendered_in_other_syntax(document)
        response = HttpResponse(data, content_type="application/xml")
        response["Content-Disposition"] = f'attachment; filename="document-{document.pk}-{syntax}.xml"'
        return response


class DocumentHtmlView(_OneDocument):
    @extend_schema(
        tags=TAGS,
        summary="A readable rendering of the document",
        parameters=[DOCUMENT_ID],
        responses={(200, "text/html"): OpenApiTypes.STR, **problems(401, 403, 404)},
    )
    def get(self, request, document_id):
        document = self.document(request, document_id)
        html = render_to_string("tradedocs/document_print.html", document_context(document), request=request)
        return HttpResponse(html, content_type="text/html; charset=utf-8")


class DocumentAnswerSerializer(serializers.Serializer):
    accept = serializers.BooleanField()
    reasons = serializers.ListField(
        child=serializers.DictField(child=serializers.CharField(allow_blank=True, max_length=500)),
        required=False,
        max_length=20,
    )


class DocumentAnswerView(_OneDocument):
    """The receiver accepts or rejects a valid invoice (the status message); reasons are required to reject."""

    @extend_schema(
        tags=TAGS,
        summary="Accept or reject an invoice",
        parameters=[DOCUMENT_ID],
        request=DocumentAnswerSerializer,
        responses={200: TradeDocumentSerializer, **problems(400, 401, 403, 404, 409)},
    )
    def post(self, request, document_id):
        document = self.document(request, document_id)
        serializer = DocumentAnswerSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        document = document_answer(
            actor=request.user,
            document=document,
            accept=serializer.validated_data["accept"],
            reasons=serializer.validated_data.get("reasons"),
        )
        return Response(TradeDocumentSerializer(document).data)

    parser_classes = None  # the default JSON and form parsers


DocumentAnswerView.parser_classes = APIView.parser_classes


# ── webhooks ──────────────────────────────────────────────────────────────────────────────────────


class WebhookSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    url = serializers.URLField(max_length=500)
    events = serializers.ListField(child=serializers.CharField(max_length=64), required=False)
    is_active = serializers.BooleanField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)


class _WebhookView(APIView):
    """Webhooks are wired by a signed-in person of the organisation, never by a token."""

    permission_classes = [IsAuthenticated]

    def _organisation(self, request, organisation_id):
        if is_token(request.user):
            raise PermissionDenied(_("This action needs a signed-in person, not an API token."))
        return acting_organisation(request, organisation_id)


class WebhookListView(_WebhookView):
    """An organisation's webhooks. Registering answers the signing secret once; keep it."""

    @extend_schema(
        tags=TAGS,
        summary="List webhooks",
        parameters=[path_id("organisation_id", "Your organisation.")],
        responses={200: WebhookSerializer(many=True), **problems(401, 403, 404)},
    )
    def get(self, request, organisation_id):
        organisation = self._organisation(request, organisation_id)
        return Response(WebhookSerializer(webhooks.webhooks_of(organisation=organisation), many=True).data)

    @extend_schema(
        tags=TAGS,
        summary="Register a webhook",
        parameters=[path_id("organisation_id", "Your organisation.")],
        request=WebhookSerializer,
        responses={201: OpenApiTypes.OBJECT, **problems(400, 401, 403, 404)},
    )
    def post(self, request, organisation_id):
        organisation = self._organisation(request, organisation_id)
        serializer = WebhookSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        endpoint = webhooks.webhook_register(
            actor=request.user,
            organisation=organisation,
            url=serializer.validated_data["url"],
            events=serializer.validated_data.get("events", []),
        )
        return Response({**WebhookSerializer(endpoint).data, "secret": endpoint.secret}, status=status.HTTP_201_CREATED)


class WebhookDetailView(_WebhookView):
    @extend_schema(
        tags=TAGS,
        summary="Remove a webhook",
        parameters=[path_id("organisation_id", "Your organisation."), path_id("webhook_id", "The webhook.")],
        responses={204: None, **problems(401, 403, 404)},
    )
    def delete(self, request, organisation_id, webhook_id):
        organisation = self._organisation(request, organisation_id)
        webhooks.webhook_remove(actor=request.user, organisation=organisation, webhook_id=webhook_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


urlpatterns = [
    path("documents/", DocumentListView.as_view(), name="api-documents"),
    path("documents/<int:document_id>/", DocumentDetailView.as_view(), name="api-document"),
    path("documents/<int:document_id>/report/", DocumentReportView.as_view(), name="api-document-report"),
    path("documents/<int:document_id>/original/", DocumentOriginalView.as_view(), name="api-document-original"),
    path("documents/<int:document_id>/converted/", DocumentConvertedView.as_view(), name="api-document-converted"),
    path("documents/<int:document_id>/html/", DocumentHtmlView.as_view(), name="api-document-html"),
    path("documents/<int:document_id>/answer/", DocumentAnswerView.as_view(), name="api-document-answer"),
    path("organisations/<int:organisation_id>/webhooks/", WebhookListView.as_view(), name="api-webhooks"),
    path(
        "organisations/<int:organisation_id>/webhooks/<int:webhook_id>/",
        WebhookDetailView.as_view(),
        name="api-webhook",
    ),
]
