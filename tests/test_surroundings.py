"""When the world around the build misbehaves: a clear message, never a crash report, nothing left behind.

The authors' mistakes (a gallery without its header, an example without its
title docstring, a syntax error in an example that never ran), a full disk,
an example that leaves a process running, writes into its folder or prints
control characters, markup in a title: each ends in an ``ERROR:`` or a
``WARNING:`` that names the file and says what to do, the rest of the site
is built, and the next build, once the mistake is fixed, is the clean build.
(``helpers.build_site`` fails any test whose build printed Sphinx's crash
report, so every failure test checks that too.)
"""

from __future__ import annotations

import random
import re
import time
from html.parser import HTMLParser
from pathlib import Path

from helpers import (
    FIXTURE_GALLERY as GALLERY,
    GALLERY as SITE_GALLERY,
    LANGUAGES,
    CRASH_REPORT,
    broken_links,
    build_site,
    fingerprint_differences,
    site_fingerprint,
)


def log_of(result) -> str:
    return result.stdout + result.stderr


def insert_before(script: Path, anchor: str, *lines: str) -> None:
    text = script.read_text(encoding="utf-8")
    assert anchor in text
    script.write_text(text.replace(anchor, "\n".join(lines) + "\n" + anchor, 1), encoding="utf-8")


# -- Authors' mistakes ---------------------------------------------------------------------


def test_a_gallery_without_header_and_examples_without_title_are_named_and_the_rest_is_built(
        fixture_site, built_fixture):
    header = built_fixture / "examples_curve" / "GALLERY_HEADER.rst"
    header.unlink()
    (built_fixture / "examples_line" / "no_docstring.py").write_text("print('no docstring')\n", encoding="utf-8")
    (built_fixture / "examples_line" / "no_title.py").write_text('"""\n"""\nprint(1)\n', encoding="utf-8")

    result = build_site(built_fixture)
    log = log_of(result)
    assert result.returncode != 0
    assert re.search(r"ERROR: \S*examples_curve has no GALLERY_HEADER\.rst, the page that introduces its gallery: "
                     r"write \S*examples_curve/GALLERY_HEADER\.rst with the gallery's title, underlined with = signs",
                     log), log[-3000:]
    assert re.search(r"ERROR: \S*examples_line/no_docstring\.py does not begin with a docstring: an example "
                     r"begins with a docstring whose first line is its title", log), log[-3000:]
    assert re.search(r"ERROR: \S*examples_line/no_title\.py has a docstring without a title", log)
    assert "Until then this gallery and its 1 example is left out of the build, and the build fails." in log
    assert log.count("Until then it is left out of the build, and the build fails.") == 2

    # What could be built was built: the line gallery, with its example, and the tutorial page.
    html = built_fixture / "_build" / "html"
    assert "step 100  loss" in (html / GALLERY["examples_line"] / "fit_line.html").read_text(encoding="utf-8")
    tutorial = (html / "tutorial.html").read_text(encoding="utf-8")
    assert "This example is left out of this build: see the errors above." in tutorial

    # Fixed, the next build is the clean build.
    header.write_text("Curves\n======\n\nFitting a curve.\n", encoding="utf-8")
    for name in ("no_docstring.py", "no_title.py"):
        (built_fixture / "examples_line" / name).unlink()
    result = build_site(built_fixture)
    assert result.returncode == 0, log_of(result)[-3000:]
    assert not fingerprint_differences(site_fingerprint(built_fixture), site_fingerprint(fixture_site.project))


def test_a_new_example_with_a_syntax_error_on_the_real_site_is_named_and_the_rest_is_built(built_project):
    """The path the fixture cannot take: an example that has never run, so it has no recorded cost."""
    script = built_project / "examples_tensor" / "new_example.py"
    script.write_text('"""\nA new example\n=============\n\nNot finished yet.\n"""\n\n\ndef broken(:\n    pass\n',
                      encoding="utf-8")
    result = build_site(built_project, env={"EXAMPLE_WORKERS": "1"})
    log = log_of(result)
    assert result.returncode != 0
    assert "ERROR: 1 example failed, so the build fails: ../examples_tensor/new_example.py" in log, log[-3000:]
    assert f'File "{script}", line 9' in log and "SyntaxError: invalid syntax" in log
    assert "running 1 example" in log  # only the new one ran
    html = built_project / "_build" / "html"
    assert "Not finished yet." in (html / "auto_examples" / "tensor" / "new_example.html").read_text(encoding="utf-8")


