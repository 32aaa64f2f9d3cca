"""Public procurement: the data behind the tender lifecycle.

This first part holds what the lifecycle is configured with: the holiday calendar (working days)
and the procedure types, each a row of configuration validated when saved.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from procurement.procedure_config import validate_procedure_config

MONEY = {"max_digits": 18, "decimal_places": 2}


class Holiday(models.Model):
    """A public holiday: not a working day for deadlines counted in working days."""

    jurisdiction = models.CharField(max_length=2, default="PE")
    day = models.DateField(_("day"))
    name = models.CharField(_("name"), max_length=150)

    class Meta:
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        ordering = ["day"]
        constraints = [models.UniqueConstraint(fields=["jurisdiction", "day"], name="holiday_once_per_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.name}"


class ProcedureType(models.Model):
    """A kind of procedure (licitación pública, subasta inversa…) as configuration, not as code.

    ``config`` keys: ``stages`` (ordered subset of enums.Stage), ``min_durations`` ({stage: {days,
    unit}}), ``objects``, ``value_min``/``value_max`` (in the jurisdiction's currency, empty for no
    bound), ``min_bids``, ``appeal_window`` ({days, unit}), ``evaluation`` (price_only|weighted).
    See ``procedure_config.validate_procedure_config`` for the rules it must satisfy.
    """

    jurisdiction = models.CharField(max_length=2, default="PE")
    code = models.SlugField(_("code"), max_length=50)
    name = models.CharField(_("name"), max_length=150)
    config = models.JSONField(_("configuration"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("procedure type")
        verbose_name_plural = _("procedure types")
        ordering = ["jurisdiction", "name"]
        constraints = [models.UniqueConstraint(fields=["jurisdiction", "code"], name="procedure_type_code_unique")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        # A procedure type that breaks the rules would break every tender of its kind: never store one.
        self.clean()
        super().save(*args, **kwargs)

    def clean(self) -> None:
        problems = validate_procedure_config(self.config or {})
        if problems:
            raise ValidationError({"config": problems})
