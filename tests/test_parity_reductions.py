"""Reductions and softmax over every kind of ``dim`` (none, each int in and out of range,
tuples, repeats, ``[]``), with and without ``keepdim``, on shapes that include empty
ones, against torch 2.13: the result's shape, dtype, values and node, the gradient of a
weighted sum, or torch's error.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import gradscope as gs

torch = pytest.importorskip("torch", reason="torch is the reference for parity tests")


def _one_dim(d) -> bool:
    return d is not None and not isinstance(d, (tuple, list))


OPS = {
    "sum": lambda x, d, k: x.sum() if d is None else x.sum(d, keepdim=k),
    "mean": lambda x, d, k: x.mean() if d is None else x.mean(d, keepdim=k),
    "max": lambda x, d, k: x.max(d, keepdim=k)[0] if _one_dim(d) else x.max(),
    "min": lambda x, d, k: x.min(d, keepdim=k)[0] if _one_dim(d) else x.min(),
    "argmax": lambda x, d, k: x.argmax(d, keepdim=k) if _one_dim(d) else x.argmax(),
    "softmax": lambda x, d, k: x.softmax(d if _one_dim(d) else 0),
    "log_softmax": lambda x, d, k: x.log_softmax(d if _one_dim(d) else -1),
}
SHAPES = [(4, 3, 5), (3,), (), (2, 0, 3), (1, 4), (0,)]


def _dims(nd: int) -> list:
    ints = list(range(-nd - 1, nd + 1))
    return [None, *ints, (0,), (0, -1), (-1, 0) if nd else (0,), (0, 0), []]


CASES = [
    pytest.param(op, shape, d, k, id=f"{op}-{shape}-{d}-{k}".replace(" ", ""))
    for op in OPS
    for shape in SHAPES
    for d in _dims(len(shape))
    for k in (False, True)
    if not (k and op in ("softmax", "log_softmax"))
]


def _outcome(m, op, shape, d, k):
    data = (np.arange(int(np.prod(shape)), dtype=np.float64).reshape(shape) % 7 - 3) / 3
    x = m.tensor(data, requires_grad=True)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            y = OPS[op](x, d, k)
    except (RuntimeError, IndexError, ValueError, TypeError) as e:
        return (type(e).__name__, str(e).splitlines()[0])
    got = [tuple(y.shape), str(y.dtype).split(".")[-1], _plain(y.detach().numpy())]
    got.append(type(y.grad_fn).__name__ if y.grad_fn is not None else None)
    if y.requires_grad:
        w = m.tensor(np.arange(1.0, y.numel() + 1.0).reshape(tuple(y.shape)))
        (y * w).sum().backward()
        got.append(_plain(x.grad.numpy()))
    return ("ok", *got)


def _plain(arr) -> str:
    """Values to compare: rounded, -0.0 as 0.0, NaN equal to NaN."""
    return str((np.asarray(arr, dtype=float).round(9) + 0.0).tolist())


@pytest.mark.parametrize("op, shape, d, k", CASES)
def test_a_reduction_over_any_dim_as_torch(op, shape, d, k):
    assert _outcome(gs, op, shape, d, k) == _outcome(torch, op, shape, d, k)
