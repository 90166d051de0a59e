"""The register of claims: every factual sentence of the lesson that code can check.

Each test quotes the sentence it protects (``claim``), fails if that sentence
is no longer where it was (so the register and the pages move together), and
then checks the fact, mostly by running the examples' own code (``runner``).
A sentence added to the lesson that states a checkable fact gets a test here;
one that no test can check is written as opinion, or not at all.
"""

from __future__ import annotations

import ast
import hashlib
import json
import random
import re
import sys
import warnings

import numpy as np
import pytest
import torch

from helpers import EXAMPLES, ROOT
from helpers import Example


def claim(source: str, sentence: str) -> str:
    """``sentence`` as it stands in ``source`` (line breaks and indentation aside)."""
    text = (ROOT / source).read_text(encoding="utf-8")
    flat = re.sub(r"\s+", " ", re.sub(r"^\s*# ?", "", text, flags=re.M) if source.endswith(".py") else text)
    assert sentence in flat, f"{source} no longer says: {sentence}"
    return sentence


def printed_losses(printed: str) -> list[float]:
    return [float(value) for value in re.findall(r"^step +\d+ +loss (\S+)$", printed, re.M)]


# -- The narrative page: programs that check each other ------------------------------


def test_tensor_autograd_and_custom_function_print_identical_losses():
    claim("docs/tutorial.rst", "The tensor, autograd and custom-function programs draw their data and weights "
          "from the same seed and print identical losses: autograd finds exactly the gradients that were "
          "written by hand.")
    printed = [Example.named(name).finished().printed for name in (
        "two_layer_net_tensor.py", "two_layer_net_autograd.py", "two_layer_net_custom_function.py")]
    assert len(printed_losses(printed[0])) == 5
    assert printed[0] == printed[1] == printed[2]


def test_numpy_and_tensorflow_agree_until_float32_runs_out():
    claim("docs/tutorial.rst", "The numpy and TensorFlow programs share their data and starting weights; they "
          "print the same loss at step 100 and agree to four significant digits at step 200, and after that "
          "TensorFlow's float32 falls behind numpy's float64 as the loss gets tiny.")
    numpy_run = Example.named("two_layer_net_numpy.py").finished()
    tf_run = Example.named("tf_two_layer_net.py").finished()
    numpy_losses, tf_losses = printed_losses(numpy_run.printed), printed_losses(tf_run.printed)
    # The same to the printed precision at step 100, to 4 significant digits at step 200...
    assert numpy_losses[0] == tf_losses[0]
    assert f"{numpy_losses[1]:.4g}" == f"{tf_losses[1]:.4g}"
    # ...and float32 behind by step 400, once the loss is below what it resolves.
    assert tf_losses[3] > 2 * numpy_losses[3] and tf_losses[4] > 2 * numpy_losses[4]
    assert tf_run["losses"][0] == pytest.approx(numpy_run["losses"][0], rel=1e-6)  # one start


def test_nn_and_custom_module_agree_to_four_significant_digits():
    claim("docs/tutorial.rst", "The ``nn`` and custom Module programs agree to four significant digits at every "
          "printed step.")
    nn_losses = printed_losses(Example.named("two_layer_net_nn.py").finished().printed)
    module_losses = printed_losses(Example.named("two_layer_net_module.py").finished().printed)
    assert len(nn_losses) == len(module_losses) == 5
    for a, b in zip(nn_losses, module_losses):
        assert f"{a:.4g}" == f"{b:.4g}"


# (numpy expression, torch expression) as the table "From numpy to PyTorch" has them.
NUMPY_TO_TORCH = [
    ("x @ w", "x @ w"), ("np.dot(x, w)", "x.mm(w)"),
    ("a.T", "a.T"), ("a.T", "a.t()"),
    ("np.maximum(h, 0)", "h.clamp(min=0)"), ("np.maximum(h, 0)", "torch.relu(h)"),
    ("a.copy()", "a.clone()"),
    ("((y_pred - y) ** 2).sum()", "(y_pred - y).square().sum()"),
    ("float(loss)", "loss.item()"),
]


def numpy_to_torch_rows() -> list[tuple[str, str]]:
    """The table's rows as (numpy cell, PyTorch cell), as tutorial.rst writes them."""
    text = (ROOT / "docs" / "tutorial.rst").read_text(encoding="utf-8")
    table = text[text.index(".. list-table:: From numpy to PyTorch"):].split("\n\n\n", 1)[0]
    return re.findall(r"^   \* - (.*)\n     - (.*)$", table, re.M)[1:]  # after the header


@pytest.mark.parametrize(("in_numpy", "in_torch"), NUMPY_TO_TORCH)
def test_each_row_of_the_numpy_to_torch_table_computes_the_same(in_numpy, in_torch):
    claim("docs/tutorial.rst", ".. list-table:: From numpy to PyTorch")
    # The pair stands in one row of the table: the numpy cell names the one, the PyTorch cell the other.
    assert any(f"``{in_numpy}``" in left and f"``{in_torch}``" in right for left, right in numpy_to_torch_rows())
    rng = np.random.default_rng(0)
    arrays = {"x": rng.standard_normal((4, 3)), "w": rng.standard_normal((3, 2)), "a": rng.standard_normal((3, 2)),
              "h": rng.standard_normal((4, 3)), "y_pred": rng.standard_normal((4, 2)), "y": rng.standard_normal((4, 2)),
              "loss": np.array(2.5)}
    got_numpy = eval(in_numpy, {"np": np}, arrays)
    got_torch = eval(in_torch, {"torch": torch}, {k: torch.from_numpy(v) for k, v in arrays.items()})
    if in_torch.endswith(".clone()"):
        assert got_torch.data_ptr() != arrays["a"].__array_interface__["data"][0]  # memory of its own
    if in_torch.endswith(".item()"):
        assert type(got_torch) is float
    np.testing.assert_allclose(np.asarray(got_torch), got_numpy, rtol=4 * np.finfo(np.float64).eps)


def test_seeded_generators_draw_standard_normal_numbers():
    claim("docs/tutorial.rst", "``torch.randn(n, m, generator=g)``")
    a = torch.randn(500, 400, generator=torch.Generator().manual_seed(0))
    b = torch.randn(500, 400, generator=torch.Generator().manual_seed(0))
    assert torch.equal(a, b)
    assert abs(float(a.mean())) < 0.02 and abs(float(a.std()) - 1) < 0.02


# -- The narrative page: what the tools do -----------------------------------------------


@pytest.fixture(scope="module")
def custom_function_run():
    return Example.named("two_layer_net_custom_function.py").run(stop="device =")


def test_the_custom_relu_passes_the_gradient_where_the_input_is_not_negative(custom_function_run):
    claim("docs/tutorial.rst", "its ``backward`` lets the incoming gradient through wherever the input was not "
          "negative, and zeroes it elsewhere.")
    x = torch.tensor([-3.0, -0.5, 0.0, 0.5, 3.0], requires_grad=True)
    custom_function_run["relu"](x).backward(torch.full((5,), 7.0))
    assert x.grad.tolist() == [0.0, 0.0, 7.0, 7.0, 7.0]


def test_autograph_turns_python_loops_and_ifs_on_tensors_into_graph_operations():
    claim("docs/tutorial.rst", "In TensorFlow 2, code inside ``tf.function`` may use Python ``for`` and ``if`` on "
          "tensors, and AutoGraph rewrites them into graph loops and conditionals.")
    import tensorflow as tf

    @tf.function
    def f(x, n):
        for _ in tf.range(n):
            x = x * 2.0
        if tf.reduce_sum(x) > 0:
            x = -x
        return x

    graph = f.get_concrete_function(tf.TensorSpec([2]), tf.TensorSpec([], tf.int32)).graph
    kinds = {op.type for op in graph.get_operations()}
    assert kinds & {"While", "StatelessWhile"} and kinds & {"If", "StatelessIf"}
    assert f(tf.constant([1.0, 2.0]), tf.constant(3)).numpy().tolist() == [-8.0, -16.0]


