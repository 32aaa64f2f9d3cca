"""Factoring pages, mounted under ``factoring/`` in portal/urls.py.

One list per side; add a side's routes to ``urlpatterns`` below its own comment.
"""

from django.urls import path

from tradedocs.factoring import views_buyer, views_institution, views_supplier

urlpatterns = [
    # Supplier (tradedocs/factoring/views_supplier.py)
    path("", views_supplier.documents, name="factoring-documents"),
    path("chains/<int:chain_id>/join/", views_supplier.chain_join_view, name="factoring-chain-join"),
    path("preacuse/", views_supplier.pre_acknowledgement, name="factoring-preacuse"),
    path("history/", views_supplier.history, name="factoring-history"),
    path("history.csv", views_supplier.history_csv, name="factoring-history-csv"),
    path("bank-accounts/", views_supplier.bank_accounts, name="factoring-bank-accounts"),
    # Institution (tradedocs/factoring/views_institution.py)
    path("institution/", views_institution.home, name="factoring-institution"),
    path(
        "institution/chains/<int:chain_id>/offer/",
        views_institution.offer_publish_view,
        name="factoring-institution-offer",
    ),
    path(
        "institution/financings/<int:financing_id>/operate/",
        views_institution.operate,
        name="factoring-institution-operate",
    ),
    path(
        "institution/financings/<int:financing_id>/decline/",
        views_institution.decline,
        name="factoring-institution-decline",
    ),
    path("institution/operations/", views_institution.operations, name="factoring-institution-operations"),
    path(
        "institution/operations.csv",
        views_institution.operations_csv,
        name="factoring-institution-operations-csv",
    ),
    # Buyer (tradedocs/factoring/views_buyer.py)
    path("buyer/", views_buyer.home, name="factoring-buyer"),
    path("buyer/chains/<int:chain_id>/", views_buyer.chain_detail, name="factoring-buyer-chain"),
    path("buyer/chains/<int:chain_id>/suppliers/", views_buyer.invite, name="factoring-buyer-invite"),
    path("buyer/chains/<int:chain_id>/institutions/", views_buyer.admit, name="factoring-buyer-admit"),
    path("buyer/chains/<int:chain_id>/payables/", views_buyer.payables, name="factoring-buyer-payables"),
    path("buyer/chains/<int:chain_id>/payables.csv", views_buyer.payables_csv, name="factoring-buyer-payables-csv"),
    path("buyer/chains/<int:chain_id>/payables/upload/", views_buyer.upload, name="factoring-buyer-upload"),
    path("buyer/chains/<int:chain_id>/calendar/", views_buyer.calendar, name="factoring-buyer-calendar"),
    path(
        "buyer/payables/<int:receivable_id>/<slug:action>/",
        views_buyer.payable_action,
        name="factoring-buyer-payable-action",
    ),
]
