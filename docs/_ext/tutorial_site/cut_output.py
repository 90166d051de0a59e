"""A printed output too long for its page, said in the page's language.

The engine shows the first and last lines of such an output, a line in the
gap and a note under it with a link to the whole output
(:mod:`gallery_runner.printed`); its words are English. :func:`words`,
connected to the engine's ``example-output-text`` event, gives them in the
page's language. The gap's line is the one the tutorial page uses for its
own, shorter cut (:func:`.directives.shorten_output`).
"""

from __future__ import annotations

from .translations import _


def words(app, form: str, facts: dict) -> str:
    """The engine's texts for a cut output (``form``: gap, note, note-cut-short) in the page's language."""
    if form == "gap":
        return _("[... {count} lines not shown here ...]").format(count=facts["left_out"])
    if form == "note-cut-short":
        return _("Lines too long for the page end in [...] here. The whole output: {link}.").format(
            link=facts["link"])
    return _("The output is cut to fit the page: of its {lines} lines ({characters} characters), the first {head} "
             "and the last {tail} are shown. The whole output: {link}.").format(
        **{name: facts[name] for name in ("lines", "characters", "head", "tail", "link")})
