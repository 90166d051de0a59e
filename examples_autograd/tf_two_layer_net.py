"""
TensorFlow: Static Graphs
=========================

PyTorch builds a fresh graph on every forward pass. TensorFlow, in its
original style, has you describe the whole computation once as a graph and
then run that fixed graph as often as you like. This example trains the same
network that way: placeholders for the data, variables for the weights,
symbolic gradients, and assign operations for the update, all inside one
graph that a session runs 500 times.
"""

import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

# %%
# TensorFlow 1 style on TensorFlow 2
# ----------------------------------
# TensorFlow 2 executes eagerly by default, like PyTorch. The graph-building
# API survives under ``tf.compat.v1``, and it works inside a ``tf.Graph``
# made the default graph with ``as_default()``. We keep graph mode to that
# scope instead of switching eager execution off for the whole process, so
# any code that runs after this example is unaffected. TensorFlow 2's own
# way to train is the last part of the program.

graph = tf.Graph()

# %%
# The data
# --------
# The data and the starting weights are numpy arrays drawn exactly as in the
# numpy warm-up, so the two programs can be compared number for number.

N = 64  # examples in the batch
D_in = 1000  # input features
H = 100  # hidden units
D_out = 10  # outputs

rng = np.random.default_rng(0)
x_value = rng.standard_normal((N, D_in)).astype(np.float32)
y_value = rng.standard_normal((N, D_out)).astype(np.float32)
w1_start = rng.standard_normal((D_in, H)).astype(np.float32)
w2_start = rng.standard_normal((H, D_out)).astype(np.float32)

# %%
# Building the graph
# ------------------
# Nothing below computes anything yet: each line adds nodes to ``graph``.
# Placeholders are the graph's inputs, filled in each time it runs; variables
# hold state that persists between runs.

with graph.as_default():
    x = tf.compat.v1.placeholder(tf.float32, shape=(None, D_in), name="x")
    y = tf.compat.v1.placeholder(tf.float32, shape=(None, D_out), name="y")
    w1 = tf.Variable(w1_start, name="w1")
    w2 = tf.Variable(w2_start, name="w2")

    # The forward pass and the loss, as symbolic tensors.
    h_relu = tf.maximum(x @ w1, 0.0)
    y_pred = h_relu @ w2
    loss = tf.reduce_sum(tf.square(y_pred - y))

# %%
# TensorFlow differentiates the graph symbolically: ``tf.gradients`` adds
# the nodes that compute the gradients. The weight update is part of the
# graph too, as assign operations; in PyTorch it happens outside the graph.

lr = 1e-6  # the learning rate
with graph.as_default():
    g_w1, g_w2 = tf.gradients(loss, [w1, w2])
    update_w1 = w1.assign(w1 - lr * g_w1)
    update_w2 = w2.assign(w2 - lr * g_w2)
    initialize = tf.compat.v1.global_variables_initializer()

# %%
# Running the graph
# -----------------
# A session owns the variables' values. Each ``run`` feeds the numpy data to
# the placeholders and evaluates the loss and both updates in one go.

losses = []
with tf.compat.v1.Session(graph=graph) as session:
    session.run(initialize)
    for step in range(500):
        loss_value, _, _ = session.run(
            [loss, update_w1, update_w2], feed_dict={x: x_value, y: y_value}
        )
        losses.append(float(loss_value))
        if step % 100 == 99:
            print(f"step {step + 1:3d}  loss {loss_value:.6g}")

print("Eager execution is still on outside the graph:", tf.executing_eagerly())

# %%
# TensorFlow 2's own way
# ----------------------
# Today's TensorFlow needs no placeholders, session or assign operations in a
# graph built by hand. A training step is ordinary eager code:
# ``tf.GradientTape`` records the forward pass and gives back the gradients,
# and ``tf.function`` traces ``train_step`` into a graph on its first call and
# runs that graph on every later call with inputs of the same shapes and
# types (others are traced again). With the same data, starting weights and
# learning rate, it takes the same steps as the session above.

x_tensor, y_tensor = tf.constant(x_value), tf.constant(y_value)
v1, v2 = tf.Variable(w1_start), tf.Variable(w2_start)


@tf.function
def train_step(inputs, targets):
    with tf.GradientTape() as tape:
        predicted = tf.maximum(inputs @ v1, 0.0) @ v2
        step_loss = tf.reduce_sum(tf.square(predicted - targets))
    g_v1, g_v2 = tape.gradient(step_loss, [v1, v2])
    v1.assign_sub(lr * g_v1)
    v2.assign_sub(lr * g_v2)
    return step_loss


tf2_losses = [float(train_step(x_tensor, y_tensor)) for _ in range(500)]
for step in range(99, 500, 100):
    print(f"tf.function and GradientTape, step {step + 1}: loss {tf2_losses[step]:.6g}")

# %%
# The loss curve
# --------------

fig, ax = plt.subplots(figsize=(6, 4))
ax.semilogy(losses)
ax.set_xlabel("training step")
ax.set_ylabel("loss (sum of squared errors)")
ax.set_title("TensorFlow: a static graph run in a session")
plt.show()

# %%
# Try it
# ------
# Print ``len(graph.get_operations())`` after building the graph and again
# after the session: the same number. Running a static graph adds nothing to
# it, however many steps it takes; PyTorch records a new graph on every
# forward pass.
