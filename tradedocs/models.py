"""Trade documents exchanged through the portal: the original bytes, what they say, and their status."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tradedocs.enums import DocumentStatus, DocumentType, RejectionReason, Source, Syntax


class Document(models.Model):
    """One document as its sender submitted it.

    The original bytes are kept exactly as received, with their SHA-256: resubmitting the same bytes
    returns this row (idempotent), and the same number with other bytes from the same sender is a
    conflict. ``terms`` is the canonical model keyed by EN 16931 business terms; ``report`` the
    validation report. The seller's and buyer's tax ids are copied out so that inboxes and filters
    are plain indexed queries.
    """

    sender = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="sent_documents", verbose_name=_("sender")
    )
    # The organisation the document is addressed to, when it is on the portal: the buyer of an invoice,
    # the seller of an order.
    receiver = models.ForeignKey(
        "accounts.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="received_documents",
        verbose_name=_("receiver"),
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_via = models.CharField(_("submitted by"), max_length=120, blank=True)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    syntax = models.CharField(_("syntax"), max_length=8, choices=Syntax.choices)
    document_type = models.CharField(_("type"), max_length=12, choices=DocumentType.choices)
    status = models.CharField(_("status"), max_length=10, choices=DocumentStatus.choices)
    number = models.CharField(_("number"), max_length=100, blank=True)
    issue_date = models.DateField(_("issue date"), null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=19, decimal_places=4, null=True, blank=True)
    seller_tax_id = models.CharField(_("seller's tax id"), max_length=32, blank=True)
    seller_name = models.CharField(_("seller"), max_length=300, blank=True)
    buyer_tax_id = models.CharField(_("buyer's tax id"), max_length=32, blank=True)
    buyer_name = models.CharField(_("buyer"), max_length=300, blank=True)
    specification = models.CharField(_("specification"), max_length=200, blank=True)

    original = models.BinaryField(_("original XML"), editable=False)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    terms = models.JSONField(_("business terms"), null=True, blank=True)
    report = models.JSONField(_("validation report"), null=True, blank=True)
    svrl = models.JSONField(_("raw SVRL"), null=True, blank=True)

    # What the document answers or follows: an invoice's order, an order's contract.
    order = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="invoices", verbose_name=_("order")
    )
    contract = models.ForeignKey(
        "procurement.Contract",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="trade_documents",
        verbose_name=_("contract"),
    )
    # The receiver's answer (the status message): who, when, and the reasons of a rejection.
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    reasons = models.JSONField(_("reasons"), default=list, blank=True)

    created_at = models.DateTimeField(_("received at"), auto_now_add=True)
    validated_at = models.DateTimeField(_("validated at"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("trade document")
        verbose_name_plural = _("trade documents")
        constraints = [
            models.UniqueConstraint(fields=["sender", "sha256"], name="document_once_per_sender"),
            models.UniqueConstraint(
                fields=["sender", "document_type", "seller_tax_id", "number"],
                condition=~models.Q(number="") & ~models.Q(status="invalid"),
                name="document_number_once_per_sender",
            ),
            models.CheckConstraint(condition=models.Q(status__in=DocumentStatus.values), name="document_status_valid"),
        ]
        indexes = [
            models.Index(fields=["sender", "-created_at"], name="document_outbox"),
            models.Index(fields=["receiver", "-created_at"], name="document_inbox"),
            models.Index(fields=["seller_tax_id"], name="document_seller"),
            models.Index(fields=["buyer_tax_id"], name="document_buyer"),
        ]

    def __str__(self) -> str:
        return f"{self.get_document_type_display()} {self.number or self.sha256[:12]}"

    @property
    def is_invoice(self) -> bool:
        return self.document_type in {DocumentType.INVOICE, DocumentType.CREDIT_NOTE}

    @property
    def reasons_shown(self) -> list[tuple[str, str]]:
        """The rejection's reasons as a person reads them: the reason's name, and the buyer's text."""
        labels = dict(RejectionReason.choices)
        return [
            (str(labels.get(reason.get("code"), reason.get("code", ""))), reason.get("text", ""))
            for reason in self.reasons
        ]

    @property
    def other_syntax(self) -> str | None:
        """The syntax the portal can render this document in besides its own."""
        if self.document_type == DocumentType.ORDER:
            return None
        return Syntax.UBL if self.syntax == Syntax.CII else Syntax.CII


# Reverse factoring lives on these documents; its models share this app's migrations.
from tradedocs.factoring.models import (  # noqa: E402
    BankAccount,
    Chain,
    ChainInstitution,
    ChainSupplier,
    Financing,
    LedgerEntry,
    Offer,
    Programme,
    Receivable,
)

__all__ = [
    "BankAccount",
    "Chain",
    "ChainInstitution",
    "ChainSupplier",
    "Document",
    "Financing",
    "LedgerEntry",
    "Offer",
    "Programme",
    "Receivable",
]
