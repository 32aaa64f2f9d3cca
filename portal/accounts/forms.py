from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from portal.accounts.enums import TokenScope


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("E-mail or username"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    error_messages = {
        "invalid_login": _(
            "The e-mail (or username) or the password is not correct. Check them and try again "
            "(passwords are case-sensitive)."
        ),
        "inactive": _("This account is not active. Contact your organisation's administrator."),
    }


class OrganisationSwitchForm(forms.Form):
    organisation = forms.IntegerField(widget=forms.HiddenInput)


class ApiTokenCreateForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=100, help_text=_("The system that will use it, e.g. 'ERP Contabilidad'.")
    )
    scopes = forms.MultipleChoiceField(
        label=_("What it may do"), choices=TokenScope.choices, widget=forms.CheckboxSelectMultiple
    )
    days = forms.IntegerField(label=_("Valid for (days)"), min_value=1, max_value=730, initial=365)
