"""Every op of the table on inputs full of IEEE specials (0, -0, inf, -inf, NaN, 1e30,
-1e-30, ...) against torch 2.13: values, gradients and forward-mode tangents, NaN where
torch gives NaN and nowhere else. (A relu or clamp that masks an inf gradient out gives 0, not NaN; abs of a
NaN has gradient 0; a NaN passes relu's gradient on.)
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import gradscope as gs
from tests.op_cases import CASES, to_gs, to_torch
from tests.parity import as_numpy

torch = pytest.importorskip("torch", reason="torch is the reference for parity tests")

SPECIALS = [0.0, -0.0, 1.0, -1.0, np.inf, -np.inf, np.nan, 0.5, -0.5, 2.0, 1e30, -1e-30]

# where torch and gradscope part on specials, left alone: x ** 0.5's gradient at -0.0 and
# -inf (torch computes it as a reciprocal square root), and a batched matmul whose BLAS
# sums inf * 0 in another order; and padded convolutions with an inf or NaN weight, where
# whether the padding's zeros meet it (0 * inf = NaN) is torch's kernel choice, not one
# rule: its float32 oneDNN kernel with one group leaves padded taps out, its grouped,
# float64 (Slow2d) and batch-1 kernels multiply them in; gradscope always multiplies
KNOWN = {
    "matmul_2d_3d",
    "matmul_2d_3d_const_a",
    "F_conv2d_const_weight",
    "F_conv1d_same",
    "F_conv2d_same_even",
    "F_conv_transpose2d",
}
# multi_dot's gradient (and chain_matmul's, the same products): OpenBLAS's sgemm fuses
# -inf + 1e30 * 1e30 into -inf, MKL's rounds the product to inf first and gives NaN
KNOWN |= {"multi_dot_3", "chain_matmul"}
# cov's product of the centred observations with their transpose: with 1e30 and infinities
# among them, whether a sum of inf and -inf terms (NaN) or the inf alone comes out depends
# on the order MKL's and OpenBLAS's gemm accumulate in
KNOWN |= {"cov", "cov_correction_0", "cov_fweights"}
# an SVD or eigh (with U and V, as a gradient needs) of a matrix with an infinity: whether
# MKL's gesdd / syevd converge (NaN factors) or fail (torch raises) depends on its iteration
KNOWN |= {"svd_squares_full_square", "svd_method", "linalg_pinv_hermitian", "linalg_cond_minus_2"}
# cholesky of a matrix with a NaN or an infinity: MKL's potrf runs on (NaN factors) where
# NumPy's LAPACK stops at the first leading minor it cannot take (LinAlgError)
KNOWN |= {
    "linalg_cholesky",
    "linalg_cholesky_batched",
    "linalg_cholesky_upper",
    "cholesky_fn",
    "cholesky_method_upper",
    "linalg_cholesky_ex",
    "linalg_cholesky_ex_upper",
}
# eigh and QR of a matrix with a NaN or an infinity: whether MKL's syevd converges (NaN
# factors) or fails (torch raises), and where geqrf's NaN spread, are MKL's, not NumPy's
KNOWN |= {
    "linalg_eigh",
    "linalg_eigh_batched",
    "linalg_eigh_values",
    "linalg_eigh_vectors",
    "linalg_eigvalsh",
    "linalg_qr",
    "linalg_qr_batched",
    "linalg_qr_tall",
    "linalg_qr_wide",
    "linalg_qr_r_abs",
    "linalg_qr_complete_wide",
    "qr_fn",
    "qr_method",
}

# LU, the Cholesky solvers and the Householder product on specials: mostly where NaN
# lands (MKL's blocked getrf, potrs and orgqr, and the triangular solves and products of
# their backward, meet inf * 0 in another order than gradscope's NumPy elimination and
# products); in a few LU cases another pivot row, as gradscope's pivot search (NumPy's
# argmax of the column's magnitudes) takes the first NaN and MKL's does not; and the
# Cholesky cases build their factor with cholesky, which NumPy's LAPACK refuses on a NaN
# where MKL's runs on (above)
KNOWN |= {
    "cholesky_inverse",
    "cholesky_inverse_upper_method",
    "cholesky_solve",
    "cholesky_solve_method_b_only",
    "cholesky_solve_upper_broadcast",
    "householder_product",
    "householder_product_tall_batched",
    "householder_product_tau_only",
    "orgqr_method",
    "linalg_lu",
    "linalg_lu_factor",
    "linalg_lu_factor_ex_batched",
    "linalg_lu_factor_tall",
    "linalg_lu_u",
    "linalg_lu_wide",
    "lu_unpack",
    "lu_unpack_tall",
    "lu_unpack_wide",
}

# torch's fused CPU attention on specials: where its blocked kernel's running maximum and
# its GEMMs meet inf * 0 or NaN decides which outputs and gradients come out NaN (a 0 here
# and there where the composite's NaN spreads); gradscope's fused node computes as the
# composite does
KNOWN |= {"F_sdpa_fused", "F_sdpa_fused_mask_causal"}

# instance_norm's variance over four elements of which two are +-1e30: float32 sums of
# such squares round to different neighbours in torch's batch-norm kernel and NumPy's
KNOWN |= {"F_instance_norm_running_stats"}


# grid_sample's border and reflection padding at NaN, infinite and 1e30 locations: torch's
# kernels turn those into indices by whatever the hardware's float-to-int conversion gives
# (its 2-d bilinear kernel then reads outside the input and crashes the process; its 3-d
# kernel clips NaN to the far border going forward and drops it going backward)
KNOWN |= {
    "F_grid_sample_border",
    "F_grid_sample_reflection",
    "F_grid_sample_reflection_align",
    "F_grid_sample_nearest_border",
    "F_grid_sample_trilinear_reflection",
    "F_grid_sample_3d_nearest",
    "F_grid_sample_bicubic_border",
    "F_grid_sample_bicubic_reflection",
}


def _filled(shape, start):
    n = int(np.prod(shape)) if shape else 1
    values = [SPECIALS[(start + i) % len(SPECIALS)] for i in range(n)]
    return np.array(values, dtype=np.float64).reshape(shape)


def _run(m, case, arrays):
    inputs = (to_gs if m is gs else to_torch)(case, arrays)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = case.fn(m, *inputs)
            if isinstance(out, tuple):
                out = out[0]
            n = int(np.prod(out.shape)) if out.shape else 1
            seed = np.linspace(0.5, 1.5, n).reshape(tuple(out.shape))
            out.backward(m.tensor(seed, dtype=out.dtype))
    except (RuntimeError, ValueError, IndexError, TypeError) as e:
        return type(e).__name__
    grads = [t.grad for t in inputs if t.requires_grad]
    return [np.asarray(as_numpy(out), np.float64)] + [
        None if g is None else np.asarray(as_numpy(g), np.float64) for g in grads
    ]


@pytest.mark.parametrize("start", [0, 3, 6, 9])
@pytest.mark.parametrize("case", [c for c in CASES if c.name not in KNOWN], ids=lambda c: c.name)
def test_values_and_gradients_of_specials_as_torch(case, start):
    arrays = [_filled(s, start + 5 * j) for j, s in enumerate(case.shapes)]
    want, got = _run(torch, case, arrays), _run(gs, case, arrays)
    if isinstance(want, str) or isinstance(got, str):
        assert isinstance(want, str) == isinstance(got, str), (want, got)
        return
    for w, g in zip(want, got):
        if w is None or g is None:
            assert w is None and g is None
            continue
        assert w.shape == g.shape
        np.testing.assert_allclose(g, w, rtol=1e-3, atol=1e-5, equal_nan=True)


def _jvp(m, case, arrays):
    inputs = [t.detach() for t in (to_gs if m is gs else to_torch)(case, arrays)]
    tangents = tuple(m.ones_like(t) * 0.5 for t in inputs)

    def f(*xs):
        out = case.fn(m, *xs)
        return out[0] if isinstance(out, tuple) else out

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out, tangent = m.func.jvp(f, tuple(inputs), tangents)
    except (RuntimeError, ValueError, IndexError, TypeError) as e:
        return type(e).__name__
    return [np.asarray(out.numpy(), np.float64), np.asarray(tangent.numpy(), np.float64)]


@pytest.mark.parametrize("start", [0, 6])
@pytest.mark.parametrize(
    "case", [c for c in CASES if c.forward_ad and c.name not in KNOWN], ids=lambda c: c.name
)
def test_tangents_of_specials_as_torch(case, start):
    arrays = [_filled(s, start + 5 * j) for j, s in enumerate(case.shapes)]
    want, got = _jvp(torch, case, arrays), _jvp(gs, case, arrays)
    if isinstance(want, str) or isinstance(got, str):
        assert isinstance(want, str) == isinstance(got, str), (want, got)
        return
    for w, g in zip(want, got):
        assert w.shape == g.shape
        np.testing.assert_allclose(g, w, rtol=1e-3, atol=1e-5, equal_nan=True)
