"""Forward mode through complex numbers against torch: a tangent's dtype and its values,
imaginary parts included. A real output of a complex input has a real tangent, the real
part of its rule's (torch's ``handle_r_to_c``); ``abs``, ``sgn``, the norms and the
variances are not holomorphic, and their tangents follow torch's formulas."""

from __future__ import annotations

import numpy as np
import pytest

import gradscope as gs

torch = pytest.importorskip("torch", reason="torch is the reference for parity tests")

PRIMAL = [1 + 1j, -2 + 0.5j, 3j, -0.5 - 2j]
TANGENT = [1 + 0j, 0.5 - 1j, 2 + 2j, -1 + 0.25j]

FUNCTIONS = {
    "abs": lambda m, d: d.abs(),
    "angle": lambda m, d: d.angle(),
    "real": lambda m, d: d.real * 1,
    "imag": lambda m, d: d.imag * 1,
    "sgn": lambda m, d: d.sgn(),
    "view_as_real": lambda m, d: m.view_as_real(d) * 1,
    "abs_squared": lambda m, d: (d * d.conj()).real,
    "abs_then_real_op": lambda m, d: d.abs().exp(),
    "conj": lambda m, d: d.conj() * 1,
    "exp": lambda m, d: d.exp(),
    "sqrt": lambda m, d: d.sqrt(),
    "log": lambda m, d: d.log(),
    "reciprocal": lambda m, d: d.reciprocal(),
    "sum_of_abs": lambda m, d: d.abs().sum(),
    "norm": lambda m, d: m.linalg.vector_norm(d),
    "norm_1": lambda m, d: m.linalg.vector_norm(d, 1),
    "norm_3": lambda m, d: m.linalg.vector_norm(d, 3),
    "norm_inf": lambda m, d: m.linalg.vector_norm(d, float("inf")),
    "norm_half": lambda m, d: m.linalg.vector_norm(d, 0.5),
    "var": lambda m, d: d.var(),
    "std": lambda m, d: d.std(correction=0),
    "var_mean_var": lambda m, d: m.var_mean(d)[0],
    "var_mean_mean": lambda m, d: m.var_mean(d)[1],
    "std_mean_std": lambda m, d: m.std_mean(d, correction=2)[0],
}


def _tangent(m, fn, dtype):
    fa = m.autograd.forward_ad
    with fa.dual_level():
        x = m.tensor(PRIMAL, dtype=getattr(m, dtype))
        t = m.tensor(TANGENT, dtype=getattr(m, dtype))
        out = fa.unpack_dual(fn(m, fa.make_dual(x, t))).tangent
        return str(out.dtype).rsplit(".", 1)[-1], out.detach().numpy().copy()


@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_tangent_as_torch(name, dtype):
    (g_dtype, got), (t_dtype, want) = (_tangent(m, FUNCTIONS[name], dtype) for m in (gs, torch))
    assert g_dtype == t_dtype
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_sgn_tangent_is_zero_at_zero_as_torch():
    def fn(m, d):
        return d.sgn()

    def run(m):
        fa = m.autograd.forward_ad
        with fa.dual_level():
            d = fa.make_dual(m.tensor([0j, 1j]), m.tensor([1 + 1j, 1 + 0j]))
            return fa.unpack_dual(fn(m, d)).tangent.numpy().copy()

    np.testing.assert_allclose(run(gs), run(torch))
