"""
PyTorch: Custom nn Modules
==========================

When a model is more than a chain of existing Modules, write a Module of its
own: subclass ``nn.Module``, create the layers it needs in ``__init__``, and
say in ``forward`` how an input becomes an output. Any Module assigned as an
attribute is registered, so its parameters show up in ``parameters()``; one
kept in a plain Python list is not (an ``nn.ModuleList`` is). Use the model
by calling it, ``model(x)``, not ``model.forward(x)``: the call also runs the
hooks that PyTorch and other code attach around ``forward``.
"""

import matplotlib.pyplot as plt
import torch
from torch import nn


# %%
# The Module
# ----------
# The two-layer network of the ``nn`` program, spelled out as a class.


class TwoLayerNet(nn.Module):
    def __init__(self, in_features, hidden, out_features):
        super().__init__()  # first: nn.Module sets up its registers here
        self.hidden = nn.Linear(in_features, hidden)
        self.output = nn.Linear(hidden, out_features)

    def forward(self, x):
        # Any tensor code can go here; autograd records it as usual.
        return self.output(torch.relu(self.hidden(x)))


# %%
# Device, data and model
# ----------------------

device = (
    torch.accelerator.current_accelerator()
    if torch.accelerator.is_available()
    else torch.device("cpu")
)
print(f"Running on: {device}")

# %%

torch.manual_seed(0)
N = 64  # examples in the batch
D_in = 1000  # input features
H = 100  # hidden units
D_out = 10  # outputs
# Drawn on the CPU, then moved: every device gets the very same numbers.
x = torch.randn(N, D_in).to(device)
y = torch.randn(N, D_out).to(device)

# A Module starts in training mode. ``model.eval()`` and ``model.train()``
# switch layers such as dropout and batch normalisation between training and
# use; this network has none, so it computes the same in both.
model = TwoLayerNet(D_in, H, D_out).to(device)
print("Parameters:", [name for name, _ in model.named_parameters()])

# %%
# Training
# --------
# Plain stochastic gradient descent from ``torch.optim``. Fed the whole batch
# at every step, as here, SGD is plain gradient descent: "stochastic" refers
# to the usual practice of giving each step a different random mini-batch.

loss_fn = nn.MSELoss(reduction="sum")
lr = 1e-4  # the learning rate
optimizer = torch.optim.SGD(model.parameters(), lr=lr)

losses = []
for step in range(500):
    loss = loss_fn(model(x), y)
    losses.append(loss.item())
    if step % 100 == 99:
        print(f"step {step + 1:3d}  loss {loss.item():.6g}")

    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

# %%
# The loss curve
# --------------

fig, ax = plt.subplots(figsize=(6, 4))
ax.semilogy(losses)
ax.set_xlabel("training step")
ax.set_ylabel("loss (sum of squared errors)")
ax.set_title("PyTorch: a custom nn.Module with SGD")
plt.show()

# %%
# Try it
# ------
# Delete ``optimizer.zero_grad()``. The gradients of all earlier steps then
# add up in ``.grad``, each update pushes further in old directions, and the
# loss at step 500 ends more than 100,000 times higher than with it.
