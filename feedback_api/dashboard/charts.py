"""Small inline SVG charts, drawn on the server (no JavaScript, no chart library, no CDN).

Withheld counts are never drawn at their true size: in a stacked bar the part
that is withheld is the published total minus the published parts (which is
public anyway), drawn hatched; a withheld total is a short hatched stub.
Right-to-left pages mirror the charts: bars grow from the right and time runs
from right to left.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from feedback_api.dashboard.periods import digits
from feedback_api.dashboard.schemas import Count, Table

PALETTE = (
    "#1f6f8b", "#e07a1f", "#3a9d5d", "#b8405e", "#7a5cc2", "#c9a227",
    "#4c8fd6", "#8c6d4f", "#d45d9b", "#5f7f2a", "#9a9a9a", "#2f4b7c",
)  # fmt: skip
HATCH = "url(#hatch)"
_DEFS = (
    '<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
    'patternTransform="rotate(45)"><rect width="6" height="6" fill="#eee"/>'
    '<line x1="0" y1="0" x2="0" y2="6" stroke="#999" stroke-width="2"/></pattern></defs>'
)


def color(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def _num(value: Count | float | None, lang: str) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return digits(f"{value:g}", lang)
    return digits(str(value), lang)


def _svg(width: int, height: int, body: list[str], title: str) -> Markup:
    # Every text that goes into `body` went through escape() (see _rect and _text).
    return Markup(  # noqa: S704
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'direction="ltr" aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(title)}</title>{_DEFS}{''.join(body)}</svg>"
    )


def _rect(x: float, y: float, w: float, h: float, fill: str, tip: str) -> str:
    return (
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(w, 0):.1f}" height="{max(h, 0):.1f}" '
        f'fill="{fill}"><title>{escape(tip)}</title></rect>'
    )


def _text(x: float, y: float, content: str, anchor: str = "middle", size: int = 12) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}">'
        f"{escape(content)}</text>"
    )


def stacked_columns(table: Table, title: str, lang: str, rtl: bool, max_rows: int = 8) -> Markup:
    """Counts per period (columns of the table), stacked by row, withheld parts hatched."""
    width, height, top, bottom, side = 760, 260, 16, 46, 40
    n = max(len(table.columns), 1)
    totals = table.column_totals or []
    known = [t for t in totals if isinstance(t, int)]
    peak = max(known, default=5) or 5
    scale = (height - top - bottom) / peak
    slot = (width - 2 * side) / n
    bar = max(slot * 0.7, 2)
    order = _largest_rows(table, max_rows)
    body: list[str] = []
    base = height - bottom
    body.append(f'<line x1="{side}" y1="{base}" x2="{width - side}" y2="{base}" stroke="#555"/>')
    for j in range(n):
        position = (n - 1 - j) if rtl else j
        x = side + position * slot + (slot - bar) / 2
        y = float(base)
        total = totals[j] if j < len(totals) else None
        drawn = 0
        for rank, i in enumerate(order):
            value = table.cells[i][j]
            if isinstance(value, int) and value > 0:
                h = value * scale
                y -= h
                tip = f"{table.row_labels[i]} · {table.column_labels[j]}: {_num(value, lang)}"
                body.append(_rect(x, y, bar, h, color(rank), tip))
                drawn += value
        others = sum(
            v
            for i, row in enumerate(table.cells)
            if i not in order
            for v in [row[j]]
            if isinstance(v, int)
        )
        if isinstance(total, int):
            rest = total - drawn
            if rest > 0:
                h = rest * scale
                y -= h
                fill = "#bbb" if others == rest else HATCH
                body.append(
                    _rect(x, y, bar, h, fill, f"{table.column_labels[j]}: {_num(rest, lang)}")
                )
            label = _num(total, lang)
        else:
            y -= 6
            body.append(_rect(x, y, bar, 6, HATCH, f"{table.column_labels[j]}: <5"))
            label = "<5"
        if n <= 16 or j % max(n // 12, 1) == 0:
            body.append(_text(x + bar / 2, y - 3, label, size=9))
            body.append(_text(x + bar / 2, base + 14, table.column_labels[j], size=9))
    return _svg(width, height, body, title)


def _largest_rows(table: Table, limit: int) -> list[int]:
    known = [v if isinstance(v, int) else 0 for v in (table.row_totals or [])]
    ranked = sorted(range(len(known)), key=lambda i: -known[i])
    return [i for i in ranked[:limit] if known[i] > 0]


def legend(table: Table, max_rows: int = 8) -> list[tuple[str, str]]:
    return [
        (color(rank), table.row_labels[i]) for rank, i in enumerate(_largest_rows(table, max_rows))
    ]


@dataclass(frozen=True)
class Bar:
    label: str
    value: Count | float | None
    note: str = ""


def hbars(
    bars: Sequence[Bar],
    title: str,
    lang: str,
    rtl: bool,
    *,
    scale_max: float | None = None,
    colour: str = "#1f6f8b",
    target: float | None = None,
    width: int = 600,
    label_w: int = 170,
) -> Markup:
    """Horizontal bars; withheld values are a hatched stub labelled "<5"."""
    row_h = 24
    height = row_h * len(bars) + 10
    known = [b.value for b in bars if isinstance(b.value, (int, float))]
    peak = scale_max or max(known, default=1) or 1
    area = width - label_w - 70
    body: list[str] = []
    for k, item in enumerate(bars):
        y = 5 + k * row_h
        value = item.value
        if isinstance(value, (int, float)):
            w = area * float(value) / peak
            fill = colour
            shown = _num(value, lang) + item.note
        else:
            w, fill, shown = 8.0, HATCH, (value if isinstance(value, str) else "–")
        if rtl:
            x_bar = width - label_w - w
            body.append(_text(width - 4, y + 15, item.label, anchor="end"))
            body.append(_text(x_bar - 4, y + 15, shown, anchor="end"))
        else:
            x_bar = float(label_w)
            body.append(_text(label_w - 6, y + 15, item.label, anchor="end"))
            body.append(_text(x_bar + w + 4, y + 15, shown, anchor="start"))
        body.append(_rect(x_bar, y + 3, w, row_h - 8, fill, f"{item.label}: {shown}"))
    if target is not None:
        tx = (width - label_w - area * target / peak) if rtl else (label_w + area * target / peak)
        body.append(
            f'<line x1="{tx:.1f}" y1="0" x2="{tx:.1f}" y2="{height}" stroke="#b8405e" '
            f'stroke-dasharray="4 3"/>'
        )
    return _svg(width, height, body, title)
