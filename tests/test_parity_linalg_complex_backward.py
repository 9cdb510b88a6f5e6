"""The backward of ``svd``, ``svdvals``, ``qr``, ``eigh``, ``eigvalsh``, ``cholesky``
(``cholesky_ex``), ``slogdet``, ``pinv``, ``vdot`` and ``lstsq`` over complex tensors:
gradscope's gradient checked against finite differences (``gs.autograd.gradcheck``, in
real coordinates) and against torch 2.13's on the same inputs and loss (complex128 and
complex64), torch's error for a loss that depends on the phase of singular vectors or
eigenvectors, and the forward-mode tangents given for complex tensors.

Every loss is real and invariant to the phases the decompositions leave free (``S``,
``U @ diag(S) @ Vh``, ``|U|``, ``V diag(L) V^H`` ...); the inputs are small and well
conditioned (distinct singular values and eigenvalues, Hermitian positive-definite
matrices made from ``X X^H + 3 I``).
"""

from __future__ import annotations

import numpy as np
import pytest

import gradscope as gs

torch = pytest.importorskip("torch", reason="torch is the reference for parity tests")

_RNG = np.random.default_rng(20261128)


def _cplx(*shape):
    return _RNG.standard_normal(shape) + 1j * _RNG.standard_normal(shape)


SQ = _cplx(3, 3) + 2 * np.eye(3)
BATCH = _cplx(2, 3, 3) + 2 * np.eye(3)
TALL = _cplx(4, 3)
WIDE = _cplx(3, 4)
VEC_A, VEC_B = _cplx(4), _cplx(4)
RHS = _cplx(4, 2)


def _w(m, t, k: int = 0):
    """Fixed real weights the shape of ``t`` (different for each ``k``)."""
    n = int(np.prod(tuple(t.shape))) if t.dim() else 1
    w = (np.arange(n, dtype=np.float64) * 0.37 + 0.5 + k) % 1.7 - 0.6
    return m.tensor(w.reshape(tuple(t.shape)), dtype=t.real.dtype)


def _real(m, t, k: int = 0):
    """A real loss of ``t``: weighted sums of its real and imaginary parts."""
    if not t.is_complex():
        return (t * _w(m, t, k)).sum()
    return (t.real * _w(m, t, k)).sum() + (t.imag * _w(m, t, k + 1)).sum()


def _herm(m, x):
    return x + x.mH


def _pd(m, x):
    n = x.shape[-1]
    return x @ x.mH + 3 * m.eye(n, dtype=x.dtype)


def _svd_full(m, x):
    U, S, Vh = m.linalg.svd(x, full_matrices=False)
    return _real(m, (U * S.to(U.dtype).unsqueeze(-2)) @ Vh)


def _svd_parts(m, x):
    U, S, Vh = m.linalg.svd(x, full_matrices=False)
    return _real(m, S) + _real(m, U.abs(), 2) + _real(m, Vh.abs(), 4) + _real(m, U @ Vh, 6)


def _svd_u_only(m, x):  # |U|: phase invariant, gVh not given
    U, S, Vh = m.linalg.svd(x)  # (full_matrices: U's columns past the k-th are no function)
    U = U[..., : S.shape[-1]]
    return _real(m, (U * U.conj()).real) + _real(m, S, 3)


def _eigh(m, x):
    L, V = m.linalg.eigh(_herm(m, x))
    return (
        _real(m, L) + _real(m, V.abs(), 1) + _real(m, (V * L.to(V.dtype).unsqueeze(-2)) @ V.mH, 2)
    )


def _cholesky(m, x, upper=False):
    return _real(m, m.linalg.cholesky(_pd(m, x), upper=upper))


def _slogdet(m, x):
    sign, logabsdet = m.linalg.slogdet(x)
    return _real(m, logabsdet) + _real(m, sign, 1)


def _lstsq(m, a, b):
    sol, res, _, _ = m.linalg.lstsq(a, b, driver="gelsd")
    return _real(m, sol) + _real(m, res, 2)


