"""What an example's published outputs depend on, as one fingerprint per example, and what it used.

An example's page, figures, alt texts and notebook are made by its source
(and the files beside it, which it may read), by the Python and the
libraries that ran it, by the settings that shape its outputs, and by the
code that writes them: sphinx-gallery (its version), the functions of this
engine that change what a page shows (:data:`OUTPUT_CODE`: the rendering of
printed output, the record of the run), the code other extensions register
(:func:`register_output_code`) and the figure scrapers. :func:`components`
gathers all of that but the libraries into a JSON-able dict; :func:`key` is
its hash, the address of the example's results in the execution cache
(:mod:`.cache`).

The libraries are not guessed from what is installed: the example's run
records the distributions it imported, with their versions (:mod:`.uses`),
and its results are current while each still has that version, as ccache's
direct mode keeps the headers a compilation read. A package no example
imports changes no fingerprint.

An example whose output depends on the hardware (conf.py's
``machine_dependent_examples``, or ``# sphinx_gallery_machine_dependent = True``
in it) has the machine's :func:`.machine.identity` in its fingerprint.

:func:`changes` says in words what differs ("numpy 2.3.0 -> 2.4.0", "its
source changed", "the rendering of printed output changed").

Left out, because it must not matter: the checkout's path (a path inside the
source folder is written relative to it), timestamps, the machine's name,
the engine's scheduling, logging and cache code (a message edited there runs
nothing again), and settings that only select, order, schedule or report
examples (:data:`NOT_OUTPUT_SETTINGS`, ``parallel_examples``, ``example_time_limit``).
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import platform
import re
import sys
from fnmatch import fnmatch
from pathlib import Path

from . import machine, seam, uses
from .examples import NOT_BESIDE
from .imports import imported_modules
from .threads import THREAD_VARIABLES

#: The engine's code that changes what an example's page shows ({module or module.function: what a
#: reader calls it}): the example runs in sphinx-gallery's own function, whose version is in the
#: fingerprint; the engine only rewrites printed output, marks where it ran, and sets where it runs.
OUTPUT_CODE = {
    "terminal": "the rendering of printed output",
    "provenance.write_record": "the record of where an example ran",
    "provenance.mark_page": "the provenance line",
    "seam.after_running_time": "the provenance line",
    "runner.show_output_as_text": "the rendering of printed output",
    "runner.finish_page": "the rendering of printed output",
    "printed.bound_page": "the cutting of long printed output",
    "printed.cut": "the cutting of long printed output",
    "printed._first": "the cutting of long printed output",
    "printed.as_shown": "the cutting of long printed output",
    "printed.file_name": "the cutting of long printed output",
    "printed.directive_rst": "the cutting of long printed output",
    "seam.output_blocks": "the cutting of long printed output",
    "runner.working_directory": "the example's working folder",
    "seam.run_in": "the example's working folder",
}
#: Other extensions' modules that shape outputs (:func:`register_output_code`): {module: what a reader calls it}.
_OTHER_OUTPUT_MODULES: dict[str, str] = {}


def register_output_code(module: str, description: str) -> None:
    """Have the code of ``module`` (another extension's, e.g. one that rewrites notebooks) in every fingerprint."""
    _OTHER_OUTPUT_MODULES[module] = description

#: sphinx-gallery's settings that do not reach what an example's run writes: they select, order,
#: schedule or report examples, or are its bookkeeping of this build. Every other setting is in the
#: fingerprint, so a setting that a new sphinx-gallery adds is in it until it is listed here.
NOT_OUTPUT_SETTINGS = frozenset({
    # which files are examples, and where galleries are (the example's own place is in "example")
    "filename_pattern", "ignore_pattern", "examples_dirs", "gallery_dirs", "example_extensions",
    "copyfile_regex",
    # order and index pages, written by the gallery pass from the runs' results
    "within_subsection_order", "subsection_order", "minigallery_sort_order", "nested_sections",
    "recommender", "download_all_examples", "css",
    # scheduling and reporting
    "parallel", "plot_gallery", "run_stale_examples", "abort_on_example_error", "only_warn_on_example_error",
    "expected_failing_examples", "junit", "log_level", "write_computation_times", "show_api_usage",
    "api_usage_ignore",
    # sphinx-gallery's bookkeeping of the build in progress
    "failing_examples", "passing_examples", "stale_examples", "titles", "src_dir", "builder_name",
})


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def interpreter() -> dict[str, str]:
    return {
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "platform": f"{sys.platform} {platform.machine()}",
    }


def stable(value, srcdir: Path | None = None):
    """``value`` as JSON that is the same in every process and every checkout.

    Callables by name, objects by type, and an absolute path inside the
    source folder ``srcdir`` as ``{srcdir}/`` and its path there.
    """
    if isinstance(value, str) and srcdir is not None and os.path.isabs(value):
        inside = Path(value)
        if inside == srcdir or srcdir in inside.parents:
            return "{srcdir}/" + inside.relative_to(srcdir).as_posix()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, dict):
        return {str(k): stable(v, srcdir) for k, v in sorted(value.items(), key=lambda item: str(item[0]))}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [stable(v, srcdir) for v in value]
        return sorted(items, key=json.dumps) if isinstance(value, (set, frozenset)) else items
    if isinstance(value, os.PathLike):
        return stable(os.fspath(value), srcdir)
    if callable(value):
        return f"{getattr(value, '__module__', '?')}.{getattr(value, '__qualname__', type(value).__qualname__)}"
    text = repr(value)
    return type(value).__qualname__ if " at 0x" in text else text


