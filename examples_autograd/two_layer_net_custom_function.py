"""
PyTorch: Defining new autograd functions
========================================

Autograd can differentiate an operation it has never seen, provided we tell
it how: a subclass of ``torch.autograd.Function`` says what the operation
computes (``forward``) and how a gradient flows back through it
(``backward``). This program rebuilds the ReLU that way and trains the same
network with it.
"""

import matplotlib.pyplot as plt
import torch

# %%
# A ReLU with its own backward pass
# ---------------------------------
# Both methods are static and take a context object, ``ctx``, first.
# ``forward`` stores on it whatever ``backward`` will need, here the input;
# ``ctx.save_for_backward`` is the way to keep tensors so that autograd can
# check they were not modified in between.


class ClampedLinearUnit(torch.autograd.Function):
    """max(x, 0), element by element."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.clamp(min=0)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        # Where the input was negative the output did not depend on it, so no
        # gradient flows back there; elsewhere the gradient passes unchanged.
        # At exactly zero we let it pass, as ``clamp(min=0)`` itself does.
        return grad_output.masked_fill(x < 0, 0)


# %%
# A function is used through ``apply``, never by calling ``forward``
# directly: ``apply`` is what records the call in the graph.

relu = ClampedLinearUnit.apply

# %%
# Device and data
# ---------------

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
# Training
# --------
# The autograd loop, with our function in place of ``clamp``.

learning_rate = 1e-6
losses = []
for step in range(500):
    y_pred = relu(x @ w1) @ w2
    loss = (y_pred - y).pow(2).sum()
    losses.append(loss.item())
    if step % 100 == 99:
        print(f"step {step + 1:3d}  loss {loss.item():.6g}")

    loss.backward()  # calls ClampedLinearUnit.backward on the way

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
ax.set_title("PyTorch: a custom autograd Function")
plt.show()
