"""Non-scalar backward: p.backward(v) is the vector-Jacobian product v^T J, checked against J.

``p = W @ x**2`` maps 4 numbers to 3. ``p.backward()`` fails: there is no single
gradient of a vector. ``p.backward(v)`` computes ``v^T J`` (``J`` the 3x4 Jacobian)
in one backward pass, without ever building ``J``. The scenario checks it against ``J``
built row by row, one ``gs.autograd.grad`` call (one backward) per output, and against
``gs.autograd.functional.jacobian``, which builds it the same way.

Run it: ``python scenarios/vector_jacobian.py`` or ``gradscope run scenarios/vector_jacobian.py``.
"""

import gradscope as gs


def main() -> dict:
    """Show the error, the vector-Jacobian product and the explicit Jacobian."""
    x = gs.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    W = gs.tensor([[1.0, 0.0, 2.0, 1.0], [0.0, 1.0, -1.0, 3.0], [2.0, 2.0, 0.0, 1.0]])
    p = W @ x**2
    print(f"p = W @ x**2 = {p}")

    try:
        p.backward(retain_graph=True)
        error = None
    except RuntimeError as e:
        error = str(e)
    print(f"p.backward() -> RuntimeError: {error}")

    # The Jacobian, one row per output: row i is the gradient of p[i], the VJP with e_i.
    rows = []
    for i in range(p.numel()):
        e_i = gs.zeros(p.numel())
        e_i[i] = 1.0
        (row,) = gs.autograd.grad(p, x, grad_outputs=e_i, retain_graph=True)
        rows.append(row)
    J = gs.stack(rows)
    print(f"J, built with {len(rows)} backward passes (one per output):\n{J}")
    analytic = W * (2 * x.detach())  # dp_i/dx_j = W_ij * 2 x_j
    print(f"J == W * 2x (by hand): {J.equal(analytic)}")
    # The same loop, as a library call (torch.autograd.functional.jacobian's equivalent).
    J_lib = gs.autograd.functional.jacobian(lambda t: W @ t**2, x.detach())
    print(f"gs.autograd.functional.jacobian gives the same J: {J_lib.equal(J)}")

    v = gs.tensor([1.0, -1.0, 0.5])
    gs.mark("before backward")
    p.backward(v)  # one backward pass
    gs.mark("after backward")
    vjp = v @ J
    print(f"v = {v}")
    print(f"p.backward(v): x.grad = {x.grad}")
    print(f"v^T J               = {vjp}")
    same = bool(x.grad.allclose(vjp))
    print(f"x.grad == v^T J: {same}")
    print(
        "One backward gives one row combination v^T J; the whole J needs one backward per\n"
        "output. For a scalar loss there is one output, so one backward gives the gradient."
    )
    return {
        "error": error,
        "jacobian": J.tolist(),
        "jacobian_ok": bool(J.equal(analytic)),
        "library_jacobian_ok": bool(J_lib.equal(J)),
        "grad": x.grad.tolist(),
        "vjp": vjp.tolist(),
        "matches": same,
        "backward_passes_for_J": len(rows),
    }


if __name__ == "__main__":
    main()
