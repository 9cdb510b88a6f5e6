"""The graph ``t[index] = value`` records, against torch 2.13: the node written on ``t``
(``CopySlices`` through a view, ``FillBackward3`` or ``CopyBackwards`` where the index is
the whole tensor, ``IndexPutBackward0`` for tensor indices), the nodes between the value
and its leaf (a view without leading 1s, then an expand to the region), and the
gradients of both. Also reading ``t[index]``: the node of a one-tuple of a full slice,
masks checked against the whole index's view, several ellipses.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import gradscope as gs

torch = pytest.importorskip("torch", reason="torch is the reference for parity tests")

INDICES = {
    ":": lambda m: slice(None),
    "(:,)": lambda m: (slice(None),),
    "...": lambda m: Ellipsis,
    "(:, :)": lambda m: (slice(None), slice(None)),
    "(:, 0:3)": lambda m: (slice(None), slice(0, 3)),
    "1:": lambda m: slice(1, None),
    "::2": lambda m: slice(None, None, 2),
    "0": lambda m: 0,
    "(:, 0)": lambda m: (slice(None), 0),
    "(..., 1)": lambda m: (Ellipsis, 1),
    "None": lambda m: None,
    "[0, 1]": lambda m: m.tensor([0, 1]),
    "(1:, [0, 2])": lambda m: (slice(1, None), m.tensor([0, 2])),
}
VALUES = [(), (1,), (3,), (1, 3), (4, 3), (1, 4, 3), (3, 1), (4, 1), (1, 1), (3, 3), (1, 1, 3)]


def _chain(node) -> list[str]:
    """The names from ``node`` down its first edges to the leaf's AccumulateGrad."""
    names = []
    while node is not None and type(node).__name__ != "AccumulateGrad":
        names.append(type(node).__name__)
        node = node.next_functions[0][0]
    return names


def _write(m, index: str, vshape: tuple, value_grad: bool):
    y = m.tensor(np.arange(12.0).reshape(4, 3) / 4, requires_grad=True)
    z = y * 1
    v = m.tensor(np.arange(1.0, 1.0 + np.prod(vshape)).reshape(vshape) / 8)
    v.requires_grad_(value_grad)
    try:
        z[INDICES[index](m)] = v
    except RuntimeError as e:
        return ("RuntimeError", str(e))
    top = z.grad_fn
    edges = top.next_functions
    below = _chain(edges[1][0]) if len(edges) > 1 and edges[1][0] is not None else None
    (z * m.tensor(np.arange(12.0).reshape(4, 3) + 1)).sum().backward()
    grads = (y.grad.tolist(), v.grad.tolist() if value_grad else None)
    return (type(top).__name__, type(edges[0][0]).__name__, below, z.tolist(), grads)


@pytest.mark.parametrize(
    "index, vshape, value_grad",
    list(itertools.product(INDICES, VALUES, [True, False])),
    ids=lambda v: str(v).replace(" ", ""),
)
def test_a_write_records_torchs_nodes_and_gradients(index, vshape, value_grad):
    assert _write(gs, index, vshape, value_grad) == _write(torch, index, vshape, value_grad)


@pytest.mark.parametrize("value", [2.0, 3])
@pytest.mark.parametrize("index", [":", "(:,)", "...", "(:, :)", "1:", "0"])
def test_a_number_written_is_a_fill_or_a_copy_into_slices(index, value):
    def run(m):
        y = m.ones(4, 3, requires_grad=True)
        z = y * 1
        z[INDICES[index](m)] = value
        z.sum().backward()
        return type(z.grad_fn).__name__, z.tolist(), y.grad.tolist()

    assert run(gs) == run(torch)


@pytest.mark.parametrize(
    "index",
    [
        (slice(None),),
        slice(None),
        (slice(None), slice(None)),
        (Ellipsis,),
        Ellipsis,
        (slice(0, 4),),
        slice(0, 4),
        (slice(None), slice(0, 3)),
    ],
    ids=str,
)
def test_reading_the_whole_tensor_through_a_tuple_is_an_alias(index):
    def node(m):
        return type(m.ones(4, 3, requires_grad=True)[index].grad_fn).__name__

    assert node(gs) == node(torch)


READS = {
    "mask_after_none": lambda m: (None, m.tensor([False, False, True]), True),
    "mask_before_false": lambda m: (Ellipsis, m.tensor([True, False, True]), False),
    "int_out_of_range_before_mask": lambda m: (m.tensor([True, False, True, False]), 4),
    "two_ellipses_then_index": lambda m: (Ellipsis, m.tensor(0), Ellipsis),
    "index_then_two_ellipses": lambda m: (m.tensor([0, 1]), Ellipsis, Ellipsis),
    "ellipsis_alone_twice": lambda m: (Ellipsis, Ellipsis),
    "one_ellipsis_between": lambda m: (0, Ellipsis, m.tensor([1, 2])),
}


@pytest.mark.parametrize("name", list(READS))
def test_reading_masks_and_ellipses_as_torch(name):
    """A mask is checked against the view the whole index makes; several ellipses each
    skip the dims one would (torch's reading), and an index past the end then raises."""

    def outcome(m):
        x = m.tensor(np.arange(60.0).reshape(4, 3, 5), requires_grad=True)
        try:
            y = x[READS[name](m)]
        except IndexError as e:
            return ("IndexError", str(e))
        y.sum().backward()
        return (tuple(y.shape), y.tolist(), x.grad.tolist())

    assert outcome(gs) == outcome(torch)


@pytest.mark.parametrize(
    "index", [lambda m: (Ellipsis, Ellipsis, 0), lambda m: (Ellipsis, Ellipsis, None)]
)
def test_an_index_past_the_end_through_two_ellipses_raises(index):
    x = gs.ones(4, 3, 5)
    with pytest.raises(IndexError):
        x[index(gs)]
    with pytest.raises(IndexError):
        torch.ones(4, 3, 5)[index(torch)]
