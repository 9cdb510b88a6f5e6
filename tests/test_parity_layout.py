"""The memory layout of what ops make from a tensor that is not in C order, against torch
2.13: ``stride()``, ``is_contiguous()``, what a following ``reshape`` records (a view, or
a copy: ``UnsafeViewBackward0``) and the layout of the leaf's gradient.

torch's kernels make some results in C order whatever the input's (softmax, the running
sums, ``roll``, ``cat``, ``masked_fill``, ``layer_norm``, ``logsigmoid``, ``rrelu``,
reductions along a dim, ``tril``) and others in the input's layout (``clone``, ``flip``,
the elementwise ops, and the ops that write into a clone of it: ``index_fill``,
``index_put``, ``put``, the scatters of a view).
"""

from __future__ import annotations

import numpy as np
import pytest

import gradscope as gs

torch = pytest.importorskip("torch", reason="torch is the reference for parity tests")


def _F(m):  # noqa: N802 - as torch's own alias
    return torch.nn.functional if m is torch else gs.nn.functional


OPS = {
    "softmax": lambda m, p: p.softmax(-1),
    "log_softmax": lambda m, p: p.log_softmax(0),
    "cumsum": lambda m, p: p.cumsum(-1),
    "cumsum_dim0": lambda m, p: p.cumsum(0),
    "cumprod": lambda m, p: p.cumprod(-1),
    "logcumsumexp": lambda m, p: p.logcumsumexp(-1),
    "cummax": lambda m, p: p.cummax(-1)[0],
    "cummin": lambda m, p: p.cummin(0)[0],
    "roll": lambda m, p: p.roll(1, 0),
    "roll_flat": lambda m, p: p.roll(1),
    "clone": lambda m, p: p.clone(),
    "clone_of_narrow": lambda m, p: p.narrow(-1, 0, 2).clone(),
    "flip": lambda m, p: p.flip(0),
    "masked_fill": lambda m, p: p.masked_fill(p > 0, 0.0),
    "renorm": lambda m, p: p.renorm(2, 0, 1.0),
    "layer_norm": lambda m, p: _F(m).layer_norm(p, (p.shape[-1],)),
    "cat": lambda m, p: m.cat([p, p * 2], 0),
    "cat_mixed": lambda m, p: m.cat([p, p.contiguous()], 0),
    "stack": lambda m, p: m.stack([p, p], 0),
    "rot90": lambda m, p: p.rot90(1, (0, 1)),
    "rot90_twice": lambda m, p: p.rot90(2, (0, 1)),
    "rot90_back": lambda m, p: p.rot90(-1, (0, 1)),
    "sort": lambda m, p: p.sort(-1)[0],
    "sort_dim0_descending": lambda m, p: p.sort(0, descending=True)[0],
    "sort_indices": lambda m, p: p.sort(-1)[1],
    "argsort": lambda m, p: p.argsort(0),
    "topk": lambda m, p: p.topk(2, -1)[0],
    "exp": lambda m, p: p.exp(),
    "add": lambda m, p: p + p,
    # reductions along a dim: C order
    "sum_dim": lambda m, p: p.sum(0),
    "mean_dim": lambda m, p: p.mean(-1),
    "prod_dim": lambda m, p: p.prod(0),
    "var_dim": lambda m, p: p.var(0),
    "std_dim": lambda m, p: p.std(-1),
    "var_mean": lambda m, p: m.var_mean(p, 0)[1],
    "amax": lambda m, p: p.amax(0),
    "amin": lambda m, p: p.amin(-1),
    "aminmax": lambda m, p: m.aminmax(p, dim=0)[0],
    "logsumexp": lambda m, p: p.logsumexp(0),
    "norm_dim": lambda m, p: p.norm(dim=0),
    "nansum_dim": lambda m, p: p.nansum(0),
    "all_dim": lambda m, p: (p > 0.5).all(0),
    "count_nonzero": lambda m, p: m.count_nonzero(p, 0),
    "logsigmoid": lambda m, p: _F(m).logsigmoid(p),
    "rrelu_eval": lambda m, p: _F(m).rrelu(p, training=False),
    "tril": lambda m, p: p.tril(),
    "triu": lambda m, p: p.triu(1),
    # a copy of the input written in part: the input's layout
    "index_fill": lambda m, p: p.index_fill(0, m.tensor([1]), 1.5),
    "index_put": lambda m, p: p.index_put((m.tensor([0, 1]),), m.tensor(1.0)),
    "put": lambda m, p: p.put(m.tensor([0, 5]), m.tensor([1.0, 2.0])),
    "select_scatter": lambda m, p: p.select_scatter(p.select(0, 1) * 2, 0, 0),
    "slice_scatter": lambda m, p: p.slice_scatter(p.narrow(0, 1, 1) * 2, 0, 0, 1),
}


def _signature(m, op, shape, order):
    x = m.tensor(
        np.arange(np.prod(shape), dtype=np.float32).reshape(shape) / 10, requires_grad=True
    )
    p = x.permute(*order)
    out = OPS[op](m, p)
    flat = out.reshape(-1)
    if not flat.requires_grad:  # indices
        return (tuple(out.stride()), out.is_contiguous()), out.numpy()
    (flat * m.arange(flat.numel(), dtype=flat.dtype)).sum().backward()
    return (
        tuple(out.stride()),
        out.is_contiguous(),
        type(flat.grad_fn).__name__,
        tuple(x.grad.stride()),
    ), x.grad.numpy()


@pytest.mark.parametrize(
    "shape, order", [((4, 6), (1, 0)), ((2, 3, 4), (2, 0, 1))], ids=["t", "permuted"]
)
@pytest.mark.parametrize("op", OPS)
def test_layout_of_results_from_a_permuted_tensor(op, shape, order):
    _same_as_torch(_signature, op, shape, order)