def test_torch_compile_captures_the_sequential_network_as_one_graph():
    claim("docs/tutorial.rst", "``torch.compile`` captures the operations of its forward pass into a graph it can "
          "optimise (for the ``nn.Sequential`` network further down, one graph: linear, ReLU, linear).")
    run = Example.named("two_layer_net_nn.py").run(stop="losses = []")
    model, x = run["model"], run["x"]
    graphs = []

    def keep_the_graph(graph_module, example_inputs):
        graphs.append(graph_module)
        return graph_module.forward

    out = torch.compile(model, backend=keep_the_graph)(x)
    assert torch.equal(out, model(x))
    assert len(graphs) == 1
    calls = [node.target.__name__ for node in graphs[0].graph.nodes if node.op == "call_function"]
    assert calls == ["linear", "relu", "linear"]


def test_a_layer_stored_as_an_attribute_registers_its_parameters():
    claim("docs/tutorial.rst", "(a layer stored as an attribute there has its parameters registered with the "
          "model)")
    run = Example.named("two_layer_net_module.py").run(stop="losses = []")
    assert [name for name, _ in run["model"].named_parameters()] == [
        "hidden.weight", "hidden.bias", "output.weight", "output.bias"]


def test_dynamic_net_draws_its_depth_per_forward_pass_for_the_whole_batch():
    claim("docs/tutorial.rst", "Each time this ``DynamicNet`` is called, it draws a number from 0 to 3 and applies "
          "one shared ``H x H`` middle layer that many times, so the whole batch goes through a network between "
          "one and four hidden layers deep, and the next call may go through another.")
    run = Example.named("dynamic_net.py").run(stop="losses = []")
    model, x = run["model"], run["x"]
    random.seed(0)
    depths = []
    for _ in range(40):
        out = model(x)  # the same input every time
        # Counted in the graph, not taken from the model's own note: the hidden layers the output went through.
        node, layers = out.grad_fn, 0
        while node is not None:
            layers += node.name() == "ReluBackward0"
            node = next((edge for edge, _ in node.next_functions if edge is not None and edge.name() != \
                         "torch::autograd::AccumulateGrad"), None)
        assert layers == model.last_depth
        depths.append(layers)
    assert set(depths) == {1, 2, 3, 4}
    claim("examples_nn/dynamic_net.py", "each step trains a network whose depth is drawn anew, often another than the "
          "step before's.")
    repeats = sum(a == b for a, b in zip(depths, depths[1:]))
    assert 0 < repeats < len(depths) / 2  # it may repeat ("can change", not "changes"), but mostly changes
    assert out.shape == (x.shape[0], 10)
    # One middle layer, whatever the depth: its weights are shared between uses.
    assert sum(1 for m in model.modules() if isinstance(m, torch.nn.Linear) and m.in_features == m.out_features) == 1


def test_variable_and_size_average_survive_as_deprecated_leftovers():
    claim("docs/tutorial.rst", "``Variable(t)`` hands back a plain Tensor (a new one, sharing ``t``'s data, that "
          "tracks no gradient unless ``requires_grad=True`` is passed), and ``size_average=False`` becomes "
          "``reduction=\"sum\"`` with a warning.")
    from torch.autograd import Variable

    assert type(Variable(torch.ones(3))) is torch.Tensor
    t = torch.ones(3, requires_grad=True)
    plain, asked = Variable(t), Variable(t, requires_grad=True)
    assert plain is not t and plain.data_ptr() == t.data_ptr() and not plain.requires_grad
    assert asked.requires_grad and asked is not t
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        loss = torch.nn.MSELoss(size_average=False)
    assert loss.reduction == "sum" and caught
    a, b = torch.randn(4, 2), torch.randn(4, 2)
    assert torch.equal(loss(a, b), torch.nn.MSELoss(reduction="sum")(a, b))


