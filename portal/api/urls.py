from django.urls import include, path

from portal.accounts.api import views as accounts
from portal.notifications import api as notifications

urlpatterns = [
    path("me/", accounts.MeView.as_view(), name="api-me"),
    path("organisations/<int:organisation_id>/", accounts.OrganisationDetailView.as_view(), name="api-organisation"),
    path("organisations/<int:organisation_id>/members/", accounts.MemberListView.as_view(), name="api-members"),
    path(
        "organisations/<int:organisation_id>/tokens/", accounts.ApiTokenListCreateView.as_view(), name="api-token-list"
    ),
    path(
        "organisations/<int:organisation_id>/tokens/<int:token_id>/",
        accounts.ApiTokenRevokeView.as_view(),
        name="api-token-detail",
    ),
    path("inbox/", notifications.InboxView.as_view(), name="api-inbox"),
    path("inbox/read/", notifications.InboxReadView.as_view(), name="api-inbox-read"),
    path("", include("smeregistry.api.urls")),
    path("", include("procurement.api.urls")),
    path("", include("procurement.auction.api")),
    path("", include("procurement.ocds.api")),
    path("", include("tradedocs.api")),
    path("", include("tradedocs.factoring.api")),
]
