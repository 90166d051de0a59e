"""Where each output came from, said on every page: the record of a run and its line under the output.

An example's outputs may be published by a build on another machine and
another day than the run that made them (a shard, an execution cache filled
elsewhere), so the run itself writes down where, when and with what it ran,
in the example's own process (:func:`write_record`):
``.example_runs/<stem>.ran.json`` of its gallery, with the processor, cores
and accelerators, the OS, Python, the date, the run time and the
distributions it imported. The record is one of the example's outputs: it is
stored in the execution cache and published with them, so a build that only
reads the cache shows the machine that really ran the example.

* :func:`mark_page` puts ``.. example-provenance:: <record>`` under the
  page's "Total running time" line; the directive (:class:`ProvenanceLine`)
  renders one line, e.g. "Ran on AMD EPYC 7763 (2 cores), torch 2.13.0,
  numpy 2.4.6, Python 3.11.7, on 2026-12-06, in 3.2 s (full record).", the
  last words a link to the whole record. Any page may use the directive (a narrative page that
  embeds an example's output, with the path ``/<gallery>/.example_runs/<stem>.ran.json``).
* :class:`ProvenanceColumn` adds a column to sphinx-gallery's
  execution-times tables: for each example, where and when it ran.

The words are English; a site in another language connects to the event
``example-provenance-text`` ``(app, form, facts)`` and returns its own for
``form`` ``"line"`` (with ``{link}`` where the link goes), ``"link"``,
``"header"`` or ``"cell"``, from the :func:`facts` of the record.
"""

from __future__ import annotations

import json
from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.transforms import SphinxTransform
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from . import machine, seam, uses
from .examples import PROVENANCE_SUFFIX, RECORDS, Example, all_examples

logger = logging.getLogger(__name__)

FORMAT = 1
EVENT = "example-provenance-text"
#: The class of the line under an example's output, and of the execution-times column.
CLASS = "example-provenance"


def write_record(example: Example, modules: set[str], run_time: float) -> dict:
    """Write where, when and with what ``example`` ran, having imported the top-level ``modules``."""
    used = uses.distributions(modules)
    own: list[list[str]] = []
    for module in uses.imported_in_order(example.source):
        name = uses.distribution_of(module)
        if name in used and all(name != known for known, _ in own):
            own.append([name, used[name]])
    record = {
        "format": FORMAT,
        "file": example.name,
        "ran_on": machine.describe(modules),
        "run_time": round(float(run_time), 3),
        "imports": own,
        "uses": used,
    }
    path = example.provenance_record
    path.parent.mkdir(parents=True, exist_ok=True)
    scratch = path.with_name(path.name + ".new")
    scratch.write_text(json.dumps(record, indent=1, sort_keys=True), encoding="utf-8")
    scratch.replace(path)
    return record


def read_record(path: Path) -> dict | None:
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) and record.get("format") == FORMAT else None


def mark_page(example: Example) -> None:
    """Put the provenance line under the "Total running time" line of the example's generated page."""
    page = example.generated_file(".rst")
    if not page.is_file() or not example.provenance_record.is_file():
        return
    rst = page.read_text(encoding="utf-8")
    marked = seam.after_running_time(
        rst, f".. {DIRECTIVE}:: {RECORDS}/{example.stem}{PROVENANCE_SUFFIX}\n")
    if marked != rst:
        page.write_text(marked, encoding="utf-8")


# -- The words ----------------------------------------------------------------------------


#: Where the line's link to the whole record goes, in the text of form "line".
LINK = "{link}"


def facts(record: dict) -> dict:
    """The pieces of a record that its line says, as text: cpu, cores, accelerator, packages (a list of
    "name version"), python, date, seconds; and ``link``, the place of the link in the line."""
    ran = record.get("ran_on", {})
    return {
        "cpu": str(ran.get("cpu", "?")),
        "cores": int(ran.get("cores", 0) or 0),
        "accelerator": str(ran.get("accelerator") or ""),
        "packages": [f"{name} {version}" for name, version in record.get("imports", [])],
        "link": LINK,
        "python": str(ran.get("python", "")).split(" ")[-1],
        "date": str(ran.get("date", ""))[:10],
        "seconds": f"{float(record.get('run_time', 0.0)):.1f}",
    }