def _module_file(dotted: str) -> tuple[str, Path] | None:
    """The module that ``dotted`` (``module.function`` or ``module``) names, and its source file."""
    import importlib.util

    names = dotted.split(".")
    for end in range(len(names), 0, -1):
        module = ".".join(names[:end])
        try:
            spec = importlib.util.find_spec(module)
        except (ImportError, ValueError):
            continue
        if spec is not None and spec.origin and Path(spec.origin).is_file():
            return module, Path(spec.origin)
    return None


def _definition(path: Path, qualname: str) -> str:
    """The source of the function or class ``qualname`` in the module file ``path``."""
    text = path.read_text(encoding="utf-8")
    body = ast.parse(text).body
    node = None
    for name in qualname.split("."):
        node = next((item for item in body if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                     and item.name == name), None)
        if node is None:
            raise LookupError(f"{path} defines no {qualname}")
        body = node.body
    return ast.get_source_segment(text, node) or ""


def code_hashes(gallery_conf: dict, engine: Path = Path(__file__).parent) -> dict[str, str]:
    """Hashes of the code that shapes outputs: the engine's :data:`OUTPUT_CODE` (read in the folder
    ``engine``), the modules other extensions registered, and each image scraper's module."""
    package = __name__.rsplit(".", 1)[0]
    hashes = {}
    for dotted in OUTPUT_CODE:
        module, _, qualname = dotted.partition(".")
        path = engine / f"{module}.py"
        code = _definition(path, qualname) if qualname else path.read_text(encoding="utf-8")
        hashes[f"{package}.{dotted}"] = hashlib.sha256(code.encode()).hexdigest()
    scrapers = [scraper if isinstance(scraper, str) else getattr(scraper, "__module__", "") or ""
                for scraper in gallery_conf.get("image_scrapers", ())]
    for dotted in [*_OTHER_OUTPUT_MODULES, *scrapers]:
        found = _module_file(dotted) if dotted and not dotted.startswith(package + ".") else None
        if found is not None:
            hashes[found[0]] = file_hash(found[1])
    return dict(sorted(hashes.items()))


def is_machine_dependent(example, config) -> bool:
    """Whether ``example``'s output depends on the machine: listed in ``machine_dependent_examples``
    (patterns searched in its path), or saying ``# sphinx_gallery_machine_dependent = True``."""
    path = example.source.as_posix()
    if any(re.search(pattern, path) for pattern in config.machine_dependent_examples):
        return True
    try:
        return seam.file_settings(example.source).get("machine_dependent") is True
    except Exception:  # noqa: BLE001 - sphinx-gallery says what is wrong with the file when it runs it
        return False


def settings(config, gallery_conf: dict) -> dict:
    """The settings of conf.py that reach an example's outputs: all of sphinx-gallery's but :data:`NOT_OUTPUT_SETTINGS`."""
    srcdir = Path(gallery_conf["src_dir"]).resolve() if gallery_conf.get("src_dir") else None
    values = {f"sphinx_gallery_conf[{name!r}]": stable(value, srcdir) for name, value in sorted(gallery_conf.items())
              if name not in NOT_OUTPUT_SETTINGS}
    values["example_threads"] = config.example_threads
    values["example_preload"] = list(config.example_preload)
    values["example_output_lines"] = config.example_output_lines
    values["example_output_characters"] = config.example_output_characters
    values["thread variables"] = {name: os.environ.get(name) for name in THREAD_VARIABLES}
    return values


#: The data files of each examples folder, read once per build (:func:`new_build` forgets them).
_data_of_folder: dict[tuple[Path, str], dict[str, str]] = {}


def new_build() -> None:
    """Forget what was read of the examples' folders: a new build reads them again."""
    _data_of_folder.clear()


