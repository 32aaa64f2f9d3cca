"""The negotiable document's lifecycle through the services: default-deny transitions, the supplier's
flow (select → operate → settle), the buyer's exits, credit notes, payables, the rules an operation needs,
the daily job, auto-acceptance and repricing. Every refusal leaves the data as it was."""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from portal.accounts.enums import OrganisationKind, Role
from portal.core import clock
from portal.core.errors import DomainError, RuleViolation
from portal.notifications.models import Notification
from smeregistry.models import Supplier
from tests.factories import OrganisationFactory, member
from tests.smeregistry.factories import registered_supplier
from tests.tradedocs import samples
from tests.tradedocs.factories import BUYER_RUC, SELLER_RUC, after_commit, invoice_xml, submit
from tests.tradedocs.factoring.factories import (
    admit,
    chain_world,
    joined_supplier,
    operated,
    programme,
    receivable,
    selected,
)
from tradedocs.enums import DocumentStatus
from tradedocs.factoring import events
from tradedocs.factoring.enums import (
    Account,
    FinancingStatus,
    Movement,
    ReceivableSource,
    ReceivableStatus,
)
from tradedocs.factoring.models import BankAccount, Financing, LedgerEntry, Receivable
from tradedocs.factoring.services import (
    chain_invite_supplier,
    chain_join,
    chain_open,
    factoring_daily,
    financing_operate,
    financing_refuse,
    financing_select,
    financing_settle,
    ledger_balance,
    offer_publish,
    payables_load,
    receivable_dispute,
    receivable_paid_directly,
    receivable_withdraw,
)
from tradedocs.factoring.transitions import TRANSITIONS, allowed
from tradedocs.model import Identifier, Party
from tradedocs.services.documents import document_answer
from tradedocs.xml.documents import render

pytestmark = pytest.mark.django_db

D = Decimal
S = ReceivableStatus
NOW = datetime.datetime(2026, 11, 23, 15, 0, tzinfo=datetime.UTC)  # 10:00 in Lima


@pytest.fixture
def today(frozen_clock):
    frozen_clock.set(NOW)
    return clock.today()


@pytest.fixture
def world(today):
    return chain_world()


def snapshot():
    """Everything a refused action must leave as it was."""
    return (
        list(Receivable.objects.order_by("pk").values_list("pk", "status", "face_value", "credit_notes", "due_date")),
        list(Financing.objects.order_by("pk").values_list("pk", "status", "face", "net", "disbursement_date")),
        LedgerEntry.objects.count(),
    )


def refused(code, action, *args, **kwargs):
    before = snapshot()
    with pytest.raises(RuleViolation) as caught:
        action(*args, **kwargs)
    assert caught.value.code == code
    assert snapshot() == before


# ── the transition table ─────────────────────────────────────────────────────────────────────────

EXPECTED = {
    S.NEGOTIABLE: {S.SELECTED, S.WITHDRAWN, S.NOT_NEGOTIABLE, S.EXPIRED, S.PAID_WITHOUT_OPERATING},
    S.SELECTED: {S.OPERATED, S.NEGOTIABLE, S.WITHDRAWN, S.NOT_NEGOTIABLE, S.EXPIRED, S.PAID_WITHOUT_OPERATING},
    S.OPERATED: {S.SETTLED, S.OVERDUE},
    S.OVERDUE: {S.SETTLED},
    S.NOT_NEGOTIABLE: {S.NEGOTIABLE, S.WITHDRAWN, S.EXPIRED, S.PAID_WITHOUT_OPERATING},
    S.SETTLED: set(),
    S.WITHDRAWN: set(),
    S.EXPIRED: set(),
    S.PAID_WITHOUT_OPERATING: set(),
}


def test_the_table_names_every_status():
    assert set(TRANSITIONS) == set(S.values) == set(EXPECTED)


@pytest.mark.parametrize("target", S.values)
@pytest.mark.parametrize("current", S.values)
def test_every_transition_is_allowed_or_refused(current, target):
    assert allowed(current, target) is (target in EXPECTED[current])


