"""Registering suppliers and keeping their status and validity."""

from __future__ import annotations

import hashlib
import logging
import os
import re
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from stdnum.exceptions import ValidationError as StdnumValidationError
from stdnum.pe import cui

from portal.accounts.enums import OrganisationKind, Role
from portal.accounts.models import Membership, User
from portal.accounts.selectors import SUPPLIER_SPOKESPEOPLE, spokespeople_of
from portal.accounts.services import membership_grant, normalise_tax_id, organisation_create
from portal.audit.services import audit_record
from portal.core import clock
from portal.core.errors import DomainError, NotFoundError, RuleViolation
from portal.notifications.services import notify
from smeregistry.enums import Register, SupplierStatus
from smeregistry.models import Region, RegistrationDraft, Supplier, SupplierCategory, SupplierDocument, UnspscCategory
from smeregistry.services.policy import policy_for, size_classify
from smeregistry.transitions import can_move

logger = logging.getLogger(__name__)

OPERATOR_ROLES = {Role.ADMINISTRATOR, Role.REVIEWER}


@dataclass
class SupplierData:
    """Everything a registration carries, as typed by the person (strings are cleaned here)."""

    ruc: str
    legal_name: str
    address: str
    region_code: str
    email: str
    representative_name: str
    representative_document: str
    registers: list[str]
    category_codes: list[str]
    annual_sales: Any
    sales_fiscal_year: Any
    employees: Any
    trade_name: str = ""
    district_ubigeo: str = ""
    phone: str = ""
    document_ids: list[int] = field(default_factory=list)


