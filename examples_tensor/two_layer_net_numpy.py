"""
Warm-up: numpy
==============

A two-layer network fitted to random data with nothing but numpy. numpy knows
about n-dimensional arrays and fast arithmetic on them, and nothing about
graphs, deep learning or gradients, so both the forward pass and the backward
pass are written out by hand.
"""

import matplotlib.pyplot as plt
import numpy as np

# %%
# The problem
# -----------
# ``N`` examples of ``D_in`` numbers each are mapped to ``D_out`` numbers
# through a hidden layer of width ``H``. Inputs and targets are plain noise:
# the point of this tutorial is the machinery, not the data. A seeded
# generator makes every run print the same numbers.

N = 64  # examples in the batch
D_in = 1000  # input features
H = 100  # hidden units
D_out = 10  # outputs

rng = np.random.default_rng(0)
x = rng.standard_normal((N, D_in))
y = rng.standard_normal((N, D_out))

# Two weight matrices and no biases, started at random.
w1 = rng.standard_normal((D_in, H))
w2 = rng.standard_normal((H, D_out))

# %%
# Training by hand
# ----------------
# Each step runs the network forward, measures the loss (the sum of squared
# differences from the targets), applies the chain rule backwards one layer
# at a time, and moves each weight a small step against its gradient.

lr = 1e-6  # the learning rate
losses = []
for step in range(500):
    # Forward: a linear layer, a ReLU, another linear layer.
    h = x @ w1
    h_relu = np.maximum(h, 0)
    y_pred = h_relu @ w2

    loss = ((y_pred - y) ** 2).sum()
    losses.append(loss)
    if step % 100 == 99:
        print(f"step {step + 1:3d}  loss {loss:.6g}")

    # Backward: the derivative of the loss with respect to each
    # intermediate value, from the output back to the first weights.
    g_pred = 2.0 * (y_pred - y)
    g_w2 = h_relu.T @ g_pred
    g_h = g_pred @ w2.T
    g_h[h < 0] = 0  # the ReLU passes no gradient where it clipped its input
    g_w1 = x.T @ g_h

    # Gradient descent.
    w1 -= lr * g_w1
    w2 -= lr * g_w2

# %%
# The loss curve
# --------------
# A logarithmic axis shows the whole descent, from the first huge loss of
# the random weights down to a near-perfect fit of the noise.

fig, ax = plt.subplots(figsize=(6, 4))
ax.semilogy(losses)
ax.set_xlabel("training step")
ax.set_ylabel("loss (sum of squared errors)")
ax.set_title("numpy: gradients written by hand")
plt.show()

# %%
# Try it
# ------
# Set ``lr = 1e-4``. Each step now overshoots by more than the last: numpy
# warns of an overflow, the loss is ``inf`` within ten steps and ``nan``
# after that. A learning rate is only right for the scale of its gradients.
