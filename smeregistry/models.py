"""The national supplier registry: suppliers, what they sell, their size, sanctions and consortia.

Rules that differ by country (size classes, the tax unit, validity, the MYPE quota) are rows here,
never constants in code.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from smeregistry.enums import (
    CategoryLevel,
    CategoryMatch,
    DocumentType,
    EligibilityPurpose,
    NoEligibleBidPolicy,
    SizeClass,
    SupplierStatus,
)

MONEY = {"max_digits": 18, "decimal_places": 2}


# --- Reference data -------------------------------------------------------------------------------


class Region(models.Model):
    """A first-level administrative region (Peru: the 25 departments, ubigeo's first two digits)."""

    country = models.CharField(max_length=2, default="PE")
    code = models.CharField(_("code"), max_length=8)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["country", "code"], name="region_unique_code")]

    def __str__(self) -> str:
        return self.name


class UnspscCategory(models.Model):
    """A UNSPSC code. ``prefix`` holds its significant digits (segment 2, family 4, class 6, commodity 8),
    so that "is X inside Y" is a prefix test that an index answers."""

    code = models.CharField(_("code"), max_length=8, unique=True)
    prefix = models.CharField(max_length=8, unique=True)
    level = models.CharField(_("level"), max_length=10, choices=CategoryLevel.choices)
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children")
    name_es = models.CharField(_("name (Spanish)"), max_length=250)
    name_en = models.CharField(_("name (English)"), max_length=250)

    class Meta:
        verbose_name = _("UNSPSC category")
        verbose_name_plural = _("UNSPSC categories")
        ordering = ["code"]
        indexes = [
            models.Index(fields=["prefix"], name="unspsc_prefix_like", opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name_es}"

    @property
    def name(self) -> str:
        from django.utils.translation import get_language

        return self.name_en if (get_language() or "es").startswith("en") else self.name_es


class TaxUnitValue(models.Model):
    """The tax unit a jurisdiction measures sales in, per fiscal year (Peru: the UIT)."""

    jurisdiction = models.CharField(max_length=2, default="PE")
    unit = models.CharField(max_length=10, default="UIT")
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    value = models.DecimalField(_("value"), **MONEY)
    currency = models.CharField(max_length=3, default="PEN")

    class Meta:
        verbose_name = _("tax unit value")
        verbose_name_plural = _("tax unit values")
        ordering = ["jurisdiction", "-fiscal_year"]
        constraints = [
            models.UniqueConstraint(fields=["jurisdiction", "unit", "fiscal_year"], name="tax_unit_once_per_year"),
            models.CheckConstraint(condition=models.Q(value__gt=0), name="tax_unit_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.fiscal_year}: {self.currency} {self.value}"


class SizeClassRule(models.Model):
    """An upper bound of annual sales for a size class, in tax units, effective from a date.

    Peru (Law 30056): micro ≤ 150 UIT, small ≤ 1,700 UIT, medium ≤ 2,300 UIT, large above
    (``max_units`` empty). A class applies when sales ≤ max_units × the unit's value for the fiscal year.
    """

    jurisdiction = models.CharField(max_length=2, default="PE")
    size_class = models.CharField(_("size class"), max_length=10, choices=SizeClass.choices)
    max_units = models.DecimalField(_("maximum (tax units)"), max_digits=12, decimal_places=2, null=True, blank=True)
    unit = models.CharField(max_length=10, default="UIT")
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("size class rule")
        verbose_name_plural = _("size class rules")
        ordering = ["jurisdiction", "valid_from", models.F("max_units").asc(nulls_last=True)]

    def __str__(self) -> str:
        bound = f"≤ {self.max_units} {self.unit}" if self.max_units is not None else _("above")
        return f"{self.jurisdiction} {self.size_class} {bound} (from {self.valid_from})"


class JurisdictionPolicy(models.Model):
    """The registry and set-aside rules of one jurisdiction."""

    jurisdiction = models.CharField(max_length=2, unique=True)
    registration_validity_days = models.PositiveIntegerField(_("registration validity (days)"), default=365)
    reminder_days = models.JSONField(_("expiry reminders (days before)"), default=list)
    set_aside_classes = models.JSONField(_("size classes eligible for set-asides"), default=list)
    quota_target_percent = models.DecimalField(
        _("set-aside target (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("40.00"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    quota_amber_ratio = models.DecimalField(
        _("amber from (share of target)"), max_digits=4, decimal_places=2, default=Decimal("0.70")
    )
    category_match = models.CharField(max_length=8, choices=CategoryMatch.choices, default=CategoryMatch.ANY)
    reserved_lot_no_eligible_bid = models.CharField(
        max_length=20, choices=NoEligibleBidPolicy.choices, default=NoEligibleBidPolicy.VOID_AND_REOPEN
    )
    currency = models.CharField(max_length=3, default="PEN")

    class Meta:
        verbose_name = _("jurisdiction policy")
        verbose_name_plural = _("jurisdiction policies")

    def __str__(self) -> str:
        return self.jurisdiction


# --- Suppliers ------------------------------------------------------------------------------------


class Supplier(models.Model):
    """A registered supplier: the registry's record about a supplier organisation."""

    organisation = models.OneToOneField(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="supplier", verbose_name=_("organisation")
    )
    jurisdiction = models.CharField(max_length=2, default="PE")
    ruc = models.CharField(_("RUC"), max_length=11, unique=True)
    legal_name = models.CharField(_("legal name"), max_length=200)
    trade_name = models.CharField(_("trade name"), max_length=200, blank=True)
    address = models.CharField(_("tax address"), max_length=250)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="suppliers", verbose_name=_("region"))
    district_ubigeo = models.CharField(_("district ubigeo"), max_length=6, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("contact e-mail"))
    representative_name = models.CharField(_("legal representative"), max_length=200)
    representative_document = models.CharField(_("representative's DNI"), max_length=12)
    goods = models.BooleanField(_("goods register"), default=False)
    services = models.BooleanField(_("services register"), default=False)
    works_consulting = models.BooleanField(_("works consulting register"), default=False)
    works_execution = models.BooleanField(_("works execution register"), default=False)
    annual_sales = models.DecimalField(_("annual sales"), **MONEY)
    sales_fiscal_year = models.PositiveSmallIntegerField(_("fiscal year of the sales"))
    employees = models.PositiveIntegerField(_("employees"))
    # Computed from sales and the rules in force, never typed in; refreshed when sales change.
    size_class = models.CharField(_("size class"), max_length=10, choices=SizeClass.choices, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=SupplierStatus.choices, default=SupplierStatus.PENDING
    )
    status_reason = models.CharField(_("reason"), max_length=300, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    registered_at = models.DateTimeField(_("registered"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")
        ordering = ["legal_name"]
        indexes = [
            models.Index(fields=["region", "status"], name="supplier_region_status"),
            models.Index(fields=["size_class", "status"], name="supplier_size_status"),
            models.Index(fields=["status", "valid_until"], name="supplier_validity"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(annual_sales__gte=0), name="supplier_sales_not_negative"),
            models.CheckConstraint(
                condition=models.Q(goods=True)
                | models.Q(services=True)
                | models.Q(works_consulting=True)
                | models.Q(works_execution=True),
                name="supplier_in_some_register",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.legal_name} ({self.ruc})"

    @property
    def registers(self) -> list[str]:
        return [name for name in ("goods", "services", "works_consulting", "works_execution") if getattr(self, name)]


class SupplierCategory(models.Model):
    """A UNSPSC category a supplier supplies. ``prefix`` is copied from the category so that searches
    filter one indexed table."""

    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="category_links")
    category = models.ForeignKey(UnspscCategory, on_delete=models.PROTECT, related_name="+")
    prefix = models.CharField(max_length=8)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["supplier", "category"], name="supplier_category_once")]
        indexes = [
            models.Index(
                fields=["prefix", "supplier"],
                name="supplier_category_prefix",
                opclasses=["varchar_pattern_ops", "int8_ops"],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.supplier_id} · {self.prefix}"


def supplier_document_path(instance: SupplierDocument, filename: str) -> str:
    return f"registry/{instance.owner_id}/{instance.sha256[:16]}-{filename[-80:]}"


class SupplierDocument(models.Model):
    """A supporting document uploaded during registration (kept with the person's draft until it
    is submitted, then attached to the supplier)."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, null=True, blank=True, related_name="documents")
    doc_type = models.CharField(_("document type"), max_length=24, choices=DocumentType.choices)
    file = models.FileField(_("file"), upload_to=supplier_document_path)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("supporting document")
        verbose_name_plural = _("supporting documents")

    def __str__(self) -> str:
        return f"{self.get_doc_type_display()}: {self.original_name}"


class RegistrationDraft(models.Model):
    """A registration in progress: what a person has typed so far, step by step, to resume later.

    Nothing here is part of the registry until ``supplier_register`` accepts the whole.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="registration_draft")
    data = models.JSONField(default=dict)
    step = models.PositiveSmallIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"draft of {self.user_id} at step {self.step}"


# --- Sanctions and consortia ----------------------------------------------------------------------


class Sanction(models.Model):
    """A disqualification (inhabilitación). Whether it applies on a day is computed from its dates."""

    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="sanctions")
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True, help_text=_("Empty for a permanent sanction."))
    reason = models.CharField(_("reason"), max_length=500)
    source = models.CharField(_("source"), max_length=200, help_text=_("The resolution that imposed it."))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("sanction")
        verbose_name_plural = _("sanctions")
        ordering = ["-starts_on"]
        indexes = [models.Index(fields=["supplier", "starts_on", "ends_on"], name="sanction_period")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True) | models.Q(ends_on__gte=models.F("starts_on")),
                name="sanction_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.supplier} {self.starts_on}–{self.ends_on or '∞'}"

    def in_force_on(self, day) -> bool:
        return self.starts_on <= day and (self.ends_on is None or self.ends_on >= day)


class Consortium(models.Model):
    """Two or more registered suppliers bidding together."""

    name = models.CharField(_("name"), max_length=200)
    lead = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="led_consortia", verbose_name=_("lead"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("consortium")
        verbose_name_plural = _("consortia")

    def __str__(self) -> str:
        return self.name


class ConsortiumMember(models.Model):
    consortium = models.ForeignKey(Consortium, on_delete=models.CASCADE, related_name="members")
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="consortium_memberships")
    participation = models.DecimalField(
        _("participation (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(100)],
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["consortium", "supplier"], name="consortium_member_once"),
            models.CheckConstraint(
                condition=models.Q(participation__gt=0) & models.Q(participation__lte=100),
                name="consortium_participation_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.supplier} {self.participation}%"


# --- Eligibility and set-aside quotas -------------------------------------------------------------


class EligibilityRecord(models.Model):
    """The immutable answer to "may this party take part in this lot, at this moment, and why".

    Snapshots the size class and what it was computed from, so that a later change of sales or
    rules never rewrites the past. The database refuses updates to these rows.
    """

    purpose = models.CharField(max_length=8, choices=EligibilityPurpose.choices)
    checked_at = models.DateTimeField(db_index=True)
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    consortium = models.ForeignKey(Consortium, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    party_label = models.CharField(max_length=250)
    # What was checked against: the lot's reference and requirements as given by procurement.
    lot_reference = models.CharField(max_length=100, db_index=True)
    requirements = models.JSONField(default=dict)
    eligible = models.BooleanField()
    reasons = models.JSONField(default=list)
    size_class = models.CharField(max_length=10, choices=SizeClass.choices, blank=True)
    is_mype = models.BooleanField(default=False)
    snapshot = models.JSONField(default=dict)
    checked_by = models.CharField(max_length=200)
    # The organisation the check was run for (an entity's bid intake, an integrator, the supplier
    # itself); it and the operators may read the record back.
    checked_for = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("eligibility record")
        verbose_name_plural = _("eligibility records")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(supplier__isnull=False, consortium__isnull=True)
                | models.Q(supplier__isnull=True, consortium__isnull=False),
                name="eligibility_one_party",
            )
        ]

    def __str__(self) -> str:
        return f"{self.party_label} · {self.lot_reference} · {'eligible' if self.eligible else 'not eligible'}"


class AwardFact(models.Model):
    """One awarded contract, as the set-aside quota counts it. Written by procurement through
    ``award_fact_record``; one row per awarded lot (``source`` is unique)."""

    source = models.CharField(max_length=100, unique=True)
    jurisdiction = models.CharField(max_length=2, default="PE")
    entity = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, null=True, blank=True, related_name="award_facts")
    consortium = models.ForeignKey(Consortium, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    size_class = models.CharField(max_length=10, choices=SizeClass.choices)
    is_mype = models.BooleanField()
    amount = models.DecimalField(**MONEY)
    currency = models.CharField(max_length=3)
    # The amount in the jurisdiction's currency, the unit quotas are measured in.
    amount_local = models.DecimalField(**MONEY)
    awarded_on = models.DateField()
    fiscal_year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=300, blank=True)
    url = models.CharField(max_length=300, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["entity", "fiscal_year", "month"], name="award_fact_entity_period"),
            models.Index(fields=["supplier", "-awarded_on"], name="award_fact_supplier"),
        ]

    def __str__(self) -> str:
        return self.source


class QuotaMonth(models.Model):
    """Running totals per entity and month, kept in step with AwardFact by the same transaction,
    so that dashboards read a dozen rows instead of scanning every award."""

    jurisdiction = models.CharField(max_length=2, default="PE")
    entity = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    fiscal_year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()
    total_amount = models.DecimalField(default=Decimal("0"), **MONEY)
    total_count = models.PositiveIntegerField(default=0)
    mype_amount = models.DecimalField(default=Decimal("0"), **MONEY)
    mype_count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["entity", "fiscal_year", "month"], name="quota_month_once"),
        ]
        indexes = [models.Index(fields=["jurisdiction", "fiscal_year"], name="quota_month_national")]

    def __str__(self) -> str:
        return f"{self.entity_id} {self.fiscal_year}-{self.month:02d}"
