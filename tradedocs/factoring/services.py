"""Reverse factoring: the write side.

Every transition locks the document's row (``select_for_update``), checks the default-deny table,
writes, audits and notifies in one transaction. Operations lock, in this fixed order, the chain row,
the institution's membership row, then the document, so that concurrent operations against the same
limits queue instead of overrunning them; the partial unique index on live financings makes a second
financing of the same document impossible whatever the interleaving.
"""

from __future__ import annotations

import datetime
import logging
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from portal.accounts.enums import OrganisationKind, Role
from portal.accounts.models import Organisation
from portal.accounts.selectors import roles_for
from portal.audit.services import audit_record
from portal.core import clock
from portal.core.errors import DomainError, NotFoundError, RuleViolation
from portal.notifications.services import notify
from smeregistry.selectors import supplier_standing
from tradedocs.factoring import events
from tradedocs.factoring.enums import (
    LIVE_FINANCING,
    Account,
    FinancingStatus,
    Movement,
    ReceivableSource,
    ReceivableStatus,
)
from tradedocs.factoring.models import (
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
from tradedocs.factoring.money import Quote, quote
from tradedocs.factoring.transitions import allowed

logger = logging.getLogger(__name__)

BUYER_ROLES = frozenset({Role.PROCUREMENT_OFFICER, Role.ADMINISTRATOR, Role.INTEGRATOR})
SUPPLIER_ROLES = frozenset({Role.SUPPLIER_REPRESENTATIVE, Role.ADMINISTRATOR, Role.INTEGRATOR})
INSTITUTION_ROLES = frozenset({Role.FINANCIER_OFFICER, Role.ADMINISTRATOR, Role.INTEGRATOR})
BUYER_KINDS = frozenset({OrganisationKind.CONTRACTING_ENTITY, OrganisationKind.SUPPLIER})


def _require(actor: Any, organisation: Organisation, roles: frozenset[str], message: str) -> None:
    if not roles_for(actor, organisation) & roles:
        raise PermissionDenied(message)


def _people(organisation_id: int):
    from tradedocs.selectors import document_handlers

    return document_handlers(organisation_ids=[organisation_id])


def _institution_people(organisation_id: int):
    from portal.accounts.models import User

    return User.objects.filter(
        memberships__organisation_id=organisation_id, memberships__role__in=INSTITUTION_ROLES, is_active=True
    ).distinct()


# ── chains ───────────────────────────────────────────────────────────────────────────────────────


@transaction.atomic
def chain_open(
    *,
    actor: Any,
    buyer: Organisation,
    programme: Programme,
    name: str,
    buyer_limit: Decimal | None = None,
    default_payment_days: int = 30,
) -> Chain:
    """The buyer opens a chain under a programme; the programme's cap and day count are fixed in it."""
    _require(actor, buyer, BUYER_ROLES, _("Only the buyer's officers open its chains."))
    if buyer.kind not in BUYER_KINDS:
        raise PermissionDenied(_("Chains are opened by contracting entities and companies that buy."))
    if not name.strip():
        raise DomainError(_("Give the chain a name."), code="required", field="name")
    chain = Chain.objects.create(
        programme=programme,
        buyer=buyer,
        name=name.strip()[:200],
        day_count=programme.day_count,
        cap_points=programme.cap_points,
        buyer_limit=buyer_limit,
        default_payment_days=default_payment_days,
    )
    audit_record(
        actor=actor, action="chain.opened", organisation=buyer, obj=chain, payload={"programme": programme.code}
    )
    return chain


@transaction.atomic
def chain_invite_supplier(*, actor: Any, chain: Chain, supplier: Organisation) -> ChainSupplier:
    """The buyer invites a supplier; its people are told, with a link. Inviting twice changes nothing."""
    _require(actor, chain.buyer, BUYER_ROLES, _("Only the buyer's officers invite suppliers to its chain."))
    if supplier.kind != OrganisationKind.SUPPLIER:
        raise DomainError(_("Only suppliers join a chain as sellers."), code="not_a_supplier")
    member, created = ChainSupplier.objects.get_or_create(
        chain=chain, supplier=supplier, defaults={"invited_at": clock.now()}
    )
    if created:
        notify(
            events.CHAIN_INVITATION.name,
            _people(supplier.pk),
            {"chain": chain.name, "buyer": chain.buyer.name},
            key=f"chain:{chain.pk}:invite:{supplier.pk}",
            url="/factoring/",
        )
        audit_record(
            actor=actor,
            action="chain.supplier_invited",
            organisation=chain.buyer,
            obj=chain,
            payload={"supplier": supplier.tax_id},
        )
    return member


@transaction.atomic
def chain_join(*, actor: Any, chain: Chain, supplier: Organisation) -> ChainSupplier:
    """The invited supplier joins: from now on its confirmed invoices become negotiable."""
    _require(actor, supplier, SUPPLIER_ROLES, _("Only the supplier's representatives join a chain for it."))
    member = ChainSupplier.objects.select_for_update(of=("self",)).filter(chain=chain, supplier=supplier).first()
    if member is None:
        raise NotFoundError(_("Your organisation was not invited to this chain."), code="not_invited")
    if member.joined_at is None:
        member.joined_at = clock.now()
        member.save(update_fields=["joined_at"])
        audit_record(actor=actor, action="chain.supplier_joined", organisation=supplier, obj=chain, payload={})
    return member


@transaction.atomic
def chain_admit_institution(
    *,
    actor: Any,
    chain: Chain,
    institution: Organisation,
    limit: Decimal | None = None,
    auto_accept_up_to: Decimal | None = None,
) -> ChainInstitution:
    """The buyer admits a financial institution to its chain, with the institution's exposure limit."""
    _require(actor, chain.buyer, BUYER_ROLES, _("Only the buyer's officers admit institutions to its chain."))
    if institution.kind != OrganisationKind.FINANCIAL_INSTITUTION:
        raise DomainError(_("Only financial institutions finance a chain."), code="not_an_institution")
    member, _created = ChainInstitution.objects.update_or_create(
        chain=chain,
        institution=institution,
        defaults={"admitted_at": clock.now(), "limit": limit, "auto_accept_up_to": auto_accept_up_to},
    )
    audit_record(
        actor=actor,
        action="chain.institution_admitted",
        organisation=chain.buyer,
        obj=chain,
        payload={"institution": institution.tax_id, "limit": str(limit) if limit is not None else None},
    )
    return member


@transaction.atomic
def offer_publish(
    *,
    actor: Any,
    chain: Chain,
    institution: Organisation,
    reference_rate: Decimal,
    spread: Decimal,
    valid_from: datetime.date | None = None,
) -> Offer:
    """An admitted institution publishes its rate for the chain: reference plus spread, the spread at most
    the chain's cap (7 points by default)."""
    _require(actor, institution, INSTITUTION_ROLES, _("Only the institution's officers publish its offers."))
    if not ChainInstitution.objects.filter(chain=chain, institution=institution).exists():
        raise PermissionDenied(_("Your institution is not admitted to this chain."))
    if reference_rate < 0 or spread < 0:
        raise DomainError(_("Rates cannot be negative."), code="invalid_value", field="spread")
    if spread > chain.cap_points:
        raise RuleViolation(
            _("The spread may be at most %(cap)s points over the reference in this chain.") % {"cap": chain.cap_points},
            code="spread_over_cap",
        )
    offer = Offer.objects.create(
        chain=chain,
        institution=institution,
        reference_rate=reference_rate,
        spread=spread,
        valid_from=valid_from or clock.today(),
        published_at=clock.now(),
    )
    audit_record(
        actor=actor,
        action="offer.published",
        organisation=institution,
        obj=offer,
        payload={"chain": chain.pk, "rate": str(offer.rate)},
    )
    return offer


def current_offer(*, chain: Chain, institution: Organisation, on: datetime.date) -> Offer | None:
    return (
        Offer.objects.filter(chain=chain, institution=institution, valid_from__lte=on)
        .order_by("-valid_from", "-published_at", "-pk")
        .first()
    )


# ── negotiable documents ─────────────────────────────────────────────────────────────────────────


def _chain_of(buyer_id: int, supplier_id: int) -> Chain | None:
    return (
        Chain.objects.filter(
            buyer_id=buyer_id,
            is_active=True,
            suppliers__supplier_id=supplier_id,
            suppliers__joined_at__isnull=False,
        )
        .order_by("pk")
        .first()
    )


def receivable_from_invoice(*, document: Any) -> Receivable | None:
    """Called in the buyer's acceptance of an invoice: the invoice becomes negotiable for its supplier,
    if the two share a chain. Its tax identity enters once; a second entry is ignored here (the buyer's
    upload may have brought it first)."""
    supplier = document.sender if document.sender.tax_id == document.seller_tax_id else None
    supplier = (
        supplier or Organisation.objects.filter(tax_id=document.seller_tax_id, kind=OrganisationKind.SUPPLIER).first()
    )
    if supplier is None or document.receiver_id is None or document.amount is None:
        return None
    chain = _chain_of(document.receiver_id, supplier.pk)
    if chain is None:
        return None
    terms = document.terms or {}
    due = terms.get("BT-9")
    due_date = (
        datetime.date.fromisoformat(due)
        if due
        else (document.issue_date or clock.today()) + datetime.timedelta(days=chain.default_payment_days)
    )
    if due_date <= clock.today():
        return None  # nothing left to discount: it is due already
    try:
        with transaction.atomic():
            receivable = Receivable.objects.create(
                chain=chain,
                supplier=supplier,
                buyer_id=document.receiver_id,
                invoice=document,
                source=ReceivableSource.INVOICE,
                seller_tax_id=document.seller_tax_id,
                number=document.number,
                currency=document.currency,
                face_value=Decimal(document.amount).quantize(Decimal("0.01")),
                issue_date=document.issue_date,
                due_date=due_date,
                status=ReceivableStatus.NEGOTIABLE,
                status_changed_at=clock.now(),
            )
    except IntegrityError:
        return None
    _announce_negotiable(receivable)
    return receivable


def _announce_negotiable(receivable: Receivable) -> None:
    notify(
        events.DOCUMENT_NEGOTIABLE.name,
        _people(receivable.supplier_id),
        {
            "number": receivable.number,
            "amount": str(receivable.amount),
            "currency": receivable.currency,
            "buyer": receivable.chain.buyer.name,
            "due_date": receivable.due_date.isoformat(),
        },
        key=f"receivable:{receivable.pk}:negotiable",
        url="/factoring/",
    )


def credit_note_accepted(*, document: Any, preceding_numbers: list[str]) -> None:
    """Called in the buyer's acceptance of a credit note: it is netted against its invoice's negotiable
    document. A selection not yet operated is cancelled first (its figures were the old amount) and the
    supplier chooses again; after the document was operated nothing may change its amount, so the
    acceptance is refused."""
    for number in preceding_numbers:
        receivable = (
            Receivable.objects.select_for_update(of=("self",))
            .filter(seller_tax_id=document.seller_tax_id, document_type="invoice", number=number)
            .first()
        )
        if receivable is None:
            continue
        if receivable.status not in {
            ReceivableStatus.NEGOTIABLE,
            ReceivableStatus.NOT_NEGOTIABLE,
            ReceivableStatus.SELECTED,
        }:
            raise RuleViolation(
                _("Invoice %(number)s is %(status)s in a factoring chain: no credit note may change it now.")
                % {"number": number, "status": receivable.get_status_display().lower()},
                code="receivable_locked",
            )
        if document.currency and document.currency != receivable.currency:
            raise RuleViolation(
                _("The credit note is in %(theirs)s and the invoice in %(ours)s.")
                % {"theirs": document.currency, "ours": receivable.currency},
                code="currency_mismatch",
            )
        amount = Decimal(document.amount or 0)
        if receivable.credit_notes + amount >= receivable.face_value:
            raise RuleViolation(_("The credit note would cancel the whole invoice."), code="credit_note_too_large")
        if receivable.status == ReceivableStatus.SELECTED:
            _cancel_selection(receivable)
            _move(receivable, ReceivableStatus.NEGOTIABLE)
        receivable.credit_notes += amount
        receivable.save(update_fields=["credit_notes"])
        audit_record(
            actor=None,
            action="receivable.credit_note",
            organisation=receivable.buyer,
            obj=receivable,
            payload={"credit_note": document.number, "amount": str(amount)},
        )


def payables_load(*, actor: Any, chain: Chain, rows: list[dict[str, str]]) -> dict[str, Any]:
    """The buyer confirms payables in bulk (CSV or API): each row names the supplier's RUC, the invoice
    number, the amount and the due date. A row matching an invoice accepted in the portal links to it.
    Each row is its own transaction; the answer says, row by row, what was loaded and why not."""
    _require(actor, chain.buyer, BUYER_ROLES, _("Only the buyer's officers confirm its payables."))
    results: list[dict[str, Any]] = []
    loaded = 0
    for index, row in enumerate(rows, start=1):
        try:
            receivable = _payable_load_row(actor=actor, chain=chain, row=row)
        except DomainError as error:
            results.append({"row": index, "loaded": False, "code": error.code, "message": error.message})
            continue
        loaded += 1
        results.append({"row": index, "loaded": True, "receivable": receivable.pk})
    return {"loaded": loaded, "refused": len(rows) - loaded, "rows": results}


@transaction.atomic
def _payable_load_row(*, actor: Any, chain: Chain, row: dict[str, str]) -> Receivable:
    from tradedocs.models import Document

    ruc = (row.get("supplier_ruc") or "").strip()
    number = (row.get("number") or "").strip()
    try:
        amount = Decimal((row.get("amount") or "").strip())
        due_date = datetime.date.fromisoformat((row.get("due_date") or "").strip())
    except (InvalidOperation, ValueError):
        raise DomainError(
            _("Give the amount as a number and the due date as YYYY-MM-DD."), code="invalid_value"
        ) from None
    # NaN and infinities parse, but compare and quantize only by raising; beyond 16 digits the column overflows;
    # a confirmed amount is in cents, never silently rounded.
    if not amount.is_finite() or abs(amount) >= Decimal("1E16") or amount != amount.quantize(Decimal("0.01")):
        raise DomainError(
            _("Give the amount in cents, with at most 16 digits before the decimal point."), code="invalid_value"
        )
    if not ruc or not number or amount <= 0:
        raise DomainError(_("Each row needs the supplier's RUC, the number and a positive amount."), code="required")
    if due_date <= clock.today():
        raise DomainError(_("The due date must be in the future."), code="invalid_value")
    member = (
        ChainSupplier.objects.filter(chain=chain, supplier__tax_id=ruc, joined_at__isnull=False)
        .select_related("supplier")
        .first()
    )
    if member is None:
        raise DomainError(_("The supplier %(ruc)s has not joined this chain.") % {"ruc": ruc}, code="not_in_chain")
    invoice = (
        Document.objects.filter(
            seller_tax_id=ruc, number=number, receiver=chain.buyer, document_type="invoice", status="accepted"
        )
        .defer("original", "svrl", "report")
        .first()
    )
    if Receivable.objects.filter(seller_tax_id=ruc, document_type="invoice", number=number).exists():
        raise DomainError(
            _("Invoice %(number)s of %(ruc)s is already on the market.") % {"number": number, "ruc": ruc},
            code="duplicate_document",
        )
    try:
        with transaction.atomic():
            receivable = Receivable.objects.create(
                chain=chain,
                supplier=member.supplier,
                buyer=chain.buyer,
                invoice=invoice,
                source=ReceivableSource.PAYABLES,
                seller_tax_id=ruc,
                number=number,
                currency=(row.get("currency") or "PEN").strip().upper()[:3],
                face_value=amount.quantize(Decimal("0.01")),
                issue_date=invoice.issue_date if invoice else None,
                due_date=due_date,
                status=ReceivableStatus.NEGOTIABLE,
                status_changed_at=clock.now(),
            )
    except IntegrityError:
        raise DomainError(
            _("Invoice %(number)s of %(ruc)s is already on the market.") % {"number": number, "ruc": ruc},
            code="duplicate_document",
        ) from None
    audit_record(
        actor=actor,
        action="receivable.confirmed",
        organisation=chain.buyer,
        obj=receivable,
        payload={"number": number, "amount": str(amount)},
    )
    _announce_negotiable(receivable)
    return receivable


def _move(receivable: Receivable, target: str) -> None:
    if not allowed(receivable.status, target):
        raise RuleViolation(
            _("This document is %(status)s; it cannot become %(target)s.")
            % {"status": receivable.get_status_display().lower(), "target": ReceivableStatus(target).label.lower()},
            code="invalid_transition",
        )
    receivable.status = target
    receivable.status_changed_at = clock.now()
    receivable.save(update_fields=["status", "status_changed_at"])


def _locked_receivable(receivable_id: int) -> Receivable:
    receivable = (
        Receivable.objects.select_for_update(of=("self",))
        .select_related("chain", "buyer", "supplier")
        .filter(pk=receivable_id)
        .first()
    )
    if receivable is None:
        raise NotFoundError(_("No such document."), code="receivable_not_found")
    return receivable


@transaction.atomic
def receivable_withdraw(*, actor: Any, receivable: Receivable) -> Receivable:
    """The buyer withdraws a document it no longer confirms (before it is operated)."""
    receivable = _locked_receivable(receivable.pk)
    _require(actor, receivable.buyer, BUYER_ROLES, _("Only the buyer's officers withdraw its payables."))
    _cancel_selection(receivable)
    _move(receivable, ReceivableStatus.WITHDRAWN)
    audit_record(actor=actor, action="receivable.withdrawn", organisation=receivable.buyer, obj=receivable, payload={})
    return receivable


@transaction.atomic
def receivable_dispute(*, actor: Any, receivable: Receivable, resolved: bool = False) -> Receivable:
    """The buyer marks a document not negotiable (in dispute), or puts it back when resolved."""
    receivable = _locked_receivable(receivable.pk)
    _require(actor, receivable.buyer, BUYER_ROLES, _("Only the buyer's officers put its payables in dispute."))
    if resolved:
        _move(receivable, ReceivableStatus.NEGOTIABLE)
    else:
        _cancel_selection(receivable)
        _move(receivable, ReceivableStatus.NOT_NEGOTIABLE)
    audit_record(
        actor=actor,
        action="receivable.disputed" if not resolved else "receivable.dispute_resolved",
        organisation=receivable.buyer,
        obj=receivable,
        payload={},
    )
    return receivable


@transaction.atomic
def receivable_paid_directly(*, actor: Any, receivable: Receivable) -> Receivable:
    """The buyer paid the supplier directly: the document leaves the market without operating."""
    receivable = _locked_receivable(receivable.pk)
    _require(actor, receivable.buyer, BUYER_ROLES, _("Only the buyer's officers record its payments."))
    _cancel_selection(receivable)
    _move(receivable, ReceivableStatus.PAID_WITHOUT_OPERATING)
    audit_record(
        actor=actor, action="receivable.paid_directly", organisation=receivable.buyer, obj=receivable, payload={}
    )
    return receivable


def _cancel_selection(receivable: Receivable) -> None:
    Financing.objects.filter(receivable=receivable, status=FinancingStatus.SELECTED).update(
        status=FinancingStatus.CANCELLED, cancelled_at=clock.now()
    )


# ── the supplier's flow: quote, select; the institution's: operate; the buyer's: settle ─────────


def financing_quote(
    *, receivable: Receivable, institution: Organisation, on: datetime.date | None = None
) -> tuple[Offer, Quote]:
    """The pre-acknowledgement: face value, days, rate, discount, net and effective annual rate, at the
    institution's current offer, disbursing today."""
    today = on or clock.today()
    offer = current_offer(chain=receivable.chain, institution=institution, on=today)
    if offer is None:
        raise RuleViolation(_("This institution has no offer for the chain today."), code="no_offer")
    try:
        figures = quote(
            face=receivable.amount,
            rate=offer.rate,
            disbursement_date=today,
            due_date=receivable.due_date,
            day_count=receivable.chain.day_count,
        )
    except ValueError:
        raise RuleViolation(
            _("The document is due today or earlier: there is nothing to discount."), code="matured"
        ) from None
    return offer, figures


def financing_select(
    *, actor: Any, receivable: Receivable, institution: Organisation, offer_id: int | None = None
) -> Financing:
    """The supplier confirms the pre-acknowledgement: the document is selected for the institution, which
    operates it (at once, if the chain lets it accept automatically within its limits).

    ``offer_id`` is the offer the supplier saw in the pre-acknowledgement: if the institution has published
    another since, nothing is selected (409 ``offer_changed``) and the supplier looks again.
    Requires an active supplier in the registry and a verified bank account. The database's partial unique
    index on live financings makes a concurrent second selection fail (409 ``already_financed``).
    """
    try:
        with transaction.atomic():
            financing = _select(actor=actor, receivable_id=receivable.pk, institution=institution, offer_id=offer_id)
    except IntegrityError:
        raise RuleViolation(_("This document is already being financed."), code="already_financed") from None
    member = ChainInstitution.objects.filter(chain_id=financing.receivable.chain_id, institution=institution).first()
    if member and member.auto_accept_up_to is not None and financing.face <= member.auto_accept_up_to:
        try:
            return financing_operate(actor=None, financing=financing)
        except RuleViolation:
            logger.info("financing.auto_accept_declined", extra={"financing_id": financing.pk})
    return financing


def _select(*, actor: Any, receivable_id: int, institution: Organisation, offer_id: int | None) -> Financing:
    receivable = _locked_receivable(receivable_id)
    _require(
        actor, receivable.supplier, SUPPLIER_ROLES, _("Only the supplier's representatives discount its documents.")
    )
    if not ChainInstitution.objects.filter(chain=receivable.chain, institution=institution).exists():
        raise RuleViolation(_("This institution does not finance this chain."), code="not_in_chain")
    if supplier_standing(organisation_id=receivable.supplier_id, on=clock.today()) != "active":
        raise RuleViolation(
            _("Your registration in the supplier registry must be active to discount documents."),
            code="supplier_not_active",
        )
    if not BankAccount.objects.filter(organisation_id=receivable.supplier_id, verified_at__isnull=False).exists():
        raise RuleViolation(
            _("Register a bank account and have it verified before discounting."), code="bank_account_unverified"
        )
    if receivable.status in {
        ReceivableStatus.SELECTED,
        ReceivableStatus.OPERATED,
        ReceivableStatus.OVERDUE,
        ReceivableStatus.SETTLED,
    }:
        raise RuleViolation(_("This document is already being financed."), code="already_financed")
    offer, figures = financing_quote(receivable=receivable, institution=institution)
    if offer_id is not None and offer.pk != offer_id:
        raise RuleViolation(
            _("The institution changed its rate after you saw the pre-acknowledgement; look at it again."),
            code="offer_changed",
        )
    _move(receivable, ReceivableStatus.SELECTED)
    financing = Financing.objects.create(
        receivable=receivable,
        institution=institution,
        offer=offer,
        status=FinancingStatus.SELECTED,
        face=figures.face,
        rate=figures.rate,
        days=figures.days,
        discount=figures.discount,
        net=figures.net,
        effective_rate=figures.effective_rate,
        disbursement_date=figures.disbursement_date,
        selected_by=actor if getattr(actor, "pk", None) else None,
        selected_at=clock.now(),
    )
    notify(
        events.FINANCING_SELECTED.name,
        _institution_people(institution.pk),
        {
            "number": receivable.number,
            "supplier": receivable.supplier.name,
            "face": str(figures.face),
            "net": str(figures.net),
            "currency": receivable.currency,
        },
        key=f"financing:{financing.pk}:selected",
        url="/factoring/institution/",
    )
    audit_record(
        actor=actor,
        action="financing.selected",
        organisation=receivable.supplier,
        obj=financing,
        payload={"institution": institution.tax_id, "face": str(figures.face), "rate": str(figures.rate)},
    )
    return financing


def _outstanding(**filters: Any) -> Decimal:
    total = Financing.objects.filter(
        status__in=(FinancingStatus.OPERATED, FinancingStatus.OVERDUE), **filters
    ).aggregate(total=Sum("face"))["total"]
    return total or Decimal(0)


@transaction.atomic
def financing_operate(*, actor: Any, financing: Financing) -> Financing:
    """The institution operates a selected document: it disburses the net amount to the supplier today and
    takes the buyer's obligation, without recourse. Refused beyond the institution's or the buyer's
    exposure limit. Locks, in this order, the chain (only when it limits the buyer: otherwise one buyer's
    operations need not queue), the institution's membership, then the document."""
    chain = Chain.objects.get(pk=financing.receivable.chain_id)
    if chain.buyer_limit is not None:
        chain = Chain.objects.select_for_update(of=("self",)).get(pk=chain.pk)
    member = ChainInstitution.objects.select_for_update(of=("self",)).get(
        chain=chain, institution_id=financing.institution_id
    )
    receivable = _locked_receivable(financing.receivable_id)
    financing = Financing.objects.select_for_update(of=("self",)).get(pk=financing.pk)
    if actor is not None:
        _require(
            actor,
            financing.institution,
            INSTITUTION_ROLES,
            _("Only the institution's officers operate its financings."),
        )
    if financing.status != FinancingStatus.SELECTED:
        raise RuleViolation(_("Only a selected document can be operated."), code="invalid_transition")
    if (
        member.limit is not None
        and _outstanding(receivable__chain=chain, institution_id=financing.institution_id) + financing.face
        > member.limit
    ):
        raise RuleViolation(
            _("Operating this document would exceed the institution's limit on this buyer."), code="institution_limit"
        )
    if chain.buyer_limit is not None and _outstanding(receivable__chain=chain) + financing.face > chain.buyer_limit:
        raise RuleViolation(
            _("Operating this document would exceed the chain's limit on the buyer."), code="buyer_limit"
        )
    today = clock.today()
    if financing.disbursement_date != today:  # selected yesterday, operated today: reprice to today
        figures = quote(
            face=financing.face,
            rate=financing.rate,
            disbursement_date=today,
            due_date=receivable.due_date,
            day_count=chain.day_count,
        )
        financing.days, financing.discount, financing.net = figures.days, figures.discount, figures.net
        financing.effective_rate, financing.disbursement_date = figures.effective_rate, today
    _move(receivable, ReceivableStatus.OPERATED)
    financing.status = FinancingStatus.OPERATED
    financing.operated_at = clock.now()
    financing.save()
    _book_operation(financing, receivable)
    notify(
        events.FINANCING_OPERATED.name,
        _people(receivable.supplier_id),
        {
            "number": receivable.number,
            "net": str(financing.net),
            "currency": receivable.currency,
            "institution": financing.institution.name,
        },
        key=f"financing:{financing.pk}:operated",
        url="/factoring/",
    )
    audit_record(
        actor=actor,
        action="financing.operated",
        organisation=financing.institution,
        obj=financing,
        payload={"net": str(financing.net), "discount": str(financing.discount)},
    )
    return financing


@transaction.atomic
def financing_refuse(*, actor: Any, financing: Financing) -> Financing:
    """The institution declines a selection: the document is negotiable again."""
    receivable = _locked_receivable(financing.receivable_id)
    financing = Financing.objects.select_for_update(of=("self",)).get(pk=financing.pk)
    _require(
        actor, financing.institution, INSTITUTION_ROLES, _("Only the institution's officers answer its selections.")
    )
    if financing.status != FinancingStatus.SELECTED:
        raise RuleViolation(_("Only a selected document can be declined."), code="invalid_transition")
    financing.status = FinancingStatus.CANCELLED
    financing.cancelled_at = clock.now()
    financing.save(update_fields=["status", "cancelled_at"])
    _move(receivable, ReceivableStatus.NEGOTIABLE)
    audit_record(actor=actor, action="financing.refused", organisation=financing.institution, obj=financing, payload={})
    return financing


@transaction.atomic
def financing_settle(*, actor: Any, financing: Financing) -> Financing:
    """The buyer paid the institution at (or after) maturity: the document settles."""
    receivable = _locked_receivable(financing.receivable_id)
    financing = Financing.objects.select_for_update(of=("self",)).get(pk=financing.pk)
    if actor is not None:
        allowed_actor = (
            roles_for(actor, receivable.buyer) & BUYER_ROLES
            or roles_for(actor, financing.institution) & INSTITUTION_ROLES
        )
        if not allowed_actor:
            raise PermissionDenied(_("Only the buyer or the institution records the payment at maturity."))
    if financing.status not in {FinancingStatus.OPERATED, FinancingStatus.OVERDUE}:
        raise RuleViolation(_("Only an operated document is settled."), code="invalid_transition")
    _move(receivable, ReceivableStatus.SETTLED)
    financing.status = FinancingStatus.SETTLED
    financing.settled_at = clock.now()
    financing.save(update_fields=["status", "settled_at"])
    _book_settlement(financing, receivable)
    audit_record(
        actor=actor,
        action="financing.settled",
        organisation=receivable.buyer,
        obj=financing,
        payload={"face": str(financing.face)},
    )
    return financing


# ── the ledger ───────────────────────────────────────────────────────────────────────────────────


def _entries(financing: Financing, movement: str, rows: list[tuple[int, str, int | None, Decimal]]) -> None:
    now = clock.now()
    LedgerEntry.objects.bulk_create(
        LedgerEntry(
            financing=financing,
            movement=movement,
            organisation_id=org,
            account=account,
            counterparty_id=counterparty,
            amount=amount,
            booked_at=now,
        )
        for org, account, counterparty, amount in rows
    )


def _book_operation(financing: Financing, receivable: Receivable) -> None:
    """The operation's movements, each balanced and each organisation's own entries balanced too:

    - disbursement: the institution pays the net amount into the supplier's cash;
    - assignment: the supplier gives up its receivable on the buyer (face) for the cash and the discount
      (its cost); the institution acquires it for the cash and earns the discount (its income);
    - obligation: the buyer now owes the face value to the institution instead of the supplier.

    The ledger records movements from the operation on; the confirmed receivable before it is the
    ``Receivable`` row itself. Debits are positive, credits negative.
    """
    supplier, institution, buyer = receivable.supplier_id, financing.institution_id, receivable.buyer_id
    face, net, discount = financing.face, financing.net, financing.discount
    _entries(
        financing,
        Movement.DISBURSEMENT,
        [
            (supplier, Account.CASH, institution, net),
            (institution, Account.CASH, supplier, -net),
        ],
    )
    _entries(
        financing,
        Movement.ASSIGNMENT,
        [
            (supplier, Account.RECEIVABLE, buyer, -face),
            (supplier, Account.DISCOUNT, institution, discount),
            (institution, Account.RECEIVABLE, buyer, face),
            (institution, Account.DISCOUNT, supplier, -discount),
        ],
    )
    _entries(
        financing,
        Movement.OBLIGATION,
        [
            (buyer, Account.PAYABLE, supplier, face),
            (buyer, Account.PAYABLE, institution, -face),
        ],
    )


def _book_settlement(financing: Financing, receivable: Receivable) -> None:
    """The buyer pays the institution the face value: the institution's receivable and the buyer's
    payable clear."""
    institution, buyer = financing.institution_id, receivable.buyer_id
    face = financing.face
    _entries(
        financing,
        Movement.SETTLEMENT,
        [
            (buyer, Account.CASH, institution, -face),
            (buyer, Account.PAYABLE, institution, face),
            (institution, Account.CASH, buyer, face),
            (institution, Account.RECEIVABLE, buyer, -face),
        ],
    )


# ── the daily job ────────────────────────────────────────────────────────────────────────────────


def factoring_daily(*, on: datetime.date | None = None) -> dict[str, int]:
    """Idempotent: documents past maturity that were never operated expire; operated ones past maturity
    and unpaid are flagged overdue (the institution's risk, never the supplier's); buyers are reminded of
    what falls due in the next days."""
    today = on or clock.today()
    expired = overdue = 0
    unoperated = (ReceivableStatus.NEGOTIABLE, ReceivableStatus.SELECTED, ReceivableStatus.NOT_NEGOTIABLE)
    for pk in Receivable.objects.filter(status__in=unoperated, due_date__lte=today).values_list("pk", flat=True):
        with transaction.atomic():
            receivable = _locked_receivable(pk)
            if receivable.status in unoperated and receivable.due_date <= today:
                _cancel_selection(receivable)
                _move(receivable, ReceivableStatus.EXPIRED)
                audit_record(
                    actor=None, action="receivable.expired", organisation=receivable.buyer, obj=receivable, payload={}
                )
                expired += 1
    for pk in Receivable.objects.filter(status=ReceivableStatus.OPERATED, due_date__lt=today).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            receivable = _locked_receivable(pk)
            if receivable.status == ReceivableStatus.OPERATED and receivable.due_date < today:
                _move(receivable, ReceivableStatus.OVERDUE)
                Financing.objects.filter(receivable=receivable, status=FinancingStatus.OPERATED).update(
                    status=FinancingStatus.OVERDUE
                )
                audit_record(
                    actor=None, action="receivable.overdue", organisation=receivable.buyer, obj=receivable, payload={}
                )
                overdue += 1
    reminded = 0
    soon = today + datetime.timedelta(days=5)
    for receivable in Receivable.objects.filter(
        status=ReceivableStatus.OPERATED, due_date__gt=today, due_date__lte=soon
    ).select_related("buyer"):
        with transaction.atomic():
            reminded += (
                1
                if notify(
                    events.MATURITY_REMINDER.name,
                    _people(receivable.buyer_id),
                    {
                        "number": receivable.number,
                        "due_date": receivable.due_date.isoformat(),
                        "amount": str(receivable.amount),
                        "currency": receivable.currency,
                    },
                    key=f"receivable:{receivable.pk}:reminder",
                    url="/factoring/buyer/",
                )
                else 0
            )
    return {"expired": expired, "overdue": overdue, "reminded": reminded}


def ledger_balance(*, financing: Financing) -> Decimal:
    total = LedgerEntry.objects.filter(financing=financing).aggregate(total=Sum("amount"))["total"]
    return total or Decimal(0)


def live_financing_exists(receivable: Receivable) -> bool:
    return Financing.objects.filter(receivable=receivable, status__in=LIVE_FINANCING).exists()


# ── bank accounts ────────────────────────────────────────────────────────────────────────────────


@transaction.atomic
def bank_account_register(*, actor: Any, organisation: Organisation, bank: str, cci: str) -> BankAccount:
    """A supplier registers the account (CCI, 20 digits) where discounts are paid; unverified until the
    platform operator checks it."""
    _require(actor, organisation, SUPPLIER_ROLES, _("Only the supplier's representatives register its accounts."))
    cci = "".join(ch for ch in cci if ch.isdigit())
    if len(cci) != 20:
        raise DomainError(_("The CCI has 20 digits."), code="invalid_cci", field="cci")
    if not bank.strip():
        raise DomainError(_("Give the bank's name."), code="required", field="bank")
    account, _created = BankAccount.objects.get_or_create(
        organisation=organisation, cci=cci, defaults={"bank": bank.strip()[:120]}
    )
    audit_record(
        actor=actor, action="bank_account.registered", organisation=organisation, obj=account, payload={"cci": cci[-4:]}
    )
    return account


@transaction.atomic
def bank_account_verify(*, actor: Any, account: BankAccount) -> BankAccount:
    """The platform operator verifies that the account belongs to the supplier (a bank's certificate)."""
    operator = Organisation.objects.filter(
        kind=OrganisationKind.PLATFORM_OPERATOR, memberships__user=getattr(actor, "pk", None)
    ).first()
    if operator is None or not roles_for(actor, operator) & {Role.REVIEWER, Role.ADMINISTRATOR}:
        raise PermissionDenied(_("Only the platform operator verifies bank accounts."))
    account = BankAccount.objects.select_for_update(of=("self",)).get(pk=account.pk)
    if account.verified_at is None:
        account.verified_at = clock.now()
        account.verified_by = actor
        account.save(update_fields=["verified_at", "verified_by"])
        audit_record(
            actor=actor, action="bank_account.verified", organisation=account.organisation, obj=account, payload={}
        )
    return account
