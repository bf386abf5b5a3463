#!/usr/bin/env python3
"""bench/scale_chart.py - draw bench/scale.sh's figures (its CSV) as an SVG chart: for each
backend and measure, the time (or size) at each state size, on log-log axes, with the line a
measure growing in proportion to the bookings would follow. Standard library only.

    python3 bench/scale_chart.py /tmp/scale-bench/scale.csv docs/scale.svg
"""
import csv
import math
import sys

MEASURES = [  # metric, label
    ("import_wall", "import (s)"),
    ("roster_state", "state roster on a day (s)"),
    ("doj_state", "DOJ letter, the state (s)"),
    ("size", "stores on disk (MiB)"),
]
COLORS = {"import_wall": "#1f77b4", "roster_state": "#2ca02c", "doj_state": "#d62728",
          "size": "#9467bd"}
BACKENDS = [("sqlite", "SQLite", ""), ("postgresql", "PostgreSQL", "6,4")]


def main():
    src, out = sys.argv[1], sys.argv[2]
    data = {}
    with open(src, newline="") as f:
        for row in csv.DictReader(f):
            try:
                data[(row["backend"], row["metric"], int(row["total"]))] = float(row["value"])
            except ValueError:
                pass
    totals = sorted({k[2] for k in data})
    vals = [v for v in data.values() if v > 0]
    if len(totals) < 2 or not vals:
        sys.exit("scale_chart: need figures at two sizes at least")
    W, H, L, R, T, B = 860, 460, 70, 290, 40, 50
    xmin, xmax = math.log10(totals[0]) - 0.1, math.log10(totals[-1]) + 0.1
    ys = [data[k] for k in data if k[1] in dict(MEASURES) and data[k] > 0]
    ymin, ymax = math.floor(math.log10(min(ys))), math.ceil(math.log10(max(ys)))

    def px(x):
        return L + (math.log10(x) - xmin) / (xmax - xmin) * (W - L - R)

    def py(y):
        return H - B - (math.log10(y) - ymin) / (ymax - ymin) * (H - T - B)

    s = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" '
         f'font-family="sans-serif" font-size="12">',
         f'<rect width="{W}" height="{H}" fill="white"/>',
         f'<text x="{L}" y="22" font-size="14">custodian at state scale: how each measure grows '
         f'with the bookings (log-log)</text>']
    for e in range(ymin, ymax + 1):
        y = py(10 ** e)
        s.append(f'<line x1="{L}" y1="{y:.1f}" x2="{W - R}" y2="{y:.1f}" stroke="#ddd"/>')
        s.append(f'<text x="{L - 6}" y="{y + 4:.1f}" text-anchor="end">{10 ** e:g}</text>')
    for t in totals:
        x = px(t)
        s.append(f'<line x1="{x:.1f}" y1="{T}" x2="{x:.1f}" y2="{H - B}" stroke="#ddd"/>')
        s.append(f'<text x="{x:.1f}" y="{H - B + 16}" text-anchor="middle">{t:,}</text>')
    s.append(f'<text x="{(L + W - R) / 2}" y="{H - 12}" text-anchor="middle">bookings in the '
             f'state</text>')
    ly = T + 10
    for m, label in MEASURES:
        for b, bname, dash in BACKENDS:
            pts = [(t, data[(b, m, t)]) for t in totals if data.get((b, m, t), 0) > 0]
            if len(pts) < 2:
                continue
            d = " ".join(f"{px(t):.1f},{py(v):.1f}" for t, v in pts)
            da = f' stroke-dasharray="{dash}"' if dash else ""
            s.append(f'<polyline points="{d}" fill="none" stroke="{COLORS[m]}" '
                     f'stroke-width="2"{da}/>')
            for t, v in pts:
                s.append(f'<circle cx="{px(t):.1f}" cy="{py(v):.1f}" r="3" fill="{COLORS[m]}"/>')
            # what proportional growth from the first point would give
            t0, v0 = pts[0]
            t1 = pts[-1][0]
            s.append(f'<line x1="{px(t0):.1f}" y1="{py(v0):.1f}" x2="{px(t1):.1f}" '
                     f'y2="{py(v0 * t1 / t0):.1f}" stroke="{COLORS[m]}" stroke-opacity="0.25" '
                     f'stroke-width="1"/>')
            s.append(f'<line x1="{W - R + 12}" y1="{ly}" x2="{W - R + 40}" y2="{ly}" '
                     f'stroke="{COLORS[m]}" stroke-width="2"{da}/>')
            s.append(f'<text x="{W - R + 46}" y="{ly + 4}">{label}, {bname}</text>')
            ly += 18
    s.append(f'<text x="{W - R + 12}" y="{ly + 10}" fill="#777">faint: growth in proportion'
             f'</text>')
    s.append(f'<text x="{W - R + 12}" y="{ly + 24}" fill="#777">to the bookings</text>')
    s.append("</svg>")
    with open(out, "w") as f:
        f.write("\n".join(s) + "\n")


if __name__ == "__main__":
    main()
