"""The rest of ``gs.special`` against torch: xlog1py, zeta, gammainc and gammaincc, the
Bessel and Airy functions and the orthogonal polynomials, on grids of points that take in
their edges (0, negative arguments, poles, NaN, +-inf, large values, every branch of the
approximations); which of them record a node and what backward and forward mode raise.

The op table (tests/op_cases.py) checks the gradients of the differentiable ones.
"""

from __future__ import annotations

import numpy as np
import pytest

import gradscope as gs

torch = pytest.importorskip("torch", reason="torch is the reference for these values")

RNG = np.random.default_rng(7)
INF, NAN = np.inf, np.nan


def _edges(*values):
    v = [0.0, -0.0, NAN, INF, -INF, 1e-300, 1e-10, 1e-5, 0.5, 1.0, 2.0, 5.0, 8.0, 30.0, 1e10]
    v = np.array(v + list(values))
    return np.concatenate([v, -v])


def _compare(got, want, rtol, atol=1e-300):
    """Equal NaN patterns and infinities; finite values within ``rtol`` (or a denormal)."""
    got = np.asarray(got, dtype=np.float64)
    want = np.asarray(want, dtype=np.float64)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    np.testing.assert_array_equal(got[np.isinf(want)], want[np.isinf(want)])
    fin = np.isfinite(want)
    np.testing.assert_allclose(got[fin], want[fin], rtol=rtol, atol=atol)


UNARY = [
    "bessel_j0",
    "bessel_j1",
    "bessel_y0",
    "bessel_y1",
    "modified_bessel_i0",
    "modified_bessel_i1",
    "modified_bessel_k0",
    "modified_bessel_k1",
    "scaled_modified_bessel_k0",
    "scaled_modified_bessel_k1",
    "spherical_bessel_j0",
    "airy_ai",
]


@pytest.mark.parametrize("name", UNARY)
def test_unary_values_against_torch(name):
    x = np.concatenate(
        [
            _edges(2.09, 2.0900001, 5.0000001, 8.0000001, 103.892, 103.9, 700.0, 710.0),
            RNG.uniform(-20, 20, 60),
            np.exp(RNG.uniform(-20, 6, 40)),
        ]
    )
    want = getattr(torch.special, name)(torch.tensor(x)).numpy()
    got = getattr(gs.special, name)(gs.tensor(x, dtype=gs.float64)).numpy()
    _compare(got, want, rtol=1e-13)
    want32 = getattr(torch.special, name)(torch.tensor(x, dtype=torch.float32)).numpy()
    got32 = getattr(gs.special, name)(gs.tensor(x, dtype=gs.float32))
    assert got32.dtype == gs.float32
    _compare(got32.numpy(), want32, rtol=1e-5, atol=1e-6)  # torch's float32 arithmetic


def _pairs(a_values, x_values, extra: int):
    a, x = np.meshgrid(a_values, x_values, indexing="ij")
    a = np.concatenate([a.ravel(), np.exp(RNG.uniform(-4, 7, extra))])
    x = np.concatenate([x.ravel(), np.exp(RNG.uniform(-4, 7, extra))])
    big = np.exp(RNG.uniform(3, 6.5, extra))  # the uniform asymptotic expansion: a near x
    return np.concatenate([a, big]), np.concatenate([x, big * RNG.uniform(0.6, 1.4, extra)])


@pytest.mark.parametrize("name", ["gammainc", "gammaincc"])
def test_incomplete_gamma_against_torch(name):
    edges = [0.0, NAN, INF, 1e-300, 0.3, 0.5, 1.0, 1.05, 2.0, 19.5, 21.0, 150.0, 250.0, 1e6, -1.0]
    a, x = _pairs(edges, edges, 150)
    want = getattr(torch.special, name)(torch.tensor(a), torch.tensor(x)).numpy()
    got = getattr(gs.special, name)(gs.tensor(a, dtype=gs.float64), gs.tensor(x, dtype=gs.float64))
    # where the result is exp(a log x - x - lgamma(a)) of a large exponent, torch's own
    # lgamma's last bit is multiplied by it
    _compare(got.numpy(), want, rtol=5e-12)


