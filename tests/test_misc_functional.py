"""``pdist``, ``renorm`` and more of ``gs.nn.functional`` and ``gs.nn`` against torch:
values and gradients in float64, the nodes and what they save, errors and modules'
reprs; and first-order gradchecks (which need no torch) where torch has no second
derivative or forward mode to compare with.

The ops' table cases (gradcheck, graphs, saved tensors, specials) are in
``tests/op_cases.py``.
"""

from __future__ import annotations

import numpy as np
import pytest

import gradscope as gs
from tests.parity import check_error, check_value, grad_fn_tree, params


def _F(m):  # noqa: N802
    return m.nn.functional


def _x(m, shape, seed=0, rg=True, dtype=None):
    a = np.random.default_rng(seed).standard_normal(shape)
    return m.tensor(a, dtype=dtype or m.float64, requires_grad=rg)


# ---------------------------------------------------------------- gradchecks (no torch)


def _rows_with_ties():
    a = np.random.default_rng(3).standard_normal((5, 3))
    a[3] = a[1] + [0.3, -0.5, 0.7]  # (near, but away from 0 and from ties)
    return a


@pytest.mark.parametrize("p", [1, 1.5, 2, 3, float("inf"), 0.7])
def test_pdist_gradcheck(p):
    x = gs.tensor(_rows_with_ties(), dtype=gs.float64, requires_grad=True)
    assert gs.autograd.gradcheck(lambda t: gs.pdist(t, p), (x,))


@pytest.mark.parametrize("p, dim, maxnorm", [(2, 0, 1.0), (1, -1, 0.5), (3, 1, 0.8), (0.5, 0, 4.0)])
def test_renorm_gradcheck_and_gradgradcheck(p, dim, maxnorm):
    x = gs.tensor(_rows_with_ties().reshape(5, 3, 1), dtype=gs.float64, requires_grad=True)
    assert gs.autograd.gradcheck(lambda t: gs.renorm(t, p, dim, maxnorm), (x,))
    assert gs.autograd.gradgradcheck(lambda t: gs.renorm(t, p, dim, maxnorm), (x,))


def test_pdist_values_and_order():
    x = gs.tensor([[0.0, 0.0], [3.0, 4.0], [0.0, 1.0]])
    np.testing.assert_allclose(gs.pdist(x).numpy(), [5.0, 1.0, np.sqrt(18.0)], rtol=1e-6)
    np.testing.assert_allclose(gs.pdist(x, 1).numpy(), [7.0, 1.0, 6.0])
    np.testing.assert_allclose(gs.pdist(x, 0).numpy(), [2.0, 1.0, 2.0])
    np.testing.assert_allclose(gs.pdist(x, float("inf")).numpy(), [4.0, 1.0, 3.0])


def test_pdist_gradient_is_zero_at_zero_distance():
    x = gs.tensor([[1.0, 2.0], [1.0, 2.0], [4.0, 6.0]], dtype=gs.float64, requires_grad=True)
    gs.pdist(x).sum().backward()
    # the pair (0, 1) adds nothing; (0, 2) and (1, 2) pull rows 0 and 1 toward row 2
    np.testing.assert_allclose(x.grad.numpy(), [[-0.6, -0.8], [-0.6, -0.8], [1.2, 1.6]])


def test_renorm_scales_only_the_rows_over_maxnorm():
    x = gs.tensor([[3.0, 4.0], [0.3, 0.4]], dtype=gs.float64)
    np.testing.assert_allclose(
        gs.renorm(x, 2, 0, 1.0).numpy(), [[0.6 * 5 / (5 + 1e-7), 0.8 * 5 / (5 + 1e-7)], [0.3, 0.4]]
    )


# ---------------------------------------------------------------- torch parity

torch = pytest.importorskip("torch", reason="torch is the reference for parity tests")


def _rows(m, seed=0):
    a = np.random.default_rng(seed).standard_normal((5, 3))
    a[3] = a[1]  # a zero distance
    a[4, 0] = a[0, 0]  # a zero difference in one column
    return m.tensor(a, dtype=m.float64, requires_grad=True)


def _pdist_grads(p):
    def run(m):
        x = _rows(m)
        y = _F(m).pdist(x, p)
        w = m.tensor(np.linspace(-1, 2, y.shape[0]), dtype=m.float64)
        (g,) = m.autograd.grad((y * w).sum(), x)
        return y, g

    return run