def _required(value: str, field_name: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(message, code="required", field=field_name)
    return value


# The registration's fields, in the order the guided registration asks for them (one group a step).
FIELD_GROUPS: tuple[tuple[str, ...], ...] = (
    ("ruc", "legal_name", "trade_name"),
    ("address", "region_code", "district_ubigeo", "phone", "email"),
    ("representative_name", "representative_document"),
    ("registers", "category_codes"),
    ("annual_sales", "sales_fiscal_year", "employees"),
)


def validate_supplier_data(data: SupplierData, *, today: date, only: Collection[str] | None = None) -> dict[str, Any]:
    """Check and clean a registration; raises DomainError naming the first field to fix.

    ``only`` checks just the groups of FIELD_GROUPS holding those fields (one step of the guided
    registration); the other fields of ``data`` are then ignored.
    """
    checks = (_clean_business, _clean_address, _clean_representative, _clean_offer, _clean_size)
    clean: dict[str, Any] = {}
    for fields, check in zip(FIELD_GROUPS, checks, strict=True):
        if only is None or not set(only).isdisjoint(fields):
            check(data, clean, today)
    return clean


def _clean_business(data: SupplierData, clean: dict[str, Any], today: date) -> None:
    try:
        clean["ruc"] = normalise_tax_id(country="PE", tax_id=data.ruc)
    except DomainError as exc:
        raise DomainError(exc.message, code=exc.code, field="ruc") from exc
    if not clean["ruc"].startswith(("10", "15", "17", "20")):
        raise DomainError(
            _("A RUC starts with 10, 15, 17 or 20; check the number on your RUC record."),
            code="invalid_ruc",
            field="ruc",
        )
    clean["legal_name"] = _required(data.legal_name, "legal_name", _("Write the legal name, as on your RUC record."))[
        :200
    ]
    clean["trade_name"] = (data.trade_name or "").strip()[:200]


def _clean_address(data: SupplierData, clean: dict[str, Any], today: date) -> None:
    clean["address"] = _required(data.address, "address", _("Write the tax address, as on your RUC record."))[:250]
    region = Region.objects.filter(country="PE", code=(data.region_code or "").strip()).first()
    if region is None:
        raise DomainError(_("Choose the region of your tax address."), code="invalid_region", field="region_code")
    clean["region"] = region
    ubigeo = (data.district_ubigeo or "").strip()
    if ubigeo and (not re.fullmatch(r"\d{6}", ubigeo) or not ubigeo.startswith(region.code)):
        raise DomainError(
            _("The district ubigeo has 6 digits and starts with the region's code (%(code)s).") % {"code": region.code},
            code="invalid_ubigeo",
            field="district_ubigeo",
        )
    clean["district_ubigeo"] = ubigeo
    clean["phone"] = re.sub(r"[^\d+ ]", "", data.phone or "")[:30]
    email = (data.email or "").strip()
    try:
        validate_email(email)
    except Exception:
        raise DomainError(_("Enter a valid contact e-mail."), code="invalid_email", field="email") from None
    clean["email"] = email


def _clean_representative(data: SupplierData, clean: dict[str, Any], today: date) -> None:
    clean["representative_name"] = _required(
        data.representative_name, "representative_name", _("Write the legal representative's full name.")
    )[:200]
    try:
        clean["representative_document"] = cui.validate((data.representative_document or "").strip()[:8])
    except StdnumValidationError:
        raise DomainError(
            _("The representative's DNI has 8 digits."), code="invalid_dni", field="representative_document"
        ) from None


def _clean_offer(data: SupplierData, clean: dict[str, Any], today: date) -> None:
    registers = sorted(set(data.registers or []))
    if not registers or any(name not in Register.values for name in registers):
        raise DomainError(_("Choose at least one register."), code="invalid_registers", field="registers")
    clean["registers"] = registers
    codes = sorted({(code or "").strip() for code in data.category_codes or [] if (code or "").strip()})
    categories = list(UnspscCategory.objects.filter(code__in=codes))
    if not codes or len(categories) != len(codes):
        raise DomainError(
            _("Choose at least one category of what you sell, from the list."),
            code="invalid_categories",
            field="category_codes",
        )
    clean["categories"] = categories


def _clean_size(data: SupplierData, clean: dict[str, Any], today: date) -> None:
    try:
        sales = Decimal(str(data.annual_sales).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        raise DomainError(
            _("Write the annual sales as a number, e.g. 350000.00."), code="invalid_sales", field="annual_sales"
        ) from None
    if not sales.is_finite() or sales < 0 or sales >= Decimal("1e15"):
        raise DomainError(_("The annual sales must be zero or more."), code="invalid_sales", field="annual_sales")
    clean["annual_sales"] = sales.quantize(Decimal("0.01"))
    try:
        year = int(data.sales_fiscal_year)
    except (TypeError, ValueError):
        year = 0
    if not 2000 <= year <= today.year:
        raise DomainError(
            _("The fiscal year of the sales must be between 2000 and %(year)s.") % {"year": today.year},
            code="invalid_fiscal_year",
            field="sales_fiscal_year",
        )
    clean["sales_fiscal_year"] = year
    try:
        employees = int(data.employees)
    except (TypeError, ValueError):
        employees = -1
    if not 0 <= employees <= 10_000_000:
        raise DomainError(_("Write the number of employees."), code="invalid_employees", field="employees")
    clean["employees"] = employees


def supplier_ruc_check_free(ruc: str) -> None:
    """Refuse a RUC that is already registered (the guided registration asks at its first step too)."""
    if Supplier.objects.filter(ruc=ruc).exists():
        raise RuleViolation(
            _("A supplier with RUC %(ruc)s is already registered. If it is yours, ask its administrator to add you.")
            % {"ruc": ruc},
            code="duplicate_ruc",
            field="ruc",
        )


@transaction.atomic
def supplier_register(*, actor: User, data: SupplierData) -> Supplier:
    """Register a supplier for ``actor``, who becomes its representative and administrator.

    All or nothing: on any refusal nothing is written (the person's draft stays as it was).
    The new supplier waits for verification by the platform operator.
    """
    if not getattr(actor, "is_authenticated", False) or getattr(actor, "token", None) is not None:
        raise PermissionDenied(_("Sign in as a person to register a business."))
    today = clock.today()
    clean = validate_supplier_data(data, today=today)
    supplier_ruc_check_free(clean["ruc"])
    classification, basis = size_classify(
        jurisdiction="PE", sales=clean["annual_sales"], fiscal_year=clean["sales_fiscal_year"], on=today
    )
    try:
        with transaction.atomic():
            organisation = organisation_create(
                actor=None, kind=OrganisationKind.SUPPLIER, name=clean["legal_name"], tax_id=clean["ruc"]
            )
            supplier = Supplier.objects.create(
                organisation=organisation,
                ruc=clean["ruc"],
                legal_name=clean["legal_name"],
                trade_name=clean["trade_name"],
                address=clean["address"],
                region=clean["region"],
                district_ubigeo=clean["district_ubigeo"],
                phone=clean["phone"],
                email=clean["email"],
                representative_name=clean["representative_name"],
                representative_document=clean["representative_document"],
                annual_sales=clean["annual_sales"],
                sales_fiscal_year=clean["sales_fiscal_year"],
                employees=clean["employees"],
                size_class=classification.size_class,
                status=SupplierStatus.PENDING,
                **dict.fromkeys(clean["registers"], True),
            )
    except (IntegrityError, RuleViolation) as exc:  # a concurrent registration of the same RUC won
        raise RuleViolation(
            _("A supplier with RUC %(ruc)s is already registered. If it is yours, ask its administrator to add you.")
            % {"ruc": clean["ruc"]},
            code="duplicate_ruc",
            field="ruc",
        ) from exc
    SupplierCategory.objects.bulk_create(
        [
            SupplierCategory(supplier=supplier, category=category, prefix=category.prefix)
            for category in clean["categories"]
        ]
    )
    if data.document_ids:
        SupplierDocument.objects.filter(pk__in=data.document_ids, owner=actor, supplier__isnull=True).update(
            supplier=supplier
        )
    for role in SUPPLIER_SPOKESPEOPLE:
        membership_grant(actor=None, organisation=organisation, user=actor, role=role)
    RegistrationDraft.objects.filter(user=actor).delete()
    audit_record(
        actor=actor,
        organisation=organisation,
        action="supplier.registered",
        obj=supplier,
        payload={"ruc": supplier.ruc, "size_class": supplier.size_class, "size_basis": basis},
    )
    notify(
        "supplier.registered",
        [actor],
        {"legal_name": supplier.legal_name, "ruc": supplier.ruc, "size_class": supplier.size_class},
        key=f"supplier:{supplier.pk}:registered",
        url=reverse("supplier-profile", args=[supplier.ruc]),
    )
    logger.info("supplier.registered", extra={"supplier_id": supplier.pk, "size_class": supplier.size_class})
    return supplier


def require_operator(actor: Any) -> None:
    from portal.accounts.enums import OrganisationKind as Kind

    if getattr(actor, "is_superuser", False):
        return
    if not Membership.objects.filter(
        user_id=getattr(actor, "pk", None), organisation__kind=Kind.PLATFORM_OPERATOR, role__in=OPERATOR_ROLES
    ).exists():
        raise PermissionDenied(_("Only the registry's operators may do this."))


def _representatives(supplier: Supplier):
    return spokespeople_of(organisation_ids=[supplier.organisation_id])


def _move(supplier: Supplier, target: str, *, actor: Any, reason: str = "", **changes: Any) -> Supplier:
    if not can_move(supplier.status, target):
        raise RuleViolation(
            _("A supplier that is %(current)s cannot become %(target)s.")
            % {"current": supplier.get_status_display(), "target": SupplierStatus(target).label},
            code="invalid_transition",
        )
    previous = supplier.status
    supplier.status = target
    supplier.status_reason = reason[:300]
    for name, value in changes.items():
        setattr(supplier, name, value)
    supplier.save(update_fields=["status", "status_reason", "updated_at", *changes])
    audit_record(
        actor=actor,
        organisation=supplier.organisation_id,
        action=f"supplier.{target}",
        obj=supplier,
        payload={"from": previous, "to": target, "reason": reason, **{k: str(v) for k, v in changes.items()}},
    )
    notify(
        "supplier.status_changed",
        _representatives(supplier),
        {"legal_name": supplier.legal_name, "status": target, "reason": reason},
        key=f"supplier:{supplier.pk}:status:{target}:{clock.now().isoformat()}",
        url=reverse("supplier-profile", args=[supplier.ruc]),
    )
    return supplier


def _locked(supplier: Supplier) -> Supplier:
    return Supplier.objects.select_for_update().get(pk=supplier.pk)


@transaction.atomic
def supplier_verify(*, actor: Any, supplier: Supplier, approve: bool, reason: str = "") -> Supplier:
    """The operator accepts (active, valid for the policy's period from today) or rejects a registration."""
    require_operator(actor)
    supplier = _locked(supplier)
    if approve:
        today = clock.today()
        validity = policy_for(supplier.jurisdiction).registration_validity_days
        return _move(
            supplier, SupplierStatus.ACTIVE, actor=actor, valid_from=today, valid_until=today + timedelta(days=validity)
        )
    if not (reason or "").strip():
        raise DomainError(_("Say why the registration is rejected."), code="reason_required", field="reason")
    return _move(supplier, SupplierStatus.REJECTED, actor=actor, reason=reason.strip())


@transaction.atomic
def supplier_suspend(*, actor: Any, supplier: Supplier, reason: str) -> Supplier:
    require_operator(actor)
    if not (reason or "").strip():
        raise DomainError(_("Say why the supplier is suspended."), code="reason_required", field="reason")
    return _move(_locked(supplier), SupplierStatus.SUSPENDED, actor=actor, reason=reason.strip())


@transaction.atomic
def supplier_reinstate(*, actor: Any, supplier: Supplier) -> Supplier:
    """Lift a suspension. (Pending → active is verification, which sets the validity: not this.)"""
    require_operator(actor)
    supplier = _locked(supplier)
    if supplier.status != SupplierStatus.SUSPENDED:
        raise RuleViolation(_("Only a suspended supplier can be reinstated."), code="invalid_transition")
    return _move(supplier, SupplierStatus.ACTIVE, actor=actor)


def _require_representative(actor: Any, supplier: Supplier) -> None:
    if not Membership.objects.filter(
        user_id=getattr(actor, "pk", None),
        organisation_id=supplier.organisation_id,
        role__in=SUPPLIER_SPOKESPEOPLE,
    ).exists():
        raise PermissionDenied(_("Only the supplier's representatives may do this."))


@transaction.atomic
def supplier_update_size_data(
    *, actor: Any, supplier: Supplier, annual_sales: Any, sales_fiscal_year: Any, employees: Any
) -> Supplier:
    """The supplier declares newer sales; the size class is computed again (past snapshots stay)."""
    _require_representative(actor, supplier)
    supplier = _locked(supplier)
    today = clock.today()
    base = SupplierData(
        ruc=supplier.ruc,
        legal_name=supplier.legal_name,
        address=supplier.address,
        region_code=supplier.region.code,
        email=supplier.email,
        representative_name=supplier.representative_name,
        representative_document=supplier.representative_document,
        registers=supplier.registers,
        category_codes=list(supplier.category_links.values_list("category__code", flat=True)),
        annual_sales=annual_sales,
        sales_fiscal_year=sales_fiscal_year,
        employees=employees,
        district_ubigeo=supplier.district_ubigeo,
    )
    clean = validate_supplier_data(base, today=today)
    classification, basis = size_classify(
        jurisdiction=supplier.jurisdiction,
        sales=clean["annual_sales"],
        fiscal_year=clean["sales_fiscal_year"],
        on=today,
    )
    previous = supplier.size_class
    supplier.annual_sales = clean["annual_sales"]
    supplier.sales_fiscal_year = clean["sales_fiscal_year"]
    supplier.employees = clean["employees"]
    supplier.size_class = classification.size_class
    supplier.save(update_fields=["annual_sales", "sales_fiscal_year", "employees", "size_class", "updated_at"])
    audit_record(
        actor=actor,
        organisation=supplier.organisation_id,
        action="supplier.size_declared",
        obj=supplier,
        payload={"from": previous, "to": supplier.size_class, "basis": basis},
    )
    return supplier


@transaction.atomic
def supplier_renew(*, actor: Any, supplier: Supplier) -> Supplier:
    """Extend the validity: an active supplier from its current end date; an expired one goes back to
    verification."""
    _require_representative(actor, supplier)
    supplier = _locked(supplier)
    if supplier.status == SupplierStatus.EXPIRED:
        return _move(supplier, SupplierStatus.PENDING, actor=actor, reason=_("Renewal requested"))
    if supplier.status != SupplierStatus.ACTIVE:
        raise RuleViolation(_("Only an active or expired registration can be renewed."), code="invalid_transition")
    policy = policy_for(supplier.jurisdiction)
    validity = policy.registration_validity_days
    window = max(policy.reminder_days or [60])
    today = clock.today()
    if supplier.valid_until and (supplier.valid_until - today).days > window:
        raise RuleViolation(
            _("A registration can be renewed from %(days)s days before it expires.") % {"days": window},
            code="too_early_to_renew",
        )
    start = max(today, supplier.valid_until or today)
    supplier.valid_until = start + timedelta(days=validity)
    supplier.save(update_fields=["valid_until", "updated_at"])
    audit_record(
        actor=actor,
        organisation=supplier.organisation_id,
        action="supplier.renewed",
        obj=supplier,
        payload={"valid_until": supplier.valid_until},
    )
    return supplier


def registry_expire_due(*, today: date | None = None) -> int:
    """Move every active registration whose validity ended before ``today`` to expired. Idempotent."""
    today = today or clock.today()
    expired = 0
    due = list(
        Supplier.objects.filter(status=SupplierStatus.ACTIVE, valid_until__lt=today).values_list("pk", flat=True)
    )
    for pk in due:
        with transaction.atomic():
            supplier = Supplier.objects.select_for_update().get(pk=pk)
            if supplier.status != SupplierStatus.ACTIVE or supplier.valid_until >= today:
                continue  # renewed or moved meanwhile
            _move(supplier, SupplierStatus.EXPIRED, actor=None, reason=_("Validity ended"))
            expired += 1
    return expired


def registry_send_expiry_reminders(*, today: date | None = None) -> int:
    """Remind representatives 60, 30 and 7 days (per policy) before their registration expires.

    Each supplier gets the reminder of the smallest threshold its remaining days fall under, keyed by
    (validity end, threshold): a second run the same day, or a day the job missed, sends nothing twice.
    """
    today = today or clock.today()
    sent = 0
    for policy_days, jurisdiction in _reminder_plans():
        horizon = today + timedelta(days=max(policy_days))
        suppliers = Supplier.objects.filter(
            jurisdiction=jurisdiction, status=SupplierStatus.ACTIVE, valid_until__gte=today, valid_until__lte=horizon
        )
        for supplier in suppliers.iterator(chunk_size=500):
            remaining = (supplier.valid_until - today).days
            threshold = min(days for days in policy_days if days >= remaining)
            with transaction.atomic():
                sent += (
                    notify(
                        "supplier.expiry_reminder",
                        _representatives(supplier),
                        {"legal_name": supplier.legal_name, "valid_until": supplier.valid_until, "days": remaining},
                        key=f"supplier:{supplier.pk}:expiry:{supplier.valid_until}:{threshold}",
                        url=reverse("supplier-profile", args=[supplier.ruc]),
                    )
                    and 1
                )
    return sent


def _reminder_plans() -> list[tuple[list[int], str]]:
    from smeregistry.models import JurisdictionPolicy

    return [
        (sorted(int(d) for d in policy.reminder_days), policy.jurisdiction)
        for policy in JurisdictionPolicy.objects.all()
        if policy.reminder_days
    ]


# --- Drafts: save and resume ----------------------------------------------------------------------


def draft_save(*, user: User, step: int, values: dict[str, Any]) -> RegistrationDraft:
    """Keep what a person typed in one step of the registration, to continue later."""
    draft, _created = RegistrationDraft.objects.get_or_create(user=user)
    draft.data = {**draft.data, **values}
    draft.step = max(draft.step, step)
    draft.save(update_fields=["data", "step", "updated_at"])
    return draft


# --- The registrant's account and supporting documents (kept with the draft until submission) ------

DOCUMENT_MAX_BYTES = 5 * 1024 * 1024
DOCUMENTS_PER_DRAFT = 10
# What a file's first bytes must be for each accepted type, and the names it may carry.
DOCUMENT_SIGNATURES: tuple[tuple[bytes, str, tuple[str, ...]], ...] = (
    (b"%PDF-", "application/pdf", (".pdf",)),
    (b"\xff\xd8\xff", "image/jpeg", (".jpg", ".jpeg")),
    (b"\x89PNG\r\n\x1a\n", "image/png", (".png",)),
)


@transaction.atomic
def registrant_create(*, first_name: str, last_name: str, email: str, password: str) -> User:
    """Open the account of a person who is about to register a business. The e-mail, unique without
    regard to case, is also the username. The password is checked by the caller's form (Django's
    validators need the other fields to compare against)."""
    email = (email or "").strip()
    try:
        validate_email(email)
    except Exception:
        raise DomainError(_("Enter a valid e-mail address."), code="invalid_email", field="email") from None
    if len(email) > 150:
        raise DomainError(_("The e-mail address is too long."), code="invalid_email", field="email")
    taken = _("An account with this e-mail already exists. Sign in with it instead.")
    if User.objects.filter(email__iexact=email).exists() or User.objects.filter(username__iexact=email).exists():
        raise RuleViolation(taken, code="duplicate_email", field="email")
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                username=email.lower(),
                email=email,
                password=password,
                first_name=(first_name or "").strip()[:150],
                last_name=(last_name or "").strip()[:150],
            )
    except IntegrityError as exc:  # the same address, a moment earlier
        raise RuleViolation(taken, code="duplicate_email", field="email") from exc
    logger.info("registrant.created", extra={"user_id": user.pk})
    return user


def document_type_detect(*, name: str, head: bytes) -> str:
    """The content type of an uploaded file, from its first bytes; its name must agree."""
    lowered = (name or "").lower()
    for signature, content_type, extensions in DOCUMENT_SIGNATURES:
        if head.startswith(signature) and lowered.endswith(extensions):
            return content_type
    raise DomainError(
        _("Upload a PDF, JPEG or PNG file. This file is not one of them (its content was checked, not only its name)."),
        code="invalid_file_type",
        field="file",
    )


@transaction.atomic
def draft_document_add(*, user: User, doc_type: str, upload: Any) -> SupplierDocument:
    """Keep a supporting document with the person's registration in progress (no supplier yet).

    ``upload`` is a Django UploadedFile. Checks its size, its real type and how many are kept."""
    from smeregistry.enums import DocumentType

    if doc_type not in DocumentType.values:
        raise DomainError(_("Choose the type of document."), code="invalid_doc_type", field="doc_type")
    if upload is None or not upload.size:
        raise DomainError(_("Choose a file to upload."), code="required", field="file")
    if upload.size > DOCUMENT_MAX_BYTES:
        raise DomainError(
            _("The file is larger than %(max)s MB. Scan it at a lower resolution or split it.")
            % {"max": DOCUMENT_MAX_BYTES // (1024 * 1024)},
            code="file_too_large",
            field="file",
        )
    upload.seek(0)
    content_type = document_type_detect(name=upload.name, head=upload.read(16))
    upload.seek(0)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    User.objects.select_for_update().filter(pk=user.pk).first()  # one upload at a time per person
    kept = SupplierDocument.objects.filter(owner=user, supplier__isnull=True).count()
    if kept >= DOCUMENTS_PER_DRAFT:
        raise RuleViolation(
            _("You can attach at most %(n)s documents.") % {"n": DOCUMENTS_PER_DRAFT},
            code="too_many_documents",
            field="file",
        )
    document = SupplierDocument(
        owner=user,
        supplier=None,
        doc_type=doc_type,
        original_name=os.path.basename(upload.name)[-200:],
        content_type=content_type,
        size=upload.size,
        sha256=digest.hexdigest(),
    )
    document.file.save(os.path.basename(upload.name), upload, save=False)
    stored, storage = document.file.name, document.file.storage
    try:
        document.save()
    except Exception:
        storage.delete(stored)  # no row, no file: an upload that failed leaves nothing behind
        raise
    return document


def draft_documents(*, user: User):
    return SupplierDocument.objects.filter(owner=user, supplier__isnull=True).order_by("uploaded_at", "pk")


@transaction.atomic
def draft_document_remove(*, user: User, document_id: int) -> None:
    """Remove a document the person uploaded and has not submitted yet (someone else's: not found)."""
    document = SupplierDocument.objects.filter(pk=document_id, owner=user, supplier__isnull=True).first()
    if document is None:
        raise NotFoundError(_("This document is not in your registration."), code="not_found")
    stored = document.file.name
    storage = document.file.storage
    document.delete()
    transaction.on_commit(lambda: storage.delete(stored))
