"""Public procurement: the data behind the tender lifecycle.

Configuration (the holiday calendar, procedure types as validated rows), then the plan (PAC) and
the tender with its lots, items and published documents. Bids, evaluation, awards, appeals and
contracts follow in their own models as the lifecycle is built.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from procurement.enums import (
    AppealStatus,
    AwardStatus,
    ContractStatus,
    DocumentKind,
    LotStatus,
    PlanStatus,
    ProcurementObject,
    TenderStatus,
)
from procurement.procedure_config import validate_procedure_config

MONEY = {"max_digits": 18, "decimal_places": 2}


class Holiday(models.Model):
    """A public holiday: not a working day for deadlines counted in working days."""

    jurisdiction = models.CharField(max_length=2, default="PE")
    day = models.DateField(_("day"))
    name = models.CharField(_("name"), max_length=150)

    class Meta:
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        ordering = ["day"]
        constraints = [models.UniqueConstraint(fields=["jurisdiction", "day"], name="holiday_once_per_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.name}"


class ProcedureType(models.Model):
    """A kind of procedure (licitación pública, subasta inversa…) as configuration, not as code.

    ``config`` keys: ``stages`` (ordered subset of enums.Stage), ``min_durations`` ({stage: {days,
    unit}}), ``objects``, ``value_min``/``value_max`` (in the jurisdiction's currency, empty for no
    bound), ``min_bids``, ``appeal_window`` ({days, unit}), ``evaluation`` (price_only|weighted).
    See ``procedure_config.validate_procedure_config`` for the rules it must satisfy.
    """

    jurisdiction = models.CharField(max_length=2, default="PE")
    code = models.SlugField(_("code"), max_length=50)
    name = models.CharField(_("name"), max_length=150)
    config = models.JSONField(_("configuration"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("procedure type")
        verbose_name_plural = _("procedure types")
        ordering = ["jurisdiction", "name"]
        constraints = [models.UniqueConstraint(fields=["jurisdiction", "code"], name="procedure_type_code_unique")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        # A procedure type that breaks the rules would break every tender of its kind: never store one.
        self.clean()
        super().save(*args, **kwargs)

    def clean(self) -> None:
        problems = validate_procedure_config(self.config or {})
        if problems:
            raise ValidationError({"config": problems})


def _unspsc_validator(value: str) -> None:
    if len(value) != 8 or not value.isdigit():
        raise ValidationError(_("A UNSPSC code has 8 digits."))


class Plan(models.Model):
    """An entity's annual procurement plan (PAC) for a fiscal year. A modification is a new version;
    earlier versions stay, superseded, so the plan's history is public."""

    entity = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="procurement_plans")
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    status = models.CharField(_("status"), max_length=12, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("procurement plan")
        verbose_name_plural = _("procurement plans")
        ordering = ["entity", "-fiscal_year", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["entity", "fiscal_year", "version"], name="plan_version_unique"),
            # At most one published (current) version per entity and year.
            models.UniqueConstraint(
                fields=["entity", "fiscal_year"],
                condition=models.Q(status="published"),
                name="plan_one_published_version",
            ),
        ]

    def __str__(self) -> str:
        return f"PAC {self.fiscal_year} v{self.version} · {self.entity}"


