"""Forms of the supplier's pages: a question on the bases, a sealed bid for a lot, an appeal.

The forms only check what a person can fix by retyping (a field left empty, text too long); every
rule of the process (deadlines, prices, eligibility) is the services', and their refusals are shown
next to the field they name.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.core.errors import DomainError
from procurement.models import QUESTION_MAX_CHARS, Item, Lot, QuestionKind
from procurement.services.appeals import GROUNDS_MAX
from procurement.services.bids import IDEMPOTENCY_KEY_MAX

DELIVERY_DAYS_MAX = 3650
NOTES_MAX_CHARS = 2000


def new_idempotency_key() -> str:
    """A fresh key for a form as it is shown: sending that form twice records one bid."""
    return uuid.uuid4().hex


class ServiceErrorsMixin:
    """Show a service's refusal next to the field it names, or at the top of the form."""

    service_fields: dict[str, str] = {}

    def add_service_error(self, exc: DomainError) -> None:
        field = self.service_fields.get(exc.field or "", exc.field)
        self.add_error(field if field in self.fields else None, exc.message)  # type: ignore[attr-defined]


class QuestionForm(ServiceErrorsMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=QuestionKind.choices, initial=QuestionKind.QUESTION)
    lot = forms.TypedChoiceField(label=_("Lot"), required=False, coerce=int, empty_value=None)
    text = forms.CharField(
        label=_("Your question or observation"),
        max_length=QUESTION_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Who asks is never published: the answers are published for everyone, without names."),
    )

    def __init__(self, *args: Any, lots: Iterable[Lot], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lots = {lot.number: lot for lot in lots}
        choices = [
            (number, _("Lot %(number)s: %(title)s") % {"number": number, "title": lot.title})
            for number, lot in self.lots.items()
        ]
        self.fields["lot"].choices = [("", _("The whole process")), *choices]

    def chosen_lot(self) -> Lot | None:
        number = self.cleaned_data.get("lot")
        return self.lots.get(number) if number is not None else None


class BidForm(ServiceErrorsMixin, forms.Form):
    """One unit price per item of the lot and a few technical declarations, plus the hidden key that
    makes a second sending of the same form the same bid."""

    service_fields = {"technical": "notes"}

    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=IDEMPOTENCY_KEY_MAX)
    meets_specifications = forms.BooleanField(
        label=_("I declare that what I offer meets every specification of the bases."),
        error_messages={"required": _("Tick this declaration to bid.")},
    )
    delivery_days = forms.IntegerField(
        label=_("Delivery term (calendar days)"),
        min_value=1,
        max_value=DELIVERY_DAYS_MAX,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "size": 6}),
    )
    notes = forms.CharField(
        label=_("Other declarations (brand, model, warranty…)"),
        required=False,
        max_length=NOTES_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, items: Iterable[Item], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = list(items)
        for item in self.items:
            name = self.price_name(item.number)
            self.fields[name] = forms.CharField(
                label=_("Unit price of item %(number)s") % {"number": item.number},
                max_length=30,
                help_text=_("With a point for the cents, e.g. 1234.50"),
                widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "size": 14}),
            )
            self.service_fields = {**self.service_fields, f"prices[{item.number}]": name}
        self.order_fields([self.price_name(item.number) for item in self.items])

    @staticmethod
    def price_name(number: int) -> str:
        return f"price_{number}"

    def item_rows(self) -> list[tuple[Item, forms.BoundField]]:
        return [(item, self[self.price_name(item.number)]) for item in self.items]

    def prices(self) -> dict[int, str]:
        """As typed (spaces trimmed): whether it is an amount is the service's rule."""
        return {item.number: self.cleaned_data[self.price_name(item.number)].strip() for item in self.items}

    def technical(self) -> dict[str, Any]:
        return {
            "meets_specifications": self.cleaned_data["meets_specifications"],
            "delivery_days": self.cleaned_data["delivery_days"],
            "notes": self.cleaned_data["notes"].strip(),
        }


class AppealForm(ServiceErrorsMixin, forms.Form):
    """The grounds of an appeal against a lot's result; one form per lot, prefixed by its number."""

    grounds = forms.CharField(
        label=_("Grounds of the appeal"),
        max_length=GROUNDS_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What in the evaluation or the award you contest, and why. The appeal is public."),
    )

    @staticmethod
    def prefix_for(lot_number: int) -> str:
        return f"appeal-{lot_number}"
