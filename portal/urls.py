from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from portal.web import views as web_views

urlpatterns = [
    path("", web_views.home, name="home"),
    path("", include("portal.accounts.urls")),
    path("", include("portal.notifications.urls")),
    path("", include("smeregistry.urls")),
    path("", include("procurement.urls")),
    path("", include("tradedocs.urls")),
    path("factoring/", include("tradedocs.factoring.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("portal.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]

handler400 = "portal.web.views.bad_request"
handler403 = "portal.web.views.permission_denied"
handler404 = "portal.web.views.page_not_found"
handler500 = "portal.web.views.server_error"
