"""The reverse auction's pages (see procurement/auction/views.py for the URL names)."""

from procurement.auction.views import urlpatterns  # noqa: F401 - included by procurement/urls.py
