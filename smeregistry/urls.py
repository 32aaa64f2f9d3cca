from django.urls import path

from smeregistry.views import operator, public, quotas, registration

urlpatterns = [
    # Registration (the SME's guided form), the supplier's own record, consortia.
    path("registry/register/", registration.placeholder, name="supplier-register"),
    path("registry/register/step/<int:step>/", registration.placeholder, name="supplier-register-step"),
    path("registry/mine/", registration.placeholder, name="supplier-mine"),
    path("registry/consortia/new/", registration.placeholder, name="consortium-create"),
    path("registry/categories/", registration.placeholder, name="category-picker"),
    # Public pages.
    path("registry/suppliers/", public.placeholder, name="supplier-list"),
    path("registry/suppliers/<str:ruc>/", public.placeholder, name="supplier-profile"),
    path("registry/sanctions/", public.placeholder, name="sanction-list"),
    # The registry's operators and the oversight body.
    path("registry/operator/", operator.placeholder, name="registry-operator"),
    path("registry/operator/<str:ruc>/", operator.placeholder, name="registry-operator-supplier"),
    path("registry/oversight/sanctions/new/", operator.placeholder, name="sanction-create"),
    # Set-aside quotas.
    path("registry/quotas/", quotas.placeholder, name="quota-national"),
    path("registry/quotas/<int:entity_id>/", quotas.placeholder, name="quota-entity"),
]
