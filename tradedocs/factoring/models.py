"""Reverse-factoring chains: programmes, chains and their members, offers, negotiable documents,
financings and the ledger. Registered through ``tradedocs/models.py`` (one app, one migration history).

The invariants that money depends on are the database's, not only the services':
- a tax document (seller's tax id, type, number) enters the market once (``receivable_tax_identity``);
- a document has at most one live financing (``financing_one_live_per_document``);
- amounts are positive, spreads not negative.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tradedocs.factoring.enums import (
    LIVE_FINANCING,
    Account,
    DayCount,
    FinancingStatus,
    Movement,
    ReceivableSource,
    ReceivableStatus,
)

MONEY = {"max_digits": 18, "decimal_places": 2}
RATE = {"max_digits": 7, "decimal_places": 4}


class Programme(models.Model):
    """The rules a chain follows: the rate cap over the reference and the day-count convention."""

    code = models.SlugField(_("code"), unique=True)
    name = models.CharField(_("name"), max_length=200)
    reference_name = models.CharField(_("reference rate"), max_length=100, default="TAMN")
    cap_points = models.DecimalField(_("maximum spread over the reference (points)"), default=Decimal(7), **RATE)
    day_count = models.CharField(_("day count"), max_length=8, choices=DayCount.choices, default=DayCount.ACT_360)

    class Meta:
        verbose_name = _("factoring programme")
        verbose_name_plural = _("factoring programmes")
        constraints = [models.CheckConstraint(condition=models.Q(cap_points__gte=0), name="programme_cap_not_negative")]

    def __str__(self) -> str:
        return self.name


class Chain(models.Model):
    """A buyer's chain: its suppliers, the institutions it admits, and the limits of its exposure."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="chains")
    buyer = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="factoring_chains")
    name = models.CharField(_("name"), max_length=200)
    # Fixed when the chain opens, so that a programme's later change does not reprice live documents.
    day_count = models.CharField(_("day count"), max_length=8, choices=DayCount.choices)
    cap_points = models.DecimalField(_("maximum spread (points)"), **RATE)
    # Days to maturity of a confirmed invoice that states no due date.
    default_payment_days = models.PositiveSmallIntegerField(_("payment term (days)"), default=30)
    # Outstanding face value the buyer lets the market hold on it, across institutions (None: no limit).
    buyer_limit = models.DecimalField(_("exposure limit on the buyer"), null=True, blank=True, **MONEY)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("factoring chain")
        verbose_name_plural = _("factoring chains")

    def __str__(self) -> str:
        return self.name


class ChainSupplier(models.Model):
    chain = models.ForeignKey(Chain, on_delete=models.CASCADE, related_name="suppliers")
    supplier = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="factoring_memberships"
    )
    invited_at = models.DateTimeField(_("invited"))
    joined_at = models.DateTimeField(_("joined"), null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["chain", "supplier"], name="chain_supplier_once")]

    def __str__(self) -> str:
        return f"{self.chain_id}: supplier {self.supplier_id}"


class ChainInstitution(models.Model):
    """A financial institution admitted to a chain, with its exposure limit and auto-acceptance."""

    chain = models.ForeignKey(Chain, on_delete=models.CASCADE, related_name="institutions")
    institution = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="factoring_chains_financed"
    )
    admitted_at = models.DateTimeField(_("admitted"))
    # Outstanding face value the institution will hold on this chain's buyer (None: no limit).
    limit = models.DecimalField(_("exposure limit"), null=True, blank=True, **MONEY)
    # Selections up to this face value are operated at once, without an officer (None: never).
    auto_accept_up_to = models.DecimalField(_("accept automatically up to"), null=True, blank=True, **MONEY)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["chain", "institution"], name="chain_institution_once")]

    def __str__(self) -> str:
        return f"{self.chain_id}: institution {self.institution_id}"


class Offer(models.Model):
    """An institution's published price for a chain: reference rate plus spread, from a date."""

    chain = models.ForeignKey(Chain, on_delete=models.CASCADE, related_name="offers")
    institution = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="factoring_offers")
    reference_rate = models.DecimalField(_("reference rate (%)"), **RATE)
    spread = models.DecimalField(_("spread (points)"), **RATE)
    valid_from = models.DateField(_("valid from"))
    published_at = models.DateTimeField(_("published"))

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(spread__gte=0, reference_rate__gte=0), name="offer_rates_not_negative"
            ),
        ]
        indexes = [models.Index(fields=["chain", "institution", "-valid_from"], name="offer_current")]

    def __str__(self) -> str:
        return f"{self.institution_id} on {self.chain_id}: {self.reference_rate} + {self.spread}"

    @property
    def rate(self) -> Decimal:
        return self.reference_rate + self.spread