def test_zeta_against_torch():
    s = [NAN, INF, -INF, 0.0, 0.5, 1.0, 1.0000001, 1.5, 2.0, 3.0, 4.5, 10.0, 100.0, -2.0]
    q = [NAN, INF, 0.0, -0.0, 1e-300, 0.1, 1.0, 8.5, 9.0, 1e8, -1.0, -1.5, -2.25, -10.5, -100.3]
    a, x = np.meshgrid(s, q, indexing="ij")
    a = np.concatenate([a.ravel(), RNG.uniform(1, 30, 100)])
    x = np.concatenate([x.ravel(), RNG.uniform(-20, 20, 100)])
    want = torch.special.zeta(torch.tensor(a), torch.tensor(x)).numpy()
    got = gs.special.zeta(gs.tensor(a, dtype=gs.float64), gs.tensor(x, dtype=gs.float64))
    _compare(got.numpy(), want, rtol=1e-14)
    # a number on either side
    np.testing.assert_allclose(
        gs.special.zeta(2.0, gs.tensor([1.0, 2.5])).numpy(),
        torch.special.zeta(2.0, torch.tensor([1.0, 2.5])).numpy(),
        rtol=1e-6,
    )
    assert gs.special.zeta(gs.tensor([3.0]), 1.0).item() == pytest.approx(1.2020569031595942)


def test_xlog1py_values_against_torch():
    x = np.array([0.0, 0.0, 0.0, 0.0, 1.0, 2.0, -1.5, NAN, INF, 0.0])
    y = np.array([-2.0, -1.0, NAN, 0.5, -1.0, -3.0, 1e-20, 1.0, 2.0, INF])
    want = torch.special.xlog1py(torch.tensor(x), torch.tensor(y)).numpy()
    got = gs.special.xlog1py(gs.tensor(x, dtype=gs.float64), gs.tensor(y, dtype=gs.float64))
    _compare(got.numpy(), want, rtol=1e-15)
    for number in (-2.0, -1.0, 0.0, 0.5, NAN):
        t = torch.special.xlog1py(torch.tensor(x), number).numpy()
        _compare(gs.special.xlog1py(gs.tensor(x, dtype=gs.float64), number).numpy(), t, 1e-15)
        t = torch.special.xlog1py(number, torch.tensor(y)).numpy()
        _compare(gs.special.xlog1py(number, gs.tensor(y, dtype=gs.float64)).numpy(), t, 1e-15)


POLYNOMIALS = [
    "chebyshev_polynomial_t",
    "chebyshev_polynomial_u",
    "chebyshev_polynomial_v",
    "chebyshev_polynomial_w",
    "shifted_chebyshev_polynomial_t",
    "shifted_chebyshev_polynomial_u",
    "shifted_chebyshev_polynomial_v",
    "shifted_chebyshev_polynomial_w",
    "hermite_polynomial_h",
    "hermite_polynomial_he",
    "laguerre_polynomial_l",
    "legendre_polynomial_p",
]


@pytest.mark.parametrize("name", POLYNOMIALS)
def test_polynomial_values_against_torch(name):
    xs = [INF, -INF, 0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 0.9999999999999999, 1e-17, 0.3, 2.0]
    xs = np.concatenate([xs, [-3.0, 1.5, 10.0, 1.0000000000000002], RNG.uniform(-1.2, 1.2, 12)])
    ns = [-3, -1, 0, 1, 2, 3, 5, 6, 7, 8, 9, 12, 40, 100, 511, 513, NAN, INF, -INF, 2.5, -0.5]
    x, n = np.meshgrid(xs, np.array(ns, dtype=np.float64), indexing="ij")
    x, n = x.ravel(), n.ravel()
    want = getattr(torch.special, name)(torch.tensor(x), torch.tensor(n)).numpy()
    got = getattr(gs.special, name)(gs.tensor(x, dtype=gs.float64), gs.tensor(n, dtype=gs.float64))
    # high degrees amplify the last bits of the recurrence (torch's fused multiply-adds)
    _compare(got.numpy(), want, rtol=1e-11)
    # NaN x of degree 2 and more: torch's value is uninitialised there for most of them
    # (its loop stops before setting it); gradscope gives NaN
    nan_x = gs.special.chebyshev_polynomial_u(gs.tensor([NAN, 0.5]), gs.tensor([3, 3]))
    assert np.isnan(nan_x.numpy()[0])


