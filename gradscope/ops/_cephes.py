"""Array kernels of the ``torch.special`` functions that follow the Cephes Math Library:
the Hurwitz zeta function, the regularized incomplete gamma functions, the Bessel
functions J0, J1, Y0, Y1, the modified ones I0, I1, K0, K1 (and K scaled by ``exp(x)``),
the spherical j0, Airy's Ai and the classical orthogonal polynomials.

They take the approximations torch's own kernels take (rational and Chebyshev
approximations, series, continued fractions, recurrences: the same branches, the same
coefficients, from ``_cephes_data``), so that the values agree with torch's to a few units
in the last place of float64, edge cases (NaN, inf, poles, negative arguments) included.
Each kernel works on NumPy arrays, a whole array at a time: a loop that stops at a
different step for each element runs over the elements still going. As torch's, zeta and
the incomplete gamma functions work in float64 (a float32 result is rounded from it), the
others in their result's dtype (float32 arithmetic for a float32 result, whose rounding
the Bessel functions' large arguments show). The kernels call NumPy's functions, which
pass CuPy arrays on to CuPy's: on CUDA they run on the GPU.

    >>> bessel_j0(np.array([0.0, 2.404825557695773]))
    array([1.00000000e+00, 1.73093e-16])
"""

from __future__ import annotations

import functools
import math

import numpy as np

from .. import backend
from ..backend import fp_quiet
from . import _cephes_data as D
from . import _specfun as K

_MACHEP = 1.11022302462515654042e-16
_MAXLOG = 7.09782712893383996843e2
_TWO_OVER_PI = 0.636619772367581343075535053490057448
_SQRT_2_OVER_PI = 0.797884560802865355879892119868763737
_PI_4 = 0.785398163397448309615660845819875721
_3PI_4 = 2.356194490192344928846982537459627163
_INV_SQRT_PI = 5.64189583547756286948e-01
_PI_F32 = float(np.float32(math.pi))  # torch's ``c10::pi<float>`` in a double formula


def _module_of(arrays):
    """NumPy, or CuPy where one of ``arrays`` is a CuPy array: the kernels call NumPy's
    functions, which hand CuPy arrays on to CuPy's (``__array_function__``)."""
    cp = backend.cupy_ndarray()
    if cp is not None and any(isinstance(a, cp) for a in arrays):
        return backend.cupy()
    return np


def _host(kernel=None, *, native: bool = False):
    """``kernel`` (NumPy arrays in, an array out) run on its arguments, broadcast, under
    ``fp_quiet``, the result in ``dtype`` (the first argument's by default) and on the
    first argument's array module. It works in float64, or with ``native`` in the result's
    dtype (float32 too), as torch's kernels of those functions do."""
    if kernel is None:
        return functools.partial(_host, native=native)

    @functools.wraps(kernel)
    def run(*arrays, dtype=None, **kwargs):
        first = arrays[0]
        dtype = np.dtype(dtype if dtype is not None else first.dtype)
        work = dtype if native and dtype.kind == "f" else np.dtype(np.float64)
        xp = _module_of(arrays)
        with fp_quiet():
            args = xp.broadcast_arrays(*[xp.asarray(a).astype(work) for a in arrays])
            out = kernel(*[xp.array(a) for a in args], **kwargs)
        return out.astype(dtype, copy=False)

    return run


def _poly(coef, z):
    """``sum coef[k] z**(n-k)``: Horner's rule from the highest power (Cephes's order)."""
    r = np.zeros_like(z)
    for c in coef:
        r = r * z + c
    return r


def _chbevl(y, coef):
    """Cephes's Chebyshev series ``0.5 (b0 - b2)``, as torch's loops run it."""
    p = np.zeros_like(y)
    q = np.zeros_like(y)
    a = np.full_like(y, coef[0])
    for c in coef[1:]:
        p, q = q, a
        a = y * q - p + c
    return 0.5 * (a - p)


# ---------------------------------------------------------------- Hurwitz zeta

_ZETA_A = (12.0, -720.0, 30240.0, -1209600.0, 47900160.0, -1.8924375803183791606e9,
           7.47242496e10, -2.950130727918164224e12, 1.1646782814350067249e14,
           -4.5979787224074726105e15, 1.8152105401943546773e17,
           -7.1661652561756670113e18)  # fmt: skip


