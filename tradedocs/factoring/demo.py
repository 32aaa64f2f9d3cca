"""Demo reverse factoring, made through the services with the clock moved to each act's moment.

- The programme "Cadenas Productivas Perú" (cap 7 points, actual/360) and two chains: the Ministerio de
  Salud's (``oficial``) and the Municipalidad Metropolitana de Lima's (``entidad``).
- Three institutions: the demo bank (``banco``), Financiera Emprende Perú and a Caja Municipal, each with
  an officer and offers (reference TAMN plus their spread), repriced two months ago.
- The demo SMEs and a score of other active suppliers join with verified bank accounts (verified by
  ``admin``, the platform operator's administrator: the registry's reviewer ``revisor`` belongs to the
  oversight body and may not).
- Three hundred payables due from 90 days ago to 90 days ahead, loaded by the buyers weeks before
  maturity; then, in the order they happened, selections, operations (auto-accepted at the Financiera
  on the Municipalidad's chain up to 5,000), declines, withdrawals, disputes, direct payments and
  settlements; finally the daily job expires what matured unoperated and flags the overdue.

Every state a document can be in is represented. Loading twice changes nothing (the programme marks it).
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone
from stdnum.pe import ruc as ruc_number

from portal.accounts.demo import DEMO_PASSWORD, ORGANISATIONS
from portal.accounts.enums import OrganisationKind, Role
from portal.accounts.models import Membership, Organisation, User
from portal.accounts.services import membership_grant, organisation_create
from portal.core import clock
from portal.core.errors import DomainError
from smeregistry.enums import SizeClass, SupplierStatus
from smeregistry.models import Supplier
from tradedocs.factoring import services
from tradedocs.factoring.enums import DayCount, FinancingStatus, ReceivableStatus
from tradedocs.factoring.models import Chain, Financing, Programme, Receivable

logger = logging.getLogger(__name__)

PROGRAMME = "cadenas-productivas-pe"
DOCUMENTS = {"minsa": 200, "munilima": 100}
OTHER_SUPPLIERS = 18
NEW_INSTITUTIONS = [
    # organisation key (portal.accounts.demo) or RUC body, name, officer username, spread
    ("financiera", "Financiera Emprende Perú S.A.", "financiera", Decimal("6.00")),
    ("2010055503", "Caja Municipal de Ahorro y Crédito Arequipa (demo)", "caja", Decimal("6.75")),
]


@dataclass(order=True)
class Act:
    at: datetime
    order: int
    run: Callable[[], Any] = field(compare=False)


# What became of a document, by the share of documents: matured ones (settled, overdue, selected and never
# operated so expired, paid directly, withdrawn, in dispute, never discounted so expired) and live ones.
MATURED_FATES = [
    (0.45, "settled"),
    (0.55, "overdue"),
    (0.65, "selected"),
    (0.78, "paid"),
    (0.86, "withdrawn"),
    (0.92, "disputed"),
    (1.00, "negotiable"),
]
LIVE_FATES = [
    (0.30, "operated"),
    (0.42, "selected"),
    (0.47, "declined"),
    (0.52, "withdrawn"),
    (0.57, "disputed"),
    (0.60, "paid"),
    (1.00, "negotiable"),
]


def _fate(roll: float, *, matured: bool) -> str:
    return next(fate for share, fate in (MATURED_FATES if matured else LIVE_FATES) if roll < share)


def _ruc(body: str) -> str:
    return body + ruc_number.calc_check_digit(body)


def _at(moment: datetime) -> None:
    clock.set_source(lambda: moment)


def _officer(username: str, organisation: Organisation, name: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, email=f"{username}@factoring.demo", first_name=name, last_name="Demo")
        user.language = "es"
        user.set_password(DEMO_PASSWORD)
        user.save()
    membership_grant(actor=None, organisation=organisation, user=user, role=Role.FINANCIER_OFFICER)
    return user


def _speaker(organisation: Organisation) -> User | None:
    row = (
        Membership.objects.filter(organisation=organisation, role__in=services.SUPPLIER_ROLES, user__is_active=True)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return row.user if row else None


def _suppliers(rng: random.Random) -> list[Supplier]:
    """The demo SMEs of the registry's demo, then other active MYPE picked at random (same pick each run)."""
    active = Supplier.objects.filter(status=SupplierStatus.ACTIVE).select_related("organisation").order_by("pk")
    main = [s for s in active if s.ruc.startswith("20601234")]
    others = [s for s in active if s.ruc.startswith("2061") and s.size_class in {SizeClass.MICRO, SizeClass.SMALL}]
    return main + rng.sample(others, k=min(OTHER_SUPPLIERS, len(others)))


def load(world: dict) -> None:
    if Programme.objects.filter(code=PROGRAMME).exists():
        return
    try:
        _load(world)
    finally:
        clock.set_source(None)


