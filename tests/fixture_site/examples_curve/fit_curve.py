"""
Fit a curve
===========

The same descent, now for the three coefficients of a parabola.

.. example-result::
   :output: 1
"""

# %%
# The data: forty points near y = x^2 - 2x.
import matplotlib.pyplot as plt
import numpy as np

rng = np.random.default_rng(1)
x = np.linspace(-1.0, 1.0, 40)
y = x**2 - 2.0 * x + 0.05 * rng.normal(size=40)
features = np.stack([x**2, x, np.ones_like(x)], axis=1)

# %%
# Training: one gradient step per iteration, on all three coefficients.
coefficients = np.zeros(3)
lr = 0.2  # the learning rate
losses = []
for step in range(200):
    error = features @ coefficients - y
    losses.append(float(np.mean(error**2)))
    coefficients -= lr * 2 * features.T @ error / len(x)
print(f"final loss {losses[-1]:.6f}")

# %%
fig, ax = plt.subplots()
ax.semilogy(losses)
ax.set_xlabel("step")
ax.set_ylabel("loss")
