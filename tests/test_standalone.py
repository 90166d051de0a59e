"""The downloads work on their own: each example as a script, each notebook in Jupyter.

A reader who downloads an example gets no Sphinx and no sphinx-gallery, so
each script runs here in a fresh Python process, and each notebook the build
generated runs top to bottom in a fresh Jupyter kernel (nbclient + ipykernel).
Both run on one thread, as the build runs the examples (float32 sums can
differ in their last digits with another thread count), and must print what
the example's page shows: the notebook exactly (it shows
the value of a cell's last expression as the page does), the script every
printed line in the same order (a script shows no such values).

Every run is a fresh process on one thread, so the runs the selected tests
check start early, on the CPU time the tests before these leave idle
(``start_in_idle_time``, called by conftest): the scripts when the session
starts, while the site builds, and the notebooks, two at a time on this
2-CPU machine, as soon as the site is built. Each test below waits for its own run.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import sys
from concurrent.futures import Future
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest
from ipykernel.kernelspec import write_kernel_spec
from jupyter_client import KernelManager
from jupyter_client.kernelspec import KernelSpecManager
from nbclient import NotebookClient

from helpers import GALLERY, ONE_THREAD, ROOT, TUTORIAL, Pool, at_lowest_priority, code_text, in_idle_time, run_program
from gallery_runner.staleness import guess_cost

pytestmark = [pytest.mark.slow, pytest.mark.idle_time]

EXAMPLES = pytest.mark.parametrize(
    ("folder", "filename"),
    [(folder, filename) for folder, filename, _ in TUTORIAL],
    ids=[filename.removesuffix(".py") for _, filename, _ in TUTORIAL],
)
COMPARISON = ROOT / "examples_comparison"


def printed_on_page(site, folder: str, filename: str) -> str:
    page = f"{GALLERY[folder]}/{filename.removesuffix('.py')}.html"
    return code_text(site.soup(page), ".sphx-glr-script-out pre")


def lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.strip().splitlines() if line.strip()]


def in_order_within(part: list[str], whole: list[str]) -> bool:
    rest = iter(whole)
    return all(line in rest for line in part)


def outputs(notebook: nbformat.NotebookNode) -> list[dict]:
    return [o for c in notebook.cells for o in c.get("outputs", [])]


# -- The runs -------------------------------------------------------------------------------
# Each test names the run it checks (RUN_OF); only the runs of the selected
# tests start, the longest first.


def run_script(path, *args, cwd, env=None) -> subprocess.CompletedProcess:
    env = dict(os.environ, MPLBACKEND="Agg", **ONE_THREAD, **(env or {}))
    return run_program([sys.executable, str(path), *args], capture_output=True, text=True,
                       env=env, cwd=cwd, timeout=300)


def run_notebook(path: Path, cwd: Path, kernels: Path) -> nbformat.NotebookNode:
    """Run a notebook top to bottom in a fresh "python3" kernel, the one in ``kernels``."""
    notebook = nbformat.read(path, as_version=4)
    # Only that kernel: Jupyter might otherwise pick a python3 kernel installed
    # elsewhere on the machine, without this project's packages.
    kernel = KernelManager(kernel_name="python3", kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(kernels)]))
    # One thread, as the build runs the examples; figures reach the notebook
    # as images (the inline backend), not an off-screen one.
    env = {name: value for name, value in os.environ.items() if name != "MPLBACKEND"} | ONE_THREAD
    client = NotebookClient(notebook, km=kernel, timeout=300, resources={"metadata": {"path": str(cwd)}})
    client.execute(env=env, cleanup_kc=True)  # and shut the kernel down, though the client did not make it
    return notebook


def example_script(folder: str, filename: str, make_dir):
    cwd = make_dir(filename.removesuffix(".py"))
    return SimpleNamespace(result=run_script(ROOT / folder / filename, cwd=cwd), cwd=cwd)


def generated_notebook(folder: str, filename: str, language: str, make_dir, site):
    # The Chinese notebook is the one the Chinese site offers: the same program, its prose in Chinese.
    gallery = site.project / "docs" / GALLERY[folder] / ("" if language == "en" else language)
    path = gallery / f"{filename.removesuffix('.py')}.ipynb"
    cwd = make_dir(f"notebook-{language}-{filename.removesuffix('.py')}")
    return SimpleNamespace(notebook=run_notebook(path, cwd, kernels(make_dir)), cwd=cwd)


def comparison_downloaded(make_dir):
    # The downloaded file alone, in a folder of its own, run from another.
    downloads, elsewhere = make_dir("Downloads"), make_dir("elsewhere")
    script = Path(shutil.copy(COMPARISON / "all_nine_methods.py", downloads))
    return SimpleNamespace(result=run_script(script, cwd=elsewhere), script=script,
                           downloads=downloads, elsewhere=elsewhere)


def speedup_recorded(make_dir):
    cwd = make_dir("speedup")
    result = run_script(COMPARISON / "accelerator_speedup.py", "--record", "run.csv", cwd=cwd)
    return SimpleNamespace(result=result, cwd=cwd)


def speedup_on_a_cuda_build_without_a_gpu(make_dir):
    # What such a torch answers: "cuda" unless asked to check, and no device to name.
    cwd, fake = make_dir("speedup-no-gpu"), make_dir("cuda_build_without_gpu")
    (fake / "sitecustomize.py").write_text(
        "import torch\n"
        "def current_accelerator(check_available=False):\n"
        "    return None if check_available else torch.device('cuda')\n"
        "def no_gpu(*args, **kwargs):\n"
        "    raise RuntimeError('Found no NVIDIA driver on your system')\n"
        "torch.accelerator.current_accelerator = current_accelerator\n"
        "torch.accelerator.is_available = lambda: False\n"
        "torch.cuda.get_device_name = no_gpu\n",
        encoding="utf-8",
    )
    result = run_script(COMPARISON / "accelerator_speedup.py", "--record", "run.csv",
                        cwd=cwd, env={"PYTHONPATH": str(fake)})
    return SimpleNamespace(result=result, cwd=cwd)


def comparison_notebook(filename: str, make_dir, site):
    cwd = make_dir(f"notebook-{filename}")
    path = site.project / "docs" / GALLERY["examples_comparison"] / f"{filename}.ipynb"
    return SimpleNamespace(notebook=run_notebook(path, cwd, kernels(make_dir)), cwd=cwd)


# test -> (the run it checks, from its parameters; whether that run needs the built site)
RUN_OF = {
    "test_comparison_notebook_runs_top_to_bottom_in_an_empty_folder":
        (lambda filename: ("comparison notebook", filename), True),
    "test_comparison_runs_as_a_script_outside_the_checkout": (lambda: ("comparison downloaded",), False),
    "test_speedup_runs_as_a_script_and_records_its_table_with_what_produced_it":
        (lambda: ("speedup recorded",), False),
    "test_speedup_records_no_accelerator_with_a_cuda_build_of_torch_on_a_machine_without_a_gpu":
        (lambda: ("speedup without a gpu",), False),
    "test_generated_notebook_runs_top_to_bottom_in_a_fresh_kernel":
        (lambda folder, filename, language: ("notebook", folder, filename, language), True),
    "test_example_runs_as_a_script_and_prints_what_its_page_shows":
        (lambda folder, filename: ("script", folder, filename), False),
}
JOBS = {  # the order they start in: the longest runs first
    "comparison notebook": comparison_notebook,
    "comparison downloaded": comparison_downloaded,
    "speedup recorded": speedup_recorded,
    "speedup without a gpu": speedup_on_a_cuda_build_without_a_gpu,
    "notebook": generated_notebook,
    "script": example_script,
}


def run_key(item: pytest.Item) -> tuple[tuple, bool]:
    key_of, needs_site = RUN_OF[item.originalname]
    params = getattr(item, "callspec", None)
    return key_of(**(params.params if params else {})), needs_site


def kernels(make_dir) -> Path:
    """The kernel for this thread: at the lowest priority in idle time."""
    return this_python_as_kernel(make_dir, in_idle_time())


@functools.cache
def this_python_as_kernel(make_dir, lowest_priority: bool = False) -> Path:
    """A folder of kernels holding one, "python3": this very Python (the project's venv).

    ``lowest_priority``: the kernel runs at the lowest priority, as do the
    runs started in idle time (a kernel starts a session of its own, where the
    priority of the thread that started it no longer counts).
    """
    kernels = make_dir("jupyter") / "kernels"
    write_kernel_spec(kernels / "python3")
    if lowest_priority:
        spec = kernels / "python3" / "kernel.json"
        kernel = json.loads(spec.read_text(encoding="utf-8"))
        kernel["argv"][0] = at_lowest_priority(kernel["argv"][0])
        spec.write_text(json.dumps(kernel), encoding="utf-8")
    return kernels


STARTED: dict[tuple, Future] = {}


def start_runs(items: list[pytest.Item], site, pool: Pool, make_dir) -> None:
    """Start every run that ``items`` check, the longest first (with ``site``: those that need it too).

    Those that need no build are the least urgent (``IdleTime.pool``).
    """
    wanted = dict(run_key(item) for item in items)
    for lowest_priority in (True, False):  # made once, before two runs ask for one at the same time
        this_python_as_kernel(make_dir, lowest_priority)
    order = list(JOBS)
    for key in sorted(wanted, key=lambda key: (order.index(key[0]), -guessed_cost(key))):
        if key not in STARTED and (site or not wanted[key]):
            extra = {"site": site} if wanted[key] else {}
            STARTED[key] = pool.submit(JOBS[key[0]], *key[1:], make_dir=make_dir, urgency=2 if wanted[key] else 3,
                                       **extra)


def guessed_cost(key: tuple) -> float:
    """How long an example's script or notebook is guessed to run, as the build guesses it.

    Among the runs of one kind, the longest start first, so that the last to
    end are short ones (they end about together).
    """
    return guess_cost(ROOT / key[1] / key[2]) if key[0] in ("script", "notebook") else 0.0


def start_in_idle_time(items, idle) -> None:
    """Called by conftest when the session starts (the runs that need no build) and once the site is built."""
    start_runs(items, idle.site, idle.pool, idle.mktemp)


@pytest.fixture(scope="module")
def runs(request) -> dict[tuple, Future]:
    """Every run the selected tests of this module check; each test waits for its own.

    conftest started those that need no build when the session began, and
    starts the others once the site is built.
    """
    here = [item for item in request.session.items if item.module is request.module]
    if any(run_key(item)[1] for item in here):
        request.getfixturevalue("site")  # built now, if no test before needed it; that starts the runs
    return STARTED


@pytest.fixture
def run(request, runs):
    """The run this test checks, once it has ended (its exception, if it raised)."""
    return runs[run_key(request.node)[0]].result()


# -- The tutorial's examples ------------------------------------------------------------------


@EXAMPLES
def test_example_runs_as_a_script_and_prints_what_its_page_shows(site, run, folder, filename):
    assert run.result.returncode == 0, run.result.stderr[-4000:]
    printed, shown = lines(run.result.stdout), lines(printed_on_page(site, folder, filename))
    assert any(line.startswith("step 500  loss") for line in printed)
    assert in_order_within(printed, shown), (printed, shown)
    assert not list(run.cwd.iterdir()), "the script wrote files where it was run"


@EXAMPLES
@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_generated_notebook_runs_top_to_bottom_in_a_fresh_kernel(site, run, folder, filename, language):
    errors = [o for o in outputs(run.notebook) if o["output_type"] == "error"]
    assert not errors
    shown = "".join(
        o["text"] if o["output_type"] == "stream" else o["data"]["text/plain"] + "\n"
        for o in outputs(run.notebook)
        if o.get("name") == "stdout" or o["output_type"] == "execute_result"
    )
    assert lines(shown) == lines(printed_on_page(site, folder, filename))
    figures = [o for o in outputs(run.notebook) if "image/png" in o.get("data", {})]
    assert len(figures) == 1, "the loss plot should show in the notebook"


# -- The comparison gallery ---------------------------------------------------------------
# Its figures are timings, which differ on every run: these check that it runs
# and what it prints, not the exact numbers.


def test_comparison_runs_as_a_script_outside_the_checkout(run):
    assert run.result.returncode == 0, run.result.stderr[-4000:]
    assert "largest gap between them:" in run.result.stdout
    assert sum(line.endswith(" ms") for line in run.result.stdout.splitlines()) == 9
    assert not list(run.elsewhere.iterdir()) and [p.name for p in run.downloads.iterdir()] == [run.script.name]


def test_speedup_runs_as_a_script_and_records_its_table_with_what_produced_it(run):
    assert run.result.returncode == 0, run.result.stderr[-4000:]
    assert "RuntimeWarning" not in run.result.stderr
    recorded = (run.cwd / "run.csv").read_text().splitlines()
    about = dict(line[2:].split(": ", 1) for line in recorded if line.startswith("# "))
    assert set(about) == {"date", "command", "cpu", "accelerator", "python", "numpy", "torch", "torch threads"}
    assert about["command"].endswith("accelerator_speedup.py --record run.csv")
    table = [line for line in recorded if not line.startswith("#")]
    assert table[0].startswith("N,H,")
    assert [row.split(",")[:2] for row in table[1:]] == [["64", "100"], ["256", "256"], ["1024", "1024"], ["4096", "2048"]]


def test_speedup_records_no_accelerator_with_a_cuda_build_of_torch_on_a_machine_without_a_gpu(run):
    assert run.result.returncode == 0, run.result.stderr[-4000:]
    assert "No accelerator on this machine" in run.result.stdout
    assert "# accelerator: none" in (run.cwd / "run.csv").read_text()


@pytest.mark.parametrize("filename", ["all_nine_methods", "accelerator_speedup"])
def test_comparison_notebook_runs_top_to_bottom_in_an_empty_folder(run, filename):
    errors = [o for o in outputs(run.notebook) if o["output_type"] == "error"]
    assert not errors
    figures = [o for o in outputs(run.notebook) if "image/png" in o.get("data", {})]
    assert len(figures) == 1
    printed = "".join(o.get("text", "") for o in outputs(run.notebook))
    assert " ms" in printed
    assert not list(run.cwd.iterdir())
