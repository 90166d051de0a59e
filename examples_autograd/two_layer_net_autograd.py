"""
PyTorch: Autograd
=================

The tensor program without the hand-written backward pass. When a tensor is
created with ``requires_grad=True``, PyTorch records every operation that
uses it: the forward pass builds a computational graph with one node per
operation (its backward function, the result's ``grad_fn``), each linked to
the nodes of the operations that made its inputs.
``loss.backward()`` walks that graph backwards and leaves the gradient of the
loss in each weight's ``.grad``.
"""

import matplotlib.pyplot as plt
import torch

# %%
# Device and data
# ---------------
# The device and the seeded data are those of the tensor program,
# :ref:`sphx_glr_auto_examples_tensor_two_layer_net_tensor.py`. Only the
# weights ask for gradients; the data does not need them, so autograd does
# not track it. A tensor made from scratch is not tracked unless asked:
# ``requires_grad`` is ``False`` by default, and ``requires_grad_()`` turns it
# on. A method whose name ends in an underscore, like that one or ``zero_()``
# below, changes its tensor in place. The result of an operation on a tracked
# tensor is tracked without asking.

device = (
    torch.accelerator.current_accelerator()
    if torch.accelerator.is_available()
    else torch.device("cpu")
)
print(f"Running on: {device}")

# %%

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
# Asked for after the move: ``.to()`` makes a new tensor, the result of an
# operation, and backward() fills .grad only for a leaf, a tensor made directly.
w1 = draw(D_in, H).requires_grad_()
w2 = draw(H, D_out).requires_grad_()

# %%
# Training with autograd
# ----------------------
# The forward pass is one expression now, since intermediate values no
# longer need names for the backward pass. Two details matter:
#
# * the update runs under ``torch.no_grad()``, where no graph is recorded:
#   changing the weights is not part of the model, and outside it PyTorch
#   refuses, with a ``RuntimeError``, to change in place a leaf that requires
#   gradients;
# * ``backward()`` *adds* into ``.grad`` rather than overwriting it, so each
#   step sets the gradients back to zero by hand once it has used them.
#
# (``torch.autograd.grad(loss, [w1, w2])`` would instead hand the gradients
# back and leave ``.grad`` alone. For code that only uses a model,
# ``torch.inference_mode()`` is a stricter ``no_grad``: what it computes can
# never join a graph later.)

lr = 1e-6  # the learning rate
losses = []
for step in range(500):
    y_pred = (x @ w1).clamp(min=0) @ w2
    loss = (y_pred - y).square().sum()
    losses.append(loss.item())
    if step % 100 == 99:
        print(f"step {step + 1:3d}  loss {loss.item():.6g}")

    loss.backward()  # fills w1.grad and w2.grad

    with torch.no_grad():
        for w in (w1, w2):
            w -= lr * w.grad
            w.grad.zero_()

# %%
# The loss curve
# --------------

fig, ax = plt.subplots(figsize=(6, 4))
ax.semilogy(losses)
ax.set_xlabel("training step")
ax.set_ylabel("loss (sum of squared errors)")
ax.set_title("PyTorch autograd")
plt.show()

# %%
# Try it
# ------
# Delete the line ``w.grad.zero_()``. Every step then adds its gradients to
# those of all the steps before, the updates grow ever larger, and the loss
# swings up and down until it is ``nan`` by step 500.
#
# Or call ``loss.backward()`` twice in a row. The second call raises a
# ``RuntimeError``: walking the graph frees what it saved, so a graph can be
# walked once, unless the first call says ``retain_graph=True``.
