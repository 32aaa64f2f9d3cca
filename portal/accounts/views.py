from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.accounts.enums import Role
from portal.accounts.forms import ApiTokenCreateForm, LoginForm, OrganisationSwitchForm
from portal.accounts.middleware import SESSION_KEY
from portal.accounts.selectors import api_tokens_of, memberships_of, organisation_get_for_actor
from portal.accounts.services import api_token_create, api_token_revoke, require_role
from portal.core.errors import DomainError


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_invalid(self, form):
        # Bad input is a 4xx, also for the people who type a wrong password.
        response = super().form_invalid(form)
        response.status_code = 400
        return response


@require_POST
@login_required
def organisation_switch(request):
    form = OrganisationSwitchForm(request.POST)
    if form.is_valid() and any(org.pk == form.cleaned_data["organisation"] for org in request.organisations):
        request.session[SESSION_KEY] = form.cleaned_data["organisation"]
    else:
        messages.error(request, _("You can only act for organisations you belong to."))
    target = request.POST.get("next") or reverse("home")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("home")
    return HttpResponseRedirect(target)


def _administered_organisation(request, organisation_id):
    try:
        organisation = organisation_get_for_actor(actor=request.user, organisation_id=organisation_id)
    except DomainError:
        raise Http404 from None
    require_role(request.user, organisation, {Role.ADMINISTRATOR})
    return organisation


@login_required
def organisation_members(request, organisation_id):
    organisation = _administered_organisation(request, organisation_id)
    return render(
        request,
        "accounts/members.html",
        {"organisation": organisation, "memberships": memberships_of(organisation=organisation)},
    )


@login_required
def api_tokens(request, organisation_id):
    organisation = _administered_organisation(request, organisation_id)
    new_key = None
    form = ApiTokenCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            _token, new_key = api_token_create(actor=request.user, organisation=organisation, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            form = ApiTokenCreateForm()
    status = 400 if request.method == "POST" and form.errors else 200
    return render(
        request,
        "accounts/api_tokens.html",
        {
            "organisation": organisation,
            "tokens": api_tokens_of(organisation=organisation),
            "form": form,
            "new_key": new_key,
        },
        status=status,
    )


@require_POST
@login_required
def api_token_revoke_view(request, organisation_id, token_id):
    organisation = _administered_organisation(request, organisation_id)
    token = api_tokens_of(organisation=organisation).filter(pk=token_id).first()
    if token is None:
        raise Http404
    try:
        api_token_revoke(actor=request.user, token=token)
    except PermissionDenied:
        raise
    messages.success(request, _("The token was revoked; it no longer opens the API."))
    return redirect("api-tokens", organisation_id=organisation.pk)
