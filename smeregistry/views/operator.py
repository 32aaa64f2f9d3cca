"""Pages for the registry's operators (verification, suspension) and the oversight body (sanctions).

Who may act is decided by the same checks the services run (``require_operator``,
``require_oversight``), so a page never shows a form whose action the service would refuse.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from portal.core.errors import DomainError
from smeregistry.enums import Register, SupplierStatus
from smeregistry.models import Supplier
from smeregistry.selectors import (
    registrations_pending,
    registrations_recently_changed,
    supplier_by_ruc,
    supplier_documents,
    supplier_sanctions,
)
from smeregistry.services.sanctions import require_oversight, sanction_record
from smeregistry.services.suppliers import (
    require_operator,
    supplier_reinstate,
    supplier_suspend,
    supplier_verify,
)
from smeregistry.transitions import can_move
from smeregistry.views.public import lima_today


def _operator_supplier(request: HttpRequest, ruc: str) -> Supplier:
    require_operator(request.user)
    supplier = supplier_by_ruc(ruc)
    if supplier is None:
        raise Http404(_("No supplier with that RUC is registered."))
    return supplier


@require_safe
@login_required
def registry_operator(request: HttpRequest) -> HttpResponse:
    require_operator(request.user)
    return render(
        request,
        "smeregistry/operator/dashboard.html",
        {"pending": registrations_pending(), "recent": registrations_recently_changed(limit=20)},
    )


class ReasonForm(forms.Form):
    """The reason of one of the operator's decisions. Whether a reason is needed is the service's rule."""

    reason = forms.CharField(
        label=gettext_lazy("Reason"), required=False, max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )


ACTIONS = ("approve", "reject", "suspend", "reinstate")

SUCCESS = {
    "approve": gettext_lazy("The registration was approved; the supplier is active."),
    "reject": gettext_lazy("The registration was rejected."),
    "suspend": gettext_lazy("The supplier was suspended."),
    "reinstate": gettext_lazy("The supplier was reinstated."),
}


def _decide(request: HttpRequest, supplier: Supplier, action: str, reason: str) -> Supplier:
    if action == "approve":
        return supplier_verify(actor=request.user, supplier=supplier, approve=True)
    if action == "reject":
        return supplier_verify(actor=request.user, supplier=supplier, approve=False, reason=reason)
    if action == "suspend":
        return supplier_suspend(actor=request.user, supplier=supplier, reason=reason)
    return supplier_reinstate(actor=request.user, supplier=supplier)


def _decision_forms(supplier: Supplier, refused: tuple[str, ReasonForm] | None) -> dict[str, ReasonForm]:
    """The decisions the supplier's status allows; a refused one keeps its input and errors."""
    allowed = {
        "approve": supplier.status == SupplierStatus.PENDING,
        "reject": can_move(supplier.status, SupplierStatus.REJECTED),
        "suspend": can_move(supplier.status, SupplierStatus.SUSPENDED),
        "reinstate": supplier.status == SupplierStatus.SUSPENDED,
    }
    found = {action: ReasonForm(prefix=action) for action in ACTIONS if allowed[action]}
    if refused is not None:
        found[refused[0]] = refused[1]
    return found


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def registry_operator_supplier(request: HttpRequest, ruc: str) -> HttpResponse:
    supplier = _operator_supplier(request, ruc)
    refused = None
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in ACTIONS:
            return HttpResponseBadRequest(_("Unknown action."))
        form = ReasonForm(request.POST, prefix=action)
        if form.is_valid():
            try:
                _decide(request, supplier, action, form.cleaned_data["reason"])
            except DomainError as exc:
                form.add_error("reason" if exc.field == "reason" else None, exc.message)
                status = exc.status
            else:
                messages.success(request, SUCCESS[action])
                return redirect("registry-operator-supplier", ruc=supplier.ruc)
        else:
            status = 400
        refused = (action, form)
        supplier.refresh_from_db()
    return render(
        request,
        "smeregistry/operator/supplier.html",
        {
            "supplier": supplier,
            "registers": [Register(name).label for name in supplier.registers],
            "documents": supplier_documents(supplier=supplier),
            "sanctions": supplier_sanctions(supplier=supplier),
            "decisions": _decision_forms(supplier, refused),
            "today": lima_today(),
        },
        status=status,
    )


@require_safe
@login_required
def registry_operator_document(request: HttpRequest, ruc: str, document_id: int) -> FileResponse:
    """Supporting documents are private: only operators download them, through this view."""
    supplier = _operator_supplier(request, ruc)
    document = supplier_documents(supplier=supplier).filter(pk=document_id).first()
    if document is None:
        raise Http404(_("No such document."))
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("No such document.")) from None
    return FileResponse(handle, as_attachment=True, filename=document.original_name, content_type=document.content_type)


class SanctionForm(forms.Form):
    ruc = forms.CharField(label=gettext_lazy("Supplier's RUC"), max_length=11, min_length=11)
    starts_on = forms.DateField(label=gettext_lazy("Starts on"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(
        label=gettext_lazy("Ends on"),
        required=False,
        help_text=gettext_lazy("Leave empty for a permanent sanction."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
    source = forms.CharField(
        label=gettext_lazy("Source"),
        max_length=200,
        help_text=gettext_lazy("The resolution that imposes the sanction, e.g. Resolución N.° 123-2026-TCE."),
    )

    def clean_ruc(self) -> str:
        ruc = self.cleaned_data["ruc"].strip()
        self.supplier = supplier_by_ruc(ruc)
        if self.supplier is None:
            raise forms.ValidationError(_("No supplier with that RUC is registered."), code="supplier_not_found")
        return ruc


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def sanction_create(request: HttpRequest) -> HttpResponse:
    require_oversight(request.user)
    form = SanctionForm(request.POST or None, initial={"ruc": request.GET.get("ruc", "")[:11]})
    if request.method == "POST" and form.is_valid():
        try:
            sanction = sanction_record(
                actor=request.user,
                supplier=form.supplier,
                starts_on=form.cleaned_data["starts_on"],
                ends_on=form.cleaned_data["ends_on"],
                reason=form.cleaned_data["reason"],
                source=form.cleaned_data["source"],
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("The sanction was recorded and published."))
            return redirect("supplier-profile", ruc=sanction.supplier.ruc)
    status = 400 if request.method == "POST" and form.errors else 200
    return render(request, "smeregistry/operator/sanction_form.html", {"form": form}, status=status)


urlpatterns = [
    path("registry/operator/", registry_operator, name="registry-operator"),
    path("registry/operator/<str:ruc>/", registry_operator_supplier, name="registry-operator-supplier"),
    path(
        "registry/operator/<str:ruc>/documents/<int:document_id>/",
        registry_operator_document,
        name="registry-operator-document",
    ),
    path("registry/oversight/sanctions/new/", sanction_create, name="sanction-create"),
]
