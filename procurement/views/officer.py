"""Procurement pages (officer): the contracting entity's procurement officers plan (PAC), draft tenders
from the plan, set their chronogram, publish, answer questions and publish the integrated bases, and
follow the bids as counts only. See procurement/urls.py.

Who may act is decided by the services' own check (``require_entity_officer``): only procurement
officers and administrators of the entity that owns the plan or tender. Objects named in the URL are
fetched through the officer selectors, so another entity's draft is "not found" and anything else of
another entity is forbidden. No JavaScript: rows are added with submit buttons, every action is a
POST form with its CSRF token. A refused action re-renders the page with the message next to the
field, with the service's 4xx status, and writes nothing (the services are atomic).

URL names: officer-home, officer-plans, officer-plan-create, officer-plan, officer-plan-edit,
officer-plan-modify, officer-plan-publish, officer-tender-create, officer-tender,
officer-tender-timeline, officer-tender-publish, officer-tender-cancel, officer-tender-extend,
officer-question-answer, officer-answers-publish; after the bids: officer-tender-document-add,
officer-tender-open, officer-tender-evaluation (also the entity's evaluators), officer-bid-evaluate,
officer-tender-award, officer-contract-sign, officer-contract-complete.

Sealed bids stay sealed on these pages: the opening record, the evaluation and the score sheets read
only bids whose ``opened_at`` is set, and the evaluation page is refused (409) before the opening.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from portal.accounts.enums import OrganisationKind, Role
from portal.accounts.models import Organisation
from portal.accounts.selectors import roles_for
from portal.accounts.services import require_role
from portal.core import clock
from portal.core.errors import DomainError, NotFoundError
from procurement.enums import (
    AppealStatus,
    ContractStatus,
    DayUnit,
    EvaluationMethod,
    LotStatus,
    PlanStatus,
    Stage,
    TenderStatus,
)
from procurement.forms_officer import (
    TIMELINE_LABELS,
    AnswerForm,
    AnswersPublishForm,
    ContractCompleteForm,
    DocumentForm,
    EvaluationForm,
    PlanForms,
    ReasonForm,
    TenderForms,
    TimelineForm,
)
from procurement.models import Appeal, Award, Bid, Contract, Lot, LotScore, Plan, Tender
from procurement.procedure_config import scoring_rules
from procurement.reference_data import UNITS_REC20
from procurement.selectors import (
    bids_visible_to,
    delivery_regions,
    officer_plan_get,
    officer_plan_lines,
    officer_plan_lines_for_tenders,
    officer_plans,
    officer_tender_documents,
    officer_tender_get,
    officer_tender_lots,
    officer_tenders,
    opened_bids,
    procedure_types_in_force,
    questions_for_officer,
    score_sheets,
    tender_get_for_actor,
)
from procurement.services._common import OFFICER_ROLES, holidays_of, require_entity_officer
from procurement.services.awards import EVALUATOR_ROLES, bid_evaluate, tender_award
from procurement.services.contracts import SIGNING_STATUSES, contract_complete, contract_sign
from procurement.services.documents import ADDABLE, tender_document_add
from procurement.services.opening import tender_open
from procurement.services.participation import answers_publish, question_answer
from procurement.services.plans import plan_create, plan_publish
from procurement.services.tenders import (
    AMENDMENT_MIN_DAYS,
    BIDS_OPEN,
    PUBLISH_TOLERANCE,
    tender_amend_deadline,
    tender_cancel,
    tender_create,
    tender_publish,
    tender_set_timeline,
)
from procurement.timeline import LIMA, amendment_deadline, earliest_timeline, timeline_problems
from procurement.transitions import can_move

CHRONOGRAM = (
    ("published_at", TenderStatus.PUBLISHED),
    ("enquiries_end", TenderStatus.ENQUIRIES),
    ("integrated_bases_at", TenderStatus.INTEGRATED_BASES),
    ("bids_due", TenderStatus.BIDDING),
    ("opening_at", TenderStatus.OPENING),
    ("auction_at", TenderStatus.AUCTION),
)
# The date that ends each status, shown next to the tender on the dashboard (the first one set).
KEY_DATES = {
    TenderStatus.DRAFT: ("published_at",),
    TenderStatus.PUBLISHED: ("enquiries_end", "bids_due"),
    TenderStatus.ENQUIRIES: ("enquiries_end",),
    TenderStatus.INTEGRATED_BASES: ("integrated_bases_at",),
    TenderStatus.BIDDING: ("bids_due",),
    TenderStatus.OPENING: ("opening_at",),
    TenderStatus.AUCTION: ("auction_at",),
}
# The statuses in which the entity learns how many bids each lot has (never who, never what).
BIDS_COUNTED = frozenset({TenderStatus.BIDDING, TenderStatus.OPENING, TenderStatus.AUCTION})


# --- Who acts, and on what --------------------------------------------------------------------------------


def _acting_entity(request: HttpRequest) -> Organisation:
    """The organisation the person acts for now, if they run its procurement (403 otherwise)."""
    entity = getattr(request, "organisation", None)
    if entity is None:
        raise PermissionDenied(_("Only contracting entities plan and run procurement."))
    require_entity_officer(request.user, entity)
    return entity


def _plan(request: HttpRequest, pk: int) -> Plan:
    try:
        return officer_plan_get(actor=request.user, plan_id=pk)
    except NotFoundError as exc:
        raise Http404(exc.message) from None


def _tender(request: HttpRequest, pk: int) -> Tender:
    try:
        return officer_tender_get(actor=request.user, tender_id=pk)
    except NotFoundError as exc:
        raise Http404(exc.message) from None


def _refused(request: HttpRequest, message: str, status: int) -> HttpResponse:
    return render(request, "errors/error.html", {"message": message, "status": status}, status=status)


def _public_url(tender: Tender) -> str:
    if tender.status == TenderStatus.DRAFT:
        return ""
    try:
        return reverse("tender-detail", kwargs={"pk": tender.pk})
    except NoReverseMatch:  # the public pages are not installed
        return ""


# --- The dashboard ----------------------------------------------------------------------------------------


def _next_step(tender: Tender, now: datetime) -> str:
    """What the entity has to do next for a tender, in a few words ("" when it only waits for time)."""
    if tender.status == TenderStatus.DRAFT:
        if tender.bids_due is None:
            return _("Set the chronogram")
        if tender.published_at > now + PUBLISH_TOLERANCE:
            return _("Publish it from %(when)s") % {
                "when": tender.published_at.astimezone(LIMA).strftime("%d/%m/%Y %H:%M")
            }
        return _("Publish it")
    if tender.status == TenderStatus.ENQUIRIES:
        if tender.unanswered_count:
            return ngettext("%(n)s question to answer", "%(n)s questions to answer", tender.unanswered_count) % {
                "n": tender.unanswered_count
            }
        if tender.enquiries_end is not None and tender.enquiries_end < now:
            return _("Publish the answers and the integrated bases")
    return ""


def _key_date(tender: Tender) -> datetime | None:
    """The date that matters in the tender's status: when the status ends (a draft: its publication)."""
    return next((getattr(tender, name) for name in KEY_DATES.get(tender.status, ()) if getattr(tender, name)), None)


