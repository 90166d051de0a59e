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
import re
from pathlib import Path

from docutils import nodes
from sphinx.transforms import SphinxTransform

from gallery_runner import seam

from . import code_translation
from .translations import FULL_WIDTH, _, is_translation


def as_written(text: str) -> str:
    """A message or a word drawn on a figure as it is written: the source language."""
    return text


def words_drawn(app):
    """The words drawn on the figures in the build's language: the examples' catalog in a translation build."""
    return code_translation.figure_words(app) if is_translation(app.config) else as_written


def report_untranslated(app, drawn, location) -> None:
    """Warn (fail, with -W) where a word drawn on a figure has no translation: the alt text would mix languages."""
    if isinstance(drawn, code_translation.Words):
        code_translation.warn_missing(app, "the texts drawn on the figures here", drawn, f"{code_translation.DOMAIN}.po",
                                      location=location)


def number(value, _=as_written) -> str:
    """A value as a reader would say it: 0.53, 1,250, 3.1 × 10^-5, 2.9 × 10^7 (a label as it is)."""
    if isinstance(value, str):
        return value
    if not math.isfinite(value):  # a diverging example may draw nan or inf; the build then fails on it
        return _("not a number") if math.isnan(value) else (_("minus infinity") if value < 0 else _("infinity"))
    value = float(f"{float(value):.3g}")  # three significant digits
    if value == 0 or 1e-3 <= abs(value) < 1e4:
        return f"{value:,f}".rstrip("0").rstrip(".")
    exponent = math.floor(math.log10(abs(value)))
    mantissa = round(value / 10**exponent, 1)
    if abs(mantissa) >= 10:  # 9.96 rounds up to 10.0
        mantissa, exponent = mantissa / 10, exponent + 1
    return f"{mantissa:g} × 10^{exponent}"


def trend(first, last, _=as_written) -> str:
    if isinstance(first, str) or isinstance(last, str) or not math.isfinite(first - last):
        return _("goes")
    return _("falls") if last < first else _("rises") if last > first else _("stays")


def summarise(fig) -> dict:
    """What a matplotlib figure shows, in no language: titles, axes, scales and each line's two ends.

    The labels are the figure's own (the code's, in English, as drawn).
    """
    def value(v):
        return v if isinstance(v, str) else float(v)

    axes = []
    for ax in fig.axes:
        lines = [line for line in ax.get_lines() if len(line.get_ydata())]
        if not lines:
            continue
        axes.append({
            "title": ax.get_title(), "y": ax.get_ylabel(), "x": ax.get_xlabel(), "log": ax.get_yscale() == "log",
            "lines": [{"label": line.get_label(),
                       "start": [value(line.get_xdata()[0]), value(line.get_ydata()[0])],
                       "end": [value(line.get_xdata()[-1]), value(line.get_ydata()[-1])]} for line in lines],
        })
    return {"suptitle": fig.get_suptitle(), "axes": axes}


def describe(fig_or_summary, _=as_written, drawn=as_written) -> str:
    """One paragraph saying what a figure shows (a figure, or its :func:`summarise`), in ``_``'s language.

    ``drawn`` translates the words drawn on the figure (titles, labels), which ``_``'s catalog does not hold.
    """
    summary = fig_or_summary if isinstance(fig_or_summary, dict) else summarise(fig_or_summary)
    sentences = []
    if summary["suptitle"]:
        sentences.append(_("{title}.").format(title=drawn(summary["suptitle"])))
    for ax in summary["axes"]:
        what = drawn(ax["y"]) if ax["y"] else _("Values")
        against = drawn(ax["x"]) if ax["x"] else _("position")

        def at(position) -> str:  # "at training step 0"; a category ("64 x 100") names itself
            if isinstance(position, str):
                return _("at {position}").format(position=drawn(position))
            return _("at {axis} {position}").format(axis=against, position=number(position, _))

        lines = [
            _("{name} {trend} from {start} {at_start} to {end} {at_end}").format(
                # matplotlib names unlabelled lines _child0...
                name=_("it") if line["label"].startswith("_") else drawn(line["label"]),
                trend=trend(line["start"][1], line["end"][1], _),
                start=number(line["start"][1], _), at_start=at(line["start"][0]),
                end=number(line["end"][1], _), at_end=at(line["end"][0]))
            for line in ax["lines"]
        ]
        sentences.append(
            (_("{title}.").format(title=drawn(ax["title"])) + " " if ax["title"] else "")
            + _("{what} against {against}{scale}{count}: {lines}.").format(
                what=what[:1].upper() + what[1:], against=against,
                scale=_(", on a log scale") if ax["log"] else "",
                count="" if len(lines) == 1 else _(", {count} lines").format(count=len(lines)),
                lines=_("; ").join(lines))
        )
    text = " ".join(" ".join(sentences).split())
    # Chinese sets no space between two of its characters, nor beside its punctuation.
    return re.sub(rf"(?<=[{_HAN}{_FULL}]) (?=[{_HAN}])|(?<=[{_HAN}]) (?=[{_FULL}])|(?<=[{_FULL}]) | (?=[{_FULL}])", "",
                  text)


_HAN, _FULL = "\u4e00-\u9fff", "".join(FULL_WIDTH)


def scraper(block, block_vars, gallery_conf, **kwargs) -> str:
    """sphinx-gallery's matplotlib scraper, with :func:`describe` as every figure's alt text."""
    import matplotlib.pyplot as plt

    summaries = [summarise(plt.figure(number)) for number in plt.get_fignums()]
    alt_texts = [describe(summary) for summary in summaries]
    return seam.scrape_matplotlib(block, block_vars, gallery_conf, alt_texts, summaries, **kwargs)


class AltTexts(SphinxTransform):
    """Give each figure of an example's page its alt text in the page's language.

    The scraper wrote each figure's summary beside it (``seam.read_figure_summaries``),
    so a translation build describes the same numbers in its own words.
    """

    default_priority = 4  # before the catalogs are applied, and before translations.BuildTimeTexts

    def apply(self) -> None:
        summaries = {}
        for comment in list(self.document.findall(nodes.comment)):
            found = seam.read_figure_summaries(comment.astext())
            if found:
                summaries.update(found)
                comment.parent.remove(comment)
        if not summaries:
            return
        drawn = words_drawn(self.app)
        for node in self.document.findall(nodes.Element):
            name = Path(node.get("uri", "")).name
            if name in summaries and "alt" in node.attributes:
                node["alt"] = describe(summaries[name], _, drawn)
        report_untranslated(self.app, drawn, self.env.docname)
