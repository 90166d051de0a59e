"""Every way an example can fail is reported once, precisely.

sphinx-gallery reports an example that raises, with its traceback. The
example's own process (see :mod:`.runner`) can also end in ways it does not
know: ``sys.exit``, an exit of the process before the example finished
(``os._exit``, a C ``exit()``), a fatal signal, a run past the time limit.
This module words each of them, with where the example was; where conf.py
says ``nonfinite_output = "fail"``, turns a run that printed ``nan`` or
``inf`` into a failure (unless the example says
``# sphinx_gallery_allow_nonfinite = True``); and at the end of the build,
after sphinx-gallery's own summary, names the examples that failed
unexpectedly in one line. The exit status stays sphinx-gallery's (with
``only_warn_on_example_error``, a failure fails a build where warnings do).

It also checks example file names up front: sphinx-gallery warns about
whitespace anywhere in an example's full path, so a checkout under a folder
with a space could not build; its check is replaced by one of the examples'
own file names, which are what end up in links.
"""

from __future__ import annotations

import os
import re
import signal
import traceback
from pathlib import Path
from textwrap import indent

from sphinx.application import Sphinx
from sphinx.util import logging

from . import examples, printed, seam
from .examples import Example

logger = logging.getLogger(__name__)

#: The per-file setting that lets an example print nan or inf.
ALLOW_NONFINITE = "allow_nonfinite"

_NONFINITE = re.compile(r"(?<![\w.])[-+]?(?:nan|inf|infinity)(?![\w.])", re.IGNORECASE)


# -- How an example's process ended --------------------------------------------------


def timed_out(example: Example, elapsed: float, time_limit: float, stack: str) -> str:
    message = (
        f"{example.name} ran for {elapsed:.1f} s, past the time limit of {time_limit:g} s per "
        "example, so its process was stopped (example_time_limit in conf.py; set "
        "EXAMPLE_TIME_LIMIT to change it, 0 for none)."
    )
    return message + (f"\nWhere it was when stopped:\n{stack}" if stack else "")


def ended_early(example: Example, exitcode: int | None, stack: str, stderr_tail: str) -> str:
    """A process that ended before the example finished: a signal, or an exit status."""
    if exitcode is not None and exitcode < 0:
        message = f"{example.name} crashed: its process was killed by {describe_signal(-exitcode)}."
    else:
        message = (
            f"{example.name} ended its process with exit status {exitcode} before it finished "
            "(os._exit(), or exit() in C code); an example must run to its end."
        )
    message += f"\nWhere it was:\n{stack}" if stack else ""
    if stderr_tail:
        message += f"\nThe last lines it wrote to stderr:\n{indent(stderr_tail, '    ')}"
    return message


def called_exit(example: Example, code, trace: str) -> str:
    call = "sys.exit()" if code is None else f"sys.exit({code!r})"
    return (
        f"{trace}{example.name} called {call}, which ends the program before its "
        "page is complete; an example must run to its end."
    )


def describe_signal(number: int) -> str:
    try:
        name = signal.Signals(number).name
    except ValueError:
        return f"signal {number}"
    meaning = signal.strsignal(number) or ""
    return f"signal {number} ({name}{', ' + meaning if meaning else ''})"


def where_it_was(dump: str, source: Path, skip: str) -> str:
    """The part of a faulthandler dump that shows the example's own code running.

    faulthandler lists every thread, most recent call first. The thread
    running the example is the one with a frame in its file; its frames are
    kept down to the last one in the example (below that is sphinx-gallery).
    Frames in the file ``skip`` (the code that watches the example) are left out.
    """
    name, ours = f'"{source}"', f'"{skip}"'
    for block in re.split(r"\n(?=\S)", dump):
        lines = [line for line in block.splitlines()[1:] if ours not in line]
        hits = [i for i, line in enumerate(lines) if name in line]
        if hits:
            return "\n".join(lines[: hits[-1] + 1])
    return ""


def example_traceback(exc: BaseException, source: Path) -> str:
    """A traceback of ``exc`` showing only the example's own frames."""
    frames = [frame for frame in traceback.extract_tb(exc.__traceback__) if frame.filename == str(source)]
    return "Traceback (most recent call last):\n" + "".join(
        traceback.format_list(frames) + traceback.format_exception_only(exc)
    )


# -- Wrong numbers ---------------------------------------------------------------------


