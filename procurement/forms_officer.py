"""Forms of the contracting entity's officer pages: the plan (PAC) with its lines, the tender draft
with its lots and items, the chronogram in Lima time, and the small forms of the tender's page.

The forms read and type what was typed; the rules are the services'. A service's ``DomainError``
names the field to fix (``lines[2].estimated_value``, ``lots[0].items[1].quantity``): ``add_service_error``
puts its message next to that field. Rows are added without JavaScript: a submit button re-renders the
form with what was typed and more blank rows (``with_more_rows``); blank rows are left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.formsets import BaseFormSet, formset_factory
from django.utils.dates import MONTHS
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.core.errors import DomainError
from procurement.enums import DayUnit, ProcurementObject
from procurement.reference_data import UNITS_REC20
from procurement.services.plans import PlanLineData
from procurement.services.tenders import CURRENCIES, ItemData, LotData
from procurement.timeline import LIMA, STAGE_OF, Problem, Timeline

PLAN_BLANK_ROWS = 3
MAX_PLAN_LINES = 300
LOT_BLANK_ITEMS = 2
MAX_LOTS = 50
MAX_ITEMS = 200
MONTH_CHOICES = [("", gettext_lazy("Choose a month")), *((str(n), name) for n, name in MONTHS.items())]
CURRENCY_LABELS = {"PEN": gettext_lazy("Soles (PEN)"), "USD": gettext_lazy("US dollars (USD)")}
SERVICE_FIELD = re.compile(r"^(?P<group>lines|lots)\[(?P<row>\d+)\](?:\.items\[(?P<item>\d+)\])?(?:\.(?P<name>\w+))?$")


def _text(label, *, max_length: int, required: bool = False, help_text: str = "", **attrs) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        help_text=help_text,
        widget=forms.TextInput(attrs=attrs),
    )


class AmountField(forms.DecimalField):
    """A decimal written the Peruvian way: point for decimals; commas, spaces and "S/" are ignored."""

    def __init__(self, *, decimal_places: int = 2, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal"}))
        super().__init__(max_digits=18, decimal_places=decimal_places, **kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = value.replace("S/", "").replace(",", "").replace(" ", "")
        return super().to_python(value)


def raw_values(form: forms.Form) -> dict[str, Any]:
    """What was typed in a bound form, as initial values for the same form unbound."""
    return {name: form[name].data for name in form.fields}


def _is_blank(form: forms.Form) -> bool:
    return not form.has_changed()


class RowFormSet(BaseFormSet):
    """A formset whose every row may be left blank (and is then left out): no row is "initial"."""

    def initial_form_count(self) -> int:
        return 0

    def filled(self) -> list[tuple[int, forms.Form]]:
        """(row index, form) of the rows with something typed in them."""
        return [(index, form) for index, form in enumerate(self.forms) if not _is_blank(form)]


def rows_formset(form_class: type[forms.Form], *, rows: int, max_rows: int) -> type[RowFormSet]:
    return formset_factory(
        form_class,
        formset=RowFormSet,
        extra=rows,
        max_num=max_rows,
        validate_max=True,
        absolute_max=max_rows,
    )


def _add_error(form: forms.Form, name: str | None, message: str) -> None:
    form.add_error(name if name in form.fields else None, message)


# --- The plan (PAC) -------------------------------------------------------------------------------------


class PlanHeaderForm(forms.Form):
    fiscal_year = forms.IntegerField(label=gettext_lazy("Fiscal year"), min_value=2000, max_value=2100)


class PlanLineForm(forms.Form):
    """One planned purchase. Every field may be left empty here: the service says what is missing."""

    description = _text(gettext_lazy("Planned purchase"), max_length=300)
    object = forms.ChoiceField(
        label=gettext_lazy("Object"),
        required=False,
        choices=[("", gettext_lazy("Choose the object")), *ProcurementObject.choices],
    )
    procedure_type = forms.ModelChoiceField(
        label=gettext_lazy("Procedure type"),
        required=False,
        queryset=None,
        empty_label=gettext_lazy("Choose a procedure type"),
    )
    unspsc_code = _text(
        gettext_lazy("UNSPSC code"),
        max_length=8,
        help_text=gettext_lazy("8 digits, e.g. 43211500."),
        inputmode="numeric",
    )
    estimated_value = AmountField(label=gettext_lazy("Estimated value (S/)"))
    planned_month = forms.TypedChoiceField(
        label=gettext_lazy("Planned month"), required=False, choices=MONTH_CHOICES, coerce=int, empty_value=None
    )

    def __init__(self, *args: Any, procedure_types=None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["procedure_type"].queryset = procedure_types

    def line_data(self) -> PlanLineData:
        data = self.cleaned_data
        return PlanLineData(
            description=data["description"],
            object=data["object"],
            procedure_type=data["procedure_type"],
            unspsc_code=data["unspsc_code"],
            estimated_value=data["estimated_value"],
            planned_month=data["planned_month"],
        )


class PlanForms:
    """The plan's year and its lines, as one form on the page."""

    def __init__(
        self,
        data=None,
        *,
        procedure_types,
        rows: int = PLAN_BLANK_ROWS,
        initial_year: int | None = None,
        initial_lines: list[dict[str, Any]] | None = None,
        year_fixed: int | None = None,
    ) -> None:
        self.year_fixed = year_fixed
        self.header = PlanHeaderForm(data, initial={"fiscal_year": year_fixed or initial_year})
        if year_fixed is not None:
            self.header.fields["fiscal_year"].disabled = True
        initial_lines = list(initial_lines or [])
        formset = rows_formset(PlanLineForm, rows=len(initial_lines) + rows, max_rows=MAX_PLAN_LINES)
        self.lines = formset(
            data,
            prefix="lines",
            initial=initial_lines or None,
            form_kwargs={"procedure_types": procedure_types},
        )
        self._rows: list[int] = []
        self.errors_outside: list[str] = []

    def is_valid(self) -> bool:
        return self.header.is_valid() & self.lines.is_valid()

    def with_more_rows(self, *, procedure_types, more: int = PLAN_BLANK_ROWS) -> PlanForms:
        """The same plan, unbound, with what was typed and ``more`` blank rows."""
        return PlanForms(
            procedure_types=procedure_types,
            rows=more,
            initial_year=self.header["fiscal_year"].data if self.year_fixed is None else None,
            initial_lines=[raw_values(form) for _index, form in self.lines.filled()],
            year_fixed=self.year_fixed,
        )

    @property
    def fiscal_year(self) -> int:
        return self.header.cleaned_data["fiscal_year"]

    def line_data(self) -> list[PlanLineData]:
        filled = self.lines.filled()
        self._rows = [index for index, _form in filled]
        return [form.line_data() for _index, form in filled]

    def add_service_error(self, error: DomainError) -> None:
        match = SERVICE_FIELD.match(error.field or "")
        if match and match["group"] == "lines" and int(match["row"]) < len(self._rows):
            _add_error(self.lines.forms[self._rows[int(match["row"])]], match["name"], error.message)
        elif error.field == "fiscal_year":
            self.header.add_error("fiscal_year", error.message)
        else:
            self.errors_outside.append(error.message)

    @property
    def has_errors(self) -> bool:
        return bool(self.errors_outside or self.header.errors or self.lines.non_form_errors() or any(self.lines.errors))


