"""OCDS records: an ocid's releases, and what they compile to.

The merge is ocdsmerge's (the Open Contracting Partnership's library), with the rules of our
release schema: releases are taken in date order (publication order among equal dates), a later
value wins, and arrays of objects are merged by ``id``, so what an earlier release said and a later
one leaves out is kept. The releases are embedded in the record: a record then stands alone, and an
ocid has a few dozen releases at most.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from procurement.models import Release
from procurement.ocds.schema import merger


def compile_record(ocid: str, releases: Iterable[dict[str, Any]], *, versioned: bool = True) -> dict[str, Any]:
    """The record of ``ocid`` from its releases, given in publication order."""
    releases = list(releases)
    record = {"ocid": ocid, "releases": releases, "compiledRelease": merger().create_compiled_release(releases)}
    if versioned:
        record["versionedRelease"] = merger().create_versioned_release(releases)
    return record


def record_for(ocid: str, *, versioned: bool = True) -> dict[str, Any] | None:
    """The record of ``ocid`` as of now; None when it has no release."""
    releases = list(Release.objects.filter(ocid=ocid).order_by("pk").values_list("data", flat=True))
    if not releases:
        return None
    return compile_record(ocid, releases, versioned=versioned)
