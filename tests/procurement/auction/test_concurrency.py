"""Many bidders bidding at once on PostgreSQL: the auction's row lock decides them one at a time,
each against the best the previous one left, so no accepted bid was not below the best at its time,
and replaying the accepted bids in server-time order gives the frozen ranking."""

import contextlib
import random
import threading
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection

from portal.core import clock as portal_clock
from procurement.auction.rules import auction_rules
from procurement.models import Auction, AuctionBid, AuctionBidder
from procurement.services.auction import AuctionBidRefused, auction_bid
from procurement.services.chronograph import chronograph_sweep
from tests.procurement.auction.world import start, subasta_opened
from tests.smeregistry.factories import registered_supplier

BIDDERS = 3
THREADS_PER_BIDDER = 3
BIDS_PER_THREAD = 12


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_bids_are_serialised_and_the_ranking_replays_the_accepted_bids(officer, clock):
    suppliers = [registered_supplier(n) for n in range(1, BIDDERS + 1)]
    tender = subasta_opened(officer, suppliers, clock)
    auction = start(tender, clock)
    # A clock that runs (thread-safe, monotonic) from the start, so the bids carry distinct times.
    started, origin = auction.started_at, time.monotonic()
    portal_clock.set_source(lambda: started + timedelta(seconds=time.monotonic() - origin))
    rules = auction_rules(auction.rules)
    barrier = threading.Barrier(BIDDERS * THREADS_PER_BIDDER)
    errors: list[BaseException] = []

    def bidder(supplier, worker):
        rng = random.Random(supplier.organisation.pk * 100 + worker)
        try:
            barrier.wait(timeout=30)
            for n in range(BIDS_PER_THREAD):
                best = Auction.objects.values_list("best_price", flat=True).get(pk=auction.pk)
                # Most aim exactly at the highest valid price (they collide), some a little lower.
                price = rules.highest_valid(best) - Decimal(rng.choice([0, 0, 0, 1, 5]))
                with contextlib.suppress(AuctionBidRefused):
                    auction_bid(
                        actor=supplier.owner,
                        auction=auction,
                        organisation=supplier.organisation,
                        price=price,
                        client_token=f"w{worker}-{n}",
                    )
        except BaseException as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=bidder, args=(supplier, worker))
        for supplier in suppliers
        for worker in range(THREADS_PER_BIDDER)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []

    attempts = list(AuctionBid.objects.filter(auction=auction).order_by("sequence"))
    total = BIDDERS * THREADS_PER_BIDDER * BIDS_PER_THREAD
    assert [attempt.sequence for attempt in attempts] == list(range(1, total + 1))
    assert [attempt.received_at for attempt in attempts] == sorted(attempt.received_at for attempt in attempts)
    # Replay: every accepted bid beat the best and its bidder's own price by the decrement at its time;
    # every refused one did not.
    prices = {
        bidder.organisation_id: (bidder.initial_price, bidder.initial_at)
        for bidder in AuctionBidder.objects.filter(auction=auction)
    }
    best = min(price for price, _at in prices.values())
    accepted = 0
    for attempt in attempts:
        own = prices[attempt.organisation_id][0]
        valid = attempt.price <= rules.highest_valid(own) and attempt.price <= rules.highest_valid(best)
        assert attempt.accepted == valid, attempt
        if valid:
            accepted += 1
            best = attempt.price
            prices[attempt.organisation_id] = (attempt.price, attempt.received_at)
    assert accepted > BIDDERS * THREADS_PER_BIDDER  # they did compete

    clock.set(Auction.objects.get(pk=auction.pk).ends_at)
    portal_clock.set_source(lambda: clock.now)
    chronograph_sweep(now=clock.now)
    auction.refresh_from_db()
    replayed = sorted(prices.items(), key=lambda item: (item[1][0], item[1][1]))
    assert [(row["organisation"], Decimal(row["price"])) for row in auction.ranking] == [
        (organisation, price) for organisation, (price, _at) in replayed
    ]
    assert auction.best_price == best
