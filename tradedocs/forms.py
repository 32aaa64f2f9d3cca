"""Forms of the trade-document pages: list filters, the SME's invoice form with its lines, the buyer's
rejection, and webhook registration.

The forms only check what a person can fix by retyping (a field left empty, a date that is not a
date, a RUC nobody registered); every rule of the documents (totals, who may invoice what) is the
services', and their refusals are shown next to the field they name.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import Organisation
from portal.core import clock
from portal.core.errors import DomainError
from portal.notifications import events as event_types
from tradedocs.enums import DocumentStatus, DocumentType, RejectionReason
from tradedocs.models import Document
from tradedocs.services.issuing import FormLine

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

# Common UN/ECE Recommendation 20 units, with the names people use in Peru.
UNITS = [
    ("C62", _("unit")),
    ("H87", _("piece")),
    ("KGM", _("kilogram")),
    ("LTR", _("litre")),
    ("MTR", _("metre")),
    ("BX", _("box")),
    ("DAY", _("day")),
    ("HUR", _("hour")),
    ("MON", _("month")),
    ("E48", _("service")),
]
VAT_CHOICES = [("S", _("IGV 18%")), ("E", _("Exempt from IGV"))]
SYNTAX_CHOICES = [("cii", _("UN/CEFACT CII")), ("ubl", _("UBL 2.1"))]
LINES_MAX = 100
BLANK_ROWS = 5


class ServiceErrorsMixin:
    """Show a service's refusal next to the field it names, or at the top of the form."""

    service_fields: dict[str, str] = {}

    def add_service_error(self, exc: DomainError) -> None:
        field = self.service_fields.get(exc.field or "", exc.field)
        self.add_error(field if field in self.fields else None, exc.message)  # type: ignore[attr-defined]


# --- Lists --------------------------------------------------------------------------------------------


class DocumentFilterForm(forms.Form):
    type = forms.ChoiceField(label=_("Type"), required=False, choices=[("", _("Any")), *DocumentType.choices])
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("Any")), *DocumentStatus.choices])
    party = forms.CharField(
        label=_("RUC of the seller or buyer"),
        required=False,
        max_length=32,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 14}),
    )
    issued_from = forms.DateField(label=_("Issued from"), required=False, widget=DATE_INPUT)
    issued_to = forms.DateField(label=_("Issued until"), required=False, widget=DATE_INPUT)
    received_from = forms.DateField(label=_("Received from"), required=False, widget=DATE_INPUT)
    received_to = forms.DateField(label=_("Received until"), required=False, widget=DATE_INPUT)

    def filters(self) -> dict[str, Any]:
        """The selector's arguments from what is valid (a field with an error filters nothing)."""
        data = self.cleaned_data if self.is_bound and hasattr(self, "cleaned_data") else {}
        return {
            "document_type": data.get("type") or "",
            "status": data.get("status") or "",
            "party_tax_id": (data.get("party") or "").strip(),
            "issued_from": data.get("issued_from"),
            "issued_to": data.get("issued_to"),
            "received_from": data.get("received_from"),
            "received_to": data.get("received_to"),
        }


# --- The SME's invoice ----------------------------------------------------------------------------------


