"""The special functions in float64 on dense grids: against ``math.lgamma`` / ``math.erfc``,
torch 2.13 and (where installed) mpmath; their values at poles and IEEE specials; the
``gs.special`` names and the nodes they record; integer inputs promoted as torch does."""

from __future__ import annotations

import math

import numpy as np
import pytest

import gradscope as gs
from gradscope.ops import _specfun as K

torch = pytest.importorskip("torch", reason="torch is the reference")

RNG = np.random.default_rng(20)
POSITIVE = np.concatenate(
    [
        np.linspace(1e-3, 12, 4001),
        RNG.uniform(0.9, 2.1, 2000),  # around lgamma's zeros at 1, 2 and digamma's at 1.46
        10.0 ** RNG.uniform(-300, 300, 2000),
        10.0 ** RNG.uniform(-20, -1, 500),
    ]
)
NEGATIVE = -np.concatenate([RNG.uniform(0, 30, 3000), 10.0 ** RNG.uniform(-300, 10, 500)])
NEGATIVE = NEGATIVE[NEGATIVE != np.round(NEGATIVE)]


def _ulps(got, want) -> np.ndarray:
    got, want = np.asarray(got, np.float64), np.asarray(want, np.float64)
    same = (got == want) | (np.isnan(got) & np.isnan(want))
    err = np.abs(got - want) / np.spacing(np.abs(want))
    return np.where(same, 0.0, err)


def _torch(name, x, *args):
    fn = getattr(torch, name, None) or getattr(torch.special, name)
    return fn(*args, torch.tensor(x)).numpy() if args else fn(torch.tensor(x)).numpy()


# ------------------------------------------------------------------ accuracy in float64


def test_lgamma_of_positive_arguments_to_a_few_ulp():
    # CPython's own lgamma is off by up to 1e-15 absolute near the zeros at 1 and 2 (the C
    # library's, which torch calls, is not): to it the error is absolute there
    want = np.array([math.lgamma(v) for v in POSITIVE])
    np.testing.assert_allclose(K.lgamma(POSITIVE), want, rtol=1e-14, atol=1e-15)
    assert _ulps(K.lgamma(POSITIVE), _torch("lgamma", POSITIVE)).max() <= 8


def test_lgamma_of_negative_arguments_as_torch():
    got, want = K.lgamma(NEGATIVE), _torch("lgamma", NEGATIVE)
    # the reflection cancels near the zeros of lgamma (between -2 and -3, ...): there the
    # error is absolute, about 1e-15 of the terms' size
    np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-14)
    assert np.median(_ulps(got, want)) <= 1


def test_erfc_is_math_erfc():
    x = np.concatenate([np.linspace(-6, 28, 5001), RNG.normal(0, 3, 1000)])
    assert _ulps(K.erfc(x), [math.erfc(v) for v in x]).max() == 0
    assert _ulps(K.erfc(x), _torch("erfc", x)).max() <= 2


def test_erfinv_inverts_erf_and_erfc_to_the_last_bits():
    y = np.concatenate([np.linspace(-1, 1, 4001)[1:-1], 1 - 10.0 ** RNG.uniform(-16, -1, 500)])
    x = K.erfinv(y)
    # erfinv(y) is exact when it is the double whose erf is nearest y
    err = np.abs(np.array([math.erf(v) for v in x]) - y)
    ulp_x = np.abs(np.array([math.erf(v) for v in np.nextafter(x, np.inf)]) - y)
    assert np.all((err <= ulp_x) | (err <= np.spacing(np.abs(y))))
    tail = y > 0.5
    w = np.array([math.erfc(v) for v in x[tail]])
    np.testing.assert_allclose(w, 1 - y[tail], rtol=1e-14)
    np.testing.assert_allclose(x, _torch("erfinv", y), rtol=2e-15, atol=1e-300)


