"""Serializers of the registry's API. Public ones never carry the exact sales or contact data."""

from __future__ import annotations

import re

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from smeregistry.enums import Register, SizeClass, SupplierStatus
from smeregistry.models import EligibilityRecord, Region, Sanction, Supplier, UnspscCategory
from smeregistry.selectors import PUBLIC_STATUSES


class RegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["code", "name"]


class CategorySerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)

    class Meta:
        model = UnspscCategory
        fields = ["code", "name"]


class SupplierSerializer(serializers.ModelSerializer):
    """What anyone may know about a supplier."""

    region = RegionSerializer(read_only=True)
    registers = serializers.ListField(child=serializers.CharField(), read_only=True)
    categories = serializers.SerializerMethodField()

    class Meta:
        model = Supplier
        fields = [
            "ruc",
            "legal_name",
            "trade_name",
            "region",
            "registers",
            "categories",
            "size_class",
            "sales_fiscal_year",
            "status",
            "valid_from",
            "valid_until",
        ]

    def get_categories(self, supplier: Supplier) -> list[dict]:
        return CategorySerializer([link.category for link in supplier.category_links.all()], many=True).data


class SupplierRecordSerializer(SupplierSerializer):
    """The full record: for the registrant who just submitted it and for the registry's operators."""

    class Meta(SupplierSerializer.Meta):
        fields = [
            *SupplierSerializer.Meta.fields,
            "address",
            "district_ubigeo",
            "phone",
            "email",
            "representative_name",
            "annual_sales",
            "employees",
            "status_reason",
            "registered_at",
        ]


class SupplierRegistrationSerializer(serializers.Serializer):
    """The fields of a registration (``SupplierData`` without documents). Only presence and types are
    checked here; what the values must be is the service's rule (with its stable codes)."""

    ruc = serializers.CharField(max_length=20, allow_blank=True)
    legal_name = serializers.CharField(max_length=300, allow_blank=True)
    trade_name = serializers.CharField(max_length=300, allow_blank=True, required=False, default="")
    address = serializers.CharField(max_length=300, allow_blank=True)
    region_code = serializers.CharField(max_length=8, allow_blank=True)
    district_ubigeo = serializers.CharField(max_length=10, allow_blank=True, required=False, default="")
    phone = serializers.CharField(max_length=40, allow_blank=True, required=False, default="")
    email = serializers.CharField(max_length=254, allow_blank=True)
    representative_name = serializers.CharField(max_length=300, allow_blank=True)
    representative_document = serializers.CharField(max_length=20, allow_blank=True)
    registers = serializers.ListField(child=serializers.CharField(max_length=30), max_length=4)
    category_codes = serializers.ListField(child=serializers.CharField(max_length=8), max_length=200)
    annual_sales = serializers.CharField(max_length=30, help_text='A decimal number, e.g. "350000.00".')
    sales_fiscal_year = serializers.IntegerField()
    employees = serializers.IntegerField()


def _unspsc_code(value: str) -> str:
    value = (value or "").strip()
    if not re.fullmatch(r"\d{2}|\d{4}|\d{6}|\d{8}", value):
        raise serializers.ValidationError(_("A UNSPSC code has 2, 4, 6 or 8 digits, e.g. 43 or 43211500."))
    return value.ljust(8, "0")


class SupplierFilterSerializer(serializers.Serializer):
    q = serializers.CharField(required=False, max_length=200, help_text="A RUC, or words of the legal or trade name.")
    category = serializers.CharField(required=False, max_length=8, help_text="A UNSPSC code at any level.")
    region = serializers.CharField(required=False, max_length=8, help_text="The region's ubigeo code, e.g. 15.")
    size_class = serializers.ChoiceField(required=False, choices=SizeClass.choices)
    status = serializers.ChoiceField(
        required=False,
        choices=[(value, label) for value, label in SupplierStatus.choices if value in PUBLIC_STATUSES],
        help_text="Default: active, suspended and expired.",
    )

    def validate_category(self, value: str) -> str:
        return _unspsc_code(value)


class SanctionSerializer(serializers.ModelSerializer):
    ruc = serializers.CharField(source="supplier.ruc", read_only=True)
    legal_name = serializers.CharField(source="supplier.legal_name", read_only=True)

    class Meta:
        model = Sanction
        fields = ["id", "ruc", "legal_name", "starts_on", "ends_on", "reason", "source"]


class LotSerializer(serializers.Serializer):
    reference = serializers.CharField(max_length=100)
    unspsc_codes = serializers.ListField(child=serializers.CharField(max_length=8), required=False, default=list)
    register = serializers.ChoiceField(choices=Register.choices, required=False, allow_null=True, default=None)
    mype_reserved = serializers.BooleanField(required=False, default=False)

    def validate_unspsc_codes(self, codes: list[str]) -> list[str]:
        return [_unspsc_code(code) for code in codes]


class EligibilityCheckRequestSerializer(serializers.Serializer):
    ruc = serializers.CharField(required=False, max_length=20)
    consortium_id = serializers.IntegerField(required=False, min_value=1)
    lot = LotSerializer()

    def validate(self, attrs: dict) -> dict:
        if ("ruc" in attrs) == ("consortium_id" in attrs):
            raise serializers.ValidationError(
                _("Give the supplier's RUC or the consortium's id: exactly one of the two.")
            )
        return attrs


class EligibilityReasonSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class EligibilityRecordSerializer(serializers.ModelSerializer):
    """The stored answer. The snapshot stays inside: it holds the exact declared sales."""

    ruc = serializers.CharField(source="supplier.ruc", read_only=True, default=None)
    consortium_id = serializers.IntegerField(read_only=True)
    party = serializers.CharField(source="party_label", read_only=True)
    reasons = serializers.ListField(child=serializers.DictField(), read_only=True)

    class Meta:
        model = EligibilityRecord
        fields = [
            "id",
            "purpose",
            "ruc",
            "consortium_id",
            "party",
            "lot_reference",
            "requirements",
            "eligible",
            "reasons",
            "size_class",
            "is_mype",
            "checked_at",
        ]


class VerificationSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)
