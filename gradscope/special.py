"""``gs.special``: the functions torch keeps under ``torch.special``.

Most are other names for ops of the main namespace, and record the same nodes as torch's
do: ``expit`` is ``sigmoid`` (``SigmoidBackward0``), ``gammaln`` is ``lgamma``, ``psi``
is ``digamma``, ``multigammaln`` is ``mvlgamma``, ``round`` is ``round(decimals=0)``
(``RoundBackward1``); ``ndtr`` is torch's composition of ``erf``. ``zeta``, ``gammainc``
and ``gammaincc`` have a derivative for their second argument only; the Bessel and Airy
functions and the orthogonal polynomials none (their results never require grad).

    >>> gs.special.expit(gs.tensor([0.0]))
    tensor([0.5000])
"""

from __future__ import annotations

from .ops import api as _api
from .ops.api import (
    erf,
    exp2,
    expm1,
    log1p,
    logit,
    sinc,
    xlogy,
)
from .ops.api import sigmoid as expit
from .ops.special import (
    digamma,
    entr,
    erfc,
    erfcx,
    erfinv,
    i0,
    i0e,
    i1,
    i1e,
    log_ndtr,
    ndtr,
    ndtri,
    polygamma,
)
from .ops.special import digamma as psi
from .ops.special import lgamma as gammaln
from .ops.special import mvlgamma as multigammaln
from .ops.special_more import (
    airy_ai,
    bessel_j0,
    bessel_j1,
    bessel_y0,
    bessel_y1,
    chebyshev_polynomial_t,
    chebyshev_polynomial_u,
    chebyshev_polynomial_v,
    chebyshev_polynomial_w,
    gammainc,
    gammaincc,
    hermite_polynomial_h,
    hermite_polynomial_he,
    laguerre_polynomial_l,
    legendre_polynomial_p,
    modified_bessel_i0,
    modified_bessel_i1,
    modified_bessel_k0,
    modified_bessel_k1,
    scaled_modified_bessel_k0,
    scaled_modified_bessel_k1,
    shifted_chebyshev_polynomial_t,
    shifted_chebyshev_polynomial_u,
    shifted_chebyshev_polynomial_v,
    shifted_chebyshev_polynomial_w,
    spherical_bessel_j0,
    xlog1py,
    zeta,
)


def round(input, *, decimals: int = 0):  # noqa: A001, A002
    """``gs.round(input, decimals=decimals)`` (torch's records ``RoundBackward1``)."""
    return _api.round(input, decimals=decimals)


def softmax(input, dim, *, dtype=None):  # noqa: A002
    """``gs.softmax`` with ``dim`` required."""
    return _api.softmax(input, dim, dtype)


def log_softmax(input, dim, *, dtype=None):  # noqa: A002
    """``gs.log_softmax`` with ``dim`` required."""
    return _api.log_softmax(input, dim, dtype)


def logsumexp(input, dim, keepdim: bool = False):  # noqa: A002
    """``gs.logsumexp``."""
    return _api.logsumexp(input, dim, keepdim)


__all__ = [
    "airy_ai",
    "bessel_j0",
    "bessel_j1",
    "bessel_y0",
    "bessel_y1",
    "chebyshev_polynomial_t",
    "chebyshev_polynomial_u",
    "chebyshev_polynomial_v",
    "chebyshev_polynomial_w",
    "digamma",
    "entr",
    "erf",
    "erfc",
    "erfcx",
    "erfinv",
    "exp2",
    "expit",
    "expm1",
    "gammainc",
    "gammaincc",
    "gammaln",
    "hermite_polynomial_h",
    "hermite_polynomial_he",
    "i0",
    "i0e",
    "i1",
    "i1e",
    "laguerre_polynomial_l",
    "legendre_polynomial_p",
    "log1p",
    "log_ndtr",
    "log_softmax",
    "logit",
    "logsumexp",
    "modified_bessel_i0",
    "modified_bessel_i1",
    "modified_bessel_k0",
    "modified_bessel_k1",
    "multigammaln",
    "ndtr",
    "ndtri",
    "polygamma",
    "psi",
    "round",
    "scaled_modified_bessel_k0",
    "scaled_modified_bessel_k1",
    "shifted_chebyshev_polynomial_t",
    "shifted_chebyshev_polynomial_u",
    "shifted_chebyshev_polynomial_v",
    "shifted_chebyshev_polynomial_w",
    "sinc",
    "softmax",
    "spherical_bessel_j0",
    "xlog1py",
    "xlogy",
    "zeta",
]
