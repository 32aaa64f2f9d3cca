from django.db import models
from django.utils.translation import gettext_lazy as _


class SizeClass(models.TextChoices):
    MICRO = "micro", _("Micro enterprise")
    SMALL = "small", _("Small enterprise")
    MEDIUM = "medium", _("Medium enterprise")
    LARGE = "large", _("Large enterprise")


class SupplierStatus(models.TextChoices):
    PENDING = "pending", _("Pending verification")
    ACTIVE = "active", _("Active")
    EXPIRED = "expired", _("Expired")
    SUSPENDED = "suspended", _("Suspended")
    REJECTED = "rejected", _("Rejected")


class Register(models.TextChoices):
    """The four registers of Peru's national supplier registry (RNP)."""

    GOODS = "goods", _("Goods")
    SERVICES = "services", _("Services")
    WORKS_CONSULTING = "works_consulting", _("Works consulting")
    WORKS_EXECUTION = "works_execution", _("Works execution")


class CategoryLevel(models.TextChoices):
    SEGMENT = "segment", _("Segment")
    FAMILY = "family", _("Family")
    CLASS = "class", _("Class")
    COMMODITY = "commodity", _("Commodity")


class DocumentType(models.TextChoices):
    RUC_RECORD = "ruc_record", _("RUC record (ficha RUC)")
    INCORPORATION = "incorporation", _("Deed of incorporation")
    REPRESENTATIVE_POWER = "representative_power", _("Power of the legal representative")
    SALES_DECLARATION = "sales_declaration", _("Annual sales declaration")
    OTHER = "other", _("Other")


class CategoryMatch(models.TextChoices):
    """How a supplier's categories must relate to a lot's items to be eligible."""

    ANY = "any", _("At least one item of the lot")
    ALL = "all", _("Every item of the lot")
    NONE = "none", _("Not checked")


class NoEligibleBidPolicy(models.TextChoices):
    """What happens to a lot reserved for MYPE that receives no eligible bid."""

    VOID_AND_REOPEN = "void_and_reopen", _("Declare the lot void and allow re-publication open to all")
    VOID = "void", _("Declare the lot void")


class EligibilityPurpose(models.TextChoices):
    BID = "bid", _("Bid")
    AWARD = "award", _("Award")
    CHECK = "check", _("Enquiry")


class Reason(models.TextChoices):
    """Why a party is not eligible. Stable codes: integrators match on them."""

    NOT_REGISTERED = "not_registered", _("The supplier is not in the registry.")
    INACTIVE = "inactive", _("The supplier's registration is not active.")
    EXPIRED = "expired", _("The supplier's registration has expired.")
    SANCTIONED = "sanctioned", _("The supplier is sanctioned (inhabilitado).")
    NOT_MYPE = "not_mype", _("The lot is reserved for micro and small enterprises.")
    REGISTER_MISSING = "register_missing", _("The supplier is not in the register this lot requires.")
    CATEGORY_MISMATCH = "category_mismatch", _("The supplier's categories do not cover the lot's items.")
    SIZE_UNKNOWN = "size_unknown", _("The supplier's size cannot be computed from its declared sales.")
