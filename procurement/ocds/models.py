"""Open Contracting Data Standard (OCDS 1.1): the releases, kept as they were published.

A release is written inside the transaction of the lifecycle event it reports (``ocds.hooks`` via
``transparency.hooks``) and never changed afterwards: records are compiled from the releases of an
``ocid``, so history is preserved. ``pk`` is the publication order; the API's cursor walks it.
"""

from __future__ import annotations

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _


class Release(models.Model):
    ocid = models.CharField(max_length=80)
    release_id = models.CharField(max_length=120, unique=True)
    tender = models.ForeignKey("procurement.Tender", on_delete=models.PROTECT, related_name="ocds_releases")
    entity = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    date = models.DateTimeField(_("date"))
    tags = models.JSONField(_("tags"))
    data = models.JSONField(encoder=DjangoJSONEncoder)

    class Meta:
        verbose_name = _("OCDS release")
        verbose_name_plural = _("OCDS releases")
        ordering = ["pk"]
        indexes = [
            models.Index(fields=["date", "id"], name="ocds_release_date"),
            models.Index(fields=["entity", "date", "id"], name="ocds_release_entity_date"),
            models.Index(fields=["ocid", "id"], name="ocds_release_ocid"),
        ]

    def __str__(self) -> str:
        return self.release_id
