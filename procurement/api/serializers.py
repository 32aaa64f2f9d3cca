"""Serializers of the procurement API.

Input serializers check presence and types only; what the values must be is the services' rule, with
their stable codes (a blank title is the service's ``required``, a negative value its ``invalid_value``).
Money and quantities travel as decimal strings, never as JSON numbers; times as ISO 8601 with an offset,
and are answered in UTC. Nothing here reads a bid's sealed content, and no public serializer names who
asked a question or who bid.
"""

from __future__ import annotations

import re
from datetime import UTC
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from procurement.enums import DocumentKind, LotStatus, PlanStatus, ProcurementObject, TenderStatus
from procurement.models import BidStatus, Lot, Plan, PlanLine, ProcedureType, Question, QuestionKind, Tender

# --- Fields -------------------------------------------------------------------------------------------


class UtcDateTimeField(serializers.DateTimeField):
    """ISO 8601 in, with its offset (a time without one is refused: it would be read in some zone the
    client did not choose); ISO 8601 in UTC out."""

    default_error_messages = {
        "naive": _("Give the time with its offset, e.g. 2026-07-22T17:00:00-05:00."),
    }

    def __init__(self, **kwargs):
        super().__init__(default_timezone=UTC, **kwargs)

    def enforce_timezone(self, value):
        if timezone.is_naive(value):
            self.fail("naive")
        return super().enforce_timezone(value)


@extend_schema_field({"type": "string", "format": "decimal", "example": "1234.50"})
class DecimalStringField(serializers.Field):
    """A decimal amount as a JSON string ("1234.50"). A JSON number is refused: a float has no single
    decimal form. The text is handed to the service as it came; the service says what it must be."""

    default_error_messages = {
        "not_text": _('Send amounts as decimal strings, e.g. "1234.50", not as numbers.'),
    }

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("not_text")
        return data.strip()

    def to_representation(self, value: Decimal) -> str:
        return format(value, "f")


class PricesField(serializers.DictField):
    """``{"1": "1234.56", "2": "99.90"}``: a unit price per item number of the lot."""

    child = DecimalStringField()

    def to_internal_value(self, data: Any) -> dict:
        prices = super().to_internal_value(data)
        # JSON keys are text; item numbers are whole numbers. Anything else goes on as it came and the
        # service names it as an item the lot does not have.
        return {int(key) if key.isascii() and key.isdigit() else key: value for key, value in prices.items()}


# --- Reference data -----------------------------------------------------------------------------------


class DurationSerializer(serializers.Serializer):
    days = serializers.IntegerField()
    unit = serializers.CharField(help_text="calendar or working")


class ProcedureTypeSerializer(serializers.Serializer):
    """A procedure type and the rules it sets (stages, minimum durations, value thresholds)."""

    code = serializers.CharField()
    name = serializers.CharField()
    jurisdiction = serializers.CharField()
    objects = serializers.ListField(child=serializers.ChoiceField(choices=ProcurementObject.choices))
    stages = serializers.ListField(child=serializers.CharField())
    min_durations = serializers.DictField(child=DurationSerializer(), help_text="By stage.")
    value_min = serializers.CharField(allow_null=True, help_text="Decimal string; null for no bound.")
    value_max = serializers.CharField(allow_null=True, help_text="Decimal string; null for no bound.")
    min_bids = serializers.IntegerField()
    appeal_window = DurationSerializer(allow_null=True)
    evaluation = serializers.CharField(help_text="price_only or weighted")

    def to_representation(self, instance: ProcedureType) -> dict[str, Any]:
        config = instance.config
        return {
            "code": instance.code,
            "name": instance.name,
            "jurisdiction": instance.jurisdiction,
            "objects": list(config.get("objects") or []),
            "stages": list(config.get("stages") or []),
            "min_durations": dict(config.get("min_durations") or {}),
            "value_min": config.get("value_min"),
            "value_max": config.get("value_max"),
            "min_bids": config.get("min_bids"),
            "appeal_window": config.get("appeal_window") or None,
            "evaluation": config.get("evaluation"),
        }


class OrganisationRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    tax_id = serializers.CharField(help_text="The RUC.")


class ProcedureTypeRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


# --- Plans --------------------------------------------------------------------------------------------


class PlanLineSerializer(serializers.ModelSerializer):
    procedure_type = serializers.CharField(source="procedure_type.code", help_text="A procedure type's code.")
    estimated_value = DecimalStringField()

    class Meta:
        model = PlanLine
        fields = [
            "id",
            "number",
            "description",
            "object",
            "procedure_type",
            "unspsc_code",
            "estimated_value",
            "currency",
            "planned_month",
        ]