def test_the_examples_need_nothing_newer_than_the_stated_python_and_their_pins_need_that():
    claim("docs/index.rst", "What the examples need, at least:")
    assert "**Python 3.11**" in (ROOT / "docs" / "index.rst").read_text(encoding="utf-8")
    for script in sorted(ROOT.glob("examples_*/*.py")):
        ast.parse(script.read_text(encoding="utf-8"), filename=str(script), feature_version=(3, 11))
    # What a visitor installs allows 3.11, and something in it refuses 3.10: 3.11 is the minimum.
    import importlib.metadata

    from packaging.specifiers import SpecifierSet

    from packaging.requirements import Requirement

    lines = [line for line in (ROOT / "requirements-examples.txt").read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    pinned = [Requirement(line).name for line in lines if Requirement(line).marker is None
              or Requirement(line).marker.evaluate()]  # those installed on this platform
    needs = {name: SpecifierSet(importlib.metadata.metadata(name)["Requires-Python"] or "") for name in pinned}
    assert all(spec.contains("3.11") for spec in needs.values()), needs
    assert any(not spec.contains("3.10") for spec in needs.values()), needs


def test_the_landing_page_names_the_pinned_versions():
    sentence = claim("docs/index.rst", "This site runs and tests them with the versions ``requirements.txt`` pins: "
                     "Python 3.11, PyTorch 2.13.0, TensorFlow 2.21.0 and numpy 2.4.6.")
    pins = dict(re.findall(r"^(torch|numpy|tensorflow-cpu)==([^;\s]+)", (ROOT / "requirements.txt").read_text(), re.M))
    assert f"PyTorch {pins['torch']}" in sentence and f"numpy {pins['numpy']}" in sentence
    assert f"TensorFlow {pins['tensorflow-cpu']}" in sentence
    assert f"Python {(ROOT / '.python-version').read_text().strip()}" in sentence


# -- The comparison page ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def comparison_results() -> dict:
    """What all_nine_methods.py computes (it trains all nine): the session's one run of it."""
    return Example.named("all_nine_methods.py").finished()["results"]


@pytest.mark.slow  # trains all nine, TensorFlow included
def test_plain_gradient_descent_leads_adam_until_the_last_hundred_steps(comparison_results):
    claim("examples_comparison/all_nine_methods.py", "plain gradient descent (``nn`` and the custom Module, which "
          "trace one curve) stays ahead of Adam for most of the run, and Adam only passes it in the last hundred "
          "steps")
    claim("examples_comparison/all_nine_methods.py", "The dynamic network, a different model whose depth is drawn "
          "anew at every step, levels off far above all the others.")
    results = comparison_results
    plain, adam = np.array(results["nn"]["losses"]), np.array(results["optim"]["losses"])
    np.testing.assert_allclose(results["custom Module"]["losses"], plain, rtol=1e-3)
    assert all(plain[step] < adam[step] for step in range(50, 400))
    assert adam[-1] < plain[-1]
    finals = {name: r["losses"][-1] for name, r in results.items()}
    # Far above all the others: above the highest of them, by more than a hundred times (measured: 650).
    assert max(v for k, v in finals.items() if k != "dynamic net") * 100 < finals["dynamic net"]
    # Levels off: over the last hundred steps its typical loss no longer falls, while plain descent's still does.
    dynamic = np.array(results["dynamic net"]["losses"])
    assert np.median(dynamic[450:]) > 0.7 * np.median(dynamic[400:450])
    assert np.median(plain[450:]) < 0.5 * np.median(plain[400:450])


@pytest.mark.slow  # trains all nine, TensorFlow included
def test_float32_decides_even_the_first_digit_of_the_final_losses(comparison_results):
    claim("examples_comparison/all_nine_methods.py", "the loss is down where float32 rounding (numpy computes in "
          "float64) decides even its first digit, and numpy's ends about three times lower.")
    final = {name: comparison_results[name]["losses"][-1] for name in
             ("numpy", "tensors", "autograd", "custom Function", "TensorFlow graph")}
    assert comparison_results["numpy"]["losses"][0] / final["numpy"] > 1e10  # eleven orders of magnitude
    for name, loss in final.items():
        if name != "numpy":
            assert 2 < loss / final["numpy"] < 4.5, (name, final)  # about three times
            assert f"{loss:.0e}"[0] != f"{final['numpy']:.0e}"[0], (name, final)  # another first digit


def test_the_timer_runs_blocks_until_a_minimum_time_has_passed():
    claim("examples_comparison/accelerator_speedup.py", "``torch.utils.benchmark.Timer``'s ``blocked_autorange`` "
          "runs the statement in blocks until at least ``min_run_time`` seconds have passed")
    from torch.utils.benchmark import Timer

    assert "blocked_autorange(min_run_time=" in (ROOT / "examples_comparison" / "accelerator_speedup.py").read_text()
    for min_run_time in (0.05, 0.1):
        measured = Timer("sum(range(100))").blocked_autorange(min_run_time=min_run_time)
        assert sum(measured.times) * measured.number_per_run >= min_run_time


@pytest.mark.slow  # trains all nine, TensorFlow included
def test_the_five_bare_gradient_descents_draw_one_curve(comparison_results):
    claim("examples_comparison/all_nine_methods.py", "The five programs that train two bare weight matrices by "
          "plain gradient descent (numpy, tensors, autograd, the custom Function and TensorFlow) draw one curve until "
          "the loss is tiny")
    claim("examples_comparison/all_nine_methods.py", "At the very end numpy, which computes in float64, finishes "
          "about three times lower.")
    results = comparison_results
    reference = np.array(results["numpy"]["losses"])
    # One curve on the page's log scale: each float32 loss within 0.1% of numpy's while the loss is above 1,
    # seven orders of magnitude below where it starts (measured: 0.02%)...
    big = reference > 1.0
    assert big.sum() > len(reference) / 3
    for name in ("tensors", "autograd", "custom Function", "TensorFlow graph"):
        losses = np.array(results[name]["losses"])
        assert np.max(np.abs(losses[big] / reference[big] - 1)) < 1e-3, name
        # ...and about three times above it at the end.
        assert 2 < losses[-1] / reference[-1] < 4.5, name


def _settings(source: str) -> dict[str, str]:
    """The sizes, step count, learning rates and optimisers a training script sets, as written."""
    found = dict(re.findall(r"^(N|D_in|H|D_out) = (\S+)", source, re.M))
    found["steps"] = re.search(r"range\((\d+|STEPS)\)", source).group(1)
    found["optimisers"] = sorted(
        m["kind"] + "".join(f" momentum={v}" for v in re.findall(r"momentum=([\d.]+)", m["rest"]))
        for m in re.finditer(r"torch\.optim\.(?P<kind>\w+)\(model\.parameters\(\)(?P<rest>[^)]*)\)", source)
    )
    return found


def test_the_comparison_trains_each_method_as_its_example_does():
    claim("examples_comparison/all_nine_methods.py", "with the same model, learning rate and update rule as the "
          "method's own example")
    comparison = (ROOT / "examples_comparison" / "all_nine_methods.py").read_text(encoding="utf-8")
    ours = _settings(comparison)
    assert ours["steps"] == "STEPS"
    ours["steps"] = re.search(r"^STEPS = (\d+)", comparison, re.M).group(1)
    rates = dict(re.findall(r"^(lr_bare|lr_nn) = (\S+)", comparison, re.M))
    bare = ["examples_tensor/two_layer_net_numpy.py", "examples_tensor/two_layer_net_tensor.py",
            "examples_autograd/two_layer_net_autograd.py", "examples_autograd/two_layer_net_custom_function.py",
            "examples_autograd/tf_two_layer_net.py"]
    layered = ["examples_nn/two_layer_net_nn.py", "examples_nn/two_layer_net_optim.py",
               "examples_nn/two_layer_net_module.py", "examples_nn/dynamic_net.py"]
    optimisers = []
    for name in bare + layered:
        # The code only: a "Try it" cell may name another optimiser or rate for the reader to try.
        source = "\n".join(line for line in (ROOT / name).read_text(encoding="utf-8").splitlines()
                           if not line.lstrip().startswith("#"))
        theirs = _settings(source)
        optimisers += theirs.pop("optimisers")
        assert {key: ours[key] for key in theirs} == theirs, name
        rate = re.search(r"^lr = (\S+)|Adam\(model\.parameters\(\), lr=([\d.e-]+)\)", source, re.M)
        assert (rate.group(1) or rate.group(2)) == rates["lr_bare" if name in bare else "lr_nn"], name
    # Adam, plain SGD and SGD with momentum, as in optim, the custom Module and the dynamic net.
    assert sorted(optimisers) == ours["optimisers"] == ["Adam", "SGD", "SGD momentum=0.9"]
    # The dynamic network draws its depth as its example does.
    assert "random.randint(0, 3)" in comparison and "random.randint(0, 3)" in (ROOT / layered[-1]).read_text()


def test_the_weight_update_needs_no_grad_and_backward_adds_into_grad():
    claim("examples_autograd/two_layer_net_autograd.py", "the update runs under ``torch.no_grad()``, where no graph "
          "is recorded: changing the weights is not part of the model, and outside it PyTorch refuses, with a "
          "``RuntimeError``, to change in place a leaf that requires gradients;")
    claim("examples_autograd/two_layer_net_autograd.py", "``backward()`` *adds* into ``.grad`` rather than "
          "overwriting it")
    w = torch.ones(3, requires_grad=True)
    (w * 2).sum().backward()
    # Outside no_grad, an in-place update of a leaf that requires grad is refused.
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        w -= 0.1 * w.grad
    with torch.no_grad():
        w -= 0.1 * w.grad
    assert w.grad_fn is None and w.is_leaf  # nothing recorded: w is still a plain leaf
    # A second backward adds the same gradient again.
    (w * 2).sum().backward()
    assert torch.equal(w.grad, torch.full((3,), 4.0))


# -- Sentences corrected after a reading for truth (issue 26) ------------------------------------


def test_only_floating_point_results_carry_gradients_flat_ones_pass_zeros_and_a_few_raise():
    claim("docs/tutorial.rst", "Autograd follows every operation on floating-point tensors, and only those carry "
          "gradients: an integer or boolean result, such as that of ``argmax``, of a comparison or of arithmetic "
          "on integer tensors, carries none. An operation that is flat almost everywhere, such as ``round``, "
          "passes back zeros, and a few, such as ``torch.unique``, have no derivative and raise an error in "
          "``backward()``.")
    x = torch.randn(5, requires_grad=True)
    assert (x * 2).requires_grad and torch.relu(x).requires_grad
    for result in (torch.argmax(x), x > 0, torch.arange(3) * 2):
        assert not result.requires_grad and result.grad_fn is None and not result.dtype.is_floating_point
    with pytest.raises(RuntimeError, match="floating point"):
        torch.arange(3).requires_grad_()
    torch.round(x).sum().backward()
    assert torch.equal(x.grad, torch.zeros(5))
    unique = torch.unique(x)
    assert unique.requires_grad  # it looks differentiable...
    with pytest.raises(RuntimeError, match="not implemented"):
        unique.sum().backward()  # ...until backward()


def test_a_tensorflow_1_python_loop_is_unrolled_and_a_data_dependent_one_needs_while_loop():
    claim("docs/tutorial.rst", "In TensorFlow 1 a Python ``for`` over a fixed count did work, but it ran once, while "
          "the graph was built, and left one copy of its body in the graph per pass; a loop whose length depends "
          "on the data had to be a graph operation, ``tf.while_loop``.")
    claim("examples_nn/dynamic_net.py", "whose count can change from one pass to the next, which a graph built once, "
          "as in TensorFlow 1, could not do with a Python loop.")
    import tensorflow as tf

    graph = tf.Graph()
    with graph.as_default():
        x = tf.compat.v1.placeholder(tf.float32, shape=(2, 2))
        unrolled = x
        for _ in range(3):  # runs now, while the graph is built
            unrolled = unrolled @ x
        count = tf.compat.v1.placeholder(tf.int32, shape=())
        _, looped = tf.while_loop(lambda i, v: i < count, lambda i, v: (i + 1, v @ x), (0, x))
    kinds = [op.type for op in graph.get_operations()]
    # Three copies of the body; the while loop's body is a function of its own, run by one While op.
    assert kinds.count("MatMul") == 3
    assert {"While", "StatelessWhile"} & set(kinds)
    two = [[1.0, 1.0], [0.0, 1.0]]
    with tf.compat.v1.Session(graph=graph) as session:
        # The while loop runs as often as the count fed at this run says; the unrolled one cannot change.
        for n in (1, 3, 5):
            assert session.run(looped, {x: two, count: n}).tolist() == [[1.0, n + 1.0], [0.0, 1.0]]
        assert session.run(unrolled, {x: two}).tolist() == [[1.0, 4.0], [0.0, 1.0]]


def test_keras_is_tensorflows_layer_vocabulary_a_package_of_its_own_that_tf_keras_refers_to():
    claim("docs/tutorial.rst", "TensorFlow's vocabulary for layers is Keras, which since TensorFlow 2.16 is Keras 3, "
          "a package of its own that ``tf.keras`` refers to")
    claim("examples_nn/two_layer_net_nn.py", "It plays the part that Keras's layers play for TensorFlow, but has no "
          "ready-made training loop like Keras's ``compile`` and ``fit``: the loop stays ours.")
    import keras
    import tensorflow as tf

    assert issubclass(keras.layers.Dense, keras.layers.Layer) and issubclass(torch.nn.Linear, torch.nn.Module)
    assert callable(keras.Model.compile) and callable(keras.Model.fit)
    assert not hasattr(torch.nn.Module, "fit")  # (its compile is torch.compile's, not a training loop)

    assert tuple(int(part) for part in tf.__version__.split(".")[:2]) >= (2, 16)
    assert keras.__version__.startswith("3.")
    assert tf.keras.layers.Dense is keras.layers.Dense  # the same package, not a copy inside TensorFlow
    assert "tensorflow" not in keras.__file__


def test_the_tensor_page_leaves_the_speed_of_a_gpu_to_the_page_that_measures_it():
    claim("examples_tensor/two_layer_net_tensor.py", "Whether that makes it faster, and by how much, depends on the "
          "sizes and on the chips, so this site measures it rather than promising it "
          "(:ref:`sphx_glr_auto_examples_comparison_accelerator_speedup.py`).")
    page = (ROOT / "examples_tensor" / "two_layer_net_tensor.py").read_text(encoding="utf-8")
    assert "faster" not in page.replace("Whether that makes it faster", "")
    assert (ROOT / "examples_comparison" / "accelerator_speedup.py").is_file()


def test_pages_read_alone_name_the_program_they_repeat():
    claim("examples_autograd/two_layer_net_autograd.py", "The device and the seeded data are those of the tensor "
          "program, :ref:`sphx_glr_auto_examples_tensor_two_layer_net_tensor.py`.")
    for script in sorted(ROOT.glob("examples_*/*.py")):
        # As a reader reads it: comment markers gone, so a phrase wrapped over two comment lines is found too.
        text = re.sub(r"\s+", " ", re.sub(r"^\s*# ?", "", script.read_text(encoding="utf-8"), flags=re.M))
        for vague in ("previous example", "as before", "As before"):
            assert vague not in text, f"{script.name} says {vague!r}: name the program instead"
    tensor = (ROOT / "examples_tensor" / "two_layer_net_tensor.py").read_text(encoding="utf-8")
    autograd = (ROOT / "examples_autograd" / "two_layer_net_autograd.py").read_text(encoding="utf-8")
    # What it says is so: the same device choice and the same seeded draws.
    for line in ("generator = torch.Generator().manual_seed(0)", "if torch.accelerator.is_available()"):
        assert line in tensor and line in autograd


def test_a_recorded_run_keeps_the_figures_of_the_machine_that_made_it():
    claim("examples_comparison/accelerator_speedup.py", "A run recorded on a machine with a GPU keeps that machine's "
          "figures, to set beside those of a build on a machine without one.")
    # It claims no more: nothing on the site reads a recorded run back (test_standalone runs --record).
    source = (ROOT / "examples_comparison" / "accelerator_speedup.py").read_text(encoding="utf-8")
    assert re.search(r'"accelerator": hardware', source) and '"torch": torch.__version__' in source
    assert not [p for p in ROOT.glob("examples_*/*.py") if "csv.reader" in p.read_text(encoding="utf-8")]


# -- What a visitor needs to run the examples ------------------------------------------------


def _imported_packages() -> set[str]:
    """The packages outside the standard library that the examples import."""
    found = set()
    for script in ROOT.glob("examples_*/*.py"):
        for node in ast.walk(ast.parse(script.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                found.add(node.module.split(".")[0])
    return found - set(sys.stdlib_module_names)


def _pins(path) -> dict[str, str]:
    return dict(re.findall(r"^([\w-]+)==([^;\s]+)", path.read_text(encoding="utf-8"), re.M))


def test_the_examples_requirements_are_what_they_import_at_the_versions_the_site_tests():
    claim("docs/index.rst", ":download:`requirements-examples.txt <../requirements-examples.txt>`, the packages "
          "they import: PyTorch, numpy, matplotlib and TensorFlow, at the versions this site tests.")
    examples_file = ROOT / "requirements-examples.txt"
    listed = {name.removesuffix("-cpu") for name in _pins(examples_file)}
    assert _imported_packages() == listed == {"torch", "numpy", "matplotlib", "tensorflow"}
    site_pins = _pins(ROOT / "requirements.txt")
    assert {name: site_pins[name] for name in _pins(examples_file)} == _pins(examples_file)
    # Nothing of the site's own tooling (Sphinx, pytest, Playwright, jieba) for a visitor to install.
    assert not {"sphinx", "pytest", "playwright", "jieba"} & set(_pins(examples_file))


# -- What trips learners up, and each "Try it" cell (issue 26) -------------------------------------


def run_changed(filename: str, changes: dict[str, str], *, append: str = "") -> dict:
    """The example run with the change a "Try it" cell asks for: each ``old`` (found once in the code) made ``new``."""
    import contextlib
    import io

    import matplotlib.pyplot as plt

    path = Example.named(filename).path
    source = path.read_text(encoding="utf-8")
    for old, new in changes.items():
        # In the code, not in the comments (the "Try it" cell itself quotes the code it changes).
        code = re.sub(r"(?m)^[ \t]*#.*$", lambda comment: "\0" * len(comment[0]), source)
        found = [m.start() for m in re.finditer(re.escape(old), code)]
        assert len(found) == 1, f"{filename} no longer has exactly one {old!r} in its code"
        source = source[:found[0]] + new + source[found[0] + len(old):]
    namespace = {"__name__": "__main__", "__file__": str(path)}
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # numpy's overflow warnings, which the cell announces
            exec(compile(source + append, str(path), "exec"), namespace)
    finally:
        plt.close("all")
    namespace["printed"] = out.getvalue()
    return namespace


def test_a_learning_rate_too_large_for_the_gradients_overflows_and_then_is_nan():
    claim("examples_tensor/two_layer_net_numpy.py", "numpy warns of an overflow, the loss is ``inf`` within ten "
          "steps and ``nan`` after that.")
    run = run_changed("two_layer_net_numpy.py", {"lr = 1e-6": "lr = 1e-4"})
    losses = run["losses"]
    first = next(i for i, loss in enumerate(losses) if not np.isfinite(loss))
    assert first < 10 and np.isinf(losses[first]) and all(np.isnan(loss) for loss in losses[first + 1:])
    with np.errstate(over="raise"), pytest.raises(FloatingPointError):  # numpy's warning is an overflow
        run_changed("two_layer_net_numpy.py", {"lr = 1e-6": "lr = 1e-4"})


def test_tensors_on_two_devices_are_refused_and_a_model_moves_all_its_parameters():
    claim("examples_tensor/two_layer_net_tensor.py", "a model moves all of its parameters with "
          "``model.to(device)``. The tensors of one operation must be on the same device, but for a single number in "
          "a 0-dimensional CPU tensor: mixing two devices is a ``RuntimeError`` that names both.")
    assert (torch.ones(2, device="meta") + torch.tensor(1.0)).device.type == "meta"  # the one exception
    t = torch.ones(2)
    assert t.to("cpu") is t  # already there: the tensor itself
    claim("examples_tensor/two_layer_net_tensor.py", "Add ``torch.ones(2) + torch.ones(2, device=\"meta\")`` at "
          "the end. The two tensors are on different devices, and PyTorch refuses")
    with pytest.raises(RuntimeError) as refused:
        run_changed("two_layer_net_tensor.py", {}, append='\ntorch.ones(2) + torch.ones(2, device="meta")\n')
    assert "meta" in str(refused.value) and "cpu" in str(refused.value)
    model = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.ReLU(), torch.nn.Linear(2, 1)).to("meta")
    assert {p.device.type for p in model.parameters()} == {"meta"}
    assert torch.ones(2).to("meta").device.type == "meta"  # .to(device) copies a tensor to another device


def test_requires_grad_is_off_by_default_and_a_trailing_underscore_changes_in_place():
    claim("examples_autograd/two_layer_net_autograd.py", "``requires_grad`` is ``False`` by default, and "
          "``requires_grad_()`` turns it on. A method whose name ends in an underscore, like that one or "
          "``zero_()`` below, changes its tensor in place.")
    t = torch.randn(3)
    assert t.requires_grad is False
    assert t.requires_grad_() is t and t.requires_grad
    g = torch.ones(3)
    assert g.zero_() is g and not g.any()
    assert g.add(1) is not g and not g.any()  # without the underscore: a new tensor, this one unchanged


def test_forgetting_to_zero_the_gradients_in_the_autograd_loop_ends_in_nan():
    claim("examples_autograd/two_layer_net_autograd.py", "Delete the line ``w.grad.zero_()``. Every step then "
          "adds its gradients to those of all the steps before")
    run = run_changed("two_layer_net_autograd.py", {"            w.grad.zero_()": "            pass"})
    losses = run["losses"]
    assert np.isnan(losses[-1])
    assert any(later > earlier for earlier, later in zip(losses[:100], losses[1:100]))  # it swings up and down


def test_backward_is_handed_the_gradient_of_the_output_and_gives_that_of_each_input(custom_function_run):
    claim("examples_autograd/two_layer_net_custom_function.py", "``backward`` is handed ``grad_output``, which "
          "holds ∂loss/∂output for every element of what ``forward`` returned, so it has that result's shape; it "
          "gives back ∂loss/∂input for each input of ``forward``, each shaped like its input.")
    unit = custom_function_run["ClampedLinearUnit"]
    seen = {}

    class Watched(unit):
        @staticmethod
        def backward(ctx, grad_output):
            seen["grad_output"] = grad_output.clone()
            seen["grad_input"] = unit.backward(ctx, grad_output)
            return seen["grad_input"]

    x = torch.randn(4, 3, requires_grad=True)
    out = Watched.apply(x)
    weights = torch.randn(4, 3)
    (out * weights).sum().backward()  # d loss / d out = weights
    assert torch.equal(seen["grad_output"], weights) and seen["grad_output"].shape == out.shape
    assert seen["grad_input"].shape == x.shape and torch.equal(x.grad, seen["grad_input"])


def test_gradcheck_accepts_the_custom_relu_and_refuses_a_backward_that_ignores_the_input(custom_function_run):
    claim("examples_autograd/two_layer_net_custom_function.py", "``torch.autograd.gradcheck(relu, "
          "torch.linspace(-1, 1, 8, dtype=torch.float64, requires_grad=True))`` returns ``True``. Then make "
          "``backward`` return ``grad_output`` unchanged: ``gradcheck`` raises a \"Jacobian mismatch\" error, "
          "showing the numerical and the analytical gradient side by side.")
    from torch.autograd.gradcheck import GradcheckError

    def points():
        return torch.linspace(-1, 1, 8, dtype=torch.float64, requires_grad=True)

    assert torch.autograd.gradcheck(custom_function_run["relu"], points()) is True
    broken = run_changed("two_layer_net_custom_function.py",
                         {"return grad_output.masked_fill(x < 0, 0)": "return grad_output"})
    with pytest.raises(GradcheckError, match=r"(?s)Jacobian mismatch.*numerical:.*analytical:"):
        torch.autograd.gradcheck(broken["relu"], points())


def test_tensorflow_2s_own_way_takes_the_same_steps_as_the_session():
    claim("examples_autograd/tf_two_layer_net.py", "With the same data, starting weights and learning rate, it "
          "takes the same steps as the session above.")
    run = Example.named("tf_two_layer_net.py").finished()
    assert len(run["tf2_losses"]) == len(run["losses"]) == 500
    assert "GradientTape" in Example.named("tf_two_layer_net.py").path.read_text(encoding="utf-8")
    for graph_loss, tf2_loss in zip(run["losses"][::100], run["tf2_losses"][::100]):
        assert f"{graph_loss:.4g}" == f"{tf2_loss:.4g}"
    tf2_printed = [float(v) for v in re.findall(r"^tf\.function and GradientTape, step \d+: loss (\S+)$",
                                                 run.printed, re.M)]
    assert [f"{v:.4g}" for v in tf2_printed] == [f"{v:.4g}" for v in printed_losses(run.printed)]


def test_running_a_static_graph_adds_no_operations_to_it():
    claim("examples_autograd/tf_two_layer_net.py", "Print ``len(graph.get_operations())`` after building the "
          "graph and again after the session: the same number.")
    run = run_changed("tf_two_layer_net.py", {"losses = []\nwith tf.compat.v1.Session":
                                              "built = len(graph.get_operations())\nlosses = []\nwith tf.compat.v1.Session"})
    assert run["built"] == len(run["graph"].get_operations()) > 0


def test_nn_starts_small_because_of_its_initialisation_and_a_mean_loss_is_640_times_smaller():
    claim("docs/tutorial.rst", "The ``nn`` programs start from a loss of a few hundred and learn at a rate of "
          "1e-4, where the hand-written ones start near 3 × 10\\ :sup:`7` and learn at 1e-6.")
    claim("docs/tutorial.rst", "``nn.Linear`` draws its weights uniformly between −1/√in_features and "
          "1/√in_features (±0.032 for 1000 inputs)")
    claim("docs/tutorial.rst", "with ``reduction=\"mean\"``, the default, the loss and every gradient would be 640 "
          "times smaller")
    nn_first = Example.named("two_layer_net_nn.py").finished()["losses"][0]
    hand_first = Example.named("two_layer_net_numpy.py").finished()["losses"][0]
    assert 100 < nn_first < 1000 and 2.5e7 < hand_first < 3.5e7  # "near 3 x 10^7": within a sixth
    layer = torch.nn.Linear(1000, 100)
    bound = 1 / 1000 ** 0.5
    assert f"{bound:.3f}" == "0.032" and layer.weight.abs().max() <= bound and layer.weight.abs().max() > 0.99 * bound
    assert torch.nn.MSELoss().reduction == "mean"
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(1000, 100), torch.nn.ReLU(), torch.nn.Linear(100, 10))
    x, y = torch.randn(64, 1000), torch.randn(64, 10)
    grads = {}
    for reduction in ("sum", "mean"):
        model.zero_grad()
        loss = torch.nn.MSELoss(reduction=reduction)(model(x), y)
        loss.backward()
        grads[reduction] = (loss.item(), [p.grad.clone() for p in model.parameters()])
    eps = torch.finfo(torch.float32).eps
    assert grads["sum"][0] == pytest.approx(640 * grads["mean"][0], rel=64 * eps)
    for summed, averaged in zip(grads["sum"][1], grads["mean"][1]):
        torch.testing.assert_close(summed, 640 * averaged, rtol=1e3 * eps, atol=1e3 * eps * summed.abs().max())


def test_a_mean_loss_hardly_moves_at_the_sums_rate_and_takes_the_sums_steps_at_640_times_it():
    claim("examples_nn/two_layer_net_nn.py", "after 500 steps the loss has hardly moved. Multiply ``lr`` by 640 as "
          "well and training takes the sum's steps again: each printed loss is the sum's divided by 640, to four "
          "significant digits.")
    summed = Example.named("two_layer_net_nn.py").finished()["losses"]
    mean_loss = {'nn.MSELoss(reduction="sum")': "nn.MSELoss()"}
    mean = run_changed("two_layer_net_nn.py", mean_loss)["losses"]
    assert mean[-1] * 640 > summed[0] / 2  # hardly moved, where the sum fell to about 1e-5
    both = run_changed("two_layer_net_nn.py", {**mean_loss, "lr = 1e-4": "lr = 640 * 1e-4"})["losses"]
    # Each printed loss (every 100th step) is the sum's / 640, float32 rounding apart.
    for step in (100, 200, 300, 400, 500):
        assert both[step - 1] * 640 == pytest.approx(summed[step - 1], rel=5e-4), step


def test_plain_gradient_descent_leads_adam_until_near_the_end_in_the_optim_program():
    claim("examples_nn/two_layer_net_optim.py", "It is ahead of Adam at steps 100, 200 and 300; Adam passes it only "
          "in the last third of the run, and then ends more than ten times lower.")
    adam = Example.named("two_layer_net_optim.py").finished()["losses"]
    sgd = run_changed("two_layer_net_optim.py", {"torch.optim.Adam(model.parameters(), lr=1e-4)":
                                                 "torch.optim.SGD(model.parameters(), lr=1e-4)"})["losses"]
    assert all(sgd[step - 1] < adam[step - 1] for step in (100, 200, 300))
    # The crossing: the last step at which plain descent is still ahead, in the run's last third.
    ahead = [step for step in range(1, len(adam) + 1) if sgd[step - 1] <= adam[step - 1]]
    assert len(adam) * 2 / 3 < ahead[-1] < len(adam), ahead[-1]
    assert adam[-1] * 10 < sgd[-1]


def test_full_batch_sgd_is_plain_gradient_descent():
    claim("examples_nn/two_layer_net_module.py", "Fed the whole batch at every step, as here, SGD is plain gradient "
          "descent")
    torch.manual_seed(0)
    by_hand, by_sgd = (torch.nn.Linear(5, 3) for _ in range(2))
    by_sgd.load_state_dict(by_hand.state_dict())
    x, y = torch.randn(8, 5), torch.randn(8, 3)
    optimizer = torch.optim.SGD(by_sgd.parameters(), lr=0.1)
    for _ in range(3):
        for model in (by_hand, by_sgd):
            model.zero_grad()
            torch.nn.functional.mse_loss(model(x), y, reduction="sum").backward()
        with torch.no_grad():
            for p in by_hand.parameters():
                p -= 0.1 * p.grad
        optimizer.step()
    eps = torch.finfo(torch.float32).eps
    for a, b in zip(by_hand.parameters(), by_sgd.parameters()):
        # The same update, step for step, to float32 rounding (SGD fuses the multiply and the add).
        torch.testing.assert_close(a, b, rtol=16 * eps, atol=16 * eps)


def test_without_zero_grad_the_gradients_pile_up_and_the_loss_ends_far_higher():
    claim("examples_nn/two_layer_net_module.py", "Delete ``optimizer.zero_grad()``. The gradients of all earlier "
          "steps then add up in ``.grad``, each update pushes further in old directions, and the loss at step 500 "
          "ends more than 100,000 times higher than with it.")
    cleared = Example.named("two_layer_net_module.py").finished()["losses"]
    piled = run_changed("two_layer_net_module.py", {"    optimizer.zero_grad()\n": ""})["losses"]
    assert piled[-1] > 1e5 * cleared[-1]


def test_a_network_of_one_fixed_depth_fits_far_better_than_the_one_whose_depth_changes():
    claim("examples_nn/dynamic_net.py", "Every pass is then the same network with one hidden layer, and the loss "
          "falls below 10⁻⁹ by step 500, far below that of the network whose depth changes.")
    varying = Example.named("dynamic_net.py").finished()["losses"]
    fixed = run_changed("dynamic_net.py", {"random.randint(0, 3)": "random.randint(0, 0)"})
    assert fixed["losses"][-1] < 1e-9 < varying[-1]
    assert set(fixed["depths"]) == {1}


def test_changing_data_bypasses_autograd_where_an_in_place_change_is_reported():
    claim("docs/tutorial.rst", "``.data`` is the same numbers with autograd left out: a tensor that autograd saved "
          "for the backward pass can be changed that way without an error, and the gradients come out wrong, where "
          "the same change made in place under ``torch.no_grad()`` is reported when ``backward()`` runs.")
    x = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)
    expected = torch.sigmoid(x) * (1 - torch.sigmoid(x))
    through_data = torch.sigmoid(x)  # sigmoid saves its result for the backward pass
    through_data.data.mul_(2)
    through_data.sum().backward()
    assert not torch.allclose(x.grad, expected.detach())  # silently wrong
    x.grad = None
    in_place = torch.sigmoid(x)
    with torch.no_grad():
        in_place.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        in_place.sum().backward()


