"""
PyTorch: Autograd
=================

The tensor program without the hand-written backward pass. When a tensor is
created with ``requires_grad=True``, PyTorch records every operation that
uses it: the forward pass builds a computational graph whose nodes are
tensors and whose edges are the functions that made one tensor from others.
``loss.backward()`` walks that graph backwards and leaves the gradient of the
loss in each weight's ``.grad``.
"""

import matplotlib.pyplot as plt
import torch

# %%
# Device and data
# ---------------
# As in the previous example. Only the weights ask for gradients; the data
# does not need them, so autograd does not track it.

device = (
    torch.accelerator.current_accelerator()
    if torch.accelerator.is_available()
    else torch.device("cpu")
)
print(f"Running on: {device}")

torch.manual_seed(0)
dtype = torch.float32
N, D_in, H, D_out = 64, 1000, 100, 10

x = torch.randn(N, D_in, device=device, dtype=dtype)
y = torch.randn(N, D_out, device=device, dtype=dtype)
w1 = torch.randn(D_in, H, device=device, dtype=dtype, requires_grad=True)
w2 = torch.randn(H, D_out, device=device, dtype=dtype, requires_grad=True)

# %%
# Training with autograd
# ----------------------
# The forward pass is one expression now, since intermediate values no
# longer need names for the backward pass. Two details matter:
#
# * the update runs under ``torch.no_grad()``: changing the weights is not
#   part of the model, so it must not be recorded in the graph;
# * ``backward()`` *adds* into ``.grad``, so each step sets the gradients
#   back to zero by hand once it has used them.

learning_rate = 1e-6
losses = []
for step in range(500):
    y_pred = (x @ w1).clamp(min=0) @ w2
    loss = (y_pred - y).pow(2).sum()
    losses.append(loss.item())
    if step % 100 == 99:
        print(f"step {step + 1:3d}  loss {loss.item():.6g}")

    loss.backward()  # fills w1.grad and w2.grad

    with torch.no_grad():
        w1 -= learning_rate * w1.grad
        w2 -= learning_rate * w2.grad
        w1.grad.zero_()
        w2.grad.zero_()

# %%
# The loss curve
# --------------

fig, ax = plt.subplots(figsize=(6, 4))
ax.semilogy(losses)
ax.set_xlabel("training step")
ax.set_ylabel("loss (sum of squared errors)")
ax.set_title("PyTorch autograd")
plt.show()
