"""Array kernels of the special functions NumPy lacks (erfc, erfinv, lgamma, digamma,
polygamma, the modified Bessel functions I0 and I1, erfcx, ndtri, log_ndtr).

Each takes a float array and returns one of its dtype. On the CPU the work is done in
float64 (a float32 or float16 result is the float64 one rounded), to within a few units in
the last place of float64, vectorised: series and recurrences over whole arrays, no loop
over elements except for ``math.erfc``. CuPy arrays go to ``cupyx.scipy.special``,
imported only then.

    >>> lgamma(np.array([0.5, 10.0]))   # log(sqrt(pi)), log(9!)
    array([ 0.57236494, 12.80182748])
"""

from __future__ import annotations

import functools
import math

import numpy as np

from .. import backend
from ..backend import erf, fp_quiet

_LOG_PI = math.log(math.pi)
_HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)
_ONE_MINUS_EULER = 0.42278433509846713939  # 1 - Euler's gamma, to double precision
_DIGAMMA_ROOT = (1.4616321449683622, 9.549995429965697e-17)  # psi's positive zero, hi + lo
_SQRT_PI_2 = math.sqrt(math.pi) / 2

# B_2k, k = 1..13, the Bernoulli numbers of the asymptotic series
_BERNOULLI = [1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6, -3617 / 510,
              43867 / 798, -174611 / 330, 854513 / 138, -236364091 / 2730, 8553103 / 6]  # fmt: skip


def _cupy(arr):
    """The ``cupyx.scipy.special`` module when ``arr`` is a CuPy array, else None."""
    cp = backend.cupy_ndarray()
    if cp is None or not isinstance(arr, cp):
        return None
    import cupyx.scipy.special as special

    return special


def _in_float64(kernel):
    """``kernel`` (float64 in, float64 out) run on ``arr`` in float64, the result in
    ``arr``'s dtype; a CuPy array goes to ``cupyx.scipy.special``'s function of the same
    name instead."""

    @functools.wraps(kernel)
    def run(arr):
        special = _cupy(arr)
        if special is not None:
            return getattr(special, kernel.__name__.strip("_"))(arr).astype(arr.dtype, copy=False)
        with fp_quiet():
            out = kernel(np.asarray(arr, dtype=np.float64))
        return out.astype(arr.dtype, copy=False)

    return run


def _horner(coef, u):
    """``sum(coef[k] * u**k)``."""
    r = np.full_like(u, coef[-1])
    for c in coef[-2::-1]:
        r *= u
        r += c
    return r


def _sinpi(x):
    """``sin(pi * x)``, reduced to ``|x| <= 1/2`` first (exactly), so that it is 0 at the
    integers and accurate far from 0."""
    n = np.round(x)
    s = np.sin(np.pi * (x - n))
    return np.where(np.fmod(n, 2) == 0, s, -s)


# ---------------------------------------------------------------- erfc, erfinv, erfcx

_ERFC = np.frompyfunc(math.erfc, 1, 1)


@_in_float64
def erfc(x):
    """``1 - erf(x)`` without the cancellation: the C library's, element by element."""
    return np.asarray(_ERFC(x), dtype=np.float64)


def _erfinv_tail(y, w):
    """``x`` with ``erf(x) = y`` where ``w = 1 - |y|`` is known exactly (ndtri passes ``2p``
    for small ``p``): an approximation (Winitzki's, within 0.2 %) refined by Halley steps
    on ``erf`` near 0 and on ``erfc`` (which keeps ``w``'s precision) near +-1."""
    ay = np.abs(y)
    log1my2 = np.log(w) + np.log1p(ay)  # log(1 - y**2)
    a = 0.147
    b = 2 / (np.pi * a) + log1my2 / 2
    x = np.sqrt(np.sqrt(b * b - log1my2 / a) - b)  # |erfinv|
    central = ay <= 0.5
    for _ in range(3):
        # Halley's step for f(x) = erf(x) - |y| = w - erfc(x): u = f / f', x -= u / (1 + x u)
        f = np.where(central, erf(x) - ay, w - erfc(x))
        u = f * _SQRT_PI_2 * np.exp(x * x)
        x = x - u / (1 + x * u)
    return np.copysign(x, y)


@_in_float64
def erfinv(y):
    """The inverse of ``erf``: +-inf at +-1, NaN outside ``[-1, 1]``."""
    ay = np.abs(y)
    inside = ay < 1
    out = np.where(ay == 1, np.copysign(np.inf, y), np.nan)
    yi = y[inside]
    out[inside] = _erfinv_tail(yi, 1 - np.abs(yi))
    return out