# -- What the pages say of where their outputs come from --------------------------------------


def made_under(site, folder: str, filename: str) -> tuple[dict, dict]:
    """What an example's outputs in the session build were made under, and the record of that run."""
    runs = site.project / "docs" / "auto_examples" / folder.removeprefix("examples_") / ".example_runs"
    stem = filename.removesuffix(".py")
    return (json.loads((runs / f"{stem}.fingerprint.json").read_text(encoding="utf-8")),
            json.loads((runs / f"{stem}.ran.json").read_text(encoding="utf-8")))


def line_of(site, page: str) -> str:
    (line,) = site.soup(page).select("p.example-provenance")
    return " ".join(line.get_text().split())


def test_every_output_comes_from_running_the_code_next_to_it_and_says_which_run(site):
    claim("docs/index.rst", "Every output and loss curve on this site was produced by running the code next to it.")
    claim("docs/index.rst", "the line under each output names the machine, the library versions and the day of "
          "that run.")
    for folder, filename, _ in EXAMPLES:
        made, record = made_under(site, folder, filename)
        source = ROOT / folder / filename
        # The run that made the page ran this very source...
        assert made["parts"]["source"] == hashlib.sha256(source.read_bytes()).hexdigest(), filename
        # ...and its line names that run's machine, versions and day.
        line = line_of(site, f"auto_examples/{folder.removeprefix('examples_')}/{filename[:-3]}.html")
        assert record["ran_on"]["cpu"] in line and record["ran_on"]["date"][:10] in line, line
        assert all(f"{name} {version}" in line for name, version in record["imports"]), line


