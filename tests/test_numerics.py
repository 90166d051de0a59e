"""The teaching is true: what the tutorial says about its examples' numbers.

Each test runs the example files' own code (see ``runner.py``) and reads what
they computed. These are the fast tests: ``make test-fast`` runs them alone.
"""

from __future__ import annotations

import random

import numpy as np
import pytest
import torch

from helpers import TUTORIAL
from helpers import Example

N, D_IN, H, D_OUT = 64, 1000, 100, 10
FLOAT32_EPS = float(np.finfo(np.float32).eps)
FLOAT64_EPS = float(np.finfo(np.float64).eps)


def float64_round_off(scale: float) -> float:
    """How far a float64 gradient of this network, of size ``scale``, may stray by rounding alone.

    Each number of the backward pass is a sum of products along the network:
    D_IN terms in ``x @ w1``, H in ``@ w2``, D_OUT and N on the way back. A
    sum of n products is off by at most about n * eps times the size of its
    terms, and these errors add up along the chain. Which BLAS kernel (and so
    which summation order) a machine uses only moves the result within this
    bound; a factor of 4 keeps clear of it.
    """
    return 4 * FLOAT64_EPS * (D_IN + H + D_OUT + N) * scale


def shared_problem(seed: int = 1) -> dict[str, np.ndarray]:
    """One data set and one set of starting weights, in float64."""
    rng = np.random.default_rng(seed)
    return {
        "x": rng.standard_normal((N, D_IN)),
        "y": rng.standard_normal((N, D_OUT)),
        "w1": rng.standard_normal((D_IN, H)),
        "w2": rng.standard_normal((H, D_OUT)),
    }


def autograd_gradients(x, y, w1, w2) -> tuple[np.ndarray, np.ndarray]:
    """Reference gradients of the spec's network and loss, by torch autograd in float64."""
    x, y = torch.as_tensor(x, dtype=torch.float64), torch.as_tensor(y, dtype=torch.float64)
    w1 = torch.as_tensor(w1, dtype=torch.float64).requires_grad_()
    w2 = torch.as_tensor(w2, dtype=torch.float64).requires_grad_()
    loss = (torch.relu(x @ w1) @ w2 - y).pow(2).sum()
    loss.backward()
    return w1.grad.numpy(), w2.grad.numpy()


def numpy_of(value) -> np.ndarray:
    return value.detach().cpu().numpy() if isinstance(value, torch.Tensor) else np.asarray(value)


# -- Hand-written gradients ------------------------------------------------------


@pytest.mark.parametrize("filename", ["two_layer_net_numpy.py", "two_layer_net_tensor.py"])
def test_hand_written_gradients_equal_autograds(filename):
    """One step of the example's own backward pass, in float64, against autograd."""
    example = Example.named(filename)
    problem = shared_problem()
    run = example.run(problem, keep_dtype=False, stop="for step in")
    assert numpy_of(run["w1"]).dtype == np.float64
    example.step(run)

    expected_w1, expected_w2 = autograd_gradients(**problem)
    tolerance_w1 = float64_round_off(np.abs(expected_w1).max())
    np.testing.assert_allclose(numpy_of(run["g_w1"]), expected_w1, rtol=0, atol=tolerance_w1)
    np.testing.assert_allclose(numpy_of(run["g_w2"]), expected_w2, rtol=0,
                               atol=float64_round_off(np.abs(expected_w2).max()))
    # ... and the step moved the weights against those gradients: off by the
    # gradient's rounding times the learning rate, plus one rounding of w1.
    lr = run["lr"]
    np.testing.assert_allclose(numpy_of(run["w1"]), problem["w1"] - lr * expected_w1, rtol=0,
                               atol=lr * tolerance_w1 + FLOAT64_EPS * np.abs(problem["w1"]).max())


# -- The custom autograd Function ---------------------------------------------------


@pytest.fixture(scope="module")
def custom_relu():
    run = Example.named("two_layer_net_custom_function.py").run(stop="device =")
    return run["relu"]


