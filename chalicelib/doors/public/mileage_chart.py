"""The odometer chart of a vehicle, as server-rendered SVG with rollbacks marked.

Why: no build step, no script, no CDN: the page must work on any phone and print. Points are
placed by date (x) and mileage (y); a reading lower than an earlier one is drawn in red.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from html import escape

WIDTH, HEIGHT, PAD = 640, 240, 44


@dataclass(frozen=True)
class Reading:
    day: date
    mileage: int
    rollback: bool


def mileage_svg(readings: list[Reading], title: str) -> str:
    if not readings:
        return ""
    days = [r.day.toordinal() for r in readings]
    low_day, high_day = min(days), max(days)
    top = max(r.mileage for r in readings) or 1

    def x(day: int) -> float:
        span = high_day - low_day
        return PAD + (WIDTH - 2 * PAD) * ((day - low_day) / span if span else 0.5)

    def y(mileage: int) -> float:
        return HEIGHT - PAD - (HEIGHT - 2 * PAD) * mileage / top

    points = " ".join(f"{x(d):.1f},{y(r.mileage):.1f}" for d, r in zip(days, readings, strict=True))
    dots = "".join(
        f'<circle cx="{x(d):.1f}" cy="{y(r.mileage):.1f}" r="{6 if r.rollback else 4}" '
        f'class="{"rollback" if r.rollback else "reading"}">'
        f"<title>{escape(r.day.isoformat())}: {r.mileage} km</title></circle>"
        for d, r in zip(days, readings, strict=True)
    )
    labels = (
        f'<text x="{PAD}" y="{HEIGHT - 12}" class="axis">'
        f"{escape(readings[0].day.isoformat())}</text>"
        f'<text x="{WIDTH - PAD}" y="{HEIGHT - 12}" class="axis" text-anchor="end">'
        f"{escape(readings[-1].day.isoformat())}</text>"
        f'<text x="{PAD - 6}" y="{y(top) + 4:.1f}" class="axis" text-anchor="end">{top}</text>'
        f'<text x="{PAD - 6}" y="{y(0) + 4:.1f}" class="axis" text-anchor="end">0</text>'
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(title)}" class="mileage-chart"><title>{escape(title)}</title>'
        f'<line x1="{PAD}" y1="{HEIGHT - PAD}" x2="{WIDTH - PAD}" y2="{HEIGHT - PAD}" '
        'class="axis-line"/>'
        f'<polyline points="{points}" class="trend" fill="none"/>{dots}{labels}</svg>'
    )
