"""Thin Celery entry points: take ids, call a service."""

from celery import shared_task

from tradedocs.factoring import services


@shared_task(ignore_result=True)
def factoring_daily() -> dict:
    return services.factoring_daily()