def _load(world: dict) -> None:  # noqa: PLR0912, PLR0915 - one story, told in order
    rng = random.Random(2026)  # noqa: S311 - the same demo every time, not cryptography
    lima = timezone.get_current_timezone()
    today = clock.today()

    def moment(day, hour: int = 9, minute: int = 0) -> datetime:
        return datetime.combine(day, time(hour, minute), tzinfo=lima)

    start = today - timedelta(days=170)
    _at(moment(start))
    people = {name: User.objects.get(username=name) for name in ("oficial", "entidad", "banco", "admin")}
    organisations = {o.tax_id: o for o in Organisation.objects.all()}
    by_key = {key: organisations[_ruc(body)] for key, _kind, _name, body in ORGANISATIONS}

    programme = Programme.objects.create(
        code=PROGRAMME,
        name="Cadenas Productivas Perú",
        reference_name="TAMN",
        cap_points=Decimal(7),
        day_count=DayCount.ACT_360,
    )
    buyers = {"minsa": (by_key["minsa"], people["oficial"]), "munilima": (by_key["munilima"], people["entidad"])}
    chains: dict[str, Chain] = {
        "minsa": services.chain_open(
            actor=people["oficial"],
            buyer=by_key["minsa"],
            programme=programme,
            name="Cadena productiva del Ministerio de Salud",
            default_payment_days=45,
        ),
        "munilima": services.chain_open(
            actor=people["entidad"],
            buyer=by_key["munilima"],
            programme=programme,
            name="Cadena productiva de la Municipalidad de Lima",
            buyer_limit=Decimal("6000000.00"),
        ),
    }

    institutions = [(by_key["banco"], people["banco"], Decimal("4.50"))]
    for key, name, username, spread in NEW_INSTITUTIONS:
        organisation = by_key.get(key) or organisations.get(_ruc(key))
        if organisation is None:
            organisation = organisation_create(
                actor=None, kind=OrganisationKind.FINANCIAL_INSTITUTION, name=name, tax_id=_ruc(key)
            )
        institutions.append((organisation, _officer(username, organisation, name.split()[0]), spread))
    for key, chain in chains.items():
        officer = buyers[key][1]
        for index, (institution, _officer_user, _spread) in enumerate(institutions):
            services.chain_admit_institution(
                actor=officer,
                chain=chain,
                institution=institution,
                limit=Decimal("20000000.00") if index == 0 else None,
                auto_accept_up_to=Decimal("5000.00") if key == "munilima" and index == 1 else None,
            )
    for reference, when in ((Decimal("8.25"), start), (Decimal("7.75"), today - timedelta(days=60))):
        _at(moment(when, 8))
        for chain in chains.values():
            for institution, officer, spread in institutions:
                # The Municipalidad's chain prices half a point above the Ministerio's.
                extra = Decimal("0.50") if chain.buyer_id == by_key["munilima"].pk else Decimal(0)
                services.offer_publish(
                    actor=officer,
                    chain=chain,
                    institution=institution,
                    reference_rate=reference,
                    spread=min(spread + extra, programme.cap_points),
                    valid_from=when,
                )

    _at(moment(start, 10))
    suppliers = _suppliers(rng)
    members = []
    for index, registry in enumerate(suppliers):
        speaker = _speaker(registry.organisation)
        if speaker is None:
            continue
        for key, chain in chains.items():
            if key == "munilima" and index % 2:
                continue  # half the suppliers also sell to the Municipalidad
            services.chain_invite_supplier(actor=buyers[key][1], chain=chain, supplier=registry.organisation)
            services.chain_join(actor=speaker, chain=chain, supplier=registry.organisation)
        account = services.bank_account_register(
            actor=speaker, organisation=registry.organisation, bank="Banco de Crédito del Perú", cci=f"002{index:017d}"
        )
        services.bank_account_verify(actor=people["admin"], account=account)
        members.append((registry, speaker, index))

    # The payables: due from 90 days ago to 90 days ahead, each loaded 30 to 75 days before its due date.
    plans = []
    for key, count in DOCUMENTS.items():
        chain = chains[key]
        eligible = [(r, s) for r, s, index in members if key == "minsa" or index % 2 == 0]
        for n in range(count):
            registry, speaker = eligible[n % len(eligible)]
            due = today + timedelta(days=rng.randint(-90, 90))
            loaded_on = min(due - timedelta(days=rng.randint(30, 75)), today)
            face = Decimal(
                rng.choice([rng.randint(800, 9_000), rng.randint(9_000, 60_000), rng.randint(60_000, 250_000)])
            )
            face += Decimal(rng.randint(0, 99)) / 100
            plans.append(
                {
                    "chain": chain,
                    "key": key,
                    "registry": registry,
                    "speaker": speaker,
                    "due": due,
                    "loaded_on": loaded_on,
                    "number": f"F{1 + n % 3:03d}-{20_000 + n + (0 if key == 'minsa' else 50_000):08d}",
                    "face": face,
                }
            )
    batches: dict[tuple, list[dict]] = {}
    for plan in plans:
        # One upload per chain and week, the way a treasury sends its confirmed payables.
        week = plan["loaded_on"] - timedelta(days=plan["loaded_on"].weekday())
        batches.setdefault((week, plan["key"]), []).append(plan)
    for (week, key), batch in sorted(batches.items(), key=lambda item: (item[0][0], item[0][1])):
        _at(moment(week, 9))
        answer = services.payables_load(
            actor=buyers[key][1],
            chain=chains[key],
            rows=[
                {
                    "supplier_ruc": p["registry"].ruc,
                    "number": p["number"],
                    "amount": str(p["face"]),
                    "due_date": p["due"].isoformat(),
                    "currency": "PEN",
                }
                for p in batch
            ],
        )
        for plan, row in zip(batch, answer["rows"], strict=True):
            plan["receivable"] = row.get("receivable")
            if not row["loaded"]:
                logger.warning("demo.factoring_payable_refused", extra={"code": row["code"]})

    # What happened to each document afterwards, as acts at their moments, run in time order.
    acts: list[Act] = []
    sequence = iter(range(1_000_000))

    def act(day, hour: int, run: Callable[[], Any]) -> None:
        acts.append(Act(moment(day, hour, rng.randint(0, 59)), next(sequence), run))

    for plan in plans:
        if plan.get("receivable") is None:
            continue
        due, loaded_on = plan["due"], plan["loaded_on"]
        officer = buyers[plan["key"]][1]
        institution, institution_officer, _spread = rng.choice(institutions)
        roll = rng.random()
        select_on = min(loaded_on + timedelta(days=rng.randint(1, 12)), due - timedelta(days=2), today)
        receivable_id = plan["receivable"]
        if select_on <= loaded_on:
            roll = 0.99  # loaded today: it stays negotiable
        fate = _fate(roll, matured=due <= today)
        holder: dict[str, Any] = {}

        def select(receivable_id=receivable_id, speaker=plan["speaker"], institution=institution, holder=holder):
            receivable = Receivable.objects.get(pk=receivable_id)
            holder["financing"] = services.financing_select(
                actor=speaker, receivable=receivable, institution=institution
            )

        def operate(officer_=institution_officer, holder=holder):
            financing = Financing.objects.get(pk=holder["financing"].pk)
            if financing.status == FinancingStatus.SELECTED:  # not accepted automatically already
                services.financing_operate(actor=officer_, financing=financing)

        def settle(officer_=officer, holder=holder):
            services.financing_settle(actor=officer_, financing=Financing.objects.get(pk=holder["financing"].pk))

        def decline(officer_=institution_officer, holder=holder):
            financing = Financing.objects.get(pk=holder["financing"].pk)
            if financing.status == FinancingStatus.SELECTED:
                services.financing_refuse(actor=officer_, financing=financing)

        def buyer_act(service, officer_=officer, receivable_id=receivable_id, **kwargs):
            return lambda: service(actor=officer_, receivable=Receivable.objects.get(pk=receivable_id), **kwargs)

        if fate in {"settled", "overdue", "operated", "selected", "declined"}:
            act(select_on, 10, select)
        if fate in {"settled", "overdue", "operated"}:
            act(select_on + timedelta(days=rng.choice([0, 0, 1])), 15, operate)
        if fate == "settled":
            act(due, 11, settle)
        if fate == "declined":
            act(select_on + timedelta(days=1), 12, decline)
        if fate == "paid":
            act(min(due - timedelta(days=1), today), 16, buyer_act(services.receivable_paid_directly))
        if fate == "withdrawn":
            act(min(loaded_on + timedelta(days=3), today), 17, buyer_act(services.receivable_withdraw))
        if fate == "disputed":
            act(min(loaded_on + timedelta(days=2), today), 17, buyer_act(services.receivable_dispute))

    for step in sorted(acts):
        step.at = min(step.at, timezone.now())
        _at(step.at)
        try:
            step.run()
        except DomainError as error:  # a limit reached or a document already moved: the story goes on
            logger.info("demo.factoring_act_refused", extra={"code": error.code})

    clock.set_source(None)
    services.factoring_daily()
    counts = dict.fromkeys(ReceivableStatus.values, 0)
    for status in Receivable.objects.filter(chain__programme=programme).values_list("status", flat=True):
        counts[status] += 1
    world["factoring"] = {"programme": programme, "chains": chains, "statuses": counts}
