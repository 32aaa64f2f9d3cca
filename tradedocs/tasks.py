"""Thin Celery entry points: take ids, call a service."""

from celery import shared_task

from tradedocs.services import documents


@shared_task(acks_late=True, ignore_result=True)
def validate_document(document_id: int) -> bool:
    return documents.document_validate(document_id=document_id) is not None


@shared_task(ignore_result=True)
def validate_waiting_documents() -> int:
    return documents.documents_validate_waiting()


# Celery discovers ``tasks`` modules of installed apps only; factoring is a package of this app.
from tradedocs.factoring.tasks import factoring_daily  # noqa: E402, F401
