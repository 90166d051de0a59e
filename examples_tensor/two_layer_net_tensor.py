"""
PyTorch: Tensors
================

The numpy program again, with PyTorch tensors. A tensor is an n-dimensional
array much like numpy's, with one big difference: it can live on an
accelerator such as a GPU. Whether that makes it faster, and by how much,
depends on the sizes and on the chips, so this site measures it rather than
promising it (:ref:`sphx_glr_auto_examples_comparison_accelerator_speedup.py`).
Gradients are still derived and coded by hand.
"""

import matplotlib.pyplot as plt
import torch

# %%
# Choosing a device
# -----------------
# Every tensor lives on a device. We take the machine's accelerator when it
# has one and the CPU otherwise; nothing else in the program depends on the
# choice. To choose yourself, name the device: ``torch.device("cpu")``;
# ``torch.device("cuda")`` for an NVIDIA GPU (or an AMD one, with PyTorch's
# ROCm build); ``"mps"`` on an Apple-silicon Mac; ``"xpu"`` for an Intel GPU.
# A tensor is made on a device with ``device=`` or copied to one with
# ``.to(device)`` (which hands back the tensor itself if it is there
# already), and a model moves all of its parameters with ``model.to(device)``.
# The tensors of one operation must be on the same device, but for a single
# number in a 0-dimensional CPU tensor: mixing two devices is a
# ``RuntimeError`` that names both.

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
# by PyTorch's own seeded generator.

dtype = torch.float32
N = 64  # examples in the batch
D_in = 1000  # input features
H = 100  # hidden units
D_out = 10  # outputs

# Drawn on the CPU from one seeded generator, then moved: every device gets
# the very same numbers.
generator = torch.Generator().manual_seed(0)


def draw(*shape):
    return torch.randn(*shape, generator=generator, dtype=dtype).to(device)


x = draw(N, D_in)
y = draw(N, D_out)
w1 = draw(D_in, H)
w2 = draw(H, D_out)

# %%
# Training by hand
# ----------------
# Line for line the numpy loop: ``@`` multiplies matrices, ``clamp(min=0)``
# is the ReLU, ``.t()`` transposes. ``loss.item()`` copies the one-element
# loss tensor back to the host as a Python number.

lr = 1e-6  # the learning rate
losses = []
for step in range(500):
    h = x @ w1
    h_relu = h.clamp(min=0)
    y_pred = h_relu @ w2

    loss = (y_pred - y).square().sum().item()
    losses.append(loss)
    if step % 100 == 99:
        print(f"step {step + 1:3d}  loss {loss:.6g}")

    # Backward pass, derived by hand exactly as in the numpy program.
    g_pred = 2.0 * (y_pred - y)
    g_w2 = h_relu.t() @ g_pred
    g_h = g_pred @ w2.t()
    g_h[h < 0] = 0
    g_w1 = x.t() @ g_h

    w1 -= lr * g_w1
    w2 -= lr * g_w2

# %%
# The loss curve
# --------------

fig, ax = plt.subplots(figsize=(6, 4))
ax.semilogy(losses)
ax.set_xlabel("training step")
ax.set_ylabel("loss (sum of squared errors)")
ax.set_title("PyTorch tensors: gradients written by hand")
plt.show()

# %%
# Try it
# ------
# Add ``torch.ones(2) + torch.ones(2, device="meta")`` at the end. The two
# tensors are on different devices, and PyTorch refuses with the
# ``RuntimeError`` for mixed devices. The ``meta`` device keeps shapes but no
# numbers, so this works on a machine without an accelerator too.
