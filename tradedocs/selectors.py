"""Read side of trade documents, always scoped to what the acting organisation may see.

An organisation sees the documents it sent (its outbox: every status, with the validation report)
and the valid documents addressed to it (its inbox: never one that failed validation). Anything
else is "not found", so that the existence of other organisations' documents is not revealed.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from portal.accounts.models import Organisation, User
from portal.core.errors import NotFoundError
from tradedocs.enums import DocumentStatus
from tradedocs.models import Document
from tradedocs.roles import ANSWER_ROLES, SENDER_ROLES

# The list pages and the API never load the original bytes or the raw SVRL.
_HEAVY = ("original", "svrl", "terms", "report")
DELIVERED = (DocumentStatus.VALID, DocumentStatus.ACCEPTED, DocumentStatus.REJECTED)


def _visible_to(organisation: Organisation) -> Q:
    return Q(sender=organisation) | Q(receiver=organisation, status__in=DELIVERED)


def documents_visible_to(*, organisation: Organisation) -> QuerySet[Document]:
    return Document.objects.filter(_visible_to(organisation))


def documents_list(
    *,
    organisation: Organisation,
    box: str = "",
    document_type: str = "",
    status: str = "",
    party_tax_id: str = "",
    issued_from: datetime.date | None = None,
    issued_to: datetime.date | None = None,
    received_from: datetime.date | None = None,
    received_to: datetime.date | None = None,
) -> QuerySet[Document]:
    """The organisation's documents, newest first; ``box`` is ``inbox``, ``outbox`` or both."""
    if box == "inbox":
        rows = Document.objects.filter(receiver=organisation, status__in=DELIVERED)
    elif box == "outbox":
        rows = Document.objects.filter(sender=organisation)
    else:
        rows = documents_visible_to(organisation=organisation)
    if document_type:
        rows = rows.filter(document_type=document_type)
    if status:
        rows = rows.filter(status=status)
    if party_tax_id:
        rows = rows.filter(Q(seller_tax_id=party_tax_id) | Q(buyer_tax_id=party_tax_id))
    if issued_from:
        rows = rows.filter(issue_date__gte=issued_from)
    if issued_to:
        rows = rows.filter(issue_date__lte=issued_to)
    if received_from:
        rows = rows.filter(created_at__date__gte=received_from)
    if received_to:
        rows = rows.filter(created_at__date__lte=received_to)
    return rows.defer(*_HEAVY).select_related("sender", "receiver").order_by("-created_at", "-pk")


def document_get(*, organisation: Organisation | None, document_id: int) -> Document:
    """A document the organisation may see, whole; "not found" otherwise."""
    document = None
    if organisation is not None:
        document = (
            Document.objects.filter(_visible_to(organisation), pk=document_id)
            .select_related("sender", "receiver", "order", "contract")
            .first()
        )
    if document is None:
        raise NotFoundError(_("No such document."), code="document_not_found")
    return document


def orders_to_invoice(*, organisation: Organisation) -> QuerySet[Document]:
    """Valid orders addressed to the organisation (a supplier), which it may invoice from the form."""
    return (
        Document.objects.filter(receiver=organisation, document_type="order", status__in=DELIVERED)
        .defer("original", "svrl", "report")
        .order_by("-created_at", "-pk")
    )


def document_handlers(*, organisation_ids: Any) -> QuerySet[User]:
    """The active people who send and answer documents for these organisations."""
    return (
        User.objects.filter(
            memberships__organisation_id__in=organisation_ids,
            memberships__role__in=ANSWER_ROLES | SENDER_ROLES,
            is_active=True,
        )
        .distinct()
        .order_by("pk")
    )
