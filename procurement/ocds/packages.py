"""What every OCDS package the portal publishes says about itself: version, publisher, license and
the extensions its releases use (lots and bids)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings

from procurement.ocds.builder import moment

VERSION = "1.1"
EXTENSIONS = [
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_lots_extension/v1.1.5/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_bid_extension/v1.1.4/extension.json",
]


def package_metadata(*, uri: str, published: datetime) -> dict[str, Any]:
    """The package's fields before its releases or records. ``published`` is when what it holds last
    changed (its latest release), so the same content is the same package whenever it is asked for."""
    return {
        "uri": uri,
        "version": VERSION,
        "extensions": list(EXTENSIONS),
        "publishedDate": moment(published),
        "publisher": {"name": settings.OCDS_PUBLISHER_NAME, "uri": settings.OCDS_PUBLISHER_URI},
        "license": settings.OCDS_LICENSE,
    }
