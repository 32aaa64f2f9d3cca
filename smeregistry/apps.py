from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class SmeRegistryConfig(AppConfig):
    name = "smeregistry"
    verbose_name = _("Supplier registry")

    def ready(self):
        from smeregistry import events  # noqa: F401 - registers the notification events
        from smeregistry.services.policy import reference_cache_clear

        # A rule edited in this process is seen at once (other processes: within the cache's TTL).
        for model in ("JurisdictionPolicy", "TaxUnitValue", "SizeClassRule"):
            sender = self.get_model(model)
            post_save.connect(reference_cache_clear, sender=sender, dispatch_uid=f"reference-save-{model}")
            post_delete.connect(reference_cache_clear, sender=sender, dispatch_uid=f"reference-delete-{model}")
