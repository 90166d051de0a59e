"""The tutorial's order of the examples within each gallery (``example_order`` in conf.py).

sphinx-gallery's own default orders examples by the length of their code;
conf.py lists the example files in the order the tutorial teaches them, and
:func:`apply_example_order` makes that list sphinx-gallery's
``within_subsection_order`` (unless conf.py gives that setting itself).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.config import Config


@dataclass(frozen=True)
class ExampleOrder:
    """Sort key placing example files in the order given, unknown ones last, by name.

    A frozen dataclass so that Sphinx can pickle it and compare it between
    builds (an unpicklable or always-unequal config value would force a full
    rebuild every time).
    """

    filenames: tuple[str, ...]

    def __call__(self, filename: str) -> tuple[int, str]:
        name = Path(filename).name
        try:
            return (self.filenames.index(name), name)
        except ValueError:
            return (len(self.filenames), name)


def apply_example_order(app: Sphinx, config: Config) -> None:
    """Make ``example_order`` sphinx-gallery's ``within_subsection_order``; conf.py's own setting wins."""
    conf = config.sphinx_gallery_conf
    if config.example_order and "within_subsection_order" not in conf:
        conf["within_subsection_order"] = ExampleOrder(tuple(config.example_order))
