"""Oversight pages: the appeals a reviewer of the oversight body resolves, and the annulment of a
process (nulidad). See procurement/urls.py.

Only reviewers of an active oversight body use these pages (``require_oversight_reviewer``; anyone
else is forbidden, anonymous people are sent to sign in). Appeals and tenders are read across every
entity, but never a draft: a reviewer acts on what is public. No JavaScript; a refused action
re-renders the page with the service's message next to its field and the service's 4xx status, and
writes nothing.

URL names: oversight-appeals, oversight-appeal, oversight-tender-annul.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from portal.core.errors import DomainError
from procurement.enums import AppealStatus, TenderStatus
from procurement.models import Appeal, Award, LotScore, Tender
from procurement.selectors import score_sheets
from procurement.services._common import require_oversight_reviewer
from procurement.services.appeals import appeal_resolve
from procurement.services.tenders import tender_annul
from procurement.transitions import can_move
from procurement.views.officer import labelled

RESOLVED_SHOWN = 100


# --- Forms ----------------------------------------------------------------------------------------------------


class ResolveForm(forms.Form):
    """The reviewer's decision on an appeal. Whether the reasoning is long enough is the service's rule."""

    decision = forms.ChoiceField(
        label=gettext_lazy("Decision"),
        choices=[
            ("upheld", gettext_lazy("Upheld (founded): the award of the lot is revoked and it is evaluated again")),
            ("dismissed", gettext_lazy("Dismissed (unfounded): the award stands")),
        ],
        widget=forms.RadioSelect,
    )
    resolution = forms.CharField(
        label=gettext_lazy("Reasoning of the resolution"),
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class AnnulForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason for the annulment"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


# --- Reading (every page checks the reviewer first) --------------------------------------------------------------


def _reviewer(request: HttpRequest) -> None:
    require_oversight_reviewer(request.user)


def _appeals() -> QuerySet[Appeal]:
    return Appeal.objects.select_related("tender__entity", "lot", "appellant")


def _appeal(pk: int) -> Appeal:
    appeal = _appeals().filter(pk=pk).first()
    if appeal is None:
        raise Http404(_("No such appeal."))
    return appeal


def _public_tender(pk: int) -> Tender:
    tender = (
        Tender.objects.exclude(status=TenderStatus.DRAFT)
        .select_related("entity", "procedure_type")
        .filter(pk=pk)
        .first()
    )
    if tender is None:
        raise Http404(_("No such tender."))
    return tender


def _sheets(lot_id: int) -> list[tuple[int, list[LotScore]]]:
    return labelled(score_sheets(lot_id=lot_id)).get(lot_id, [])


# --- Pages ------------------------------------------------------------------------------------------------------


@require_safe
@login_required
def appeal_list(request: HttpRequest) -> HttpResponse:
    _reviewer(request)
    context = {
        "pending": list(_appeals().filter(status=AppealStatus.FILED).order_by("filed_at", "pk")),
        "resolved": list(
            _appeals().exclude(status=AppealStatus.FILED).order_by("-resolved_at", "-pk")[:RESOLVED_SHOWN]
        ),
    }
    return render(request, "procurement/oversight/appeal_list.html", context)


def _appeal_page(request: HttpRequest, appeal: Appeal, *, form: ResolveForm | None = None, status: int = 200):
    context: dict[str, Any] = {
        "appeal": appeal,
        "tender": appeal.tender,
        "sheets": _sheets(appeal.lot_id),
        "awards": list(Award.objects.filter(lot_id=appeal.lot_id).select_related("supplier").order_by("round")),
        "form": (form or ResolveForm()) if appeal.status == AppealStatus.FILED else None,
        # A refusal on an appeal resolved meanwhile (by another reviewer): the form is gone, the reason stays.
        "resolve_errors": form.non_field_errors() if form is not None and appeal.status != AppealStatus.FILED else [],
        "can_annul": can_move(
            appeal.tender.status, TenderStatus.ANNULLED, appeal.tender.procedure_type.config.get("stages") or []
        ),
    }
    return render(request, "procurement/oversight/appeal_detail.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def appeal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _reviewer(request)
    appeal = _appeal(pk)
    if request.method != "POST":
        return _appeal_page(request, appeal)
    form = ResolveForm(request.POST)
    if not form.is_valid():
        return _appeal_page(request, appeal, form=form, status=400)
    try:
        appeal = appeal_resolve(
            actor=request.user,
            appeal=appeal,
            upheld=form.cleaned_data["decision"] == "upheld",
            resolution=form.cleaned_data["resolution"],
        )
    except DomainError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return _appeal_page(request, _appeal(pk), form=form, status=exc.status)
    messages.success(
        request,
        _("The appeal was upheld: the lot goes back to evaluation.")
        if appeal.status == AppealStatus.UPHELD
        else _("The appeal was dismissed: the award stands."),
    )
    return redirect("oversight-appeal", pk=appeal.pk)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def tender_annul_page(request: HttpRequest, pk: int) -> HttpResponse:
    _reviewer(request)
    tender = _public_tender(pk)
    stages = tender.procedure_type.config.get("stages") or []
    can_annul = can_move(tender.status, TenderStatus.ANNULLED, stages)
    status = 200
    form = AnnulForm()
    if request.method == "POST":
        form = AnnulForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                tender = tender_annul(actor=request.user, tender=tender, reason=form.cleaned_data["reason"])
            except DomainError as exc:
                form.add_error("reason" if exc.field == "reason" else None, exc.message)
                status = exc.status
            else:
                messages.success(request, _("The process %(code)s is annulled.") % {"code": tender.code})
                return redirect("oversight-tender-annul", pk=tender.pk)
    context = {
        "tender": tender,
        "form": form,
        "can_annul": can_annul,
        "appeals": list(_appeals().filter(tender=tender).order_by("filed_at", "pk")),
    }
    return render(request, "procurement/oversight/tender_annul.html", context, status=status)


urlpatterns = [
    path("procurement/oversight/appeals/", appeal_list, name="oversight-appeals"),
    path("procurement/oversight/appeals/<int:pk>/", appeal_detail, name="oversight-appeal"),
    path("procurement/oversight/tenders/<int:pk>/annul/", tender_annul_page, name="oversight-tender-annul"),
]