# name: (loss, inputs)
CASES = {
    "svd_reconstruct": (_svd_full, (SQ,)),
    "svd_reconstruct_batch": (_svd_full, (BATCH,)),
    "svd_parts_tall": (_svd_parts, (TALL,)),
    "svd_parts_wide": (_svd_parts, (WIDE,)),
    "svd_u_only_full_matrices": (_svd_u_only, (TALL,)),
    "svdvals": (lambda m, x: _real(m, m.linalg.svdvals(x)), (BATCH,)),
    "qr": (lambda m, x: sum(_real(m, t, k) for k, t in enumerate(m.linalg.qr(x))), (SQ,)),
    "qr_batch": (lambda m, x: sum(_real(m, t, k) for k, t in enumerate(m.linalg.qr(x))), (BATCH,)),
    "qr_tall": (lambda m, x: sum(_real(m, t, k) for k, t in enumerate(m.linalg.qr(x))), (TALL,)),
    "qr_wide": (lambda m, x: sum(_real(m, t, k) for k, t in enumerate(m.linalg.qr(x))), (WIDE,)),
    "qr_r_only": (lambda m, x: _real(m, m.linalg.qr(x)[1]), (TALL,)),
    "eigh": (_eigh, (SQ,)),
    "eigh_batch": (_eigh, (BATCH,)),
    "eigh_upper": (lambda m, x: _real(m, m.linalg.eigh(_herm(m, x), UPLO="U")[1].abs()), (SQ,)),
    "eigvalsh": (lambda m, x: _real(m, m.linalg.eigvalsh(_herm(m, x))), (BATCH,)),
    "cholesky": (_cholesky, (SQ,)),
    "cholesky_upper_batch": (lambda m, x: _cholesky(m, x, True), (BATCH,)),
    "cholesky_ex": (lambda m, x: _real(m, m.linalg.cholesky_ex(_pd(m, x))[0]), (BATCH,)),
    "slogdet": (_slogdet, (SQ,)),
    "slogdet_batch": (_slogdet, (BATCH,)),
    "slogdet_logabsdet_only": (lambda m, x: _real(m, m.linalg.slogdet(x)[1]), (SQ,)),
    "slogdet_sign_only": (lambda m, x: _real(m, m.linalg.slogdet(x)[0]), (SQ,)),
    "pinv": (lambda m, x: _real(m, m.linalg.pinv(x)), (BATCH,)),
    "pinv_tall": (lambda m, x: _real(m, m.linalg.pinv(x)), (TALL,)),
    "pinv_wide": (lambda m, x: _real(m, m.linalg.pinv(x)), (WIDE,)),
    "pinv_hermitian": (
        lambda m, x: _real(m, m.linalg.pinv(_herm(m, x), hermitian=True)),
        (SQ,),
    ),
    "vdot": (lambda m, a, b: _real(m, m.vdot(a, b)), (VEC_A, VEC_B)),
    "lstsq": (_lstsq, (TALL, RHS)),
    "lstsq_vector": (lambda m, a, b: _real(m, m.linalg.lstsq(a, b)[0]), (TALL, RHS[:, 0])),
}


def _leaves(m, arrays, dtype):
    return [m.tensor(a, dtype=dtype).requires_grad_() for a in arrays]


def _grads(m, name, dtype):
    loss, arrays = CASES[name]
    xs = _leaves(m, arrays, getattr(m, dtype))
    loss(m, *xs).backward()
    return [x.grad.numpy() for x in xs]


@pytest.mark.parametrize("name", list(CASES))
def test_gradcheck_complex128(name):
    loss, arrays = CASES[name]
    xs = _leaves(gs, arrays, gs.complex128)
    assert gs.autograd.gradcheck(lambda *t: loss(gs, *t), xs, eps=1e-6, atol=1e-5, rtol=1e-4)


@pytest.mark.parametrize(
    ("dtype", "rtol", "atol"), [("complex128", 1e-6, 1e-9), ("complex64", 2e-3, 2e-4)]
)
@pytest.mark.parametrize("name", list(CASES))
def test_gradient_as_torch(name, dtype, rtol, atol):
    got, want = _grads(gs, name, dtype), _grads(torch, name, dtype)
    for g, w in zip(got, want):
        assert g.dtype == w.dtype
        np.testing.assert_allclose(g, w, rtol=rtol, atol=atol)


PHASE_DEPENDENT = {
    "svd_U_real": lambda m, x: m.linalg.svd(x)[0].real.sum(),
    "svd_Vh_imag": lambda m, x: m.linalg.svd(x, full_matrices=False)[2].imag.sum(),
    "svd_U_and_Vh": lambda m, x: (lambda u, s, vh: u.real.sum() + vh.real.sum())(*m.linalg.svd(x)),
    "eigh_V_real": lambda m, x: m.linalg.eigh(_herm(m, x))[1].real.sum(),
    "eigh_V_imag_batch": lambda m, x: m.linalg.eigh(_herm(m, x))[1].imag.sum(),
}