@_host
def zeta(x, q):
    """``sum_k (q + k)**-x``: inf at ``x = 1`` and at the poles ``q = 0, -1, ...``, NaN for
    ``x < 1`` and for ``q < 0`` with ``x`` not an integer. The first terms summed while
    they count (at least 9, and until ``q + k`` passes 9), Euler-Maclaurin beyond."""
    out = np.full_like(x, np.nan)
    out[x == 1] = np.inf
    rest = ~(x <= 1)  # NaN included: it goes on to the sums, as in torch
    nonpos = q <= 0
    pole = rest & nonpos & (q == np.floor(q))
    out[pole] = np.inf
    rest &= ~pole & ~(nonpos & (x != np.floor(x)))
    idx = np.nonzero(rest.ravel())[0]
    xs, qs = x.ravel()[idx], q.ravel()[idx]
    s = qs**-xs
    a = qs.copy()
    b = np.zeros_like(qs)
    done = np.zeros_like(qs, dtype=bool)
    res = np.full_like(qs, np.nan)
    i = 0
    while True:
        go = ~done & ((i < 9) | (a <= 9.0))
        if not go.any():
            break
        i += 1
        a[go] += 1.0
        b[go] = a[go] ** -xs[go]
        s[go] += b[go]
        small = go & (-_MACHEP * s < b) & (b < _MACHEP * s)
        res[small] = s[small]
        done |= small
    w = a
    live = ~done
    s = s + b * w / (xs - 1.0) - 0.5 * b
    fac = np.ones_like(qs)
    k = 0.0
    for coef in _ZETA_A:
        fac = fac * (xs + k)
        b = b / w
        t = fac * b / coef
        s = s + t
        stop = live & (np.abs(t / s) < _MACHEP)
        res[stop] = s[stop]
        live &= ~stop
        k += 1.0
        fac = fac * (xs + k)
        b = b / w
        k += 1.0
    res[live] = s[live]
    flat = out.ravel()
    flat[idx] = res
    return flat.reshape(out.shape)


# ---------------------------------------------------------------- incomplete gamma

_LANCZOS_NUM = (0.006061842346248906525783753964555936883222,
                0.5098416655656676188125178644804694509993, 19.51992788247617482847860966235652136208,
                449.9445569063168119446858607650988409623, 6955.999602515376140356310115515198987526,
                75999.29304014542649875303443598909137092, 601859.6171681098786670226533699352302507,
                3481712.15498064590882071018964774556468, 14605578.08768506808414169982791359218571,
                43338889.32467613834773723740590533316085, 86363131.28813859145546927288977868422342,
                103794043.1163445451906271053616070238554,
                56906521.91347156388090791033559122686859)  # fmt: skip
_LANCZOS_DEN = (1.0, 66.0, 1925.0, 32670.0, 357423.0, 2637558.0, 13339535.0, 45995730.0,
                105258076.0, 150917976.0, 120543840.0, 39916800.0, 0.0)  # fmt: skip
_LANCZOS_G = 6.024680040776729583740234375


def _lanczos_sum_expg_scaled(a):
    """Boost's Lanczos sum, a ratio of polynomials (in ``1/a`` above 1, as ``ratevl``)."""
    big = np.abs(a) > 1
    y = np.where(big, 1 / a, a)
    num_lo = _poly(_LANCZOS_NUM, y)
    den_lo = _poly(_LANCZOS_DEN, y)
    num_hi = _poly(_LANCZOS_NUM[::-1], y)  # in 1/a: the coefficients the other way round
    den_hi = _poly(_LANCZOS_DEN[::-1], y)
    return np.where(big, num_hi / den_hi, num_lo / den_lo)


