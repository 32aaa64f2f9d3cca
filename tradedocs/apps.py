from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TradeDocsConfig(AppConfig):
    name = "tradedocs"
    verbose_name = _("Trade documents")
