"""Thin Celery entry points for public procurement."""

from celery import shared_task

from procurement.services import chronograph


@shared_task(ignore_result=True)
def chronograph_sweep() -> int:
    return chronograph.chronograph_sweep()


@shared_task(ignore_result=True)
def deadline_reminders() -> int:
    from procurement.services.reminders import deadline_reminders as remind

    return remind()