@require_safe
@login_required
def officer_home(request: HttpRequest) -> HttpResponse:
    organisation = getattr(request, "organisation", None)
    if organisation is not None and _evaluator_only(request.user, organisation):
        return _evaluator_home(request, organisation)
    entity = _acting_entity(request)
    now = clock.now()
    by_status: dict[str, list[dict[str, Any]]] = defaultdict(list)
    todo: list[dict[str, Any]] = []
    for tender in officer_tenders(actor=request.user, entity=entity):
        row = {"tender": tender, "next_step": _next_step(tender, now), "key_date": _key_date(tender)}
        by_status[tender.status].append(row)
        if row["next_step"]:
            todo.append(row)
    plans = list(officer_plans(actor=request.user, entity=entity))
    context = {
        "entity": entity,
        "todo": todo,
        "draft_plans": [plan for plan in plans if plan.status == PlanStatus.DRAFT],
        "current_plans": [plan for plan in plans if plan.status == PlanStatus.PUBLISHED],
        "groups": [(status.label, by_status[status]) for status in TenderStatus if by_status[status]],
    }
    return render(request, "procurement/officer/home.html", context)


def _evaluator_only(actor: Any, organisation: Organisation) -> bool:
    """A member of the entity's evaluation committee who does not run its procurement."""
    roles = roles_for(actor, organisation)
    return (
        organisation.kind == OrganisationKind.CONTRACTING_ENTITY
        and Role.EVALUATOR in roles
        and not (roles & OFFICER_ROLES)
    )


def _evaluator_home(request: HttpRequest, entity: Organisation) -> HttpResponse:
    """The committee member's start page: the entity's processes from the opening on, each linking to
    its evaluation page (the only officer page a committee member uses)."""
    tenders = (
        Tender.objects.filter(entity=entity, opened_at__isnull=False)
        .select_related("procedure_type")
        .order_by("-opened_at", "-pk")
    )
    return render(request, "procurement/officer/evaluator_home.html", {"entity": entity, "tenders": tenders})


# --- The plan (PAC) ---------------------------------------------------------------------------------------


@require_safe
@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    entity = _acting_entity(request)
    years: dict[int, list[Plan]] = defaultdict(list)
    for plan in officer_plans(actor=request.user, entity=entity):
        years[plan.fiscal_year].append(plan)
    for versions in years.values():
        latest = versions[0].version
        for plan in versions:
            # A draft left behind by a later version: shown, but not the one to publish.
            plan.left_behind = plan.status == PlanStatus.DRAFT and plan.version < latest
    return render(
        request, "procurement/officer/plan_list.html", {"entity": entity, "years": sorted(years.items(), reverse=True)}
    )


