"""Forward-mode AD: ``gs.autograd.forward_ad`` and ``gs.func`` on the op table.

Every op's JVP is checked against float64 central finite differences along the tangent
and, where torch is installed, against ``torch.func.jvp``.
"""

from __future__ import annotations

import importlib.util
import warnings

import numpy as np
import pytest

import gradscope as gs
from tests.op_cases import CASES, to_gs

fwAD = gs.autograd.forward_ad
HAVE_TORCH = importlib.util.find_spec("torch") is not None
FWD_CASES = [c for c in CASES if c.forward_ad]


def _tangents(case) -> list:
    rng = np.random.default_rng(11)
    return [rng.standard_normal(s) for s in case.shapes]


def _plain(case, arrays):
    return [gs.tensor(a, dtype=gs.float64) for a in arrays]


def _f64(t) -> np.ndarray:
    return np.asarray(t.detach(), dtype=np.float64)


@pytest.mark.parametrize("case", FWD_CASES, ids=lambda c: c.name)
def test_jvp_matches_finite_differences(case):
    xs, ts = case.arrays(), _tangents(case)
    primals = tuple(to_gs(case, xs, gs.float64))
    tangents = tuple(gs.tensor(t, dtype=gs.float64) for t in ts)
    out, jvp_out = gs.func.jvp(lambda *a: case.fn(gs, *a), primals, tangents)
    assert jvp_out.shape == out.shape and jvp_out.dtype == gs.float64
    h = 1e-6
    with gs.no_grad():
        plus = case.fn(gs, *_plain(case, [x + h * t for x, t in zip(xs, ts)]))
        minus = case.fn(gs, *_plain(case, [x - h * t for x, t in zip(xs, ts)]))
    numerical = (_f64(plus) - _f64(minus)) / (2 * h)
    np.testing.assert_allclose(_f64(jvp_out), numerical, rtol=1e-4, atol=1e-5)


