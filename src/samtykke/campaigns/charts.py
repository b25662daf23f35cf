"""Server-side SVG charts for the dashboard: numbers in, coordinates out (no JavaScript)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Bar:
    """SVG numbers as strings: a template would localize a float ("12,5") and break the SVG."""

    label: str
    value: int
    y: int
    width: str
    text_x: str
    percent: int


def funnel(steps: list[tuple[str, int]], *, width: int = 420, row: int = 30) -> list[Bar]:
    top = max((v for _, v in steps), default=0) or 1
    bars = []
    for i, (label, value) in enumerate(steps):
        w = round(width * value / top, 1)
        bars.append(Bar(label, value, i * row, f"{w}", f"{w + 105}", round(100 * value / top)))
    return bars


@dataclass(frozen=True)
class Line:
    key: str
    points: str  # "x,y x,y …" for <polyline>
    total: int


@dataclass(frozen=True)
class Timeline:
    lines: list[Line]
    width: int
    height: int
    first: dt.datetime | None
    last: dt.datetime | None
    top: int


def timeline(
    rows: list[tuple[dt.datetime, int, int, int]], *, width: int = 560, height: int = 160
) -> Timeline:
    """Cumulative sent, opened and answered per hour."""
    keys = ("sent", "opened", "answered")
    totals = [0, 0, 0]
    # Each line starts from zero at the campaign's first hour, then one point per hour's end.
    series: list[list[tuple[int, int]]] = [[(0, 0)], [(0, 0)], [(0, 0)]]
    for index, (_, *values) in enumerate(rows, start=1):
        for k in range(3):
            totals[k] += values[k]
            series[k].append((index, totals[k]))
    top = max(totals) or 1
    span = max(len(rows), 1)
    lines = [
        Line(
            keys[k],
            " ".join(
                f"{round(width * i / span, 1)},{round(height - height * v / top, 1)}"
                for i, v in series[k]
            ),
            totals[k],
        )
        for k in range(3)
    ]
    return Timeline(
        lines, width, height, rows[0][0] if rows else None, rows[-1][0] if rows else None, top
    )
