"""The reverse auction (subasta inversa electrónica) of a lot: its session, its bidders and the log of
every bid attempt. Everything an auction is lives in these rows: a worker that restarts mid-auction
finds it as it was (see ``procurement.services.auction``)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from procurement.enums import AuctionStatus

MONEY = {"max_digits": 18, "decimal_places": 2}


class Auction(models.Model):
    """One auction per lot, created at the opening of a subasta's bids.

    ``starts_at`` is when it is due to start (the tender's ``auction_at``); ``started_at`` when the
    chronograph started it. ``ends_at`` moves later with each extension, never beyond ``hard_end``.
    ``rules`` is the snapshot of the procedure type's auction rules taken at scheduling, so editing
    the procedure type never changes an auction under way. ``sequence`` counts the bid attempts
    (accepted or refused): the row is the lock that serialises the lot's bids. ``best_price`` and
    ``best_bid`` are the current best (``best_bid`` None while the best is an opened initial price).
    At close, ``ranking`` and ``log_digest`` (SHA-256 of the canonical log) are frozen.
    """

    tender = models.ForeignKey("procurement.Tender", on_delete=models.PROTECT, related_name="auctions")
    lot = models.OneToOneField("procurement.Lot", on_delete=models.PROTECT, related_name="auction")
    status = models.CharField(
        _("status"), max_length=12, choices=AuctionStatus.choices, default=AuctionStatus.SCHEDULED
    )
    starts_at = models.DateTimeField(_("starts"))
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    hard_end = models.DateTimeField(_("ends at the latest"), null=True, blank=True)
    rules = models.JSONField()
    sequence = models.PositiveIntegerField(default=0)
    best_price = models.DecimalField(_("best price"), null=True, blank=True, **MONEY)
    best_bid = models.ForeignKey("AuctionBid", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    ranking = models.JSONField(null=True, blank=True)
    log_digest = models.CharField(max_length=64, blank=True)
    status_reason = models.CharField(_("reason"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("reverse auction")
        verbose_name_plural = _("reverse auctions")
        ordering = ["tender", "lot__number"]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=AuctionStatus.values), name="auction_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.lot} · auction ({self.status})"


class AuctionBidder(models.Model):
    """A bidder admitted to an auction: the organisation of an opened bid of the lot. ``initial_price``
    is the bid's opened total (at ``initial_at``, the bid's receipt time); ``price`` and ``price_at``
    its current price (its last accepted auction bid, or the initial one). ``admitted`` turns False at
    the start for a bidder the committee disqualified before it: it cannot bid and is not ranked."""

    auction = models.ForeignKey(Auction, on_delete=models.PROTECT, related_name="bidders")
    bid = models.OneToOneField("procurement.Bid", on_delete=models.PROTECT, related_name="auction_bidder")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    initial_price = models.DecimalField(_("initial price"), **MONEY)
    initial_at = models.DateTimeField(_("initial price received"))
    price = models.DecimalField(_("price"), **MONEY)
    price_at = models.DateTimeField(_("price received"))
    accepted_bids = models.PositiveIntegerField(default=0)
    admitted = models.BooleanField(_("admitted"), default=True)

    class Meta:
        verbose_name = _("auction bidder")
        verbose_name_plural = _("auction bidders")
        ordering = ["auction", "price", "price_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["auction", "organisation"], name="auction_bidder_once"),
        ]

    def __str__(self) -> str:
        return f"{self.auction_id} · {self.organisation_id} · {self.price}"


class AuctionBid(models.Model):
    """One bid attempt in an auction, accepted or refused (``refusal_code`` and ``refusal_reason``):
    the auction's log, public after close. ``received_at`` is the server time at which the attempt
    was decided, under the auction's row lock, so time order and ``sequence`` order agree.
    ``extended_to`` is the new end when the bid extended the auction. A negotiated price is logged
    here too (recorded by the entity's officer)."""

    auction = models.ForeignKey(Auction, on_delete=models.PROTECT, related_name="log")
    sequence = models.PositiveIntegerField()
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    bidder = models.ForeignKey(AuctionBidder, on_delete=models.PROTECT, null=True, blank=True, related_name="log")
    price = models.DecimalField(_("price"), **MONEY)
    received_at = models.DateTimeField(_("received"))
    accepted = models.BooleanField(_("accepted"))
    refusal_code = models.CharField(max_length=40, blank=True)
    refusal_reason = models.CharField(_("refused because"), max_length=300, blank=True)
    client_token = models.CharField(max_length=100)
    # The person who sent it, or, for an organisation's API token, none and the token's audit label.
    submitted_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    submitted_via = models.CharField(max_length=100, blank=True)
    extended_to = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("auction bid")
        verbose_name_plural = _("auction bids")
        ordering = ["auction", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["auction", "sequence"], name="auction_bid_sequence_unique"),
            models.UniqueConstraint(
                fields=["auction", "organisation", "client_token"], name="auction_bid_client_token_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.auction_id} #{self.sequence} {self.price} ({'accepted' if self.accepted else 'refused'})"