def _igam_fac(a, x):
    """``x**a exp(-x) / Gamma(a)``, by logarithms far from ``a = x`` and by Lanczos's
    approximation near it."""
    out = np.empty_like(a)
    far = np.abs(a - x) > 0.4 * np.abs(a)
    af, xf = a[far], x[far]
    ax = af * np.log(xf) - xf - K.lgamma(af)
    out[far] = np.where(ax < -_MAXLOG, 0.0, np.exp(ax))
    near = ~far
    an, xn = a[near], x[near]
    fac = an + _LANCZOS_G - 0.5
    res = np.sqrt(fac / math.e) / _lanczos_sum_expg_scaled(an)
    small = (an < 200) & (xn < 200)
    numfac = (xn - an - _LANCZOS_G + 0.5) / fac
    res = res * np.where(
        small,
        np.exp(an - xn) * (xn / fac) ** an,
        np.exp(an * (np.log1p(numfac) - numfac) + xn * (0.5 - _LANCZOS_G) / fac),
    )
    out[near] = res
    return out


def _igam_series(a, x):
    """The lower function by its power series (DLMF 8.11.4)."""
    ax = _igam_fac(a, x)
    r = a.copy()
    c = np.ones_like(a)
    ans = np.ones_like(a)
    live = ax != 0
    for _ in range(2000):
        if not live.any():
            break
        r = np.where(live, r + 1.0, r)
        c = np.where(live, c * (x / r), c)
        ans = np.where(live, ans + c, ans)
        live &= ~(c <= _MACHEP * ans)
    return np.where(ax == 0, 0.0, ans * ax / a)


def _igamc_series(a, x):
    """The upper function by DLMF 8.7.3, for small ``x``."""
    fac = np.ones_like(a)
    total = np.zeros_like(a)
    live = np.ones_like(a, dtype=bool)
    for n in range(1, 2000):
        if not live.any():
            break
        fac = np.where(live, fac * (-x / n), fac)
        term = fac / (a + n)
        total = np.where(live, total + term, total)
        live &= ~(np.abs(term) <= _MACHEP * np.abs(total))
    logx = np.log(x)
    term = -np.expm1(a * logx - K.lgamma(1 + a))
    return term - np.exp(a * logx - K.lgamma(a)) * total


def _igam_asymptotic(a, x, lower: bool):
    """The uniform asymptotic expansion for large ``a`` near ``x`` (DLMF 8.12.3/4)."""
    sgn = -1.0 if lower else 1.0
    lam = x / a
    sigma = (x - a) / a
    root = np.sqrt(-2 * (np.log1p(sigma) - sigma))
    eta = np.where(lam > 1, root, np.where(lam < 1, -root, 0.0))
    res = 0.5 * K.erfc(sgn * eta * np.sqrt(a / 2))
    etapow = [np.ones_like(a)]
    for _ in range(24):
        etapow.append(eta * etapow[-1])
    total = np.zeros_like(a)
    afac = np.ones_like(a)
    absold = np.full_like(a, np.inf)
    live = np.ones_like(a, dtype=bool)
    for row in D._IGAM_D:
        ck = np.full_like(a, row[0])
        inner = np.ones_like(a, dtype=bool)
        for n in range(1, 25):
            ckterm = row[n] * etapow[n]
            ck = np.where(inner, ck + ckterm, ck)
            inner &= ~(np.abs(ckterm) < _MACHEP * np.abs(ck))
        term = ck * afac
        absterm = np.abs(term)
        live &= ~(absterm > absold)
        total = np.where(live, total + term, total)
        live &= ~(absterm < _MACHEP * np.abs(total))
        absold = absterm
        afac = afac / a
    return res + sgn * np.exp(-0.5 * a * eta * eta) * total / np.sqrt(2 * _PI_F32 * a)


def _igamc_fraction(a, x):
    """The upper function by its continued fraction (DLMF 8.9.2), for ``x > 1.1``."""
    big, biginv = 4.503599627370496e15, 2.22044604925031308085e-16
    ax = _igam_fac(a, x)
    y = 1.0 - a
    z = x + y + 1.0
    pkm2 = np.ones_like(a)
    qkm2 = x.copy()
    pkm1 = x + 1.0
    qkm1 = z * x
    ans = pkm1 / qkm1
    live = ax != 0
    for i in range(2000):
        if not live.any():
            break
        c = i + 1.0
        y = y + 1.0
        z = z + 2.0
        yc = y * c
        pk = pkm1 * z - pkm2 * yc
        qk = qkm1 * z - qkm2 * yc
        nz = qk != 0
        r = np.where(nz, pk / np.where(nz, qk, 1.0), ans)
        t = np.where(nz, np.abs((ans - r) / r), 1.0)
        ans = np.where(live, r, ans)
        scale = np.where(np.abs(pk) > big, biginv, 1.0)
        pkm2, pkm1 = pkm1 * scale, pk * scale
        qkm2, qkm1 = qkm1 * scale, qk * scale
        live &= ~(t <= _MACHEP)
    return np.where(ax == 0, 0.0, ans * ax)


