"""
All nine methods, side by side
==============================

The tutorial's examples do not all draw the same data or start from the same
weights, so their printed losses cannot simply be laid next to each other. This page trains all nine
methods again on **one shared dataset** and, where the method allows it, from
**one shared set of starting weights**. What a run of the program below drew
and printed (where and when it ran is said at the foot of the page):

.. example-result::
   :output: 1

- The five programs that train two bare weight matrices by plain gradient
  descent (numpy, tensors, autograd, the custom Function and TensorFlow) draw
  one curve until the loss is tiny: same data, same start, same learning rate
  and the same arithmetic, so they take the same steps, to float32 rounding.
  At the very end numpy, which computes in float64, finishes about three
  times lower.
- Among the three ``torch.nn`` programs that share a start of their own,
  plain gradient descent (``nn`` and the custom Module, which trace one
  curve) stays ahead of Adam for most of the run, and Adam only passes it in
  the last hundred steps: a more elaborate optimiser is not faster on every
  problem.
- The dynamic network, a different model whose depth is drawn anew at every
  step, levels off far above all the others.

The rest of the page is the program that made these. It holds each method's
training loop in a few lines, with the same model, learning rate and update
rule as the method's own example, so that it runs anywhere on its own.
"""

import random
import statistics
import time

import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf
import torch
from torch import nn

# %%
# The shared problem
# ------------------
# One dataset and one pair of weight matrices, drawn once in float64. numpy
# uses them as they are; the torch and TensorFlow programs get float32 copies,
# as their examples use float32.
#
# The three programs built from ``nn.Linear`` layers also have biases, and
# would diverge from such large starting weights at their learning rate, so
# they share a start of their own: one default ``nn.Linear`` initialisation
# (seed 0), copied into each. The dynamic network has another shape; it shares
# only the data.
#
# Everything runs on the CPU, so that the step times in the table compare
# like with like (:doc:`accelerator_speedup` is the page about devices).

N = 64  # examples in the batch
D_in = 1000  # input features
H = 100  # hidden units
D_out = 10  # outputs
STEPS = 500  # training steps, for every method

rng = np.random.default_rng(2024)
x = rng.standard_normal((N, D_in))
y = rng.standard_normal((N, D_out))
w1 = rng.standard_normal((D_in, H))
w2 = rng.standard_normal((H, D_out))


def float32_tensor(array, requires_grad=False):
    """A float32 torch copy of a numpy array (a copy: the weights change in place)."""
    return torch.tensor(array, dtype=torch.float32, requires_grad=requires_grad)


x32, y32 = float32_tensor(x), float32_tensor(y)

torch.manual_seed(0)
layers_start = [nn.Linear(D_in, H), nn.Linear(H, D_out)]
start_values = [p.detach().clone() for layer in layers_start for p in layer.parameters()]


def from_shared_start(model):
    """``model`` with the shared start copied into its weights and biases."""
    with torch.no_grad():
        for parameter, value in zip(model.parameters(), start_values, strict=True):
            parameter.copy_(value)
    return model


# %%
# Timing a training step
# ----------------------
# Every method below is written as one function, ``step()``, that does one
# training step and returns that step's loss. :func:`train` calls it
# ``STEPS`` times with a clock around each call. Turning the loss into a
# Python ``float`` waits for the step to finish, so the clock sees all of it.


def train(step):
    """Run ``step()`` ``STEPS`` times: the losses, and the median time of one step."""
    losses, seconds = [], []
    for _ in range(STEPS):
        started = time.perf_counter()
        losses.append(float(step()))
        seconds.append(time.perf_counter() - started)
    return losses, statistics.median(seconds)


# %%
# Bare weight matrices, plain gradient descent
# --------------------------------------------
# The first five methods update ``w1`` and ``w2`` by hand with the learning
# rate ``1e-6``. They differ in who finds the gradients: the program itself
# (numpy, tensors), autograd, autograd through a custom Function, or
# TensorFlow's graph.

lr_bare = 1e-6


def numpy_by_hand():
    a, b = w1.copy(), w2.copy()

    def step():
        h = x @ a
        h_relu = np.maximum(h, 0)
        error = h_relu @ b - y
        g_pred = 2 * error
        g_h = g_pred @ b.T
        g_h[h < 0] = 0
        for w, g_w in ((a, x.T @ g_h), (b, h_relu.T @ g_pred)):
            w -= lr_bare * g_w  # in place: ``a`` and ``b`` are these arrays
        return np.square(error).sum()

    return train(step)


def tensors_by_hand():
    a, b = float32_tensor(w1), float32_tensor(w2)

    def step():
        h = x32 @ a
        h_relu = h.clamp(min=0)
        error = h_relu @ b - y32
        g_pred = 2 * error
        g_h = (g_pred @ b.T).masked_fill_(h < 0, 0)
        for w, g_w in ((a, x32.T @ g_h), (b, h_relu.T @ g_pred)):
            w -= lr_bare * g_w
        return error.square().sum()

    return train(step)


def autograd_with(activation):
    a, b = float32_tensor(w1, requires_grad=True), float32_tensor(w2, requires_grad=True)

    def step():
        loss = (activation(x32 @ a) @ b - y32).square().sum()
        loss.backward()
        with torch.no_grad():
            for w in (a, b):
                w -= lr_bare * w.grad
                w.grad = None
        return loss.detach()

    return train(step)