@_in_float64
def ndtri(p):
    """The inverse of the standard normal CDF: ``-sqrt(2) erfcinv(2p)``, with ``2p`` (or
    ``2(1 - p)``) as the tail's exact distance from +-1."""
    inside = (p > 0) & (p < 1)
    out = np.where(p == 0, -np.inf, np.where(p == 1, np.inf, np.nan))
    q = p[inside]
    low = q < 0.5
    w = np.where(low, 2 * q, 2 * (1 - q))
    y = np.where(low, 2 * q - 1, 1 - w)
    out[inside] = math.sqrt(2) * _erfinv_tail(y, w)
    return out


def _exp_square(x):
    """``exp(x * x)`` with ``x * x`` split into two doubles (Dekker), so that the rounding
    of the square is not multiplied by it in the result."""
    c = 134217729.0 * x  # 2**27 + 1
    hi = c - (c - x)
    lo = x - hi
    sq = x * x
    err = ((hi * hi - sq) + 2 * hi * lo) + lo * lo
    e = np.exp(sq)
    return np.where(np.isinf(e), e, e * (1 + err))


@_in_float64
def erfcx(x):
    """``exp(x**2) erfc(x)``: the product below 26 (its square taken in two parts), an
    asymptotic series above, where ``exp(x**2)`` would overflow."""
    out = np.empty_like(x)
    big = x >= 26
    xb = x[big]
    t = 1 / (2 * xb * xb)
    s = np.ones_like(xb)
    term = np.ones_like(xb)
    for k in range(1, 10):  # 1 - 1/(2x^2) + 3/(2x^2)^2 - ...
        term = term * -(2 * k - 1) * t
        s += term
    out[big] = s / (xb * math.sqrt(math.pi))
    small = ~big
    xs = x[small]
    out[small] = _exp_square(xs) * np.asarray(_ERFC(xs), dtype=np.float64)
    return out


@_in_float64
def log_ndtr(x):
    """``log`` of the standard normal CDF, by ``log1p(-erfc(x/sqrt2)/2)`` above -1 and
    ``log(erfcx(t)/2) - t**2`` (``t = -x/sqrt2``) below, where the CDF underflows."""
    t = x * math.sqrt(0.5)
    out = np.empty_like(x)
    low = x < -1
    tl = -t[low]
    out[low] = np.log(erfcx(tl) / 2) - tl * tl
    high = ~low
    out[high] = np.log1p(-erfc(t[high]) / 2)
    return out


# ---------------------------------------------------------------- Hurwitz zeta


def _zeta_positive(s: int, q):
    """``zeta(s, q) = sum_k (q + k)**-s`` for an integer ``s >= 2`` and ``q > 0``: the first
    terms summed until ``q + k`` reaches ``10 + s``, the rest by Euler-Maclaurin (13
    Bernoulli terms)."""
    edge = 10.0 + s
    total = np.zeros_like(q)
    a = q.copy()
    while True:
        below = a < edge
        if not below.any():
            break
        total += np.where(below, a ** -float(s), 0.0)
        a = np.where(below, a + 1, a)
    # tail: a**(1-s)/(s-1) + a**-s/2 + sum_j B_2j/(2j)! s(s+1)...(s+2j-2) a**(-s-2j+1)
    inv = 1 / a
    power = a ** -float(s)
    tail = a * power / (s - 1) + power / 2
    rising, fact, term_pow = float(s), 2.0, power * inv  # s, (2j)!, a**(-s-2j+1)
    for j, b in enumerate(_BERNOULLI, start=1):
        tail += b / fact * rising * term_pow
        rising *= (s + 2 * j - 1) * (s + 2 * j)
        fact *= (2 * j + 1) * (2 * j + 2)
        term_pow *= inv * inv
    return total + tail


def zeta_int(s: int, q):
    """``zeta(s, q)`` for an integer ``s >= 2`` and any real ``q``: inf at ``q <= 0``
    integers (and -inf), and for other negative ``q`` the terms below 0 summed as
    ``(-1)**s (zeta(s, 1 - r) - zeta(s, M + 1 - r))`` (``q = r - M``, ``|r| <= 1/2``)."""
    out = np.full_like(q, np.nan)
    pos = q > 0
    out[pos] = _zeta_positive(s, q[pos])
    pole = (q <= 0) & (q == np.floor(q))
    out[pole] = np.inf
    neg = (q < 0) & ~pole
    if neg.any():
        qn = q[neg]
        m = -np.round(qn)
        r = qn + m
        sign = -1.0 if s % 2 else 1.0
        lower = _zeta_positive(s, 1 - r) - _zeta_positive(s, m + 1 - r)
        upper = r ** -float(s) + _zeta_positive(s, 1 + r)
        out[neg] = upper + sign * lower
    return out


# ---------------------------------------------------------------- lgamma


