from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    CONTRACTING_ENTITY = "entity", _("Contracting entity")
    SUPPLIER = "supplier", _("Supplier")
    FINANCIAL_INSTITUTION = "financier", _("Financial institution")
    INTEGRATOR = "integrator", _("Integrator")
    OVERSIGHT_BODY = "oversight", _("Oversight body")
    PLATFORM_OPERATOR = "operator", _("Platform operator")


class Role(models.TextChoices):
    PROCUREMENT_OFFICER = "procurement_officer", _("Procurement officer")
    EVALUATOR = "evaluator", _("Evaluation committee member")
    SUPPLIER_REPRESENTATIVE = "supplier_representative", _("Supplier representative")
    FINANCIER_OFFICER = "financier_officer", _("Financial institution officer")
    INTEGRATOR = "integrator", _("Integrator")
    REVIEWER = "reviewer", _("Reviewer / auditor")
    ADMINISTRATOR = "administrator", _("Administrator")


# Which roles make sense in which kind of organisation. Administrator (managing the organisation's
# members and API tokens) exists everywhere.
ROLES_BY_KIND: dict[str, frozenset[str]] = {
    OrganisationKind.CONTRACTING_ENTITY: frozenset({Role.PROCUREMENT_OFFICER, Role.EVALUATOR, Role.ADMINISTRATOR}),
    OrganisationKind.SUPPLIER: frozenset({Role.SUPPLIER_REPRESENTATIVE, Role.ADMINISTRATOR}),
    OrganisationKind.FINANCIAL_INSTITUTION: frozenset({Role.FINANCIER_OFFICER, Role.ADMINISTRATOR}),
    OrganisationKind.INTEGRATOR: frozenset({Role.INTEGRATOR, Role.ADMINISTRATOR}),
    OrganisationKind.OVERSIGHT_BODY: frozenset({Role.REVIEWER, Role.ADMINISTRATOR}),
    OrganisationKind.PLATFORM_OPERATOR: frozenset({Role.ADMINISTRATOR, Role.REVIEWER}),
}


class TokenScope(models.TextChoices):
    """What an integrator's API token may do. Later features add their scopes here."""

    READ = "read", _("Read the organisation's data")
    DOCUMENTS_WRITE = "documents:write", _("Submit trade documents")
    BIDS_WRITE = "bids:write", _("Submit and withdraw bids")
    FACTORING_WRITE = "factoring:write", _("Select, discount and settle factoring documents")
