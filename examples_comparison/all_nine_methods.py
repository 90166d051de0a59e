"""
All nine methods, side by side
==============================

The tutorial solves one problem nine times, but each example draws its own
random data, so their printed losses cannot be compared directly. This page
runs all nine again on **one shared dataset** and, where the method allows
it, **one shared set of starting weights**, and puts their loss curves in one
figure.

It does not re-implement the methods: it executes each example file's own
code, swapping in the shared data and weights right after the example has
created its own. So it needs the tutorial's example files next to it: run it
from a checkout of this site's repository (as a script or as a notebook
inside it).
"""

import ast
import contextlib
import io
import statistics
import time
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import torch

# %%
# Where the examples are
# ----------------------
# The repository's ``examples_*`` folders, found from this file (a script) or
# from the working directory (a notebook, or the site's build).

start = Path(globals().get("__file__", "comparison.py")).resolve().parent
here = next(
    (folder for base in (start, Path.cwd()) for folder in (base, *base.parents)
     if (folder / "examples_tensor").is_dir()),
    None,
)
if here is None:
    raise RuntimeError(
        "This example runs the tutorial's other example files: run it from a "
        "checkout of the repository, where examples_tensor/ and the others are."
    )

# %%
# The shared problem
# ------------------
# One dataset and one pair of weight matrices, drawn once in float64 and then
# converted to whatever each example uses (float32 tensors, on its device).
#
# The five programs built on two bare weight matrices (numpy, tensors,
# autograd, the custom Function and TensorFlow) all start from ``w1`` and
# ``w2``. The three built from ``nn.Linear`` layers also have biases, and
# would diverge from such large starting weights at their learning rate, so
# they share a start of their own: one ``nn.Linear`` initialisation (weights
# and biases drawn by PyTorch's default scheme, seed 0), copied into each.
# The dynamic network has a different shape altogether; it shares only the
# data and starts from its own seeded initialisation.

N = 64  # examples in the batch
D_in = 1000  # input features
H = 100  # hidden units
D_out = 10  # outputs
rng = np.random.default_rng(2024)
x = rng.standard_normal((N, D_in))
y = rng.standard_normal((N, D_out))
w1 = rng.standard_normal((D_in, H))
w2 = rng.standard_normal((H, D_out))

torch.manual_seed(0)
layers_start = [torch.nn.Linear(D_in, H), torch.nn.Linear(H, D_out)]
start_parameters = [p.detach().clone() for layer in layers_start for p in layer.parameters()]


def start_from_shared_layers(model):
    """Copy the shared start into a model's weights and biases, in place."""
    with torch.no_grad():
        for parameter, value in zip(model.parameters(), start_parameters, strict=True):
            parameter.copy_(value)
    return model


# %%
# Running an example's own code
# -----------------------------
# :func:`run_example` executes an example file statement by statement. As soon
# as the example has defined every name in ``replace``, those values are
# swapped in: an array becomes the same kind of array the example made (same
# dtype, device and ``requires_grad``), a function is applied to the
# example's object. The training loop (``for step in ...``) gets a clock
# reading at the start of every pass and once after it, which gives the time
# of each training step. Running stops where the example starts to plot.


def like(template, value):
    """A copy of ``value`` (a numpy array) as the same kind of array as ``template``.

    A copy, because the examples update their weights in place.
    """
    if isinstance(template, torch.Tensor):
        return torch.tensor(value, dtype=template.dtype, device=template.device).requires_grad_(
            template.requires_grad)
    return np.array(value, dtype=template.dtype)


def clock_the_training_loop(tree):
    """Add ``_ticks.append(perf_counter())`` before each pass of the loop and after it."""
    def tick():
        return ast.parse("_ticks.append(_perf_counter())").body[0]

    for node in ast.walk(tree):
        block = getattr(node, "body", None)
        if not isinstance(block, list):
            continue
        for i, statement in enumerate(block):
            if isinstance(statement, ast.For) and ast.unparse(statement.target) == "step":
                statement.body.insert(0, tick())
                block.insert(i + 1, tick())
                return ast.fix_missing_locations(tree)
    raise ValueError("no `for step in ...` training loop")


def run_example(path, replace):
    """Run the example at ``path`` with ``replace`` swapped in; return its losses and step times."""
    tree = clock_the_training_loop(ast.parse(path.read_text(), filename=str(path)))
    namespace = {"__name__": "__main__", "_ticks": [], "_perf_counter": time.perf_counter}
    pending = dict(replace)
    with contextlib.redirect_stdout(io.StringIO()):  # the example's own printing
        for statement in tree.body:
            if "plt.subplots" in ast.unparse(statement):
                break
            exec(compile(ast.Module([statement], []), str(path), "exec"), namespace)
            if pending and all(name in namespace for name in pending):
                for name, value in pending.items():
                    current = namespace[name]
                    namespace[name] = value(current) if callable(value) else like(current, value)
                pending = {}
    assert not pending, f"{path.name} never defined {sorted(pending)}"
    return namespace["losses"], np.diff(namespace["_ticks"])