@functools.cache
def _lgamma_coefs() -> np.ndarray:
    """The Taylor coefficients of ``lgamma(2 + z)``: ``1 - gamma``, then
    ``(-1)**k (zeta(k) - 1) / k``."""
    ks = range(2, 31)
    tail = [(-1) ** k * _zeta_positive(k, np.array([2.0]))[0] / k for k in ks]
    return np.array([0.0, _ONE_MINUS_EULER, *tail])


def _lgamma_positive(x):
    """``lgamma`` of positive finite ``x``: the Taylor series about 2 on ``[1.5, 2.5)``
    (where the zeros at 1 and 2 are), reached by ``lgamma(x) = lgamma(x + 1) - log(x)``
    from below and by the product of ``x - k`` from above up to 10; Stirling's series
    beyond."""
    coef = _lgamma_coefs()
    out = np.empty_like(x)
    tiny = x < 0.5
    xt = x[tiny]
    out[tiny] = _horner(coef, xt) - np.log(xt) - np.log1p(xt)
    one = (x >= 0.5) & (x < 1.5)
    x1 = x[one]
    out[one] = _horner(coef, x1 - 1) - np.log(x1)
    mid = (x >= 1.5) & (x < 10)
    xm = x[mid]
    n = np.floor(xm - 1.5)  # steps down to [1.5, 2.5)
    prod = np.ones_like(xm)
    for k in range(1, 9):
        prod *= np.where(k <= n, xm - k, 1.0)
    out[mid] = _horner(coef, xm - n - 2) + np.log(prod)
    big = x >= 10
    xb = x[big]
    inv = 1 / xb
    inv2 = inv * inv
    series = np.zeros_like(xb)
    for j in range(8, 0, -1):  # sum B_2j / (2j (2j-1) x**(2j-1))
        series = series * inv2 + _BERNOULLI[j - 1] / (2 * j * (2 * j - 1))
    out[big] = xb * (np.log(xb) - 1) - 0.5 * np.log(xb) + _HALF_LOG_2PI + series * inv
    return out


@_in_float64
def _gammaln(x):
    """``log |Gamma(x)|``: inf at 0 and the negative integers and at +-inf; for negative
    ``x`` the reflection ``log(pi / |sin(pi x)|) - log|x| - lgamma(|x|)``."""
    out = np.full_like(x, np.nan)
    pos = (x > 0) & (x < np.inf)
    out[pos] = _lgamma_positive(x[pos])
    pole = (x <= 0) & (x == np.floor(x)) | np.isinf(x)
    out[pole] = np.inf
    neg = (x < 0) & ~pole
    xn = x[neg]
    ax = -xn
    out[neg] = _LOG_PI - np.log(np.abs(_sinpi(xn))) - np.log(ax) - _lgamma_positive(ax)
    return out


lgamma = _gammaln


# ---------------------------------------------------------------- digamma, polygamma


@functools.cache
def _digamma_coefs() -> np.ndarray:
    """The Taylor coefficients of ``psi`` about its positive zero ``x0``:
    ``psi^(k)(x0) / k! = (-1)**(k+1) zeta(k + 1, x0)``."""
    x0 = np.array([_DIGAMMA_ROOT[0]])
    return np.array([0.0] + [(-1) ** (k + 1) * zeta_int(k + 1, x0)[0] for k in range(1, 41)])


def _near_root(g):
    """``psi(x0 + g)`` for ``|g| <= 1/2``, from its Taylor series."""
    return _horner(_digamma_coefs(), g)


def _digamma_positive(x):
    """``psi`` of positive finite ``x``: the series about its zero on ``[0.96, 1.96)``,
    reached by ``psi(x) = psi(x + 1) - 1/x`` from below and ``psi(x - 1) + 1/(x - 1)``
    from above up to 10; the asymptotic series beyond."""
    hi, lo = _DIGAMMA_ROOT
    out = np.empty_like(x)
    small = x < hi - 0.5
    xs = x[small]
    out[small] = _near_root((xs - (hi - 1)) - lo) - 1 / xs
    root = (x >= hi - 0.5) & (x < hi + 0.5)
    out[root] = _near_root((x[root] - hi) - lo)
    mid = (x >= hi + 0.5) & (x < 10)
    xm = x[mid]
    n = np.ceil(xm - (hi + 0.5))  # steps down into [x0 - 1/2, x0 + 1/2)
    n = np.where(xm - n < hi - 0.5, n - 1, n)
    total = np.zeros_like(xm)
    for k in range(1, 10):
        total += np.where(k <= n, 1 / (xm - k), 0.0)
    out[mid] = _near_root((xm - n - hi) - lo) + total
    big = x >= 10
    xb = x[big]
    inv2 = 1 / (xb * xb)
    series = np.zeros_like(xb)
    for j in range(8, 0, -1):  # sum B_2j / (2j x**2j)
        series = series * inv2 + _BERNOULLI[j - 1] / (2 * j)
    out[big] = np.log(xb) - 0.5 / xb - series * inv2
    return out