def test_custom_relu_passes_gradcheck(custom_relu):
    # Finite differences are meaningless across the kink, so keep clear of 0.
    x = torch.randn(200, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    x = torch.where(x.abs() < 0.1, x.sign() * 0.5 + x, x).requires_grad_()
    assert torch.autograd.gradcheck(custom_relu, (x,))


def test_custom_relu_matches_clamp_forward_and_backward_including_at_zero(custom_relu):
    x = torch.tensor([-2.0, -1e-30, 0.0, -0.0, 1e-30, 3.0], dtype=torch.float64)
    ours, theirs = x.clone().requires_grad_(), x.clone().requires_grad_()
    upstream = torch.arange(1.0, 7.0, dtype=torch.float64)

    out_ours, out_theirs = custom_relu(ours), theirs.clamp(min=0)
    assert torch.equal(out_ours, out_theirs)
    out_ours.backward(upstream)
    out_theirs.backward(upstream)
    assert torch.equal(ours.grad, theirs.grad)
    # As the example says: at exactly zero the gradient passes through, as it
    # does for clamp(min=0) (torch.relu would block it there).
    assert ours.grad.tolist() == [0.0, 0.0, 3.0, 4.0, 5.0, 6.0]


# -- TensorFlow ------------------------------------------------------------------------


def test_tensorflow_graph_gradients_equal_torch_autograds():
    import tensorflow as tf

    run = Example.named("tf_two_layer_net.py").run(stop="with tf.compat.v1.Session")
    with tf.compat.v1.Session(graph=run["graph"]) as session:
        session.run(run["initialize"])
        grad_w1, grad_w2 = session.run(
            [run["g_w1"], run["g_w2"]],
            feed_dict={run["x"]: run["x_value"], run["y"]: run["y_value"]},
        )
    expected_w1, expected_w2 = autograd_gradients(
        run["x_value"], run["y_value"], run["w1_start"], run["w2_start"]
    )
    # The graph computes in float32; compare at float32 precision.
    for got, expected in ((grad_w1, expected_w1), (grad_w2, expected_w2)):
        np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5 * np.abs(expected).max())


# -- Four programs, one algorithm ---------------------------------------------------------


def test_numpy_tensor_autograd_and_custom_function_follow_one_loss_curve():
    problem = shared_problem()
    reference = np.array(Example.named("two_layer_net_numpy.py").run(problem)["losses"])
    assert reference[0] / reference[-1] > 1e6  # it really trains
    for filename in (
        "two_layer_net_tensor.py",
        "two_layer_net_autograd.py",
        "two_layer_net_custom_function.py",
    ):
        losses = np.array(Example.named(filename).run(problem)["losses"])
        # float32 tolerance: within 1e-5 relative, or within two float32 steps
        # of the starting loss once the loss is far below what float32 resolves.
        np.testing.assert_allclose(
            losses, reference, rtol=1e-5, atol=2 * FLOAT32_EPS * reference[0], err_msg=filename
        )


# -- All nine, compared ------------------------------------------------------------------

NINE = ["numpy", "tensors", "autograd", "custom Function", "TensorFlow graph",
        "nn", "optim", "custom Module", "dynamic net"]


