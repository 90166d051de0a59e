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
# check they were not modified in between. ``backward`` is handed
# ``grad_output``, which holds ∂loss/∂output for every element of what
# ``forward`` returned, so it has that result's shape; it gives back
# ∂loss/∂input for each input of ``forward``, each shaped like its input.


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
w1 = draw(D_in, H).requires_grad_()
w2 = draw(H, D_out).requires_grad_()

# %%
# Training
# --------
# The autograd loop, with our function in place of ``clamp``.

lr = 1e-6  # the learning rate
losses = []
for step in range(500):
    y_pred = relu(x @ w1) @ w2
    loss = (y_pred - y).square().sum()
    losses.append(loss.item())
    if step % 100 == 99:
        print(f"step {step + 1:3d}  loss {loss.item():.6g}")

    loss.backward()  # calls ClampedLinearUnit.backward on the way

    with torch.no_grad():
        for w in (w1, w2):
            w -= lr * w.grad
            w.grad.zero_()  # backward() adds to .grad: start the next step at 0

# %%
# The loss curve
# --------------

fig, ax = plt.subplots(figsize=(6, 4))
ax.semilogy(losses)
ax.set_xlabel("training step")
ax.set_ylabel("loss (sum of squared errors)")
ax.set_title("PyTorch: a custom autograd Function")
plt.show()

# %%
# Try it
# ------
# Compare ``backward`` with the gradient that finite differences give:
# ``torch.autograd.gradcheck(relu, torch.linspace(-1, 1, 8,
# dtype=torch.float64, requires_grad=True))`` returns ``True``. Then make
# ``backward`` return ``grad_output`` unchanged: ``gradcheck`` raises a
# "Jacobian mismatch" error, showing the numerical and the analytical
# gradient side by side.