@_in_float64
def _psi(x):
    """``psi = d lgamma / dx``, as torch gives it: -inf at 0, inf at -0, NaN at the
    negative integers and -inf; ``psi(|x|) + 1/|x| - pi / tan(pi x)`` below 0."""
    out = np.full_like(x, np.nan)
    pos = x > 0
    out[pos] = _digamma_positive(np.where(np.isinf(x[pos]), 1e300, x[pos]))
    out[x == np.inf] = np.inf
    zero = x == 0
    out[zero] = np.copysign(np.inf, -x[zero])
    neg = (x < 0) & (x != np.floor(x))
    xn = x[neg]
    ax = -xn
    r = xn - np.round(xn)
    out[neg] = _digamma_positive(ax) + 1 / ax - np.pi / np.tan(np.pi * r)
    return out


digamma = _psi


def polygamma(n: int, arr):
    """``psi^(n)``, the n-th derivative of ``psi``: ``(-1)**(n+1) n! zeta(n + 1, x)`` for
    ``n >= 1``. As torch: ``polygamma(1, x)`` at 0 and the negative integers is torch's
    reflection ``pi**2 / sin(pi x)**2 - psi'(1 - x)`` with ``sin`` in ``x``'s dtype (finite
    at the negative integers, where ``pi x`` is not quite a multiple of pi); 0 at inf for
    ``n = 1``, NaN for higher ``n``."""
    if n == 0:
        return digamma(arr)
    special = _cupy(arr)
    if special is not None:  # its n is an array
        order = backend.cupy().asarray(n, dtype=arr.dtype)
        return special.polygamma(order, arr).astype(arr.dtype, copy=False)
    with fp_quiet():
        x = np.asarray(arr, dtype=np.float64)
        sign = 1.0 if n % 2 else -1.0
        out = sign * float(math.factorial(n)) * zeta_int(n + 1, np.where(np.isinf(x), 1, x))
        out[x == -np.inf] = np.inf * sign if n > 1 else np.nan
        out[x == np.inf] = 0.0 if n == 1 else np.nan
        if n == 1:
            pole = (x <= 0) & (x == np.floor(x)) & np.isfinite(x)
            if pole.any():
                xp = np.asarray(arr)[pole]
                pi = xp.dtype.type(math.pi)
                s = np.sin(pi * xp)
                reflected = np.asarray((pi * pi) / (s * s), dtype=np.float64)
                out[pole] = reflected - zeta_int(2, 1 - x[pole])
    return out.astype(arr.dtype, copy=False)


# ---------------------------------------------------------------- modified Bessel I0, I1


def _bessel_ie(nu: int, x):
    """``exp(-|x|) I_nu(|x|)`` for ``nu`` 0 or 1: the power series (positive terms) below
    30, Hankel's asymptotic series above."""
    ax = np.abs(x)
    out = np.empty_like(ax)
    small = ax < 30
    xs = ax[small]
    h2 = (xs / 2) ** 2
    term = (xs / 2) ** nu / math.factorial(nu)
    total = term.copy()
    for k in range(1, 80):  # (x/2)**(2k+nu) / (k! (k+nu)!)
        term = term * h2 / (k * (k + nu))
        total += term
    out[small] = total * np.exp(-xs)
    big = ~small
    xb = ax[big]
    mu = 4.0 * nu * nu
    term = np.ones_like(xb)
    total = term.copy()
    for k in range(1, 25):  # prod (mu - (2j-1)**2) / (k! (8x)**k), alternating
        term = term * -(mu - (2 * k - 1) ** 2) / (k * 8 * xb)
        total += term
    out[big] = total / np.sqrt(2 * np.pi * xb)
    return out


def _odd(values, x):
    return np.where(x < 0, -values, values)


@_in_float64
def _i0e(x):
    return _bessel_ie(0, x)


@_in_float64
def _i1e(x):
    return _odd(_bessel_ie(1, x), x)


@_in_float64
def _i0(x):
    half = np.exp(np.abs(x) / 2)  # in two halves: e**|x| alone overflows before I0 does
    return _bessel_ie(0, x) * half * half  # NaN at +-inf, as torch


@_in_float64
def _i1(x):
    half = np.exp(np.abs(x) / 2)
    return _odd(_bessel_ie(1, x) * half * half, x)


i0, i0e, i1, i1e = _i0, _i0e, _i1, _i1e