def test_a_build_runs_an_example_again_when_its_code_settings_or_libraries_change(site, monkeypatch):
    claim("docs/index.rst", "A build runs an example again when its code, its settings or a library it imports "
          "has changed, and otherwise publishes its last run")
    from gallery_runner import fingerprint, uses

    made, record = made_under(site, "examples_nn", "two_layer_net_optim.py")
    parts = made["parts"]
    assert fingerprint.out_of_date(made, parts) == []  # nothing changed: its last run is published
    assert fingerprint.out_of_date(made, {**parts, "source": "0" * 64}) == ["its source changed"]
    setting = "sphinx_gallery_conf['first_notebook_cell']"
    assert fingerprint.out_of_date(made, {**parts, "settings": {**parts["settings"], setting: "x"}}) == [
        f"the setting {setting} changed"]
    torch_version = made["uses"]["torch"]
    now = uses.installed()
    monkeypatch.setattr(uses, "installed", lambda: {**now, "torch": "0.0.1"})
    assert fingerprint.out_of_date(made, parts) == [f"torch {torch_version} -> 0.0.1"]
    assert ["torch", torch_version] in record["imports"]


def test_the_times_page_says_when_and_where_each_example_last_ran(site):
    claim("docs/index.rst", ":doc:`sg_execution_times` lists how long each example took when it last ran, and on "
          "which machine and day.")
    rows = site.soup("sg_execution_times.html").select("table tbody tr")
    for folder, filename, _ in EXAMPLES:
        (row,) = [row for row in rows if filename in row.get_text()]
        _, record = made_under(site, folder, filename)
        cells = [cell.get_text(strip=True) for cell in row.select("td")]
        minutes, seconds = cells[1].split(":")
        assert abs(60 * int(minutes) + float(seconds) - record["run_time"]) < 0.01, (filename, cells)
        assert record["ran_on"]["cpu"] in cells[-1] and cells[-1].endswith(record["ran_on"]["date"][:10])


