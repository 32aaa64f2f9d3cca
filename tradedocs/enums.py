from django.db import models
from django.utils.translation import gettext_lazy as _


class Syntax(models.TextChoices):
    CII = "cii", _("UN/CEFACT CII")
    UBL = "ubl", _("UBL 2.1")
    ORDERX = "orderx", _("Order-X")


class DocumentType(models.TextChoices):
    INVOICE = "invoice", _("Invoice")
    CREDIT_NOTE = "credit_note", _("Credit note")
    ORDER = "order", _("Order")


class DocumentStatus(models.TextChoices):
    """received → valid | invalid; a valid invoice or credit note → accepted | rejected by its buyer."""

    RECEIVED = "received", _("Received, being validated")
    VALID = "valid", _("Valid, delivered")
    INVALID = "invalid", _("Invalid")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


class Source(models.TextChoices):
    API = "api", _("API")
    WEB_FORM = "web_form", _("Web form")
    UPLOAD = "upload", _("Upload")
    CONTRACT = "contract", _("Issued from a contract")


class RejectionReason(models.TextChoices):
    """Why a buyer rejects an invoice (a subset of UNCL 4343-style reasons a person can choose)."""

    WRONG_REFERENCE = "REF", _("Wrong or missing order or contract reference")
    WRONG_AMOUNT = "AMT", _("Amounts do not match what was ordered or received")
    NOT_RECEIVED = "DEL", _("Goods or services not received")
    WRONG_PARTY = "PTY", _("Wrong buyer or seller details")
    DUPLICATE = "DUP", _("Duplicate invoice")
    OTHER = "OTH", _("Other")
