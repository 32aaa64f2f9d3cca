"""Forms of the registry's pages. They check input and map the services' DomainError to fields;
the rules themselves live in ``smeregistry.services``."""

from __future__ import annotations

from dataclasses import fields as dataclass_fields
from datetime import date
from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import User
from portal.core.errors import DomainError
from smeregistry.enums import DocumentType, Register
from smeregistry.models import Region, UnspscCategory
from smeregistry.selectors import categories_matching
from smeregistry.services.suppliers import (
    FIELD_GROUPS,
    SupplierData,
    supplier_ruc_check_free,
    validate_supplier_data,
)

LIST_FIELDS = ("registers", "category_codes")


def supplier_data_from(values: dict[str, Any], *, document_ids: list[int] | None = None) -> SupplierData:
    """A SupplierData from what a draft (or a form) holds; missing fields are empty."""
    kwargs: dict[str, Any] = {}
    for item in dataclass_fields(SupplierData):
        if item.name == "document_ids":
            continue
        default: Any = [] if item.name in LIST_FIELDS else ""
        value = values.get(item.name, default)
        kwargs[item.name] = default if value is None else value
    return SupplierData(**kwargs, document_ids=list(document_ids or []))


def text(label, *, max_length=200, required=True, help_text="", autocomplete="", **attrs) -> forms.CharField:
    widget_attrs = {key.replace("_", "-"): value for key, value in attrs.items()}
    if autocomplete:
        widget_attrs["autocomplete"] = autocomplete
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        help_text=help_text,
        widget=forms.TextInput(attrs=widget_attrs),
    )