def _renorm_grads(p, dim, maxnorm, inplace=False):
    def run(m):
        x = _x(m, (3, 4, 2), 1)
        y = (x * 1).renorm_(p, dim, maxnorm) if inplace else m.renorm(x, p, dim, maxnorm)
        w = m.tensor(np.cos(np.arange(24.0)).reshape(3, 4, 2), dtype=m.float64)
        (g,) = m.autograd.grad((y * w).sum(), x, create_graph=True)
        (gg,) = m.autograd.grad((g * g).sum(), x)
        return y, g, gg

    return run


VALUES = {
    **{f"pdist_p{p}": _pdist_grads(p) for p in (0, 1, 2, 3, 0.5, 1.5, float("inf"))},
    "pdist_one_row": lambda m: _F(m).pdist(_x(m, (1, 3))),
    "pdist_no_columns": lambda m: _F(m).pdist(_x(m, (3, 0))),
    "pdist_float32": lambda m: m.pdist(_x(m, (4, 2), dtype=m.float32), 2.5),
    **{
        f"renorm_p{p}_dim{d}": _renorm_grads(p, d, mx)
        for p, d, mx in [(2, 0, 1.0), (1, 1, 2.0), (3, -1, 0.5), (float("inf"), 2, 0.7)]
    },
    "renorm_p0.5": _renorm_grads(0.5, 0, 3.0),
    "renorm_inplace": _renorm_grads(2, 1, 0.9, inplace=True),
    "renorm_float32": lambda m: m.renorm(_x(m, (3, 4), dtype=m.float32), 2, 1, 0.5),
}


@pytest.mark.parametrize("fn", params(VALUES))
def test_value(fn):
    check_value(fn)


def test_pdist_saves_self_result_and_p_as_torch():
    for m in (gs, torch):
        x = _rows(m)
        y = _F(m).pdist(x, 3)
        node = y.grad_fn
        assert node.name() == "PdistBackward0"
        assert node._saved_p == 3.0 and isinstance(node._saved_p, float)
        assert node._saved_self is x
        assert node._saved_result.shape == (10,)


def test_pdist_of_a_transposed_input_clones_it_first_as_torch():
    for m in (gs, torch):
        x = _x(m, (3, 4))
        y = m.pdist(x.t())
        assert y.grad_fn.next_functions[0][0].name() == "CloneBackward0"


def test_renorm_saves_as_torch():
    got = []
    for m in (gs, torch):
        x = _x(m, (3, 4))
        node = m.renorm(x, 2, -1, 1.5).grad_fn
        assert node._saved_self is x
        z = x * 1
        node2 = z.renorm_(1, 0, 0.5).grad_fn
        assert node2._saved_self is not z and node2._saved_self.shape == (3, 4)
        assert z._version == 1
        got.append((node.name(), node._saved_p, node._saved_dim, node._saved_maxnorm))
        got.append((node2.name(), node2._saved_p, node2._saved_dim, node2._saved_maxnorm))
    assert got[:2] == got[2:]
    assert got[0] == ("RenormBackward0", 2, 2**64 - 1, 1.5)  # torch reads dim as unsigned


def test_pdist_has_no_second_derivative_as_torch():
    for m in (gs, torch):
        x = _rows(m)
        (g,) = m.autograd.grad(m.pdist(x).sum(), x, create_graph=True)
        assert g.grad_fn.name() == "PdistBackwardBackward0"
        with pytest.raises(NotImplementedError, match="derivative for '_pdist_backward'"):
            m.autograd.grad(g.sum(), x)


ERRORS = {
    "pdist_1d": lambda m: m.pdist(m.ones(3)),
    "pdist_3d": lambda m: _F(m).pdist(m.ones(2, 3, 4)),
    "pdist_negative_p": lambda m: m.pdist(m.ones(2, 3), -1),
    "pdist_nan_p": lambda m: m.pdist(m.ones(2, 3), float("nan")),
    "pdist_integer": lambda m: m.pdist(m.ones(2, 3, dtype=m.int64)),
    "pdist_forward_ad": lambda m: _jvp(m, lambda t: m.pdist(t)),
    "renorm_p0": lambda m: m.renorm(m.ones(2, 3), 0, 0, 1.0),
    "renorm_negative_p": lambda m: m.ones(2, 3).renorm(-2, 0, 1.0),
    "renorm_negative_maxnorm": lambda m: m.renorm(m.ones(2, 3), 2, 0, -1.5),
    "renorm_complex_maxnorm": lambda m: m.renorm(m.ones(2, 3), 2, 0, 1j),
    "renorm_complex_p": lambda m: m.renorm(m.ones(2, 3), 2j, 0, 1.0),
    "renorm_1d": lambda m: m.renorm(m.ones(3), 2, 0, 1.0),
    "renorm_dim": lambda m: m.renorm(m.ones(2, 3), 2, 2, 1.0),
    "renorm_integer": lambda m: m.renorm(m.ones(2, 3, dtype=m.int64), 2, 0, 1.0),
    "renorm_inplace_leaf": lambda m: m.ones(2, 3, requires_grad=True).renorm_(2, 0, 1.0),
}


