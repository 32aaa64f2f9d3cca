"""Bulk OCDS files, a pair per month (Lima time): ``releases-YYYY-MM.json``, the release package of
the month's releases, and ``records-YYYY-MM.json``, the record package of every process with a
release that month, each record compiled from the process's releases up to the end of the month.

So a month's files never change once the month is over (releases are never rewritten), a process
appears in every month it moved, and its latest record is in the latest month it moved.

The files are written as they are read: rows come from a server-side cursor ``chunk_size`` at a
time, each release (or each process's record) is written and dropped, and only the package's
opening is built in memory. Memory stays flat whatever the month's size; the release text is taken
from the database as it is stored, not parsed and dumped again. A file is written under a temporary
name and renamed when complete, so a reader never sees half of one.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import Max, Min, TextField
from django.db.models.functions import Cast

from procurement.models import Release
from procurement.ocds.packages import package_metadata
from procurement.ocds.records import compile_record
from procurement.timeline import LIMA

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
CHUNK_SIZE = 2000


@dataclass
class ExportStats:
    months: list[str] = field(default_factory=list)
    releases: int = 0
    records: int = 0
    files: list[Path] = field(default_factory=list)
    bytes: int = 0


def parse_month(value: str) -> date:
    """``YYYY-MM`` as the first day of that month; ValueError for anything else."""
    match = MONTH.match(value or "")
    if not match:
        raise ValueError(f"not a month (YYYY-MM): {value!r}")
    return date(int(match.group(1)), int(match.group(2)), 1)


def _next(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def _start(month: date) -> datetime:
    return datetime(month.year, month.month, 1, tzinfo=LIMA)


def export(
    output_dir: str | Path,
    *,
    month_from: str | None = None,
    month_to: str | None = None,
    chunk_size: int = CHUNK_SIZE,
    base_uri: str | None = None,
) -> ExportStats:
    """Write the monthly release and record packages from ``month_from`` to ``month_to`` (``YYYY-MM``,
    both included; by default the first and last months with releases) into ``output_dir``.

    Months without releases get no files. ``base_uri`` is where the files will be published (each
    package's ``uri`` is it plus the file's name). Returns what was written."""
    output = Path(output_dir)
    output.mkdir(parents=True, exist_ok=True)
    base = base_uri or f"{settings.OCDS_PUBLISHER_URI.rstrip('/')}/ocds/bulk/"
    bounds = Release.objects.aggregate(first=Min("date"), last=Max("date"))
    stats = ExportStats()
    if bounds["first"] is None:
        return stats
    month = parse_month(month_from) if month_from else bounds["first"].astimezone(LIMA).date().replace(day=1)
    last = parse_month(month_to) if month_to else bounds["last"].astimezone(LIMA).date().replace(day=1)
    while month <= last:
        start, end = _start(month), _start(_next(month))
        in_month = Release.objects.filter(date__gte=start, date__lt=end)
        published = in_month.aggregate(last=Max("date"))["last"]
        if published is not None:
            label = f"{month:%Y-%m}"
            stats.months.append(label)
            name = f"releases-{label}.json"
            stats.releases += _write_package(
                output / name,
                package_metadata(uri=base + name, published=published),
                "releases",
                _release_texts(in_month, chunk_size),
                stats,
            )
            name = f"records-{label}.json"
            stats.records += _write_package(
                output / name,
                package_metadata(uri=base + name, published=published),
                "records",
                _record_texts(in_month, end, chunk_size),
                stats,
            )
        month = _next(month)
    return stats


def _release_texts(in_month, chunk_size: int) -> Iterator[str]:
    """The month's releases in publication time, as the JSON text the database holds."""
    rows = (
        in_month.order_by("date", "pk")
        .annotate(text=Cast("data", output_field=TextField()))
        .values_list("text", flat=True)
    )
    yield from rows.iterator(chunk_size=chunk_size)


def _record_texts(in_month, end: datetime, chunk_size: int) -> Iterator[str]:
    """The record of each process with a release in the month, from its releases until the month's
    end; the rows come grouped by ocid, so one process's releases are in memory at a time."""
    rows = (
        Release.objects.filter(ocid__in=in_month.values("ocid"), date__lt=end)
        .order_by("ocid", "pk")
        .values_list("ocid", "data")
        .iterator(chunk_size=chunk_size)
    )
    for ocid, group in groupby(rows, key=itemgetter(0)):
        record = compile_record(ocid, [data for _ocid, data in group], versioned=False)
        yield json.dumps(record, ensure_ascii=False, separators=(",", ":"))


def _write_package(path: Path, header: dict[str, Any], key: str, texts: Iterator[str], stats: ExportStats) -> int:
    """Write ``header`` with ``key`` holding ``texts`` (JSON values) as they come; returns how many."""
    temporary = path.with_name(f".{path.name}.part")
    count = 0
    with temporary.open("w", encoding="utf-8") as out:
        opening = json.dumps(header, ensure_ascii=False, separators=(",", ":"))
        out.write(f'{opening[:-1]},"{key}":[')
        for text in texts:
            if count:
                out.write(",")
            out.write(text)
            count += 1
        out.write("]}\n")
    os.replace(temporary, path)
    stats.files.append(path)
    stats.bytes += path.stat().st_size
    return count