class PlanSerializer(serializers.ModelSerializer):
    entity = OrganisationRefSerializer()
    status = serializers.ChoiceField(choices=PlanStatus.choices)
    published_at = UtcDateTimeField(allow_null=True)
    lines = PlanLineSerializer(many=True)

    class Meta:
        model = Plan
        fields = ["id", "entity", "fiscal_year", "version", "status", "published_at", "lines"]


class PlanFilterSerializer(serializers.Serializer):
    entity = serializers.IntegerField(required=False, min_value=1, help_text="A contracting entity's id.")
    fiscal_year = serializers.IntegerField(required=False, min_value=2000, max_value=2100)
    status = serializers.ChoiceField(required=False, choices=PlanStatus.choices)


class PlanLineInputSerializer(serializers.Serializer):
    description = serializers.CharField(allow_blank=True, max_length=300)
    object = serializers.CharField(max_length=12, help_text="goods, services, works or consulting.")
    procedure_type = serializers.CharField(max_length=50, help_text="A procedure type's code.")
    unspsc_code = serializers.CharField(max_length=8)
    estimated_value = DecimalStringField(help_text='In soles (PEN), e.g. "250000.00".')
    planned_month = serializers.IntegerField()


class PlanVersionSerializer(serializers.Serializer):
    lines = PlanLineInputSerializer(many=True, allow_empty=True, max_length=2000)


class PlanCreateSerializer(PlanVersionSerializer):
    entity = serializers.IntegerField(
        required=False, min_value=1, help_text="The contracting entity's id. Default: the organisation you act for."
    )
    fiscal_year = serializers.IntegerField()


# --- Tenders ------------------------------------------------------------------------------------------


class ChronogramSerializer(serializers.Serializer):
    """The tender's dates, in UTC. Before publication, ``published_at`` is the scheduled moment."""

    published_at = UtcDateTimeField(allow_null=True)
    enquiries_end = UtcDateTimeField(allow_null=True)
    integrated_bases_at = UtcDateTimeField(allow_null=True)
    bids_due = UtcDateTimeField(allow_null=True)
    opening_at = UtcDateTimeField(allow_null=True)
    auction_at = UtcDateTimeField(allow_null=True)


class TenderSummarySerializer(serializers.ModelSerializer):
    entity = OrganisationRefSerializer()
    procedure_type = ProcedureTypeRefSerializer()
    reference_value = DecimalStringField()
    status = serializers.ChoiceField(choices=TenderStatus.choices)
    published_at = UtcDateTimeField(allow_null=True, help_text="Before publication, the scheduled moment.")
    bids_due = UtcDateTimeField(allow_null=True)

    class Meta:
        model = Tender
        fields = [
            "id",
            "code",
            "title",
            "entity",
            "procedure_type",
            "object",
            "currency",
            "reference_value",
            "status",
            "published_at",
            "bids_due",
        ]


class ItemSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    unspsc_code = serializers.CharField()
    description = serializers.CharField()
    quantity = DecimalStringField()
    unit = serializers.CharField(help_text="UN/ECE Recommendation 20 code, e.g. C62.")
    delivery_place = serializers.CharField()
    region_code = serializers.CharField()


class LotSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    title = serializers.CharField()
    reference_value = DecimalStringField()
    mype_reserved = serializers.BooleanField()
    status = serializers.ChoiceField(choices=LotStatus.choices)
    items = ItemSerializer(many=True)


class DocumentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=DocumentKind.choices)
    version = serializers.IntegerField()
    title = serializers.CharField()
    sha256 = serializers.CharField()
    size = serializers.IntegerField(help_text="Bytes.")
    published_at = UtcDateTimeField()


class PublishedQuestionSerializer(serializers.Serializer):
    """A published question and its answer as everyone reads them: who asked is not part of it."""

    number = serializers.IntegerField(help_text="Its place in the order questions were asked.")
    kind = serializers.ChoiceField(choices=QuestionKind.choices)
    lot_number = serializers.IntegerField(allow_null=True)
    text = serializers.CharField()
    answer = serializers.CharField()
    published_at = UtcDateTimeField()


