"""Agreed unit prices for the price history of a product (to be built)."""

from __future__ import annotations


def refresh(*, tender_id: int) -> None:
    """Keep the tender's ``PricePoint`` rows equal to the items of its awards in force."""
