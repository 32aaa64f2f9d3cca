"""Serializers of the procurement API after the bids: documents, the opening record, the evaluation,
the results (score sheets, awards, appeals, contracts) and the acts on them.

The conventions of ``procurement.api.serializers`` hold: input serializers check presence and types
only (the services say what the values must be, with their stable codes); money and points travel as
decimal strings, times as ISO 8601 in UTC. The read serializers take plain rows the view read for
them; nothing here reads a bid that was not opened.
"""

from __future__ import annotations

from rest_framework import serializers

from procurement.api.serializers import DecimalStringField, OrganisationRefSerializer, UtcDateTimeField
from procurement.enums import AppealStatus, AwardStatus, ContractStatus, DocumentKind, LotStatus, TenderStatus

# Generous bounds against oversized bodies; the services hold the real limits and codes (``too_long``).
LONG_TEXT = 100_000

# --- Input --------------------------------------------------------------------------------------------


class DocumentAddSerializer(serializers.Serializer):
    """``multipart/form-data``: the kind of document, its title and the file."""

    kind = serializers.CharField(max_length=20, help_text="bases (draft only), annex or amendment.")
    title = serializers.CharField(allow_blank=True, max_length=300)
    document_file = serializers.FileField(
        required=False, allow_null=True, default=None, help_text="A PDF; an annex may also be an office document."
    )


class EvaluationInputSerializer(serializers.Serializer):
    qualified = serializers.BooleanField()
    technical_score = DecimalStringField(
        required=False,
        allow_null=True,
        default=None,
        help_text='Technical points in a weighted evaluation, e.g. "72.50"; ignored when not qualified.',
    )
    comment = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=LONG_TEXT, help_text="Required when not qualified."
    )


class AppealFileSerializer(serializers.Serializer):
    organisation = serializers.IntegerField(
        required=False, min_value=1, help_text="The bidder's organisation id. Default: the one you act for."
    )
    grounds = serializers.CharField(allow_blank=True, trim_whitespace=False, max_length=LONG_TEXT)


class AppealResolveSerializer(serializers.Serializer):
    upheld = serializers.BooleanField(help_text="true: the award is revoked and the lot evaluated again.")
    resolution = serializers.CharField(allow_blank=True, trim_whitespace=False, max_length=LONG_TEXT)


class AppealFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(required=False, choices=AppealStatus.choices)
    tender = serializers.IntegerField(required=False, min_value=1)


class ContractSignSerializer(serializers.Serializer):
    organisation = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="The party you sign for (the entity or the supplier). Default: the organisation you act for.",
    )


class ContractCompleteSerializer(serializers.Serializer):
    rating = serializers.IntegerField(help_text="The supplier's performance, 1 to 5 (public).")
    comment = serializers.CharField(allow_blank=True, max_length=LONG_TEXT, help_text="Public.")


# --- Documents ----------------------------------------------------------------------------------------


class AddedDocumentSerializer(serializers.Serializer):
    """The document as stored: a draft's is published with the tender (``published_at`` null until then)."""

    id = serializers.IntegerField()
    tender = serializers.IntegerField(source="tender_id")
    kind = serializers.ChoiceField(choices=DocumentKind.choices)
    version = serializers.IntegerField()
    title = serializers.CharField()
    sha256 = serializers.CharField()
    size = serializers.IntegerField(help_text="Bytes.")
    published_at = UtcDateTimeField(allow_null=True)


# --- The opening record -------------------------------------------------------------------------------


class OpenedPriceSerializer(serializers.Serializer):
    item_number = serializers.IntegerField()
    quantity = DecimalStringField()
    unit_price = DecimalStringField()
    line_total = DecimalStringField(help_text="Quantity × unit price, rounded half-up to the cent.")


class OpenedBidSerializer(serializers.Serializer):
    bid = serializers.IntegerField(help_text="The bid's id (the committee's verdict names it).")
    bidder = OrganisationRefSerializer(help_text="The bidder's legal name and RUC.")
    received_at = UtcDateTimeField(help_text="Server time.")
    digest = serializers.CharField(help_text="The digest on the bidder's receipt.")
    total = DecimalStringField()
    prices = OpenedPriceSerializer(many=True)


class OpeningLotSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    title = serializers.CharField()
    status = serializers.ChoiceField(choices=LotStatus.choices)
    status_reason = serializers.CharField(help_text="Why a lot is void, e.g. fewer bids than the minimum.")
    bids = OpenedBidSerializer(many=True)


class OpeningRecordSerializer(serializers.Serializer):
    """Who bid for each lot and for how much, as the opening read it (public once the bids are opened)."""

    tender = serializers.IntegerField()
    code = serializers.CharField()
    currency = serializers.CharField()
    opened_at = UtcDateTimeField()
    lots = OpeningLotSerializer(many=True)