def _asymptotic_regime(a, x):
    ratio = np.abs(x - a) / a
    return ((a > 20) & (a < 200) & (ratio < 0.3)) | ((a > 200) & (ratio < 4.5 / np.sqrt(a)))


def _edges(a, x, lower: bool):
    """The boundary values (NaN, 0, 1) as torch sets them, and where none applies."""
    one, zero = (1.0, 0.0) if lower else (0.0, 1.0)
    out = np.full_like(a, np.nan)
    inside = np.ones_like(a, dtype=bool)
    # torch's order of tests: x or a below 0, a == 0, x == 0, a infinite, x infinite
    for cond, value in (
        ((x < 0) | (a < 0), np.nan),
        ((a == 0) & (x > 0), one),
        (a == 0, np.nan),
        (x == 0, zero),
        (np.isinf(a) & np.isinf(x), np.nan),
        (np.isinf(a), zero),
        (np.isinf(x), one),
    ):
        hit = inside & cond
        out[hit] = value
        inside &= ~cond
    return out, inside & ~np.isnan(a) & ~np.isnan(x)


def _igammac_inside(a, x):
    out = np.empty_like(a)
    asym = _asymptotic_regime(a, x)
    out[asym] = _igam_asymptotic(a[asym], x[asym], lower=False)
    rest = ~asym
    by_lower = rest & np.where(
        x > 1.1, x < a, np.where(x <= 0.5, -0.4 / np.log(x) < a, x * 1.1 < a)
    )
    out[by_lower] = 1.0 - _igam_series(a[by_lower], x[by_lower])
    frac = rest & ~by_lower & (x > 1.1)
    out[frac] = _igamc_fraction(a[frac], x[frac])
    series = rest & ~by_lower & ~(x > 1.1)
    out[series] = _igamc_series(a[series], x[series])
    return out


@_host
def gammaincc(a, x):
    """The regularized upper incomplete gamma function ``Q(a, x)``."""
    out, inside = _edges(a, x, lower=False)
    out[inside] = _igammac_inside(a[inside], x[inside])
    return out


@_host
def gammainc(a, x):
    """The regularized lower incomplete gamma function ``P(a, x)``."""
    out, inside = _edges(a, x, lower=True)
    ai, xi = a[inside], x[inside]
    res = np.empty_like(ai)
    asym = _asymptotic_regime(ai, xi)
    res[asym] = _igam_asymptotic(ai[asym], xi[asym], lower=True)
    upper = ~asym & (xi > 1.0) & (xi > ai)
    res[upper] = 1.0 - _igammac_inside(ai[upper], xi[upper])
    series = ~asym & ~upper
    res[series] = _igam_series(ai[series], xi[series])
    out[inside] = res
    return out


# ---------------------------------------------------------------- Bessel J and Y


def _hankel(x, pp, pq, qp, qq, shift, sine: bool):
    """Cephes's large-argument form ``(P cos(x - shift) - 5/x Q sin(x - shift)) sqrt(2/(pi
    x))`` (J), or with sine and cosine swapped and the sign turned (Y)."""
    z = 25.0 / (x * x)
    p = _poly(pp, z) / _poly(pq, z)
    q = _poly(qp, z) / _poly(qq, z)
    if sine:
        v = p * np.sin(x - shift) + 5.0 / x * q * np.cos(x - shift)
    else:
        v = p * np.cos(x - shift) - 5.0 / x * q * np.sin(x - shift)
    return v * _SQRT_2_OVER_PI / np.sqrt(x)


