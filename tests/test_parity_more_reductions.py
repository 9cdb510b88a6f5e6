"""``var``, ``std``, ``logsumexp``, ``amax``, ``amin`` and ``prod`` against torch 2.13 over
every kind of ``dim`` (none, each int in and out of range, tuples, repeats, ``[]``), with
and without ``keepdim``, on shapes that include empty and 0-dim ones, on float, integer and
bool tensors, and over their argument forms (``unbiased``, ``correction``, ``dtype``):
the result's shape, dtype, values and node, the warnings given, the gradient of a weighted
sum and the tangent of forward mode, or torch's error type and first line.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import gradscope as gs
from tests.parity import as_numpy

torch = pytest.importorskip("torch", reason="torch is the reference for parity tests")


class _Values:
    """Values to compare: equal to float32 precision, NaN equal to NaN, inf to inf."""

    def __init__(self, arr) -> None:
        self.arr = np.asarray(arr, dtype=float)

    def __eq__(self, other) -> bool:
        a, b = self.arr, other.arr
        return a.shape == b.shape and np.allclose(a, b, rtol=2e-6, atol=1e-7, equal_nan=True)

    def __repr__(self) -> str:
        return repr(self.arr.tolist())


_plain = _Values


def _data(shape, dtype: str, ties: bool = False) -> np.ndarray:
    n = int(np.prod(shape))
    vals = np.arange(n, dtype=np.float64) % (3 if ties else 7) - 3
    vals = vals / 3 if dtype.startswith("float") and not ties else vals
    return vals.astype(dtype).reshape(shape)


def _outcome(m, run, shape, dtype="float64", ties=False):
    """What ``run(m, x)`` gives on a tensor of ``shape`` and ``dtype``."""
    x = m.tensor(_data(shape, dtype, ties), dtype=getattr(m, dtype))
    if x.is_floating_point():
        x.requires_grad_()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            y = run(m, x)
        except (RuntimeError, IndexError, ValueError, TypeError, NotImplementedError) as e:
            return (type(e).__name__, str(e).splitlines()[0])
    said = sorted({str(w.message).split(" (Triggered internally")[0] for w in caught})
    got = [tuple(y.shape), str(y.dtype).split(".")[-1], _plain(y.detach().numpy()), said]
    got.append(None if y.grad_fn is None else y.grad_fn.name())
    if y.requires_grad:
        w = m.tensor(np.arange(1.0, y.numel() + 1.0).reshape(tuple(y.shape)), dtype=y.dtype)
        (y * w).sum().backward()
        got.append(None if x.grad is None else _plain(x.grad.numpy()))
        with m.autograd.forward_ad.dual_level(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tangent = m.ones_like(x.detach()) * 0.5 + m.tensor(_data(shape, "float64")) / 10
            dual = m.autograd.forward_ad.make_dual(x.detach(), tangent.to(x.dtype))
            t = m.autograd.forward_ad.unpack_dual(run(m, dual)).tangent
            got.append(_plain(t.numpy()))
    return ("ok", *got)


SHAPES = [(4, 3, 5), (3,), (), (2, 0, 3), (1, 4), (0,)]
# values with zeros (and repeats, so ties) for prod, cumprod, amax, the norms
TIES = [(3, 4), (5,), (2, 3, 2)]


def _dims(nd: int) -> list:
    ints = list(range(-nd - 1, nd + 1))
    return [None, *ints, (0,), (0, -1), (-1, 0) if nd else (0,), (0, 0), []]


def _with_dim(name: str, **kw):
    def run(m, x, d, k):
        fn = getattr(x, name)
        return fn(**kw) if d is None else fn(d, keepdim=k, **kw)

    return run


def _norm_with(p):
    return lambda m, x, d, k: x.norm(p, dim=d, keepdim=k)


def _pair(fn, x, d, k, **kw):
    return fn(x, **kw) if d is None else fn(x, d, keepdim=k, **kw)


DIM_OPS = {
    "var": _with_dim("var"),
    "var_correction0": _with_dim("var", correction=0),
    "std": _with_dim("std"),
    "std_correction2": _with_dim("std", correction=2),
    "logsumexp": _with_dim("logsumexp"),
    "amax": _with_dim("amax"),
    "amin": _with_dim("amin"),
    "prod": _with_dim("prod"),
    "norm": _norm_with(2),
    "norm_1": _norm_with(1),
    "norm_inf": _norm_with(float("inf")),
    "norm_neg_inf": _norm_with(float("-inf")),
    "norm_0": _norm_with(0),
    "norm_3": _norm_with(3),
    "norm_half": _norm_with(0.5),
    "norm_fro": _norm_with("fro"),
    "vector_norm": lambda m, x, d, k: m.linalg.vector_norm(x, 1.5, d, k),
    "var_mean_var": lambda m, x, d, k: _pair(m.var_mean, x, d, k)[0],
    "var_mean_mean": lambda m, x, d, k: _pair(m.var_mean, x, d, k)[1],
    "std_mean_std": lambda m, x, d, k: _pair(m.std_mean, x, d, k, correction=0)[0],
    "std_mean_mean": lambda m, x, d, k: _pair(m.std_mean, x, d, k)[1],
    "cumsum": lambda m, x, d, k: x.cumsum() if d is None else x.cumsum(d),
    "cumprod": lambda m, x, d, k: x.cumprod() if d is None else x.cumprod(d),
}


@pytest.mark.parametrize("op", list(DIM_OPS))
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_a_reduction_over_any_dim_as_torch(op, shape):
    for d in _dims(len(shape)):
        for k in (False, True):
            run = lambda m, x, d=d, k=k: DIM_OPS[op](m, x, d, k)  # noqa: E731
            assert _outcome(gs, run, shape) == _outcome(torch, run, shape), (d, k)


@pytest.mark.parametrize("op", list(DIM_OPS))
@pytest.mark.parametrize("shape", TIES, ids=str)
def test_zeros_and_ties_over_any_dim_as_torch(op, shape):
    for d in _dims(len(shape)):
        for k in (False, True):
            run = lambda m, x, d=d, k=k: DIM_OPS[op](m, x, d, k)  # noqa: E731
            want = _outcome(torch, run, shape, ties=True)
            assert _outcome(gs, run, shape, ties=True) == want, (d, k)


DTYPES = ["float32", "float64", "int64", "int32", "uint8", "bool"]

DTYPE_OPS = {
    "var": lambda m, x: x.var(),
    "std_dim": lambda m, x: m.std(x, 0),
    "var_mean": lambda m, x: m.var_mean(x)[1],
    "std_mean_dim": lambda m, x: m.std_mean(x, 0)[0],
    "logsumexp": lambda m, x: x.logsumexp(0),
    "logsumexp_keepdim": lambda m, x: m.logsumexp(x, -1, keepdim=True),
    "amax": lambda m, x: x.amax(),
    "amin_dim": lambda m, x: m.amin(x, 0),
    "prod": lambda m, x: x.prod(),
    "prod_dim": lambda m, x: m.prod(x, 1 if x.ndim else 0),
    "prod_dtype": lambda m, x: x.prod(dtype=m.float64),
    "prod_dim_dtype": lambda m, x: x.prod(0, keepdim=True, dtype=m.float32),
    "prod_dtype_int": lambda m, x: x.prod(0, dtype=m.int32),
    "norm": lambda m, x: x.norm(),
    "norm_dtype": lambda m, x: x.norm(1, dtype=m.float64),
    "vector_norm_dtype32": lambda m, x: m.linalg.vector_norm(x, dtype=m.float32),
    "vector_norm_dtype_int": lambda m, x: m.linalg.vector_norm(x, dtype=m.int64),
    "cumsum": lambda m, x: x.cumsum(0),
    "cumsum_dtype": lambda m, x: x.cumsum(-1, dtype=m.float64),
    "cumprod": lambda m, x: x.cumprod(0),
    "cumprod_dtype_int": lambda m, x: x.cumprod(0, dtype=m.int64),
    "cumprod_dtype_float": lambda m, x: m.cumprod(x, -1, dtype=m.float32),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("op", list(DTYPE_OPS))
def test_dtypes_as_torch(op, dtype):
    for shape in [(3, 4), (), (0, 2)]:
        for ties in (False, True):
            run = DTYPE_OPS[op]
            want = _outcome(torch, run, shape, dtype, ties)
            assert _outcome(gs, run, shape, dtype, ties) == want, (shape, ties)


FORMS = {
    # var and std: which overload torch reads, and so the correction its node keeps
    "var_unbiased_positional": lambda m, x: x.var(False),
    "var_unbiased_kw": lambda m, x: x.var(unbiased=True),
    "var_dim_unbiased_keepdim": lambda m, x: x.var(0, False, True),
    "var_dim_none": lambda m, x: m.var(x, None),
    "var_keepdim_only": lambda m, x: x.var(keepdim=True),
    "var_correction_none": lambda m, x: x.var(0, correction=None),
    "var_correction_float": lambda m, x: x.var(1, correction=1.5),
    "var_correction_big": lambda m, x: x.var(correction=20),
    "var_correction_neg": lambda m, x: x.std(0, correction=-1),
    "var_correction_at_count": lambda m, x: x.var(1, correction=3),
    "var_correction_past_count": lambda m, x: x.std(1, correction=5),
    "std_ones_dim": lambda m, x: (x * 0 + 1).std(1),
    "var_tensor_dim": lambda m, x: x.var(m.tensor(1)),
    "var_float_dim": lambda m, x: x.var(0.5),
    "var_list_of_float": lambda m, x: x.var([0.5]),
    "var_mean_unbiased": lambda m, x: m.var_mean(x, False)[0],
    "var_mean_dim_unbiased_keepdim": lambda m, x: m.var_mean(x, 0, False, True)[1],
    "std_mean_correction": lambda m, x: m.std_mean(x, 1, correction=2)[0],
    "std_mean_big_correction": lambda m, x: m.std_mean(x, correction=20)[1],
    "var_mean_float_dim": lambda m, x: m.var_mean(x, 0.5)[0],
    "logsumexp_no_dim": lambda m, x: x.logsumexp(),
    "logsumexp_dim_none": lambda m, x: x.logsumexp(None),
    "logsumexp_dim_float": lambda m, x: x.logsumexp(0.5),
    "logsumexp_dims_float": lambda m, x: x.logsumexp((0, 1.5)),
    "logsumexp_tensor_dim": lambda m, x: x.logsumexp(m.tensor(0)),
    "amax_none": lambda m, x: x.amax(None),
    "amax_dim_float": lambda m, x: x.amax(0.5),
    "amin_dims_float": lambda m, x: m.amin(x, [0, 1.5]),
    "amin_tensor_dim": lambda m, x: x.amin(m.tensor(0)),
    "prod_tuple": lambda m, x: x.prod((0, 1)),
    "prod_list": lambda m, x: x.prod([0]),
    "prod_none": lambda m, x: x.prod(None),
    "prod_keepdim_only": lambda m, x: x.prod(keepdim=True),
    "prod_keepdim_int": lambda m, x: x.prod(0, 1),
    "prod_tensor_dim": lambda m, x: x.prod(m.tensor(0)),
    "norm_p_none": lambda m, x: x.norm(p=None),
    "norm_nuc_dim": lambda m, x: x.norm(p="nuc", dim=1),
    "norm_fro_three_dims": lambda m, x: x.norm(p="fro", dim=(0, 1, 2)),
    "norm_order_unknown": lambda m, x: x.norm(p="abc"),
    "norm_keepdim_only": lambda m, x: x.norm(keepdim=True),
    "norm_positional": lambda m, x: m.norm(x, 2, None, True),
    "norm_true": lambda m, x: x.norm(True),
    "vector_norm_ord_str": lambda m, x: m.linalg.vector_norm(x, ord="fro"),
    "vector_norm_dim_float": lambda m, x: m.linalg.vector_norm(x, 2, 0.5),
    "vector_norm_inf_empty_dim": lambda m, x: m.linalg.vector_norm(x[:0], float("inf"), -2),
    "vector_norm_inf_empty": lambda m, x: m.linalg.vector_norm(x[:0], float("-inf")),
    "cumsum_tuple": lambda m, x: x.cumsum((0,)),
    "cumsum_none": lambda m, x: x.cumsum(None),
    "cumprod_float": lambda m, x: x.cumprod(0.5),
    "cumsum_tensor_dim": lambda m, x: x.cumsum(m.tensor(0)),
}


@pytest.mark.parametrize("form", list(FORMS))
def test_argument_forms_as_torch(form):
    for shape in [(4, 3), (), (2, 0)]:
        got, want = _outcome(gs, FORMS[form], shape), _outcome(torch, FORMS[form], shape)
        assert got == want, shape
        assert _correction(gs, FORMS[form], shape) == _correction(torch, FORMS[form], shape)


def _correction(m, run, shape):
    x = m.tensor(_data(shape, "float64"), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return getattr(run(m, x).grad_fn, "_saved_correction", None)
        except (RuntimeError, IndexError, TypeError):
            return "raises"


@pytest.mark.parametrize(
    "call",
    [
        lambda m, x: x.var(0, unbiased=True, correction=1),
        lambda m, x: x.var(unbiased=False, keepdim=True),
        lambda m, x: x.var(unbiased=1),
        lambda m, x: x.std(correction="a"),
        lambda m, x: x.var(0, keepdim=1),
        lambda m, x: x.var(0, 1),
    ],
)
def test_argument_combinations_torch_refuses(call):
    for m in (gs, torch):
        with pytest.raises(TypeError, match="received an invalid combination of arguments"):
            call(m, m.ones(2, 3))


def test_norm_zero_order_leaves_no_gradient_as_torch():
    for m in (gs, torch):
        x = m.tensor([[1.0, 0.0], [2.0, -3.0]], requires_grad=True)
        y = x.norm(0)
        assert y.item() == 3.0 and y.grad_fn.name() == "LinalgVectorNormBackward0"
        y.backward()
        assert x.grad is None


@pytest.mark.parametrize("p", [2, 1, 3, 1.5, 0.5, float("inf")])
def test_norm_second_derivative_at_a_zero_vector_as_torch(p):
    """Where the norm is 0 the first gradient is torch's (0, or the subgradient it picks)
    and the second is what torch's formulas give there (NaN, for some)."""
    got = []
    for m in (gs, torch):
        x = m.tensor([[0.0, 0.0], [1.0, -2.0]], dtype=m.float64, requires_grad=True)
        (g,) = m.autograd.grad(x.norm(p, 1).sum(), x, create_graph=True)
        (gg,) = m.autograd.grad((g * m.tensor([[1.0, 2.0], [3.0, 4.0]])).sum(), x)
        got.append((_plain(as_numpy(g)), _plain(as_numpy(gg))))
    assert got[0] == got[1]


