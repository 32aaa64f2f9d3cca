"""Factoring pages, mounted under ``factoring/`` in portal/urls.py.

One list per side; add a side's routes to ``urlpatterns`` below its own comment.
"""

from django.urls import path

from tradedocs.factoring import views_supplier

urlpatterns = [
    # Supplier (tradedocs/factoring/views_supplier.py)
    path("", views_supplier.documents, name="factoring-documents"),
    path("chains/<int:chain_id>/join/", views_supplier.chain_join_view, name="factoring-chain-join"),
    path("preacuse/", views_supplier.pre_acknowledgement, name="factoring-preacuse"),
    path("history/", views_supplier.history, name="factoring-history"),
    path("history.csv", views_supplier.history_csv, name="factoring-history-csv"),
    path("bank-accounts/", views_supplier.bank_accounts, name="factoring-bank-accounts"),
    # Institution (tradedocs/factoring/views_institution.py)
    # Buyer (tradedocs/factoring/views_buyer.py)
]
