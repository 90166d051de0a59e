"""What the project can foresee ends in a clear message, never in Sphinx's crash report.

Sphinx answers any exception that reaches it with its crash report ("Extension
error!", the versions, "The full traceback has been saved in ...", "Please
also report this if it was a user error"). Some of those exceptions are not
bugs but the world around the build, and they deserve one line that says
what is wrong and what to do:

* the file system refusing a write: a full disk (or quota), a read-only file
  system, no permission (``ENOSPC``, ``EDQUOT``, ``EROFS``, ``EACCES``, ...);
* a setting in ``conf.py`` that Sphinx or this site rejects (``ConfigError``);
* one of sphinx-gallery's own checks of the examples' folders and files, and
  this site's check of the installed sphinx-gallery (an ``ExtensionError``
  raised there, not one that wraps a bug in a handler).

:func:`install` puts :func:`report` in front of Sphinx's handler: those
exceptions are printed as ``ERROR: ...`` (with the traceback only under
``-T`` or ``-v``); anything else, a bug, still gets the full crash report.
The examples' own failures never get here: :mod:`.failures` reports them.
"""

from __future__ import annotations

import errno
import os
import sys
import traceback
from collections.abc import Iterator
from pathlib import Path

from sphinx.errors import ConfigError, ExtensionError

from . import seam

#: The file system's refusals of a write, and what to do about each.
WRITE_ERRORS = {
    errno.ENOSPC: "the file system is full: free some space on it",
    errno.EDQUOT: "the disk quota is used up: free some space, or raise the quota",
    errno.EFBIG: "the file is larger than this system allows: free space or raise the limit",
    errno.EROFS: "the file system is read-only: build into a writable folder (make html BUILDDIR=...)",
    errno.EACCES: "permission was denied: make the folder writable by this user",
    errno.EPERM: "the operation is not permitted: make the folder writable by this user",
}

_THIS_PACKAGE = str(Path(__file__).parent) + os.sep


def causes(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and every exception behind it (``raise ... from``, Sphinx's wrapping of a handler's error)."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = getattr(exc, "orig_exc", None) or exc.__cause__ or exc.__context__


def _raised_in(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    return frames[-1].filename if frames else ""


def clear_message(exc: BaseException) -> str | None:
    """The message for an exception the project foresees, or None for one that is a bug."""
    for cause in causes(exc):
        if isinstance(cause, OSError) and cause.errno in WRITE_ERRORS:
            where = cause.filename or (f"into {os.path.relpath(_output[0])}" if _output else "a file")
            return (f"the build could not write {where}: {os.strerror(cause.errno)}. "
                    f"{WRITE_ERRORS[cause.errno].capitalize()}, then run the build again: the last good "
                    "site is still in place, and the next build repairs whatever this one left half-written.")
        if isinstance(cause, ConfigError):
            return f"in conf.py: {cause}"
        if isinstance(cause, ExtensionError) and cause.orig_exc is None:
            source = _raised_in(cause)
            if source and seam.raised_by_sphinx_gallery(source):
                return f"sphinx-gallery: {cause.message.strip()}"
            if source.startswith(_THIS_PACKAGE):
                return cause.message.strip()
    return None


def report(exception: BaseException, /, *, crash_report, stderr=sys.stderr, print_traceback: bool = False,
           **kwargs) -> None:
    """Sphinx's ``handle_exception`` (``crash_report``), with a clear message where the error is foreseen."""
    message = None if isinstance(exception, KeyboardInterrupt) else clear_message(exception)
    if message is None:
        crash_report(exception, stderr=stderr, print_traceback=print_traceback, **kwargs)
        return
    if print_traceback:
        print("".join(traceback.format_exception(exception)), file=stderr)
    print(f"\nERROR: {message}", file=stderr)


#: The output folder of the build in this process, to name where a write failed.
_output: list[str] = []


def install(app=None) -> None:
    """Answer foreseeable exceptions with :func:`report` from now on, in this process."""
    if app is not None:
        _output[:] = [str(getattr(app, "outdir", ""))] if getattr(app, "outdir", None) else []
    seam.handle_crashes_with(report)
