"""Alt text for the examples' figures, written from the figures themselves.

sphinx-gallery gives a figure its title as alt text ("PyTorch autograd"). A
reader who cannot see the plot needs what it shows: what is drawn against
what, on which scale, and where each line starts and ends. :func:`scraper` is
sphinx-gallery's matplotlib scraper with :func:`describe`'s text as each
figure's alt text. conf.py names it in ``image_scrapers``, so the text is
computed from the very figure that is saved, in the process that ran the
example: it changes when the example's numbers do.
"""

from __future__ import annotations

import math

from . import seam


def number(value) -> str:
    """A value as a reader would say it: 0.53, 1,250, 3.1 × 10^-5, 2.9 × 10^7 (a label as it is)."""
    if isinstance(value, str):
        return value
    if not math.isfinite(value):  # a diverging example may draw nan or inf; the build then fails on it
        return "not a number" if math.isnan(value) else f"{'minus ' if value < 0 else ''}infinity"
    value = float(f"{float(value):.3g}")  # three significant digits
    if value == 0 or 1e-3 <= abs(value) < 1e4:
        return f"{value:,f}".rstrip("0").rstrip(".")
    exponent = math.floor(math.log10(abs(value)))
    mantissa = round(value / 10**exponent, 1)
    if abs(mantissa) >= 10:  # 9.96 rounds up to 10.0
        mantissa, exponent = mantissa / 10, exponent + 1
    return f"{mantissa:g} × 10^{exponent}"


def trend(first, last) -> str:
    if isinstance(first, str) or isinstance(last, str) or not math.isfinite(first - last):
        return "goes"
    return "falls" if last < first else "rises" if last > first else "stays"


def describe_line(line, against: str) -> str:
    """Where a line starts and ends: "it falls from 2.9 × 10^7 at training step 0 to ..."."""
    x, y = list(line.get_xdata()), list(line.get_ydata())
    label = line.get_label()
    name = "it" if label.startswith("_") else label  # matplotlib names unlabelled lines _child0...

    def at(position) -> str:  # "at training step 0"; a category ("64 x 100") names itself
        return f"at {number(position)}" if isinstance(position, str) else f"at {against} {number(position)}"

    return f"{name} {trend(y[0], y[-1])} from {number(y[0])} {at(x[0])} to {number(y[-1])} {at(x[-1])}"


def describe(fig) -> str:
    """One paragraph saying what a matplotlib figure shows, from its titles, axes and data."""
    sentences = []
    suptitle = fig.get_suptitle()
    if suptitle:
        sentences.append(f"{suptitle}.")
    for ax in fig.axes:
        lines = [line for line in ax.get_lines() if len(line.get_ydata())]
        if not lines:
            continue
        title = ax.get_title()
        what = ax.get_ylabel() or "Values"
        against = ax.get_xlabel() or "position"
        scale = ", on a log scale" if ax.get_yscale() == "log" else ""
        count = "" if len(lines) == 1 else f", {len(lines)} lines"
        sentences.append(
            (f"{title}. " if title else "")
            + f"{what[:1].upper()}{what[1:]} against {against}{scale}{count}: "
            + "; ".join(describe_line(line, against) for line in lines) + "."
        )
    return " ".join(" ".join(sentences).split())


def scraper(block, block_vars, gallery_conf, **kwargs) -> str:
    """sphinx-gallery's matplotlib scraper, with :func:`describe` as every figure's alt text."""
    import matplotlib.pyplot as plt

    alt_texts = [describe(plt.figure(number)) for number in plt.get_fignums()]
    return seam.scrape_matplotlib(block, block_vars, gallery_conf, alt_texts, **kwargs)