def data_files(example, gallery_conf: dict) -> dict[str, str]:
    """{name: hash} of the files beside ``example`` that it may read (it runs in a copy of its folder).

    Every file of the example's folder, and below, except: the scripts beside
    it that it does not import (the other examples; a helper module it imports
    is in), the gallery's header, the folders that are sub-galleries of their
    own, caches and hidden files. Which other files an example reads cannot
    be known, so a change to any of them reruns every example of the folder.
    The folder is read once per build.
    """
    folder = example.examples_dir
    memo = (folder, gallery_conf.get("ignore_pattern", ""))
    if memo not in _data_of_folder:
        _data_of_folder[memo] = _read_data_files(folder, gallery_conf)
    imports = imported_modules(example.source)
    return {name: digest for name, digest in _data_of_folder[memo].items()
            if "/" in name or not name.endswith(".py") or name.removesuffix(".py") in imports}


def _read_data_files(folder: Path, gallery_conf: dict) -> dict[str, str]:
    sub_galleries = set()
    if gallery_conf.get("src_dir") and "examples_dirs" in gallery_conf:
        sub_galleries = set(seam.subsections(Path(gallery_conf["src_dir"]), folder, gallery_conf))
    found = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if not path.is_file() or any(fnmatch(part, pattern) for part in relative.parts for pattern in NOT_BESIDE):
            continue
        if len(relative.parts) > 1 and relative.parts[0] in sub_galleries:
            continue
        if len(relative.parts) == 1 and path.stem in ("GALLERY_HEADER", "README", "readme"):
            continue
        found[relative.as_posix()] = file_hash(path)
    return found


def components(example, gallery_name: str, config, gallery_conf: dict) -> dict:
    """Everything but the libraries it imports that determines ``example``'s outputs, by kind."""
    parts = {
        "example": f"{gallery_name}/{example.name}",
        "source": file_hash(example.source),
        "data": data_files(example, gallery_conf),
        **interpreter(),
        "settings": settings(config, gallery_conf),
        "code": code_hashes(gallery_conf),
        "tools": {"sphinx-gallery": seam.VERSION},
    }
    if is_machine_dependent(example, config):
        parts["machine"] = machine.identity()
    return parts


def key(parts: dict) -> str:
    """The fingerprint: a hash of the components."""
    text = json.dumps(parts, sort_keys=True, ensure_ascii=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _code_name(module: str) -> str:
    package = __name__.rsplit(".", 1)[0] + "."
    if module.startswith(package) and module.removeprefix(package) in OUTPUT_CODE:
        return OUTPUT_CODE[module.removeprefix(package)]
    return _OTHER_OUTPUT_MODULES.get(module, f"the module {module}")


def changes(old: dict, new: dict) -> list[str]:
    """What differs from ``old`` to ``new``, in words, most specific first."""
    said = []
    if old.get("source") != new.get("source"):
        said.append("its source changed")
    old_data, new_data = old.get("data", {}), new.get("data", {})
    for name in sorted(set(old_data) | set(new_data)):
        if old_data.get(name) != new_data.get(name):
            what = "was added" if name not in old_data else "was removed" if name not in new_data else "changed"
            said.append(f"the file {name} beside it {what}")
    for part in ("python", "platform"):
        if old.get(part) != new.get(part):
            said.append(f"{part} {old.get(part)} -> {new.get(part)}")
    old_tools, new_tools = old.get("tools", {}), new.get("tools", {})
    for name in sorted(set(old_tools) | set(new_tools)):
        if old_tools.get(name) != new_tools.get(name):
            said.append(f"{name} {old_tools.get(name)} -> {new_tools.get(name)}")
    if old.get("machine") != new.get("machine"):
        said.append("it depends on the machine, and runs on another one" if new.get("machine")
                    else "it no longer depends on the machine")
    old_settings, new_settings = old.get("settings", {}), new.get("settings", {})
    for name in sorted(set(old_settings) | set(new_settings)):
        if old_settings.get(name) != new_settings.get(name):
            said.append(f"the setting {name} changed")
    old_code, new_code = old.get("code", {}), new.get("code", {})
    for name in sorted(set(old_code) | set(new_code)):
        if old_code.get(name) != new_code.get(name):
            said.append(f"{_code_name(name)} changed")
    if old.get("example") != new.get("example"):
        said.append(f"it moved from {old.get('example')} to {new.get('example')}")
    return said


def record(parts: dict, used: dict[str, str]) -> dict:
    """What an example's outputs were made under: its fingerprint's components, and the distributions it used."""
    return {"parts": parts, "uses": dict(sorted(used.items()))}


def out_of_date(made_under: dict, parts: dict) -> list[str]:
    """Why outputs made under ``made_under`` (:func:`record`) are not current for ``parts``; [] if they are."""
    said = []
    if made_under.get("parts") != parts:
        said = changes(made_under.get("parts") or {}, parts) or ["its fingerprint changed"]
    return said + uses.still_installed(made_under.get("uses") or {})
