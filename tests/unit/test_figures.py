"""Unit tests of tutorial_site.figures."""

from __future__ import annotations

import matplotlib

matplotlib.use("agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from tutorial_site import figures  # noqa: E402


@pytest.fixture(autouse=True)
def no_figures_left_open():
    yield
    plt.close("all")


@pytest.mark.parametrize(("value", "said"), [
    (0, "0"), (0.5, "0.5"), (1250, "1,250"), (12.345, "12.3"), (0.00123456, "0.00123"),
    (2.9e7, "2.9 × 10^7"), (3.14e-5, "3.1 × 10^-5"), (9.96e7, "1 × 10^8"), (-4e9, "-4 × 10^9"),
    ("64 x 100", "64 x 100"), (float("nan"), "not a number"), (float("inf"), "infinity"),
    (float("-inf"), "minus infinity"),
])
def test_numbers_are_written_as_a_reader_says_them(value, said):
    assert figures.number(value) == said


def test_a_loss_curve_is_described_by_its_title_scale_and_ends():
    fig, ax = plt.subplots()
    ax.semilogy(np.geomspace(3.1e7, 4.9e-7, 500))
    ax.set_xlabel("training step")
    ax.set_ylabel("loss (sum of squared errors)")
    ax.set_title("numpy: gradients written by hand")
    assert figures.describe(fig) == (
        "numpy: gradients written by hand. Loss (sum of squared errors) against training step, on a log "
        "scale: it falls from 3.1 × 10^7 at training step 0 to 4.9 × 10^-7 at training step 499."
    )


def test_a_diverging_line_is_described_too():
    fig, ax = plt.subplots()
    ax.plot([1.0, float("inf"), float("nan")])
    assert figures.describe(fig) == (
        "Values against position: it goes from 1 at position 0 to not a number at position 2.")


def test_each_labelled_line_is_named_and_categories_name_themselves():
    fig, ax = plt.subplots()
    ax.plot(["small", "large"], [2.0, 1.0], label="CPU")
    ax.plot(["small", "large"], [1.0, 3.0], label="GPU")
    ax.plot([], [], label="nothing drawn")
    assert figures.describe(fig) == (
        "Values against position, 2 lines: CPU falls from 2 at small to 1 at large; "
        "GPU rises from 1 at small to 3 at large."
    )


def test_the_scraper_saves_each_figure_with_its_description_as_alt_text(tmp_path):
    fig, ax = plt.subplots()
    ax.plot([0, 1, 2], [3.0, 2.0, 1.0])
    ax.set_title("Falling")
    image = tmp_path / "auto_examples" / "images" / "sphx_glr_demo_001.png"
    image.parent.mkdir(parents=True)
    block_vars = {"image_path_iterator": iter([str(image)]), "example_globals": {}}
    gallery_conf = {"image_srcset": [], "matplotlib_animations": (False, None), "compress_images": (),
                    "src_dir": str(tmp_path)}
    rst = figures.scraper(None, block_vars, gallery_conf)
    assert image.is_file()
    assert ("   :alt: Falling. Values against position: it falls from 3 at position 0 to 1 at position 2.\n"
            in rst)
    assert not plt.get_fignums()  # the scraper closes what it saved
