"""Factories and helpers for registry tests."""

from __future__ import annotations

from decimal import Decimal

from portal.accounts.enums import OrganisationKind, Role
from smeregistry.services.suppliers import SupplierData, supplier_register, supplier_verify
from tests.factories import UserFactory, member, valid_ruc

UIT_2025 = Decimal("5350")


def supplier_data(n: int = 1, **overrides) -> SupplierData:
    values = {
        "ruc": valid_ruc(n + 60_000_000, kind_prefix="20"),
        "legal_name": f"Proveedora Andina {n} S.A.C.",
        "address": "Av. Arequipa 1234, Lima",
        "region_code": "15",
        "email": f"ventas{n}@andina.pe",
        "representative_name": "María Quispe Huamán",
        "representative_document": "41234567",
        "registers": ["goods"],
        "category_codes": ["43210000"],
        "annual_sales": "500000.00",
        "sales_fiscal_year": 2025,
        "employees": 8,
    }
    values.update(overrides)
    return SupplierData(**values)


def operator():
    return member(OrganisationKind.PLATFORM_OPERATOR, Role.REVIEWER)


def registered_supplier(n: int = 1, *, verified: bool = True, owner=None, **overrides):
    """A supplier registered by ``owner`` (a new person by default) and, unless told, verified."""
    owner = owner or UserFactory()
    supplier = supplier_register(actor=owner, data=supplier_data(n, **overrides))
    if verified:
        supplier = supplier_verify(actor=operator(), supplier=supplier, approve=True)
    supplier.owner = owner
    return supplier