def _plan_form_page(request, forms, *, entity, source: Plan | None = None, status: int = 200) -> HttpResponse:
    context = {"forms": forms, "entity": entity, "source": source}
    return render(request, "procurement/officer/plan_form.html", context, status=status)


def _save_plan(request: HttpRequest, *, entity: Organisation, source: Plan | None) -> HttpResponse:
    types = procedure_types_in_force(jurisdiction=entity.country)
    forms = PlanForms(request.POST, procedure_types=types, year_fixed=source.fiscal_year if source else None)
    if request.POST.get("action") == "add_rows":
        return _plan_form_page(request, forms.with_more_rows(procedure_types=types), entity=entity, source=source)
    if not forms.is_valid():
        return _plan_form_page(request, forms, entity=entity, source=source, status=400)
    try:
        plan = plan_create(actor=request.user, entity=entity, fiscal_year=forms.fiscal_year, lines=forms.line_data())
    except DomainError as exc:
        forms.add_service_error(exc)
        return _plan_form_page(request, forms, entity=entity, source=source, status=exc.status)
    messages.success(
        request,
        _("Version %(version)s of the %(year)s plan was saved as a draft. Publish it when it is ready.")
        % {"version": plan.version, "year": plan.fiscal_year},
    )
    return redirect("officer-plan", pk=plan.pk)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def plan_create_page(request: HttpRequest) -> HttpResponse:
    entity = _acting_entity(request)
    if request.method == "POST":
        return _save_plan(request, entity=entity, source=None)
    types = procedure_types_in_force(jurisdiction=entity.country)
    return _plan_form_page(request, PlanForms(procedure_types=types, initial_year=clock.today().year), entity=entity)


def _plan_revision(request: HttpRequest, pk: int, *, expected: str) -> HttpResponse:
    """The lines of a plan version, to save as its next version: a draft's correction or a published
    plan's modification. The earlier version stays as it was (the plan's history is public)."""
    source = _plan(request, pk)
    if source.status != expected:
        message = (
            _("Only a draft plan's lines are edited; modify a published plan instead.")
            if expected == PlanStatus.DRAFT
            else _("Only the published version of a plan is modified.")
        )
        return _refused(request, message, 409)
    if request.method == "POST":
        return _save_plan(request, entity=source.entity, source=source)
    initial = [
        {
            "description": line.description,
            "object": line.object,
            "procedure_type": line.procedure_type_id,
            "unspsc_code": line.unspsc_code,
            "estimated_value": line.estimated_value,
            "planned_month": line.planned_month,
        }
        for line in officer_plan_lines(plan=source)
    ]
    types = procedure_types_in_force(jurisdiction=source.entity.country)
    forms = PlanForms(procedure_types=types, rows=1, initial_lines=initial, year_fixed=source.fiscal_year)
    return _plan_form_page(request, forms, entity=source.entity, source=source)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _plan_revision(request, pk, expected=PlanStatus.DRAFT)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def plan_modify(request: HttpRequest, pk: int) -> HttpResponse:
    return _plan_revision(request, pk, expected=PlanStatus.PUBLISHED)


def _plan_page(request: HttpRequest, plan: Plan, *, error: str = "", status: int = 200) -> HttpResponse:
    later = officer_plans(actor=request.user, entity=plan.entity).filter(
        fiscal_year=plan.fiscal_year, version__gt=plan.version
    )
    context = {
        "plan": plan,
        "lines": officer_plan_lines(plan=plan),
        "later_versions": list(later),
        "publish_error": error,
    }
    return render(request, "procurement/officer/plan_detail.html", context, status=status)


@require_safe
@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _plan_page(request, _plan(request, pk))


