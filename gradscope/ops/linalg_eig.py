"""``gs.linalg.eig`` and ``eigvals``: the eigenvalues and eigenvectors of general square
matrices, complex as torch's (``complex64`` for ``float32``, ``complex128`` for
``float64``), by LAPACK's ``geev`` through NumPy.

The eigenvectors are normalised as ``geev`` leaves them (each of norm 1, with its largest
component real for a complex one); PyTorch's come from MKL's ``geev``, which may order
the eigenvalues of a larger matrix otherwise or take a real eigenvector's other sign.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np

from ..autograd import function as _function
from ..autograd.grad_mode import state
from ..backend import CPU, device_of, fp_quiet, to_device, xp_of
from ..errors import scalar_type_name
from . import decompositions as D
from .api import Tensor
from .api._common import _ReturnType
from .linalg_api import _check_square, _factor_outputs


class EigResult(_ReturnType, namedtuple("linalg_eig", ["eigenvalues", "eigenvectors"])):
    __slots__ = ()


EigResult.__name__ = EigResult.__qualname__ = "linalg_eig"


def _complex_dtype(dtype) -> np.dtype:
    return np.dtype(np.complex64 if dtype in (np.float32, np.complex64) else np.complex128)


def _geev(a, vectors: bool):
    """``(w, v)`` (``v`` None unless ``vectors``) of each matrix of ``a``, complex; computed
    on the host, as torch's are (there is no ``geev`` on the GPU)."""
    cdt = _complex_dtype(a.dtype)
    xp, dev = xp_of(a), device_of(a)
    if a.size == 0:
        w = xp.zeros(a.shape[:-1], dtype=cdt)
        return w, (xp.zeros(a.shape, dtype=cdt) if vectors else None)
    host = to_device(a, CPU)
    if vectors:
        w, v = np.linalg.eig(host)
        w = w.astype(cdt, copy=False)
        v = to_device(D._colmajor(v.astype(cdt, copy=False)), dev)
    else:
        # LAPACK runs on with a NaN or an infinity where NumPy refuses them: those
        # matrices' eigenvalues are NaN here (geev's own depend on where they lie)
        finite = np.isfinite(host).all(axis=(-2, -1))
        every = bool(finite.all())
        w = np.linalg.eigvals(host if every else np.where(finite[..., None, None], host, 0))
        w = w.astype(cdt, copy=False)
        if not every:
            w[~finite] = complex(np.nan, np.nan)
        v = None
    return to_device(np.ascontiguousarray(w), dev), v


def eig_backward(gl, gv, l, v):  # noqa: E741 - torch's names
    """torch's ``linalg_eig_backward`` (``is_hermitian`` false), on arrays: the gradient of
    ``A`` from those of the eigenvalues ``l`` and eigenvectors ``v`` (None where none
    came); defined where the eigenvalues are distinct and the loss does not depend on
    each eigenvector's phase."""
    xp = xp_of(v)
    vh = D._mT(v).conj()
    if gv is None:
        if gl is None:
            return None
        return D._solve(vh, gl[..., :, None] * vh)
    vhgv = vh @ gv
    diag = xp.diagonal(vhgv, axis1=-2, axis2=-1)
    # allclose(imag(diag), 0, rtol=1e-2, atol=1e-2), NaN failing it
    if not bool((xp.abs(diag.imag) <= 1e-2).all()):
        raise RuntimeError(
            "linalg_eig_backward: The eigenvectors in the complex case are specified up to "
            "multiplication by e^{i phi}. The specified loss function depends on this "
            "quantity, so it is ill-defined."
        )
    # onto the tangent space of the matrices whose columns have norm 1
    ga = vhgv - vh @ (v * diag.real[..., None, :])
    lc = l.conj()
    e = lc[..., None, :] - lc[..., :, None]
    n = l.shape[-1]
    idx = xp.arange(n)
    e[..., idx, idx] = 1
    with fp_quiet():
        ga = ga / e
    if gl is not None:
        ga[..., idx, idx] = gl
    return D._solve(vh, ga @ vh)


class LinalgEigBackward0(D._Factors):
    """``linalg.eig`` (and ``eigvals`` of a matrix that needs a gradient): one node for
    ``eigenvalues`` and ``eigenvectors``; saves both. Its rule is written for complex
    numbers; a real ``A`` gets the real part of the gradient, as in torch."""

    _name = "LinalgEigBackward0"
    complex_rule = "as_is"
    _n_out = 2
    saves_output = "eigenvalues"
    _NR = {"eigenvalues": 0, "eigenvectors": 1}

    def forward(self, a):
        w, v = _geev(a, True)
        if self.needs_input_grad[0]:
            self.save(eigenvectors=v)
        self.others = D.LAST["others"] = {1: v}
        return w

    def backward(self, g):
        gl, gv = self._parts(g, "_accs")
        return (eig_backward(gl, gv, self.saved("eigenvalues"), self.saved("eigenvectors")),)

    def jvp(self, xs, out, tangents):
        """The eigenvalues' tangent; the eigenvectors' is left in ``LAST`` for the api
        (torch's ``linalg_eig_jvp``)."""
        xp = xp_of(out)
        l, v = out, self.others[1]  # noqa: E741 - torch's names
        dp = D._solve(v, tangents[0].astype(v.dtype, copy=False) @ v)
        dl = xp.diagonal(dp, axis1=-2, axis2=-1).copy()
        n = l.shape[-1]
        idx = xp.arange(n)
        with fp_quiet():
            dx = dp / (l[..., None, :] - l[..., :, None])
        dx[..., idx, idx] = 0
        dx = v @ dx
        vhdx = xp.diagonal(D._mT(v).conj() @ dx, axis1=-2, axis2=-1)
        D.LAST["tangents"] = {1: dx - v * vhdx.real[..., None, :]}
        return dl


def _check_complex_type(A) -> None:
    """torch's error for an integer or boolean ``A``: it has no complex type to give."""
    dtype = A._data.dtype
    if dtype.kind not in "fc":
        raise RuntimeError(f"Unknown Complex ScalarType for {scalar_type_name(dtype)}")


def _check_geev(name: str, A) -> None:
    _check_square(name, A)
    if A._data.dtype == np.float16:
        raise NotImplementedError("\"linalg_eig_out_cpu\" not implemented for 'Half'")


def eig(A) -> EigResult:
    """``(eigenvalues, eigenvectors)`` of each square matrix of ``A``, complex: ``A @ V =
    V @ diag(L)``, each eigenvector (a column of ``V``) of norm 1. A NaN or an infinity
    raises, as in torch. The gradient is defined where the eigenvalues are distinct, for a
    loss that does not depend on each eigenvector's phase (torch's error otherwise)."""
    _check_complex_type(A)
    a = A._data
    if not bool(xp_of(a).isfinite(a).all()):
        raise RuntimeError("torch.linalg.eig: input tensor should not contain infs or NaNs.")
    _check_geev("linalg.eig", A)
    return EigResult(*_factor_outputs(LinalgEigBackward0, A))


def eigvals(A):
    """The eigenvalues of each square matrix of ``A``, complex: ``eig``'s first output when
    ``A`` needs a gradient (or carries a tangent), as torch's; else computed alone."""
    _check_complex_type(A)
    if (state.enabled and A._rg) or _has_tangent(A):
        return eig(A).eigenvalues
    _check_geev("linalg.eigvals", A)
    return Tensor._make(_geev(A._data, False)[0], None)


def _has_tangent(A) -> bool:
    if not _function._dual:
        return False
    from ..autograd.forward_ad import _tangent

    return _tangent(A) is not None
