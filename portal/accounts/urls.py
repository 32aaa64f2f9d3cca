from django.contrib.auth import views as auth_views
from django.urls import path

from portal.accounts import views

urlpatterns = [
    path("account/login/", views.LoginView.as_view(), name="login"),
    path("account/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/organisation/", views.organisation_switch, name="organisation-switch"),
    path("organisations/<int:organisation_id>/members/", views.organisation_members, name="organisation-members"),
    path("organisations/<int:organisation_id>/tokens/", views.api_tokens, name="api-tokens"),
    path(
        "organisations/<int:organisation_id>/tokens/<int:token_id>/revoke/",
        views.api_token_revoke_view,
        name="api-token-revoke",
    ),
]