def test_unknown_statuses_are_refused():
    assert not allowed("lost", S.NEGOTIABLE)
    assert not allowed(S.NEGOTIABLE, "lost")


# ── the supplier's flow ──────────────────────────────────────────────────────────────────────────


def entries(financing):
    return sorted(
        LedgerEntry.objects.filter(financing=financing).values_list(
            "movement", "organisation_id", "account", "counterparty_id", "amount"
        )
    )


def test_select_operate_settle_with_a_balanced_ledger(world, today):
    document = receivable(world, face=D("100000.00"), due_in_days=60)
    assert document.status == S.NEGOTIABLE
    assert document.source == ReceivableSource.PAYABLES

    financing = selected(world, document)
    document.refresh_from_db()
    assert document.status == S.SELECTED
    assert (financing.status, financing.institution, financing.offer) == (
        FinancingStatus.SELECTED,
        world.a.organisation,
        world.a.offer,
    )
    assert (financing.face, financing.rate, financing.days) == (D("100000.00"), D("13.0000"), 60)
    assert (financing.discount, financing.net, financing.effective_rate) == (D("2166.67"), D("97833.33"), D("13.29"))
    assert financing.disbursement_date == today
    assert financing.selected_by == world.representative
    assert not LedgerEntry.objects.exists()
    assert set(
        Notification.objects.filter(event=events.FINANCING_SELECTED.name).values_list("recipient_id", flat=True)
    ) == {world.a.officer.pk}

    financing = financing_operate(actor=world.a.officer, financing=financing)
    document.refresh_from_db()
    assert (document.status, financing.status) == (S.OPERATED, FinancingStatus.OPERATED)
    assert financing.operated_at == clock.now()
    sup, inst, buy = world.supplier.pk, world.a.organisation.pk, world.buyer.pk
    face, net, disc = D("100000.00"), D("97833.33"), D("2166.67")
    operation = sorted(
        [
            (Movement.DISBURSEMENT, sup, Account.CASH, inst, net),
            (Movement.DISBURSEMENT, inst, Account.CASH, sup, -net),
            (Movement.ASSIGNMENT, sup, Account.RECEIVABLE, buy, -face),
            (Movement.ASSIGNMENT, inst, Account.RECEIVABLE, buy, face),
            (Movement.ASSIGNMENT, sup, Account.DISCOUNT, inst, disc),
            (Movement.ASSIGNMENT, inst, Account.DISCOUNT, sup, -disc),
            (Movement.OBLIGATION, buy, Account.PAYABLE, sup, face),
            (Movement.OBLIGATION, buy, Account.PAYABLE, inst, -face),
        ]
    )
    assert entries(financing) == operation
    assert ledger_balance(financing=financing) == 0

    financing = financing_settle(actor=world.officer, financing=financing)
    document.refresh_from_db()
    assert (document.status, financing.status) == (S.SETTLED, FinancingStatus.SETTLED)
    assert entries(financing) == sorted(
        [
            *operation,
            (Movement.SETTLEMENT, buy, Account.CASH, inst, -face),
            (Movement.SETTLEMENT, inst, Account.CASH, buy, face),
            (Movement.SETTLEMENT, inst, Account.RECEIVABLE, buy, -face),
            (Movement.SETTLEMENT, buy, Account.PAYABLE, inst, face),
        ]
    )
    assert ledger_balance(financing=financing) == 0
    for movement in Movement.values:  # each movement balances on its own
        assert sum(e[4] for e in entries(financing) if e[0] == movement) == 0
    for organisation in (sup, inst, buy):  # and so does each organisation's side of it
        assert sum(e[4] for e in entries(financing) if e[1] == organisation) == 0
    # After settlement the institution's receivable is cleared and its gain is the discount.
    inst_entries = [e for e in entries(financing) if e[1] == inst]
    assert sum(e[4] for e in inst_entries if e[2] == Account.RECEIVABLE) == 0
    assert sum(e[4] for e in inst_entries if e[2] == Account.CASH) == disc

    # Nothing more may happen to a settled document.
    refused("invalid_transition", financing_settle, actor=world.officer, financing=financing)
    refused("invalid_transition", receivable_withdraw, actor=world.officer, receivable=document)
    refused(
        "already_financed",
        financing_select,
        actor=world.representative,
        receivable=document,
        institution=world.b.organisation,
    )