# --- The tender draft: lots and items ---------------------------------------------------------------------


class PlanLineChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, line) -> str:
        return _("PAC %(year)s v%(version)s · line %(number)s: %(description)s (%(procedure)s, %(object)s)") % {
            "year": line.plan.fiscal_year,
            "version": line.plan.version,
            "number": line.number,
            "description": line.description,
            "procedure": line.procedure_type.name,
            "object": line.get_object_display(),
        }


class TenderHeaderForm(forms.Form):
    plan_line = PlanLineChoiceField(
        label=gettext_lazy("Plan line"),
        queryset=None,
        empty_label=gettext_lazy("Choose a line of the published plan"),
        help_text=gettext_lazy("The procedure type and the object come from the plan line."),
    )
    title = _text(gettext_lazy("Tender title"), max_length=300)
    description = forms.CharField(
        label=gettext_lazy("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    currency = forms.ChoiceField(
        label=gettext_lazy("Currency"), choices=[(code, CURRENCY_LABELS[code]) for code in CURRENCIES]
    )

    def __init__(self, *args: Any, plan_lines=None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["plan_line"].queryset = plan_lines


class LotForm(forms.Form):
    title = _text(gettext_lazy("Lot title"), max_length=300)
    reference_value = AmountField(label=gettext_lazy("Reference value"))
    mype_reserved = forms.BooleanField(
        label=gettext_lazy("Reserved for micro and small enterprises (MYPE)"), required=False
    )


class ItemForm(forms.Form):
    unspsc_code = _text(
        gettext_lazy("UNSPSC code"), max_length=8, help_text=gettext_lazy("8 digits."), inputmode="numeric"
    )
    description = _text(gettext_lazy("Description"), max_length=500)
    quantity = AmountField(label=gettext_lazy("Quantity"), decimal_places=3)
    unit = forms.ChoiceField(
        label=gettext_lazy("Unit"),
        required=False,
        choices=[("", gettext_lazy("Choose a unit")), *((code, f"{name} ({code})") for code, name in UNITS_REC20)],
    )
    delivery_place = _text(gettext_lazy("Delivery place"), max_length=300)
    region_code = forms.ChoiceField(label=gettext_lazy("Delivery region"), required=False)

    def __init__(self, *args: Any, regions=(), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region_code"].choices = [("", _("Choose a region")), *regions]

    def item_data(self) -> ItemData:
        data = self.cleaned_data
        return ItemData(
            unspsc_code=data["unspsc_code"],
            description=data["description"],
            quantity=data["quantity"],
            unit=data["unit"],
            delivery_place=data["delivery_place"],
            region_code=data["region_code"],
        )


@dataclass
class LotRows:
    form: LotForm
    items: RowFormSet
    errors: list[str]


class TenderForms:
    """The tender's header, its lots (``lot-N-…``) and each lot's items (``lot-N-item-M-…``).

    Counts travel in the formsets' management forms, so "add a lot" and "add an item" are plain
    submit buttons and the page works with JavaScript off."""

    def __init__(
        self,
        data=None,
        *,
        plan_lines,
        regions,
        initial: dict[str, Any] | None = None,
        lots: list[dict[str, Any]] | None = None,
        items: list[list[dict[str, Any]]] | None = None,
        item_rows: list[int] | None = None,
    ) -> None:
        self.plan_lines, self.regions = plan_lines, regions
        self.header = TenderHeaderForm(data, plan_lines=plan_lines, initial=initial)
        lots = lots if lots is not None else [{}]
        lot_class = rows_formset(LotForm, rows=len(lots), max_rows=MAX_LOTS)
        self.lot_set = lot_class(data, prefix="lot", initial=lots if data is None else None)
        self.lots: list[LotRows] = []
        for index, lot_form in enumerate(self.lot_set.forms):
            typed = (items or [])[index] if items and index < len(items) else []
            blank = (item_rows or [])[index] if item_rows and index < len(item_rows) else LOT_BLANK_ITEMS
            item_class = rows_formset(ItemForm, rows=len(typed) + blank, max_rows=MAX_ITEMS)
            item_set = item_class(
                data,
                prefix=f"lot-{index}-item",
                initial=(typed or None) if data is None else None,
                form_kwargs={"regions": regions},
            )
            self.lots.append(LotRows(form=lot_form, items=item_set, errors=[]))
        self.errors_outside: list[str] = []
        self._map: list[tuple[int, list[int]]] = []

    def is_valid(self) -> bool:
        valid = self.header.is_valid() & self.lot_set.is_valid()
        for lot in self.lots:
            valid &= lot.items.is_valid()
        return valid

    def with_more_rows(self, *, add_lot: bool = False, add_item_to: int | None = None) -> TenderForms:
        """The same draft, unbound, with what was typed, and one more lot or two more item rows."""
        lots, items, rows = [], [], []
        for index, lot in enumerate(self.lots):
            typed = [raw_values(form) for _row, form in lot.items.filled()]
            if _is_blank(lot.form) and not typed and len(self.lots) > 1 and index != add_item_to:
                continue
            lots.append(raw_values(lot.form))
            items.append(typed)
            rows.append(LOT_BLANK_ITEMS if index == add_item_to or not typed else 1)
        if add_lot or not lots:
            lots.append({})
            items.append([])
            rows.append(LOT_BLANK_ITEMS)
        return TenderForms(
            plan_lines=self.plan_lines,
            regions=self.regions,
            initial=raw_values(self.header),
            lots=lots,
            items=items,
            item_rows=rows,
        )

    def service_arguments(self) -> dict[str, Any]:
        """The keyword arguments of ``tender_create`` from the typed lots and items (blank ones left out)."""
        lots: list[LotData] = []
        self._map = []
        for index, lot in enumerate(self.lots):
            filled = lot.items.filled()
            if _is_blank(lot.form) and not filled:
                continue
            self._map.append((index, [row for row, _form in filled]))
            lots.append(
                LotData(
                    title=lot.form.cleaned_data["title"],
                    reference_value=lot.form.cleaned_data["reference_value"],
                    mype_reserved=lot.form.cleaned_data["mype_reserved"],
                    items=[form.item_data() for _row, form in filled],
                )
            )
        header = self.header.cleaned_data
        return {
            "plan_line": header["plan_line"],
            "title": header["title"],
            "description": header["description"],
            "currency": header["currency"],
            "lots": lots,
        }

    def add_service_error(self, error: DomainError) -> None:
        """Put the service's message next to the field it names (``lots[1].items[0].quantity``)."""
        match = SERVICE_FIELD.match(error.field or "")
        if match and match["group"] == "lots" and int(match["row"]) < len(self._map):
            lot_index, item_rows = self._map[int(match["row"])]
            lot = self.lots[lot_index]
            if match["item"] is not None and int(match["item"]) < len(item_rows):
                _add_error(lot.items.forms[item_rows[int(match["item"])]], match["name"], error.message)
            elif match["item"] is None and match["name"] in lot.form.fields:
                lot.form.add_error(match["name"], error.message)
            else:
                lot.errors.append(error.message)
        elif error.field in self.header.fields:
            self.header.add_error(error.field, error.message)
        else:
            self.errors_outside.append(error.message)

    @property
    def has_errors(self) -> bool:
        return bool(
            self.errors_outside
            or self.header.errors
            or self.lot_set.non_form_errors()
            or any(
                lot.errors or lot.form.errors or lot.items.non_form_errors() or any(lot.items.errors)
                for lot in self.lots
            )
        )


# --- The chronogram, in Lima time -------------------------------------------------------------------------


class DateInput(forms.DateInput):
    input_type = "date"


class TimeInput(forms.TimeInput):
    input_type = "time"


class LimaDateTimeWidget(forms.MultiWidget):
    """A date and a time, both read as Lima time, whatever the server's or the reader's zone."""

    def __init__(self, attrs=None) -> None:
        widgets = (
            DateInput(format="%Y-%m-%d"),
            TimeInput(attrs={"aria-label": gettext_lazy("Time (Lima)")}, format="%H:%M"),
        )
        super().__init__(widgets, attrs)

    def id_for_label(self, id_: str) -> str:
        # The field's label names the date; the time carries its own aria-label.
        return f"{id_}_0" if id_ else id_

    def decompress(self, value):
        if isinstance(value, datetime):
            local = value.astimezone(LIMA)
            return [local.date(), local.time().replace(second=0, microsecond=0)]
        return [None, None]


class LimaDateTimeField(forms.MultiValueField):
    widget = LimaDateTimeWidget

    def __init__(self, **kwargs: Any) -> None:
        fields = (
            forms.DateField(error_messages={"invalid": gettext_lazy("Enter a valid date.")}),
            forms.TimeField(error_messages={"invalid": gettext_lazy("Enter a valid time.")}),
        )
        super().__init__(fields, require_all_fields=True, **kwargs)

    def compress(self, data_list) -> datetime | None:
        if not data_list:
            return None
        day, moment = data_list
        if day is None or moment is None:
            raise ValidationError(_("Enter a date and a time."), code="incomplete")
        if not isinstance(day, date) or not isinstance(moment, time):
            raise ValidationError(_("Enter a valid date and time."), code="invalid")
        return datetime.combine(day, moment.replace(second=0, microsecond=0), tzinfo=LIMA)


TIMELINE_LABELS = {
    "published_at": gettext_lazy("Publication (call for tender)"),
    "enquiries_end": gettext_lazy("Questions and observations until"),
    "integrated_bases_at": gettext_lazy("Integrated bases published on"),
    "bids_due": gettext_lazy("Bids until"),
    "opening_at": gettext_lazy("Bid opening"),
    "auction_at": gettext_lazy("Reverse auction"),
}
TIMELINE_HELP = {
    "published_at": gettext_lazy(
        "Lima time. The tender can be published from five minutes before this moment; "
        "publishing moves this date to the moment of publication."
    ),
}


class TimelineForm(forms.Form):
    """The dates the tender's procedure has (its stages), each a Lima date and time."""

    def __init__(self, *args: Any, stages: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        present = set(stages)
        for name, stage in STAGE_OF.items():
            if stage is None or stage in present:
                self.fields[name] = LimaDateTimeField(
                    label=TIMELINE_LABELS[name], help_text=TIMELINE_HELP.get(name, gettext_lazy("Lima time."))
                )

    def timeline(self) -> Timeline:
        return Timeline(**{name: self.cleaned_data.get(name) for name in self.fields})

    def add_problem(self, problem: Problem) -> None:
        _add_error(self, problem.field, problem_message(problem))


def problem_message(problem: Problem) -> str:
    """A chronogram problem in the reader's language. ``timeline_problems`` writes its messages in
    English and without codes, so they are recognised here; an unknown one is shown as it is."""
    text = problem.message
    if match := re.fullmatch(r"at least (\d+) (\w+) days are required; this gives (-?\d+)", text):
        days, unit, counted = match.groups()
        unit_label = DayUnit(unit).label if unit in DayUnit.values else unit
        return _("At least %(days)s %(unit)s are required; this gives %(counted)s.") % {
            "days": days,
            "unit": unit_label,
            "counted": counted,
        }
    if match := re.fullmatch(r"must come after (.+)", text):
        before = match.group(1).replace(" ", "_")
        return _("It must come after “%(before)s”.") % {"before": TIMELINE_LABELS.get(before, match.group(1))}
    known = {
        "this procedure needs this date": _("This procedure needs this date."),
        "this procedure has no such stage": _("This procedure has no such stage."),
        "the date must carry its time zone": _("Enter a date and a time."),
    }
    return known.get(text, text)


# --- The tender page's small forms --------------------------------------------------------------------------


class ReasonForm(forms.Form):
    """Why the tender is cancelled. Whether a reason is needed is the service's rule."""

    reason = forms.CharField(
        label=gettext_lazy("Reason for the cancellation"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(label=gettext_lazy("Answer"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class AnswersPublishForm(forms.Form):
    """The integrated bases published with every answer. The service checks both fields."""

    title = _text(
        gettext_lazy("Title of the integrated bases"),
        max_length=300,
        help_text=gettext_lazy("For example: Bases integradas — AS-0001."),
    )
    document_file = forms.FileField(
        label=gettext_lazy("Integrated bases (file)"),
        required=False,
        help_text=gettext_lazy("PDF, up to 20 MB."),
    )


# --- After the bids: documents, evaluation, contracts --------------------------------------------------------


class DocumentForm(forms.Form):
    """A new version of the bases, an annex or an amendment; ``kinds`` are those the tender's status
    allows (the service checks again, and checks the file)."""

    kind = forms.ChoiceField(label=gettext_lazy("Kind of document"))
    title = _text(gettext_lazy("Document title"), max_length=300)
    document_file = forms.FileField(
        label=gettext_lazy("File"),
        required=False,
        help_text=gettext_lazy("PDF, up to 20 MB (an annex may also be a spreadsheet or office document)."),
    )

    def __init__(self, *args: Any, kinds: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kinds


QUALIFIED_CHOICES = [("yes", gettext_lazy("Qualified")), ("no", gettext_lazy("Not qualified"))]


class EvaluationForm(forms.Form):
    """The committee's verdict on one bid. Technical points only in a weighted evaluation; the comment
    is required by the service when the bid is not qualified."""

    qualified = forms.ChoiceField(
        label=gettext_lazy("Verdict"), choices=QUALIFIED_CHOICES, widget=forms.RadioSelect, initial="yes"
    )
    technical_score = forms.CharField(
        label=gettext_lazy("Technical points"),
        required=False,
        max_length=10,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    comment = forms.CharField(
        label=gettext_lazy("Comment"),
        required=False,
        max_length=4000,
        help_text=gettext_lazy("Required when the bid is not qualified: say why."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, weighted: bool, max_points=None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if weighted:
            self.fields["technical_score"].help_text = _("From 0 to %(max)s, at most two decimals.") % {
                "max": max_points
            }
        else:
            del self.fields["technical_score"]

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "qualified": data["qualified"] == "yes",
            "technical_score": data.get("technical_score") or None,
            "comment": data["comment"],
        }


RATING_CHOICES = [("", gettext_lazy("Choose a rating")), *((str(n), str(n)) for n in range(1, 6))]


class ContractCompleteForm(forms.Form):
    """The entity's public evaluation of the supplier's performance, which completes the contract."""

    rating = forms.ChoiceField(
        label=gettext_lazy("Performance rating (1 to 5)"), choices=RATING_CHOICES, required=False
    )
    comment = forms.CharField(
        label=gettext_lazy("How the contract was performed"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
