from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TradeDocsConfig(AppConfig):
    name = "tradedocs"
    verbose_name = _("Trade documents")

    def ready(self) -> None:
        from tradedocs import events  # noqa: F401 - registers the notification events
        from tradedocs.factoring import events as factoring_events  # noqa: F401