def test_the_institution_refuses_and_the_document_is_negotiable_again(world):
    document = receivable(world)
    financing = selected(world, document)
    refused_financing = financing_refuse(actor=world.a.officer, financing=financing)
    document.refresh_from_db()
    assert (document.status, refused_financing.status) == (S.NEGOTIABLE, FinancingStatus.CANCELLED)
    assert refused_financing.cancelled_at == clock.now()
    assert not LedgerEntry.objects.exists()
    # Refusing twice or operating a refused selection: nothing changes.
    refused("invalid_transition", financing_refuse, actor=world.a.officer, financing=financing)
    refused("invalid_transition", financing_operate, actor=world.a.officer, financing=financing)
    # Another institution may now take it.
    again = selected(world, document, institution=world.b)
    assert (again.rate, again.discount, again.net) == (D("14.5000"), D("2416.67"), D("97583.33"))
    assert Financing.objects.filter(receivable=document).count() == 2


def test_only_the_institutions_officers_answer_a_selection(world):
    financing = selected(world, receivable(world))
    before = snapshot()
    for outsider in (world.b.officer, world.representative, world.officer):
        with pytest.raises(PermissionDenied):
            financing_operate(actor=outsider, financing=financing)
        with pytest.raises(PermissionDenied):
            financing_refuse(actor=outsider, financing=financing)
    assert snapshot() == before


def test_only_the_suppliers_people_select(world):
    document = receivable(world)
    before = snapshot()
    for outsider in (world.officer, world.a.officer, member(OrganisationKind.SUPPLIER, Role.SUPPLIER_REPRESENTATIVE)):
        with pytest.raises(PermissionDenied):
            financing_select(actor=outsider, receivable=document, institution=world.a.organisation)
    assert snapshot() == before


def test_operating_and_settling_out_of_order_are_refused(world):
    financing = selected(world, receivable(world))
    refused("invalid_transition", financing_settle, actor=world.officer, financing=financing)
    financing_operate(actor=world.a.officer, financing=financing)
    refused("invalid_transition", financing_operate, actor=world.a.officer, financing=financing)
    refused("invalid_transition", financing_refuse, actor=world.a.officer, financing=financing)
    document = financing.receivable
    for exit_ in (receivable_withdraw, receivable_dispute, receivable_paid_directly):
        refused("invalid_transition", exit_, actor=world.officer, receivable=document)


def test_an_institution_outside_the_chain_is_refused(world):
    document = receivable(world)
    stranger = OrganisationFactory(kind=OrganisationKind.FINANCIAL_INSTITUTION)
    refused("not_in_chain", financing_select, actor=world.representative, receivable=document, institution=stranger)


# ── the buyer's exits ────────────────────────────────────────────────────────────────────────────


def test_withdraw_a_negotiable_document(world):
    document = receivable_withdraw(actor=world.officer, receivable=receivable(world))
    assert document.status == S.WITHDRAWN
    refused(
        "invalid_transition",
        financing_select,
        actor=world.representative,
        receivable=document,
        institution=world.a.organisation,
    )
    refused("invalid_transition", receivable_dispute, actor=world.officer, receivable=document)


def test_withdrawing_a_selected_document_cancels_the_selection(world):
    financing = selected(world, receivable(world))
    document = receivable_withdraw(actor=world.officer, receivable=financing.receivable)
    financing.refresh_from_db()
    assert (document.status, financing.status) == (S.WITHDRAWN, FinancingStatus.CANCELLED)
    refused("invalid_transition", financing_operate, actor=world.a.officer, financing=financing)


