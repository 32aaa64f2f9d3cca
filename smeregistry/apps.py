from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SmeRegistryConfig(AppConfig):
    name = "smeregistry"
    verbose_name = _("Supplier registry")

    def ready(self):
        from smeregistry import events  # noqa: F401 - registers the notification events