class PlanLine(models.Model):
    """One planned purchase. ``number`` is stable across the plan's versions."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="lines")
    number = models.PositiveIntegerField(_("number"))
    description = models.CharField(_("description"), max_length=300)
    object = models.CharField(_("object"), max_length=12, choices=ProcurementObject.choices)
    procedure_type = models.ForeignKey(ProcedureType, on_delete=models.PROTECT, related_name="+")
    unspsc_code = models.CharField(_("UNSPSC code"), max_length=8, validators=[_unspsc_validator])
    estimated_value = models.DecimalField(_("estimated value"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3, default="PEN")
    planned_month = models.PositiveSmallIntegerField(_("planned month"))

    class Meta:
        verbose_name = _("plan line")
        verbose_name_plural = _("plan lines")
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="plan_line_number_unique"),
            models.CheckConstraint(condition=models.Q(estimated_value__gt=0), name="plan_line_value_positive"),
            models.CheckConstraint(
                condition=models.Q(planned_month__gte=1, planned_month__lte=12), name="plan_line_month_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.description}"


class Tender(models.Model):
    """A procurement process (convocatoria) of an entity, from its draft to its contracts.

    Dates are aware datetimes stored in UTC and shown in Lima time. ``next_check`` is when the
    chronograph must look at the tender again (the earliest pending deadline); it is indexed so the
    sweep reads only what is due.
    """

    entity = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="tenders")
    plan_line = models.ForeignKey(PlanLine, on_delete=models.PROTECT, related_name="tenders")
    procedure_type = models.ForeignKey(ProcedureType, on_delete=models.PROTECT, related_name="tenders")
    code = models.CharField(_("code"), max_length=60, unique=True)
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    object = models.CharField(_("object"), max_length=12, choices=ProcurementObject.choices)
    currency = models.CharField(_("currency"), max_length=3, default="PEN")
    reference_value = models.DecimalField(_("reference value"), **MONEY)
    status = models.CharField(_("status"), max_length=20, choices=TenderStatus.choices, default=TenderStatus.DRAFT)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    enquiries_end = models.DateTimeField(_("questions until"), null=True, blank=True)
    integrated_bases_at = models.DateTimeField(_("integrated bases on"), null=True, blank=True)
    bids_due = models.DateTimeField(_("bids until"), null=True, blank=True)
    opening_at = models.DateTimeField(_("opening on"), null=True, blank=True)
    auction_at = models.DateTimeField(_("auction on"), null=True, blank=True)
    opened_at = models.DateTimeField(_("bids opened"), null=True, blank=True)
    awarded_at = models.DateTimeField(_("awarded"), null=True, blank=True)
    appeal_until = models.DateTimeField(_("appeals until"), null=True, blank=True)
    consented_at = models.DateTimeField(_("award consented"), null=True, blank=True)
    # Public seed of the draw that breaks ties nothing else breaks (see scoring.py): anyone can redo it.
    lottery_seed = models.CharField(_("lottery seed"), max_length=64, blank=True)
    next_check = models.DateTimeField(null=True, blank=True, db_index=True)
    status_reason = models.CharField(_("reason"), max_length=500, blank=True)
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("tender")
        verbose_name_plural = _("tenders")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["entity", "status"], name="tender_entity_status")]
        constraints = [
            models.CheckConstraint(condition=models.Q(reference_value__gt=0), name="tender_value_positive"),
            models.CheckConstraint(condition=models.Q(status__in=TenderStatus.values), name="tender_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class Lot(models.Model):
    """Every tender has at least one lot; each lot is evaluated and awarded on its own."""

    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="lots")
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=300)
    reference_value = models.DecimalField(_("reference value"), **MONEY)
    mype_reserved = models.BooleanField(_("reserved for micro and small enterprises"), default=False)
    status = models.CharField(_("status"), max_length=12, choices=LotStatus.choices, default=LotStatus.OPEN)
    status_reason = models.CharField(_("reason"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("lot")
        verbose_name_plural = _("lots")
        ordering = ["tender", "number"]
        constraints = [
            models.UniqueConstraint(fields=["tender", "number"], name="lot_number_unique"),
            models.CheckConstraint(condition=models.Q(reference_value__gt=0), name="lot_value_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.tender.code} / {self.number}"


class Item(models.Model):
    lot = models.ForeignKey(Lot, on_delete=models.CASCADE, related_name="items")
    number = models.PositiveSmallIntegerField(_("number"))
    unspsc_code = models.CharField(_("UNSPSC code"), max_length=8, validators=[_unspsc_validator])
    description = models.CharField(_("description"), max_length=500)
    quantity = models.DecimalField(_("quantity"), max_digits=18, decimal_places=3)
    unit = models.CharField(_("unit (UN/ECE Rec 20)"), max_length=3)
    delivery_place = models.CharField(_("delivery place"), max_length=300)
    region_code = models.CharField(_("delivery region"), max_length=8)

    class Meta:
        verbose_name = _("item")
        verbose_name_plural = _("items")
        ordering = ["lot", "number"]
        constraints = [
            models.UniqueConstraint(fields=["lot", "number"], name="item_number_unique"),
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="item_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.description}"


def tender_document_path(instance: TenderDocument, filename: str) -> str:
    return f"tenders/{instance.tender_id}/{instance.kind}-v{instance.version}-{instance.sha256[:12]}-{filename[-80:]}"


class TenderDocument(models.Model):
    """A published document of a tender (bases and their versions). Never edited: a new version."""

    tender = models.ForeignKey(Tender, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind.choices)
    version = models.PositiveSmallIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=300)
    file = models.FileField(_("file"), upload_to=tender_document_path)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    uploaded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("tender document")
        verbose_name_plural = _("tender documents")
        ordering = ["tender", "kind", "version"]
        constraints = [models.UniqueConstraint(fields=["tender", "kind", "version"], name="tender_document_version")]

    def __str__(self) -> str:
        return f"{self.tender.code} {self.get_kind_display()} v{self.version}"


class Participant(models.Model):
    """A supplier registered (free of charge) as a participant of a tender: it may then ask questions
    and make observations, and hears of the published answers."""

    tender = models.ForeignKey(Tender, on_delete=models.PROTECT, related_name="participants")
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="tender_participations"
    )
    registered_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    registered_at = models.DateTimeField(_("registered"))

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["tender", "registered_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["tender", "organisation"], name="participant_once_per_tender"),
        ]

    def __str__(self) -> str:
        return f"{self.tender.code} · {self.organisation}"


class QuestionKind(models.TextChoices):
    # Kept next to its model: this change may only append to models.py (see the commit message).
    QUESTION = "question", _("Question")
    OBSERVATION = "observation", _("Observation")


QUESTION_MAX_CHARS = 4000


class Question(models.Model):
    """A participant's question or observation on the bases, and the entity's answer.

    Answers are published all at once, with the integrated bases; until then only the entity sees
    them. Who asked is never published.
    """

    tender = models.ForeignKey(Tender, on_delete=models.PROTECT, related_name="questions")
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="questions", null=True, blank=True)
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="questions")
    kind = models.CharField(_("kind"), max_length=12, choices=QuestionKind.choices, default=QuestionKind.QUESTION)
    text = models.TextField(_("text"), max_length=QUESTION_MAX_CHARS)
    asked_at = models.DateTimeField(_("asked"))
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["tender", "asked_at", "pk"]
        indexes = [models.Index(fields=["tender", "published_at"], name="question_tender_published")]
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=QuestionKind.values), name="question_kind_valid"),
            # An answer is published only once it exists.
            models.CheckConstraint(
                condition=models.Q(published_at__isnull=True) | models.Q(answered_at__isnull=False),
                name="question_published_answered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tender.code} · {self.get_kind_display()} {self.pk}"


class BidStatus(models.TextChoices):
    # Kept next to its model: this change may only append to models.py.
    SUBMITTED = "submitted", _("Submitted")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    REPLACED = "replaced", _("Replaced by a later bid")


class Bid(models.Model):
    """A participant's sealed bid for a lot: prices and technical declarations, encrypted.

    Nothing of the content is stored in clear: ``sealed`` is the box (see ``procurement.sealing``) and
    ``digest`` the SHA-256 of the canonical content, salt included, as printed on the receipt. A new
    bid replaces the live one; at most one bid per lot and participant is live (submitted).
    """

    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="bids")
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="bids")
    status = models.CharField(_("status"), max_length=10, choices=BidStatus.choices, default=BidStatus.SUBMITTED)
    sealed = models.JSONField()
    digest = models.CharField(_("digest"), max_length=64)
    received_at = models.DateTimeField(_("received"))
    eligibility = models.ForeignKey("smeregistry.EligibilityRecord", on_delete=models.PROTECT, related_name="+")
    idempotency_key = models.CharField(max_length=100)
    replaces = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaced_by")
    # Filled by the opening, and only then: the content read from the box, now public.
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    opened_prices = models.JSONField(null=True, blank=True)
    opened_technical = models.JSONField(null=True, blank=True)
    price_total = models.DecimalField(_("total price"), null=True, blank=True, **MONEY)

    class Meta:
        verbose_name = _("bid")
        verbose_name_plural = _("bids")
        ordering = ["lot", "received_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=BidStatus.values), name="bid_status_valid"),
            models.UniqueConstraint(
                fields=["lot", "participant"],
                condition=models.Q(status="submitted"),
                name="bid_one_live_per_lot_participant",
            ),
            models.UniqueConstraint(fields=["participant", "idempotency_key"], name="bid_idempotency_key_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.lot} · bid {self.pk} ({self.status})"


class BidEvaluation(models.Model):
    """The evaluation committee's verdict on one opened bid: qualified or not (with the reason) and,
    in a weighted evaluation, its technical points. Revised until the lot is awarded; each change is
    audited."""

    bid = models.OneToOneField(Bid, on_delete=models.PROTECT, related_name="evaluation")
    qualified = models.BooleanField(_("qualified"))
    technical_score = models.DecimalField(_("technical points"), max_digits=7, decimal_places=2, null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    evaluated_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    evaluated_at = models.DateTimeField(_("evaluated"))

    class Meta:
        verbose_name = _("bid evaluation")
        verbose_name_plural = _("bid evaluations")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(technical_score__isnull=True) | models.Q(technical_score__gte=0),
                name="bid_evaluation_score_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bid} · {'qualified' if self.qualified else 'not qualified'}"


class LotScore(models.Model):
    """One row of a lot's published score sheet (cuadro comparativo) for one evaluation round.

    A round is one award act: an upheld appeal sends the lot back to evaluation and the next award
    writes the next round; earlier rounds stay, as published."""

    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="scores")
    bid = models.ForeignKey(Bid, on_delete=models.PROTECT, related_name="scores")
    round = models.PositiveSmallIntegerField(_("round"))
    bidder_name = models.CharField(_("bidder"), max_length=250)
    bidder_ruc = models.CharField(_("RUC"), max_length=11)
    is_mype = models.BooleanField(_("MYPE"))
    price = models.DecimalField(_("price"), **MONEY)
    technical = models.DecimalField(_("technical points"), max_digits=7, decimal_places=2, null=True, blank=True)
    price_points = models.DecimalField(_("price points"), max_digits=9, decimal_places=4, null=True, blank=True)
    total = models.DecimalField(_("total points"), max_digits=9, decimal_places=4, null=True, blank=True)
    rank = models.PositiveSmallIntegerField(_("rank"), null=True, blank=True)
    excluded_reason = models.CharField(_("excluded because"), max_length=40, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("score sheet row")
        verbose_name_plural = _("score sheet rows")
        ordering = ["lot", "-round", "rank", "pk"]
        constraints = [models.UniqueConstraint(fields=["lot", "bid", "round"], name="lot_score_once_per_round")]

    def __str__(self) -> str:
        return f"{self.lot} · round {self.round} · {self.bidder_ruc}"


class Award(models.Model):
    """The buena pro of a lot: the winning bid, its supplier and amount. Revoked, not deleted, when an
    appeal is upheld or the process is cancelled or annulled."""

    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="awards")
    bid = models.ForeignKey(Bid, on_delete=models.PROTECT, related_name="awards")
    supplier = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="procurement_awards")
    amount = models.DecimalField(_("amount"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3)
    round = models.PositiveSmallIntegerField(_("round"))
    status = models.CharField(_("status"), max_length=10, choices=AwardStatus.choices, default=AwardStatus.ACTIVE)
    eligibility = models.ForeignKey("smeregistry.EligibilityRecord", on_delete=models.PROTECT, related_name="+")
    awarded_at = models.DateTimeField(_("awarded"))
    awarded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("award")
        verbose_name_plural = _("awards")
        ordering = ["lot", "-awarded_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="award_amount_positive"),
            models.UniqueConstraint(
                fields=["lot"], condition=models.Q(status="active"), name="award_one_active_per_lot"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lot} → {self.supplier}"


class AppealFeeRule(models.Model):
    """What filing an appeal costs: a rate of the appealed lot's reference value, with a floor, in
    force from a day. Data, changed by the jurisdiction's law, never code."""

    jurisdiction = models.CharField(max_length=2, default="PE")
    valid_from = models.DateField(_("valid from"))
    rate = models.DecimalField(_("rate"), max_digits=6, decimal_places=5)
    minimum = models.DecimalField(_("minimum"), **MONEY)

    class Meta:
        verbose_name = _("appeal fee rule")
        verbose_name_plural = _("appeal fee rules")
        ordering = ["jurisdiction", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["jurisdiction", "valid_from"], name="appeal_fee_rule_once_per_day"),
            models.CheckConstraint(condition=models.Q(rate__gt=0, rate__lt=1), name="appeal_fee_rate_fraction"),
            models.CheckConstraint(condition=models.Q(minimum__gte=0), name="appeal_fee_minimum_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.jurisdiction} {self.valid_from}: {self.rate}"


class ExchangeRate(models.Model):
    """Local currency per unit of a foreign one on a day (Peru: the SBS rate), to count a USD award
    towards the entity's quota in soles."""

    currency = models.CharField(max_length=3)
    day = models.DateField(_("day"))
    rate = models.DecimalField(_("rate"), max_digits=12, decimal_places=6)

    class Meta:
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        ordering = ["currency", "-day"]
        constraints = [
            models.UniqueConstraint(fields=["currency", "day"], name="exchange_rate_once_per_day"),
            models.CheckConstraint(condition=models.Q(rate__gt=0), name="exchange_rate_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.currency} {self.day}: {self.rate}"


class Appeal(models.Model):
    """A bidder's appeal (recurso de apelación) against the result of a lot, resolved by the
    oversight body. While one is pending, the award is not consented."""

    tender = models.ForeignKey(Tender, on_delete=models.PROTECT, related_name="appeals")
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="appeals")
    appellant = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    grounds = models.TextField(_("grounds"), max_length=20_000)
    fee = models.DecimalField(_("fee"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3)
    status = models.CharField(_("status"), max_length=10, choices=AppealStatus.choices, default=AppealStatus.FILED)
    filed_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField(_("filed"))
    resolution = models.TextField(_("resolution"), blank=True)
    resolved_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["tender", "filed_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=AppealStatus.values), name="appeal_status_valid"),
            models.UniqueConstraint(
                fields=["lot", "appellant"], condition=models.Q(status="filed"), name="appeal_one_pending_per_bidder"
            ),
            models.CheckConstraint(
                condition=models.Q(status="filed", resolved_at__isnull=True)
                | (~models.Q(status="filed") & models.Q(resolved_at__isnull=False)),
                name="appeal_resolved_when_decided",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lot} · appeal {self.pk} ({self.status})"


class Contract(models.Model):
    """The contract of a consented award, signed by both parties; its summary is public, and so is the
    entity's evaluation of the supplier's performance when it is completed."""

    award = models.OneToOneField(Award, on_delete=models.PROTECT, related_name="contract")
    tender = models.ForeignKey(Tender, on_delete=models.PROTECT, related_name="contracts")
    supplier = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="procurement_contracts"
    )
    number = models.CharField(_("number"), max_length=80, unique=True)
    amount = models.DecimalField(_("amount"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3)
    status = models.CharField(
        _("status"), max_length=20, choices=ContractStatus.choices, default=ContractStatus.AWAITING_SIGNATURES
    )
    created_at = models.DateTimeField(_("created"))
    entity_signed_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    entity_signed_at = models.DateTimeField(_("signed by the entity"), null=True, blank=True)
    supplier_signed_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    supplier_signed_at = models.DateTimeField(_("signed by the supplier"), null=True, blank=True)
    signed_at = models.DateTimeField(_("signed"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(_("performance rating"), null=True, blank=True)
    performance_comment = models.TextField(_("performance evaluation"), blank=True)

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["tender", "number"]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=ContractStatus.values), name="contract_status_valid"),
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                name="contract_rating_one_to_five",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="completed") | models.Q(rating__isnull=False, completed_at__isnull=False),
                name="contract_completed_rated",
            ),
        ]

    def __str__(self) -> str:
        return self.number


# The public projection and the OCDS releases live in their own modules; Django finds models here.
from procurement.auction.models import Auction, AuctionBid, AuctionBidder  # noqa: E402
from procurement.ocds.models import Release  # noqa: E402
from procurement.transparency.models import EntityProfile, PricePoint, PublicProcess, VisitCounter  # noqa: E402

__all__ = [
    "Appeal",
    "AppealFeeRule",
    "Auction",
    "AuctionBid",
    "AuctionBidder",
    "Award",
    "Bid",
    "BidEvaluation",
    "Contract",
    "EntityProfile",
    "ExchangeRate",
    "Holiday",
    "Item",
    "Lot",
    "LotScore",
    "Participant",
    "Plan",
    "PlanLine",
    "PricePoint",
    "ProcedureType",
    "PublicProcess",
    "Question",
    "Release",
    "Tender",
    "TenderDocument",
    "VisitCounter",
]