@pytest.mark.parametrize("name", POLYNOMIALS)
def test_polynomial_arguments_as_torch(name):
    fn_gs, fn_t = getattr(gs.special, name), getattr(torch.special, name)
    x = np.array([0.3, -0.7, 1.5])
    for args in (
        lambda m: (m.tensor(x, dtype=m.float32), 4),  # tensor x, int n
        lambda m: (m.tensor(x, dtype=m.float32), 4.7),  # a float degree is truncated
        lambda m: (0.3, m.tensor([2, 3, 4])),  # number x, integer n: the default float
        lambda m: (m.tensor([1, 2]), m.tensor([2, 3])),
        lambda m: (m.tensor(x, dtype=m.float32), m.tensor([2.0, 3.0, 4.0], dtype=m.float64)),
    ):
        got, want = fn_gs(*args(gs)), fn_t(*args(torch))
        assert str(got.dtype).split(".")[-1] == str(want.dtype).split(".")[-1]
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-6)
    a = gs.tensor(x, dtype=gs.float64, requires_grad=True)
    out = fn_gs(a, 3)
    assert out.grad_fn is None and not out.requires_grad


def _raises(fn, exc, text):
    with pytest.raises(exc) as e:
        fn()
    assert str(e.value) == text


ERRORS = [
    lambda m: m.special.bessel_j0(m.ones(2, dtype=m.float16)),
    lambda m: m.special.bessel_j0(1.0),
    lambda m: m.special.zeta(m.ones(2, dtype=m.float16), 2.0),
    lambda m: m.special.zeta(2, 3),
    lambda m: m.special.xlog1py(m.ones(2), m.ones(3)),
    lambda m: m.special.gammainc(m.tensor([1, 2]), m.tensor([1, 2])),
    lambda m: m.special.gammaincc(m.ones(2), 2.0),
    lambda m: m.special.chebyshev_polynomial_t(0.5, 2),
    lambda m: m.special.legendre_polynomial_p(m.ones(2, dtype=m.float16), 2),
]


def _error(m, fn):
    with pytest.raises((TypeError, RuntimeError, NotImplementedError)) as e:
        fn(m)
    return type(e.value), str(e.value)


@pytest.mark.parametrize("k", range(len(ERRORS)))
def test_errors_as_torch(k):
    assert _error(gs, ERRORS[k]) == _error(torch, ERRORS[k])


def test_nodes_and_backward_errors():
    a = gs.tensor([2.5, 1.5], dtype=gs.float64, requires_grad=True)
    x = gs.tensor([2.0, 3.0], dtype=gs.float64, requires_grad=True)
    for fn, node, op in (
        (gs.special.zeta, "SpecialZetaBackward0", "zeta"),
        (gs.special.gammainc, "IgammaBackward0", "igamma: input"),
        (gs.special.gammaincc, "IgammacBackward0", "igammac: input"),
    ):
        y = fn(a, x)
        assert y.grad_fn.name() == node
        msg = f"the derivative for '{op}' is not implemented."
        _raises(lambda y=y: y.sum().backward(), NotImplementedError, msg)
        # the second argument alone is fine
        (g,) = gs.autograd.grad(fn(a.detach(), x).sum(), x)
        assert np.isfinite(g.numpy()).all()
    y = gs.special.zeta(a, 2.0)
    assert y.grad_fn.name() == "SpecialZetaBackward2"
    _raises(
        lambda: y.sum().backward(),
        NotImplementedError,
        "the derivative for 'zeta' is not implemented.",
    )
    assert gs.special.zeta(2.0, x).grad_fn.name() == "SpecialZetaBackward1"
    assert gs.special.xlog1py(2.0, x).grad_fn.name() == "SpecialXlog1PyBackward1"
    assert gs.special.xlog1py(x, 2.0).grad_fn.name() == "SpecialXlog1PyBackward2"
    # no node at all for the Bessel and Airy functions, whatever the input
    for name in UNARY:
        out = getattr(gs.special, name)(x)
        assert out.grad_fn is None and not out.requires_grad


