"""``gradcheck``: analytic gradients against float64 central finite differences."""

from __future__ import annotations

import numpy as np


class GradcheckError(RuntimeError):
    """The analytic and numerical Jacobians disagree."""


def _flat_outputs(out) -> list:
    if isinstance(out, (tuple, list)):
        return [o for o in out]
    return [out]


def _real_coords(arr) -> np.ndarray:
    """``arr``'s values as float64 real coordinates: a complex array's real parts, then its
    imaginary parts."""
    flat = np.asarray(arr).reshape(-1)
    if flat.dtype.kind == "c":
        return np.concatenate([flat.real, flat.imag]).astype(np.float64)
    return flat.astype(np.float64)


def _directions(data):
    """Each real coordinate of ``data`` as ``(flat index, step)``: 1, and 1j for complex."""
    units = (1, 1j) if data.dtype.kind == "c" else (1,)
    return [(k, u) for u in units for k in range(data.size)]


def _grad_coords(g, x) -> np.ndarray:
    """A gradient ``g`` of input ``x`` in ``x``'s real coordinates (zeros for None): a
    complex input's gradient ``dL/da + i dL/db`` gives both; a real one's, its real part."""
    if g is None:
        n = x.numel()
        return np.zeros(2 * n if x.dtype.is_complex else n)
    arr = np.asarray(g._data).reshape(-1)
    if x.dtype.is_complex:
        return np.concatenate([arr.real, arr.imag]).astype(np.float64)
    return arr.real.astype(np.float64)


def gradcheck(
    fn,
    inputs,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
    nondet_tol: float = 0.0,
    fast_mode: bool = False,
) -> bool:
    """Check ``fn``'s gradients at ``inputs`` against finite differences (use float64 or
    complex128 inputs).

    A complex input or output counts as its real and imaginary parts, and a complex
    input's gradient is read as torch gives it (``dL/da + i dL/db`` for ``x = a + ib``).
    ``fast_mode`` checks, as torch's, one random projection ``u . J v`` per input and
    output instead of the whole Jacobian: two evaluations of ``fn`` per input and one
    backward per output, whatever their sizes."""
    from ..creation import zeros_like
    from ..tensor import Tensor
    from . import grad
    from .grad_mode import no_grad

    if not isinstance(inputs, (tuple, list)):
        inputs = (inputs,)
    diff = [i for i, t in enumerate(inputs) if isinstance(t, Tensor) and t.requires_grad]
    outputs = _flat_outputs(fn(*inputs))
    outputs = [o for o in outputs if isinstance(o, Tensor) and o.requires_grad]
    if not outputs:
        raise GradcheckError("gradcheck expects at least one output that requires grad")

    if fast_mode:
        return _fast_check(fn, inputs, diff, outputs, eps, atol, rtol, raise_exception)

    # numerical Jacobian: d out_j / d in_i, one real coordinate of the input at a time
    numerical = {}
    with no_grad():
        for i in diff:
            flat = inputs[i]._data.reshape(-1)
            cols = []
            for k, unit in _directions(flat):
                orig = flat[k].item()
                flat[k] = orig + eps * unit
                plus = [_real_coords(o._data) for o in _outs(fn, inputs)]
                flat[k] = orig - eps * unit
                minus = [_real_coords(o._data) for o in _outs(fn, inputs)]
                flat[k] = orig
                cols.append([(p - m) / (2 * eps) for p, m in zip(plus, minus)])
            numerical[i] = cols

    # analytic Jacobian: one vector-Jacobian product per real coordinate of each output
    for j, out in enumerate(outputs):
        rows = {i: [] for i in diff}
        for r, unit in _directions(out._data.reshape(-1)):
            go = zeros_like(out)
            go._data.reshape(-1)[r] = unit
            grads = grad(out, [inputs[i] for i in diff], go, retain_graph=True, allow_unused=True)
            for i, g in zip(diff, grads):
                rows[i].append(_grad_coords(g, inputs[i]))
        n_out = _real_coords(out._data).size
        for i in diff:
            n_in = _real_coords(inputs[i]._data).size
            num = np.array([c[j] for c in numerical[i]]).T.reshape(n_out, n_in)
            ana = np.array(rows[i]).reshape(n_out, n_in)
            if not np.allclose(ana, num, rtol=rtol, atol=atol):
                if raise_exception:
                    raise GradcheckError(
                        f"Jacobian mismatch for output {j} with respect to input {i},\n"
                        f"numerical:{num}\nanalytical:{ana}\n"
                    )
                return False
    return True


