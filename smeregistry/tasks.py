"""Thin Celery entry points for the registry's daily jobs."""

from celery import shared_task

from smeregistry.services import suppliers


@shared_task(ignore_result=True)
def expire_registrations() -> int:
    return suppliers.registry_expire_due()


@shared_task(ignore_result=True)
def send_expiry_reminders() -> int:
    return suppliers.registry_send_expiry_reminders()