def test_dispute_and_resolve(world):
    financing = selected(world, receivable(world))
    document = receivable_dispute(actor=world.officer, receivable=financing.receivable)
    financing.refresh_from_db()
    assert (document.status, financing.status) == (S.NOT_NEGOTIABLE, FinancingStatus.CANCELLED)
    refused(
        "invalid_transition",
        financing_select,
        actor=world.representative,
        receivable=document,
        institution=world.a.organisation,
    )
    refused("invalid_transition", receivable_dispute, actor=world.officer, receivable=document)
    document = receivable_dispute(actor=world.officer, receivable=document, resolved=True)
    assert document.status == S.NEGOTIABLE
    refused("invalid_transition", receivable_dispute, actor=world.officer, receivable=document, resolved=True)
    assert selected(world, document).status == FinancingStatus.SELECTED


def test_paid_directly(world):
    document = receivable_paid_directly(actor=world.officer, receivable=receivable(world))
    assert document.status == S.PAID_WITHOUT_OPERATING
    refused("invalid_transition", receivable_paid_directly, actor=world.officer, receivable=document)
    refused("invalid_transition", receivable_withdraw, actor=world.officer, receivable=document)


def test_only_the_buyers_officers_take_a_document_out(world):
    document = receivable(world)
    before = snapshot()
    for action in (receivable_withdraw, receivable_dispute, receivable_paid_directly):
        for outsider in (world.representative, world.a.officer):
            with pytest.raises(PermissionDenied):
                action(actor=outsider, receivable=document)
    assert snapshot() == before


# ── invoices accepted in the portal, credit notes ────────────────────────────────────────────────


@dataclasses.dataclass
class Portal:
    buyer: object
    officer: object
    seller: object
    representative: object
    chain: object


@pytest.fixture
def portal(today):
    """The sample invoice's parties: the seller registered and active (RUC 20100070970), the buyer
    (RUC 20131373237) with a chain in which the seller is invited but has not joined yet."""
    registry = registered_supplier(7, ruc=SELLER_RUC, legal_name="Textiles Andinos S.A.C.")
    buyer = OrganisationFactory(kind=OrganisationKind.CONTRACTING_ENTITY, tax_id=BUYER_RUC, name="Ministerio de Salud")
    officer = member(OrganisationKind.CONTRACTING_ENTITY, Role.PROCUREMENT_OFFICER, buyer)
    chain = chain_open(actor=officer, buyer=buyer, programme=programme(), name="Cadena Minsa")
    chain_invite_supplier(actor=officer, chain=chain, supplier=registry.organisation)
    return Portal(buyer, officer, registry.organisation, registry.owner, chain)


def accept(portal, data):
    document = submit(portal.representative, portal.seller, data)
    assert document.status == DocumentStatus.VALID, document.report
    return after_commit(document_answer, actor=portal.officer, document=document, accept=True)


def credit_note_xml(number="FC01-77", preceding="F001-00000123"):
    note = dataclasses.replace(
        samples.credit_note(),
        number=number,
        seller=samples.seller(),
        buyer=Party(name="Ministerio de Salud", legal_id=Identifier(BUYER_RUC), address=samples.buyer().address),
        preceding_invoices=(samples.PrecedingInvoice(preceding, datetime.date(2026, 11, 20)),),
    )
    return render(note, "ubl")


def test_an_accepted_invoice_becomes_negotiable_for_a_joined_supplier(portal):
    chain_join(actor=portal.representative, chain=portal.chain, supplier=portal.seller)
    invoice = accept(portal, invoice_xml())
    document = Receivable.objects.get(invoice=invoice)
    assert (document.status, document.source, document.chain) == (S.NEGOTIABLE, ReceivableSource.INVOICE, portal.chain)
    assert (document.seller_tax_id, document.number, document.currency) == (SELLER_RUC, "F001-00000123", "PEN")
    assert document.face_value == invoice.amount.quantize(D("0.01"))
    assert (document.issue_date, document.due_date) == (datetime.date(2026, 11, 20), datetime.date(2026, 12, 20))
    assert (document.supplier, document.buyer) == (portal.seller, portal.buyer)
    assert Notification.objects.filter(event=events.DOCUMENT_NEGOTIABLE.name, recipient=portal.representative).exists()
    # The buyer's upload of the same invoice is refused: it is on the market already.
    answer = payables_load(
        actor=portal.officer,
        chain=portal.chain,
        rows=[{"supplier_ruc": SELLER_RUC, "number": "F001-00000123", "amount": "1.00", "due_date": "2026-12-20"}],
    )
    assert answer["rows"][0]["code"] == "duplicate_document"
    assert Receivable.objects.count() == 1


