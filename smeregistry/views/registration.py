"""Pages for suppliers: the guided registration, their own record, consortia.

The registration is a sequence of short steps for first-time users on slow links: no JavaScript,
fewer than ten fields a step, each step saved in the person's draft so that they can stop and come
back. Nothing enters the registry until the last step, when ``supplier_register`` takes it all.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from portal.accounts.enums import Role
from portal.core import clock
from portal.core.errors import DomainError, NotFoundError
from portal.core.money import format_amount
from smeregistry.enums import Register, SizeClass, SupplierStatus
from smeregistry.forms import (
    AccountForm,
    AddressForm,
    BusinessForm,
    ConsortiumForm,
    DocumentForm,
    OfferForm,
    RepresentativeForm,
    SizeDeclarationForm,
    SizeForm,
    StepForm,
    supplier_data_from,
)
from smeregistry.models import Region, RegistrationDraft, Supplier, SupplierCategory, UnspscCategory
from smeregistry.selectors import categories_matching, supplier_by_ruc
from smeregistry.services.consortia import consortium_create
from smeregistry.services.policy import policy_for, size_classify
from smeregistry.services.suppliers import (
    FIELD_GROUPS,
    draft_document_add,
    draft_document_remove,
    draft_documents,
    draft_save,
    registrant_create,
    supplier_register,
    supplier_renew,
    supplier_update_size_data,
)

# --- The steps ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    number: int
    title: Any
    form: type[StepForm] | None = None
    fields: tuple[str, ...] = ()


STEPS = (
    Step(1, gettext_lazy("Your business"), BusinessForm, FIELD_GROUPS[0]),
    Step(2, gettext_lazy("Address and contact"), AddressForm, FIELD_GROUPS[1]),
    Step(3, gettext_lazy("Legal representative"), RepresentativeForm, FIELD_GROUPS[2]),
    Step(4, gettext_lazy("What you sell"), OfferForm, FIELD_GROUPS[3]),
    Step(5, gettext_lazy("Size of your business"), SizeForm, FIELD_GROUPS[4]),
    Step(6, gettext_lazy("Supporting documents"), None, ("file", "doc_type")),
    Step(7, gettext_lazy("Review and send")),
)
DOCUMENTS_STEP, REVIEW_STEP = 6, 7
SIZE_WORDS = {
    SizeClass.MICRO: gettext_lazy("MICRO"),
    SizeClass.SMALL: gettext_lazy("SMALL"),
    SizeClass.MEDIUM: gettext_lazy("MEDIUM"),
    SizeClass.LARGE: gettext_lazy("LARGE"),
}
REPRESENTATIVE_ROLES = (Role.SUPPLIER_REPRESENTATIVE, Role.ADMINISTRATOR)


def _draft_data(user) -> dict[str, Any]:
    # Only ever the requesting person's own draft: it is looked up by the signed-in user, never by id.
    draft = RegistrationDraft.objects.filter(user=user).first()
    return dict(draft.data) if draft else {}


def first_unfinished_step(data: dict[str, Any]) -> int:
    for step in STEPS[: DOCUMENTS_STEP - 1]:
        if any(name not in data for name in step.fields):
            return step.number
    return REVIEW_STEP if data.get("documents_done") else DOCUMENTS_STEP


def _as_form_data(data: dict[str, Any]) -> MultiValueDict:
    form_data = MultiValueDict()
    for name, value in data.items():
        if isinstance(value, list):
            form_data.setlist(name, [str(item) for item in value])
        else:
            form_data[name] = "" if value is None else str(value)
    return form_data


def size_sentence(data: dict[str, Any], *, today) -> str:
    """The size class in plain words, from the sales kept in the draft (or a supplier's)."""
    try:
        sales = Decimal(str(data["annual_sales"]))
        year = int(data["sales_fiscal_year"])
        classification, basis = size_classify(jurisdiction="PE", sales=sales, fiscal_year=year, on=today)
    except (KeyError, ValueError, ArithmeticError, DomainError):
        return ""
    return _("With sales of S/ %(sales)s in %(year)s (%(units)s %(unit)s) your business is a %(size)s enterprise.") % {
        "sales": format_amount(sales),
        "year": year,
        "units": format_amount(classification.sales_in_units),
        "unit": basis["unit"],
        "size": SIZE_WORDS[classification.size_class],
    }


def _progress(current: int, reachable: int) -> list[dict[str, Any]]:
    return [
        {
            "number": step.number,
            "title": step.title,
            "current": step.number == current,
            "done": step.number < reachable,
            "url": reverse("supplier-register-step", args=[step.number]) if step.number <= reachable else "",
        }
        for step in STEPS
    ]


def _render_step(request, step: Step, data: dict[str, Any], context: dict[str, Any], *, status: int = 200):
    reachable = first_unfinished_step(data)
    context = {
        "step": step,
        "steps": _progress(step.number, reachable),
        "total": len(STEPS),
        "previous_url": reverse("supplier-register-step", args=[step.number - 1]) if step.number > 1 else "",
        **context,
    }
    templates = {DOCUMENTS_STEP: "documents", REVIEW_STEP: "review"}
    template = f"smeregistry/registration/{templates.get(step.number, 'step')}.html"
    return render(request, template, context, status=status)


# --- Start: the account, then wherever the person stopped ----------------------------------------


@require_http_methods(["GET", "POST"])
def register_start(request):
    if request.user.is_authenticated:
        step = first_unfinished_step(_draft_data(request.user))
        return redirect("supplier-register-step", step=step)
    form = AccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = registrant_create(
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password1"],
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            login(request, user, backend="portal.accounts.backends.EmailOrUsernameBackend")
            messages.success(request, _("Your account is ready. Now tell us about your business."))
            return redirect("supplier-register-step", step=1)
    status = 400 if form.is_bound and form.errors else 200
    context = {"form": form, "steps": _progress(0, 0), "total": len(STEPS)}
    return render(request, "smeregistry/registration/account.html", context, status=status)


@require_http_methods(["GET", "POST"])
def register_step(request, step: int):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not 1 <= step <= len(STEPS):
        raise Http404
    data = _draft_data(request.user)
    reachable = first_unfinished_step(data)
    if step > reachable:
        return redirect("supplier-register-step", step=reachable)
    current = STEPS[step - 1]
    if step == DOCUMENTS_STEP:
        return _documents_step(request, current, data)
    if step == REVIEW_STEP:
        return _review_step(request, current, data)
    return _fields_step(request, current, data)


def _step_form(step: Step, *, data=None, initial=None, query: str = "") -> StepForm:
    kwargs: dict[str, Any] = {"today": clock.today(), "prefix": None}
    if step.form is OfferForm:
        kwargs["query"] = query
    if data is not None:
        return step.form(data, **kwargs)
    return step.form(initial=initial or {}, **kwargs)


def _fields_step(request, step: Step, data: dict[str, Any]):
    today = clock.today()
    if request.method == "GET":
        form = _step_form(step, initial=data, query=request.GET.get("q", ""))
        return _render_step(request, step, data, {"form": form, "size_sentence": _size_if_saved(step, data, today)})
    form = _step_form(step, data=request.POST)
    if step.form is OfferForm and request.POST.get("action") == "search":
        # Show the matches; nothing is checked or saved until the person continues.
        return _render_step(request, step, data, {"form": form, "searched": True})
    if not form.is_valid():
        return _render_step(request, step, data, {"form": form}, status=400)
    draft_save(user=request.user, step=step.number + 1, values=form.draft_values())
    if step.form is SizeForm:
        messages.success(request, _("Saved."))
        return redirect("supplier-register-step", step=step.number)  # to show the size class
    return redirect("supplier-register-step", step=step.number + 1)


def _size_if_saved(step: Step, data: dict[str, Any], today) -> str:
    return size_sentence(data, today=today) if step.form is SizeForm else ""


def _documents_step(request, step: Step, data: dict[str, Any], *, form=None, status: int = 200):
    if request.method == "POST" and form is None:
        action = request.POST.get("action")
        if action == "continue":
            draft_save(user=request.user, step=REVIEW_STEP, values={"documents_done": True})
            return redirect("supplier-register-step", step=REVIEW_STEP)
        if action == "remove":
            try:
                draft_document_remove(user=request.user, document_id=int(request.POST.get("document", "0")))
            except (ValueError, NotFoundError):
                raise Http404 from None
            messages.success(request, _("The document was removed."))
            return redirect("supplier-register-step", step=DOCUMENTS_STEP)
        form = DocumentForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                document = draft_document_add(
                    user=request.user, doc_type=form.cleaned_data["doc_type"], upload=form.cleaned_data["file"]
                )
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
                status = 413 if exc.code == "file_too_large" else 400
            else:
                messages.success(request, _("%(name)s was uploaded.") % {"name": document.original_name})
                return redirect("supplier-register-step", step=DOCUMENTS_STEP)
        else:
            status = 400
    context = {"form": form or DocumentForm(), "documents": draft_documents(user=request.user)}
    return _render_step(request, step, data, context, status=status)


def _review_step(request, step: Step, data: dict[str, Any]):
    documents = list(draft_documents(user=request.user))
    if request.method == "POST":
        try:
            supplier = supplier_register(
                actor=request.user,
                data=supplier_data_from(data, document_ids=[document.pk for document in documents]),
            )
        except PermissionDenied:
            raise
        except DomainError as exc:
            return _refused_at_step(request, exc, data)
        return render(
            request,
            "smeregistry/registration/done.html",
            {"supplier": supplier, "size_word": SIZE_WORDS.get(supplier.size_class, "")},
        )
    return _render_step(request, step, data, _review_context(data, documents))


def _review_context(data: dict[str, Any], documents: list) -> dict[str, Any]:
    return {
        "data": data,
        "region": Region.objects.filter(country="PE", code=data.get("region_code", "")).first(),
        "categories": UnspscCategory.objects.filter(code__in=data.get("category_codes") or []).order_by("code"),
        "registers": [label for value, label in Register.choices if value in (data.get("registers") or [])],
        "documents": documents,
        "size_sentence": size_sentence(data, today=clock.today()),
    }


def _refused_at_step(request, exc: DomainError, data: dict[str, Any]):
    """The final refusal shown where the person can fix it: the step holding the field."""
    field = exc.field
    step = next((s for s in STEPS if field in s.fields), STEPS[REVIEW_STEP - 1])
    if step.form is None:
        if step.number == DOCUMENTS_STEP:
            form = DocumentForm()
            form.add_error(None, exc.message)
            return _documents_step(request, step, data, form=form, status=400)
        context = {**_review_context(data, list(draft_documents(user=request.user))), "error": exc.message}
        return _render_step(request, step, data, context, status=400)
    form = _step_form(step, data=_as_form_data(data))
    form.is_valid()
    form.add_service_error(exc)
    return _render_step(request, step, data, {"form": form}, status=400)


# --- The supplier's own record --------------------------------------------------------------------


def _represented_suppliers(user, *, status: str | None = None):
    rows = Supplier.objects.filter(
        organisation__memberships__user=user, organisation__memberships__role__in=REPRESENTATIVE_ROLES
    )
    if status:
        rows = rows.filter(status=status)
    return rows.select_related("region").distinct().order_by("legal_name", "pk")


@login_required
@require_http_methods(["GET", "POST"])
def supplier_mine(request):
    suppliers = list(_represented_suppliers(request.user))
    forms_by_pk = {s.pk: SizeDeclarationForm(prefix=f"s{s.pk}") for s in suppliers}
    status = 200
    if request.method == "POST":
        supplier = next((s for s in suppliers if str(s.pk) == request.POST.get("supplier")), None)
        if supplier is None:
            raise Http404
        action = request.POST.get("action")
        try:
            if action == "renew":
                supplier = supplier_renew(actor=request.user, supplier=supplier)
                messages.success(
                    request,
                    _("Renewal requested: the registry will verify your data again.")
                    if supplier.status == SupplierStatus.PENDING
                    else _("Your registration was renewed until %(date)s.") % {"date": supplier.valid_until},
                )
                return redirect("supplier-mine")
            if action == "size":
                form = SizeDeclarationForm(request.POST, prefix=f"s{supplier.pk}")
                forms_by_pk[supplier.pk] = form
                if form.is_valid():
                    supplier = supplier_update_size_data(actor=request.user, supplier=supplier, **form.cleaned_data)
                    messages.success(request, size_sentence(vars(supplier), today=clock.today()))
                    return redirect("supplier-mine")
                status = 400
            else:
                raise Http404
        except DomainError as exc:
            form = forms_by_pk[supplier.pk]
            if action == "size":
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.error(request, exc.message)
            status = 400
    today = clock.today()
    rows = []
    links = SupplierCategory.objects.filter(supplier__in=suppliers).select_related("category").order_by("prefix")
    for supplier in suppliers:
        rows.append(
            {
                "supplier": supplier,
                "size_sentence": size_sentence(vars(supplier), today=today),
                "registers": [label for value, label in Register.choices if value in supplier.registers],
                "categories": [link.category for link in links if link.supplier_id == supplier.pk],
                "documents": supplier.documents.order_by("uploaded_at"),
                "form": forms_by_pk[supplier.pk],
            }
        )
    renew_window = max(policy_for("PE").reminder_days or [60])
    return render(
        request, "smeregistry/registration/mine.html", {"rows": rows, "renew_window": renew_window}, status=status
    )


# --- Consortia ------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def consortium_create_view(request):
    leads = list(_represented_suppliers(request.user, status=SupplierStatus.ACTIVE))
    if not leads:
        return render(request, "smeregistry/registration/consortium.html", {"no_lead": True}, status=403)
    form = ConsortiumForm(request.POST or None, leads=leads)
    if request.method == "POST" and form.is_valid():
        lead = next(s for s in leads if str(s.pk) == form.cleaned_data["lead"])
        members: list[tuple[Supplier, str]] = [(lead, form.cleaned_data["share_1"])]
        for n in range(2, 6):
            ruc = form.cleaned_data.get(f"ruc_{n}")
            if not ruc:
                continue
            supplier = supplier_by_ruc(ruc)
            if supplier is None:
                form.add_error(f"ruc_{n}", _("No supplier with RUC %(ruc)s is registered.") % {"ruc": ruc})
            members.append((supplier, form.cleaned_data[f"share_{n}"]))
        if not form.errors:
            try:
                consortium = consortium_create(actor=request.user, name=form.cleaned_data["name"], members=members)
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                return _consortium_created(request, consortium)
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "smeregistry/registration/consortium.html", {"form": form, "lead": leads[0]}, status=status)


def _consortium_created(request, consortium):
    set_aside = set(policy_for("PE").set_aside_classes)
    members = list(consortium.members.select_related("supplier").order_by("pk"))
    not_mype = [m.supplier for m in members if m.supplier.size_class not in set_aside]
    context = {
        "consortium": consortium,
        "members": members,
        "is_mype": not not_mype,
        "not_mype": not_mype,
    }
    return render(request, "smeregistry/registration/consortium_done.html", context)


# --- The category picker --------------------------------------------------------------------------


def category_picker(request):
    query = (request.GET.get("q") or "").strip()[:100]
    categories = list(categories_matching(query)) if query else []
    if request.GET.get("format") == "json":
        return JsonResponse(
            {"q": query, "results": [{"code": c.code, "name": c.name, "level": c.level} for c in categories]}
        )
    return render(request, "smeregistry/registration/categories.html", {"q": query, "categories": categories})


urlpatterns = [
    path("registry/register/", register_start, name="supplier-register"),
    path("registry/register/step/<int:step>/", register_step, name="supplier-register-step"),
    path("registry/mine/", supplier_mine, name="supplier-mine"),
    path("registry/consortia/new/", consortium_create_view, name="consortium-create"),
    path("registry/categories/", category_picker, name="category-picker"),
]
