"""Second derivatives: with create_graph=True the gradient of x**3 is a graph of its own, and its gradient is 6x.

Part 1. ``y = (x**3).sum()``. ``autograd.grad(y, x, create_graph=True)`` runs each
node's backward rule as tensor ops, so ``g = 3 x**2`` comes back with a ``grad_fn``, the
nodes PyTorch makes: a ``MulBackward0`` (the incoming gradient times the rest), a
``MulBackward1`` (times the exponent, 3) and a new ``PowBackward0`` of the same ``x``.
Differentiating ``g.sum()`` gives ``6 x``, the second derivative.

Part 2. A Hessian-vector product of a softmax cross-entropy loss with respect to the
weights, the product of the Hessian with a direction ``v`` without ever forming the
Hessian: the gradient with ``create_graph=True``, then the gradient of ``<g, v>``. It is
checked against central differences of the gradient along ``v`` (float64).

Run it: ``python scenarios/second_derivative.py`` or ``gradscope run scenarios/second_derivative.py``.
"""

import numpy as np

import gradscope as gs


def _chain(node, depth: int = 4) -> str:
    """``Name(child, child)`` down to ``depth`` levels: the gradient's graph."""
    if node is None or depth == 0:
        return ""
    kids = [_chain(n, depth - 1) for n, _ in node.next_functions if n is not None]
    return node.name() + (f"({', '.join(k for k in kids if k)})" if any(kids) else "")


def cube() -> dict:
    """The first and second derivatives of sum(x**3)."""
    x = gs.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = (x**3).sum()
    gs.mark("before backward")
    (g,) = gs.autograd.grad(y, x, create_graph=True)
    print(f"g = dy/dx = 3x^2 = {g}")
    print(f"g's graph: {_chain(g.grad_fn)}")
    (h,) = gs.autograd.grad(g.sum(), x)
    gs.mark("after backward")
    print(f"d(sum g)/dx = 6x = {h}")
    return {"grad": g.tolist(), "second": h.tolist(), "graph": _chain(g.grad_fn)}


def _loss(x, w, b, y):
    return gs.nn.functional.cross_entropy(x @ w.T + b, y)


def hessian_vector_product() -> dict:
    """H v for a softmax cross-entropy loss, against differences of the gradient."""
    rng = np.random.default_rng(0)
    x = gs.tensor(rng.standard_normal((8, 5)), dtype=gs.float64)
    y = gs.tensor(rng.integers(0, 3, 8))
    w = gs.tensor(rng.standard_normal((3, 5)) * 0.5, dtype=gs.float64, requires_grad=True)
    b = gs.tensor(np.zeros(3), dtype=gs.float64, requires_grad=True)
    v = gs.tensor(rng.standard_normal((3, 5)), dtype=gs.float64)

    (g,) = gs.autograd.grad(_loss(x, w, b, y), w, create_graph=True)
    (hv,) = gs.autograd.grad((g * v).sum(), w)

    eps = 1e-6
    with gs.no_grad():
        plus, minus = w + eps * v, w - eps * v
    grads = []
    for point in (plus, minus):
        point.requires_grad_(True)
        (gp,) = gs.autograd.grad(_loss(x, point, b, y), point)
        grads.append(gp.numpy())
    numeric = (grads[0] - grads[1]) / (2 * eps)
    err = float(np.abs(hv.numpy() - numeric).max())
    print(f"H v (first row)       = {np.round(hv.numpy()[0], 6)}")
    print(f"differences (same row) = {np.round(numeric[0], 6)}")
    print(f"largest difference: {err:.2e}")
    return {"max_error": err, "hv": hv.tolist()}


def main() -> dict:
    """Both parts; what each found."""
    out = {"cube": cube(), "hvp": hessian_vector_product()}
    return out


if __name__ == "__main__":
    main()