@pytest.mark.parametrize("name", ["var_mean", "std_mean"])
def test_var_mean_is_one_node_of_two_outputs_as_torch(name):
    got = []
    for m in (gs, torch):
        x = m.tensor([[1.0, 2.0, 4.0], [0.5, -1.0, 3.0]], requires_grad=True)
        first, mean = getattr(m, name)(x, 1)
        node = first.grad_fn
        seen = []
        node.register_prehook(lambda grads, seen=seen: seen.append([g is None for g in grads]))
        node.register_hook(lambda gi, go, seen=seen: seen.append(len(go)))
        assert node is mean.grad_fn and (first.output_nr, mean.output_nr) == (0, 1)
        slots = ["correction", "dim", "keepdim"] + (["result0"] if name == "std_mean" else [])
        saved = [str(getattr(node, "_saved_" + k)) for k in slots]
        saved.append(tuple(node._saved_self.shape))
        (mean * 3).sum().backward(retain_graph=True)
        only_mean = x.grad.clone()
        (first * mean).sum().backward()
        got.append((node.name(), saved, _plain(only_mean.numpy()), _plain(x.grad.numpy()), seen))
    assert got[0] == got[1]


def test_var_mean_graph_is_freed_with_its_outputs():
    import gc
    import weakref

    x = gs.tensor([1.0, 2.0, 4.0], requires_grad=True)
    first, mean = gs.std_mean(x * 2)
    node = weakref.ref(first.grad_fn)
    (g,) = gs.autograd.grad(first + mean, x, create_graph=True)
    del first, mean, g
    gc.disable()
    try:
        assert node() is None  # freed by reference counting, with no cycle to collect
    finally:
        gc.enable()
