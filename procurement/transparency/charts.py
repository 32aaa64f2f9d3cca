"""Server-drawn SVG charts for the price history and the statistics: no JavaScript, small, accessible.

Each chart is ``role="img"`` with a ``<title>`` and a ``<desc>`` that states its figures, every mark
carries its own ``<title>`` (the browser's tooltip), and the page always shows the same figures in
a table beside it, so nothing is said by the drawing alone. Coordinates are rounded to a tenth of a
unit to keep the markup light for slow links.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from portal.core.money import CURRENCY_SYMBOLS, format_money
from procurement.timeline import LIMA
from procurement.transparency.prices import PriceHistory, PriceRow
from procurement.transparency.stats import Bucket

INK, GRID, BAND, MEDIAN, POINT = "#1b1b1b", "#c4ccd4", "#dbe7f3", "#a3231a", "#0b4f8a"
# Drawing every point beyond this many would make the page heavy and the chart unreadable; past it
# the chart keeps the band and the median, and the table (paginated) and the CSV list the points.
MAX_DRAWN_POINTS = 80


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def format_unit_price(value: Decimal, currency: str) -> str:
    """A unit price with the decimals it has, at least two: ``S/ 31.50``, ``S/ 0.0825``."""
    if value == value.quantize(Decimal("0.01")):
        return format_money(value, currency)
    return f"{CURRENCY_SYMBOLS.get(currency, currency)} {value.normalize():,f}"


def _open(width: int, height: int, chart_id: str, title: str, desc: str) -> list:
    return [
        format_html(
            '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" width="100%" class="chart" role="img" '
            'aria-labelledby="{}-t {}-d" font-family="system-ui, sans-serif" font-size="12">',
            width,
            height,
            chart_id,
            chart_id,
        ),
        format_html('<title id="{}-t">{}</title><desc id="{}-d">{}</desc>', chart_id, title, chart_id, desc),
    ]


def _ticks(top: Decimal) -> list[Decimal]:
    """Four or five round steps from zero to at least ``top``."""
    if top <= 0:
        return [Decimal(0), Decimal(1)]
    raw = top / 4
    magnitude = Decimal(10) ** (raw.adjusted())
    step = next(Decimal(m) * magnitude for m in ("1", "2", "2.5", "5", "10") if Decimal(m) * magnitude >= raw)
    return [step * n for n in range(int(top / step) + 2)]


# --- Price history ----------------------------------------------------------------------------------

P_WIDTH, P_HEIGHT = 720, 320
P_LEFT, P_RIGHT, P_TOP, P_BOTTOM = 72, 16, 16, 44


def price_chart(
    *, history: PriceHistory, url_for: Callable[[PriceRow], str], subject: str, chart_id: str = "price-chart"
) -> SafeString:
    """Each agreed price as a dot linking to its process (or contract); per period a band from the
    minimum to the maximum and a line through the medians. Time runs left to right over the periods
    that have points."""
    currency = history.currency or ""
    title = _("Agreed unit prices of %(product)s, in %(currency)s per %(unit)s") % {
        "product": subject,
        "currency": currency,
        "unit": history.unit,
    }
    desc = "; ".join(
        _("%(period)s: %(count)s prices, median %(median)s, from %(min)s to %(max)s")
        % {
            "period": p.label,
            "count": p.count,
            "median": format_unit_price(p.median, currency),
            "min": format_unit_price(p.minimum, currency),
            "max": format_unit_price(p.maximum, currency),
        }
        for p in history.periods
    )
    parts = _open(P_WIDTH, P_HEIGHT, chart_id, title, desc or _("No agreed prices."))
    if not history.periods:
        parts.append(mark_safe("</svg>"))
        return mark_safe("".join(map(str, parts)))
    ticks = _ticks(max(p.maximum for p in history.periods))
    top = ticks[-1]
    plot_w, plot_h = P_WIDTH - P_LEFT - P_RIGHT, P_HEIGHT - P_TOP - P_BOTTOM
    first, last = history.periods[0].start, history.periods[-1].end
    span = (last - first).days or 1

    def x_of(day: date | datetime) -> float:
        if isinstance(day, datetime):
            local = day.astimezone(LIMA)
            offset = (local.date() - first).days + (local.hour * 60 + local.minute) / 1440
        else:
            offset = (day - first).days
        return P_LEFT + plot_w * offset / span

    def y_of(value: Decimal) -> float:
        return P_TOP + plot_h * (1 - float(value / top))

    for tick in ticks:
        y = _num(y_of(tick))
        parts.append(
            format_html(
                '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}"/>'
                '<text x="{}" y="{}" text-anchor="end" dominant-baseline="middle">{}</text>',
                P_LEFT,
                P_WIDTH - P_RIGHT,
                y,
                y,
                GRID,
                P_LEFT - 6,
                y,
                f"{tick.normalize():f}",
            )
        )
    label_every = max(1, len(history.periods) // 8)  # at most about eight labels under the axis
    medians = []
    for index, p in enumerate(history.periods):
        x0, x1 = x_of(p.start), x_of(p.end)
        parts.append(
            format_html(
                '<rect class="band" x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}</title></rect>',
                _num(x0 + 1),
                _num(y_of(p.maximum)),
                _num(max(x1 - x0 - 2, 1)),
                _num(max(y_of(p.minimum) - y_of(p.maximum), 1)),
                BAND,
                _("%(period)s: from %(min)s to %(max)s")
                % {
                    "period": p.label,
                    "min": format_unit_price(p.minimum, currency),
                    "max": format_unit_price(p.maximum, currency),
                },
            )
        )
        medians.append(f"{_num((x0 + x1) / 2)},{_num(y_of(p.median))}")
        if index % label_every == 0:
            parts.append(
                format_html(
                    '<text x="{}" y="{}" text-anchor="middle">{}</text>', _num((x0 + x1) / 2), P_HEIGHT - 24, p.label
                )
            )
    parts.append(
        format_html(
            '<polyline class="median" points="{}" fill="none" stroke="{}" stroke-width="2"/>',
            " ".join(medians),
            MEDIAN,
        )
    )
    if len(history.points) <= MAX_DRAWN_POINTS:
        parts.append(
            format_html_join(
                "",
                '<a href="{}" aria-label="{}"><circle cx="{}" cy="{}" r="4" fill="{}"/></a>',
                (
                    (
                        url_for(point),
                        _("%(price)s, %(entity)s, %(code)s, %(day)s")
                        % {
                            "price": format_unit_price(point.unit_price, currency),
                            "entity": point.entity_name,
                            "code": point.tender_code,
                            "day": point.agreed_at.astimezone(LIMA).strftime("%d/%m/%Y"),
                        },
                        _num(x_of(point.agreed_at)),
                        _num(y_of(point.unit_price)),
                        POINT,
                    )
                    for point in history.points
                ),
            )
        )
    parts.append(
        format_html(
            '<text x="{}" y="{}" fill="{}">{}</text>',
            P_LEFT,
            P_HEIGHT - 6,
            MEDIAN,
            _("Line: median per period. Band: lowest to highest. Dots: each agreed price (a link)."),
        )
    )
    parts.append(mark_safe("</svg>"))
    return mark_safe("".join(map(str, parts)))


# --- Bars -------------------------------------------------------------------------------------------

B_WIDTH, B_ROW, B_LABEL, B_TOP = 640, 22, 200, 8


def bar_chart(*, buckets: Sequence[Bucket], currency: str, title: str, chart_id: str) -> SafeString:
    """Horizontal bars of the awarded amount per bucket, each labelled with its figure (long names
    fit on the left, and a bar's length is never the only carrier of its value)."""
    top = max((b.amount for b in buckets), default=Decimal(0)) or Decimal(1)
    height = B_TOP * 2 + B_ROW * max(len(buckets), 1)
    desc = "; ".join(f"{b.label}: {format_money(b.amount, currency)} ({b.count})" for b in buckets)
    parts = _open(B_WIDTH, height, chart_id, title, desc or _("No purchases."))
    room = B_WIDTH - B_LABEL - 120  # the figure is written after the bar
    for index, bucket in enumerate(buckets):
        y = B_TOP + B_ROW * index
        width = room * float(bucket.amount / top)
        label = bucket.label if len(bucket.label) <= 30 else bucket.label[:29] + "…"
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="end" dominant-baseline="middle">{}</text>'
                '<rect class="bar" x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}</title></rect>'
                '<text x="{}" y="{}" dominant-baseline="middle">{}</text>',
                B_LABEL - 6,
                _num(y + B_ROW / 2),
                label,
                B_LABEL,
                _num(y + 3),
                _num(max(width, 1)),
                B_ROW - 6,
                POINT,
                bucket.label,
                _num(B_LABEL + max(width, 1) + 4),
                _num(y + B_ROW / 2),
                format_money(bucket.amount, currency),
            )
        )
    parts.append(mark_safe("</svg>"))
    return mark_safe("".join(map(str, parts)))