def english(form: str, found: dict) -> str:
    if form == "header":
        return "Ran on"
    if form == "link":
        return "full record"
    where = f"{found['cpu']} ({found['cores']} cores)"
    if found["accelerator"]:
        where += f" with {found['accelerator']}"
    if form == "cell":
        return f"{where}, {found['date']}"
    packages = "".join(f"{package}, " for package in found["packages"])
    return (f"Ran on {where}, {packages}Python {found['python']}, on {found['date']}, in {found['seconds']} s "
            f"({LINK}).")


def words(events, form: str, record: dict | None = None) -> str:
    """The text of ``form`` for ``record``: the site's (event ``example-provenance-text``), or English.

    ``events``: the Sphinx application, or its environment's ``events``, which emit the event.
    """
    found = facts(record or {})
    said = events.emit_firstresult(EVENT, form, found)
    return said if isinstance(said, str) else english(form, found)


# -- On the pages -------------------------------------------------------------------------

DIRECTIVE = "example-provenance"


class ProvenanceLine(SphinxDirective):
    """``.. example-provenance:: <record>``: one line saying where, when and with what an example ran."""

    required_arguments = 1

    def run(self) -> list[nodes.Node]:
        relative, path = self.env.relfn2path(self.arguments[0])
        self.env.note_dependency(relative)
        record = read_record(Path(path))
        if record is None:
            logger.warning("%s: %s is not a record of an example's run; run the example again (make html)",
                           self.get_location(), self.arguments[0], type="gallery_runner", subtype="provenance")
            return []
        label = nodes.inline("", words(self.env.events, "link", record), classes=["download"])
        return [sentence_with_download(self, words(self.env.events, "line", record), label, CLASS)]


def sentence_with_download(directive: SphinxDirective, text: str, label: nodes.Node, css_class: str) -> nodes.paragraph:
    """``text``, already in the page's language, as a paragraph with a download link to the directive's
    argument, labelled ``label``, where it says :data:`LINK`."""
    link = addnodes.download_reference("", "", label, reftarget=directive.arguments[0],
                                       refdoc=directive.env.docname, refexplicit=True)
    before, _, after = text.partition(LINK)
    return nodes.paragraph("", "", nodes.Text(before), link, nodes.Text(after), classes=[css_class],
                           translatable=False)


class ProvenanceColumn(SphinxTransform):
    """Add to each of sphinx-gallery's execution-times tables a column: where and when each example ran."""

    default_priority = 4  # before the translation of the page (Sphinx's Locale, 20)

    def apply(self) -> None:
        tables = [table for table in self.document.findall(nodes.table)
                  if seam.TIMES_TABLE_CLASS in table.get("classes", [])]
        if not tables:
            return
        records = {seam.page_label(str(Path(example.gallery_dir).relative_to(Path(self.env.srcdir).resolve())
                                       .as_posix()), example.name).lower(): example.provenance_record
                   for example in all_examples(self.app)}
        for table in tables:
            self._add_column(table, records)

    def _add_column(self, table: nodes.table, records: dict[str, Path]) -> None:
        group = table.next_node(nodes.tgroup)
        if group is None or CLASS in table.get("classes", []):
            return
        table["classes"].append(CLASS)
        specs = [child for child in group.children if isinstance(child, nodes.colspec)]
        widest = max((spec.get("colwidth", 1) for spec in specs), default=1)
        group.insert(group.index(specs[-1]) + 1 if specs else 0, nodes.colspec(colwidth=widest))
        group["cols"] = group.get("cols", len(specs)) + 1
        for head in group.findall(nodes.thead):
            for row in head.children:
                row += self._entry(words(self.app, "header"))
        for body in group.findall(nodes.tbody):
            for row in body.children:
                reference = row.next_node(addnodes.pending_xref)
                path = records.get(str(reference.get("reftarget", "")).lower()) if reference is not None else None
                record = read_record(path) if path is not None else None
                if path is not None:
                    self.env.note_dependency(str(path))
                row += self._entry(words(self.app, "cell", record) if record else "-")

    @staticmethod
    def _entry(text: str) -> nodes.entry:
        return nodes.entry("", nodes.paragraph("", text, translatable=False), classes=[CLASS])