class TenderDetailSerializer(TenderSummarySerializer):
    """A tender with its lots and items, published documents (metadata), chronogram and published
    answers. Nothing about participants or bids."""

    # The view reads the lots, documents and questions through the selectors and passes them in the
    # context (``lots``, ``documents``, ``questions``).

    plan_line = serializers.IntegerField(source="plan_line_id")
    chronogram = serializers.SerializerMethodField()
    lots = serializers.SerializerMethodField()
    documents = serializers.SerializerMethodField()
    questions = serializers.SerializerMethodField()

    class Meta(TenderSummarySerializer.Meta):
        fields = [
            *TenderSummarySerializer.Meta.fields,
            "description",
            "plan_line",
            "status_reason",
            "chronogram",
            "lots",
            "documents",
            "questions",
        ]

    @extend_schema_field(ChronogramSerializer)
    def get_chronogram(self, tender: Tender) -> dict[str, Any]:
        return ChronogramSerializer(tender).data

    @extend_schema_field(LotSerializer(many=True))
    def get_lots(self, tender: Tender) -> list[dict[str, Any]]:
        return LotSerializer(self.context["lots"], many=True).data

    @extend_schema_field(DocumentSerializer(many=True))
    def get_documents(self, tender: Tender) -> list[dict[str, Any]]:
        return DocumentSerializer(self.context["documents"], many=True).data

    @extend_schema_field(PublishedQuestionSerializer(many=True))
    def get_questions(self, tender: Tender) -> list[dict[str, Any]]:
        return PublishedQuestionSerializer(self.context["questions"], many=True).data


def _unspsc_filter(value: str) -> str:
    value = (value or "").strip()
    if not re.fullmatch(r"\d{2}|\d{4}|\d{6}|\d{8}", value):
        raise serializers.ValidationError(_("A UNSPSC code has 2, 4, 6 or 8 digits, e.g. 43 or 43211500."))
    return value.ljust(8, "0")


class TenderFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(required=False, choices=TenderStatus.choices)
    entity = serializers.IntegerField(required=False, min_value=1, help_text="A contracting entity's id.")
    procedure_type = serializers.CharField(required=False, max_length=50, help_text="A procedure type's code.")
    object = serializers.ChoiceField(required=False, choices=ProcurementObject.choices)
    category = serializers.CharField(
        required=False, max_length=8, help_text="A UNSPSC code at any level (2, 4, 6 or 8 digits) of an item."
    )
    region = serializers.CharField(required=False, max_length=8, help_text="An item's delivery region, e.g. 15.")

    def validate_category(self, value: str) -> str:
        return _unspsc_filter(value)


class ItemInputSerializer(serializers.Serializer):
    unspsc_code = serializers.CharField(max_length=8)
    description = serializers.CharField(allow_blank=True, max_length=500)
    quantity = DecimalStringField(help_text='e.g. "40" or "12.5".')
    unit = serializers.CharField(max_length=3, help_text="UN/ECE Recommendation 20 code, e.g. C62.")
    delivery_place = serializers.CharField(allow_blank=True, max_length=300)
    region_code = serializers.CharField(max_length=8)


class LotInputSerializer(serializers.Serializer):
    title = serializers.CharField(allow_blank=True, max_length=300)
    reference_value = DecimalStringField()
    mype_reserved = serializers.BooleanField(required=False, default=False)
    items = ItemInputSerializer(many=True, allow_empty=True, max_length=1000)


class TenderCreateSerializer(serializers.Serializer):
    plan_line = serializers.IntegerField(min_value=1, help_text="A line of the entity's published plan.")
    title = serializers.CharField(allow_blank=True, max_length=300)
    description = serializers.CharField(required=False, allow_blank=True, default="", max_length=20_000)
    currency = serializers.CharField(required=False, default="PEN", max_length=3, help_text="PEN or USD.")
    lots = LotInputSerializer(many=True, allow_empty=True, max_length=200)


class TimelineInputSerializer(serializers.Serializer):
    """The chronogram a draft tender will follow; the dates its procedure type has, and no others."""

    published_at = UtcDateTimeField()
    bids_due = UtcDateTimeField()
    enquiries_end = UtcDateTimeField(required=False, allow_null=True, default=None)
    integrated_bases_at = UtcDateTimeField(required=False, allow_null=True, default=None)
    opening_at = UtcDateTimeField(required=False, allow_null=True, default=None)
    auction_at = UtcDateTimeField(required=False, allow_null=True, default=None)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


# --- Participation ------------------------------------------------------------------------------------


class ActingOrganisationSerializer(serializers.Serializer):
    """Which of the caller's organisations acts (a person may speak for several suppliers)."""

    organisation = serializers.IntegerField(
        required=False, min_value=1, help_text="The supplier's organisation id. Default: the one you act for."
    )