class Rectifier(torch.autograd.Function):
    """max(h, 0), with a backward pass written by hand."""

    @staticmethod
    def forward(ctx, h):
        ctx.save_for_backward(h)
        return h.clamp(min=0)

    @staticmethod
    def backward(ctx, incoming):
        (h,) = ctx.saved_tensors
        return incoming * (h >= 0)


def tensorflow_graph():
    graph = tf.Graph()
    with graph.as_default():
        x_in = tf.compat.v1.placeholder(tf.float32, shape=(None, D_in))
        y_in = tf.compat.v1.placeholder(tf.float32, shape=(None, D_out))
        a = tf.Variable(w1.astype(np.float32))
        b = tf.Variable(w2.astype(np.float32))
        loss = tf.reduce_sum(tf.square(tf.maximum(x_in @ a, 0.0) @ b - y_in))
        g_a, g_b = tf.gradients(loss, [a, b])
        update = [a.assign(a - lr_bare * g_a), b.assign(b - lr_bare * g_b)]
        initialise = tf.compat.v1.global_variables_initializer()
    feed = {x_in: x, y_in: y}
    with tf.compat.v1.Session(graph=graph) as session:
        session.run(initialise)
        return train(lambda: session.run([loss, update], feed_dict=feed)[0])


# %%
# ``torch.nn`` models
# -------------------
# The other four build the network from layers, with the loss function and
# learning rate ``1e-4`` of their examples. ``nn`` updates the parameters by
# hand; the others leave it to an optimiser from ``torch.optim``.

lr_nn = 1e-4
loss_fn = nn.MSELoss(reduction="sum")


def sequential():
    return nn.Sequential(nn.Linear(D_in, H), nn.ReLU(), nn.Linear(H, D_out))


def nn_by_hand():
    model = from_shared_start(sequential())

    def step():
        loss = loss_fn(model(x32), y32)
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for parameter in model.parameters():
                parameter -= lr_nn * parameter.grad
        return loss.detach()

    return train(step)


def with_optimiser(model, optimiser):
    def step():
        loss = loss_fn(model(x32), y32)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        return loss.detach()

    return train(step)


class TwoLayerNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(D_in, H)
        self.output = nn.Linear(H, D_out)

    def forward(self, inputs):
        return self.output(torch.relu(self.hidden(inputs)))


class DynamicNet(nn.Module):
    """One to four hidden layers, drawn anew on every forward pass; one shared middle layer."""

    def __init__(self):
        super().__init__()
        self.first = nn.Linear(D_in, H)
        self.middle = nn.Linear(H, H)
        self.last = nn.Linear(H, D_out)

    def forward(self, inputs):
        h = torch.relu(self.first(inputs))
        repeats = random.randint(0, 3)  # extra passes through the shared middle layer
        for _ in range(repeats):
            h = torch.relu(self.middle(h))
        return self.last(h)


def adam():
    model = from_shared_start(sequential())
    return with_optimiser(model, torch.optim.Adam(model.parameters(), lr=lr_nn))


def custom_module():
    model = from_shared_start(TwoLayerNet())
    return with_optimiser(model, torch.optim.SGD(model.parameters(), lr=lr_nn))


def dynamic_net():
    random.seed(0)  # the depths
    torch.manual_seed(0)  # its own start
    model = DynamicNet()
    return with_optimiser(model, torch.optim.SGD(model.parameters(), lr=lr_nn, momentum=0.9))


# %%
# Training all nine
# -----------------
# One row per method: its name, what it is built on, how it updates the
# weights, and the function above that trains it.

methods = [
    ("numpy", "numpy", "gradient descent, hand-written gradients", numpy_by_hand),
    ("tensors", "torch", "gradient descent, hand-written gradients", tensors_by_hand),
    ("autograd", "torch", "gradient descent, autograd", lambda: autograd_with(lambda h: h.clamp(min=0))),
    ("custom Function", "torch", "gradient descent, autograd", lambda: autograd_with(Rectifier.apply)),
    ("TensorFlow graph", "tensorflow", "gradient descent, tf.gradients", tensorflow_graph),
    ("nn", "torch.nn", "gradient descent by hand", nn_by_hand),
    ("optim", "torch.nn", "Adam", adam),
    ("custom Module", "torch.nn", "SGD", custom_module),
    ("dynamic net", "torch.nn", "SGD with momentum", dynamic_net),
]

results = {}
for name, framework, optimiser, method in methods:
    losses, step_time = method()
    results[name] = {"framework": framework, "optimiser": optimiser, "losses": losses, "step_time": step_time}

# %%
# The table
# ---------
# The median time of one training step, on this machine's CPU. The first five
# share their starting point and learning rate, so they take the same steps.
# Their final losses still differ: after falling by eleven orders of
# magnitude, the loss is down where float32 rounding (numpy computes in
# float64) decides even its first digit, and numpy's ends about three times
# lower. ``nn`` and the custom Module end alike
# too: plain SGD is the hand-written update.

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
# The five on the shared weights lie on top of each other, so each draws its
# markers at other steps along the one curve, to show that all five are
# there. The ``nn`` family starts far lower, from small weights.
#
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
