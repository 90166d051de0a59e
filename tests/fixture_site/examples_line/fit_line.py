"""
Fit a line
==========

Gradient descent finds the slope and intercept of noisy points on a line.
"""

# %%
# The data: fifty points near y = 3x + 1.
import matplotlib.pyplot as plt
import numpy as np

rng = np.random.default_rng(0)
x = rng.normal(size=50)
y = 3.0 * x + 1.0 + 0.1 * rng.normal(size=50)

# %%
# Training: step down the gradient of the mean squared error, which
# :func:`numpy.mean` averages over the points.
slope, intercept = 0.0, 0.0
lr = 0.1  # the learning rate
losses = []
for step in range(100):
    error = slope * x + intercept - y
    loss = float(np.mean(error**2))
    losses.append(loss)
    if step % 25 == 24:
        print(f"step {step + 1}  loss {loss:.6f}")
    slope -= lr * 2 * float(np.mean(error * x))
    intercept -= lr * 2 * float(np.mean(error))

# %%
# The loss falls quickly, then levels off at the noise.
fig, ax = plt.subplots()
ax.semilogy(losses)
ax.set_xlabel("step")
ax.set_ylabel("loss")
