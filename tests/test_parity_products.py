"""``a @ b`` over 1-D, 2-D and batched shapes that do and do not fit, in the same and in
different dtypes, against torch 2.13: the result's shape, dtype, values and gradients,
or torch's error, whose kernels check shapes before dtypes (``dot`` the other way).
Also ``add``/``sub`` with ``alpha``: shapes are checked before an integral alpha.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import gradscope as gs

torch = pytest.importorskip("torch", reason="torch is the reference for parity tests")

SHAPES = [
    ((3,), (4,)),
    ((3,), (3,)),
    ((2, 3), (4,)),
    ((2, 3), (3,)),
    ((3,), (4, 2)),
    ((3,), (3, 2)),
    ((2, 3), (4, 2)),
    ((2, 3), (3, 2)),
    ((5, 2, 3), (4, 2)),
    ((5, 2, 3), (3, 2)),
    ((2, 3), (5, 4, 2)),
    ((2, 3), (5, 3, 2)),
    ((5, 2, 3), (5, 4, 2)),
    ((5, 2, 3), (5, 3, 2)),
    ((5, 2, 3), (6, 3, 2)),
    ((5, 2, 3), (4,)),
    ((5, 2, 3), (3,)),
    ((3,), (5, 4, 2)),
    ((3,), (5, 3, 2)),
    ((2, 1, 2, 3), (4, 3, 2)),
]
DTYPES = [("float64", "float64"), ("float32", "float64"), ("int64", "float32")]


def _plain(arr) -> str:
    return str((np.asarray(arr, dtype=float).round(6) + 0.0).tolist())


def _matmul(m, sa, sb, da, db):
    a = m.tensor(np.arange(np.prod(sa)).reshape(sa) % 5 / 2, dtype=getattr(m, da))
    b = m.tensor(np.arange(np.prod(sb)).reshape(sb) % 3 / 2, dtype=getattr(m, db))
    a.requires_grad_(a.is_floating_point())
    b.requires_grad_(b.is_floating_point())
    try:
        y = a @ b
    except RuntimeError as e:
        return ("RuntimeError", str(e))
    y.sum().backward()
    grads = [_plain(t.grad.numpy()) for t in (a, b) if t.requires_grad]
    return (tuple(y.shape), str(y.dtype).split(".")[-1], _plain(y.detach().numpy()), grads)


@pytest.mark.parametrize(
    "shapes, dtypes", list(itertools.product(SHAPES, DTYPES)), ids=lambda v: str(v)
)
def test_matmul_checks_and_results_as_torch(shapes, dtypes):
    assert _matmul(gs, *shapes, *dtypes) == _matmul(torch, *shapes, *dtypes)


@pytest.mark.parametrize("op", ["add", "sub"])
@pytest.mark.parametrize("alpha", [2, 0.5])
@pytest.mark.parametrize("shape_b", [(3,), (0,), (2,)])
def test_alpha_is_checked_after_the_shapes(op, alpha, shape_b):
    def outcome(m):
        a, b = m.ones(3, dtype=m.int64), m.ones(shape_b, dtype=m.int64)
        try:
            return getattr(a, op)(b, alpha=alpha).tolist()
        except RuntimeError as e:
            return str(e)

    assert outcome(gs) == outcome(torch)


def _nodes(node) -> str:
    """The graph below ``node`` as nested names (leaves as ``A``)."""
    if node is None:
        return "None"
    kids = [n for n, _ in node.next_functions if n is not None]
    inner = ",".join("A" if type(n).__name__ == "AccumulateGrad" else _nodes(n) for n in kids)
    return type(node).__name__ + (f"[{inner}]" if inner else "")


@pytest.mark.parametrize(
    "sa, sb, ra, rb",
    [
        ((1, 2, 3), (4, 3, 2), True, True),
        ((1, 2, 3), (4, 3, 2), True, False),
        ((1, 2, 3), (4, 3, 2), False, True),
        ((4, 2, 3), (1, 3, 2), False, True),
        ((4, 2, 3), (1, 3, 2), True, False),
        ((1, 2, 3), (1, 3, 2), True, True),
        ((1, 2, 1), (3, 1, 2), True, True),
        ((1, 0, 3), (4, 3, 2), True, True),
        ((4, 1, 3), (1, 1, 1), True, True),
    ],
)
def test_a_3d_batch_of_one_that_requires_grad_folds_as_torch(sa, sb, ra, rb):
    """torch squeezes it and runs one mm (its gradient one mm too), not a bmm."""

    def outcome(m):
        a = m.tensor(np.arange(np.prod(sa)).reshape(sa) % 3 / 2, requires_grad=ra)
        b = m.tensor(np.arange(np.prod(sb)).reshape(sb) % 4 / 2, requires_grad=rb)
        try:
            y = a @ b
        except RuntimeError as e:
            return str(e)
        y.sum().backward()
        grads = [_plain(t.grad.numpy()) for t in (a, b) if t.requires_grad]
        return (tuple(y.shape), _nodes(y.grad_fn), _plain(y.detach().numpy()), grads)

    assert outcome(gs) == outcome(torch)