class ParticipantSerializer(serializers.Serializer):
    """The caller's own participation."""

    tender = serializers.IntegerField(source="tender_id")
    organisation = OrganisationRefSerializer()
    registered_at = UtcDateTimeField()


class QuestionAskSerializer(serializers.Serializer):
    text = serializers.CharField(allow_blank=True, trim_whitespace=False, max_length=20_000)
    kind = serializers.CharField(required=False, default=QuestionKind.QUESTION, help_text="question or observation")
    lot = serializers.PrimaryKeyRelatedField(
        required=False, allow_null=True, default=None, queryset=Lot.objects.none(), help_text="A lot id, if any."
    )

    def __init__(self, *args, lots=None, **kwargs):
        super().__init__(*args, **kwargs)
        if lots is not None:
            self.fields["lot"].queryset = lots


class AskedQuestionSerializer(serializers.ModelSerializer):
    """A question as its asker gets it back."""

    asked_at = UtcDateTimeField()

    class Meta:
        model = Question
        fields = ["id", "tender", "lot", "kind", "text", "asked_at"]


class OfficerQuestionSerializer(serializers.ModelSerializer):
    """Every question with its asker and the answer being drafted: the entity's officers only."""

    lot_number = serializers.IntegerField(source="lot.number", allow_null=True, default=None)
    asker = OrganisationRefSerializer(source="participant.organisation")
    asked_at = UtcDateTimeField()
    answered_at = UtcDateTimeField(allow_null=True)
    published_at = UtcDateTimeField(allow_null=True)

    class Meta:
        model = Question
        fields = [
            "id",
            "kind",
            "lot_number",
            "text",
            "asker",
            "asked_at",
            "answer",
            "answered_at",
            "published_at",
        ]


class AnswerSerializer(serializers.Serializer):
    answer = serializers.CharField(allow_blank=True, trim_whitespace=False, max_length=100_000)


class AnswersPublishSerializer(serializers.Serializer):
    """``multipart/form-data``: the integrated bases (a file) and their title."""

    title = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)
    document_file = serializers.FileField(
        required=False, allow_null=True, default=None, help_text="The integrated bases, e.g. a PDF."
    )


# --- Bids ---------------------------------------------------------------------------------------------


class BidSubmitSerializer(serializers.Serializer):
    organisation = serializers.IntegerField(
        required=False, min_value=1, help_text="The supplier's organisation id. Default: the one you act for."
    )
    prices = PricesField(help_text='A unit price per item number of the lot: {"1": "1234.56", "2": "99.90"}.')
    technical = serializers.DictField(required=False, default=dict, help_text="Technical declarations.")
    idempotency_key = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=200,
        help_text="Only when the Idempotency-Key header cannot be sent; the header wins.",
    )


class BidReceiptSerializer(serializers.Serializer):
    """What the bidder keeps: with the salt it can recompute the digest of the content it sent."""

    bid_id = serializers.IntegerField()
    tender_code = serializers.CharField()
    lot_number = serializers.IntegerField()
    bidder_ruc = serializers.CharField()
    received_at = UtcDateTimeField(help_text="Server time.")
    digest = serializers.CharField(help_text="SHA-256 of the canonical content, salt included.")
    salt = serializers.CharField()


class OwnBidSerializer(serializers.Serializer):
    """One of the caller organisation's own bids, as its receipt describes it (never its content)."""

    id = serializers.IntegerField(source="pk")
    tender = serializers.IntegerField(source="lot__tender_id")
    tender_code = serializers.CharField(source="lot__tender__code")
    lot_number = serializers.IntegerField(source="lot__number")
    status = serializers.ChoiceField(choices=BidStatus.choices)
    received_at = UtcDateTimeField()
    digest = serializers.CharField()


class OwnBidFilterSerializer(serializers.Serializer):
    organisation = serializers.IntegerField(
        required=False, min_value=1, help_text="The supplier's organisation id. Default: the one you act for."
    )
    tender = serializers.IntegerField(required=False, min_value=1)


class LotBidCountSerializer(serializers.Serializer):
    lot_number = serializers.IntegerField()
    live_bids = serializers.IntegerField()


class BidSummarySerializer(serializers.Serializer):
    """How many live bids each lot has: all the entity learns before the opening."""

    tender = serializers.IntegerField()
    lots = LotBidCountSerializer(many=True)