def test_each_tutorial_output_names_the_machine_and_day_of_its_run(site):
    claim("docs/tutorial.rst", "the printed output and :term:`loss` curve under each heading come from one run of "
          "the code shown there, and the line below them names the machine and the day of that run.")
    from helpers import TUTORIAL

    sections = site.soup("tutorial.html").select("div.tutorial-example")
    assert len(sections) == len(TUTORIAL)
    for section, (folder, filename, _) in zip(sections, TUTORIAL):
        _, record = made_under(site, folder, filename)
        (line,) = section.select("p.example-provenance")
        text = line.get_text()
        assert record["ran_on"]["cpu"] in text and record["ran_on"]["date"][:10] in text
        # The line follows the output and figures of that run.
        assert line.find_previous(class_="tutorial-output-label") is not None


def test_the_speed_figures_are_the_named_machines_and_another_machine_runs_it_again(site):
    claim("docs/tutorial.rst", "Its figures are that machine's, named at the foot of the page: run without an "
          "accelerator, the page says so and shows the CPU only, and a build on any other machine runs it again.")
    from gallery_runner import fingerprint, machine

    made, record = made_under(site, "examples_comparison", "accelerator_speedup.py")
    assert made["parts"]["machine"] == machine.identity() == {
        key: record["ran_on"][key] for key in ("cpu", "cores", "accelerators")}
    elsewhere = {**made["parts"], "machine": {**machine.identity(), "cpu": "another processor"}}
    assert fingerprint.out_of_date(made, elsewhere) == ["it depends on the machine, and runs on another one"]
    page = "auto_examples/comparison/accelerator_speedup.html"
    text = site.soup(page).get_text()
    line = line_of(site, page)
    assert record["ran_on"]["cpu"] in line and f"({record['ran_on']['cores']} cores)" in line
    if not record["ran_on"]["accelerators"]:
        assert "No accelerator on this machine: only the CPU figures below." in text
        assert " with " not in line.split(",")[0]


