"""Server-side charts and number formats for the quota dashboards: inline SVG, no JavaScript.

The chart is drawn from a ``QuotaSummary``; every bar carries its figure as text, so colour is never
the only carrier of meaning, and the page shows the same figures in a table below it.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.dates import MONTHS, MONTHS_3
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from portal.core.money import format_money  # noqa: F401 - re-exported for the quota pages
from smeregistry.services.quotas import QuotaSummary

# Geometry of the month chart, in SVG user units (the SVG scales to its container).
WIDTH, HEIGHT = 640, 280
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 24, 40
PLOT_W, PLOT_H = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
SLOT = PLOT_W / 12
BAR_W = 30
BAR_FILL = "#0b4f8a"
TARGET_STROKE = "#a3231a"


def format_percent(value: Decimal | None) -> str:
    """``40.00 %``; an em dash when there is nothing to divide by."""
    return "—" if value is None else f"{Decimal(value):,.2f} %"


def month_name(number: int) -> str:
    return capfirst(str(MONTHS[number]))


def _y(percent: Decimal) -> float:
    return TOP + PLOT_H * (1 - float(percent) / 100)


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def month_share_chart(*, summary: QuotaSummary, subject: str, chart_id: str = "quota-chart") -> SafeString:
    """Bars for the MYPE share by awarded value in each month with awards, and a dashed line at the
    target. Accessible: ``role="img"`` with a ``<title>`` and a ``<desc>`` that lists every figure."""
    target = summary.target
    title = _("MYPE share by awarded value, month by month, %(year)s — %(subject)s") % {
        "year": summary.fiscal_year,
        "subject": subject,
    }
    described = [
        _("%(month)s: %(share)s") % {"month": month_name(m.month), "share": format_percent(m.share_by_value)}
        for m in summary.months
        if m.share_by_value is not None
    ]
    desc = _("Target: %(target)s of the awarded value.") % {"target": format_percent(target)}
    desc += " " + ("; ".join(described) + "." if described else _("No awards in this year."))

    parts = [
        format_html(
            '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="100%" class="chart" role="img" '
            'aria-labelledby="{id}-title {id}-desc" font-family="system-ui, sans-serif" font-size="12">',
            w=WIDTH,
            h=HEIGHT,
            id=chart_id,
        ),
        format_html('<title id="{}-title">{}</title>', chart_id, title),
        format_html('<desc id="{}-desc">{}</desc>', chart_id, desc),
    ]
    # Horizontal grid with its labels every 25 %.
    for tick in (0, 25, 50, 75, 100):
        y = _num(_y(Decimal(tick)))
        parts.append(
            format_html(
                '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#c4ccd4" stroke-width="1"/>'
                '<text x="{}" y="{}" text-anchor="end" dominant-baseline="middle" fill="#4a4a4a">{} %</text>',
                LEFT,
                WIDTH - RIGHT,
                y,
                y,
                LEFT - 6,
                y,
                tick,
            )
        )
    for period in summary.months:
        centre = LEFT + SLOT * (period.month - 0.5)
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="middle" fill="#1b1b1b">{}</text>',
                _num(centre),
                HEIGHT - BOTTOM + 16,
                capfirst(str(MONTHS_3[period.month])),
            )
        )
        share = period.share_by_value
        if share is None:
            continue
        top = _y(share)
        parts.append(
            format_html(
                '<rect class="bar" data-month="{}" x="{}" y="{}" width="{}" height="{}" fill="{}">'
                "<title>{}: {}</title></rect>"
                '<text x="{}" y="{}" text-anchor="middle" fill="#1b1b1b">{}</text>',
                period.month,
                _num(centre - BAR_W / 2),
                _num(top),
                BAR_W,
                _num(TOP + PLOT_H - top),
                BAR_FILL,
                month_name(period.month),
                format_percent(share),
                _num(centre),
                _num(top - 4),
                format_percent(share),
            )
        )
    target_y = _num(_y(target))
    parts.append(
        format_html(
            '<line class="target" x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}" stroke-width="2" '
            'stroke-dasharray="8 5"/><text x="{}" y="{}" text-anchor="end" fill="{}">{}</text>',
            LEFT,
            WIDTH - RIGHT,
            target_y,
            target_y,
            TARGET_STROKE,
            WIDTH - RIGHT,
            _num(_y(target) - 6),
            TARGET_STROKE,
            _("Target %(target)s") % {"target": format_percent(target)},
        )
    )
    parts.append(mark_safe("</svg>"))
    return mark_safe("".join(str(part) for part in parts))
