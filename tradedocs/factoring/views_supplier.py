"""Supplier factoring pages (work in progress)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse


@login_required
def documents(request: HttpRequest) -> HttpResponse:
    return HttpResponse("")


@login_required
def chain_join_view(request: HttpRequest, chain_id: int) -> HttpResponse:
    return HttpResponse("")


@login_required
def pre_acknowledgement(request: HttpRequest) -> HttpResponse:
    return HttpResponse("")


@login_required
def history(request: HttpRequest) -> HttpResponse:
    return HttpResponse("")


@login_required
def history_csv(request: HttpRequest) -> HttpResponse:
    return HttpResponse("")


@login_required
def bank_accounts(request: HttpRequest) -> HttpResponse:
    return HttpResponse("")
