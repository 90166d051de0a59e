"""The two packages, each with one job: the engine (gallery_runner) and the site's extension (tutorial_site).

Each touches sphinx-gallery's and Sphinx's internals only through the engine's
seam; the engine never imports the site, and neither package has an import
cycle.
"""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def modules(package: str) -> list[Path]:
    return sorted(Path(importlib.import_module(package).__file__).parent.glob("*.py"))


def imports_of(module: Path) -> set[str]:
    """The sibling modules and the packages that ``module`` imports (names as written)."""
    found = set()
    for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            found.update([node.module] if node.module else [alias.name for alias in node.names])
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
    return found


#: What only the seam may name: sphinx-gallery's modules and private functions, Sphinx's private modules,
#: sphinx-gallery's CSS classes, file names and messages.
INTERNALS = re.compile(r"import sphinx_gallery|from sphinx_gallery|sphinx\._|_gen_rst|_gen_gallery|sphx[-_]glr|"
                       r"sg-datatable|Total running time|total execution time|Could not find docstring|# %%|"
                       r"sphinx_gallery_(?!conf\b)")


@pytest.mark.parametrize("package", ["gallery_runner", "tutorial_site"])
def test_only_the_seam_touches_sphinx_gallerys_and_sphinxs_internals(package):
    """In code, not in docstrings or comments: a module says what it uses through the seam."""
    import ast
    import importlib
    from pathlib import Path

    folder = Path(importlib.import_module(package).__file__).parent
    found = []
    for module in sorted(folder.glob("*.py")):
        if module.name == "seam.py" and package == "gallery_runner":
            continue
        tree = ast.parse(module.read_text(encoding="utf-8"))
        docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                      if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef)) and node.body
                      and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
        # The site's own words, in its catalog (it writes sphinx-gallery's sentences in the page's language).
        own_words = {id(arg) for node in ast.walk(tree) if isinstance(node, ast.Call)
                     and isinstance(node.func, ast.Name) and node.func.id == "_" for arg in node.args}
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                text = ast.unparse(node)
            elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings | own_words:
                text = node.value
            else:
                continue
            if INTERNALS.search(text):
                found.append(f"{module.name}:{node.lineno}: {text[:80]!r}")
    assert not found, found


def test_the_engine_knows_nothing_of_the_site():
    for module in modules("gallery_runner"):
        assert "tutorial_site" not in imports_of(module), module.name
    for test in sorted((ROOT / "tests" / "engine").glob("*.py")):
        text = test.read_text(encoding="utf-8")
        assert "tutorial_site" not in text and "helpers" not in imports_of(test), test.name


@pytest.mark.parametrize("package", ["gallery_runner", "tutorial_site"])
def test_no_module_imports_one_that_imports_it_back(package):
    names = {module.stem for module in modules(package)}
    graph = {module.stem: {name for name in imports_of(module) if name in names - {module.stem}}
             for module in modules(package) if module.stem != "__init__"}

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        return any(step == goal or (step not in seen and reaches(step, goal, seen | {step}))
                   for step in graph.get(start, ()))

    cycles = sorted(name for name in graph if reaches(name, name, {name}))
    assert not cycles, cycles