class AccountForm(forms.Form):
    """The first thing an anonymous visitor fills: their own account."""

    first_name = text(_("First name"), max_length=150, autocomplete="given-name")
    last_name = text(_("Last name"), max_length=150, autocomplete="family-name")
    email = forms.EmailField(
        label=_("Your e-mail"),
        max_length=150,
        help_text=_("You will sign in with it. We write to it about your registration."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        help_text=_("At least 10 characters. Not only numbers, and not like your name or e-mail."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        help_text=_("Write the same password, to be sure it has no typing mistake."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip()
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationError(_("An account with this e-mail already exists. Sign in with it instead."))
        return email

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords are not the same. Write them again."))
        elif first:
            candidate = User(
                username=cleaned.get("email", ""),
                email=cleaned.get("email", ""),
                first_name=cleaned.get("first_name", ""),
                last_name=cleaned.get("last_name", ""),
            )
            try:
                password_validation.validate_password(first, candidate)
            except ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned


class StepForm(forms.Form):
    """One step of the guided registration. Its fields are named as in SupplierData; ``clean`` runs
    the service's checks for this step's group of fields."""

    group: tuple[str, ...] = ()

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.service_clean: dict[str, Any] = {}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            self.service_clean = validate_supplier_data(supplier_data_from(cleaned), today=self.today, only=self.group)
            self.extra_checks()
        except DomainError as exc:
            self.add_service_error(exc)
        return cleaned

    def extra_checks(self) -> None:
        """Checks beyond the fields' own (e.g. uniqueness), run after them."""

    def add_service_error(self, exc: DomainError) -> None:
        name = exc.field
        target = name if name in self.fields else None
        if exc.message not in self.errors.get(target or "__all__", []):
            self.add_error(target, exc.message)

    def draft_values(self) -> dict[str, Any]:
        """What the draft keeps of this step: the cleaned values, as JSON."""
        values: dict[str, Any] = {}
        for name in self.group:
            value = self.service_clean.get(name, self.cleaned_data.get(name))
            values[name] = value
        return values


class BusinessForm(StepForm):
    group = FIELD_GROUPS[0]
    ruc = text(
        _("RUC"),
        max_length=11,
        help_text=_("The 11 digits of your RUC record (ficha RUC), e.g. 20131312955."),
        inputmode="numeric",
        autocomplete="off",
    )
    legal_name = text(
        _("Legal name"), help_text=_("As written on your RUC record (razón social)."), autocomplete="organization"
    )
    trade_name = text(
        _("Trade name"), required=False, help_text=_("The name your customers know, if different. Optional.")
    )

    def extra_checks(self) -> None:
        supplier_ruc_check_free(self.service_clean["ruc"])


class AddressForm(StepForm):
    group = FIELD_GROUPS[1]
    address = text(
        _("Tax address"),
        max_length=250,
        help_text=_("Street, number and town, as on your RUC record."),
        autocomplete="street-address",
    )
    region_code = forms.ChoiceField(label=_("Region"))
    district_ubigeo = text(
        _("District code (ubigeo)"),
        max_length=6,
        required=False,
        help_text=_("6 digits. Optional: leave it empty if you do not know it."),
        inputmode="numeric",
    )
    phone = text(_("Phone"), max_length=30, required=False, help_text=_("Optional."), autocomplete="tel")
    email = forms.CharField(
        label=_("Contact e-mail of the business"),
        max_length=254,
        help_text=_("Buyers and the registry will write here."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region_code"].choices = [("", _("Choose a region")), *Region.objects.filter(country="PE")
                                               .order_by("name").values_list("code", "name")]  # fmt: skip

    def draft_values(self) -> dict[str, Any]:
        values = super().draft_values()
        values["region_code"] = self.service_clean["region"].code
        return values


class RepresentativeForm(StepForm):
    group = FIELD_GROUPS[2]
    representative_name = text(
        _("Name of the legal representative"),
        help_text=_("First names and surnames, as on the DNI."),
        autocomplete="name",
    )
    representative_document = text(
        _("DNI of the legal representative"), max_length=8, help_text=_("8 digits."), inputmode="numeric"
    )


class OfferForm(StepForm):
    """Registers and categories. Chosen categories are listed checked (untick to remove); a search
    adds the matching ones, unticked, below them. No JavaScript needed."""

    group = FIELD_GROUPS[3]
    registers = forms.MultipleChoiceField(
        label=_("Registers"),
        choices=Register.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick every kind of contract you want to bid for."),
    )
    category_codes = forms.MultipleChoiceField(
        label=_("Categories of what you sell"), required=False, widget=forms.CheckboxSelectMultiple
    )
    q = forms.CharField(
        label=_("Find a category"),
        required=False,
        max_length=100,
        help_text=_("A word (e.g. computadoras, limpieza) or the first digits of a UNSPSC code."),
        widget=forms.TextInput(attrs={"type": "search"}),
    )

    def __init__(self, *args: Any, query: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.is_bound:
            codes = self.data.getlist("category_codes")
            query = self.data.get("q", query)
        else:
            codes = list(self.initial.get("category_codes") or [])
        self.query = (query or "").strip()[:100]
        chosen = list(UnspscCategory.objects.filter(code__in=codes).order_by("code"))
        chosen_codes = {category.code for category in chosen}
        self.chosen = chosen
        self.matches = [c for c in categories_matching(self.query) if c.code not in chosen_codes] if self.query else []
        self.fields["category_codes"].choices = [(c.code, f"{c.code} · {c.name}") for c in [*chosen, *self.matches]]
        if not self.is_bound and self.query:
            self.initial["q"] = self.query

    def draft_values(self) -> dict[str, Any]:
        return {
            "registers": self.service_clean["registers"],
            "category_codes": [category.code for category in self.service_clean["categories"]],
        }


class SizeForm(StepForm):
    group = FIELD_GROUPS[4]
    annual_sales = text(
        _("Annual sales (S/)"),
        max_length=20,
        help_text=_("Net sales of one fiscal year, in soles, from your annual declaration. E.g. 350000.00"),
        inputmode="decimal",
    )
    sales_fiscal_year = text(
        _("Fiscal year of those sales"), max_length=4, help_text=_("E.g. 2025"), inputmode="numeric"
    )
    employees = text(_("Number of employees"), max_length=8, inputmode="numeric")

    def draft_values(self) -> dict[str, Any]:
        return {
            "annual_sales": str(self.service_clean["annual_sales"]),
            "sales_fiscal_year": self.service_clean["sales_fiscal_year"],
            "employees": self.service_clean["employees"],
        }


class DocumentForm(forms.Form):
    doc_type = forms.ChoiceField(label=_("Type of document"), choices=[("", _("Choose a type")), *DocumentType.choices])
    file = forms.FileField(
        label=_("File"),
        required=False,
        help_text=_("PDF, JPEG or PNG, 5 MB at most."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )


class SizeDeclarationForm(forms.Form):
    """Newer sales, declared by a registered supplier."""

    annual_sales = SizeForm.base_fields["annual_sales"]
    sales_fiscal_year = SizeForm.base_fields["sales_fiscal_year"]
    employees = SizeForm.base_fields["employees"]


CONSORTIUM_MEMBERS = 5


class ConsortiumForm(forms.Form):
    """A name and up to five members: the first is the person's own supplier, the others by RUC."""

    name = text(_("Name of the consortium"))
    lead = forms.ChoiceField(label=_("Your business (leads the consortium)"))
    share_1 = text(_("Participation of your business (%)"), max_length=6, inputmode="decimal")

    def __init__(self, *args: Any, leads: list, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead"].choices = [(str(s.pk), f"{s.legal_name} ({s.ruc})") for s in leads]
        if len(leads) == 1:
            self.fields["lead"].widget = forms.HiddenInput()
            self.fields["lead"].initial = str(leads[0].pk)
        for n in range(2, CONSORTIUM_MEMBERS + 1):
            self.fields[f"ruc_{n}"] = text(
                _("RUC of member %(n)s") % {"n": n}, max_length=11, required=n == 2, inputmode="numeric"
            )
            self.fields[f"share_{n}"] = text(
                _("Participation of member %(n)s (%%)") % {"n": n}, max_length=6, required=n == 2, inputmode="decimal"
            )

    def member_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"ruc_{n}"], self[f"share_{n}"]) for n in range(2, CONSORTIUM_MEMBERS + 1)]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for n in range(2, CONSORTIUM_MEMBERS + 1):
            ruc, share = cleaned.get(f"ruc_{n}"), cleaned.get(f"share_{n}")
            if ruc and not share:
                self.add_error(f"share_{n}", _("Write this member's participation."))
            if share and not ruc:
                self.add_error(f"ruc_{n}", _("Write this member's RUC, or clear its participation."))
        return cleaned
