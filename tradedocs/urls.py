"""Trade-document pages; the views and their names are in tradedocs/views.py."""

from django.urls import path

from tradedocs import views

urlpatterns = [
    path("documents/", views.inbox, name="documents-inbox"),
    path("documents/outbox/", views.outbox, name="documents-outbox"),
    path("documents/new/invoice/", views.invoice_new, name="invoice-new"),
    path(
        "documents/orders/from-contract/<int:contract_id>/",
        views.order_from_contract,
        name="order-from-contract",
    ),
    path("documents/webhooks/", views.webhooks, name="documents-webhooks"),
    path("documents/webhooks/<int:webhook_id>/remove/", views.webhook_remove_view, name="documents-webhook-remove"),
    path("documents/<int:document_id>/", views.document_detail, name="document-detail"),
    path("documents/<int:document_id>/report/", views.document_report, name="document-report"),
    path("documents/<int:document_id>/original/", views.document_original, name="document-original"),
    path("documents/<int:document_id>/converted/", views.document_converted, name="document-converted"),
    path("documents/<int:document_id>/accept/", views.document_accept, name="document-accept"),
    path("documents/<int:document_id>/reject/", views.document_reject, name="document-reject"),
]
