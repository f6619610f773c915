"""Charts drawn on the server as SVG: no script, no CDN, the same in print.

Every bar carries a ``<title>`` (the browser's tooltip) with its numbers, and every
page that shows a chart shows its numbers in a table too.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# Distinguishable in light and dark themes, and in greyscale print by their order.
PALETTE = ("#1565c0", "#2e7d32", "#ef6c00", "#6a1b9a", "#c62828", "#00838f", "#827717", "#4e342e", "#ad1457",
           "#37474f", "#5d4037", "#283593")  # fmt: skip


def stacked_bars(
    labels: Sequence[str], series: Sequence[tuple[str, Sequence[int]]], *, title: str, height: int = 200
) -> SafeString:
    """One bar per label, stacked by series ``(name, values per label)``, with a legend."""
    width, left, bottom, top = max(320, 48 * len(labels) + 60), 36, 36, 10
    legend_rows = (len(series) + 3) // 4
    totals = [sum(values[i] for _, values in series) for i in range(len(labels))]
    peak = max(totals, default=0) or 1
    plot_h = height - bottom - top
    step = (width - left - 10) / max(1, len(labels))
    bar_w = max(6.0, step * 0.6)
    parts = [
        f'<svg class="ws-chart" viewBox="0 0 {width} {height + 18 * legend_rows}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 10}" y2="{top + plot_h}" stroke="currentColor" '
        'stroke-opacity="0.3"/>',
        f'<text x="{left - 4}" y="{top + 8}" text-anchor="end">{peak}</text>',
        f'<text x="{left - 4}" y="{top + plot_h}" text-anchor="end">0</text>',
    ]
    for i, label in enumerate(labels):
        x = left + i * step + (step - bar_w) / 2
        y = top + plot_h
        for k, (name, values) in enumerate(series):
            value = values[i]
            if not value:
                continue
            h = plot_h * value / peak
            y -= h
            colour = PALETTE[k % len(PALETTE)]
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" fill="{colour}">'
                f"<title>{escape(label)}: {escape(name)} {value}</title></rect>"
            )
        parts.append(
            f'<text x="{x + bar_w / 2:.1f}" y="{top + plot_h + 14}" text-anchor="middle">{escape(label)}</text>'
        )
    for k, (name, _) in enumerate(series):
        lx, ly = left + (k % 4) * ((width - left) / 4), height + 4 + 18 * (k // 4)
        parts.append(f'<rect x="{lx:.1f}" y="{ly}" width="10" height="10" fill="{PALETTE[k % len(PALETTE)]}"/>')
        parts.append(f'<text x="{lx + 14:.1f}" y="{ly + 9}">{escape(name)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