def _jvp(m, fn):
    return m.func.jvp(fn, (m.ones(3, 2, dtype=m.float64),), (m.ones(3, 2, dtype=m.float64),))


@pytest.mark.parametrize("fn", params(ERRORS))
def test_error(fn):
    check_error(fn)


# ---------------------------------------------------------------- bilinear


def _bilinear_ins(m, rg=(True, True, True, True)):
    shapes = [(4, 3), (4, 2), (5, 3, 2), (5,)]
    return [_x(m, s, i, rg=r) for i, (s, r) in enumerate(zip(shapes, rg))]


def test_bilinear_saves_as_torch():
    """``TrilinearBackward0`` keeps each input only where another input's gradient needs
    it, and its dims lists."""
    got = []
    for m in (gs, torch):
        a, b, w, c = _bilinear_ins(m, (True, False, False, False))
        node = _F(m).bilinear(a, b, w, c).grad_fn.next_functions[0][0].next_functions[0][0]
        assert node.name() == "TrilinearBackward0"
        assert node._saved_i1 is None
        assert tuple(node._saved_i2.shape) == (5, 3, 2) and tuple(node._saved_i3.shape) == (4, 2)
        got.append([getattr(node, f"_saved_{k}") for k in ("expand1", "expand2", "expand3")])
        got[-1].append(node._saved_sumdim)
    assert got[0] == got[1] == [(1, 3), (0,), (1, 2), (2, 3)]


def test_bilinear_gradients_under_create_graph_are_trilinear_as_torch():
    trees = []
    for m in (gs, torch):
        a, b, w, c = _bilinear_ins(m)
        ga, gw = m.autograd.grad(_F(m).bilinear(a, b, w, c).sum(), (a, w), create_graph=True)
        trees.append((grad_fn_tree(ga.grad_fn, 3), grad_fn_tree(gw.grad_fn, 3)))
        (gb,) = m.autograd.grad((ga * ga).sum() + (gw * gw).sum(), b)
        trees.append(np.asarray(gb.detach()).round(10).tolist())
    assert trees[0] == trees[2]
    assert (
        trees[0][1]
        == "TrilinearBackward0(ViewBackward0(AccumulateGrad), None, ViewBackward0(AccumulateGrad))"
    )
    np.testing.assert_allclose(trees[1], trees[3], rtol=1e-9)


def test_bilinear_module_as_torch():
    for m in (gs, torch):
        m.manual_seed(0)
        layer = m.nn.Bilinear(3, 2, 5)
        assert repr(layer) == "Bilinear(in1_features=3, in2_features=2, out_features=5, bias=True)"
        assert [n for n, _ in layer.named_parameters()] == ["weight", "bias"]
        assert tuple(layer.weight.shape) == (5, 3, 2) and tuple(layer.bias.shape) == (5,)
        bound = 1 / np.sqrt(3)
        assert (
            float(layer.weight.detach().abs().max()) <= bound
            and float(layer.bias.detach().abs().max()) <= bound
        )
        assert float(layer.weight.detach().abs().max()) > bound / 2  # drawn over the whole range
        plain = m.nn.Bilinear(3, 2, 5, bias=False, dtype=m.float64)
        assert plain.bias is None and plain.weight.dtype == m.float64
        assert repr(plain).endswith("bias=False)")
        a, b = _x(m, (2, 3), 1), _x(m, (2, 2), 2)
        y = plain(a, b)
        assert y.grad_fn.name() == "ViewBackward0" and tuple(y.shape) == (2, 5)


def test_bilinear_module_refuses_no_in1_features_as_torch():
    check_error(lambda m: m.nn.Bilinear(0, 2, 5))


def _bilinear_bad(a=(4, 3), b=(4, 2), w=(5, 3, 2), c=(5,), dtype=None):
    def run(m):
        ins = [m.ones(*s, dtype=m.float32) for s in (a, b, w)]
        bias = None if c is None else m.ones(*c, dtype=getattr(m, dtype or "float32"))
        return _F(m).bilinear(*ins, bias)

    return run


