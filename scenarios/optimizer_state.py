"""What an optimiser keeps between steps: one model trained with SGD, momentum and Adam.

Between steps a training loop holds the parameters, their gradients and the optimiser's
state; the graph and its saved tensors are gone after each backward. Plain SGD keeps no
state, SGD with momentum one buffer the size of each parameter, Adam two (``exp_avg`` and
``exp_avg_sq``) and a 4-byte step counter per parameter tensor. The scenario trains a
20-64-5 network for three steps under each and prints the bytes held after every step,
beside what those three parts come to.

Run it: ``python scenarios/optimizer_state.py`` or ``gradscope run scenarios/optimizer_state.py``.
"""

import gradscope as gs
import gradscope.nn.functional as F

OPTIMISERS = {
    "SGD": lambda params: gs.optim.SGD(params, lr=0.1),
    "SGD, momentum 0.9": lambda params: gs.optim.SGD(params, lr=0.1, momentum=0.9),
    "Adam": lambda params: gs.optim.Adam(params, lr=0.01),
}
STATE_COPIES = {"SGD": 0, "SGD, momentum 0.9": 1, "Adam": 2}  # per parameter element


def train(name: str, steps: int = 3) -> dict:
    """Train under optimiser ``name``; the bytes held after each step (beyond the model and
    the data), and what gradients and state should come to."""
    gs.manual_seed(0)
    model = gs.nn.Sequential(gs.nn.Linear(20, 64), gs.nn.ReLU(), gs.nn.Linear(64, 5))
    X, Y = gs.randn(32, 20), gs.randint(0, 5, (32,))
    base = gs.live_bytes()
    opt = OPTIMISERS[name](model.parameters())
    held, losses = [], []
    for step in range(steps):
        loss = F.cross_entropy(model(X), Y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
        del loss  # the graph is freed already; this drops the 4-byte loss itself
        gs.mark(f"{name}: step {step}")
        held.append(gs.live_bytes() - base)
    params = list(model.parameters())
    n = sum(p.numel() for p in params)
    grads = 4 * n
    state = 4 * n * STATE_COPIES[name] + (4 * len(params) if name == "Adam" else 0)
    return {"held": held, "loss": losses, "grads": grads, "state": state, "elements": n}


def main() -> dict:
    """Each optimiser's bytes held after each step, checked against gradients + state."""
    out = {}
    print(f"{'optimiser':<18} {'after each step (bytes)':>26}  = gradients + state")
    for name in OPTIMISERS:
        r = train(name)
        out[name] = r
        steps = ", ".join(f"{b:,}" for b in r["held"])
        print(f"{name:<18} {steps:>26}  = {r['grads']:,} + {r['state']:,}")
    n = out["SGD"]["elements"]
    print(f"{n:,} parameters: {4 * n:,} bytes for each copy of them in float32")
    return out


if __name__ == "__main__":
    main()