def test_an_accepted_invoice_of_a_supplier_not_in_the_chain_is_not_negotiable(portal):
    invoice = accept(portal, invoice_xml())  # invited, never joined
    assert invoice.status == DocumentStatus.ACCEPTED
    assert not Receivable.objects.exists()
    # Once it joins, the buyer's upload links the accepted invoice.
    chain_join(actor=portal.representative, chain=portal.chain, supplier=portal.seller)
    answer = payables_load(
        actor=portal.officer,
        chain=portal.chain,
        rows=[{"supplier_ruc": SELLER_RUC, "number": "F001-00000123", "amount": "1000.00", "due_date": "2026-12-20"}],
    )
    assert answer["loaded"] == 1
    document = Receivable.objects.get()
    assert (document.invoice, document.source, document.issue_date) == (
        invoice,
        ReceivableSource.PAYABLES,
        datetime.date(2026, 11, 20),
    )


def test_a_credit_note_before_operation_is_netted(portal):
    chain_join(actor=portal.representative, chain=portal.chain, supplier=portal.seller)
    invoice = accept(portal, invoice_xml())
    note = accept(portal, credit_note_xml())
    assert note.status == DocumentStatus.ACCEPTED
    document = Receivable.objects.get(invoice=invoice)
    assert document.credit_notes == D("118.00")
    assert document.amount == invoice.amount.quantize(D("0.01")) - D("118.00")
    assert Receivable.objects.count() == 1  # a credit note is not negotiable itself


def test_a_credit_note_after_operation_is_refused_and_stays_unaccepted(portal, today):
    chain_join(actor=portal.representative, chain=portal.chain, supplier=portal.seller)
    invoice = accept(portal, invoice_xml())
    document = Receivable.objects.get(invoice=invoice)
    account = BankAccount.objects.create(organisation=portal.seller, bank="BCP", cci="0" * 20, verified_at=clock.now())
    assert account.verified_at
    institution = admit(portal.chain, portal.officer, spread=D("5.00"))
    financing = financing_select(actor=portal.representative, receivable=document, institution=institution.organisation)
    financing_operate(actor=institution.officer, financing=financing)
    note = submit(portal.representative, portal.seller, credit_note_xml())
    before = snapshot()
    with pytest.raises(RuleViolation) as caught:
        document_answer(actor=portal.officer, document=note, accept=True)
    assert caught.value.code == "receivable_locked"
    note.refresh_from_db()
    assert note.status == DocumentStatus.VALID
    assert snapshot() == before
    document.refresh_from_db()
    assert (document.credit_notes, document.status) == (D("0.00"), S.OPERATED)


def test_a_credit_note_on_a_selected_document_cancels_the_selection_and_nets(portal, today):
    """Selected but not yet operated: the figures were the old amount, so the selection is cancelled, the
    credit note netted, and the supplier chooses again on the new amount."""
    chain_join(actor=portal.representative, chain=portal.chain, supplier=portal.seller)
    invoice = accept(portal, invoice_xml())
    document = Receivable.objects.get(invoice=invoice)
    BankAccount.objects.create(organisation=portal.seller, bank="BCP", cci="0" * 20, verified_at=clock.now())
    institution = admit(portal.chain, portal.officer, spread=D("5.00"))
    financing = financing_select(actor=portal.representative, receivable=document, institution=institution.organisation)

    accept(portal, credit_note_xml())

    document.refresh_from_db()
    financing.refresh_from_db()
    assert (document.status, document.credit_notes) == (S.NEGOTIABLE, D("118.00"))
    assert financing.status == FinancingStatus.CANCELLED


