"""The registry's pages. Each audience's module owns its URL patterns; the names are listed there."""

from smeregistry.views import operator, public, quotas, registration

urlpatterns = [
    # supplier-register, supplier-register-step, supplier-mine, consortium-create, category-picker
    *registration.urlpatterns,
    *public.urlpatterns,  # supplier-list, supplier-profile, sanction-list
    *operator.urlpatterns,  # registry-operator, registry-operator-supplier, sanction-create
    *quotas.urlpatterns,  # quota-national, quota-entity
]