BILINEAR_ERRORS = {
    "batch": _bilinear_bad(b=(3, 2)),
    "input1_size": _bilinear_bad(w=(5, 2, 2)),
    "input2_size": _bilinear_bad(b=(4, 3)),
    "bias_size": _bilinear_bad(c=(4,)),
    "bias_2d": _bilinear_bad(c=(1, 5)),
    "dims": _bilinear_bad(b=(4, 2, 1)),
    "dtype": _bilinear_bad(dtype="float64"),
}


@pytest.mark.parametrize("fn", params(BILINEAR_ERRORS))
def test_bilinear_error(fn):
    check_error(fn)


# ---------------------------------------------------------------- adaptive max pools


def _specials(m):
    a = np.random.default_rng(0).standard_normal((2, 3, 5, 7))
    a[0, 0, 1, 1] = np.nan
    a[0, 1, :3, :3] = -np.inf  # a window of -inf points at its first element
    a[1, 0, 0, :] = a[1, 0, 0, 0]  # ties: the first
    return m.tensor(a, requires_grad=True)


def _pool_grads(pool):
    def run(m):
        x = _specials(m)
        out, idx = pool(m, x)
        (g,) = m.autograd.grad(out.sum(), x)
        return out, idx, g

    return run


POOL_VALUES = {
    "2d": _pool_grads(lambda m, x: _F(m).adaptive_max_pool2d(x, (2, 3), True)),
    "2d_unbatched_none": _pool_grads(lambda m, x: _F(m).adaptive_max_pool2d(x[0], (3, None), True)),
    "2d_grow": _pool_grads(lambda m, x: _F(m).adaptive_max_pool2d(x, (6, 8), True)),
    "1d": _pool_grads(lambda m, x: _F(m).adaptive_max_pool1d(x[0], 4, True)),
    "1d_unbatched": _pool_grads(lambda m, x: m.nn.AdaptiveMaxPool1d(3, True)(x[1, 0])),
    "module_2d": _pool_grads(lambda m, x: m.nn.AdaptiveMaxPool2d((None, 2), True)(x)),
    "no_grad": lambda m: _F(m).adaptive_max_pool2d(_specials(m).detach(), 3, True),
}


@pytest.mark.parametrize("fn", params(POOL_VALUES))
def test_adaptive_max_pool_value(fn):
    check_value(fn)


def test_adaptive_max_pool_saves_and_shares_its_indices_as_torch():
    for m in (gs, torch):
        x = _specials(m)
        out, idx = _F(m).adaptive_max_pool2d(x, (2, 3), return_indices=True)
        node = out.grad_fn
        assert node.name() == "AdaptiveMaxPool2DBackward0" and node._saved_self is x
        assert node._saved_result1.dtype == m.int64 and tuple(node._saved_result1.shape) == (
            2,
            3,
            2,
            3,
        )
        assert np.array_equal(np.asarray(node._saved_result1), np.asarray(idx))


def test_adaptive_max_pool_module_reprs_as_torch():
    for m in (gs, torch):
        assert repr(m.nn.AdaptiveMaxPool2d((2, None))) == "AdaptiveMaxPool2d(output_size=(2, None))"
        assert repr(m.nn.AdaptiveMaxPool1d(3, True)) == "AdaptiveMaxPool1d(output_size=3)"


POOL_ERRORS = {
    "three_sizes": lambda m: _F(m).adaptive_max_pool2d(m.ones(1, 2, 3, 3), (2, 3, 4)),
    "1d_input": lambda m: _F(m).adaptive_max_pool2d(m.ones(7), 2),
    "5d_input": lambda m: _F(m).adaptive_max_pool2d(m.ones(1, 1, 1, 3, 3), 2),
    "1d_pool_4d_input": lambda m: _F(m).adaptive_max_pool1d(m.ones(1, 2, 3, 4), 2),
    "negative": lambda m: _F(m).adaptive_max_pool2d(m.ones(2, 3, 4, 4), -1),
    "empty_channels": lambda m: _F(m).adaptive_max_pool2d(m.ones(1, 0, 3, 3), 2),
    "empty_height": lambda m: _F(m).adaptive_max_pool2d(m.ones(1, 2, 0, 3), 2),
    "integer": lambda m: _F(m).adaptive_max_pool2d(m.ones(1, 2, 3, 3, dtype=m.int64), 2),
}


@pytest.mark.parametrize("fn", params(POOL_ERRORS))
def test_adaptive_max_pool_error(fn):
    check_error(fn)