def test_a_disputed_document_expires_at_maturity(world):
    document = receivable(world, due_in_days=10)
    receivable_dispute(actor=world.officer, receivable=document)

    result = factoring_daily(on=clock.today() + datetime.timedelta(days=10))

    document.refresh_from_db()
    assert result["expired"] == 1
    assert document.status == S.EXPIRED


# ── payables ─────────────────────────────────────────────────────────────────────────────────────


def row(world, number, amount="1000.00", days=30, **changes):
    values = {
        "supplier_ruc": world.supplier.tax_id,
        "number": number,
        "amount": amount,
        "due_date": (clock.today() + datetime.timedelta(days=days)).isoformat(),
        "currency": "PEN",
    }
    values.update(changes)
    return values


def test_payables_rows_are_loaded_or_refused_one_by_one(world, today):
    outsider, _rep, _acct = joined_supplier(world.chain, world.officer, bank=False)
    invited = registered_supplier(8801)
    chain_invite_supplier(actor=world.officer, chain=world.chain, supplier=invited.organisation)
    rows = [
        row(world, "F001-1", "1500.50", 45),
        row(world, "F001-1", "1500.50", 45),  # the same tax document again
        row(world, "F001-2", supplier_ruc="20999999990"),  # nobody in the chain
        row(world, "F001-3", supplier_ruc=invited.organisation.tax_id),  # invited, not joined
        row(world, "F001-4", amount="abc"),
        row(world, "F001-5", due_date="2026-13-01"),
        row(world, "F001-6", amount="0"),
        row(world, "F001-7", amount="-10.00"),
        row(world, "", amount="10.00"),
        row(world, "F001-8", supplier_ruc=""),
        row(world, "F001-9", days=0),  # due today
        row(world, "F001-10", days=-3),
        row(world, "F001-11", amount="250.00", days=10, supplier_ruc=outsider.organisation.tax_id, currency="usd"),
    ]
    answer = payables_load(actor=world.officer, chain=world.chain, rows=rows)
    assert (answer["loaded"], answer["refused"]) == (2, 11)
    codes = [(r["row"], r["loaded"], r.get("code")) for r in answer["rows"]]
    assert codes == [
        (1, True, None),
        (2, False, "duplicate_document"),
        (3, False, "not_in_chain"),
        (4, False, "not_in_chain"),
        (5, False, "invalid_value"),
        (6, False, "invalid_value"),
        (7, False, "required"),
        (8, False, "required"),
        (9, False, "required"),
        (10, False, "required"),
        (11, False, "invalid_value"),
        (12, False, "invalid_value"),
        (13, True, None),
    ]
    loaded = Receivable.objects.order_by("pk")
    assert list(loaded.values_list("number", "face_value", "currency", "due_date", "status", "supplier")) == [
        ("F001-1", D("1500.50"), "PEN", clock.today() + datetime.timedelta(days=45), S.NEGOTIABLE, world.supplier.pk),
        (
            "F001-11",
            D("250.00"),
            "USD",
            clock.today() + datetime.timedelta(days=10),
            S.NEGOTIABLE,
            outsider.organisation.pk,
        ),
    ]
    # Loading the same file again loads nothing.
    again = payables_load(actor=world.officer, chain=world.chain, rows=[rows[0], rows[-1]])
    assert again["loaded"] == 0
    assert {r["code"] for r in again["rows"]} == {"duplicate_document"}
    assert Receivable.objects.count() == 2


@pytest.mark.parametrize("amount", ["NaN", "Infinity", "-Infinity", "1E+30", "12345678901234567.00", "10.005"])
def test_payables_amounts_that_are_not_money_are_refused(world, amount):
    answer = payables_load(actor=world.officer, chain=world.chain, rows=[row(world, "F009-1", amount=amount)])
    assert answer["rows"] == [
        {"row": 1, "loaded": False, "code": "invalid_value", "message": answer["rows"][0]["message"]}
    ]
    assert not Receivable.objects.exists()


def test_only_the_buyers_officers_load_payables(world):
    with pytest.raises(PermissionDenied):
        payables_load(actor=world.representative, chain=world.chain, rows=[row(world, "F001-1")])
    assert not Receivable.objects.exists()


