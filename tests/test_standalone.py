"""The downloads work on their own: each example as a script, each notebook in Jupyter.

A reader who downloads an example gets no Sphinx and no sphinx-gallery, so
each script runs here in a fresh Python process, and each notebook the build
generated runs top to bottom in a fresh Jupyter kernel (nbclient + ipykernel).
Both run on one thread, as the build runs the examples (float32 sums can
differ in their last digits with another thread count), and must print what
the example's page shows: the notebook exactly (it shows
the value of a cell's last expression as the page does), the script every
printed line in the same order (a script shows no such values).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest
from ipykernel.kernelspec import write_kernel_spec
from nbclient import NotebookClient

from helpers import GALLERY, ONE_THREAD, ROOT, TUTORIAL, code_text

pytestmark = pytest.mark.slow

EXAMPLES = pytest.mark.parametrize(
    ("folder", "filename"),
    [(folder, filename) for folder, filename, _ in TUTORIAL],
    ids=[filename.removesuffix(".py") for _, filename, _ in TUTORIAL],
)


def printed_on_page(site, folder: str, filename: str) -> str:
    page = f"{GALLERY[folder]}/{filename.removesuffix('.py')}.html"
    return code_text(site.soup(page), ".sphx-glr-script-out pre")


def lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.strip().splitlines() if line.strip()]


def in_order_within(part: list[str], whole: list[str]) -> bool:
    rest = iter(whole)
    return all(line in rest for line in part)


@pytest.fixture(scope="module")
def script_runs(tmp_path_factory) -> dict[str, tuple[subprocess.CompletedProcess, Path]]:
    """Every tutorial example run as a script in an empty folder of its own, two at a time.

    Each run is a fresh Python on one thread, so two side by side on this
    2-CPU machine take the time of one; each test below checks its own run.
    """
    env = dict(os.environ, MPLBACKEND="Agg", **ONE_THREAD)

    def run(filename: str, folder: str):
        cwd = tmp_path_factory.mktemp(filename.removesuffix(".py"))
        result = subprocess.run([sys.executable, str(ROOT / folder / filename)], capture_output=True,
                                text=True, env=env, cwd=cwd, timeout=300)
        return filename, (result, cwd)

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(pool.map(lambda item: run(item[1], item[0]), [(f, n) for f, n, _ in TUTORIAL]))


@EXAMPLES
def test_example_runs_as_a_script_and_prints_what_its_page_shows(site, script_runs, folder, filename):
    result, tmp_path = script_runs[filename]
    assert result.returncode == 0, result.stderr[-4000:]
    printed, shown = lines(result.stdout), lines(printed_on_page(site, folder, filename))
    assert any(line.startswith("step 500  loss") for line in printed)
    assert in_order_within(printed, shown), (printed, shown)
    assert not list(tmp_path.iterdir()), "the script wrote files where it was run"


@pytest.fixture(scope="module")
def this_python_as_kernel(tmp_path_factory):
    """Make the notebooks' "python3" kernel this very Python (the project's venv).

    Otherwise Jupyter might pick a python3 kernel installed elsewhere on the
    machine, without this project's packages.
    """
    data = tmp_path_factory.mktemp("jupyter")
    write_kernel_spec(data / "kernels" / "python3")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("JUPYTER_PATH", str(data))
        for name, value in ONE_THREAD.items():  # as the build runs the examples
            mp.setenv(name, value)
        # Figures must reach the notebook as images, not go to a file backend.
        mp.delenv("MPLBACKEND", raising=False)
        yield


@pytest.fixture(scope="module")
def notebook_runs(site, this_python_as_kernel, tmp_path_factory) -> dict[str, nbformat.NotebookNode]:
    """Every tutorial example's generated notebook, run in a fresh kernel, two kernels at a time."""

    def run(folder: str, filename: str):
        path = site.project / "docs" / GALLERY[folder] / f"{filename.removesuffix('.py')}.ipynb"
        notebook = nbformat.read(path, as_version=4)
        cwd = tmp_path_factory.mktemp(f"notebook-{filename.removesuffix('.py')}")
        client = NotebookClient(notebook, timeout=300, kernel_name="python3",
                                resources={"metadata": {"path": str(cwd)}})
        client.execute()
        return filename, notebook

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(pool.map(lambda item: run(item[0], item[1]), [(f, n) for f, n, _ in TUTORIAL]))