class Receivable(models.Model):
    """A negotiable document: what the buyer confirmed it owes the supplier, and when.

    Its tax identity (seller's tax id, type, number) is unique across the portal, so the same invoice
    cannot enter twice, whether from the portal's acceptance or from a buyer's upload.
    """

    chain = models.ForeignKey(Chain, on_delete=models.PROTECT, related_name="receivables")
    supplier = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="receivables")
    buyer = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="payables")
    invoice = models.OneToOneField(
        "tradedocs.Document", null=True, blank=True, on_delete=models.PROTECT, related_name="receivable"
    )
    source = models.CharField(_("source"), max_length=10, choices=ReceivableSource.choices)
    seller_tax_id = models.CharField(_("seller's tax id"), max_length=32)
    document_type = models.CharField(_("type"), max_length=12, default="invoice")
    number = models.CharField(_("number"), max_length=100)
    currency = models.CharField(_("currency"), max_length=3)
    face_value = models.DecimalField(_("face value"), **MONEY)
    credit_notes = models.DecimalField(_("credit notes netted"), default=Decimal(0), **MONEY)
    issue_date = models.DateField(_("issue date"), null=True, blank=True)
    due_date = models.DateField(_("due date"))
    status = models.CharField(_("status"), max_length=16, choices=ReceivableStatus.choices)
    status_changed_at = models.DateTimeField(_("status changed"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("negotiable document")
        verbose_name_plural = _("negotiable documents")
        constraints = [
            models.UniqueConstraint(
                fields=["seller_tax_id", "document_type", "number"], name="receivable_tax_identity"
            ),
            models.CheckConstraint(
                condition=models.Q(face_value__gt=0, credit_notes__gte=0), name="receivable_amounts_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=ReceivableStatus.values), name="receivable_status_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["supplier", "status"], name="receivable_supplier"),
            models.Index(fields=["chain", "status", "due_date"], name="receivable_chain_due"),
        ]

    def __str__(self) -> str:
        return f"{self.seller_tax_id} {self.number}"

    @property
    def amount(self) -> Decimal:
        """What is negotiable: the face value less the credit notes netted against it."""
        return self.face_value - self.credit_notes


class Financing(models.Model):
    """One institution's discount of one document: the selection, the operation, the settlement."""

    receivable = models.ForeignKey(Receivable, on_delete=models.PROTECT, related_name="financings")
    institution = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="financings")
    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=FinancingStatus.choices)
    face = models.DecimalField(_("face value"), **MONEY)
    rate = models.DecimalField(_("discount rate (%)"), **RATE)
    days = models.PositiveIntegerField(_("days"))
    discount = models.DecimalField(_("discount"), **MONEY)
    net = models.DecimalField(_("net amount"), **MONEY)
    effective_rate = models.DecimalField(_("effective annual rate (%)"), **RATE)
    disbursement_date = models.DateField(_("disbursement date"))
    selected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    selected_at = models.DateTimeField(_("selected"))
    operated_at = models.DateTimeField(_("operated"), null=True, blank=True)
    settled_at = models.DateTimeField(_("settled"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)

    class Meta:
        verbose_name = _("financing")
        verbose_name_plural = _("financings")
        constraints = [
            models.UniqueConstraint(
                fields=["receivable"],
                condition=models.Q(status__in=LIVE_FINANCING),
                name="financing_one_live_per_document",
            ),
            models.CheckConstraint(
                condition=models.Q(face__gt=0, discount__gte=0, net__gt=0), name="financing_amounts_valid"
            ),
        ]
        indexes = [models.Index(fields=["institution", "status"], name="financing_institution")]

    def __str__(self) -> str:
        return f"{self.receivable_id} by {self.institution_id} ({self.status})"


class LedgerEntry(models.Model):
    """One movement of one organisation's account; the entries of an operation sum to zero."""

    financing = models.ForeignKey(Financing, on_delete=models.PROTECT, related_name="entries")
    movement = models.CharField(_("movement"), max_length=12, choices=Movement.choices)
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    account = models.CharField(_("account"), max_length=10, choices=Account.choices)
    counterparty = models.ForeignKey(
        "accounts.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    amount = models.DecimalField(_("amount"), **MONEY)  # positive: debit (increase); negative: credit
    booked_at = models.DateTimeField(_("booked"))

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        indexes = [models.Index(fields=["organisation", "account"], name="ledger_account")]

    def __str__(self) -> str:
        return f"{self.financing_id} {self.movement} {self.organisation_id} {self.account} {self.amount}"


class BankAccount(models.Model):
    """A supplier's account (CCI) where discounts are paid; an operation needs a verified one."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="bank_accounts")
    bank = models.CharField(_("bank"), max_length=120)
    cci = models.CharField(_("interbank account code (CCI)"), max_length=20)
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("bank account")
        verbose_name_plural = _("bank accounts")
        constraints = [models.UniqueConstraint(fields=["organisation", "cci"], name="bank_account_once")]

    def __str__(self) -> str:
        return f"{self.bank} {self.cci}"