# ── what an operation needs ──────────────────────────────────────────────────────────────────────


def test_a_supplier_not_active_in_the_registry_cannot_select(world):
    document = receivable(world)
    Supplier.objects.filter(pk=world.registry.pk).update(status="suspended")
    refused(
        "supplier_not_active",
        financing_select,
        actor=world.representative,
        receivable=document,
        institution=world.a.organisation,
    )


def test_a_supplier_whose_registration_lapsed_cannot_select(world, today):
    document = receivable(world)
    Supplier.objects.filter(pk=world.registry.pk).update(valid_until=today - datetime.timedelta(days=1))
    refused(
        "supplier_not_active",
        financing_select,
        actor=world.representative,
        receivable=document,
        institution=world.a.organisation,
    )


def test_a_supplier_without_a_verified_account_cannot_select(world):
    registry, representative, account = joined_supplier(world.chain, world.officer, bank=False)
    assert account is None
    document = receivable(world, supplier=registry.organisation)
    refused(
        "bank_account_unverified",
        financing_select,
        actor=representative,
        receivable=document,
        institution=world.a.organisation,
    )
    BankAccount.objects.create(organisation=registry.organisation, bank="BCP", cci="1" * 20)  # unverified
    refused(
        "bank_account_unverified",
        financing_select,
        actor=representative,
        receivable=document,
        institution=world.a.organisation,
    )


def test_an_offer_over_the_cap_is_refused(world):
    offers = world.a.organisation.factoring_offers.count()
    with pytest.raises(RuleViolation) as caught:
        offer_publish(
            actor=world.a.officer,
            chain=world.chain,
            institution=world.a.organisation,
            reference_rate=D("8.00"),
            spread=D("7.01"),
        )
    assert caught.value.code == "spread_over_cap"
    assert world.a.organisation.factoring_offers.count() == offers
    at_cap = offer_publish(
        actor=world.a.officer,
        chain=world.chain,
        institution=world.a.organisation,
        reference_rate=D("8.00"),
        spread=D("7.00"),
    )
    assert at_cap.rate == D("15.00")
    with pytest.raises(DomainError) as caught:
        offer_publish(
            actor=world.a.officer,
            chain=world.chain,
            institution=world.a.organisation,
            reference_rate=D("8.00"),
            spread=D("-0.01"),
        )
    assert caught.value.code == "invalid_value"


def test_a_matured_document_cannot_be_selected(world, frozen_clock):
    document = receivable(world, due_in_days=1)
    frozen_clock.advance(days=1)
    refused(
        "matured", financing_select, actor=world.representative, receivable=document, institution=world.a.organisation
    )


# ── the daily job ────────────────────────────────────────────────────────────────────────────────


def test_daily_job_expires_flags_and_reminds_once(world, frozen_clock, today):
    negotiable = receivable(world, due_in_days=3)
    chosen = receivable(world, due_in_days=3)
    selection = selected(world, chosen)
    financed = operated(world, receivable(world, due_in_days=3))
    later = operated(world, receivable(world, due_in_days=20))
    paid = operated(world, receivable(world, due_in_days=3))

    # Today: the two operated ones due in 3 days are reminded to the buyer; nothing moves.
    first = factoring_daily(on=today)
    assert first == {"expired": 0, "overdue": 0, "reminded": 2}  # two documents
    reminders = Notification.objects.filter(event=events.MATURITY_REMINDER.name)
    assert set(reminders.values_list("recipient_id", flat=True)) == {world.officer.pk}
    assert factoring_daily(on=today) == {"expired": 0, "overdue": 0, "reminded": 0}
    assert reminders.count() == 4

    financing_settle(actor=world.officer, financing=paid)
    # The due date: unoperated documents expire (the selection is cancelled); the operated one is not late yet.
    frozen_clock.advance(days=3)
    assert factoring_daily() == {"expired": 2, "overdue": 0, "reminded": 0}
    statuses = dict(Receivable.objects.values_list("pk", "status"))
    assert statuses[negotiable.pk] == statuses[chosen.pk] == S.EXPIRED
    selection.refresh_from_db()
    assert selection.status == FinancingStatus.CANCELLED
    assert statuses[financed.receivable_id] == S.OPERATED

    # The day after: flagged overdue, the financing too; the settled one stays settled.
    frozen_clock.advance(days=1)
    before_ledger = LedgerEntry.objects.count()
    assert factoring_daily() == {"expired": 0, "overdue": 1, "reminded": 0}
    financed.refresh_from_db()
    assert (financed.receivable.status, financed.status) == (S.OVERDUE, FinancingStatus.OVERDUE)
    assert Receivable.objects.get(pk=paid.receivable_id).status == S.SETTLED
    assert Receivable.objects.get(pk=later.receivable_id).status == S.OPERATED
    assert LedgerEntry.objects.count() == before_ledger

    # Idempotent: running again changes nothing.
    state = snapshot()
    assert factoring_daily() == {"expired": 0, "overdue": 0, "reminded": 0}
    assert snapshot() == state

    # An overdue document still settles (the institution's risk, never the supplier's).
    settled = financing_settle(actor=world.a.officer, financing=financed)
    assert settled.status == FinancingStatus.SETTLED
    assert ledger_balance(financing=settled) == 0


