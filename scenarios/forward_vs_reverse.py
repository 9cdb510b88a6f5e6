"""Forward vs reverse mode: n JVPs against one backward for a scalar loss, and matrix-chain order in FLOPs.

Part 1. The gradient of ``f(x) = sum(exp(sin(x)) * x)``, a scalar of ``n`` inputs, two
ways. Forward mode (``gs.func.jvp``) pushes one tangent direction through ``f`` per call,
so the full gradient takes ``n`` calls, each evaluating every op of ``f``. Reverse mode
runs ``f`` once and one backward pass through its nodes. The scenario counts the op
evaluations of each and times them for growing ``n``.

Part 2. The same asymmetry as matrix products. For ``f = g3(g2(g1(x)))`` with Jacobians
``J3`` (1 x m), ``J2`` (m x m), ``J1`` (m x n), the gradient is ``J3 J2 J1``. Reverse mode
multiplies from the left, ``(J3 J2) J1``: vector times matrix, cheap. Forward mode
multiplies from the right, ``J3 (J2 J1)``: matrix times matrix. The scenario counts the
FLOPs of both orders (2abc for an (a x b) @ (b x c) product) and times them.

Run it: ``python scenarios/forward_vs_reverse.py`` or ``gradscope run scenarios/forward_vs_reverse.py``.
"""

import time

import gradscope as gs


class Counted:
    """``f(x) = sum(exp(sin(x)) * x)``, counting how many times it runs."""

    ops = 4  # sin, exp, mul, sum: the nodes one evaluation records

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, x):
        self.calls += 1
        return (gs.exp(gs.sin(x)) * x).sum()


def forward_mode(x) -> tuple:
    """The gradient by ``n`` JVPs, one per basis direction; (gradient, op evaluations)."""
    f = Counted()
    n = x.numel()
    grad = []
    fwd = gs.autograd.forward_ad
    fwd.reset_node_evaluations()
    for i in range(n):
        e = gs.zeros(n)
        e[i] = 1.0
        _, d = gs.func.jvp(f, (x,), (e,))  # d = the directional derivative along e_i
        grad.append(d.item())
    evals = fwd.node_evaluations()  # one per op per call: the JVPs forward mode ran
    assert evals == f.calls * Counted.ops
    return gs.tensor(grad), evals


def reverse_mode(x) -> tuple:
    """The gradient by one forward pass and one backward; (gradient, op evaluations)."""
    f = Counted()
    x = x.detach().requires_grad_()
    with gs.trace() as tr:
        f(x).backward()
    created = sum(e.kind == "node_created" and e.op != "AccumulateGrad" for e in tr.events)
    executed = sum(e.kind == "node_executed" for e in tr.events)
    return x.grad, created + executed


def compare_modes(sizes: tuple) -> list:
    """Time both modes for each ``n`` in ``sizes`` and check they agree."""
    rows = []
    print(
        f"{'n':>6} {'forward evals':>14} {'forward s':>10} {'reverse evals':>14} {'reverse s':>10}  agree"
    )
    for n in sizes:
        x = gs.randn(n)
        t0 = time.perf_counter()
        g_fwd, evals_fwd = forward_mode(x)
        t1 = time.perf_counter()
        g_rev, evals_rev = reverse_mode(x)
        t2 = time.perf_counter()
        agree = bool(g_fwd.allclose(g_rev, rtol=1e-4, atol=1e-5))
        rows.append({"n": n, "forward_evals": evals_fwd, "forward_s": t1 - t0,
                     "reverse_evals": evals_rev, "reverse_s": t2 - t1, "agree": agree})  # fmt: skip
        print(
            f"{n:>6} {evals_fwd:>14,} {t1 - t0:>10.4f} {evals_rev:>14,} {t2 - t1:>10.4f}  {agree}"
        )
    return rows


class FlopCounter:
    """Matrix products that count their FLOPs: 2abc for (a x b) @ (b x c)."""

    def __init__(self) -> None:
        self.flops = 0

    def mm(self, a, b):
        self.flops += 2 * a.shape[0] * a.shape[1] * b.shape[1]
        return a @ b


def chain_order(m: int, n: int) -> dict:
    """J3 (1 x m) J2 (m x m) J1 (m x n), multiplied from the left and from the right."""
    J3, J2, J1 = gs.randn(1, m), gs.randn(m, m), gs.randn(m, n)
    left, right = FlopCounter(), FlopCounter()
    t0 = time.perf_counter()
    g_left = left.mm(left.mm(J3, J2), J1)  # reverse mode: (J3 J2) J1
    t1 = time.perf_counter()
    g_right = right.mm(J3, right.mm(J2, J1))  # forward mode: J3 (J2 J1)
    t2 = time.perf_counter()
    same = bool(g_left.allclose(g_right, rtol=1e-3, atol=1e-2))
    print(f"J3 (1 x {m}) J2 ({m} x {m}) J1 ({m} x {n}):")
    print(f"  (J3 J2) J1, reverse order: {left.flops:>13,} FLOPs  {t1 - t0:.4f} s")
    print(f"  J3 (J2 J1), forward order: {right.flops:>13,} FLOPs  {t2 - t1:.4f} s")
    print(f"  same product: {same}; forward order costs {right.flops / left.flops:,.0f}x the FLOPs")
    return {"m": m, "n": n, "reverse_flops": left.flops, "forward_flops": right.flops,
            "reverse_s": t1 - t0, "forward_s": t2 - t1, "same": same}  # fmt: skip


def main(sizes: tuple = (10, 100, 1000), m: int = 512, n: int = 512, seed: int = 0) -> dict:
    """Run both parts; return the counts and timings."""
    gs.manual_seed(seed)
    print("== the gradient of a scalar of n inputs: n JVPs vs one backward ==")
    modes = compare_modes(sizes)
    print(
        "forward mode: n calls of f, each evaluating its 4 ops with a tangent;\n"
        "reverse mode: 4 ops forward, then 5 nodes backward (4 ops and x's AccumulateGrad),\n"
        "whatever n is."
    )
    print("\n== the order of a chain of Jacobian products ==")
    chain = chain_order(m, n)
    return {"modes": modes, "chain": chain}


if __name__ == "__main__":
    main()
