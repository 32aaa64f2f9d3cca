"""Procurement's pages. Each audience's module owns its URL patterns; the names are listed there."""

from django.urls import include, path

from procurement.views import officer, oversight, public, supplier

urlpatterns = [
    *public.urlpatterns,  # public tender search, tender page with timeline, opening record, awards
    *supplier.urlpatterns,  # opportunities, participate, ask, bid, my bids
    *officer.urlpatterns,  # plans, tender drafting and publication, answers, opening, evaluation, award, contracts
    *oversight.urlpatterns,  # appeals to resolve (oversight body's reviewers)
    path("", include("procurement.auction.urls")),  # reverse auction: the board, bids, negotiation, live status
    path("transparency/", include("procurement.transparency.urls")),  # search, drill-down, prices, statistics
]
