"""
PyTorch: nn
===========

Autograd finds gradients, but describing a network as raw matrix products is
tedious. The :mod:`torch.nn` package supplies the building blocks: *Modules*,
which are roughly layers (tensors in, tensors out, possibly with learnable
parameters inside), and the common loss functions. It plays the part that
Keras's layers play for TensorFlow, but has no ready-made training loop like
Keras's ``compile`` and ``fit``: the loop stays ours.
"""

import matplotlib.pyplot as plt
import torch
from torch import nn

# %%
# Device and data
# ---------------

device = (
    torch.accelerator.current_accelerator()
    if torch.accelerator.is_available()
    else torch.device("cpu")
)
print(f"Running on: {device}")

# %%

# One seed for torch's global generator: it draws the data here, and the
# starting weights of every nn.Linear below.
torch.manual_seed(0)
N = 64  # examples in the batch
D_in = 1000  # input features
H = 100  # hidden units
D_out = 10  # outputs
# Drawn on the CPU, then moved: every device gets the very same numbers.
x = torch.randn(N, D_in).to(device)
y = torch.randn(N, D_out).to(device)

# %%
# The model and the loss
# ----------------------
# :class:`nn.Sequential <torch.nn.Sequential>` runs its Modules one after
# another. Each :class:`nn.Linear <torch.nn.Linear>` owns a weight matrix and
# a bias vector, created with a sensible random initialisation and registered
# as parameters of the model; it computes ``x @ weight.T + bias``, so its
# weight is stored as (outputs, inputs), the transpose of the hand-written
# ``w1``. The loss is the sum of squared errors that the
# hand-written programs compute, now taken from ``nn``.

model = nn.Sequential(
    nn.Linear(D_in, H),
    nn.ReLU(),
    nn.Linear(H, D_out),
).to(device)
loss_fn = nn.MSELoss(reduction="sum")

print(model)

# %%
# Training
# --------
# Calling the model runs its forward pass. ``model.zero_grad()`` clears the
# gradients of every parameter at once (it sets each ``.grad`` to ``None``,
# and the next ``backward()`` fills it afresh), and the update loops over
# ``model.parameters()`` instead of naming each weight.

lr = 1e-4  # the learning rate
losses = []
for step in range(500):
    loss = loss_fn(model(x), y)
    losses.append(loss.item())
    if step % 100 == 99:
        print(f"step {step + 1:3d}  loss {loss.item():.6g}")

    model.zero_grad()
    loss.backward()

    with torch.no_grad():
        for p in model.parameters():
            p -= lr * p.grad

# %%
# The loss curve
# --------------

fig, ax = plt.subplots(figsize=(6, 4))
ax.semilogy(losses)
ax.set_xlabel("training step")
ax.set_ylabel("loss (sum of squared errors)")
ax.set_title("PyTorch nn: Sequential, updated by hand")
plt.show()

# %%
# Try it
# ------
# Use ``nn.MSELoss()``, which averages instead of summing, and keep ``lr``:
# the loss and every gradient are 640 times smaller (N × D_out numbers), and
# after 500 steps the loss has hardly moved. Multiply ``lr`` by 640 as well
# and training takes the sum's steps again: each printed loss is the sum's
# divided by 640, to four significant digits.