def test_digamma_and_polygamma_against_torch():
    x = POSITIVE[POSITIVE < 1e300]
    psi = _torch("digamma", x)
    near_root = np.abs(x - 1.4616321449683622) < 0.01
    # torch's digamma cancels near its zero (1.4616...); away from it both agree closely
    np.testing.assert_allclose(K.digamma(x)[~near_root], psi[~near_root], rtol=1e-14, atol=2e-15)
    np.testing.assert_allclose(K.digamma(x)[near_root], psi[near_root], atol=1e-15)
    np.testing.assert_allclose(K.digamma(NEGATIVE), _torch("digamma", NEGATIVE), rtol=1e-9)
    small = x[x < 1e100]
    # torch's float64 trigamma truncates its asymptotic series: ~5e-10 relative error
    np.testing.assert_allclose(K.polygamma(1, small), _torch("polygamma", small, 1), rtol=1e-9)
    for n in (2, 3, 5):
        mid = x[(x > 1e-30) & (x < 1e30)]
        np.testing.assert_allclose(
            K.polygamma(n, mid), _torch("polygamma", mid, n), rtol=1e-13, atol=1e-300
        )
        neg = NEGATIVE[NEGATIVE > -1000]
        np.testing.assert_allclose(
            K.polygamma(n, neg), _torch("polygamma", neg, n), rtol=1e-9, atol=1e-12
        )


def test_digamma_trigamma_and_zeta_against_mpmath():
    mpmath = pytest.importorskip("mpmath")
    mpmath.mp.dps = 40
    x = np.concatenate([RNG.uniform(1e-3, 12, 300), RNG.uniform(1.4, 1.52, 100)])
    psi = np.array([float(mpmath.digamma(v)) for v in x])
    assert _ulps(K.digamma(x), psi).max() <= 4  # torch's: thousands of ulp near 1.4616
    tri = np.array([float(mpmath.polygamma(1, v)) for v in x])
    assert _ulps(K.polygamma(1, x), tri).max() <= 4
    lg = np.array([float(mpmath.loggamma(v)) for v in x])
    assert _ulps(K.lgamma(x), lg).max() <= 6


def test_bessel_and_normal_functions_against_torch():
    x = np.concatenate([np.linspace(-60, 60, 2001), RNG.uniform(-700, 700, 500)])
    for name, kernel in (("i0", K.i0), ("i0e", K.i0e), ("i1", K.i1), ("i1e", K.i1e)):
        np.testing.assert_allclose(kernel(x), _torch(name, x), rtol=5e-14, err_msg=name)
    z = np.concatenate([np.linspace(-30, 8, 2001), -(10.0 ** RNG.uniform(1, 100, 200))])
    np.testing.assert_allclose(K.erfcx(z), _torch("erfcx", z), rtol=1e-13)
    np.testing.assert_allclose(K.log_ndtr(z), _torch("log_ndtr", z), rtol=1e-13)
    p = np.concatenate([np.linspace(0, 1, 2001), 10.0 ** RNG.uniform(-300, -1, 300)])
    np.testing.assert_allclose(K.ndtri(p), _torch("ndtri", p), rtol=1e-13)


# ------------------------------------------------------------------ poles and specials

SPECIALS = [0.0, -0.0, -1.0, -2.0, -2.5, 1.0, 2.0, np.inf, -np.inf, np.nan, 1e30, -1e-30, 1e-300]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(
    "op",
    ["lgamma", "digamma", "erfc", "erfinv", "i0", "polygamma1", "polygamma2", "polygamma0"],
)
def test_values_at_poles_and_specials_as_torch(op, dtype):
    def run(m):
        x = m.tensor(SPECIALS, dtype=getattr(m, dtype))
        if op.startswith("polygamma"):
            return m.polygamma(int(op[-1]), x).numpy()
        return getattr(m, op)(x).numpy()

    got, want = run(gs), run(torch)
    assert got.dtype == want.dtype
    np.testing.assert_allclose(got, want, rtol=1e-6, equal_nan=True)
    assert (np.signbit(got) == np.signbit(want))[np.isinf(want)].all()