# -- A full disk -------------------------------------------------------------------------------

#: A sitecustomize for the build's Python: the disk is full for the doctrees Sphinx writes as it reads pages.
FULL_DISK = """
import builtins, errno, io, os
_open = io.open
def _full(file, mode="r", *args, **kwargs):
    name = str(os.fspath(file)) if isinstance(file, (str, os.PathLike)) else ""
    if any(m in mode for m in "wax") and name.endswith(".doctree") and name.startswith("{build}"):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), name)
    return _open(file, mode, *args, **kwargs)
builtins.open = io.open = _full
"""


def test_a_full_disk_ends_in_a_clear_message_keeps_the_last_good_site_and_heals(fixture_site, built_fixture,
                                                                                  tmp_path):
    html = built_fixture / "_build" / "html"
    before = {path.relative_to(html): path.read_bytes() for path in html.rglob("*.html")}
    script = built_fixture / "examples_line" / "fit_line.py"
    original = script.read_text(encoding="utf-8")
    script.write_text(original + "\n# edited\n", encoding="utf-8")
    disk = tmp_path / "full_disk"
    disk.mkdir()
    (disk / "sitecustomize.py").write_text(FULL_DISK.replace("{build}", str(built_fixture / "_build")),
                                          encoding="utf-8")

    result = build_site(built_fixture, env={"PYTHONPATH": str(disk)})
    log = log_of(result)
    assert result.returncode != 0
    assert re.search(r"ERROR: the build could not write \S+\.doctree: No space left on device\. The file system is "
                     r"full: free some space on it, then run the build again: the last good site is still in "
                     r"place", log), log[-3000:]
    assert not CRASH_REPORT.search(log)
    assert {path.relative_to(html) for path in html.rglob("*.html")} >= set(before)  # nothing lost

    # Space again (and the edit undone): the next build repairs everything.
    script.write_text(original, encoding="utf-8")
    result = build_site(built_fixture)
    assert result.returncode == 0, log_of(result)[-3000:]
    assert not fingerprint_differences(site_fingerprint(built_fixture), site_fingerprint(fixture_site.project))
    assert not broken_links(html)


# -- Processes an example leaves running ---------------------------------------------------------


def running(marker: str) -> list[str]:
    """Command lines of the processes on this machine that contain ``marker``."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
                argv = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if marker in argv and stat[stat.rindex(")") + 2] not in "ZX":
                found.append(argv.strip())
    return found


def test_every_process_an_example_starts_ends_with_it_and_the_build_warns_naming_it(built_fixture):
    tag = f"{random.randrange(10**6):06d}"  # tells this test's processes from any others
    line = built_fixture / "examples_line" / "fit_line.py"
    insert_before(line, "losses = []", "import subprocess", f'subprocess.Popen(["sleep", "641.{tag}"])',
                  f'subprocess.Popen(["sh", "-c", "sleep 642.{tag} & sleep 643.{tag}"])')
    failing = built_fixture / "examples_line" / "leaks_and_raises.py"
    failing.write_text('"""\nLeaks and raises\n================\n\nStarts a process, then fails.\n"""\n'
                       f'import subprocess\nsubprocess.Popen(["sleep", "644.{tag}"])\nraise RuntimeError("broken")\n',
                       encoding="utf-8")
    hanging = built_fixture / "examples_curve" / "leaks_and_hangs.py"
    hanging.write_text('"""\nLeaks and hangs\n===============\n\nStarts a process, then runs too long.\n"""\n'
                       f'import subprocess, time\nsubprocess.Popen(["sleep", "645.{tag}"])\ntime.sleep(600)\n',
                       encoding="utf-8")
    start = time.monotonic()
    result = build_site(built_fixture, env={"EXAMPLE_TIME_LIMIT": "3"})
    log = log_of(result)
    assert time.monotonic() - start < 60
    assert result.returncode != 0
    assert not running(f".{tag}"), running(f".{tag}")  # nothing of any example survives the build
    warning = re.search(r"WARNING: \S*examples_line/fit_line\.py ended with [34] processes it started still "
                        r"running; the build ended them:\n((?:  .*\n)+)An example must wait for what it starts: "
                        r"call wait\(\) on each subprocess\.Popen", log)
    assert warning, log[-4000:]
    named = {re.sub(r" \(process \d+\)$", "", found.strip()) for found in warning[1].splitlines()}
    # Its grandchildren too; and the shell, unless it became the last sleep.
    sleeps = {f"sleep 641.{tag}", f"sleep 642.{tag}", f"sleep 643.{tag}"}
    assert sleeps <= named <= sleeps | {f"sh -c sleep 642.{tag} & sleep 643.{tag}"}, named
    assert re.search(r"leaks_and_raises\.py ended with 1 process it started still running; the build ended it:"
                     rf"\n  sleep 644\.{tag} \(process \d+\)", log)
    assert re.search(r"leaks_and_hangs\.py ended with 1 process it started still running; the build ended it:"
                     rf"\n  sleep 645\.{tag} \(process \d+\)", log)
    assert "RuntimeError: broken" in log and "leaks_and_hangs.py ran for" in log

    # The example that passed is not current until it waits: it runs (and warns) again.
    failing.unlink()
    hanging.unlink()
    result = build_site(built_fixture)
    log = log_of(result)
    assert result.returncode != 0 and "running 1 example" in log and "fit_line.py ended with" in log
    assert not running(f".{tag}")

    # Waiting for them, it passes, and is cached as any other example.
    text = line.read_text(encoding="utf-8")
    line.write_text(text.replace(f'subprocess.Popen(["sleep", "641.{tag}"])', 'subprocess.run(["true"])')
                    .replace(f'subprocess.Popen(["sh", "-c", "sleep 642.{tag} & sleep 643.{tag}"])',
                             'subprocess.run(["sh", "-c", "true & wait"])'), encoding="utf-8")
    result = build_site(built_fixture)
    assert result.returncode == 0, log_of(result)[-3000:]
    assert "still running" not in log_of(result)


# -- Text is text -----------------------------------------------------------------------------------


class Elements(HTMLParser):
    """The tags and the text of an HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        self.tags.append(tag)
        self.attributes.extend(value or "" for _, value in attrs)

    def handle_data(self, data) -> None:
        self.text.append(data)


