"""MLP training on two spirals: the loss falls and live memory is the same after every step.

A 2-32-32-2 tanh network, trained by full-batch gradient descent with momentum on 200
points in two interleaved spirals that the scenario draws itself. Every step zeroes the
gradients, runs forward and backward, and updates the weights under ``gs.no_grad()``.
The bytes live after each step are the same at every step: backward frees each graph's
saved tensors, nothing piles up.

Run it: ``python scenarios/mlp_training.py`` or ``gradscope run scenarios/mlp_training.py``.
"""

import math
import sys

import gradscope as gs
import gradscope.nn.functional as F


def two_spirals(n: int, noise: float = 0.02):
    """``2n`` points: class 0 on one spiral arm, class 1 on the arm rotated by 180 degrees."""
    t = gs.linspace(0.0, 1.0, n)
    angle = t * 2 * math.pi
    radius = 0.1 + t
    arm = gs.stack([radius * gs.cos(angle), radius * gs.sin(angle)], dim=1)
    X = gs.cat([arm, -arm]) + noise * gs.randn(2 * n, 2)
    Y = gs.cat([gs.zeros(n, dtype=gs.int64), gs.ones(n, dtype=gs.int64)])
    return X, Y


def init(hidden: int) -> list:
    """Weights and biases of a 2-hidden-2 network with two hidden layers."""
    W1 = (gs.randn(hidden, 2) * 2.0).requires_grad_()
    b1 = gs.zeros(hidden, requires_grad=True)
    W2 = (gs.randn(hidden, hidden) / math.sqrt(hidden)).requires_grad_()
    b2 = gs.zeros(hidden, requires_grad=True)
    W3 = (gs.randn(2, hidden) / math.sqrt(hidden)).requires_grad_()
    b3 = gs.zeros(2, requires_grad=True)
    return [W1, b1, W2, b2, W3, b3]


def forward(params: list, X):
    """The logits of the network for the points ``X``."""
    W1, b1, W2, b2, W3, b3 = params
    h = gs.tanh(F.linear(X, W1, b1))
    h = gs.tanh(F.linear(h, W2, b2))
    return F.linear(h, W3, b3)


def main(steps: int = 60, hidden: int = 32, lr: float = 0.1, momentum: float = 0.9,
         seed: int = 0) -> dict:  # fmt: skip
    """Train for ``steps`` steps; return the loss, accuracy and live bytes of each step."""
    gs.manual_seed(seed)
    base = gs.live_bytes()  # whatever was live before (nothing, when run on its own)
    X, Y = two_spirals(100)
    params = init(hidden)
    velocity = [gs.zeros_like(p) for p in params]
    losses, accuracy, live = [], [], []
    print(f"{len(X)} points, {sum(p.numel() for p in params):,} parameters, {steps} steps")
    print(" step      loss  accuracy   live bytes")
    for step in range(steps):
        for p in params:  # zero the gradients, or this step would add to the last one's
            if p.grad is not None:
                p.grad.zero_()
        logits = forward(params, X)
        loss = F.cross_entropy(logits, Y)
        loss.backward()
        with gs.no_grad():
            for p, v in zip(params, velocity):
                v.mul_(momentum).add_(p.grad)
                p -= lr * v
        gs.mark(f"step {step}")
        losses.append(loss.item())
        accuracy.append((logits.argmax(dim=1) == Y).float().mean().item())
        live.append(gs.live_bytes() - base)
        if step % 5 == 0 or step == steps - 1:
            print(f"{step:5d}  {losses[-1]:8.4f}  {accuracy[-1]:8.1%}  {live[-1]:11,}")
    flat = len(set(live)) == 1
    print(f"loss {losses[0]:.4f} -> {losses[-1]:.4f}; live bytes after every step: "
          f"{'all equal, ' + format(live[0], ',') if flat else 'changing: ' + str(sorted(set(live)))}")  # fmt: skip
    return {"loss": losses, "accuracy": accuracy, "live": live}


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:2]))