def _same_as_torch(signature, *args) -> None:
    """``signature(m, *args)`` gives the same layout under both, and gradients as close."""
    got, got_grad = signature(gs, *args)
    want, want_grad = signature(torch, *args)
    assert got == want
    np.testing.assert_allclose(got_grad, want_grad, rtol=1e-5, atol=1e-4)


# Two operands whose layouts disagree: torch orders the result's dims by the first
# operand's strides, and by the next one's only where the first is broadcast.
_BASE = (np.arange(24, dtype=np.float32).reshape(2, 3, 4) + 1) / 10
_OPERANDS = {
    "c": lambda m: m.tensor(_BASE),
    "permuted": lambda m: m.tensor(np.ascontiguousarray(_BASE.transpose(2, 0, 1))).permute(1, 2, 0),
    "broadcast_last": lambda m: m.tensor(_BASE)[:, :, :1],
    "broadcast_mid": lambda m: m.tensor(_BASE)[:, :1],
    "strided": lambda m: m.tensor(np.concatenate([_BASE, _BASE], 2))[:, :, ::2],
}
_BINARY = {
    "add": lambda m, a, b: a + b,
    "mul": lambda m, a, b: a * b,
    "div": lambda m, a, b: a / b,
    "pow": lambda m, a, b: a**b,
    "maximum": lambda m, a, b: m.maximum(a, b),
    "atan2": lambda m, a, b: a.atan2(b),
}


def _binary_signature(m, op, first, second):
    a = _OPERANDS[first](m).requires_grad_()
    b = _OPERANDS[second](m)
    out = _BINARY[op](m, a, b)
    flat = out.reshape(-1)
    (flat * m.arange(flat.numel(), dtype=flat.dtype)).sum().backward()
    sizes = tuple(out.shape)
    return (
        tuple(s for s, n in zip(out.stride(), sizes) if n > 1),
        type(flat.grad_fn).__name__,
        tuple(s for s, n in zip(a.grad.stride(), a.grad.shape) if n > 1),
    ), a.grad.numpy()


@pytest.mark.parametrize(
    "first, second",
    [
        ("permuted", "c"),
        ("c", "permuted"),
        ("permuted", "broadcast_last"),
        ("permuted", "broadcast_mid"),
        ("broadcast_mid", "permuted"),
        ("strided", "permuted"),
    ],
)
@pytest.mark.parametrize("op", _BINARY)
def test_layout_of_a_pointwise_result_of_two_layouts(op, first, second):
    _same_as_torch(_binary_signature, op, first, second)


# What a kernel over images makes: channels last where its input is strided so (as torch's
# suggest_memory_format takes it), else C order, whatever other order the input has.
_IMAGE_OPS = {
    "batch_norm": lambda m, p: _F(m).batch_norm(p, None, None, training=True),
    "batch_norm_eval": lambda m, p: _F(m).batch_norm(p, m.zeros(3), m.ones(3)),
    "avg_pool2d": lambda m, p: _F(m).avg_pool2d(p, 2),
    "adaptive_avg_pool2d": lambda m, p: _F(m).adaptive_avg_pool2d(p, (2, 2)),
}


@pytest.mark.parametrize(
    "order",
    [(0, 1, 3, 2), (1, 0, 2, 3), (0, 2, 3, 1)],
    ids=["hw_swapped", "nc_swapped", "channels_last"],
)
@pytest.mark.parametrize("op", _IMAGE_OPS)
def test_layout_of_an_image_kernels_result(op, order):
    base = np.arange(120, dtype=np.float32).reshape(2, 3, 4, 5) / 50
    held = np.ascontiguousarray(base.transpose(order))
    back = np.argsort(order).tolist()
    got, want = [
        (tuple(out.stride()), out.is_contiguous())
        for m in (gs, torch)
        for out in [_IMAGE_OPS[op](m, m.tensor(held).permute(*back))]
    ]
    assert got == want


# Tensor indices: NumPy puts the indices' dims outermost in memory; torch lays the result
# out as a TensorIterator over the tensor (stride 0 along the indexed dims) and the indices.
_INDEXES = {
    "rows": lambda m, p: p[m.tensor([0, 2])],
    "middle": lambda m, p: p[:, m.tensor([1, 3])],
    "last": lambda m, p: p[:, :, m.tensor([1, 3])],
    "two_adjacent": lambda m, p: p[:, m.tensor([1, 3]), m.tensor([0, 2])],
    "two_apart": lambda m, p: p[m.tensor([0, 2]), :, m.tensor([1, 3])],
    "mask_middle": lambda m, p: p[:, m.tensor([True, False, True, True])],
    "grid_middle": lambda m, p: p[:, m.tensor([[0, 1], [2, 0]])],
    "after_none": lambda m, p: p[None, :, m.tensor([1, 3])],
}


@pytest.mark.parametrize(
    "layout", [(0, 1, 2), (2, 1, 0), (1, 2, 0)], ids=["c", "reversed", "rotated"]
)
@pytest.mark.parametrize("index", _INDEXES)
def test_layout_of_a_tensor_index(index, layout):
    base = np.arange(60, dtype=np.float32).reshape(3, 4, 5)
    held = np.ascontiguousarray(base.transpose(layout))
    back = np.argsort(layout).tolist()
    got, want = [
        (tuple(out.stride()), out.is_contiguous(), out.numpy().tolist())
        for m in (gs, torch)
        for out in [_INDEXES[index](m, m.tensor(held).permute(*back))]
    ]
    assert got == want
