from django.db import models
from django.utils.translation import gettext_lazy as _


class ProcurementObject(models.TextChoices):
    GOODS = "goods", _("Goods")
    SERVICES = "services", _("Services")
    WORKS = "works", _("Works")
    CONSULTING = "consulting", _("Consulting")


class Stage(models.TextChoices):
    """The stages a procedure type may have, in the only order they can come."""

    ENQUIRIES = "enquiries", _("Questions and observations")
    INTEGRATED_BASES = "integrated_bases", _("Integrated bases")
    BIDDING = "bidding", _("Bid submission")
    OPENING = "opening", _("Bid opening")
    AUCTION = "auction", _("Reverse auction")
    EVALUATION = "evaluation", _("Evaluation")
    AWARD = "award", _("Award (buena pro)")
    APPEAL = "appeal", _("Appeal window")
    CONSENT = "consent", _("Consent")
    CONTRACT = "contract", _("Contract")


class DayUnit(models.TextChoices):
    CALENDAR = "calendar", _("calendar days")
    WORKING = "working", _("working days")


class EvaluationMethod(models.TextChoices):
    PRICE_ONLY = "price_only", _("Price only")
    WEIGHTED = "weighted", _("Technical and economic (weighted)")


class TenderStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published (call for tender)")
    ENQUIRIES = "enquiries", _("Questions and observations")
    INTEGRATED_BASES = "integrated_bases", _("Integrated bases published")
    BIDDING = "bidding", _("Receiving bids")
    OPENING = "opening", _("Bid opening")
    AUCTION = "auction", _("Reverse auction")
    EVALUATION = "evaluation", _("Evaluation")
    AWARDED = "awarded", _("Awarded (buena pro)")
    APPEAL_WINDOW = "appeal_window", _("Appeal window")
    CONSENTED = "consented", _("Award consented")
    CONTRACTED = "contracted", _("Contracted")
    COMPLETED = "completed", _("Completed")
    VOID = "void", _("Void (desierto)")
    CANCELLED = "cancelled", _("Cancelled")
    ANNULLED = "annulled", _("Annulled")


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    SUPERSEDED = "superseded", _("Superseded by a later version")


class LotStatus(models.TextChoices):
    OPEN = "open", _("Open")
    AWARDED = "awarded", _("Awarded")
    VOID = "void", _("Void (desierto)")
    CANCELLED = "cancelled", _("Cancelled")


class DocumentKind(models.TextChoices):
    BASES = "bases", _("Bases (tender documents)")
    INTEGRATED_BASES = "integrated_bases", _("Integrated bases")
    AMENDMENT = "amendment", _("Amendment")
    ANNEX = "annex", _("Annex")


class AwardStatus(models.TextChoices):
    ACTIVE = "active", _("In force")
    REVOKED = "revoked", _("Revoked")


class AppealStatus(models.TextChoices):
    FILED = "filed", _("Filed, pending resolution")
    UPHELD = "upheld", _("Upheld (founded)")
    DISMISSED = "dismissed", _("Dismissed (unfounded)")


class ContractStatus(models.TextChoices):
    AWAITING_SIGNATURES = "awaiting_signatures", _("Awaiting signatures")
    SIGNED = "signed", _("Signed")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class Sector(models.TextChoices):
    """The government sector an entity belongs to (Peru: the sectors of the executive branch, then
    the regional and local governments and the autonomous bodies), for search and statistics."""

    HEALTH = "health", _("Health")
    EDUCATION = "education", _("Education")
    INTERIOR = "interior", _("Interior")
    DEFENCE = "defence", _("Defence")
    ECONOMY = "economy", _("Economy and finance")
    TRANSPORT = "transport", _("Transport and communications")
    HOUSING = "housing", _("Housing, construction and sanitation")
    AGRICULTURE = "agriculture", _("Agriculture and irrigation")
    ENERGY = "energy", _("Energy and mines")
    PRODUCTION = "production", _("Production")
    LABOUR = "labour", _("Labour and employment")
    JUSTICE = "justice", _("Justice and human rights")
    ENVIRONMENT = "environment", _("Environment")
    CULTURE = "culture", _("Culture")
    SOCIAL = "social", _("Social development and inclusion")
    REGIONAL = "regional", _("Regional governments")
    LOCAL = "local", _("Local governments")
    AUTONOMOUS = "autonomous", _("Autonomous bodies")
    OTHER = "other", _("Other")


class GovernmentLevel(models.TextChoices):
    NATIONAL = "national", _("National")
    REGIONAL = "regional", _("Regional")
    LOCAL = "local", _("Local")


class AuctionStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    RUNNING = "running", _("Running")
    NEGOTIATION = "negotiation", _("Negotiation with the single bidder")
    CLOSED = "closed", _("Closed")
    VOID = "void", _("Void (no admitted bidder)")