@pytest.mark.skipif(not HAVE_TORCH, reason="torch is the reference for forward-mode parity")
@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("case", FWD_CASES, ids=lambda c: c.name)
def test_jvp_matches_torch(case):
    import torch
    import torch.func

    xs, ts = case.arrays(), _tangents(case)
    g_out, g_jvp = gs.func.jvp(
        lambda *a: case.fn(gs, *a),
        tuple(to_gs(case, xs, gs.float64)),
        tuple(gs.tensor(t, dtype=gs.float64) for t in ts),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t_out, t_jvp = torch.func.jvp(
            lambda *a: case.fn(torch, *a),
            tuple(torch.tensor(x) for x in xs),
            tuple(torch.tensor(t) for t in ts),
        )
    np.testing.assert_allclose(_f64(g_out), t_out.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(_f64(g_jvp), t_jvp.detach().numpy(), rtol=1e-8, atol=1e-10)


# --------------------------------------------------------------------------- the API


def _f(a):
    return a.sin() * a


def test_reference_example():
    p, t = gs.tensor([1.0, 2.0, 3.0]), gs.tensor([1.0, 0.0, 0.5])
    with fwAD.dual_level():
        out = _f(fwAD.make_dual(p, t))
        primal, tangent = fwAD.unpack_dual(out)
    np.testing.assert_allclose(primal.numpy(), [0.8415, 1.8186, 0.4234], atol=1e-4)
    np.testing.assert_allclose(tangent.numpy(), [1.3818, 0.0, -1.4144], atol=1e-4)
    out2, jvp_out = gs.func.jvp(_f, (p,), (t,))
    assert np.array_equal(out2.numpy(), primal.numpy())
    assert np.array_equal(jvp_out.numpy(), tangent.numpy())


def test_vjp_and_grad():
    p = gs.tensor([1.0, 2.0, 3.0])
    out, vjp_fn = gs.func.vjp(_f, p)
    assert out.grad_fn is None
    (g,) = vjp_fn(gs.ones(3))
    np.testing.assert_allclose(g.numpy(), [1.3818, 0.0770, -2.8289], atol=1e-4)
    assert gs.func.grad(lambda a: (a**2).sum())(p).tolist() == [2.0, 4.0, 6.0]
    ga, gb = gs.func.grad(lambda a, b: (a * b).sum(), argnums=(0, 1))(p, p * 2)
    assert ga.tolist() == [2.0, 4.0, 6.0] and gb.tolist() == [1.0, 2.0, 3.0]
    with pytest.raises(RuntimeError, match="Expected f\\(\\*args\\) to return a scalar Tensor"):
        gs.func.grad(lambda a: a**2)(p)


def test_jvp_several_outputs_and_unused_input():
    a, b = gs.tensor([1.0, 2.0]), gs.tensor([3.0, 4.0])
    (o1, o2), (t1, t2) = gs.func.jvp(lambda x, y: (x * y, x + 1), (a, b), (gs.ones(2), gs.zeros(2)))
    assert t1.tolist() == [3.0, 4.0] and t2.tolist() == [1.0, 1.0]
    out, tan = gs.func.jvp(lambda x: gs.ones(2), (a,), (gs.ones(2),))
    assert tan.tolist() == [0.0, 0.0]


def test_jvp_argument_errors():
    with pytest.raises(RuntimeError, match="Expected primals to be a tuple"):
        gs.func.jvp(_f, [gs.ones(2)], [gs.ones(2)])
    with pytest.raises(RuntimeError, match="different size than that of the original Tensor"):
        gs.func.jvp(_f, (gs.ones(2),), (gs.ones(3),))


def test_dual_level_rules():
    x = gs.tensor([1.0, 2.0])
    with pytest.raises(RuntimeError, match="no level exists"):
        fwAD.make_dual(x, x)
    with fwAD.dual_level():
        with pytest.raises(RuntimeError, match="Nested forward mode AD"):
            fwAD.enter_dual_level()
        with pytest.raises(ValueError, match="Expected tangent to be floating point"):
            fwAD.make_dual(x, gs.tensor([1, 2]))
        d = fwAD.make_dual(x, gs.ones(2))
        y = d * 3
        assert fwAD.unpack_dual(x).tangent is None
    assert fwAD.unpack_dual(y).tangent is None  # tangents end with their level
    assert "_tangent" not in y.__dict__
    assert not gs.autograd.function._dual


def test_dual_with_reverse_mode_and_no_grad():
    x = gs.tensor([1.0, 2.0], requires_grad=True)
    with fwAD.dual_level():
        d = fwAD.make_dual(x, gs.tensor([1.0, 1.0]))
        assert d.grad_fn.name() == "ViewBackward0"
        y = (d * d).sum()
        assert fwAD.unpack_dual(y).tangent.item() == 6.0
        y.backward()
        with gs.no_grad():
            z = d.exp()
        assert z.grad_fn is None
        assert np.allclose(fwAD.unpack_dual(z).tangent.numpy(), np.exp([1.0, 2.0]))
    assert x.grad.tolist() == [2.0, 4.0]


def test_inplace_ops_carry_tangents():
    with fwAD.dual_level():
        d = fwAD.make_dual(gs.tensor([1.0, 2.0, 3.0]), gs.tensor([1.0, 1.0, 1.0]))
        t = d * 2
        t.mul_(d)  # t = 2 d^2, tangent 4 d
        t[0] = 5.0  # constant: tangent 0
        assert fwAD.unpack_dual(t).tangent.tolist() == [0.0, 8.0, 12.0]


@pytest.mark.skipif(not HAVE_TORCH, reason="torch prints the reference repr")
def test_repr_with_tangent():
    import torch
    import torch.autograd.forward_ad as tfw

    with tfw.dual_level():
        expected = repr(tfw.make_dual(torch.tensor([1.0, 2.0]), torch.tensor([1.0, 0.0])) * 2)
    with fwAD.dual_level():
        got = repr(fwAD.make_dual(gs.tensor([1.0, 2.0]), gs.tensor([1.0, 0.0])) * 2)
    assert got == expected


def test_no_overhead_flag_outside_dual_level():
    assert not gs.autograd.function._dual
    with fwAD.dual_level():
        assert gs.autograd.function._dual
    assert not gs.autograd.function._dual


def test_forward_versus_reverse_cost():
    """A full Jacobian of f: R^n -> R^m takes n forward passes, or m backward passes."""
    n = 5
    w = gs.randn(3, n, dtype=gs.float64)
    x = gs.randn(n, dtype=gs.float64)

    def f(v):
        return (w @ v).tanh() * 2

    fwAD.reset_node_evaluations()
    columns = [gs.func.jvp(f, (x,), (gs.eye(n, dtype=gs.float64)[i],))[1] for i in range(n)]
    per_pass = 3  # mv, tanh, mul
    assert fwAD.node_evaluations() == n * per_pass
    jac_fwd = np.stack([c.numpy() for c in columns], axis=1)

    xr = x.detach().requires_grad_()
    y = f(xr)
    rows = [
        gs.autograd.grad(y, xr, gs.eye(3, dtype=gs.float64)[i], retain_graph=True)[0]
        for i in range(3)
    ]
    jac_rev = np.stack([r.numpy() for r in rows])
    np.testing.assert_allclose(jac_fwd, jac_rev, rtol=1e-12)
    # the scalar loss: one backward gives the whole gradient, forward mode needs n passes
    fwAD.reset_node_evaluations()
    grads = [
        gs.func.jvp(lambda v: f(v).sum(), (x,), (gs.eye(n, dtype=gs.float64)[i],))[1]
        for i in range(n)
    ]
    assert fwAD.node_evaluations() == n * (per_pass + 1)
    full = gs.func.grad(lambda v: f(v).sum())(x)
    np.testing.assert_allclose([g.item() for g in grads], full.numpy(), rtol=1e-12)


def test_tangents_handed_on_share_their_buffer():
    # make_dual keeps the tangent it is given; a view's tangent is a view of its input's,
    # and `d + 1` hands its input's tangent on: none of them is new memory
    import gradscope.autograd.forward_ad as fa

    n = 100_000
    x, t = gs.randn(n), gs.randn(n)
    with fa.dual_level():
        before = gs.live_bytes()
        d = fa.make_dual(x, t)
        assert gs.live_bytes() == before
        v, s, q = d.view(1000, 100), d[1:], d + 1.0
        assert gs.live_bytes() == before + 4 * n  # q's values alone
        assert (fa.unpack_dual(s).tangent.numpy() == t.numpy()[1:]).all()
        assert (fa.unpack_dual(q).tangent.numpy() == t.numpy()).all()
        del v
