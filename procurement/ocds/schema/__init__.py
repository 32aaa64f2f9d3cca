"""The OCDS 1.1 schemas the portal checks its releases, records and packages against, and the
merger that compiles records with them.

The JSON files beside this module are our own reading of the standard (core fields, the lots and
bids extensions), not copies of the official files: nothing here is fetched, so validation and
merging work offline. The package schemas refer to the release schema by its ``id``; a local
registry resolves it, and an unknown reference fails rather than reaching for the network.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import ocdsmerge
from jsonschema import Draft4Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

HERE = Path(__file__).resolve().parent
RELEASE = "release-schema.json"
RELEASE_PACKAGE = "release-package-schema.json"
RECORD_PACKAGE = "record-package-schema.json"

# RFC 3339 as OCDS asks for it: a date, a time and an offset (Z or ±hh:mm).
_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


@cache
def load(name: str) -> dict[str, Any]:
    with (HERE / name).open(encoding="utf-8") as handle:
        return json.load(handle)


def _is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not _DATE_TIME.match(value):
        return False
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def _is_uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return bool(parts.scheme and (parts.netloc or parts.scheme == "urn")) and " " not in value


def format_checker() -> FormatChecker:
    """Checks ``date-time`` and ``uri`` without the optional packages jsonschema would need for
    them (without those it would accept any string silently)."""
    checker = FormatChecker(formats=())
    checker.checks("date-time")(_is_date_time)
    checker.checks("uri")(_is_uri)
    return checker


@cache
def _registry() -> Registry:
    resources = []
    for name in (RELEASE, RELEASE_PACKAGE, RECORD_PACKAGE):
        schema = load(name)
        resources.append((schema["id"], Resource.from_contents(schema, default_specification=DRAFT4)))
        # The package schemas say "release-schema.json": relative to their own id, that is the above.
    return Registry().with_resources(resources)


def validator(name: str = RELEASE) -> Draft4Validator:
    """A Draft 4 validator for one of the schemas, with format checking."""
    return Draft4Validator(load(name), registry=_registry(), format_checker=format_checker())


@cache
def merger() -> ocdsmerge.Merger:
    """The merger of an ocid's releases, with its rules read from our release schema (passed as a
    dict: given nothing, ocdsmerge would download the latest official schema)."""
    return ocdsmerge.Merger(schema=load(RELEASE))
