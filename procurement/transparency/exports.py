"""CSV and XLSX downloads of the public search's results (processes and contracts).

Both stream: the rows come from a database iterator in chunks, the CSV leaves as it is written
(``StreamingHttpResponse``) and the workbook is written row by row with XlsxWriter's
``constant_memory`` into a temporary file that is then sent, so neither the server's memory nor the
response time grows with the whole result. At most ``EXPORT_LIMIT`` rows are written (the page says
so): past that, a citizen wants the open data (OCDS bulk files), not a spreadsheet.

Amounts are numbers (a dot for decimals in CSV, numeric cells in XLSX); dates are Lima time. Text
typed by people is made inert for spreadsheets (a leading =, +, - or @ gets a quote).
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import xlsxwriter
from django.http import FileResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from procurement.enums import ContractStatus
from procurement.timeline import LIMA
from procurement.transparency.search import (
    CONTRACT_SORTS,
    PROCESS_COLUMNS,
    PROCESS_SORTS,
    ContractCriteria,
    SearchCriteria,
    contract_queryset,
    facet_labels,
    process_queryset,
)

EXPORT_LIMIT = 50_000
CHUNK = 2_000
TEXT, MONEY, MOMENT = "text", "money", "moment"


@dataclass(frozen=True)
class Table:
    """Headers with the kind of each column, and the rows (an iterator: read once)."""

    headers: list[str]
    kinds: list[str]
    rows: Iterable[list[Any]]


def _inert(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in {"=", "+", "-", "@", "\t", "\r"}:
        return "'" + value
    return value


def _lima(moment: datetime | None) -> datetime | None:
    """The Lima wall-clock time of an instant, without zone (spreadsheets have none)."""
    return moment.astimezone(LIMA).replace(tzinfo=None) if moment is not None else None


def process_table(criteria: SearchCriteria, *, sort: str, absolute: Callable[[str], str]) -> Table:
    """The processes matching ``criteria`` in the order of the page, as rows to export."""
    labels = facet_labels()
    rows = (
        process_queryset(criteria)
        .order_by(*PROCESS_SORTS.get(sort, PROCESS_SORTS["newest"]))
        .values_list(*PROCESS_COLUMNS)[:EXPORT_LIMIT]
    )

    def lines() -> Iterator[list[Any]]:
        for row in rows.iterator(chunk_size=CHUNK):
            values = dict(zip(PROCESS_COLUMNS, row, strict=True))  # the search page's columns
            yield [
                values["code"],
                values["title"],
                values["entity_name"],
                values["entity_ruc"],
                labels["sector"].get(values["sector"], values["sector"]),
                labels["region"].get(values["region_code"], values["region_code"]),
                labels["procedure_type"].get(str(values["procedure_type_id"]), ""),
                labels["object"].get(values["object"], values["object"]),
                labels["status"].get(values["status"], values["status"]),
                values["currency"],
                values["reference_value"],
                values["awarded_amount"],
                _lima(values["published_at"]),
                _lima(values["awarded_at"]),
                absolute(reverse("tender-detail", args=[values["tender_id"]])),
            ]

    headers = [
        _("Code"),
        _("Title"),
        _("Contracting entity"),
        _("Entity's RUC"),
        _("Sector"),
        _("Region"),
        _("Procedure"),
        _("Object"),
        _("Status"),
        _("Currency"),
        _("Reference value"),
        _("Awarded amount"),
        _("Published (Lima)"),
        _("Awarded (Lima)"),
        _("Link"),
    ]
    kinds = [TEXT] * 10 + [MONEY, MONEY, MOMENT, MOMENT, TEXT]
    return Table(headers=headers, kinds=kinds, rows=lines())


def contract_table(criteria: ContractCriteria, *, sort: str, absolute: Callable[[str], str]) -> Table:
    """The contracts matching ``criteria`` in the order of the page, as rows to export."""
    regions = facet_labels()["region"]
    statuses = {value: str(label) for value, label in ContractStatus.choices}
    columns = (
        "pk",
        "number",
        "tender__public__code",
        "tender__public__title",
        "tender__public__entity_name",
        "tender__public__region_code",
        "supplier__name",
        "supplier__tax_id",
        "status",
        "currency",
        "amount",
        "signed_at",
        "completed_at",
        "rating",
    )
    rows = (
        contract_queryset(criteria)
        .order_by(*CONTRACT_SORTS.get(sort, CONTRACT_SORTS["newest"]))
        .values_list(*columns)[:EXPORT_LIMIT]
    )

    def lines() -> Iterator[list[Any]]:
        for row in rows.iterator(chunk_size=CHUNK):
            values = dict(zip(columns, row, strict=True))
            yield [
                values["number"],
                values["tender__public__code"],
                values["tender__public__title"],
                values["tender__public__entity_name"],
                regions.get(values["tender__public__region_code"], values["tender__public__region_code"]),
                values["supplier__name"],
                values["supplier__tax_id"],
                statuses.get(values["status"], values["status"]),
                values["currency"],
                values["amount"],
                _lima(values["signed_at"]),
                _lima(values["completed_at"]),
                values["rating"] if values["status"] == ContractStatus.COMPLETED else None,
                absolute(reverse("transparency-contract", args=[values["pk"]])),
            ]

    headers = [
        _("Contract"),
        _("Process"),
        _("Title"),
        _("Contracting entity"),
        _("Region"),
        _("Supplier"),
        _("Supplier's RUC"),
        _("Status"),
        _("Currency"),
        _("Amount"),
        _("Signed (Lima)"),
        _("Completed (Lima)"),
        _("Performance rating"),
        _("Link"),
    ]
    kinds = [TEXT] * 9 + [MONEY, MOMENT, MOMENT, TEXT, TEXT]
    return Table(headers=headers, kinds=kinds, rows=lines())


class _Echo:
    """csv.writer's file: hands each written line back instead of keeping it."""

    def write(self, value: str) -> str:
        return value


def _csv_cell(value: Any, kind: str) -> Any:
    if value is None:
        return ""
    if kind == MOMENT:
        return value.strftime("%Y-%m-%d %H:%M")
    if kind == MONEY:
        return format(value, "f")
    return _inert(value)


def csv_response(table: Table, *, filename: str) -> StreamingHttpResponse:
    """The table as a streamed UTF-8 CSV (with a byte-order mark, so spreadsheets read the accents)."""
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield "\ufeff" + writer.writerow(table.headers)
        for row in table.rows:
            yield writer.writerow([_csv_cell(value, kind) for value, kind in zip(row, table.kinds, strict=True)])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def xlsx_response(table: Table, *, filename: str) -> FileResponse:
    """The table as a workbook written row by row (``constant_memory``) to a temporary file, which
    is removed when the response has been sent (the file object is closed then)."""
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - FileResponse closes it
    workbook = xlsxwriter.Workbook(handle, {"constant_memory": True, "strings_to_formulas": False})
    sheet = workbook.add_worksheet(filename[:31])
    bold = workbook.add_format({"bold": True})
    money = workbook.add_format({"num_format": "#,##0.00"})
    moment = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    sheet.write_row(0, 0, table.headers, bold)
    for number, row in enumerate(table.rows, start=1):
        for column, (value, kind) in enumerate(zip(row, table.kinds, strict=True)):
            if value is None:
                continue
            if kind == MONEY:
                sheet.write_number(number, column, float(Decimal(value)), money)
            elif kind == MOMENT:
                sheet.write_datetime(number, column, value, moment)
            elif isinstance(value, int):
                sheet.write_number(number, column, value)
            else:
                sheet.write_string(number, column, str(value))
    workbook.close()
    handle.seek(0)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"{filename}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
