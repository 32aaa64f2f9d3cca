"""People, an entity and suppliers for the procurement benchmarks, made through the services.

Call after ``harness.setup_django``."""

from __future__ import annotations

from decimal import Decimal


def tax_id(body: str) -> str:
    from stdnum.pe import ruc

    return body + ruc.calc_check_digit(body)


def person(username: str):
    from portal.accounts.models import User

    user = User.objects.create(username=username, email=f"{username}@bench.example", language="es")
    user.set_unusable_password()
    user.save()
    return user


def operator_and_entity():
    """A platform operator (who verifies suppliers) and a contracting entity with its officer."""
    from portal.accounts.enums import OrganisationKind, Role
    from portal.accounts.services import membership_grant, organisation_create

    operator_org = organisation_create(
        actor=None, kind=OrganisationKind.PLATFORM_OPERATOR, name="Operador", tax_id=tax_id("2069000001")
    )
    operator = person("operador")
    membership_grant(actor=None, organisation=operator_org, user=operator, role=Role.REVIEWER)
    entity = organisation_create(
        actor=None, kind=OrganisationKind.CONTRACTING_ENTITY, name="Entidad de prueba", tax_id=tax_id("2069000002")
    )
    officer = person("oficial")
    membership_grant(actor=None, organisation=entity, user=officer, role=Role.PROCUREMENT_OFFICER)
    return operator, entity, officer


def suppliers(operator, count: int) -> list[tuple]:
    """``count`` verified goods suppliers of computers in Lima: (supplier, owner) pairs."""
    from smeregistry.services.suppliers import SupplierData, supplier_register, supplier_verify

    made = []
    for index in range(count):
        owner = person(f"rep{index:04d}")
        data = SupplierData(
            ruc=tax_id(f"2068{index:06d}"),
            legal_name=f"Proveedor de prueba {index} S.A.C.",
            address="Av. Arequipa 100, Lima",
            region_code="15",
            email=f"ventas{index}@bench.example",
            representative_name="Representante",
            representative_document=f"{40000000 + index:08d}",
            registers=["goods"],
            category_codes=["43210000"],
            annual_sales="500000.00",
            sales_fiscal_year=2025,
            employees=8,
        )
        supplier = supplier_verify(actor=operator, supplier=supplier_register(actor=owner, data=data), approve=True)
        made.append((supplier, owner))
    return made


def plan_line(officer, entity, code: str, value: str):
    """The line of a published plan, for a procedure type ``code``."""
    from portal.core import clock
    from procurement.models import ProcedureType
    from procurement.services.plans import PlanLineData, plan_create, plan_publish

    procedure = ProcedureType.objects.get(jurisdiction="PE", code=code)
    plan = plan_create(
        actor=officer,
        entity=entity,
        fiscal_year=clock.today().year,
        lines=[
            PlanLineData(
                description="Computadoras y monitores",
                object="goods",
                procedure_type=procedure,
                unspsc_code="43211503",
                estimated_value=Decimal(value),
                planned_month=clock.today().month,
            )
        ],
    )
    return plan_publish(actor=officer, plan=plan).lines.get()


def lots(count: int, items: int, value: str = "15000.00") -> list:
    from procurement.services.tenders import ItemData, LotData

    return [
        LotData(
            title=f"Lote {number}: equipos de cómputo",
            reference_value=Decimal(value),
            items=[
                ItemData(
                    unspsc_code="43211503",
                    description=f"Computadora portátil, configuración {item}",
                    quantity=4,
                    unit="C62",
                    delivery_place="Almacén central, Av. Abancay 251, Lima",
                    region_code="15",
                )
                for item in range(1, items + 1)
            ],
        )
        for number in range(1, count + 1)
    ]