def test_saved_tensors_as_torch():
    """zeta and the incomplete gamma functions save their operands only where the second
    requires grad (its gradient needs both); torch leaves them unsaved otherwise."""
    for m in (gs, torch):
        a = m.tensor([2.5], dtype=m.float64, requires_grad=True)
        x = m.tensor([2.0], dtype=m.float64)
        for fn in (m.special.zeta, m.special.gammainc):
            node = fn(a, x).grad_fn
            assert node._saved_self is None and node._saved_other is None
        x.requires_grad_()
        node = m.special.gammaincc(a, x).grad_fn
        assert node._saved_other.tolist() == [2.0] and node._saved_self.tolist() == [2.5]


FORWARD = [
    lambda m, d: m.special.zeta(d, 2.0),
    lambda m, d: m.special.zeta(2.0, d),
    lambda m, d: m.special.gammainc(d, d),
    lambda m, d: m.special.gammaincc(m.ones(2, dtype=m.float64), d),
]


def _forward_errors(m):
    fw = m.autograd.forward_ad
    texts = []
    with fw.dual_level():
        d = fw.make_dual(m.tensor([1.5, 2.0], dtype=m.float64), m.ones(2, dtype=m.float64))
        for fn in FORWARD:
            with pytest.raises(NotImplementedError) as e:
                fn(m, d)
            texts.append(str(e.value))
        assert fw.unpack_dual(m.special.bessel_j0(d)).tangent is None
    return texts


def test_forward_mode_refused_as_torch():
    texts = _forward_errors(gs)
    assert texts == _forward_errors(torch)
    assert [t.split(" that ")[0] for t in texts] == [
        "Trying to use forward AD with special_zeta",
        "Trying to use forward AD with special_zeta",
        "Trying to use forward AD with igamma",
        "Trying to use forward AD with igammac",
    ]


@pytest.mark.parametrize("name", ["igamma", "igammac"])
def test_igamma_and_igammac_are_the_incomplete_gammas_under_torchs_first_names(name):
    a, x = np.array([1.0, 2.5, 0.3]), np.array([0.5, 3.0, 1.2])
    got, want = {}, {}
    for m, out in ((gs, got), (torch, want)):
        xs = m.tensor(x, requires_grad=True)
        y = getattr(m, name)(m.tensor(a), xs)
        out["fn"] = (y.detach().numpy(), y.grad_fn.name())
        out["method"] = getattr(m.tensor(a), name)(m.tensor(x)).numpy()
        b = m.tensor(a) * 1  # in place, recorded: the gradient reaches x through it
        getattr(b, name + "_")(xs)
        b.sum().backward()
        out["inplace"] = (b.detach().numpy(), b.grad_fn.name(), xs.grad.numpy())
    np.testing.assert_allclose(got["fn"][0], want["fn"][0], rtol=1e-12)
    np.testing.assert_allclose(got["method"], want["method"], rtol=1e-12)
    np.testing.assert_allclose(got["inplace"][0], want["inplace"][0], rtol=1e-12)
    np.testing.assert_allclose(got["inplace"][2], want["inplace"][2], rtol=1e-12)
    assert got["fn"][1] == want["fn"][1] and got["inplace"][1] == want["inplace"][1]


@pytest.mark.parametrize(
    "call",
    [
        lambda m: m.igamma(m.tensor([1.0, 2.0]), 2.0),
        lambda m: m.tensor([1, 2]).igamma_(m.tensor([0.5, 3.0])),
        lambda m: m.igamma(m.tensor([1, 2]), m.tensor([1, 2])),
        lambda m: m.tensor([1.0, 2.0]).igammac_(3.0),
    ],
)
def test_igamma_errors_as_torch(call):
    with pytest.raises(Exception) as want:
        call(torch)
    with pytest.raises(type(want.value)) as got:
        call(gs)
    assert str(got.value) == str(want.value)
