"""Shape ops (squeeze, unsqueeze, transpose, permute, reshape, view, flatten, split, chunk,
unbind, cat, stack, expand, t, mT) with dims and sizes in and out of range, on shapes
that include 0-dim and empty ones, against torch 2.13: shape, values, node, contiguity
and gradient, or torch's error. The cases are drawn once from a seeded generator.
"""

from __future__ import annotations

import random
import warnings

import numpy as np
import pytest

import gradscope as gs

torch = pytest.importorskip("torch", reason="torch is the reference for parity tests")

SHAPES = [(4, 3, 5), (3,), (), (2, 0, 3), (1, 4), (1, 1, 2), (6,)]


def _case(rng: random.Random, shape: tuple):
    """One op with random arguments: (label, fn(lib, x))."""
    nd = len(shape)
    n = int(np.prod(shape))

    def dim():
        return rng.randint(-nd - 2, nd + 1)

    k = rng.randrange(16)
    if k == 0:
        d = dim()
        return f"squeeze({d})", lambda m, x: x.squeeze(d)
    if k == 1:
        return "squeeze()", lambda m, x: x.squeeze()
    if k == 2:
        d = dim()
        return f"unsqueeze({d})", lambda m, x: x.unsqueeze(d)
    if k == 3:
        a, b = dim(), dim()
        return f"transpose({a},{b})", lambda m, x: x.transpose(a, b)
    if k == 4:
        p = list(range(nd))
        rng.shuffle(p)
        if p and rng.random() < 0.3:
            p[0] -= nd
        if rng.random() < 0.1:
            p.append(0)
        return f"permute({p})", lambda m, x: x.permute(*p)
    if k == 5:
        s = rng.choice([(-1,), (n,), (1, -1), (-1, 1), (2, -1), (-1, -1), (0,), (n, 1, 1)])
        return f"reshape{s}", lambda m, x: x.reshape(*s)
    if k == 6:
        s = rng.choice([(-1,), (n,), (1, -1), (2, -1)])
        return f"view{s}", lambda m, x: x.view(*s)
    if k == 7:
        a, b = rng.randint(-nd - 1, nd), rng.randint(-nd - 1, nd)
        return f"flatten({a},{b})", lambda m, x: x.flatten(a, b)
    if k == 8:
        s, d = rng.choice([1, 2, 3, 0, -1]), dim()
        return f"split({s},{d})", lambda m, x: x.split(s, d)[-1]
    if k == 9:
        s, d = rng.choice([1, 2, 3, 0, -1]), dim()
        return f"chunk({s},{d})", lambda m, x: x.chunk(s, d)[0]
    if k == 10:
        d = dim()
        return f"unbind({d})", lambda m, x: x.unbind(d)[-1]
    if k == 11:
        d = dim()
        return f"cat({d})", lambda m, x: m.cat([x, x * 2], d)
    if k == 12:
        d = dim()
        return f"stack({d})", lambda m, x: m.stack([x, x * 2], d)
    if k == 13:
        s = tuple(rng.choice([-1, 1, 2, 3, 4]) for _ in range(rng.randint(nd, nd + 1)))
        return f"expand{s}", lambda m, x: x.expand(*s)
    if k == 14:
        return "t()", lambda m, x: x.t()
    return "mT", lambda m, x: x.mT


def _cases(count: int, seed: int = 3) -> list:
    rng = random.Random(seed)
    out, seen = [], set()
    while len(out) < count:
        shape = rng.choice(SHAPES)
        label, fn = _case(rng, shape)
        if (label, shape) in seen or (label, shape) == ("expand(-1,)", ()):
            continue  # (torch's own error there is an overflow in its size arithmetic)
        seen.add((label, shape))
        out.append(pytest.param(shape, fn, id=f"{label}-{shape}".replace(" ", "")))
    return out


def _plain(arr) -> str:
    return str((np.asarray(arr, dtype=float).round(9) + 0.0).tolist())


def _outcome(m, shape, fn):
    data = (np.arange(int(np.prod(shape)), dtype=np.float64).reshape(shape) % 7 - 3) / 3
    x = m.tensor(data, requires_grad=True)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            y = fn(m, x * 1)
    except (RuntimeError, IndexError, ValueError, TypeError) as e:
        return (type(e).__name__, str(e).splitlines()[0])
    got = [tuple(y.shape), _plain(y.detach().numpy()), type(y.grad_fn).__name__]
    got.append(y.is_contiguous())
    w = m.tensor(np.arange(1.0, y.numel() + 1.0).reshape(tuple(y.shape)))
    (y * w).sum().backward()
    return ("ok", *got, _plain(x.grad.numpy()))


@pytest.mark.parametrize("shape, fn", _cases(600))
def test_a_shape_op_as_torch(shape, fn):
    assert _outcome(gs, shape, fn) == _outcome(torch, shape, fn)


@pytest.mark.parametrize(
    "shapes,dim",
    [(((0,), (0,)), 0), (((0,), (2, 3), (0,)), 1), (((2, 3), (0,)), -1), (((0,), (4,)), 0)],
    ids=["empty_empty", "empty_2d_empty", "2d_empty", "empty_1d"],
)
def test_cat_keeps_an_edge_to_each_empty_tensor_as_torch(shapes, dim):
    def run(m):
        ts = [m.ones(s, requires_grad=True) for s in shapes]
        r = m.cat(ts, dim=dim)
        edges = len(r.grad_fn.next_functions)
        (r * 2).sum().backward()
        return (
            tuple(r.shape),
            edges,
            [tuple(t.grad.shape) for t in ts],
            [t.grad.sum().item() for t in ts],
        )

    assert run(gs) == run(torch)