def elements(page: Path) -> Elements:
    parser = Elements()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


def test_markup_in_titles_and_paragraphs_and_control_characters_in_output_reach_the_page_as_text(built_fixture):
    line = built_fixture / "examples_line" / "fit_line.py"
    text = line.read_text(encoding="utf-8")
    text = text.replace("Fit a line\n==========\n", "Fit a <i>line</i>: List<int>\n============================\n")
    text = text.replace("Gradient descent finds", "A <b>bold</b> claim that a < b & c. Gradient descent finds")
    text = text.replace('ax.set_ylabel("loss")', """ax.set_ylabel('loss <b>bold</b> & List<int> "quoted"')""")
    line.write_text(text, encoding="utf-8")
    insert_before(line, "losses = []", "import sys",
                  r'print("bell\x07 back\x08 nul\x00 \x1b[31mred\x1b[0m \x1bdone")',
                  r'sys.stdout.buffer.write("bytes caf\u00e9\n".encode("utf-8"))', "sys.stdout.flush()")

    result = build_site(built_fixture)
    assert result.returncode == 0, log_of(result)[-3000:]
    html = built_fixture / "_build" / "html"
    pages = [html / GALLERY["examples_line"] / "fit_line.html", html / GALLERY["examples_line"] / "index.html",
             html / "tutorial.html", html / "index.html"]
    for page in pages:
        content = page.read_text(encoding="utf-8")
        raw = sorted({hex(ord(c)) for c in content if (ord(c) < 32 and c not in "\n\t\r") or 0x7F <= ord(c) <= 0x9F})
        assert not raw, (page.name, raw)  # no control character reaches the HTML
        assert not re.search(r"<b>bold|<i>line|<int>", content), page.name  # no element made of the text
    figure = elements(pages[0])
    assert any('oss <b>bold</b> & List<int> "quoted" against step' in value for value in figure.attributes)  # alt
    thumbnails = elements(html / GALLERY["examples_line"] / "index.html")
    assert any("A <b>bold</b> claim that a < b & c." in value for value in thumbnails.attributes)  # the tooltip
    assert "Fit a <i>line</i>: List<int>" in "".join(thumbnails.text)
    for page in (pages[0], pages[2]):
        shown = "".join(elements(page).text)
        assert "bell\u2407 back\u2408 nul\u2400 red done" in shown, page.name  # visible; colours dropped
        assert "bytes café" in shown, page.name  # sys.stdout.buffer works
        assert "Fit a <i>line</i>: List<int>" in shown


# -- The checkout stays clean ------------------------------------------------------------------------


def source_tree(project: Path) -> set[str]:
    return {str(path.relative_to(project)) for folder in ("examples_line", "examples_curve", "docs")
            for path in (project / folder).rglob("*")
            if "auto_examples" not in path.parts and "__pycache__" not in path.parts}