@pytest.mark.parametrize("name", list(PHASE_DEPENDENT))
def test_phase_dependent_loss_raises_torchs_error(name):
    x0 = BATCH if name.endswith("batch") else SQ
    messages = []
    for m in (torch, gs):
        x = m.tensor(x0).requires_grad_()
        with pytest.raises(RuntimeError) as e:
            PHASE_DEPENDENT[name](m, x).backward()
        messages.append(str(e.value))
    assert messages[1] == messages[0]
    assert "e^{i phi}" in messages[0]


def test_create_graph_over_complex_decomposition_is_refused():
    x = gs.tensor(SQ, requires_grad=True)
    s = gs.linalg.svdvals(x).sum()
    with pytest.raises(NotImplementedError, match="create_graph=True"):
        gs.autograd.grad(s, x, create_graph=True)


# ------------------------------------------------------------------------------ forward mode

JVP = {
    "eigh": (lambda m, x: m.linalg.eigh(x), SQ + SQ.conj().T, _cplx(3, 3)),
    "eigvalsh": (lambda m, x: (m.linalg.eigvalsh(x),), SQ + SQ.conj().T, _cplx(3, 3)),
    "cholesky": (lambda m, x: (m.linalg.cholesky(x),), SQ @ SQ.conj().T + 3 * np.eye(3), None),
    "cholesky_upper": (
        lambda m, x: (m.linalg.cholesky(x, upper=True),),
        SQ @ SQ.conj().T + 3 * np.eye(3),
        None,
    ),
    "qr": (lambda m, x: m.linalg.qr(x), SQ, _cplx(3, 3)),
    "qr_tall": (lambda m, x: m.linalg.qr(x), TALL, _cplx(4, 3)),
    "qr_wide": (lambda m, x: m.linalg.qr(x), WIDE, _cplx(3, 4)),
    "pinv_tall": (lambda m, x: (m.linalg.pinv(x),), TALL, _cplx(4, 3)),
    "pinv_wide": (lambda m, x: (m.linalg.pinv(x),), WIDE, _cplx(3, 4)),
    "vdot": (lambda m, x: (m.vdot(x, m.tensor(VEC_B)),), VEC_A, _cplx(4)),
    "lstsq": (
        lambda m, x: m.linalg.lstsq(x, m.tensor(RHS), driver="gelsd")[:2],
        TALL,
        _cplx(4, 3),
    ),
}


def _hermitian_tangent(a):
    t = _RNG.standard_normal(a.shape) + 1j * _RNG.standard_normal(a.shape)
    return t + t.conj().T


@pytest.mark.parametrize("name", list(JVP))
def test_forward_mode_tangents_as_torch(name):
    fn, primal, tangent = JVP[name]
    tangent = _hermitian_tangent(primal) if tangent is None else tangent
    if name.startswith("eig"):
        tangent = tangent + tangent.conj().T
    results = []
    for m in (gs, torch):
        fw = m.autograd.forward_ad
        with fw.dual_level():
            x = fw.make_dual(m.tensor(primal), m.tensor(tangent))
            outs = fn(m, x)
            results.append(
                [
                    (fw.unpack_dual(o).primal.numpy(), fw.unpack_dual(o).tangent.numpy())
                    for o in outs
                ]
            )
    for (gp, g), (wp, w) in zip(*results):
        if name == "eigh" and g.ndim == 2:  # eigenvectors V D of torch's V: tangent dV D
            w = w * (wp.conj() * gp).sum(-2, keepdims=True)
        assert g.dtype == w.dtype
        np.testing.assert_allclose(g, w, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize(
    ("name", "fn"),
    [
        ("LinalgSvdBackward0", lambda x: gs.linalg.svdvals(x)),
        ("LinalgSlogdetBackward0", lambda x: gs.linalg.slogdet(x)[1]),
    ],
)
def test_forward_mode_still_refused_for_complex(name, fn):
    """The backward takes complex matrices now; the forward mode of these two does not
    (``svd``'s and ``slogdet``'s complex tangents are not written here)."""
    x = gs.tensor(SQ, requires_grad=True)
    fn(x).sum().backward()
    assert x.grad.dtype == gs.complex128
    fw = gs.autograd.forward_ad
    with fw.dual_level():
        x = fw.make_dual(gs.tensor(SQ), gs.tensor(_cplx(3, 3)))
        with pytest.raises(
            NotImplementedError, match=f"^{name}: gradscope takes real tensors only$"
        ):
            fn(x)