def _fast_check(fn, inputs, diff, outputs, eps, atol, rtol, raise_exception) -> bool:
    """``u_j . (J_ji v_i)`` by a central difference along ``v_i`` against ``(u_j^T J_ji) . v_i``
    by one vector-Jacobian product, for random unit ``v_i`` and random ``u_j`` (in real
    coordinates: a complex tensor's real parts, then its imaginary parts)."""
    from ..tensor import Tensor
    from . import grad
    from .grad_mode import no_grad

    rng = np.random.default_rng(0)
    us = [rng.standard_normal(_real_coords(o._data).size) for o in outputs]
    for i in diff:
        x = inputs[i]
        data = x._data
        v = rng.standard_normal(_real_coords(data).size)
        v /= np.linalg.norm(v) or 1.0
        step = _from_coords(v, data)
        orig = data.copy()
        with no_grad():
            data[...] = orig + eps * step
            plus = [_real_coords(o._data) for o in _outs(fn, inputs)]
            data[...] = orig - eps * step
            minus = [_real_coords(o._data) for o in _outs(fn, inputs)]
            data[...] = orig
        for j, out in enumerate(outputs):
            u = Tensor(_from_coords(us[j], out._data), dtype=out.dtype)
            (g,) = grad(out, [x], u, retain_graph=True, allow_unused=True)
            ana = float((_grad_coords(g, x) * v).sum())
            num = float((us[j] * (plus[j] - minus[j]) / (2 * eps)).sum())
            if not abs(ana - num) <= atol + rtol * abs(num):
                if raise_exception:
                    raise GradcheckError(
                        f"Jacobian mismatch for output {j} with respect to input {i} along a "
                        f"random direction (fast mode):\nnumerical: {num}\nanalytical: {ana}\n"
                    )
                return False
    return True


def _from_coords(coords: np.ndarray, like) -> np.ndarray:
    """Real coordinates (see ``_real_coords``) back into an array shaped as ``like``."""
    if like.dtype.kind == "c":
        n = like.size
        return (coords[:n] + 1j * coords[n:]).reshape(like.shape)
    return coords.reshape(like.shape)


def _outs(fn, inputs):
    from ..tensor import Tensor

    return [
        o
        for o in _flat_outputs(fn(*inputs))
        if isinstance(o, Tensor) and (o.dtype.is_floating_point or o.dtype.is_complex)
    ]


def gradgradcheck(
    fn,
    inputs,
    grad_outputs=None,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
    fast_mode: bool = False,
) -> bool:
    """Check ``fn``'s second derivatives: ``gradcheck`` of its first gradients, made with
    ``create_graph=True``, as functions of the inputs and of the output gradients
    (random float64 ones unless ``grad_outputs`` is given); ``fast_mode`` as gradcheck's."""
    from ..tensor import Tensor
    from . import grad
    from .grad_mode import enable_grad

    if not isinstance(inputs, (tuple, list)):
        inputs = (inputs,)
    inputs = tuple(inputs)
    outputs = [o for o in _flat_outputs(fn(*inputs)) if isinstance(o, Tensor) and o.requires_grad]
    if grad_outputs is None:
        rng = np.random.default_rng(0)
        grad_outputs = [
            Tensor(rng.standard_normal(o.shape), dtype=o.dtype, requires_grad=True) for o in outputs
        ]
    elif not isinstance(grad_outputs, (tuple, list)):
        grad_outputs = [grad_outputs]
    n = len(inputs)

    def first_gradients(*args):
        ins, gos = args[:n], list(args[n:])
        with enable_grad():  # gradcheck perturbs under no_grad; this must record
            outs = [o for o in _flat_outputs(fn(*ins)) if isinstance(o, Tensor) and o.requires_grad]
            wrt = [t for t in ins if isinstance(t, Tensor) and t.requires_grad]
            grads = grad(outs, wrt, gos, create_graph=True, allow_unused=True)
        return tuple(g for g in grads if g is not None and g.requires_grad)

    if not first_gradients(*inputs, *grad_outputs):
        return True  # no first gradient depends on anything: every second derivative is 0
    return gradcheck(
        first_gradients,
        (*inputs, *grad_outputs),
        eps=eps,
        atol=atol,
        rtol=rtol,
        raise_exception=raise_exception,
        fast_mode=fast_mode,
    )