# -- Sentences corrected after the third reading (issue 36) ----------------------------------------


def test_the_graphs_nodes_are_backward_functions_linked_to_those_of_the_inputs():
    claim("docs/tutorial.rst", "each node is the backward function of one operation (a result's ``grad_fn``, such as "
          "``SumBackward0`` for the loss), linked to the nodes of the operations that made its inputs.")
    claim("examples_autograd/two_layer_net_autograd.py", "the forward pass builds a computational graph with one node "
          "per operation (its backward function, the result's ``grad_fn``)")
    w = torch.randn(3, 2, requires_grad=True)
    h = torch.randn(4, 3) @ w
    loss = h.clamp(min=0).square().sum()
    assert loss.grad_fn.name() == "SumBackward0"
    # Follow the links back from the loss: operation by operation, to the weight it started from.
    names, node = [], loss.grad_fn
    while node is not None and node.name() != "torch::autograd::AccumulateGrad":
        names.append(node.name())
        node = next((edge for edge, _ in node.next_functions if edge is not None), None)
    assert names == ["SumBackward0", "PowBackward0", "ClampBackward1", "MmBackward0"]
    assert node.variable is w  # the leaf's node keeps the weight whose .grad it fills


def test_a_new_tensor_is_untracked_but_a_result_of_a_tracked_one_is_tracked():
    claim("examples_autograd/two_layer_net_autograd.py", "A tensor made from scratch is not tracked unless asked: "
          "``requires_grad`` is ``False`` by default, and ``requires_grad_()`` turns it on.")
    claim("examples_autograd/two_layer_net_autograd.py", "The result of an operation on a tracked tensor is tracked "
          "without asking.")
    x = torch.randn(3)
    assert not x.requires_grad and x.requires_grad_() is x and x.requires_grad
    assert (x * 2 + torch.ones(3)).requires_grad


def test_tf_function_runs_its_graph_again_for_the_same_shapes_and_traces_again_for_new_ones():
    claim("examples_autograd/tf_two_layer_net.py", "runs that graph on every later call with inputs of the same "
          "shapes and types (others are traced again).")
    import tensorflow as tf

    traced = []

    @tf.function
    def double(x):
        traced.append(x.shape)  # Python code runs only while tracing
        return x * 2

    for _ in range(3):
        double(tf.ones([2, 3]))
    assert len(traced) == 1
    double(tf.ones([4, 3]))
    double(tf.ones([2, 3], dtype=tf.float64))
    assert len(traced) == 3


def test_the_tensor_program_follows_numpy_line_by_line_in_float32_with_its_own_draws():
    claim("docs/tutorial.rst", "otherwise follows the numpy version line by line (its numbers are float32, not "
          "numpy's float64, and come from PyTorch's own generator)")
    claim("examples_comparison/all_nine_methods.py", "The tutorial's examples do not all draw the same data or start "
          "from the same weights")
    numpy_run = Example.named("two_layer_net_numpy.py").run(stop="losses = []")
    tensor_run = Example.named("two_layer_net_tensor.py").run(stop="losses = []")
    assert numpy_run["x"].dtype == np.float64 and tensor_run["x"].dtype == torch.float32
    assert numpy_run["x"].shape == tuple(tensor_run["x"].shape)
    assert not np.allclose(numpy_run["x"].astype(np.float32), tensor_run["x"].cpu().numpy())  # other draws



def test_a_function_with_setup_context_works_under_torch_func_and_the_combined_form_does_not(custom_function_run):
    claim("docs/tutorial.rst", "PyTorch 2 also accepts a second form, ``forward(x)`` without ``ctx`` plus a "
          "``setup_context(ctx, inputs, output)`` that fills it; only that form works inside ``torch.func`` "
          "transforms such as ``torch.func.grad``.")
    combined = custom_function_run["ClampedLinearUnit"]  # the example's own, forward(ctx, x)

    class Separate(torch.autograd.Function):  # the same operation in the second form
        forward = staticmethod(lambda x: x.clamp(min=0))
        setup_context = staticmethod(lambda ctx, inputs, output: ctx.save_for_backward(*inputs))
        backward = combined.backward

    x = torch.tensor([-1.0, 0.0, 2.0])
    assert Separate.apply(x).tolist() == combined.apply(x).tolist() == [0.0, 0.0, 2.0]
    assert torch.func.grad(lambda t: Separate.apply(t).sum())(x).tolist() == [0.0, 1.0, 1.0]
    with pytest.raises(RuntimeError, match="setup_context"):
        torch.func.grad(lambda t: combined.apply(t).sum())(x)