# --- Evaluation ---------------------------------------------------------------------------------------


class EvaluationSerializer(serializers.Serializer):
    """The committee's verdict on a bid (it becomes public with the score sheet)."""

    bid = serializers.IntegerField(source="bid_id")
    qualified = serializers.BooleanField()
    technical_score = DecimalStringField(allow_null=True)
    comment = serializers.CharField()
    evaluated_at = UtcDateTimeField()


# --- Results ------------------------------------------------------------------------------------------


class ScoreRowSerializer(serializers.Serializer):
    bid = serializers.IntegerField(source="bid_id")
    bidder_name = serializers.CharField()
    bidder_ruc = serializers.CharField()
    is_mype = serializers.BooleanField()
    price = DecimalStringField()
    technical = DecimalStringField(allow_null=True)
    price_points = DecimalStringField(allow_null=True)
    total = DecimalStringField(allow_null=True)
    rank = serializers.IntegerField(allow_null=True, help_text="Null for a bid without a place.")
    excluded_reason = serializers.CharField(
        help_text="Why a bid has no place: not_qualified, technical_below_minimum, not_eligible; empty otherwise."
    )
    comment = serializers.CharField()


class ScoreSheetSerializer(serializers.Serializer):
    round = serializers.IntegerField(help_text="Each award act is a round; earlier sheets stay published.")
    rows = ScoreRowSerializer(many=True)


class AwardSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    round = serializers.IntegerField()
    supplier = OrganisationRefSerializer()
    amount = DecimalStringField()
    currency = serializers.CharField()
    status = serializers.ChoiceField(choices=AwardStatus.choices, help_text="active (in force) or revoked.")
    awarded_at = UtcDateTimeField()


class ResultLotSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    title = serializers.CharField()
    status = serializers.ChoiceField(choices=LotStatus.choices)
    status_reason = serializers.CharField()
    score_sheets = ScoreSheetSerializer(many=True, help_text="Latest round first; ranked rows first.")
    awards = AwardSerializer(many=True)


class AppealSerializer(serializers.Serializer):
    """An appeal as a public act: the grounds, the fee and the resolution with its reasoning."""

    id = serializers.IntegerField()
    tender = serializers.IntegerField(source="tender_id")
    lot_number = serializers.IntegerField(source="lot.number")
    appellant = OrganisationRefSerializer()
    grounds = serializers.CharField()
    fee = DecimalStringField()
    currency = serializers.CharField()
    status = serializers.ChoiceField(choices=AppealStatus.choices)
    filed_at = UtcDateTimeField()
    resolution = serializers.CharField()
    resolved_at = UtcDateTimeField(allow_null=True)


class ContractSerializer(serializers.Serializer):
    """A contract's summary; the performance evaluation once it is completed (public)."""

    id = serializers.IntegerField()
    tender = serializers.IntegerField(source="tender_id")
    number = serializers.CharField()
    lot_number = serializers.IntegerField(source="award.lot.number")
    supplier = OrganisationRefSerializer()
    amount = DecimalStringField()
    currency = serializers.CharField()
    status = serializers.ChoiceField(choices=ContractStatus.choices)
    created_at = UtcDateTimeField()
    entity_signed_at = UtcDateTimeField(allow_null=True)
    supplier_signed_at = UtcDateTimeField(allow_null=True)
    signed_at = UtcDateTimeField(allow_null=True, help_text="When both parties had signed.")
    completed_at = UtcDateTimeField(allow_null=True)
    rating = serializers.IntegerField(allow_null=True, help_text="1 to 5, once completed.")
    performance_comment = serializers.CharField(allow_null=True, help_text="Once completed.")

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if instance.status != ContractStatus.COMPLETED:
            data["rating"] = data["performance_comment"] = None
        return data


class ResultsSerializer(serializers.Serializer):
    """The outcome of a process, public once it was awarded: score sheets per lot and round, awards in
    force and revoked, the lottery seed for ties, the appeal window, appeals and contracts."""

    tender = serializers.IntegerField()
    code = serializers.CharField()
    status = serializers.ChoiceField(choices=TenderStatus.choices)
    currency = serializers.CharField()
    awarded_at = UtcDateTimeField(allow_null=True, help_text="The latest award; null when no lot was awarded.")
    lottery_seed = serializers.CharField(help_text="The public seed of the lottery that breaks remaining ties.")
    appeal_until = UtcDateTimeField(allow_null=True)
    consented_at = UtcDateTimeField(allow_null=True)
    lots = ResultLotSerializer(many=True)
    appeals = AppealSerializer(many=True)
    contracts = ContractSerializer(many=True)