class InvoiceForm(ServiceErrorsMixin, forms.Form):
    service_fields = {"buyer": "buyer_ruc"}

    order = forms.TypedChoiceField(
        label=_("Order you invoice"), required=False, coerce=int, empty_value=None, choices=[]
    )
    buyer_ruc = forms.CharField(
        label=_("Or the buyer's RUC"),
        required=False,
        max_length=32,
        help_text=_("Only when you do not invoice an order: the buyer must be registered on the portal."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 14, "autocomplete": "off"}),
    )
    number = forms.CharField(
        label=_("Invoice number"),
        max_length=100,
        help_text=_("Your series and correlative, e.g. F001-00000123."),
        widget=forms.TextInput(attrs={"size": 20, "autocomplete": "off"}),
    )
    issue_date = forms.DateField(label=_("Issue date"), widget=DATE_INPUT)
    due_date = forms.DateField(label=_("Due date"), required=False, widget=DATE_INPUT)
    payment_terms = forms.CharField(
        label=_("Payment terms"),
        required=False,
        max_length=300,
        help_text=_("E.g. 30 days after acceptance."),
    )
    bank_account = forms.CharField(label=_("Bank account (CCI) for the transfer"), required=False, max_length=34)
    syntax = forms.ChoiceField(
        label=_("Format of the electronic invoice"),
        choices=SYNTAX_CHOICES,
        initial="cii",
        widget=forms.RadioSelect,
        help_text=_("Both follow the European standard EN 16931; choose what your buyer asks for."),
    )

    def __init__(self, *args: Any, orders: list[Document], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("issue_date", clock.today())
        super().__init__(*args, **kwargs)
        self.orders = {order.pk: order for order in orders}
        self.fields["order"].choices = [
            ("", _("None: I give the buyer's RUC")),
            *((order.pk, order_label(order)) for order in orders),
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        data["buyer"] = None
        order_id = data.get("order")
        ruc = (data.get("buyer_ruc") or "").strip()
        if order_id is None and not ruc and "buyer_ruc" not in self.errors:
            self.add_error("buyer_ruc", _("Choose the order you invoice, or give the buyer's RUC."))
        elif order_id is None and ruc:
            buyer = Organisation.objects.filter(tax_id=ruc, is_active=True).order_by("pk").first()
            if buyer is None:
                self.add_error(
                    "buyer_ruc", _("No organisation with RUC %(ruc)s is registered on the portal.") % {"ruc": ruc}
                )
            data["buyer"] = buyer
        return data

    def chosen_order(self) -> Document | None:
        order_id = self.cleaned_data.get("order")
        return self.orders.get(order_id) if order_id is not None else None


def order_label(order: Document) -> str:
    from portal.core.money import format_money

    amount = format_money(order.amount, order.currency or "PEN") if order.amount is not None else ""
    return " · ".join(part for part in (order.number, order.buyer_name, amount) if part)


class LineForm(forms.Form):
    """One line of the invoice; a row left blank is ignored."""

    description = forms.CharField(
        label=_("Description"), required=False, max_length=200, widget=forms.TextInput(attrs={"size": 30})
    )
    quantity = forms.DecimalField(
        label=_("Quantity"),
        required=False,
        min_value=Decimal("0.0001"),
        max_digits=15,
        decimal_places=4,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 8, "autocomplete": "off"}),
    )
    unit = forms.ChoiceField(label=_("Unit"), choices=UNITS, initial="C62")
    unit_price = forms.DecimalField(
        label=_("Unit price without IGV"),
        required=False,
        min_value=Decimal("0"),
        max_digits=17,
        decimal_places=4,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 10, "autocomplete": "off"}),
    )
    vat_category = forms.ChoiceField(label=_("IGV"), choices=VAT_CHOICES, initial="S")
    unspsc_code = forms.RegexField(
        label=_("UNSPSC code (optional)"),
        required=False,
        regex=r"^\d{8}$",
        error_messages={"invalid": _("Eight digits, e.g. 43211503.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 9, "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # An order's line may use a Rec 20 unit the list does not offer: keep it rather than change it.
        unit = self.data.get(self.add_prefix("unit")) if self.is_bound else self.initial.get("unit")
        known = {code for code, _label in UNITS}
        if unit and unit not in known and re.fullmatch(r"[A-Z0-9]{2,3}", str(unit)):
            self.fields["unit"].choices = [*UNITS, (unit, unit)]

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return (
            not (data.get("description") or "").strip()
            and data.get("quantity") is None
            and data.get("unit_price") is None
            and not data.get("unspsc_code")
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.is_blank() or self.errors:
            return data
        if not (data.get("description") or "").strip():
            self.add_error("description", _("Describe what you sell on this line."))
        if data.get("quantity") is None:
            self.add_error("quantity", _("Give the quantity."))
        if data.get("unit_price") is None:
            self.add_error("unit_price", _("Give the unit price."))
        return data

    def form_line(self) -> FormLine:
        data = self.cleaned_data
        return FormLine(
            description=data["description"].strip(),
            quantity=data["quantity"],
            unit=data["unit"],
            unit_price=data["unit_price"],
            vat_category=data["vat_category"],
            unspsc_code=data.get("unspsc_code") or "",
        )


class BaseLineFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        if not self.form_lines():
            raise forms.ValidationError(_("Add at least one line."))

    def form_lines(self) -> list[FormLine]:
        return [form.form_line() for form in self.forms if hasattr(form, "cleaned_data") and not form.is_blank()]


def line_formset(*args: Any, initial: list[dict[str, Any]] | None = None, **kwargs: Any) -> BaseLineFormSet:
    """The lines: the order's prefilled lines, if any, then blank rows."""
    extra = BLANK_ROWS if not initial else 2
    formset_class = forms.formset_factory(
        LineForm, formset=BaseLineFormSet, extra=extra, max_num=LINES_MAX, validate_max=True, absolute_max=LINES_MAX
    )
    return formset_class(*args, initial=initial, prefix="lines", **kwargs)


# --- The buyer's answer ----------------------------------------------------------------------------------


class RejectForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Reason"),
        choices=[("", _("Choose a reason")), *RejectionReason.choices],
        error_messages={"required": _("Choose why the invoice is rejected.")},
    )
    text = forms.CharField(
        label=_("Explain the rejection to the seller"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Explain the rejection so the seller can correct it.")},
    )


# --- Webhooks ----------------------------------------------------------------------------------------------


class WebhookForm(ServiceErrorsMixin, forms.Form):
    url = forms.URLField(
        label=_("URL of your system"),
        max_length=500,
        assume_scheme="https",
        help_text=_("The portal POSTs each event there, signed with the secret shown once after registering."),
    )
    events = forms.MultipleChoiceField(
        label=_("Events"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every event."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["events"].choices = [(event.name, event.label) for event in event_types.all_events()]
