from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SmeRegistryConfig(AppConfig):
    name = "smeregistry"
    verbose_name = _("Supplier registry")