@EXAMPLES
def test_generated_notebook_runs_top_to_bottom_in_a_fresh_kernel(site, notebook_runs, folder, filename):
    notebook = notebook_runs[filename]

    errors = [o for c in notebook.cells for o in c.get("outputs", []) if o["output_type"] == "error"]
    assert not errors
    shown = "".join(
        o["text"] if o["output_type"] == "stream" else o["data"]["text/plain"] + "\n"
        for c in notebook.cells
        for o in c.get("outputs", [])
        if o.get("name") == "stdout" or o["output_type"] == "execute_result"
    )
    assert lines(shown) == lines(printed_on_page(site, folder, filename))
    figures = [o for c in notebook.cells for o in c.get("outputs", []) if "image/png" in o.get("data", {})]
    assert len(figures) == 1, "the loss plot should show in the notebook"


# -- The comparison gallery ---------------------------------------------------------------
# Its figures are timings, which differ on every run: these check that it runs
# and what it prints, not the exact numbers.


def run_script(path, *args, cwd, env=None):
    env = dict(os.environ, MPLBACKEND="Agg", **ONE_THREAD, **(env or {}))
    return subprocess.run([sys.executable, str(path), *args], capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=300)


def test_comparison_runs_as_a_script_outside_the_checkout(tmp_path):
    # The downloaded file alone, in a folder of its own, run from another.
    downloads, elsewhere = tmp_path / "Downloads", tmp_path / "elsewhere"
    downloads.mkdir()
    elsewhere.mkdir()
    script = Path(shutil.copy(ROOT / "examples_comparison" / "all_nine_methods.py", downloads))
    result = run_script(script, cwd=elsewhere)
    assert result.returncode == 0, result.stderr[-4000:]
    assert "largest gap between them:" in result.stdout
    assert sum(line.endswith(" ms") for line in result.stdout.splitlines()) == 9
    assert not list(elsewhere.iterdir()) and [p.name for p in downloads.iterdir()] == [script.name]


def test_speedup_runs_as_a_script_and_records_its_table_with_what_produced_it(tmp_path):
    result = run_script(ROOT / "examples_comparison" / "accelerator_speedup.py", "--record", "run.csv",
                        cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-4000:]
    assert "RuntimeWarning" not in result.stderr
    recorded = (tmp_path / "run.csv").read_text().splitlines()
    about = dict(line[2:].split(": ", 1) for line in recorded if line.startswith("# "))
    assert set(about) == {"date", "command", "cpu", "accelerator", "python", "numpy", "torch", "torch threads"}
    assert about["command"].endswith("accelerator_speedup.py --record run.csv")
    table = [line for line in recorded if not line.startswith("#")]
    assert table[0].startswith("N,H,")
    assert [row.split(",")[:2] for row in table[1:]] == [["64", "100"], ["256", "256"], ["1024", "1024"], ["4096", "2048"]]


def test_speedup_records_no_accelerator_with_a_cuda_build_of_torch_on_a_machine_without_a_gpu(tmp_path):
    # What such a torch answers: "cuda" unless asked to check, and no device to name.
    fake = tmp_path / "cuda_build_without_gpu"
    fake.mkdir()
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
    result = run_script(ROOT / "examples_comparison" / "accelerator_speedup.py", "--record", "run.csv",
                        cwd=tmp_path, env={"PYTHONPATH": str(fake)})
    assert result.returncode == 0, result.stderr[-4000:]
    assert "No accelerator on this machine" in result.stdout
    assert "# accelerator: none" in (tmp_path / "run.csv").read_text()


@pytest.mark.usefixtures("this_python_as_kernel")
@pytest.mark.parametrize("filename", ["all_nine_methods", "accelerator_speedup"])
def test_comparison_notebook_runs_top_to_bottom_in_an_empty_folder(site, tmp_path, filename):
    gallery = site.project / "docs" / GALLERY["examples_comparison"]
    notebook = nbformat.read(gallery / f"{filename}.ipynb", as_version=4)
    NotebookClient(notebook, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    errors = [o for c in notebook.cells for o in c.get("outputs", []) if o["output_type"] == "error"]
    assert not errors
    figures = [o for c in notebook.cells for o in c.get("outputs", []) if "image/png" in o.get("data", {})]
    assert len(figures) == 1
    printed = "".join(o.get("text", "") for c in notebook.cells for o in c.get("outputs", []))
    assert " ms" in printed
    assert not list(tmp_path.iterdir())
