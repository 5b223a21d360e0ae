"""The console's daily upload trend, as server-rendered SVG: a bar per day, flagged part marked.

Why: the console runs no script (its CSP forbids it) and loads nothing from elsewhere, so its
charts are drawn on the server, like the consumer page's odometer chart. Each bar carries a
<title> (a tooltip and a text for screen readers); the page also lists the figures in a table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from html import escape

WIDTH, HEIGHT, PAD_LEFT, PAD, PAD_BOTTOM = 720, 260, 72, 24, 36


@dataclass(frozen=True)
class DayBar:
    day: date
    uploads: int
    flagged: int


def trend_svg(bars: list[DayBar], title: str, bar_label: str) -> str:
    """A bar chart of uploads per day; `bar_label` formats one bar's tooltip with {day},
    {uploads} and {flagged}."""
    if not bars:
        return ""
    top = max(max(b.uploads for b in bars), 1)
    plot_width, plot_height = WIDTH - PAD_LEFT - PAD, HEIGHT - PAD - PAD_BOTTOM
    step = plot_width / len(bars)
    width = max(step * 0.7, 1.0)

    def height(value: int) -> float:
        return plot_height * value / top

    shapes = []
    for index, bar in enumerate(bars):
        x = PAD_LEFT + index * step + (step - width) / 2
        label = bar_label.format(day=bar.day.isoformat(), uploads=bar.uploads, flagged=bar.flagged)
        shapes.append(
            f'<g class="day"><title>{escape(label)}</title>'
            f'<rect x="{x:.1f}" y="{PAD + plot_height - height(bar.uploads):.1f}" '
            f'width="{width:.1f}" height="{height(bar.uploads):.1f}" class="uploads"/>'
            f'<rect x="{x:.1f}" y="{PAD + plot_height - height(bar.flagged):.1f}" '
            f'width="{width:.1f}" height="{height(bar.flagged):.1f}" class="flagged"/></g>'
        )
    baseline = PAD + plot_height
    axis = (
        f'<line x1="{PAD_LEFT}" y1="{baseline}" x2="{WIDTH - PAD}" y2="{baseline}" '
        'class="axis-line"/>'
        f'<text x="{PAD_LEFT - 8}" y="{PAD + 6}" class="axis" text-anchor="end">{top}</text>'
        f'<text x="{PAD_LEFT - 8}" y="{baseline + 6}" class="axis" text-anchor="end">0</text>'
        f'<text x="{PAD_LEFT}" y="{HEIGHT - 8}" class="axis">'
        f"{escape(bars[0].day.isoformat())}</text>"
        f'<text x="{WIDTH - PAD}" y="{HEIGHT - 8}" class="axis" text-anchor="end">'
        f"{escape(bars[-1].day.isoformat())}</text>"
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(title)}" class="trend-chart"><title>{escape(title)}</title>'
        f"{axis}{''.join(shapes)}</svg>"
    )
