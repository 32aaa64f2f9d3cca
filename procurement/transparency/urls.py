"""The public transparency pages: search and drill-down (``views.search``), price history and
statistics (``views.stats``). Mounted under ``/transparency/`` by ``procurement/urls.py``."""

from procurement.transparency.views import search, stats

urlpatterns = [*search.urlpatterns, *stats.urlpatterns]