def test_the_documented_poles():
    digamma = gs.digamma(gs.tensor([0.0, -1.0, -0.0])).tolist()
    assert digamma[0] == -math.inf and math.isnan(digamma[1]) and digamma[2] == math.inf
    lg = gs.lgamma(gs.tensor([0.0, -1.0, -2.5]))
    np.testing.assert_allclose(lg.numpy(), [math.inf, math.inf, -0.05624372], rtol=1e-6)
    assert gs.erfinv(gs.tensor([1.0, -1.0, 1.5])).tolist()[:2] == [math.inf, -math.inf]


# ------------------------------------------------------------------ errors and dtypes


@pytest.mark.parametrize(
    "call",
    [
        lambda m: m.polygamma(-1, m.ones(2)),
        lambda m: m.polygamma(1.0, m.ones(2)),
        lambda m: m.mvlgamma(m.ones(2), 0),
        lambda m: m.mvlgamma(m.tensor([True]), 1),
        lambda m: m.ones(2, dtype=m.int64).digamma_(),
        lambda m: m.ones(2, dtype=m.int64).mvlgamma_(1),
    ],
)
def test_errors_as_torch(call):
    with pytest.raises(Exception) as want:
        call(torch)
    with pytest.raises(want.type) as got:
        call(gs)
    assert str(got.value) == str(want.value)


@pytest.mark.parametrize(
    "fn",
    [
        lambda m, x: m.lgamma(x),
        lambda m, x: m.digamma(x),
        lambda m, x: m.polygamma(2, x),
        lambda m, x: m.mvlgamma(x, 2),
        lambda m, x: m.erfc(x),
        lambda m, x: m.erfinv(x),
        lambda m, x: m.i0(x),
        lambda m, x: m.special.i1e(x),
        lambda m, x: m.special.ndtr(x),
        lambda m, x: m.special.ndtri(x),
        lambda m, x: m.special.entr(x),
    ],
)
@pytest.mark.parametrize("dtype", ["int64", "int32", "bool", "float64"])
def test_integer_and_bool_inputs_give_the_default_float(fn, dtype):
    def run(m):
        try:
            out = fn(m, m.tensor([2, 3, 0], dtype=getattr(m, dtype)))
        except RuntimeError as e:
            return str(e)
        return str(out.dtype).split(".")[1], out.numpy()

    got, want = run(gs), run(torch)
    if isinstance(want, str):
        assert got == want
        return
    assert got[0] == want[0]
    np.testing.assert_allclose(got[1], want[1], rtol=1e-6, equal_nan=True)


# ------------------------------------------------------------------ gs.special


ALIASES = {
    "expit": lambda m, x: m.special.expit(x),
    "gammaln": lambda m, x: m.special.gammaln(x + 1),
    "psi": lambda m, x: m.special.psi(x + 1),
    "digamma": lambda m, x: m.special.digamma(x + 1),
    "polygamma": lambda m, x: m.special.polygamma(2, x + 1),
    "multigammaln": lambda m, x: m.special.multigammaln(x + 2, 3),
    "erf": lambda m, x: m.special.erf(x),
    "erfc": lambda m, x: m.special.erfc(x),
    "erfinv": lambda m, x: m.special.erfinv(x * 0.5),
    "erfcx": lambda m, x: m.special.erfcx(x),
    "exp2": lambda m, x: m.special.exp2(x),
    "expm1": lambda m, x: m.special.expm1(x),
    "log1p": lambda m, x: m.special.log1p(x),
    "logit": lambda m, x: m.special.logit(x * 0.5 + 0.5),
    "sinc": lambda m, x: m.special.sinc(x),
    "round": lambda m, x: m.special.round(x * 3),
    "round_decimals": lambda m, x: m.special.round(x, decimals=1),
    "softmax": lambda m, x: m.special.softmax(x, 0),
    "log_softmax": lambda m, x: m.special.log_softmax(x, 0, dtype=m.float64),
    "logsumexp": lambda m, x: m.special.logsumexp(x, 0),
    "xlogy": lambda m, x: m.special.xlogy(x, x + 1),
    "i0": lambda m, x: m.special.i0(x),
    "i0e": lambda m, x: m.special.i0e(x),
    "i1": lambda m, x: m.special.i1(x),
    "i1e": lambda m, x: m.special.i1e(x),
    "ndtr": lambda m, x: m.special.ndtr(x),
    "ndtri": lambda m, x: m.special.ndtri(x * 0.5 + 0.5),
    "log_ndtr": lambda m, x: m.special.log_ndtr(x),
    "entr": lambda m, x: m.special.entr(x + 0.5),
}