def check_finite(example: Example, result: tuple) -> tuple:
    """Turn a passing run that printed nan or inf into a failure, naming the line."""
    intro, title, cost, out_vars = result
    if not out_vars.get("passing"):
        return result
    if seam.file_settings(example.source).get(ALLOW_NONFINITE):
        return result
    page = example.generated_file(".rst").read_text(encoding="utf-8")
    whole = "\n".join(output.text for output in printed.outputs(page, example.gallery_dir))
    for number, line in enumerate(whole.splitlines(), 1):
        if _NONFINITE.search(line):
            example.checksum_file.unlink(missing_ok=True)  # run it again next time
            out_vars = {key: value for key, value in out_vars.items() if key != "passing"}
            out_vars["formatted_exception"] = (
                f"{example.name} printed a number that is not finite (nan or inf), in line "
                f"{number} of its output:\n    {line.strip()}\n"
                "A loss that diverges teaches nothing; check the learning rate and the data. "
                "If the example means to show it, add this line to the example: "
                f"# {seam.FILE_SETTING}{ALLOW_NONFINITE} = True"
            )
            return intro, title, cost, out_vars
    return result


# -- Reporting ---------------------------------------------------------------------------


def warn_left_running(example: Example, left) -> None:
    """Warn that ``example`` ended with processes of its own still running (which were then ended)."""
    lines = "\n".join(f"  {leftover}" for leftover in left)
    logger.warning(
        "%s ended with %d process%s it started still running; the build ended %s:\n%s\n"
        "An example must wait for what it starts: call wait() on each subprocess.Popen (or use it "
        "in a with block), or use subprocess.run. Until it does, it runs again in every build.",
        os.path.relpath(example.source), len(left), "es" if len(left) != 1 else "",
        "them" if len(left) != 1 else "it", lines,
    )


def note_left_running(example: Example, left) -> None:
    """Say (at info level) that ``example``'s leftover processes were ended, as a pool of workers' would be."""
    logger.info("%s ended with %d process%s it started still running; the build ended %s",
                os.path.relpath(example.source), len(left), "es" if len(left) != 1 else "",
                "them" if len(left) != 1 else "it")


def log_failure(example: Example, conf: dict, message: str) -> None:
    """Log an example's failure when it happens (sphinx-gallery's summary repeats it at the end)."""
    src_dir = conf["src_dir"]
    expected = {os.path.normpath(os.path.join(src_dir, path)) for path in conf["expected_failing_examples"]}
    where = os.path.relpath(example.key, src_dir)
    if example.key in expected:
        logger.info("%s failed, as expected:\n\n%s", where, indent(message, "    "))
    else:
        logger.warning("%s failed to execute correctly:\n\n%s", where, indent(message, "    "))


def report_example_errors(app: Sphinx, exception: Exception | None) -> None:
    """Name, in one line, the examples that failed unexpectedly; forget their last good checksums.

    sphinx-gallery keeps a failed example's checksum from its last good run:
    once the example is fixed back to that same source, it would not run
    again and its page would keep the traceback. With
    ``only_warn_on_example_error`` sphinx-gallery's summary is a warning, as
    this line is an error: the build fails where warnings do (``-W``), and
    its exit status is otherwise sphinx-gallery's.
    """
    conf = app.config.sphinx_gallery_conf
    if exception is not None or not conf.get("plot_gallery"):
        return
    for path in map(Path, conf["failing_examples"]):
        found = examples.find(app, path)
        if found:
            found[1].checksum_file.unlink(missing_ok=True)
    unexpected, _ = seam.unexpected_outcomes(conf)
    failed = sorted(os.path.relpath(path, app.srcdir) for path in unexpected)
    if failed:
        logger.error(
            "%d example%s failed%s: %s (tracebacks above)",
            len(failed),
            "s" if len(failed) > 1 else "",
            ", so the build fails" if seam.warnings_fail_build(app) or app.statuscode else "",
            ", ".join(failed),
        )


# -- Example file names ---------------------------------------------------------


def check_names_not_paths(app: Sphinx, config) -> None:
    """Replace sphinx-gallery's whitespace check of full paths by :func:`check_example_names`."""
    if seam.SPACE_IN_PATH_WARNING not in config.suppress_warnings:
        config.suppress_warnings = [*config.suppress_warnings, seam.SPACE_IN_PATH_WARNING]


def check_example_names(app: Sphinx) -> None:
    """Stop the build if an example's file name has whitespace (it breaks links)."""
    bad = [example.source for example in examples.all_examples(app) if re.search(r"\s", example.name)]
    if bad:
        logger.error(
            "Example file names must not contain spaces (they become page and image "
            "names and would break links). Rename: %s",
            ", ".join(os.path.relpath(script) for script in bad),
        )
        raise SystemExit(1)
