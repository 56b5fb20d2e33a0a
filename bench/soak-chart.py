#!/usr/bin/env python3
"""Draws the soak test's samples as a small SVG: the server's resident memory and open descriptors over time.

Usage: bench/soak-chart.py SAMPLES.csv OUT.svg [--title TEXT]

SAMPLES.csv is what the soak test writes when PULSEBOARD_SOAK_OUT is set (columns seconds, rss_mb, fds, threads,
events, post_p50_ms, post_p99_ms). Standard library only, so it runs wherever Python 3.11 does.
"""

import argparse
import csv
import math
from xml.sax.saxutils import escape

WIDTH, PANEL_HEIGHT = 760, 170
LEFT, RIGHT, TOP, GAP, BOTTOM = 64, 20, 40, 44, 44


def text(x, y, content, anchor="start", size=12, bold=False, rotate=False):
    """A label; rotated ones turn a quarter to the left about their own anchor point."""
    place = f"transform='translate({x:.1f} {y:.1f}) rotate(-90)'" if rotate else f"x='{x:.1f}' y='{y:.1f}'"
    weight = " font-weight='bold'" if bold else ""
    return (f"<text {place} font-family='system-ui, sans-serif' font-size='{size}'{weight} fill='#333' "
            f"text-anchor='{anchor}'>{escape(content)}</text>")


def nice_step(span, ticks=5):
    """A round step (1, 2 or 5 times a power of ten) that cuts span into about `ticks` parts."""
    if span <= 0:
        return 1
    raw = span / ticks
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def read(path):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows:
        raise SystemExit(f"{path}: no samples")
    return [{k: float(v) for k, v in row.items()} for row in rows]


def panel(top, xs, ys, x_max, label, colour, unit):
    """One chart: a y axis from 0 with round ticks, light grid lines, the series as a polyline."""
    y_max = max(ys) * 1.1 or 1
    step = nice_step(y_max)
    y_max = math.ceil(y_max / step) * step
    plot_w, plot_h = WIDTH - LEFT - RIGHT, PANEL_HEIGHT

    def x_of(x):
        return LEFT + plot_w * x / x_max

    def y_of(y):
        return top + plot_h - plot_h * y / y_max

    out = [text(LEFT, top - 8, label, bold=True)]
    tick = 0.0
    while tick <= y_max + step / 2:
        y = y_of(tick)
        out.append(f"<line x1='{LEFT}' y1='{y:.1f}' x2='{WIDTH - RIGHT}' y2='{y:.1f}' stroke='#e5e5e5'/>")
        out.append(text(LEFT - 6, y + 4, f"{tick:g}", anchor="end"))
        tick += step
    out.append(text(16, top + plot_h / 2, unit, anchor="middle", rotate=True))
    out.append(f"<rect x='{LEFT}' y='{top}' width='{plot_w}' height='{plot_h}' fill='none' stroke='#999'/>")
    points = " ".join(f"{x_of(x):.1f},{y_of(y):.1f}" for x, y in zip(xs, ys))
    out.append(f"<polyline points='{points}' fill='none' stroke='{colour}' stroke-width='1.5'/>")
    return out


def x_axis(top, x_max, in_minutes):
    """Time ticks under the lower panel, in seconds or minutes."""
    scale = 60 if in_minutes else 1
    step = nice_step(x_max / scale, 8) * scale
    out, tick = [], 0.0
    while tick <= x_max + step / 2:
        x = LEFT + (WIDTH - LEFT - RIGHT) * tick / x_max
        out.append(f"<line x1='{x:.1f}' y1='{top}' x2='{x:.1f}' y2='{top + 5}' stroke='#999'/>")
        out.append(text(x, top + 18, f"{tick / scale:g}", anchor="middle"))
        tick += step
    unit = "minutes" if in_minutes else "seconds"
    out.append(text(LEFT + (WIDTH - LEFT - RIGHT) / 2, top + 36, f"time since the load started ({unit})", anchor="middle"))
    return out


def chart(rows, title):
    xs = [r["seconds"] for r in rows]
    x_max = max(xs) or 1
    series = [("rss_mb", "Resident memory (VmRSS)", "#1f77b4", "MB")]
    if "gc_heap_mb" in rows[0]:
        series.append(("gc_heap_mb", "Managed heap after the last collection (/metrics)", "#2ca02c", "MB"))
    series.append(("fds", "Open file descriptors", "#d62728", "descriptors"))
    tops = [TOP + 40 + i * (PANEL_HEIGHT + GAP) for i in range(len(series))]
    height = tops[-1] + PANEL_HEIGHT + BOTTOM
    events = int(rows[-1]["events"])
    parts = [
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{WIDTH}' height='{height}' viewBox='0 0 {WIDTH} {height}'>",
        f"<rect width='{WIDTH}' height='{height}' fill='white'/>",
        text(LEFT, 22, title, size=14, bold=True),
        text(LEFT, 40, f"{events:,} events acknowledged; sampled every second from /proc and /metrics"),
    ]
    for top, (column, label, colour, unit) in zip(tops, series):
        parts += panel(top, xs, [r[column] for r in rows], x_max, label, colour, unit)
    parts += x_axis(tops[-1] + PANEL_HEIGHT, x_max, in_minutes=x_max >= 180)
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def main():
    parser = argparse.ArgumentParser(description="Draw the soak test's samples (CSV) as an SVG chart.")
    parser.add_argument("samples", help="the CSV the soak test wrote (PULSEBOARD_SOAK_OUT)")
    parser.add_argument("out", help="the SVG to write")
    parser.add_argument("--title", default="Pulseboard server under a steady load", help="the chart's title")
    args = parser.parse_args()
    with open(args.out, "w") as f:
        f.write(chart(read(args.samples), args.title))


if __name__ == "__main__":
    main()
