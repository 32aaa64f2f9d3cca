"""Charts of the factoring pages, drawn on the server as inline SVG: no JavaScript, no library.

Pure functions: they take the points as ``(label, Decimal)`` pairs and return a safe SVG string in
which every label and title is escaped (``format_html``). Each chart names itself for assistive
technology (``role="img"`` labelled by its ``<title>`` and ``<desc>``); the pages also show the same
figures as a table (``data_table``), which is what a screen reader or a text browser reads.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

Point = tuple[str, Decimal]

WIDTH = 640
HEIGHT = 260
LEFT = 64  # room for the value axis labels
RIGHT = 12
TOP = 16
BOTTOM = 56  # room for the category labels
GRID_LINES = 4


def _number(value: float) -> str:
    """A coordinate with one decimal, without a trailing ``.0``."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _amount(value: Decimal, places: int) -> str:
    return f"{value:,.{places}f}"


def _scale_top(points: Sequence[Point]) -> Decimal:
    top = max((value for _label, value in points), default=Decimal(0))
    return top if top > 0 else Decimal(1)


def _frame(
    *, chart_id: str, title: str, desc: str, body: SafeString, points: Sequence[Point], places: int, unit: str
) -> SafeString:
    plot_height = HEIGHT - TOP - BOTTOM
    top = _scale_top(points)
    grid = []
    for step in range(GRID_LINES + 1):
        value = top * step / GRID_LINES
        y = TOP + plot_height - plot_height * step / GRID_LINES
        grid.append(
            format_html(
                '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#d0d7de" stroke-width="1"/>'
                '<text x="{}" y="{}" text-anchor="end" font-size="11" fill="#444">{}{}</text>',
                LEFT,
                _number(y),
                WIDTH - RIGHT,
                _number(y),
                LEFT - 6,
                _number(y + 4),
                _amount(value, places),
                unit,
            )
        )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {w} {h}" width="{w}" height="{h}" '
        'role="img" aria-labelledby="{id}-title {id}-desc" preserveAspectRatio="xMinYMin meet" '
        'style="max-width:100%;height:auto">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>'
        '<g aria-hidden="true">{grid}</g>{body}</svg>',
        w=WIDTH,
        h=HEIGHT,
        id=chart_id,
        title=title,
        desc=desc,
        grid=mark_safe("".join(grid)),
        body=body,
    )


def _slots(count: int) -> tuple[float, list[float]]:
    """The width of each category's slot and the x of its centre."""
    plot_width = WIDTH - LEFT - RIGHT
    slot = plot_width / max(count, 1)
    return slot, [LEFT + slot * index + slot / 2 for index in range(count)]


def _labels(points: Sequence[Point]) -> SafeString:
    _slot, centres = _slots(len(points))
    # Every label when they fit; otherwise every n-th, so that the axis stays readable on a phone.
    every = max(1, -(-len(points) // 12))
    baseline = HEIGHT - BOTTOM + 16
    return format_html_join(
        "",
        '<text x="{}" y="{}" text-anchor="middle" font-size="11" fill="#444">{}</text>',
        (
            (_number(x), baseline + (14 if index % 2 and every == 1 and len(points) > 8 else 0), label)
            for index, ((label, _value), x) in enumerate(zip(points, centres, strict=True))
            if index % every == 0
        ),
    )


def _empty(*, chart_id: str, title: str, desc: str, message: str) -> SafeString:
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {w} {h}" width="{w}" height="{h}" '
        'role="img" aria-labelledby="{id}-title {id}-desc" style="max-width:100%;height:auto">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>'
        '<text x="{x}" y="{y}" text-anchor="middle" font-size="14" fill="#444">{message}</text></svg>',
        w=WIDTH,
        h=HEIGHT // 2,
        id=chart_id,
        title=title,
        desc=desc,
        x=WIDTH // 2,
        y=HEIGHT // 4,
        message=message,
    )


def bar_chart(
    points: Sequence[Point],
    *,
    chart_id: str,
    title: str,
    desc: str,
    empty: str = "No data yet.",
    places: int = 0,
    unit: str = "",
) -> SafeString:
    """Vertical bars, one per ``(label, value)``, on a value axis starting at zero."""
    if not points:
        return _empty(chart_id=chart_id, title=title, desc=desc, message=empty)
    top = _scale_top(points)
    plot_height = HEIGHT - TOP - BOTTOM
    slot, centres = _slots(len(points))
    bar_width = max(2.0, slot * 0.7)
    bars = format_html_join(
        "",
        '<rect x="{}" y="{}" width="{}" height="{}" fill="#1f5f99"><title>{}: {}{}</title></rect>',
        (
            (
                _number(x - bar_width / 2),
                _number(TOP + plot_height - height),
                _number(bar_width),
                _number(height),
                label,
                _amount(value, places),
                unit,
            )
            for (label, value), x in zip(points, centres, strict=True)
            for height in [float(max(value, Decimal(0)) / top) * plot_height]
        ),
    )
    body = format_html('<g>{}</g><g aria-hidden="true">{}</g>', bars, _labels(points))
    return _frame(chart_id=chart_id, title=title, desc=desc, body=body, points=points, places=places, unit=unit)


def line_chart(
    points: Sequence[Point],
    *,
    chart_id: str,
    title: str,
    desc: str,
    empty: str = "No data yet.",
    places: int = 2,
    unit: str = "%",
) -> SafeString:
    """A line through ``(label, value)`` with a marker on each point, on a value axis starting at zero."""
    if not points:
        return _empty(chart_id=chart_id, title=title, desc=desc, message=empty)
    top = _scale_top(points)
    plot_height = HEIGHT - TOP - BOTTOM
    _slot, centres = _slots(len(points))
    coordinates = [
        (x, TOP + plot_height - float(max(value, Decimal(0)) / top) * plot_height)
        for (_label, value), x in zip(points, centres, strict=True)
    ]
    path = " ".join(f"{_number(x)},{_number(y)}" for x, y in coordinates)
    markers = format_html_join(
        "",
        '<circle cx="{}" cy="{}" r="4" fill="#b3541e"><title>{}: {}{}</title></circle>',
        (
            (_number(x), _number(y), label, _amount(value, places), unit)
            for (label, value), (x, y) in zip(points, coordinates, strict=True)
        ),
    )
    body = format_html(
        '<polyline points="{}" fill="none" stroke="#b3541e" stroke-width="2"/><g>{}</g><g aria-hidden="true">{}</g>',
        path,
        markers,
        _labels(points),
    )
    return _frame(chart_id=chart_id, title=title, desc=desc, body=body, points=points, places=places, unit=unit)


def data_table(
    points: Sequence[Point], *, caption: str, label_header: str, value_header: str, places: int = 2
) -> SafeString:
    """The chart's figures as an accessible table (the chart's text alternative)."""
    rows = format_html_join(
        "",
        '<tr><th scope="row">{}</th><td class="num">{}</td></tr>',
        ((label, _amount(value, places)) for label, value in points),
    )
    return format_html(
        '<table><caption>{}</caption><thead><tr><th scope="col">{}</th><th scope="col">{}</th></tr></thead>'
        "<tbody>{}</tbody></table>",
        caption,
        label_header,
        value_header,
        rows,
    )
