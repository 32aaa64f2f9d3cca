from django.db import models
from django.utils.translation import gettext_lazy as _


class DayCount(models.TextChoices):
    ACT_360 = "ACT/360", _("Actual/360")
    ACT_365 = "ACT/365", _("Actual/365")


class ReceivableStatus(models.TextChoices):
    """NAFIN's document statuses."""

    NEGOTIABLE = "negotiable", _("Negotiable")
    SELECTED = "selected", _("Selected")
    OPERATED = "operated", _("Operated (discounted)")
    SETTLED = "settled", _("Operated and paid")
    WITHDRAWN = "withdrawn", _("Withdrawn by the buyer")
    NOT_NEGOTIABLE = "not_negotiable", _("Not negotiable (in dispute)")
    EXPIRED = "expired", _("Expired without operating")
    PAID_WITHOUT_OPERATING = "paid", _("Paid without operating")
    OVERDUE = "overdue", _("Overdue (the buyer is late)")


class FinancingStatus(models.TextChoices):
    SELECTED = "selected", _("Selected, awaiting the institution")
    OPERATED = "operated", _("Operated")
    OVERDUE = "overdue", _("Overdue")
    SETTLED = "settled", _("Settled")
    CANCELLED = "cancelled", _("Cancelled")


# A financing that still binds its document: at most one per document (a database constraint).
LIVE_FINANCING = (FinancingStatus.SELECTED, FinancingStatus.OPERATED, FinancingStatus.OVERDUE)


class ReceivableSource(models.TextChoices):
    INVOICE = "invoice", _("Invoice accepted in the portal")
    PAYABLES = "payables", _("Payable confirmed by the buyer")


class Movement(models.TextChoices):
    DISBURSEMENT = "disbursement", _("Disbursement to the supplier")
    ASSIGNMENT = "assignment", _("Receivable assigned to the institution")
    OBLIGATION = "obligation", _("Buyer's obligation transferred")
    SETTLEMENT = "settlement", _("Buyer's payment at maturity")


class Account(models.TextChoices):
    CASH = "cash", _("Cash")
    RECEIVABLE = "receivable", _("Receivable")
    PAYABLE = "payable", _("Payable")
    DISCOUNT = "discount", _("Discount (the supplier's cost, the institution's income)")