@pytest.mark.slow  # trains all nine, TensorFlow included
def test_comparison_trains_all_nine_and_the_gradient_descents_overlap():
    run = Example.named("all_nine_methods.py").finished()
    results = run["results"]
    assert list(results) == NINE
    # The four gradient-descent programs at lr 1e-6 (and TensorFlow's, on the
    # same weights) follow numpy's float64 curve to float32 tolerance.
    reference = np.array(results["numpy"]["losses"])
    assert reference[0] / reference[-1] > 1e6
    for name in ("tensors", "autograd", "custom Function", "TensorFlow graph"):
        np.testing.assert_allclose(results[name]["losses"], reference, rtol=1e-5,
                                   atol=2 * FLOAT32_EPS * reference[0], err_msg=name)
    # The nn family shares its own start: the same first loss, and plain SGD is
    # the hand-written update.
    assert results["nn"]["losses"][0] == results["optim"]["losses"][0] == results["custom Module"]["losses"][0]
    nn_losses = np.array(results["nn"]["losses"])
    np.testing.assert_allclose(results["custom Module"]["losses"], nn_losses, rtol=1e-5,
                               atol=2 * FLOAT32_EPS * nn_losses[0])
    # The table: a row per method, with its final loss and time per step.
    lines = run.printed.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("method"))
    for name, line in zip(NINE, lines[header + 1:header + 10]):
        assert line.startswith(name) and line.endswith(" ms")
        assert f"{results[name]['losses'][-1]:.4g}" in line
    # The figure: nine curves on a log scale, told apart by marker as well as
    # by colour, the five coinciding ones with their markers at other steps.
    assert run["ax"].get_yscale() == "log"
    curves = run["ax"].get_lines()
    assert len(curves) == 9
    assert len({line.get_marker() for line in curves}) == 9
    assert len({line.get_color() for line in curves}) == 9
    assert len({line.get_markevery()[0] for line in curves[:5]}) == 5
    assert [line.get_label() for line in run["ax"].get_lines()] == NINE


# -- DynamicNet ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dynamic_net():
    run = Example.named("dynamic_net.py").run(stop="loss_fn =")
    return run["model"], run["x"]


def test_dynamic_net_has_one_set_of_middle_parameters_whatever_the_depth(dynamic_net):
    model, x = dynamic_net
    names = {name for name, _ in model.named_parameters()}
    assert names == {f"{layer}.{p}" for layer in ("first", "middle", "last") for p in ("weight", "bias")}
    assert sum(isinstance(m, torch.nn.Linear) for m in model.modules()) == 3

    calls = []
    hook = model.middle.register_forward_hook(lambda module, args, out: calls.append(module))
    random.seed(1)
    depths = []
    try:
        for _ in range(40):
            calls.clear()
            before = [p.data_ptr() for p in model.parameters()]
            model(x)
            depths.append(model.last_depth)
            # Each hidden layer beyond the first is the one middle module again.
            assert len(calls) == model.last_depth - 1
            assert all(module is model.middle for module in calls)
            assert [p.data_ptr() for p in model.parameters()] == before
    finally:
        hook.remove()
    assert set(depths) == {1, 2, 3, 4}, "the depth should vary between forward passes"


def test_dynamic_net_gradient_adds_up_every_use_of_the_middle_layer(dynamic_net):
    model, x = dynamic_net
    model.zero_grad()
    for seed in range(100):  # find a pass that uses the middle layer twice or more
        random.seed(seed)
        out = model(x)
        if model.last_depth >= 3:
            break
    out.sum().backward()
    # Recompute the same pass with an independent copy of the middle weights
    # for each use: the shared gradient is the sum of the copies' gradients.
    uses = model.last_depth - 1
    copies = [model.middle.weight.detach().clone().requires_grad_() for _ in range(uses)]
    h = torch.relu(model.first(x))
    for w in copies:
        h = torch.relu(h @ w.t() + model.middle.bias)
    model.last(h).sum().backward()
    torch.testing.assert_close(model.middle.weight.grad, sum(w.grad for w in copies))


# -- Every example --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "filename", [filename for _, filename, _ in TUTORIAL], ids=lambda f: f.removesuffix(".py")
)
def test_loss_falls_a_hundredfold_and_output_is_reproducible(filename):
    example = Example.named(filename)
    first, second = example.finished(), example.run()  # the session's run, and one of this test's own
    losses = first["losses"]
    assert len(losses) == 500
    assert losses[0] / losses[-1] >= 100, f"loss fell only {losses[0] / losses[-1]:.3g}x"
    assert "step 500" in first.printed
    assert first.printed == second.printed
    assert first["losses"] == second["losses"]