def _graph(node, depth: int = 6) -> str:
    if node is None or depth == 0:
        return ""
    kids = [_graph(n, depth - 1) for n, _ in node.next_functions if n is not None]
    name = node.name().replace("torch::autograd::", "")
    return name + (f"({','.join(kids)})" if any(kids) else "")


@pytest.mark.parametrize("name", sorted(ALIASES))
def test_special_names_record_torchs_nodes(name):
    results = []
    for m in (torch, gs):
        x = m.tensor([0.25, -0.4, 0.9], requires_grad=True)
        y = ALIASES[name](m, x)
        y.sum().backward()
        results.append((_graph(y.grad_fn), str(y.dtype).split(".")[1], y.detach().numpy(), x.grad))
    (tg, tdt, tv, tgrad), (gg, gdt, gv, ggrad) = results
    assert (gg, gdt) == (tg, tdt)
    np.testing.assert_allclose(gv, tv, rtol=1e-6)
    np.testing.assert_allclose(np.asarray(ggrad), tgrad.numpy(), rtol=1e-5, atol=1e-7)


def test_the_namespace_is_torchs_where_it_has_the_name():
    for name in gs.special.__all__:
        assert hasattr(torch.special, name), name
    # (the namespace's functions wrap them with torch's check of the first argument)
    assert gs.special.expit is gs.sigmoid.__wrapped__
    assert gs.special.gammaln is gs.lgamma.__wrapped__


SECOND = {
    "lgamma": lambda m, x: m.lgamma(x),
    "digamma": lambda m, x: m.digamma(x),
    "polygamma": lambda m, x: m.polygamma(2, x),
    "mvlgamma": lambda m, x: m.mvlgamma(x + 1, 3),
    "erfc": lambda m, x: m.erfc(x),
    "erfinv": lambda m, x: m.erfinv(x - 1),
    "i0": lambda m, x: m.i0(x),
    "i0e": lambda m, x: m.special.i0e(x),
    "i1": lambda m, x: m.special.i1(x),
    "i1e": lambda m, x: m.special.i1e(x),
    "ndtri": lambda m, x: m.special.ndtri(x * 0.5),
    "log_ndtr": lambda m, x: m.special.log_ndtr(x),
    "erfcx": lambda m, x: m.special.erfcx(x),
    "entr": lambda m, x: m.special.entr(x),
}


@pytest.mark.parametrize("name", sorted(SECOND))
def test_gradient_graphs_have_torchs_nodes(name):
    """With ``create_graph=True`` the first gradient is torch's formula, node for node
    (lgamma's holds a DigammaBackward0, digamma's a PolygammaBackward0)."""
    trees = []
    for m in (torch, gs):
        x = m.tensor([0.3, 0.6, 1.7], dtype=m.float64, requires_grad=True)
        v = m.tensor([0.7, -0.2, 1.1], dtype=m.float64, requires_grad=True)
        (g,) = m.autograd.grad(SECOND[name](m, x), x, v, create_graph=True)
        trees.append(_graph(g.grad_fn, 7))
    assert trees[0] == trees[1]
