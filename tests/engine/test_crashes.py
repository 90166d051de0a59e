"""gallery_runner.crashes: what the project foresees is a clear message; a bug still gets the crash report."""

from __future__ import annotations

import errno
import io
import os

import pytest
from sphinx.errors import ConfigError, ExtensionError

from gallery_runner import crashes


def raised(exc: BaseException) -> BaseException:
    try:
        raise exc
    except BaseException as caught:  # noqa: BLE001
        return caught


def wrapped_by_sphinx(exc: Exception) -> ExtensionError:
    """How Sphinx hands on an exception that an event handler raised."""
    try:
        try:
            raise exc
        except Exception as inner:
            raise ExtensionError("Handler <function h> for event 'builder-inited' threw an exception", inner,
                                 modname="gallery_runner.health") from inner
    except ExtensionError as outer:
        return outer


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES])
def test_a_refused_write_names_the_file_and_says_what_to_do(code):
    exc = wrapped_by_sphinx(OSError(code, os.strerror(code), "/b/_build/doctrees/index.doctree"))
    message = crashes.clear_message(exc)
    assert message.startswith(f"the build could not write /b/_build/doctrees/index.doctree: {os.strerror(code)}. ")
    assert crashes.WRITE_ERRORS[code].capitalize() in message
    assert "the last good site is still in place" in message


def test_a_write_without_a_file_name_names_the_output_folder(monkeypatch):
    monkeypatch.setattr(crashes, "_output", [os.path.join(os.getcwd(), "_build", "html")])
    message = crashes.clear_message(wrapped_by_sphinx(OSError(errno.ENOSPC, "No space left on device")))
    assert message.startswith(f"the build could not write into {os.path.join('_build', 'html')}: No space left")


def test_config_errors_and_sphinx_gallery_checks_are_messages():
    assert crashes.clear_message(raised(ConfigError("site_url must end with /"))) == \
        "in conf.py: site_url must end with /"
    from sphinx_gallery.gen_rst import _get_gallery_header
    conf = {"copyfile_regex": "", "source_suffix": {".rst": "restructuredtext"}}
    exc = raised_from(lambda: _get_gallery_header("/nonexistent", conf))
    assert crashes.clear_message(exc).startswith("sphinx-gallery: Example directory /nonexistent does not have")


def raised_from(call) -> BaseException:
    try:
        call()
    except BaseException as caught:  # noqa: BLE001
        return caught
    raise AssertionError("it did not raise")


@pytest.mark.parametrize("exc", [
    wrapped_by_sphinx(KeyError("a bug")),
    wrapped_by_sphinx(OSError(errno.ENOENT, "No such file or directory", "x")),
    raised(ExtensionError("an extension's own error, from elsewhere")),
    raised(RuntimeError("a bug")),
])
def test_a_bug_still_gets_the_crash_report(exc):
    assert crashes.clear_message(exc) is None


def test_report_prints_one_error_line_or_hands_on_to_sphinx():
    handed_on = []

    def crash_report(exc, **kwargs):
        handed_on.append(exc)

    stderr = io.StringIO()
    crashes.report(wrapped_by_sphinx(OSError(errno.ENOSPC, "No space left on device", "f.html")),
                   crash_report=crash_report, stderr=stderr)
    assert stderr.getvalue().strip().startswith("ERROR: the build could not write f.html: No space left")
    assert "Traceback" not in stderr.getvalue() and not handed_on
    bug = raised(RuntimeError("a bug"))
    crashes.report(bug, crash_report=crash_report, stderr=stderr)
    assert handed_on == [bug]
