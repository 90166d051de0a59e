"""
PyTorch: Tensors
================

The numpy program again, with PyTorch tensors. A tensor is an n-dimensional
array much like numpy's, with one big difference: it can live on an
accelerator such as a GPU, where this kind of arithmetic often runs many times
faster. Gradients are still derived and coded by hand.
"""

import matplotlib.pyplot as plt
import torch

# %%
# Choosing a device
# -----------------
# Every tensor lives on a device. We take the machine's accelerator when it
# has one and the CPU otherwise; nothing else in the program depends on the
# choice.

device = (
    torch.accelerator.current_accelerator()
    if torch.accelerator.is_available()
    else torch.device("cpu")
)
print(f"Running on: {device}")

# %%
# The problem
# -----------
# The same sizes and the same kind of random data as the numpy warm-up, made
# by PyTorch's own seeded generator, directly on the chosen device.

torch.manual_seed(0)
dtype = torch.float32
N, D_in, H, D_out = 64, 1000, 100, 10

x = torch.randn(N, D_in, device=device, dtype=dtype)
y = torch.randn(N, D_out, device=device, dtype=dtype)
w1 = torch.randn(D_in, H, device=device, dtype=dtype)
w2 = torch.randn(H, D_out, device=device, dtype=dtype)

# %%
# Training by hand
# ----------------
# Line for line the numpy loop: ``@`` multiplies matrices, ``clamp(min=0)``
# is the ReLU, ``.t()`` transposes. ``loss.item()`` copies the one-element
# loss tensor back to the host as a Python number.

learning_rate = 1e-6
losses = []
for step in range(500):
    h = x @ w1
    h_relu = h.clamp(min=0)
    y_pred = h_relu @ w2

    loss = (y_pred - y).pow(2).sum().item()
    losses.append(loss)
    if step % 100 == 99:
        print(f"step {step + 1:3d}  loss {loss:.6g}")

    # Backward pass, derived by hand exactly as before.
    grad_y_pred = 2.0 * (y_pred - y)
    grad_w2 = h_relu.t() @ grad_y_pred
    grad_h = grad_y_pred @ w2.t()
    grad_h[h < 0] = 0
    grad_w1 = x.t() @ grad_h

    w1 -= learning_rate * grad_w1
    w2 -= learning_rate * grad_w2

# %%
# The loss curve
# --------------

fig, ax = plt.subplots(figsize=(6, 4))
ax.semilogy(losses)
ax.set_xlabel("training step")
ax.set_ylabel("loss (sum of squared errors)")
ax.set_title("PyTorch tensors: gradients written by hand")
plt.show()