def _hankel1(x, sine: bool):
    """The order-1 form, whose argument torch writes ``5/x * (5/x)``."""
    z = 5.0 / x * (5.0 / x)
    p = _poly(D._J1_PP, z) / _poly(D._J1_PQ, z)
    q = _poly(D._J1_QP, z) / _poly(D._J1_QQ, z)
    if sine:
        v = p * np.sin(x - _3PI_4) + 5.0 / x * q * np.cos(x - _3PI_4)
    else:
        v = p * np.cos(x - _3PI_4) - 5.0 / x * q * np.sin(x - _3PI_4)
    return v * _SQRT_2_OVER_PI / np.sqrt(x)


def _j0(x):
    x = np.abs(x)
    x2 = x * x
    small = (x2 - 5.78318596294678452118e00) * (x2 - 3.04712623436620863991e01)
    small = small * _poly(D._J0_RP, x2) / _poly(D._J0_RQ, x2)
    small = np.where(x < 0.00001, 1.0 - x2 / 4.0, small)
    big = _hankel(x, D._J0_PP, D._J0_PQ, D._J0_QP, D._J0_QQ, _PI_4, sine=False)
    return np.where(x <= 5.0, small, big)


def _j1(x):
    ax = np.abs(x)
    x2 = ax * ax
    small = _poly(D._J1_RP, x2) / _poly(D._J1_RQ, x2) * ax
    small = small * (x2 - 1.46819706421238932572e01) * (x2 - 4.92184563216946036703e01)
    v = np.where(ax <= 5.0, small, _hankel1(ax, sine=False))
    return np.where(x < 0, -v, v)


@_host(native=True)
def bessel_j0(x):
    """The Bessel function of the first kind, order 0."""
    return _j0(x)


@_host(native=True)
def bessel_j1(x):
    """The Bessel function of the first kind, order 1 (odd)."""
    return _j1(x)


@_host(native=True)
def bessel_y0(x):
    """The Bessel function of the second kind, order 0: -inf at 0, NaN below."""
    x2 = x * x
    small = _poly(D._Y0_YP, x2) / _poly(D._Y0_YQ, x2) + _TWO_OVER_PI * np.log(x) * _j0(x)
    small = np.where(x == 0, -np.inf, np.where(x < 0, np.nan, small))
    big = _hankel(x, D._J0_PP, D._J0_PQ, D._J0_QP, D._J0_QQ, _PI_4, sine=True)
    return np.where(x <= 5.0, small, big)


@_host(native=True)
def bessel_y1(x):
    """The Bessel function of the second kind, order 1: -inf at 0, NaN below."""
    x2 = x * x
    small = x * (_poly(D._Y1_YP, x2) / _poly(D._Y1_YQ, x2))
    small = small + _TWO_OVER_PI * (_j1(x) * np.log(x) - 1.0 / x)
    small = np.where(x == 0, -np.inf, np.where(x < 0, np.nan, small))
    return np.where(x <= 5.0, small, _hankel1(x, sine=True))


# ---------------------------------------------------------------- modified Bessel


def _i0(x):
    ax = np.abs(x)
    e = np.exp(ax)
    small = e * _chbevl(ax / 2.0 - 2.0, D._I0_A)
    big = e * _chbevl(32.0 / ax - 2.0, D._I0_B) / np.sqrt(ax)
    return np.where(ax <= 8.0, small, big)


def _i1(x):
    ax = np.abs(x)
    e = np.exp(ax)
    small = _chbevl(ax / 2.0 - 2.0, D._I1_A) * ax * e
    big = e * _chbevl(32.0 / ax - 2.0, D._I1_B) / np.sqrt(ax)
    v = np.where(ax <= 8.0, small, big)
    return np.where(x < 0, -v, v)


@_host(native=True)
def modified_bessel_i0(x):
    """The modified Bessel function of the first kind, order 0 (inf at +-inf)."""
    return _i0(x)


@_host(native=True)
def modified_bessel_i1(x):
    """The modified Bessel function of the first kind, order 1 (odd)."""
    return _i1(x)