@require_POST
@login_required
def plan_publish_action(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    try:
        plan = plan_publish(actor=request.user, plan=plan)
    except DomainError as exc:
        return _plan_page(request, plan, error=exc.message, status=exc.status)
    messages.success(
        request,
        _("Version %(version)s of the %(year)s plan is published.")
        % {"version": plan.version, "year": plan.fiscal_year},
    )
    return redirect("officer-plan", pk=plan.pk)


# --- The tender draft ------------------------------------------------------------------------------------


def _tender_form_page(request, forms, *, entity, status: int = 200) -> HttpResponse:
    context = {"forms": forms, "entity": entity, "has_lines": forms.plan_lines.exists()}
    return render(request, "procurement/officer/tender_form.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def tender_create_page(request: HttpRequest) -> HttpResponse:
    entity = _acting_entity(request)
    lines = officer_plan_lines_for_tenders(actor=request.user, entity=entity)
    regions = delivery_regions(country=entity.country)
    if request.method != "POST":
        initial = {"plan_line": request.GET.get("line", "")[:20], "currency": "PEN"}
        return _tender_form_page(
            request, TenderForms(plan_lines=lines, regions=regions, initial=initial), entity=entity
        )
    forms = TenderForms(request.POST, plan_lines=lines, regions=regions)
    if request.POST.get("action") == "add_lot":
        return _tender_form_page(request, forms.with_more_rows(add_lot=True), entity=entity)
    if "add_item" in request.POST:
        try:
            lot_index = int(request.POST["add_item"])
        except ValueError:
            lot_index = None
        return _tender_form_page(request, forms.with_more_rows(add_item_to=lot_index), entity=entity)
    if not forms.is_valid():
        return _tender_form_page(request, forms, entity=entity, status=400)
    try:
        tender = tender_create(actor=request.user, **forms.service_arguments())
    except DomainError as exc:
        forms.add_service_error(exc)
        return _tender_form_page(request, forms, entity=entity, status=exc.status)
    messages.success(request, _("The tender %(code)s was drafted. Now set its chronogram.") % {"code": tender.code})
    return redirect("officer-tender-timeline", pk=tender.pk)


# --- The chronogram ------------------------------------------------------------------------------------------


def _proposed_publication(now: datetime) -> datetime:
    """The next five-minute mark at least a minute away: a publication the officer can still save, and
    publish at once (it falls within the publication tolerance)."""
    moment = (now + timedelta(minutes=1)).astimezone(LIMA).replace(second=0, microsecond=0)
    return moment + timedelta(minutes=(5 - moment.minute % 5) % 5)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def tender_timeline(request: HttpRequest, pk: int) -> HttpResponse:
    tender = _tender(request, pk)
    if tender.status != TenderStatus.DRAFT:
        return _refused(request, _("Only a draft tender's chronogram can be set."), 409)
    config = tender.procedure_type.config
    holidays = holidays_of(tender.procedure_type.jurisdiction)
    stages = list(config.get("stages") or [])
    status = 200
    if request.method == "POST":
        form = TimelineForm(request.POST, stages=stages)
        status = 400
        if form.is_valid():
            timeline = form.timeline()
            problems = timeline_problems(timeline, config, holidays)
            for problem in problems:
                form.add_problem(problem)
            if not problems:
                try:
                    tender_set_timeline(actor=request.user, tender=tender, timeline=timeline)
                except DomainError as exc:
                    form.add_error(exc.field if exc.field in form.fields else None, exc.message)
                    status = exc.status
                else:
                    messages.success(request, _("The chronogram was saved."))
                    return redirect("officer-tender", pk=tender.pk)
    else:
        if tender.bids_due is not None:
            proposed = {name: getattr(tender, name) for name, _status in CHRONOGRAM}
        else:
            earliest = earliest_timeline(_proposed_publication(clock.now()), config, holidays)
            proposed = {name: getattr(earliest, name) for name, _status in CHRONOGRAM}
        form = TimelineForm(stages=stages, initial=proposed)
    context = {"tender": tender, "form": form, "durations": _durations(config)}
    return render(request, "procurement/officer/tender_timeline.html", context, status=status)


def _durations(config: dict[str, Any]) -> list[str]:
    """The procedure's minimum durations, in words and in the stages' order, shown above the dates."""
    rules = config.get("min_durations") or {}
    return [
        _("%(stage)s: at least %(days)s %(unit)s")
        % {"stage": stage.label, "days": rules[stage]["days"], "unit": DayUnit(rules[stage]["unit"]).label}
        for stage in Stage
        if stage in rules and rules[stage].get("unit") in DayUnit.values
    ]


# --- The officer's tender page ----------------------------------------------------------------------------------


def _tender_page(request: HttpRequest, tender: Tender, *, status: int = 200, **bound: Any) -> HttpResponse:
    """The tender as its entity runs it; ``bound`` carries a refused form (with its errors) to show again."""
    now = clock.now()
    stages = list(tender.procedure_type.config.get("stages") or [])
    questions = list(questions_for_officer(actor=request.user, tender=tender))
    answering = tender.status == TenderStatus.ENQUIRIES
    answer_forms = bound.get("answer_forms", {})
    for question in questions:
        question.form = None
        if answering and question.published_at is None:
            question.form = answer_forms.get(question.pk) or AnswerForm(
                prefix=f"question-{question.pk}", initial={"answer": question.answer}
            )
    can_extend = tender.status in BIDS_OPEN and tender.bids_due is not None and tender.bids_due > now
    extended_to = None
    if can_extend:
        extended_to = amendment_deadline(
            changed_at=now,
            bids_due=tender.bids_due,
            min_days=AMENDMENT_MIN_DAYS,
            unit="working",
            holidays=holidays_of(tender.procedure_type.jurisdiction),
        )
    units = dict(UNITS_REC20)
    regions = dict(delivery_regions(country=tender.entity.country))
    lots = list(officer_tender_lots(tender=tender))
    for lot in lots:
        for item in lot.items.all():
            item.unit_name = units.get(item.unit, item.unit)
            item.region_name = regions.get(item.region_code, item.region_code)
    counts = bids_visible_to(actor=request.user, tender=tender).counts if tender.status in BIDS_COUNTED else []
    context = {
        "tender": tender,
        "lots": lots,
        "chronogram": [
            (TIMELINE_LABELS[name], getattr(tender, name))
            for name, _status in CHRONOGRAM
            if getattr(tender, name) is not None
        ],
        "questions": questions,
        "unanswered": sum(1 for question in questions if question.answered_at is None),
        "answering": answering,
        "answers_form": bound.get("answers_form") or (AnswersPublishForm() if answering else None),
        "documents": officer_tender_documents(tender=tender),
        "bid_counts": counts,
        "can_publish": tender.status == TenderStatus.DRAFT and tender.bids_due is not None,
        "publish_error": bound.get("publish_error", ""),
        "can_cancel": can_move(tender.status, TenderStatus.CANCELLED, stages),
        "cancel_form": bound.get("cancel_form") or ReasonForm(),
        "can_extend": can_extend,
        "extended_to": extended_to,
        "extend_error": bound.get("extend_error", ""),
        "public_url": _public_url(tender),
    }
    context.update(_after_bids(tender, now, lots=lots, bound=bound))
    return render(request, "procurement/officer/tender_detail.html", context, status=status)


@require_safe
@login_required
def tender_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _tender_page(request, _tender(request, pk))


@require_POST
@login_required
def tender_publish_action(request: HttpRequest, pk: int) -> HttpResponse:
    tender = _tender(request, pk)
    try:
        tender = tender_publish(actor=request.user, tender=tender)
    except DomainError as exc:
        return _tender_page(request, tender, status=exc.status, publish_error=exc.message)
    messages.success(request, _("The tender %(code)s is published.") % {"code": tender.code})
    return redirect("officer-tender", pk=tender.pk)


@require_POST
@login_required
def tender_cancel_action(request: HttpRequest, pk: int) -> HttpResponse:
    tender = _tender(request, pk)
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            tender = tender_cancel(actor=request.user, tender=tender, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            form.add_error("reason" if exc.field == "reason" else None, exc.message)
            return _tender_page(request, tender, status=exc.status, cancel_form=form)
        messages.success(request, _("The tender %(code)s was cancelled.") % {"code": tender.code})
        return redirect("officer-tender", pk=tender.pk)
    return _tender_page(request, tender, status=400, cancel_form=form)


@require_POST
@login_required
def tender_extend_action(request: HttpRequest, pk: int) -> HttpResponse:
    tender = _tender(request, pk)
    before = tender.bids_due
    try:
        deadline = tender_amend_deadline(actor=request.user, tender=tender)
    except DomainError as exc:
        return _tender_page(request, tender, status=exc.status, extend_error=exc.message)
    when = deadline.astimezone(LIMA).strftime("%d/%m/%Y %H:%M")
    if deadline == before:
        messages.info(
            request,
            _("Bids close on %(when)s (Lima time): at least %(days)s working days remain, so the deadline stays.")
            % {"when": when, "days": AMENDMENT_MIN_DAYS},
        )
    else:
        messages.success(request, _("The bids deadline moved to %(when)s (Lima time).") % {"when": when})
    return redirect("officer-tender", pk=tender.pk)


@require_POST
@login_required
def question_answer_action(request: HttpRequest, pk: int, question_id: int) -> HttpResponse:
    tender = _tender(request, pk)
    question = questions_for_officer(actor=request.user, tender=tender).filter(pk=question_id).first()
    if question is None:
        raise Http404(_("No such question."))
    form = AnswerForm(request.POST, prefix=f"question-{question.pk}")
    if form.is_valid():
        try:
            question_answer(actor=request.user, question=question, answer=form.cleaned_data["answer"])
        except DomainError as exc:
            form.add_error("answer" if exc.field == "answer" else None, exc.message)
            return _tender_page(request, tender, status=exc.status, answer_forms={question.pk: form})
        messages.success(request, _("The answer was saved. It is published with the integrated bases."))
        return redirect(reverse("officer-tender", kwargs={"pk": tender.pk}) + f"#question-{question.pk}")
    return _tender_page(request, tender, status=400, answer_forms={question.pk: form})


@require_POST
@login_required
def answers_publish_action(request: HttpRequest, pk: int) -> HttpResponse:
    tender = _tender(request, pk)
    form = AnswersPublishForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            tender = answers_publish(
                actor=request.user,
                tender=tender,
                document_file=form.cleaned_data["document_file"],
                title=form.cleaned_data["title"],
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            return _tender_page(request, tender, status=exc.status, answers_form=form)
        messages.success(request, _("The answers and the integrated bases are published; the participants were told."))
        return redirect("officer-tender", pk=tender.pk)
    return _tender_page(request, tender, status=400, answers_form=form)


# --- After the bids: what the entity reads (only opened bids, never a sealed one) -------------------------------

CENT = Decimal("0.01")


def excluded_label(reason: str) -> str:
    """Why a bid has no rank on a score sheet, in the reader's language."""
    labels = {
        "not_qualified": _("Not qualified by the committee"),
        "technical_below_minimum": _("Technical points below the minimum"),
        "not_eligible": _("Not eligible (registry, sanction or MYPE condition)"),
    }
    return labels.get(reason, reason)


def _opened_bids(tender: Tender) -> QuerySet[Bid]:
    """The bids the opening read (see ``selectors.opened_bids``), with who bid and the committee's verdict."""
    return opened_bids(tender=tender).select_related("participant__organisation", "evaluation__evaluated_by")


def labelled(sheets: dict[int, list[tuple[int, list[LotScore]]]]) -> dict[int, list[tuple[int, list[LotScore]]]]:
    """Score sheets (``selectors.score_sheets``) with each excluded row's reason in words."""
    for rounds in sheets.values():
        for _round, rows in rounds:
            for row in rows:
                row.excluded_label = excluded_label(row.excluded_reason) if row.excluded_reason else ""
    return sheets


def _after_bids(tender: Tender, now: datetime, *, lots: list[Lot], bound: dict[str, Any]) -> dict[str, Any]:
    """The tender page's parts after the call for tender: new documents, the opening button and record,
    the award with its score sheets, the appeals and the contracts."""
    kinds = [(kind, kind.label) for kind, statuses in ADDABLE.items() if tender.status in statuses]
    opening_statuses = {TenderStatus.BIDDING, TenderStatus.OPENING}
    by_lot: dict[int, list[Bid]] = defaultdict(list)
    if tender.opened_at is not None:
        for bid in _opened_bids(tender):
            by_lot[bid.lot_id].append(bid)
    sheets = labelled(score_sheets(tender=tender)) if tender.lottery_seed else {}
    for lot in lots:
        lot.opened_bids = by_lot.get(lot.pk, [])
        lot.sheets = sheets.get(lot.pk, [])
    contracts = list(Contract.objects.filter(tender=tender).select_related("supplier", "award__lot").order_by("number"))
    complete_forms = bound.get("complete_forms", {})
    contract_errors = bound.get("contract_errors", {})
    for contract in contracts:
        contract.can_sign = (
            contract.status == ContractStatus.AWAITING_SIGNATURES
            and contract.entity_signed_at is None
            and tender.status in SIGNING_STATUSES
        )
        contract.complete_form = None
        if contract.status == ContractStatus.SIGNED:
            contract.complete_form = complete_forms.get(contract.pk) or ContractCompleteForm(
                prefix=f"contract-{contract.pk}"
            )
        contract.error = contract_errors.get(contract.pk, "")
    return {
        "document_form": bound.get("document_form") or (DocumentForm(kinds=kinds) if kinds else None),
        "opening_due": tender.status in opening_statuses and tender.opening_at is not None,
        "can_open": tender.status in opening_statuses and tender.opening_at is not None and tender.opening_at <= now,
        "open_error": bound.get("open_error", ""),
        "opened": tender.opened_at is not None,
        "evaluating": tender.status == TenderStatus.EVALUATION,
        "award_error": bound.get("award_error", ""),
        "awards": list(
            Award.objects.filter(lot__tender=tender).select_related("supplier", "lot").order_by("lot__number", "round")
        ),
        "appeals": list(
            Appeal.objects.filter(tender=tender).select_related("appellant", "lot").order_by("filed_at", "pk")
        ),
        "pending_appeals": AppealStatus.FILED,
        "contracts": contracts,
    }


# --- After the bids: the entity acts --------------------------------------------------------------------------


@require_POST
@login_required
def document_add_action(request: HttpRequest, pk: int) -> HttpResponse:
    tender = _tender(request, pk)
    kinds = [(kind, kind.label) for kind, statuses in ADDABLE.items() if tender.status in statuses]
    form = DocumentForm(request.POST, request.FILES, kinds=kinds)
    if not kinds:
        form.is_valid()
        form.errors.clear()
        form.add_error(
            None,
            _("No document can be added to a tender that is %(status)s.") % {"status": tender.get_status_display()},
        )
        return _tender_page(request, tender, status=409, document_form=form)
    if form.is_valid():
        try:
            document = tender_document_add(
                actor=request.user,
                tender=tender,
                kind=form.cleaned_data["kind"],
                title=form.cleaned_data["title"],
                document_file=form.cleaned_data["document_file"],
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            return _tender_page(request, tender, status=exc.status, document_form=form)
        messages.success(
            request,
            _("%(kind)s version %(version)s was added.")
            % {"kind": document.get_kind_display(), "version": document.version},
        )
        return redirect("officer-tender", pk=tender.pk)
    return _tender_page(request, tender, status=400, document_form=form)


@require_POST
@login_required
def tender_open_action(request: HttpRequest, pk: int) -> HttpResponse:
    tender = _tender(request, pk)
    try:
        tender = tender_open(actor=request.user, tender=tender)
    except DomainError as exc:
        return _tender_page(request, tender, status=exc.status, open_error=exc.message)
    messages.success(
        request, _("The bids of %(code)s were opened; the opening record is public.") % {"code": tender.code}
    )
    return redirect("officer-tender", pk=tender.pk)


@require_POST
@login_required
def tender_award_action(request: HttpRequest, pk: int) -> HttpResponse:
    tender = _tender(request, pk)
    try:
        tender = tender_award(actor=request.user, tender=tender)
    except DomainError as exc:
        return _tender_page(request, tender, status=exc.status, award_error=exc.message)
    if tender.status == TenderStatus.VOID:
        messages.warning(request, _("No lot had a valid bid: the process is void."))
    else:
        messages.success(request, _("The award (buena pro) is published with its score sheets."))
    return redirect(reverse("officer-tender", kwargs={"pk": tender.pk}) + "#award")


def _contract(tender: Tender, contract_id: int) -> Contract:
    contract = Contract.objects.filter(tender=tender, pk=contract_id).first()
    if contract is None:
        raise Http404(_("No such contract."))
    return contract


@require_POST
@login_required
def contract_sign_action(request: HttpRequest, pk: int, contract_id: int) -> HttpResponse:
    tender = _tender(request, pk)
    contract = _contract(tender, contract_id)
    try:
        contract = contract_sign(actor=request.user, contract=contract, organisation=tender.entity)
    except DomainError as exc:
        return _tender_page(request, tender, status=exc.status, contract_errors={contract.pk: exc.message})
    if contract.status == ContractStatus.SIGNED:
        messages.success(request, _("Contract %(number)s is signed by both parties.") % {"number": contract.number})
    else:
        messages.success(
            request,
            _("Contract %(number)s is signed for the entity; the supplier signs next.") % {"number": contract.number},
        )
    return redirect(reverse("officer-tender", kwargs={"pk": tender.pk}) + "#contracts")


@require_POST
@login_required
def contract_complete_action(request: HttpRequest, pk: int, contract_id: int) -> HttpResponse:
    tender = _tender(request, pk)
    contract = _contract(tender, contract_id)
    form = ContractCompleteForm(request.POST, prefix=f"contract-{contract.pk}")
    if form.is_valid():
        try:
            contract = contract_complete(
                actor=request.user,
                contract=contract,
                rating=form.cleaned_data["rating"],
                comment=form.cleaned_data["comment"],
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            return _tender_page(request, tender, status=exc.status, complete_forms={contract.pk: form})
        messages.success(request, _("Contract %(number)s is completed.") % {"number": contract.number})
        return redirect(reverse("officer-tender", kwargs={"pk": tender.pk}) + "#contracts")
    return _tender_page(request, tender, status=400, complete_forms={contract.pk: form})


# --- The evaluation (the committee, or the officers) -----------------------------------------------------------


def _evaluation_tender(request: HttpRequest, pk: int) -> Tender:
    """A tender the actor evaluates: one of their entity's, whatever their role in the committee."""
    try:
        tender = tender_get_for_actor(actor=request.user, tender_id=pk)
    except NotFoundError as exc:
        raise Http404(exc.message) from None
    require_role(request.user, tender.entity, EVALUATOR_ROLES)
    return tender


def _evaluation_page(
    request: HttpRequest, tender: Tender, *, forms: dict[int, EvaluationForm] | None = None, status: int = 200
) -> HttpResponse:
    rules = scoring_rules(tender.procedure_type.config)
    weighted = rules.method == EvaluationMethod.WEIGHTED
    lots = list(officer_tender_lots(tender=tender))
    units = dict(UNITS_REC20)
    by_lot: dict[int, list[Bid]] = defaultdict(list)
    for bid in _opened_bids(tender):
        by_lot[bid.lot_id].append(bid)
    forms = forms or {}
    for lot in lots:
        items = list(lot.items.all())
        lot.evaluating = tender.status == TenderStatus.EVALUATION and lot.status == LotStatus.OPEN
        lot.opened_bids = by_lot.get(lot.pk, [])
        for bid in lot.opened_bids:
            prices = bid.opened_prices or {}
            bid.lines = []
            for item in items:
                price = prices.get(str(item.number))
                unit_price = Decimal(price) if price is not None else None
                bid.lines.append(
                    {
                        "item": item,
                        "unit_name": units.get(item.unit, item.unit),
                        "unit_price": unit_price,
                        "total": (item.quantity * unit_price).quantize(CENT, rounding=ROUND_HALF_UP)
                        if unit_price is not None
                        else None,
                    }
                )
            bid.declarations = sorted((bid.opened_technical or {}).items())
            bid.verdict = getattr(bid, "evaluation", None)
            bid.form = None
            if lot.evaluating:
                initial = {}
                if bid.verdict is not None:
                    initial = {
                        "qualified": "yes" if bid.verdict.qualified else "no",
                        "technical_score": bid.verdict.technical_score,
                        "comment": bid.verdict.comment,
                    }
                bid.form = forms.get(bid.pk) or EvaluationForm(
                    prefix=f"bid-{bid.pk}", weighted=weighted, max_points=rules.max_technical_points, initial=initial
                )
    context = {
        "tender": tender,
        "lots": lots,
        "weighted": weighted,
        "rules": rules,
        "is_officer": bool(roles_for(request.user, tender.entity) & OFFICER_ROLES),
        "evaluating": tender.status == TenderStatus.EVALUATION,
    }
    return render(request, "procurement/officer/evaluation.html", context, status=status)


@require_safe
@login_required
def tender_evaluation(request: HttpRequest, pk: int) -> HttpResponse:
    tender = _evaluation_tender(request, pk)
    if tender.opened_at is None:
        return _refused(request, _("The bids are sealed until the opening: there is nothing to evaluate yet."), 409)
    return _evaluation_page(request, tender)


@require_POST
@login_required
def bid_evaluate_action(request: HttpRequest, pk: int, bid_id: int) -> HttpResponse:
    tender = _evaluation_tender(request, pk)
    if tender.opened_at is None:
        return _refused(request, _("The bids are sealed until the opening: there is nothing to evaluate yet."), 409)
    bid = _opened_bids(tender).filter(pk=bid_id).first()
    if bid is None:
        raise Http404(_("No such bid."))
    rules = scoring_rules(tender.procedure_type.config)
    form = EvaluationForm(
        request.POST,
        prefix=f"bid-{bid.pk}",
        weighted=rules.method == EvaluationMethod.WEIGHTED,
        max_points=rules.max_technical_points,
    )
    if form.is_valid():
        try:
            bid_evaluate(actor=request.user, bid=bid, **form.service_arguments())
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            return _evaluation_page(request, tender, forms={bid.pk: form}, status=exc.status)
        messages.success(
            request,
            _("The verdict on the bid of %(bidder)s was saved.") % {"bidder": bid.participant.organisation.name},
        )
        return redirect(reverse("officer-tender-evaluation", kwargs={"pk": tender.pk}) + f"#bid-{bid.pk}")
    return _evaluation_page(request, tender, forms={bid.pk: form}, status=400)


urlpatterns = [
    path("procurement/officer/", officer_home, name="officer-home"),
    path("procurement/officer/plans/", plan_list, name="officer-plans"),
    path("procurement/officer/plans/new/", plan_create_page, name="officer-plan-create"),
    path("procurement/officer/plans/<int:pk>/", plan_detail, name="officer-plan"),
    path("procurement/officer/plans/<int:pk>/edit/", plan_edit, name="officer-plan-edit"),
    path("procurement/officer/plans/<int:pk>/modify/", plan_modify, name="officer-plan-modify"),
    path("procurement/officer/plans/<int:pk>/publish/", plan_publish_action, name="officer-plan-publish"),
    path("procurement/officer/tenders/new/", tender_create_page, name="officer-tender-create"),
    path("procurement/officer/tenders/<int:pk>/", tender_detail, name="officer-tender"),
    path("procurement/officer/tenders/<int:pk>/chronogram/", tender_timeline, name="officer-tender-timeline"),
    path("procurement/officer/tenders/<int:pk>/publish/", tender_publish_action, name="officer-tender-publish"),
    path("procurement/officer/tenders/<int:pk>/cancel/", tender_cancel_action, name="officer-tender-cancel"),
    path("procurement/officer/tenders/<int:pk>/extend/", tender_extend_action, name="officer-tender-extend"),
    path(
        "procurement/officer/tenders/<int:pk>/questions/<int:question_id>/answer/",
        question_answer_action,
        name="officer-question-answer",
    ),
    path(
        "procurement/officer/tenders/<int:pk>/answers/publish/",
        answers_publish_action,
        name="officer-answers-publish",
    ),
    path(
        "procurement/officer/tenders/<int:pk>/documents/add/",
        document_add_action,
        name="officer-tender-document-add",
    ),
    path("procurement/officer/tenders/<int:pk>/open/", tender_open_action, name="officer-tender-open"),
    path("procurement/officer/tenders/<int:pk>/evaluation/", tender_evaluation, name="officer-tender-evaluation"),
    path(
        "procurement/officer/tenders/<int:pk>/evaluation/bids/<int:bid_id>/",
        bid_evaluate_action,
        name="officer-bid-evaluate",
    ),
    path("procurement/officer/tenders/<int:pk>/award/", tender_award_action, name="officer-tender-award"),
    path(
        "procurement/officer/tenders/<int:pk>/contracts/<int:contract_id>/sign/",
        contract_sign_action,
        name="officer-contract-sign",
    ),
    path(
        "procurement/officer/tenders/<int:pk>/contracts/<int:contract_id>/complete/",
        contract_complete_action,
        name="officer-contract-complete",
    ),
]
