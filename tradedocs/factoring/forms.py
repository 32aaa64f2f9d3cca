"""Forms of the factoring pages. They only check what a person can fix by retyping; the rules of the
market are the services', and their refusals are shown next to the field they name."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.accounts.enums import OrganisationKind
from portal.accounts.models import Organisation
from tradedocs.forms import ServiceErrorsMixin

MAX_DOCUMENTS = 100


class DocumentIdsField(forms.Field):
    """Document ids, given as repeated parameters (``documents=1&documents=2``) or comma-separated
    (``documents=1,2``), or both."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {
        "required": _("Choose at least one document."),
        "invalid": _("The documents chosen are not valid."),
        "too_many": _("Choose at most %(n)s documents at a time."),
    }

    def to_python(self, value: Any) -> list[int]:
        if not value:
            return []
        values = value if isinstance(value, list | tuple) else [value]
        ids: list[int] = []
        for raw in values:
            for part in (piece.strip() for piece in str(raw).split(",")):
                if not part:
                    continue
                if not part.isdigit() or len(part) > 12:
                    raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
                if int(part) not in ids:
                    ids.append(int(part))
        if len(ids) > MAX_DOCUMENTS:
            raise forms.ValidationError(self.error_messages["too_many"], code="too_many", params={"n": MAX_DOCUMENTS})
        return ids


class PreAcknowledgementForm(forms.Form):
    """The supplier's choice: which documents, discounted by which institution."""

    documents = DocumentIdsField(label=_("Documents"))
    institution = forms.ModelChoiceField(
        label=_("Financial institution"),
        queryset=Organisation.objects.filter(kind=OrganisationKind.FINANCIAL_INSTITUTION),
        widget=forms.HiddenInput,
        error_messages={
            "required": _("Choose the financial institution."),
            "invalid_choice": _("Choose the financial institution from the list."),
        },
    )


class BankAccountForm(ServiceErrorsMixin, forms.Form):
    bank = forms.CharField(label=_("Bank"), max_length=120)
    cci = forms.CharField(
        label=_("Interbank account code (CCI)"),
        max_length=40,
        help_text=_("The 20 digits of the CCI; spaces and dashes are ignored."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


# ── institution and buyer ────────────────────────────────────────────────────────────────────────
# Imports of this section (the file grows by appending, so they stay here).
# (forms, _, Any, OrganisationKind and Organisation come from the top of the file.)
import csv  # noqa: E402
import io  # noqa: E402
from decimal import Decimal  # noqa: E402

from tradedocs.factoring.enums import ReceivableStatus  # noqa: E402
from tradedocs.factoring.models import Programme  # noqa: E402

PAYABLES_MAX_BYTES = 2 * 1024 * 1024
PAYABLES_MAX_ROWS = 5000
PAYABLES_COLUMNS = ("supplier_ruc", "number", "amount", "due_date")
_RATE_WIDGET = forms.NumberInput(attrs={"step": "0.0001", "inputmode": "decimal", "size": 8})
_MONEY_WIDGET = forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal", "size": 14})
_DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
_RUC_WIDGET = forms.TextInput(attrs={"inputmode": "numeric", "size": 14, "autocomplete": "off"})


class OfferForm(forms.Form):
    """An institution's offer: reference rate plus spread (the cap is the service's rule)."""

    reference_rate = forms.DecimalField(
        label=_("Reference rate (% a year)"), min_value=0, max_digits=7, decimal_places=4, widget=_RATE_WIDGET
    )
    spread = forms.DecimalField(
        label=_("Spread (points)"), min_value=0, max_digits=7, decimal_places=4, widget=_RATE_WIDGET
    )
    valid_from = forms.DateField(
        label=_("Valid from"), required=False, widget=_DATE_WIDGET, help_text=_("Empty: from today.")
    )


class ChainOpenForm(forms.Form):
    name = forms.CharField(label=_("Name of the chain"), max_length=200)
    programme = forms.ModelChoiceField(label=_("Programme"), queryset=Programme.objects.order_by("name", "pk"))
    buyer_limit = forms.DecimalField(
        label=_("Limit on the buyer"),
        required=False,
        min_value=Decimal("0.01"),
        max_digits=18,
        decimal_places=2,
        widget=_MONEY_WIDGET,
        help_text=_("The most the institutions may hold on your organisation at once. Empty: no limit."),
    )


class _RucForm(forms.Form):
    """A RUC that names a registered organisation of ``kind``; ``organisation`` after validation."""

    kind = ""
    not_found = _("No organisation of that kind is registered with RUC %(ruc)s.")
    ruc = forms.CharField(label=_("RUC"), max_length=20, widget=_RUC_WIDGET)

    def clean_ruc(self) -> str:
        ruc = "".join(self.cleaned_data["ruc"].split())
        self.organisation = Organisation.objects.filter(tax_id=ruc, kind=self.kind, is_active=True).first()
        if self.organisation is None:
            raise forms.ValidationError(self.not_found, params={"ruc": ruc}, code="not_found")
        return ruc


class InviteSupplierForm(_RucForm):
    kind = OrganisationKind.SUPPLIER
    not_found = _("No supplier is registered with RUC %(ruc)s.")


class AdmitInstitutionForm(_RucForm):
    kind = OrganisationKind.FINANCIAL_INSTITUTION
    not_found = _("No financial institution is registered with RUC %(ruc)s.")
    limit = forms.DecimalField(
        label=_("Exposure limit"),
        required=False,
        min_value=Decimal("0.01"),
        max_digits=18,
        decimal_places=2,
        widget=_MONEY_WIDGET,
        help_text=_("The most this institution may hold on your organisation. Empty: no limit."),
    )
    auto_accept_up_to = forms.DecimalField(
        label=_("Accept automatically up to"),
        required=False,
        min_value=Decimal("0.01"),
        max_digits=18,
        decimal_places=2,
        widget=_MONEY_WIDGET,
        help_text=_("Selections up to this face value are operated without an officer. Empty: never."),
    )


class PayableFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("Any")), *ReceivableStatus.choices])


