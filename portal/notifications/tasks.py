"""Thin Celery entry points: take ids, call a service."""

from celery import current_app, shared_task

from portal.notifications import services


def running_in_process() -> bool:
    """True when there is no broker and tasks run eagerly in the web process."""
    return bool(current_app.conf.task_always_eager)


@shared_task(acks_late=True, ignore_result=True)
def deliver_notification(notification_id: int) -> str:
    return services.notification_deliver(notification_id=notification_id)


@shared_task(acks_late=True, ignore_result=True)
def deliver_notifications(notification_ids: list[int]) -> dict:
    return services.notifications_deliver_batch(notification_ids=notification_ids)


@shared_task(ignore_result=True)
def sweep_notifications() -> dict:
    return services.notifications_sweep()


@shared_task(ignore_result=True)
def send_daily_digests() -> int:
    return services.notifications_send_digests()
