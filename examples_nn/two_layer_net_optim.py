"""
PyTorch: optim
==============

Updating each parameter by hand is fine for plain gradient descent, but
more elaborate optimisers keep state of their own: momentum, running averages of
squared gradients, and so on. ``torch.optim`` packages these algorithms (SGD
with momentum, AdaGrad, RMSProp, Adam and more) behind one small interface,
so the training loop no longer touches the parameters itself.
"""

import matplotlib.pyplot as plt
import torch
from torch import nn

# %%
# Device, data and model
# ----------------------
# As in the ``nn`` example.

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

model = nn.Sequential(
    nn.Linear(D_in, H),
    nn.ReLU(),
    nn.Linear(H, D_out),
).to(device)
loss_fn = nn.MSELoss(reduction="sum")

# %%
# The optimiser
# -------------
# An optimiser is given the parameters it is responsible for. Adam adapts a
# step size for each parameter from the history of its gradients.

optimizer = torch.optim.Adam(model.parameters(), lr=1e-4)

# %%
# Training
# --------
# Three calls make up every step: clear the old gradients, compute the new
# ones, let the optimiser apply its rule.

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
ax.set_title("PyTorch optim: Adam")
plt.show()

# %%
# Try it
# ------
# Replace Adam by ``torch.optim.SGD(model.parameters(), lr=1e-4)``, plain
# gradient descent. It is ahead of Adam at steps 100, 200 and 300; Adam
# passes it only in the last third of the run, and then ends more than ten
# times lower. Which optimiser does better depends on the problem, and on how
# long it trains.