def test_backward_returns_the_incoming_gradient_times_the_derivative():
    claim("docs/tutorial.rst", "That is the general rule, ``backward`` returns ``grad_output`` times the derivative "
          "of ``forward`` at its input, for a derivative that is 1 or 0: a mask.")

    class Sine(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x.sin()

        @staticmethod
        def backward(ctx, grad_output):
            (x,) = ctx.saved_tensors
            return grad_output * x.cos()

    x = torch.linspace(-3, 3, 7, dtype=torch.float64, requires_grad=True)
    weights = torch.arange(7, dtype=torch.float64)  # an incoming gradient that is not all ones
    (Sine.apply(x) * weights).sum().backward()
    ours = x.grad.clone()
    x.grad = None
    (x.sin() * weights).sum().backward()
    assert torch.allclose(ours, x.grad, rtol=8 * torch.finfo(torch.float64).eps)


def test_a_module_registers_attributes_and_module_lists_but_not_plain_lists_and_calling_runs_hooks():
    claim("examples_nn/two_layer_net_module.py", "one kept in a plain Python list is not (an ``nn.ModuleList`` is).")
    claim("examples_nn/two_layer_net_module.py", "Use the model by calling it, ``model(x)``, not "
          "``model.forward(x)``: the call also runs the hooks that PyTorch and other code attach around ``forward``.")

    class Layers(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.listed = [torch.nn.Linear(2, 2)]
            self.registered = torch.nn.ModuleList([torch.nn.Linear(2, 2)])

        def forward(self, x):
            return self.registered[0](self.listed[0](x))

    model = Layers()
    assert [name for name, _ in model.named_parameters()] == ["registered.0.weight", "registered.0.bias"]
    seen = []
    model.register_forward_hook(lambda module, inputs, output: seen.append(output.shape))
    x = torch.ones(1, 2)
    model.forward(x)
    assert seen == []
    model(x)
    assert seen == [(1, 2)]


def test_super_init_comes_first_in_a_module():
    claim("examples_nn/two_layer_net_module.py", "super().__init__() # first: nn.Module sets up its registers here")

    class Late(torch.nn.Module):
        def __init__(self):
            self.layer = torch.nn.Linear(2, 2)
            super().__init__()

    with pytest.raises(AttributeError, match="before Module.__init__"):
        Late()


def test_a_leaf_gets_its_grad_and_a_tensor_moved_after_asking_does_not():
    claim("examples_autograd/two_layer_net_autograd.py", "``.to()`` makes a new tensor, the result of an operation, "
          "and backward() fills .grad only for a leaf, a tensor made directly.")
    asked_then_moved = torch.randn(3, requires_grad=True).to(torch.float64)  # a move that makes a new tensor
    moved_then_asked = torch.randn(3).to(torch.float64).requires_grad_()
    assert not asked_then_moved.is_leaf and moved_then_asked.is_leaf
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PyTorch warns when .grad of a non-leaf is read
        (asked_then_moved.sum() + moved_then_asked.sum()).backward()
        assert asked_then_moved.grad is None
    assert moved_then_asked.grad.tolist() == [1.0, 1.0, 1.0]


def test_backward_twice_on_one_graph_raises_unless_the_graph_is_kept():
    claim("examples_autograd/two_layer_net_autograd.py", "Or call ``loss.backward()`` twice in a row. The second call "
          "raises a ``RuntimeError``: walking the graph frees what it saved, so a graph can be walked once, unless "
          "the first call says ``retain_graph=True``.")
    with pytest.raises(RuntimeError, match="second time"):
        run_changed("two_layer_net_autograd.py", {"loss.backward()  # fills w1.grad and w2.grad":
                                                  "loss.backward()\n    loss.backward()"})
    kept = run_changed("two_layer_net_autograd.py", {"loss.backward()  # fills w1.grad and w2.grad":
                                                     "loss.backward(retain_graph=True)\n    loss.backward()"})
    assert len(kept["losses"]) == 500


def test_zero_grad_leaves_none_and_linear_stores_its_weight_as_outputs_by_inputs():
    claim("examples_nn/two_layer_net_nn.py", "(it sets each ``.grad`` to ``None``, and the next ``backward()`` fills "
          "it afresh)")
    claim("examples_nn/two_layer_net_nn.py", "it computes ``x @ weight.T + bias``, so its weight is stored as "
          "(outputs, inputs), the transpose of the hand-written ``w1``.")
    layer = torch.nn.Linear(1000, 100)
    assert layer.weight.shape == (100, 1000)
    x = torch.randn(4, 1000)
    assert torch.allclose(layer(x), x @ layer.weight.T + layer.bias, atol=1e-5)
    layer(x).sum().backward()
    layer.zero_grad()
    assert layer.weight.grad is None and layer.bias.grad is None
    layer(x).sum().backward()
    assert layer.weight.grad is not None


def test_one_seed_draws_the_data_and_the_starting_weights_of_nn_linear():
    claim("examples_nn/two_layer_net_nn.py", "One seed for torch's global generator: it draws the data here, and the "
          "starting weights of every nn.Linear below.")
    first = Example.named("two_layer_net_nn.py").run(stop="loss_fn = ")
    second = Example.named("two_layer_net_nn.py").run(stop="loss_fn = ")
    assert torch.equal(first["x"], second["x"])
    assert all(torch.equal(a, b) for a, b in zip(first["model"].parameters(), second["model"].parameters()))
    torch.manual_seed(1)  # another seed: other starting weights
    assert not torch.equal(torch.nn.Linear(1000, 100).weight, first["model"][0].weight.cpu())


def test_from_numpy_shares_the_arrays_memory_and_to_device_copies():
    claim("examples_comparison/accelerator_speedup.py", "from_numpy shares the array's memory (no copy); .to(device) "
          "copies it to another device.")
    array = np.zeros(3, dtype=np.float32)
    shared = torch.from_numpy(array)
    array[0] = 5.0
    assert shared[0].item() == 5.0
    assert shared.to("meta").device.type == "meta" and shared.to("cpu") is shared


def test_train_and_eval_change_dropout_but_not_the_two_layer_network():
    claim("examples_nn/two_layer_net_module.py", "A Module starts in training mode. ``model.eval()`` and "
          "``model.train()`` switch layers such as dropout and batch normalisation between training and use; this "
          "network has none, so it computes the same in both.")
    run = Example.named("two_layer_net_module.py").run(stop="losses = []")
    model, x = run["model"], run["x"]
    assert model.training
    in_training = model(x)
    assert torch.equal(model.eval()(x), in_training) and not model.training
    dropout = torch.nn.Dropout(0.5)
    ones = torch.ones(1000)
    assert not torch.equal(dropout(ones), ones) and torch.equal(dropout.eval()(ones), ones)


def test_autograd_grad_hands_gradients_back_and_inference_mode_results_never_join_a_graph():
    claim("examples_autograd/two_layer_net_autograd.py", "(``torch.autograd.grad(loss, [w1, w2])`` would instead hand "
          "the gradients back and leave ``.grad`` alone. For code that only uses a model, "
          "``torch.inference_mode()`` is a stricter ``no_grad``: what it computes can never join a graph later.)")
    w1, w2 = torch.ones(3, requires_grad=True), torch.full((3,), 2.0, requires_grad=True)
    loss = (w1 * w2).sum()
    g1, g2 = torch.autograd.grad(loss, [w1, w2])
    assert g1.tolist() == [2.0] * 3 and g2.tolist() == [1.0] * 3 and w1.grad is None and w2.grad is None
    with torch.no_grad():
        plain = w1 * 3
    with torch.inference_mode():
        inferred = w1 * 3
    assert not plain.requires_grad and not inferred.requires_grad
    (plain * w2).sum().backward()  # a no_grad result can still be used in a graph later...
    with pytest.raises(RuntimeError, match="[Ii]nference tensors"):
        (inferred * w2).sum().backward()  # ...an inference-mode one cannot


def test_tensorflow_is_needed_by_the_tensorflow_example_and_the_comparison_only():
    claim("docs/index.rst", "**TensorFlow 2**, for the TensorFlow example, which builds its graph with "
          "``tf.compat.v1``, and for the comparison of all nine.")
    from gallery_runner.imports import imported_modules

    needing = {path.name for path in ROOT.glob("examples_*/*.py") if "tensorflow" in imported_modules(path)}
    assert needing == {"tf_two_layer_net.py", "all_nine_methods.py"}


def test_each_example_prints_the_same_losses_on_every_run():
    claim("docs/tutorial.rst", "Every random generator is seeded, so each example prints the same losses on every run "
          "(the comparison and speed pages also print timings, which vary).")
    for name in ("two_layer_net_numpy.py", "two_layer_net_nn.py"):
        first, second = Example.named(name).run(), Example.named(name).run()
        assert printed_losses(first.printed) and printed_losses(first.printed) == printed_losses(second.printed)
    for name in ("all_nine_methods.py", "accelerator_speedup.py"):  # what they time, they print, in milliseconds
        assert re.search(r'\} ms"', (ROOT / "examples_comparison" / name).read_text())


def test_a_last_digit_difference_grows_to_the_third_digit_once_the_loss_is_tiny():
    claim("docs/tutorial.rst", "A float32 sum can come out differently in its last digits when it is split between "
          "threads, so on your own machine, with its own thread count or its own maths library, the printed losses "
          "may differ: in their last digits at first, and, once the loss is tiny, from about their third digit.")
    # The order of a float32 sum decides its last digits...
    big, one = np.float32(1e8), np.float32(1.0)
    assert (big + one) - big != (big - big) + one
    # ...and a difference in the last digit of one weight of 100,000, as another order of the sums would make,
    # is still in the last digits of the loss at step 100 and in its third digit at step 500.
    program = Example.named("two_layer_net_tensor.py")
    w1 = program.run(stop="losses = []")["w1"].cpu().numpy().copy()
    w1[0, 0] = np.nextafter(w1[0, 0], np.float32(np.inf))
    usual, nudged = program.finished()["losses"], program.run({"w1": w1})["losses"]
    assert abs(nudged[99] / usual[99] - 1) < 1e-5
    assert abs(nudged[499] / usual[499] - 1) > 1e-3


def test_the_glossary_says_how_plain_descent_and_other_optimisers_use_the_gradient():
    claim("docs/glossary.rst", "Plain gradient descent moves every weight a small step against its gradient; "
          "optimizers such as Adam use the gradients to choose each step.")
    claim("docs/glossary.rst", "in plain gradient descent, a weight's step is its gradient times the learning rate.")
    lr = 0.1
    steps = {}
    for name, make in (("sgd", torch.optim.SGD), ("adam", torch.optim.Adam)):
        w = torch.tensor([1.0, 2.0], requires_grad=True)
        (w.square() * torch.tensor([1.0, 100.0])).sum().backward()  # gradients 2 and 400
        grad = w.grad.clone()
        before = w.detach().clone()
        make([w], lr=lr).step()
        steps[name] = (w.detach() - before, grad)
    step, grad = steps["sgd"]
    assert torch.allclose(step, -lr * grad)  # the gradient times the learning rate, against it
    step, grad = steps["adam"]
    assert torch.allclose(step, torch.full((2,), -lr), atol=1e-6)  # Adam's first step: lr per weight, whatever the gradient
