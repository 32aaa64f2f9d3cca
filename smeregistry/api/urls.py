from smeregistry.api import quotas, suppliers

urlpatterns = [*suppliers.urlpatterns, *quotas.urlpatterns]