def test_an_example_runs_in_a_folder_of_its_own_reading_the_files_beside_it(built_fixture):
    line = built_fixture / "examples_line" / "fit_line.py"
    (built_fixture / "examples_line" / "notes.txt").write_text("a data file beside the example\n", encoding="utf-8")
    insert_before(line, "losses = []", 'print("read:", open("notes.txt", encoding="utf-8").read().strip())',
                  'open("results.txt", "w").write("written by the example")',
                  'open("notes.txt", "w").write("overwritten")', 'import os; os.makedirs("out", exist_ok=True)')
    tree = source_tree(built_fixture)

    result = build_site(built_fixture)
    assert result.returncode == 0, log_of(result)[-3000:]
    assert source_tree(built_fixture) == tree  # nothing new in the checkout
    assert (built_fixture / "examples_line" / "notes.txt").read_text(encoding="utf-8") == \
        "a data file beside the example\n"
    page = built_fixture / "_build" / "html" / GALLERY["examples_line"] / "fit_line.html"
    assert "read: a data file beside the example" in page.read_text(encoding="utf-8")
    assert not list(built_fixture.rglob("results.txt"))

    # The files beside an example are part of its fingerprint: a changed one runs it again, saying why.
    (built_fixture / "examples_line" / "notes.txt").write_text("another text\n", encoding="utf-8")
    result = build_site(built_fixture, "-v")
    assert result.returncode == 0, log_of(result)[-3000:]
    assert "fit_line.py runs: the file notes.txt beside it changed" in log_of(result)
    assert "read: another text" in page.read_text(encoding="utf-8")


# -- A chatty example ----------------------------------------------------------------------------

#: What an example that logs every training step prints: 200,000 lines, about 2.6 MB.
CHATTY_CELL = '''

# %%
for step in range(200_000):
    print(f"step {step + 1:6d}  loss {1.0 / (step + 1):.6f}")
'''


def downloaded(page: Path, name: str) -> Path:
    """The file a page's download link named ``name`` points to."""
    found = re.search(rf'href="([^"]*/{re.escape(name)})"', page.read_text(encoding="utf-8"))
    assert found, f"{page.name} has no link to {name}"
    return (page.parent / found[1]).resolve()


def test_a_chatty_example_shows_its_first_and_last_lines_and_links_all_of_it_in_both_languages(built_project):
    """An example printing 200,000 lines on the real site: every page stays small, the whole output is a file."""
    script = built_project / "examples_tensor" / "two_layer_net_numpy.py"
    script.write_text(script.read_text(encoding="utf-8") + CHATTY_CELL, encoding="utf-8")
    result = build_site(built_project, languages=LANGUAGES)
    log = log_of(result)
    assert result.returncode == 0, log[-3000:]
    assert "running 1 example" in log
    html = built_project / "_build" / "html"
    notes = {
        "": ("The output is cut to fit the page: of its 200,000 lines (", "the first 750 and the last 250 are shown",
             "[... 199,000 lines not shown here ...]", "shows more of it, with a link to all of it."),
        "zh_CN": ("为适合页面，输出已截断：它共有 200,000 行（", "这里显示前 750 行和后 250 行",
                  "[……此处省略 199,000 行……]", "中显示得更多，并附有完整输出的链接。"),
    }
    assert sorted(notes) == sorted(["", *LANGUAGES])
    for language, (note, shown, gap, tutorial_note) in notes.items():
        page = html / language / SITE_GALLERY["examples_tensor"] / "two_layer_net_numpy.html"
        tutorial = html / language / "tutorial.html"
        for each in (page, tutorial, page.parent / "index.html"):
            assert each.stat().st_size < 1_000_000, (each, each.stat().st_size)
        text = page.read_text(encoding="utf-8")
        assert note in text and shown in text and gap in text, language
        assert "step      1  loss 1.000000" in text and "step 200000  loss 0.000005" in text  # first, last
        assert "step 100000 " not in text
        whole = downloaded(page, "two_layer_net_numpy.output-2.txt").read_text(encoding="utf-8").splitlines()
        assert len(whole) == 200_000 and whole[99_999] == "step 100000  loss 0.000010"
        assert tutorial_note in tutorial.read_text(encoding="utf-8"), language
        source = html / language / "_sources" / SITE_GALLERY["examples_tensor"] / "two_layer_net_numpy.rst.txt"
        assert source.stat().st_size < 1_000_000