class PayablesUploadForm(forms.Form):
    """A CSV of confirmed payables: ``supplier_ruc,number,amount,due_date[,currency]`` with a header row,
    UTF-8, at most 2 MB. ``rows`` after validation: one dict per data row, for ``payables_load``."""

    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "UTF-8, at most 2 MB, a header row with the columns supplier_ruc, number, amount, due_date "
            "(YYYY-MM-DD) and optionally currency."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > PAYABLES_MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 2 MB."), code="too_large")
        raw = upload.read(PAYABLES_MAX_BYTES + 1)
        if len(raw) > PAYABLES_MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 2 MB."), code="too_large")
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError(
                _("The file is not UTF-8 text: save it as CSV UTF-8."), code="encoding"
            ) from None
        if "\x00" in text:
            raise forms.ValidationError(_("The file is not a CSV text file."), code="not_csv")
        try:
            reader = csv.DictReader(io.StringIO(text, newline=""))
            header = [(name or "").strip().lower() for name in (reader.fieldnames or [])]
            missing = [column for column in PAYABLES_COLUMNS if column not in header]
            if missing:
                raise forms.ValidationError(
                    _("The header row lacks the columns: %(columns)s."),
                    params={"columns": ", ".join(missing)},
                    code="columns",
                )
            reader.fieldnames = header
            rows = [
                {key: (value or "").strip() for key, value in row.items() if key and isinstance(value, str)}
                for row in reader
            ]
        except csv.Error:
            raise forms.ValidationError(_("The file is not valid CSV."), code="not_csv") from None
        rows = [row for row in rows if any(row.values())]
        if not rows:
            raise forms.ValidationError(_("The file has no rows under its header."), code="empty")
        if len(rows) > PAYABLES_MAX_ROWS:
            raise forms.ValidationError(
                _("Load at most %(max)s rows at a time."), params={"max": PAYABLES_MAX_ROWS}, code="too_many"
            )
        self.rows = rows
        return upload
