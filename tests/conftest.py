"""The fixtures; what they use lives in helpers.py.

The ``site`` fixture builds the whole site once per test session, from a fresh
copy of the project in a temporary folder, exactly as ``make html`` would
(every example executed, warnings as errors). All tests of the built site
share that one build. Tests of the extension that need builds of their own
use the tiny numpy-only fixture site (``fixture_site``, ``built_fixture``)
instead, so that they do not pay for torch and TensorFlow.

Every test that uses a build is marked ``slow``; ``make test-fast`` runs the
others (the numerics and the extension's unit tests).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from helpers import (LANGUAGES, LOCAL, REUSED_CACHE, IdleTime, Site, Tab, Visit, built_site, chromium,
                     copy_fixture_site, copy_project, idle_time_pool, served)

# Tests read what builds print, so builds print plain text. Sphinx colours its
# output on a terminal, with FORCE_COLOR, and on CI systems (CI=true): the
# colour codes would split the lines tests look for ("reading sources... [").
os.environ.pop("FORCE_COLOR", None)
os.environ.pop("FORCE_COLOUR", None)
os.environ["NO_COLOR"] = "1"


@pytest.fixture(scope="session", autouse=True)
def runs_that_need_no_build(request, tmp_path_factory) -> None:
    """Start, before anything else, the runs that need no build, in idle time.

    The site's build keeps both CPUs busy only while it runs the examples;
    these runs take the CPU time it leaves idle (test_standalone.py: the
    downloaded scripts). They are the least urgent: what the site's build
    starts overtakes those still waiting. See ``start_in_idle_time``.
    """
    pool = _idle_time["pool"] = idle_time_pool()
    start_in_idle_time(request.session, IdleTime(None, None, pool, tmp_path_factory.mktemp))


@pytest.fixture(scope="session")
def site(request, tmp_path_factory) -> Site:
    # From the results handed to the tests, if any (helpers.REUSED_CACHE); the second build always executes.
    reused = {"EXECUTION_CACHE": str(REUSED_CACHE)} if REUSED_CACHE else None
    built = built_site(copy_project(tmp_path_factory.mktemp("project")), env=reused, languages=LANGUAGES)
    pool = _idle_time["pool"]  # made by runs_that_need_no_build, which pytest sets up first
    if any("second_site" in getattr(item, "fixturenames", ()) for item in request.session.items):
        _idle_time["second build"] = pool.submit(build_second_site, tmp_path_factory, urgency=0)
    start_in_idle_time(request.session, IdleTime(built, _idle_time.get("second build"), pool, tmp_path_factory.mktemp))
    return built


def start_in_idle_time(session: pytest.Session, idle: IdleTime) -> None:
    """Start the long runs that later tests need, on the CPU time the tests leave idle.

    Most tests keep one CPU busy; these runs take the other, at the lowest
    priority. Those that need no build start with the session; the others
    from the moment the site is built: first the second build (one long run;
    the tests that need it come last), then whatever a test module asks for
    with a function ``start_in_idle_time(items, idle)``, called once without
    the site and once with it (see ``helpers.IdleTime``): test_standalone.py,
    the scripts and notebooks it runs; test_accessibility.py, the audits of
    the translations and of the second build. A test that needs a run waits for it.
    """
    modules = {}
    for item in session.items:
        modules.setdefault(item.module, []).append(item)
    for module, items in modules.items():
        if hasattr(module, "start_in_idle_time"):
            module.start_in_idle_time(items, idle)


def build_second_site(tmp_path_factory) -> Site:
    return built_site(copy_project(tmp_path_factory.mktemp("again")), env={"EXAMPLE_WORKERS": "1", **LOCAL},
                      languages=LANGUAGES)


_idle_time: dict = {}


def pytest_sessionfinish():
    if "pool" in _idle_time:
        _idle_time.pop("pool").shutdown()


@pytest.fixture(scope="session")
def second_site(site, tmp_path_factory) -> Site:
    """Another clean build of the same sources, in another folder, without workers.

    The ``site`` build runs its examples several at a time where the machine
    has several CPUs; this one runs them one after another (each still in a
    process of its own). It is also
    built as a local ``make html`` is: no site address, no repository. The
    ``site`` fixture starts it in idle time as soon as the first build is done.
    """
    started = _idle_time.pop("second build", None)
    return started.result() if started else build_second_site(tmp_path_factory)


@pytest.fixture
def built_project(site, tmp_path) -> Path:
    """A private copy of the built project, generated files and all.

    A build of it re-runs only the examples a test changed (sphinx-gallery
    skips those whose source matches the checksum of its last run).
    """
    return Path(shutil.copytree(site.project, tmp_path / "project", symlinks=True))


@pytest.fixture(scope="session")
def fixture_site(tmp_path_factory) -> Site:
    """One clean build of the fixture site, to compare the builds of ``built_fixture`` with."""
    return built_site(copy_fixture_site(tmp_path_factory.mktemp("fixture")))


@pytest.fixture
def built_fixture(fixture_site, tmp_path) -> Path:
    """A private copy of the built fixture site, generated files and all."""
    return Path(shutil.copytree(fixture_site.project, tmp_path / "project", symlinks=True))


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium: the machine's own, driven by Playwright."""
    with chromium() as browser:
        yield browser


@pytest.fixture(scope="session")
def base_url(site):
    """The ``site`` build, served under its address's path as its host serves it."""
    with served(site.html) as url:
        yield url


@pytest.fixture(scope="session")
def tab(browser):
    """The browser tab the tests visit the site in (``helpers.Tab``)."""
    tab = Tab(browser)
    yield tab
    tab.close()


@pytest.fixture
def visit(tab, base_url):
    """Open a page of the served ``site``, in a tab as a new one would be: ``visit("tutorial.html")``.

    ``visit(path, viewport={"width": 480, "height": 900})`` opens it in a window of that size.
    """
    visits = []

    def open_page(path: str, viewport: dict | None = None) -> Visit:
        visits.append(Visit(tab, base_url, path, viewport))
        return visits[-1]

    yield open_page
    for v in visits:
        v.close()


def pytest_collection_modifyitems(items):
    """Mark every test that needs a build as slow; run the tests that wait for idle time last.

    The runs started in idle time (``start_in_idle_time``) go on while the
    other tests run; the tests that check them (marked ``idle_time``) and
    those of the second build (itself run in idle time) come after those: by
    then what they wait for is done, or nearly.
    """
    for item in items:
        if {"site", "second_site", "fixture_site", "built_fixture"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)

    def waits(item: pytest.Item) -> bool:
        return "second_site" in getattr(item, "fixturenames", ()) or bool(item.get_closest_marker("idle_time"))

    items.sort(key=waits)  # a stable sort