def _k(x, order: int, scaled: bool):
    """``K0`` or ``K1`` (times ``exp(x)`` when ``scaled``): inf at 0, NaN below."""
    x2 = x * x
    if order == 0:
        small = _chbevl(x2 - 2.0, D._K0_A) - np.log(0.5 * x) * _i0(x)
        tail = _chbevl(8.0 / x - 2.0, D._K0_B)
    else:
        small = np.log(0.5 * x) * _i1(x) + _chbevl(x2 - 2.0, D._K1_A) / x
        tail = _chbevl(8.0 / x - 2.0, D._K1_B)
    if scaled:
        small = small * np.exp(x)
        big = tail / np.sqrt(x)
    else:
        big = np.exp(-x) * tail / np.sqrt(x)
    out = np.where(x <= 2.0, small, big)
    return np.where(x == 0, np.inf, np.where(x < 0, np.nan, out))


@_host(native=True)
def modified_bessel_k0(x):
    """The modified Bessel function of the second kind, order 0."""
    return _k(x, 0, scaled=False)


@_host(native=True)
def modified_bessel_k1(x):
    """The modified Bessel function of the second kind, order 1."""
    return _k(x, 1, scaled=False)


@_host(native=True)
def scaled_modified_bessel_k0(x):
    """``exp(x) K0(x)``."""
    return _k(x, 0, scaled=True)


@_host(native=True)
def scaled_modified_bessel_k1(x):
    """``exp(x) K1(x)``."""
    return _k(x, 1, scaled=True)


@_host(native=True)
def spherical_bessel_j0(x):
    """``sin(x) / x``, by its Taylor polynomial below 1/2; 0 at +-inf."""
    x2 = x * x
    taylor = 1.0 / 6227020800.0
    for c in (-1.0 / 39916800.0, 1.0 / 362880.0, -1.0 / 5040.0, 1.0 / 120.0, -1.0 / 6.0):
        taylor = c + x2 * taylor
    taylor = 1.0 + x2 * taylor
    out = np.where(np.abs(x) < 0.5, taylor, np.sin(x) / x)
    return np.where(np.isinf(x), 0.0, out)


# ---------------------------------------------------------------- Airy Ai


def _airy_series(x):
    """Ai by its Maclaurin series ``c1 f(x) - c2 g(x)``, summed until its terms are below
    the float64 epsilon."""
    f = np.ones_like(x)
    g = x.copy()
    m = np.ones_like(x)
    n = x.copy()
    z = x * x * x
    k = 1.0
    eps = np.finfo(x.dtype).eps
    live = np.ones_like(x, dtype=bool)
    while live.any():
        m = m * z / (k + 1.0) / (k + 2.0)
        n = n * z / (k + 2.0) / (k + 3.0)
        k += 3.0
        f = np.where(live, f + m, f)
        g = np.where(live, g + n, g)
        live &= np.abs(m / f) > eps
    return 0.355028053887817239260 * f - 0.258819403792806798405 * g


@_host(native=True)
def airy_ai(x):
    """Airy's function Ai: the asymptotic forms beyond +-2.09, the series between; NaN at
    +-inf, 0 above 103.892."""
    out = np.full_like(x, np.nan)
    neg = x < -2.09
    xn = x[neg]
    zeta = -2.0 * xn * np.sqrt(-xn) / 3.0
    z = 1.0 / zeta
    zz = z * z
    afn = _poly(D._AI_AFN, zz) / _poly(D._AI_AFD, zz)
    agn = _poly(D._AI_AGN, zz) / _poly(D._AI_AGD, zz)
    t = zeta + 0.25 * math.pi
    out[neg] = (
        _INV_SQRT_PI
        / np.sqrt(np.sqrt(-xn))
        * (np.sin(t) * (1.0 + zz * afn) - np.cos(t) * (z * agn))
    )
    pos = (x >= 2.09) & (x <= 103.892)
    xp = x[pos]
    zeta = 2.0 * xp * np.sqrt(xp) / 3.0
    ratio = _poly(D._AI_AN, 1.0 / zeta) / _poly(D._AI_AD, 1.0 / zeta)
    out[pos] = _INV_SQRT_PI * ratio / (2.0 * np.sqrt(np.sqrt(xp)) * np.exp(zeta))
    out[x > 103.892] = 0.0
    mid = (x >= -2.09) & (x < 2.09)
    out[mid] = _airy_series(x[mid])
    out[np.isinf(x)] = np.nan
    return out


# ---------------------------------------------------------------- orthogonal polynomials