# ── auto-acceptance, repricing ───────────────────────────────────────────────────────────────────


def test_auto_accept_within_its_limit_operates_at_once(today):
    world = chain_world(auto_accept_a=D("50000.00"))
    small = selected(world, receivable(world, face=D("40000.00")))
    assert small.status == FinancingStatus.OPERATED
    assert (small.discount, small.net) == (D("866.67"), D("39133.33"))
    assert small.receivable.status == S.OPERATED
    assert ledger_balance(financing=small) == 0
    assert LedgerEntry.objects.filter(financing=small).count() == 8
    large = selected(world, receivable(world, face=D("50000.01")))
    assert large.status == FinancingStatus.SELECTED
    assert not LedgerEntry.objects.filter(financing=large).exists()
    # Another institution without auto-acceptance waits for its officer.
    other = selected(world, receivable(world, face=D("1000.00")), institution=world.b)
    assert other.status == FinancingStatus.SELECTED


def test_auto_accept_beyond_the_institutions_limit_waits(today):
    world = chain_world(auto_accept_a=D("50000.00"), limit_a=D("60000.00"))
    first = selected(world, receivable(world, face=D("40000.00")))
    second = selected(world, receivable(world, face=D("40000.00")))
    assert (first.status, second.status) == (FinancingStatus.OPERATED, FinancingStatus.SELECTED)
    assert second.receivable.status == S.SELECTED


def test_operated_a_later_day_is_repriced_to_that_day(world, frozen_clock, today):
    financing = selected(world, receivable(world, due_in_days=60))
    assert (financing.days, financing.discount) == (60, D("2166.67"))
    frozen_clock.advance(days=10)
    financing = financing_operate(actor=world.a.officer, financing=financing)
    assert financing.disbursement_date == today + datetime.timedelta(days=10)
    assert (financing.days, financing.discount, financing.net, financing.effective_rate) == (
        50,
        D("1805.56"),
        D("98194.44"),
        D("13.24"),
    )
    assert financing.rate == D("13.0000")  # the rate the supplier accepted, not a later offer
    assert LedgerEntry.objects.get(
        financing=financing, movement=Movement.DISBURSEMENT, organisation=world.supplier
    ).amount == D("98194.44")


def test_the_quote_uses_the_offer_in_force(world, frozen_clock, today):
    offer_publish(
        actor=world.a.officer,
        chain=world.chain,
        institution=world.a.organisation,
        reference_rate=D("9.00"),
        spread=D("5.50"),
        valid_from=today + datetime.timedelta(days=5),
    )
    financing = selected(world, receivable(world))
    assert financing.rate == D("13.0000")
    financing_refuse(actor=world.a.officer, financing=financing)
    frozen_clock.advance(days=5)
    again = selected(world, financing.receivable)
    assert again.rate == D("14.5000")
