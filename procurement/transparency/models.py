"""Public transparency: who the entities are, and the public projection the search reads.

``PublicProcess`` is one row per published tender holding only what is public about it, kept up
to date inside the transaction of every lifecycle event (see ``transparency.hooks``). The search,
the drill-down pages and the statistics read it and nothing else of the tender, so they cannot
show what is sealed: sealed content is never copied here. ``rebuild_transparency`` rewrites it
from the tenders, for a new installation or after a change of what it holds.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from procurement.enums import GovernmentLevel, ProcurementObject, Sector, TenderStatus

MONEY = {"max_digits": 18, "decimal_places": 2}


class EntityProfile(models.Model):
    """What the public search needs to know of a contracting entity: its sector, level of government
    and region (Peru: the department of its seat)."""

    organisation = models.OneToOneField(
        "accounts.Organisation", on_delete=models.CASCADE, primary_key=True, related_name="entity_profile"
    )
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices, default=Sector.OTHER)
    level = models.CharField(
        _("level of government"), max_length=10, choices=GovernmentLevel.choices, default=GovernmentLevel.NATIONAL
    )
    region = models.ForeignKey(
        "smeregistry.Region", on_delete=models.PROTECT, related_name="entities", verbose_name=_("region")
    )

    class Meta:
        verbose_name = _("entity profile")
        verbose_name_plural = _("entity profiles")
        constraints = [
            models.CheckConstraint(condition=models.Q(sector__in=Sector.values), name="entity_profile_sector_valid"),
            models.CheckConstraint(
                condition=models.Q(level__in=GovernmentLevel.values), name="entity_profile_level_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.get_sector_display()}"


class PublicProcess(models.Model):
    """The public face of one published tender, flattened for search, drill-down and statistics.

    ``search_text`` holds the stems of the code, title, description, entity, items and awarded
    suppliers (``transparency.text``); ``keys`` holds exact tokens for the many-valued filters:
    ``c<prefix>`` for every level of every item's UNSPSC code (``c43``, ``c4321``, ``c432115``,
    ``c43211500``), ``d<region>`` for every delivery region and ``s<ruc>`` for every supplier with
    an award in force. ``awarded_amount`` is the sum of the awards in force, in ``currency``.
    """

    tender = models.OneToOneField(
        "procurement.Tender", on_delete=models.CASCADE, primary_key=True, related_name="public"
    )
    ocid = models.CharField(max_length=80, unique=True)
    code = models.CharField(_("code"), max_length=60)
    title = models.CharField(_("title"), max_length=300)
    entity = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    entity_name = models.CharField(_("entity"), max_length=200)
    entity_ruc = models.CharField(_("entity's RUC"), max_length=20)
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices)
    region_code = models.CharField(_("region"), max_length=8, blank=True)
    procedure_type = models.ForeignKey("procurement.ProcedureType", on_delete=models.PROTECT, related_name="+")
    object = models.CharField(_("object"), max_length=12, choices=ProcurementObject.choices)
    status = models.CharField(_("status"), max_length=20, choices=TenderStatus.choices)
    currency = models.CharField(_("currency"), max_length=3)
    reference_value = models.DecimalField(_("reference value"), **MONEY)
    awarded_amount = models.DecimalField(_("awarded amount"), null=True, blank=True, **MONEY)
    mype_awarded_amount = models.DecimalField(
        _("awarded to micro and small enterprises"), null=True, blank=True, **MONEY
    )
    published_at = models.DateTimeField(_("published"))
    awarded_at = models.DateTimeField(_("awarded"), null=True, blank=True)
    search_text = models.TextField(blank=True)
    keys = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("public process")
        verbose_name_plural = _("public processes")
        ordering = ["-published_at", "-tender"]
        indexes = [
            models.Index(fields=["-published_at", "-tender"], name="public_process_recent"),
            models.Index(fields=["entity", "-published_at"], name="public_process_entity"),
            models.Index(fields=["region_code", "-published_at"], name="public_process_region"),
            models.Index(fields=["sector", "-published_at"], name="public_process_sector"),
            models.Index(fields=["status", "-published_at"], name="public_process_status"),
            models.Index(fields=["procedure_type", "-published_at"], name="public_process_procedure"),
            models.Index(fields=["reference_value"], name="public_process_value"),
        ]
        # PostgreSQL only (migration 0009): GIN on to_tsvector('simple', search_text) and on keys.

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class VisitCounter(models.Model):
    """How many times a public page was visited, as SEACE showed on its search page. Incremented with
    one conditional UPDATE (``transparency.counter``), so concurrent visits are never lost."""

    key = models.CharField(max_length=60, primary_key=True)
    count = models.BigIntegerField(default=0)
    since = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("visit counter")
        verbose_name_plural = _("visit counters")

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"


class PricePoint(models.Model):
    """One agreed unit price: an item of a lot as priced in the award in force (the winning bid's
    opened prices, public from the opening), for the price history of a product. Kept in step by
    ``transparency.prices.refresh``; a revoked award takes its points with it."""

    tender = models.ForeignKey("procurement.Tender", on_delete=models.CASCADE, related_name="+")
    award = models.ForeignKey("procurement.Award", on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey("procurement.Item", on_delete=models.CASCADE, related_name="+")
    contract = models.ForeignKey(
        "procurement.Contract", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    entity = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    supplier = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    unspsc_code = models.CharField(_("UNSPSC code"), max_length=8)
    unit = models.CharField(_("unit"), max_length=3)
    region_code = models.CharField(_("delivery region"), max_length=8)
    quantity = models.DecimalField(_("quantity"), max_digits=18, decimal_places=3)
    unit_price = models.DecimalField(_("unit price"), max_digits=18, decimal_places=4)
    currency = models.CharField(_("currency"), max_length=3)
    agreed_at = models.DateTimeField(_("agreed"))

    class Meta:
        verbose_name = _("agreed unit price")
        verbose_name_plural = _("agreed unit prices")
        ordering = ["unspsc_code", "agreed_at", "pk"]
        indexes = [
            models.Index(fields=["unspsc_code", "agreed_at"], name="price_point_code"),
            models.Index(fields=["unspsc_code", "unit", "region_code", "agreed_at"], name="price_point_code_unit"),
        ]
        constraints = [models.UniqueConstraint(fields=["award", "item"], name="price_point_once_per_award_item")]

    def __str__(self) -> str:
        return f"{self.unspsc_code} {self.unit_price} {self.currency}/{self.unit}"
