from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProcurementConfig(AppConfig):
    name = "procurement"
    verbose_name = _("Public procurement")

    def ready(self):
        from procurement import events  # noqa: F401 - registers the notification events
        from procurement.transparency import hooks  # noqa: F401 - keeps the public data in step
