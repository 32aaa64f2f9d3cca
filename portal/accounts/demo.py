"""Demo world for accounts: Peruvian organisations of every kind and one person per role.

Every demo person signs in with DEMO_PASSWORD (documented in README.md). RUCs are generated with a
valid check digit and do not belong to real taxpayers.
"""

from __future__ import annotations

from django.db import transaction
from stdnum.pe import ruc

from portal.accounts.enums import OrganisationKind, Role
from portal.accounts.models import Organisation, User
from portal.accounts.services import membership_grant, organisation_create
from portal.notifications.services import notify

DEMO_PASSWORD = "Compras.Demo.2026"  # noqa: S105 - documented demo credential, development only


def demo_ruc(body: str) -> str:
    """A RUC with a correct check digit from its first ten digits."""
    return body + ruc.calc_check_digit(body)


ORGANISATIONS = [
    # key, kind, name, first ten RUC digits
    ("operator", OrganisationKind.PLATFORM_OPERATOR, "Operador del Portal de Compras (demo)", "2060000001"),
    ("minsa", OrganisationKind.CONTRACTING_ENTITY, "Ministerio de Salud (demo)", "2013137301"),
    ("munilima", OrganisationKind.CONTRACTING_ENTITY, "Municipalidad Metropolitana de Lima (demo)", "2013137302"),
    ("hospital", OrganisationKind.CONTRACTING_ENTITY, "Hospital Regional de Cusco (demo)", "2013137303"),
    ("banco", OrganisationKind.FINANCIAL_INSTITUTION, "Banco Andino de Fomento S.A.", "2010055501"),
    ("financiera", OrganisationKind.FINANCIAL_INSTITUTION, "Financiera Emprende Perú S.A.", "2010055502"),
    ("facturaya", OrganisationKind.INTEGRATOR, "FacturaYa Integraciones S.A.C.", "2060777701"),
    ("supervisor", OrganisationKind.OVERSIGHT_BODY, "Organismo Supervisor de las Contrataciones (demo)", "2041990001"),
]

PEOPLE = [
    # username, e-mail, first name, last name, [(organisation key, role)]
    ("admin", "admin@portal.demo", "Ana", "Administradora", [("operator", Role.ADMINISTRATOR)]),
    ("oficial", "oficial@minsa.demo", "Carlos", "Quispe", [("minsa", Role.PROCUREMENT_OFFICER)]),
    ("evaluador", "evaluador@minsa.demo", "Rosa", "Huamán", [("minsa", Role.EVALUATOR)]),
    (
        "entidad",
        "entidad@minsa.demo",
        "Luis",
        "Mendoza",
        [("minsa", Role.ADMINISTRATOR), ("munilima", Role.PROCUREMENT_OFFICER)],
    ),
    (
        "proveedor",
        "proveedor@andinas.demo",
        "María",
        "Condori",
        [],  # represents Inversiones Andinas S.A.C. once the registry's demo registers it
    ),
    (
        "textiles",
        "ventas@textiles.demo",
        "Jorge",
        "Rojas",
        [],  # represents Textiles Huancayo E.I.R.L. once the registry's demo registers it
    ),
    (
        "banco",
        "factoring@bancoandino.demo",
        "Patricia",
        "Salazar",
        [("banco", Role.FINANCIER_OFFICER), ("banco", Role.ADMINISTRATOR)],
    ),
    (
        "integrador",
        "api@facturaya.demo",
        "Diego",
        "Torres",
        [("facturaya", Role.INTEGRATOR), ("facturaya", Role.ADMINISTRATOR)],
    ),
    ("revisor", "revisor@supervisor.demo", "Elena", "Vargas", [("supervisor", Role.REVIEWER)]),
]


@transaction.atomic
def load(world: dict) -> None:
    organisations = {}
    for key, kind, name, ruc_body in ORGANISATIONS:
        tax_id = demo_ruc(ruc_body)
        organisations[key] = Organisation.objects.filter(country="PE", tax_id=tax_id).first() or organisation_create(
            actor=None, kind=kind, name=name, tax_id=tax_id
        )
    people = {}
    for username, email, first, last, roles in PEOPLE:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, email=email, first_name=first, last_name=last, language="es")
            user.is_staff = user.is_superuser = username == "admin"
            user.set_password(DEMO_PASSWORD)
            user.save()
        for org_key, role in roles:
            membership_grant(actor=None, organisation=organisations[org_key], user=user, role=role)
        people[username] = user
    notify(
        "portal.announcement",
        people.values(),
        {"title": "Bienvenida", "text": "Este es un entorno de demostración con datos ficticios."},
        key="demo:welcome",
    )
    world["organisations"] = organisations
    # Suppliers are registered by smeregistry.demo, through the registry, by these people.
    world["people"] = people
