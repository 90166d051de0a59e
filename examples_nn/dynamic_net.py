"""
PyTorch: Control Flow + Weight Sharing
======================================

Because PyTorch builds the graph while the forward pass runs, a forward pass
can be ordinary Python, loops and ``if`` statements included, and it may
build a different graph every time. This network draws a random number from
0 to 3 on each pass and applies one shared middle layer that many times, so
it is between one and four hidden layers deep, always with the same weights.
"""

import random
from collections import Counter

import matplotlib.pyplot as plt
import torch
from torch import nn


# %%
# A network of varying depth
# --------------------------
# ``self.middle`` is one Module, with one weight matrix and one bias, however
# often ``forward`` applies it. Reusing a Module in the same pass is safe:
# autograd adds up the gradient contributions of every use. The loop is a
# plain ``for`` statement whose count can change from one pass to the next,
# which a graph built once, as in TensorFlow 1, could not do with a Python
# loop.


class DynamicNet(nn.Module):
    def __init__(self, in_features, hidden, out_features):
        super().__init__()
        self.first = nn.Linear(in_features, hidden)
        self.middle = nn.Linear(hidden, hidden)
        self.last = nn.Linear(hidden, out_features)
        self.last_depth = None  # hidden layers used by the latest forward pass

    def forward(self, x):
        h = torch.relu(self.first(x))
        repeats = random.randint(0, 3)  # 0 to 3 inclusive
        for _ in range(repeats):
            h = torch.relu(self.middle(h))
        self.last_depth = 1 + repeats
        return self.last(h)


# %%
# Device, data and model
# ----------------------
# Python's ``random`` draws the depth, so it is seeded too.

device = (
    torch.accelerator.current_accelerator()
    if torch.accelerator.is_available()
    else torch.device("cpu")
)
print(f"Running on: {device}")

# %%

random.seed(0)
torch.manual_seed(0)
N = 64  # examples in the batch
D_in = 1000  # input features
H = 100  # hidden units
D_out = 10  # outputs
# Drawn on the CPU, then moved: every device gets the very same numbers.
x = torch.randn(N, D_in).to(device)
y = torch.randn(N, D_out).to(device)

model = DynamicNet(D_in, H, D_out).to(device)

# %%
# Training
# --------
# A network this erratic is hard to fit with plain gradient descent; SGD with
# momentum smooths the steps out.

loss_fn = nn.MSELoss(reduction="sum")
lr = 1e-4  # the learning rate
optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)

losses = []
depths = Counter()
for step in range(500):
    loss = loss_fn(model(x), y)
    depths[model.last_depth] += 1
    losses.append(loss.item())
    if step % 100 == 99:
        print(f"step {step + 1:3d}  loss {loss.item():.6g}")

    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

print("Hidden layers used, and how often:", dict(sorted(depths.items())))

# %%
# The loss curve
# --------------
# The curve is noisier than the others: each step trains a network whose depth
# is drawn anew, often another than the step before's.

fig, ax = plt.subplots(figsize=(6, 4))
ax.semilogy(losses)
ax.set_xlabel("training step")
ax.set_ylabel("loss (sum of squared errors)")
ax.set_title("PyTorch: a dynamic network sharing one layer")
plt.show()

# %%
# Try it
# ------
# Change ``random.randint(0, 3)`` to ``random.randint(0, 0)``. Every pass is
# then the same network with one hidden layer, and the loss falls below
# 10⁻⁹ by step 500, far below that of the network whose depth changes.