def _recurrence(out, n, q0, q1, step):
    """``out`` with its elements of degree ``n >= 2`` filled: the three-term recurrence
    from ``q0`` and ``q1`` (degrees 0 and 1, arrays like ``out``), ``step(j, p, q, idx)``
    giving degree ``j + 1`` from degrees ``j - 1`` and ``j`` of the elements ``idx``. An
    element stops at its degree or once NaN (which it stays)."""
    idx = np.nonzero((n >= 2).ravel())[0]
    flat = out.ravel()
    p, q = q0.ravel()[idx], q1.ravel()[idx]
    ns = n.ravel()[idx]
    j = 1
    while idx.size:
        r = step(j, p, q, idx)
        j += 1
        p, q = q, r
        stop = (ns <= j) | np.isnan(q)
        flat[idx[stop]] = q[stop]
        keep = ~stop
        idx, ns, p, q = idx[keep], ns[keep], p[keep], q[keep]
    return flat.reshape(out.shape)


def _ends(kind: str, n, up, up_dtype):
    """Chebyshev's values at ``+1`` (``up``) and ``-1``."""
    sign = np.where(n % 2 == 0, 1.0, -1.0).astype(up_dtype)
    m = n.astype(up_dtype)
    if kind == "t":
        return np.where(up, 1.0, sign)
    if kind == "u":
        return np.where(up, m + 1, sign * (m + 1))
    if kind == "v":
        return np.where(up, 1.0, sign * (m + m + 1))
    return np.where(up, m + m + 1, sign)


def _chebyshev_trig(kind: str, y, n, shifted: bool):
    """Chebyshev's closed forms in ``theta = acos(y)`` for ``|y| < 1``, where torch takes
    them for high degrees, with its fallbacks where the denominator vanishes."""
    m = n.astype(y.dtype)
    theta = np.arccos(y)
    if kind == "t":
        return np.cos(m * theta)
    if kind == "u":
        s = np.sin(theta)
        return np.where(s != 0, np.sin((m + 1) * theta) / s, (m + 1) * np.cos((m + 1) * theta) / y)
    if kind == "v":
        ok = np.sin(theta / 2.0) != 1.0
        return np.where(
            ok, np.cos((m + 0.5) * theta) / np.cos(theta / 2.0), _ends("v", n, False, y.dtype)
        )
    ok = np.cos(theta / 2.0) != 1.0
    up = y > 0 if not shifted else False  # the shifted kernel's fallback ignores the sign
    return np.where(ok, np.sin((m + 0.5) * theta) / np.sin(theta / 2.0), _ends("w", n, up, y.dtype))


_TRIG_ABOVE = {"t": 6, "u": 8, "v": 8, "w": 8}
_SHIFTED_TRIG_ABOVE = {"t": 6, "u": 6, "v": 6, "w": 4}


def _chebyshev(kind: str, shifted: bool):
    """Chebyshev's ``T``, ``U``, ``V`` or ``W`` (of ``2x - 1`` when ``shifted``), as
    torch's kernels: 0 for a negative degree, exact values at the ends, the closed form
    inside ``(-1, 1)`` above a degree, the recurrence ``2y q - p`` elsewhere."""

    def kernel(x, n):
        y = x + x - 1.0 if shifted else x
        two_y = y + y
        one = {"t": y, "u": two_y, "v": two_y - 1.0, "w": two_y + 1.0}[kind]
        out = np.where(n == 0, 1.0, one)
        out = _recurrence(
            out, n, np.ones_like(y), one, lambda j, p, q, idx: two_y.ravel()[idx] * q - p
        )
        above = (_SHIFTED_TRIG_ABOVE if shifted else _TRIG_ABOVE)[kind]
        trig = (n > above) & (np.abs(y) < 1.0)
        out = np.where(trig, _chebyshev_trig(kind, y, n, shifted), out)
        if shifted:
            up, down = x == 1.0, x == 0.0
        else:
            up, down = (np.abs(x) == 1.0) & (x > 0), (np.abs(x) == 1.0) & ~(x > 0)
        out = np.where(up | down, _ends(kind, n, up, y.dtype), out)
        return np.where(n < 0, 0.0, out)

    return kernel


