"""
How much faster on an accelerator?
==================================

How much faster is a GPU than a CPU for deep learning? Figures of tens of
times are often quoted, but the answer depends on the two chips compared and
on the size of the work. This page measures instead of quoting. It times
**one training step** of the two-layer network (forward pass, hand-written
backward pass, update) with
:mod:`torch.utils.benchmark`, at the tutorial's size and at larger ones, in
numpy on the CPU, in torch on the CPU, and in torch on an accelerator when
this machine has one.

What to expect: every operation sent to an accelerator costs a fixed time to
launch, so at the tutorial's 64 x 100, where the arithmetic itself is quick,
little may be gained, and only large matrices keep an accelerator busy. The
figures below are what this machine measured.
"""

import csv
import platform
import sys
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.utils.benchmark as benchmark

# %%
# What this machine has
# ---------------------

# Asked without is_available(), a CUDA build of torch on a machine without a
# GPU would still name "cuda".
accelerator = torch.accelerator.current_accelerator() if torch.accelerator.is_available() else None
print(f"CPU: {platform.machine()}, torch uses {torch.get_num_threads()} thread(s) here")
if accelerator is None:
    print("No accelerator on this machine: only the CPU figures below.")
else:
    print(f"Accelerator: {accelerator}")

# %%
# One training step, three ways
# -----------------------------
# The same arithmetic as the numpy and tensor examples, float32 everywhere so
# that every backend does the same work.


def numpy_step(x, y, w1, w2, lr=1e-6):
    h = x @ w1
    h_relu = np.maximum(h, 0)
    g_pred = 2 * (h_relu @ w2 - y)
    g_w2 = h_relu.T @ g_pred
    g_h = g_pred @ w2.T
    g_h[h < 0] = 0
    w1 -= lr * (x.T @ g_h)
    w2 -= lr * g_w2


def torch_step(x, y, w1, w2, lr=1e-6):
    h = x @ w1
    h_relu = h.clamp(min=0)
    g_pred = 2 * (h_relu @ w2 - y)
    g_w2 = h_relu.T @ g_pred
    g_h = (g_pred @ w2.T).masked_fill_(h < 0, 0)
    w1 -= lr * (x.T @ g_h)
    w2 -= lr * g_w2


# %%
# Timing
# ------
# ``torch.utils.benchmark.Timer``'s ``blocked_autorange`` runs the statement in
# blocks until at least ``min_run_time`` seconds have passed, and synchronises
# with the accelerator, so the time is the work's and not just the time to
# queue it. We keep its median. The sizes are the
# batch ``N`` and hidden width ``H``; ``D_in`` and ``D_out`` stay 1000 and 10.

D_in, D_out = 1000, 10
SIZES = [(64, 100), (256, 256), (1024, 1024), (4096, 2048)]


def time_step(backend, N, H, device="cpu"):
    """Median seconds per training step of ``backend`` at batch ``N``, width ``H``."""
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((N, D_in), dtype=np.float32), rng.standard_normal((N, D_out), dtype=np.float32)
    # Weights scaled by 1/sqrt(fan-in), so that the thousands of steps the timer
    # runs stay finite (overflowing to inf or NaN would time something else).
    w1 = rng.standard_normal((D_in, H), dtype=np.float32) / np.float32(np.sqrt(D_in))
    w2 = rng.standard_normal((H, D_out), dtype=np.float32) / np.float32(np.sqrt(H))
    arrays = [x, y, w1, w2]
    step = numpy_step
    if backend == "torch":
        # from_numpy shares the array's memory (no copy); .to(device) copies it to another device.
        step, arrays = torch_step, [torch.from_numpy(a).to(device) for a in arrays]
    x, y, w1, w2 = arrays
    timer = benchmark.Timer(
        stmt="step(x, y, w1, w2)",
        globals={"step": step, "x": x, "y": y, "w1": w1, "w2": w2},
        num_threads=torch.get_num_threads(),
    )
    return timer.blocked_autorange(min_run_time=0.3).median


backends = [("numpy, CPU", "numpy", "cpu"), ("torch, CPU", "torch", "cpu")]
if accelerator is not None:
    # One label whatever the device, named in the output above.
    backends.append(("torch, accelerator", "torch", accelerator))

rows = []
for N, H in SIZES:
    row = {"N": N, "H": H}
    for label, backend, device in backends:
        row[label] = time_step(backend, N, H, device)
    rows.append(row)

# %%
# The figures
# -----------
# Milliseconds per step, and each backend's speedup over numpy.

labels = [label for label, _, _ in backends]
print(f"{'N x H':>11} " + " ".join(f"{label:>14}" for label in labels) + "   speedup over numpy")
for row in rows:
    times = " ".join(f"{row[label] * 1e3:>11.3f} ms" for label in labels)
    speedups = ", ".join(f"{label}: {row['numpy, CPU'] / row[label]:.1f}x" for label in labels[1:])
    print(f"{row['N']:>5} x {row['H']:<4} {times}   {speedups}")

# Each backend has a colour from the Okabe-Ito palette (safe for colour-blind
# readers), and a marker and line style of its own, so the lines differ in
# grey print too.
looks = [("#0072B2", "o", "-"), ("#D55E00", "s", "--"), ("#009E73", "^", ":")]
fig, ax = plt.subplots(figsize=(6.5, 4))
sizes = [f"{row['N']} x {row['H']}" for row in rows]
for label, (colour, marker, linestyle) in zip(labels, looks):
    ax.semilogy(sizes, [row[label] * 1e3 for row in rows], label=label,
                color=colour, marker=marker, linestyle=linestyle)
ax.set_xlabel("batch N x hidden width H")
ax.set_ylabel("time per training step (ms)")
ax.set_title("One training step of the two-layer network")
ax.legend()
plt.show()

# %%
# Recording a run
# ---------------
# ``python accelerator_speedup.py --record results.csv`` saves the table with
# what produced it: the hardware, the versions and the date. A run recorded on
# a machine with a GPU keeps that machine's figures, to set beside those of a
# build on a machine without one.


def record(path, rows, labels):
    import datetime

    if accelerator is None:
        hardware = "none"
    elif accelerator.type == "cuda":
        hardware = torch.cuda.get_device_name()
    else:
        hardware = str(accelerator)
    about = {"date": datetime.date.today().isoformat(), "command": " ".join(["python", *sys.argv]),
             "cpu": platform.processor() or platform.machine(), "accelerator": hardware,
             "python": platform.python_version(), "numpy": np.__version__, "torch": torch.__version__,
             "torch threads": torch.get_num_threads()}
    with open(path, "w", newline="") as f:
        for key, value in about.items():
            f.write(f"# {key}: {value}\n")
        writer = csv.writer(f)
        writer.writerow(["N", "H", *(f"{label} (ms)" for label in labels)])
        for row in rows:
            writer.writerow([row["N"], row["H"], *(f"{row[label] * 1e3:.4f}" for label in labels)])


if "--record" in sys.argv[1:]:
    out = Path(sys.argv[sys.argv.index("--record") + 1])
    record(out, rows, labels)
    print(f"recorded in {out}")