# %%
# The nine runs
# -------------
# Each row: the example file, what it is built with, how it updates the
# weights, and what to swap in. TensorFlow feeds numpy arrays to its graph,
# under names of its own.

shared = {"x": x, "y": y, "w1": w1, "w2": w2}
methods = [
    ("numpy", "examples_tensor/two_layer_net_numpy.py", "numpy",
     "gradient descent, hand-written gradients", shared),
    ("tensors", "examples_tensor/two_layer_net_tensor.py", "torch",
     "gradient descent, hand-written gradients", shared),
    ("autograd", "examples_autograd/two_layer_net_autograd.py", "torch",
     "gradient descent, autograd", shared),
    ("custom Function", "examples_autograd/two_layer_net_custom_function.py", "torch",
     "gradient descent, autograd", shared),
    ("TensorFlow graph", "examples_autograd/tf_two_layer_net.py", "tensorflow",
     "gradient descent, tf.gradients",
     {"x_value": x, "y_value": y, "w1_start": w1, "w2_start": w2}),
    ("nn", "examples_nn/two_layer_net_nn.py", "torch.nn",
     "gradient descent by hand", {"x": x, "y": y, "model": start_from_shared_layers}),
    ("optim", "examples_nn/two_layer_net_optim.py", "torch.nn",
     "Adam", {"x": x, "y": y, "model": start_from_shared_layers}),
    ("custom Module", "examples_nn/two_layer_net_module.py", "torch.nn",
     "SGD", {"x": x, "y": y, "model": start_from_shared_layers}),
    ("dynamic net", "examples_nn/dynamic_net.py", "torch.nn",
     "SGD with momentum", {"x": x, "y": y}),
]

results = {}
for name, file, framework, optimiser, replace in methods:
    losses, step_times = run_example(here / file, replace)
    results[name] = {"framework": framework, "optimiser": optimiser,
                     "losses": losses, "step_time": statistics.median(step_times)}

# %%
# The table
# ---------
# The median time of one training step, on this machine, in this build (one
# CPU thread per example). The first five share their starting point and
# learning rate, so they take the same steps. Their final losses still differ:
# after falling by eleven orders of magnitude, the loss is down where float32
# rounding (numpy computes in float64) decides the last digits. ``nn`` and
# the custom Module end alike too: plain SGD is the hand-written update.

# (Narrow enough for a phone: the optimisers are listed with the runs above.)
print(f"{'method':<17} {'built on':<10} {'final loss':>10} {'one step':>9}")
for name, r in results.items():
    print(f"{name:<17} {r['framework']:<10} {r['losses'][-1]:>10.4g} {r['step_time'] * 1e3:>6.2f} ms")

# %%
# Measured against where they started, the five curves on the shared weights
# are one: the largest difference between them, relative to the starting
# loss.

same_start = [np.array(results[name]["losses"]) for name in
              ("numpy", "tensors", "autograd", "custom Function", "TensorFlow graph")]
gap = max(np.max(np.abs(curve - same_start[0])) for curve in same_start[1:])
print(f"largest gap between them: {gap / same_start[0][0]:.1e} of the starting loss")

# %%
# The curves
# ----------
# The five on the shared weights lie on top of each other: same data, same
# start, same learning rate and the same arithmetic, so gradient descent takes
# the same steps in each (to float32 rounding). To show that all five are
# there, each draws its markers at other steps along the one curve. The
# ``nn`` family
# starts far lower, from small weights. Among the three that share that
# start, plain gradient descent (``nn`` and the custom Module, which trace
# one curve) stays ahead of Adam for most of the run, and Adam only passes it
# in the last hundred steps: a faster optimiser is not faster on every
# problem. The dynamic network, a different model whose depth changes at
# every step, levels off far above all the others.

# Colours from the Okabe-Ito palette, which colour-blind readers can tell
# apart, and a marker of its own per method, so the curves differ without
# colour too.
colours = ["#000000", "#E69F00", "#56B4E9", "#009E73", "#CC79A7",
           "#0072B2", "#D55E00", "#F0E442", "#999999"]
markers = ["o", "s", "^", "v", "D", "P", "X", "*", "h"]
fig, ax = plt.subplots(figsize=(7, 4.5))
for i, (name, r) in enumerate(results.items()):
    ax.semilogy(r["losses"], label=name, linewidth=1.2, color=colours[i], marker=markers[i],
                markersize=5, markevery=(10 * i, 90),
                linestyle="--" if r["framework"] == "torch.nn" else "-")
ax.set_xlabel("training step")
ax.set_ylabel("loss (sum of squared errors)")
ax.set_title("Nine ways to train one network, on one dataset")
ax.legend(fontsize="small", ncol=2)
plt.show()