def _hermite_h(x, n):
    """The physicists' Hermite polynomial: ``H_{j+1} = 2x H_j - 2j H_{j-1}``."""
    two_x = x + x
    out = np.where(n == 0, 1.0, two_x)
    return _recurrence(
        out, n, np.ones_like(x), two_x, lambda j, p, q, idx: two_x.ravel()[idx] * q - (2 * j) * p
    )


def _hermite_he(x, n):
    """The probabilists' Hermite polynomial: ``He_{j+1} = x He_j - j He_{j-1}``."""
    out = np.where(n == 0, 1.0, x)
    return _recurrence(out, n, np.ones_like(x), x, lambda j, p, q, idx: x.ravel()[idx] * q - j * p)


def _laguerre(x, n):
    """Laguerre's polynomial: ``L_{j+1} = ((2j + 1 - x) L_j - j L_{j-1}) / (j + 1)``; 1 at 0."""
    one_minus = 1.0 - x
    out = np.where(n == 0, 1.0, one_minus)

    def step(j, p, q, idx):
        return (((j + j) + one_minus.ravel()[idx]) * q - j * p) / (j + 1)

    out = _recurrence(out, n, np.ones_like(x), one_minus, step)
    return np.where(x == 0, 1.0, out)


def _legendre(x, n):
    """Legendre's polynomial: ``P_{j+1} = ((2j + 1) x P_j - j P_{j-1}) / (j + 1)``."""
    out = np.where(n == 0, 1.0, x)

    def step(j, p, q, idx):
        return ((j + j + 1) * x.ravel()[idx] * q - j * p) / (j + 1)

    out = _recurrence(out, n, np.ones_like(x), x, step)
    ends = np.abs(x) == 1.0
    return np.where(ends, np.where((x > 0) | (n % 2 == 0), 1.0, -1.0), out)


_INT64_MIN = np.iinfo(np.int64).min


def _degree(n, dtype, xp):
    """torch's ``static_cast<int64_t>`` of the degree in the result's dtype: truncated
    toward 0; NaN, infinities and values out of range give int64's minimum (x86's
    conversion), a negative degree."""
    m = xp.asarray(n, dtype=np.float64).astype(dtype, copy=False).astype(np.float64)
    ok = np.isfinite(m) & (np.abs(m) < 2.0**63)
    return np.where(ok, np.trunc(np.where(ok, m, 0.0)), _INT64_MIN).astype(np.int64)


def _polynomial(body, limit=None):
    """A polynomial kernel of ``(x, n)``: ``x`` rounded to the result's dtype first, ``n``
    made a degree; 0 for negative degrees; NaN above ``limit`` (a dict by dtype)."""

    @functools.wraps(body)
    def run(x, n, dtype):
        dtype = np.dtype(dtype)
        xp = _module_of((x, n))
        with fp_quiet():
            xs = xp.asarray(x).astype(dtype)  # in the result's dtype, as torch, overflow included
            xs, deg = xp.broadcast_arrays(xs, _degree(n, dtype, xp))
            over = deg > limit[dtype.itemsize >= 8] if limit is not None else False
            out = body(xp.array(xs), np.where(over, 0, deg))
            out = np.where(deg < 0, 0.0, np.where(over, np.nan, out))
        return out.astype(dtype, copy=False)

    return run


chebyshev_polynomial_t = _polynomial(_chebyshev("t", False))
chebyshev_polynomial_u = _polynomial(_chebyshev("u", False))
chebyshev_polynomial_v = _polynomial(_chebyshev("v", False))
chebyshev_polynomial_w = _polynomial(_chebyshev("w", False))
shifted_chebyshev_polynomial_t = _polynomial(_chebyshev("t", True))
shifted_chebyshev_polynomial_u = _polynomial(_chebyshev("u", True))
shifted_chebyshev_polynomial_v = _polynomial(_chebyshev("v", True))
shifted_chebyshev_polynomial_w = _polynomial(_chebyshev("w", True))
hermite_polynomial_h = _polynomial(_hermite_h, limit=(128, 512))
hermite_polynomial_he = _polynomial(_hermite_he, limit=(128, 512))
laguerre_polynomial_l = _polynomial(_laguerre)
legendre_polynomial_p = _polynomial(_legendre)
