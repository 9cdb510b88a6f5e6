"""More of torch's shape and view ops (``ravel``, ``broadcast_to``, ``moveaxis``,
``select``, ``Tensor.trace``, ``positive``, ``tile``, ``fliplr``, ``flipud``, ``rot90``,
``tensor_split``, ``hsplit``, ``vsplit``, ``dsplit``, ``split_with_sizes``, ``diag``,
``diagflat``, ``diag_embed``, ``take_along_dim``, ``take``, ``select_scatter``,
``slice_scatter``, ``diagonal_scatter``, ``repeat_interleave``) against torch 2.13: refusals with torch's error texts, integer and bool dtypes, views
and layouts. Values, gradients, nodes and double backward are in op_cases.py."""

from __future__ import annotations

import numpy as np
import pytest
from parity import check_error, check_value, params

import gradscope as gs

torch = pytest.importorskip("torch", reason="torch is the reference for parity tests")


def _o(m, *shape):
    return m.ones(*shape)


ERRORS = {
    # ravel has no refusals of its own
    "broadcast_to_mismatch": lambda m: m.broadcast_to(_o(m, 2, 3), (2, 4)),
    "broadcast_to_fewer_dims": lambda m: m.broadcast_to(_o(m, 2, 3), (3,)),
    "broadcast_to_leading_neg1": lambda m: m.broadcast_to(_o(m, 2, 3), (-1, 2, 3)),
    "broadcast_to_int": lambda m: m.broadcast_to(_o(m, 2, 3), 3),
    "broadcast_to_float_size": lambda m: m.broadcast_to(_o(m, 3), (2.0, 3)),
    "moveaxis_out_of_range": lambda m: m.moveaxis(_o(m, 2, 3), 0, 5),
    "moveaxis_lengths": lambda m: m.moveaxis(_o(m, 2, 3), (0, 1), (0,)),
    "moveaxis_repeated": lambda m: _o(m, 2, 3).moveaxis((0, 0), (0, 1)),
    "select_index_past_end": lambda m: _o(m, 2, 3).select(1, 3),
    "select_index_before_start": lambda m: m.select(_o(m, 2, 3), 1, -4),
    "select_0d": lambda m: m.tensor(1.0).select(0, 0),
    "select_0d_bad_dim": lambda m: m.tensor(1.0).select(3, 0),
    "select_dim_out_of_range": lambda m: _o(m, 2, 3).select(2, 0),
    "select_empty": lambda m: _o(m, 0, 3).select(0, 0),
    "select_float_index": lambda m: _o(m, 2, 3).select(0, 1.0),
    "select_float_dim": lambda m: _o(m, 2, 3).select(0.0, 1),
    "trace_3d": lambda m: _o(m, 2, 2, 2).trace(),
    "trace_vector": lambda m: _o(m, 2).trace(),
    "trace_0d": lambda m: m.tensor(1.0).trace(),
    "trace_bool": lambda m: m.ones(2, 3, dtype=m.bool).trace(),
    "positive_bool": lambda m: m.positive(m.ones(2, dtype=m.bool)),
    "positive_bool_method": lambda m: m.ones(2, dtype=m.bool).positive(),
    "unary_plus_bool": lambda m: +m.ones(2, dtype=m.bool),
    "tile_negative": lambda m: _o(m, 2, 3).tile(-1),
    "tile_float": lambda m: _o(m, 2, 3).tile(2.0),
    "tile_float_in_list": lambda m: _o(m, 2, 3).tile([2, 1.5]),
    "tile_nothing": lambda m: _o(m, 2, 3).tile(),
    "tile_function_int": lambda m: m.tile(_o(m, 2, 3), 2),
    "tile_float_first_in_list": lambda m: _o(m, 2, 3).tile([1.5, 2]),
    "tile_float_later_in_args": lambda m: _o(m, 2, 3).tile(2, 2, 1.5),
    "tile_float_first_in_args": lambda m: _o(m, 2, 3).tile(1.5, 2),
    "tile_str_in_list": lambda m: _o(m, 2, 3).tile([2, "a"]),
    "tile_bool": lambda m: _o(m, 2, 3).tile(True),
    "tile_bool_first_in_list": lambda m: _o(m, 2, 3).tile([True, 2]),
    "tile_none": lambda m: _o(m, 2, 3).tile(None),
    "tile_tensor": lambda m: m.tile(_o(m, 2, 3), m.tensor([2, 1])),
    "broadcast_to_float_later": lambda m: m.broadcast_to(_o(m, 2, 3), (2, 3, 1.5)),
    "broadcast_to_tensor": lambda m: m.broadcast_to(_o(m, 2, 3), m.tensor([2, 3])),
    "tile_function_float_in_tuple": lambda m: m.tile(_o(m, 2, 3), (2, 1.5)),
    "fliplr_vector": lambda m: _o(m, 3).fliplr(),
    "fliplr_0d": lambda m: m.fliplr(m.tensor(1.0)),
    "flipud_0d": lambda m: m.tensor(1.0).flipud(),
    "rot90_vector": lambda m: _o(m, 3).rot90(),
    "rot90_0d": lambda m: m.rot90(m.tensor(1.0)),
    "rot90_three_dims": lambda m: _o(m, 2, 3).rot90(1, [0, 1, 1]),
    "rot90_one_dim": lambda m: m.rot90(_o(m, 2, 3), 1, [0]),
    "rot90_same_dims": lambda m: _o(m, 2, 3).rot90(1, [1, 1]),
    "rot90_same_dim_wrapped": lambda m: _o(m, 2, 3).rot90(1, [1, -1]),
    "rot90_dim_out_of_range": lambda m: _o(m, 2, 3).rot90(1, [0, 2]),
    "rot90_negative_dim_out_of_range": lambda m: _o(m, 2, 3).rot90(1, [-3, 1]),
    "rot90_float_k": lambda m: _o(m, 2, 3).rot90(1.0),
    "tensor_split_zero_sections": lambda m: _o(m, 7, 2).tensor_split(0),
    "tensor_split_negative_sections": lambda m: m.tensor_split(_o(m, 7, 2), -1),
    "tensor_split_0d": lambda m: m.tensor(1.0).tensor_split(2),
    "tensor_split_dim_out_of_range": lambda m: _o(m, 7, 2).tensor_split(2, 2),
    "tensor_split_float": lambda m: _o(m, 7, 2).tensor_split(2.0),
    "tensor_split_float_function": lambda m: m.tensor_split(_o(m, 7, 2), 2.0),
    "tensor_split_bool": lambda m: _o(m, 7, 2).tensor_split(True),
    "tensor_split_float_first_index": lambda m: _o(m, 7, 2).tensor_split([1.5, 2]),
    "tensor_split_float_later_index": lambda m: _o(m, 7, 2).tensor_split([1, 2.0]),
    "tensor_split_float_tensor": lambda m: _o(m, 7, 2).tensor_split(m.tensor([2.0])),
    "tensor_split_int32_tensor": lambda m: _o(m, 7, 2).tensor_split(m.tensor([2], dtype=m.int32)),
    "tensor_split_2d_tensor": lambda m: _o(m, 7, 2).tensor_split(m.tensor([[2]])),
    "hsplit_not_dividing": lambda m: _o(m, 2, 5).hsplit(2),
    "hsplit_vector_not_dividing": lambda m: m.hsplit(_o(m, 5), 2),
    "hsplit_0d": lambda m: m.tensor(1.0).hsplit(2),
    "hsplit_zero": lambda m: _o(m, 2, 6).hsplit(0),
    "hsplit_float": lambda m: _o(m, 2, 6).hsplit(2.0),
    "hsplit_float_function": lambda m: m.hsplit(_o(m, 2, 6), 2.0),
    "hsplit_float_index": lambda m: _o(m, 2, 6).hsplit([1.5]),
    "hsplit_float_tensor": lambda m: _o(m, 2, 6).hsplit(m.tensor(1.0)),
    "vsplit_vector": lambda m: _o(m, 6).vsplit(3),
    "vsplit_not_dividing": lambda m: m.vsplit(_o(m, 5, 2), 2),
    "vsplit_float": lambda m: _o(m, 6, 2).vsplit(2.0),
    "dsplit_matrix": lambda m: _o(m, 6, 2).dsplit(2),
    "dsplit_not_dividing": lambda m: m.dsplit(_o(m, 2, 2, 5), 2),
    "split_with_sizes_not_summing": lambda m: _o(m, 6, 2).split_with_sizes([2, 3]),
    "split_with_sizes_negative": lambda m: m.split_with_sizes(_o(m, 6, 2), [7, -1]),
    "split_with_sizes_int": lambda m: _o(m, 6, 2).split_with_sizes(2),
    "split_with_sizes_int_function": lambda m: m.split_with_sizes(_o(m, 6, 2), 2),
    "split_with_sizes_float_first": lambda m: _o(m, 6, 2).split_with_sizes([2.0, 4]),
    "split_with_sizes_float_later": lambda m: _o(m, 6, 2).split_with_sizes([2, 4.0]),
    "split_with_sizes_0d": lambda m: m.tensor(1.0).split_with_sizes([1]),
    "split_with_sizes_dim_out_of_range": lambda m: _o(m, 6, 2).split_with_sizes([1, 1], 2),
    "diag_embed_0d": lambda m: m.diag_embed(m.tensor(1.0)),
    "diag_embed_same_dims": lambda m: m.diag_embed(_o(m, 3, 4), 0, 1, 1),
    "diag_embed_same_dims_wrapped": lambda m: _o(m, 3, 4).diag_embed(0, 2, -1),
    "diag_embed_dim_out_of_range": lambda m: m.diag_embed(_o(m, 3, 4), 0, 3, 1),
    "diag_embed_float_dim": lambda m: m.diag_embed(_o(m, 3), 0, 0.0, 1),
    "diag_3d": lambda m: _o(m, 2, 2, 2).diag(),
    "diag_0d": lambda m: m.diag(m.tensor(1.0)),
    "diag_float_diagonal": lambda m: m.diag(_o(m, 3), 1.0),
    "diagflat_float_offset": lambda m: m.diagflat(_o(m, 3), 1.0),
    "take_along_dim_float_indices": lambda m: m.take_along_dim(_o(m, 3, 4), m.tensor([[0.0]]), 1),
    "take_along_dim_int32_indices": lambda m: _o(m, 3, 4).take_along_dim(
        m.tensor([[0]], dtype=m.int32), 1
    ),
    "take_along_dim_dims": lambda m: _o(m, 3, 4).take_along_dim(m.tensor([0]), 1),
    "take_along_dim_dims_before_dtype": lambda m: _o(m, 3, 4).take_along_dim(m.tensor([1.0]), 1),
    "take_along_dim_not_broadcasting": lambda m: _o(m, 3, 4).take_along_dim(
        m.tensor([[0], [1]]), 1
    ),
    "take_along_dim_not_broadcasting_back": lambda m: m.take_along_dim(
        _o(m, 3, 4), m.tensor([[0, 1, 0, 1, 2]]).t(), 1
    ),
    "take_along_dim_dim_out_of_range": lambda m: _o(m, 3, 4).take_along_dim(m.tensor([[0]]), 2),
    "take_along_dim_flat_float_indices": lambda m: _o(m, 3, 4).take_along_dim(m.tensor([1.0])),
    "take_along_dim_flat_not_viewable": lambda m: _o(m, 3, 4).t().take_along_dim(m.tensor([0])),
    "take_along_dim_list": lambda m: m.take_along_dim(_o(m, 3, 4), [1], 1),
    "take_past_end": lambda m: _o(m, 3, 4).take(m.tensor([12])),
    "take_before_start": lambda m: m.take(_o(m, 3, 4), m.tensor([[0, -13]])),
    "take_float_index": lambda m: _o(m, 3, 4).take(m.tensor([1.0])),
    "take_int32_index": lambda m: _o(m, 3, 4).take(m.tensor([1], dtype=m.int32)),
    "take_list": lambda m: m.take(_o(m, 3, 4), [1]),
    "take_from_empty": lambda m: _o(m, 0).take(m.tensor([0])),
    "select_scatter_src_shape": lambda m: _o(m, 3, 4).select_scatter(_o(m, 4), 1, 0),
    "select_scatter_src_not_broadcast": lambda m: m.select_scatter(_o(m, 3, 4), _o(m, 1), 0, 0),
    "select_scatter_index_out_of_range": lambda m: _o(m, 3, 4).select_scatter(_o(m, 4), 0, 3),
    "select_scatter_dim_out_of_range": lambda m: _o(m, 3, 4).select_scatter(_o(m, 4), 2, 0),
    "select_scatter_0d": lambda m: m.select_scatter(m.tensor(1.0), m.tensor(2.0), 0, 0),
    "slice_scatter_src_shape": lambda m: _o(m, 6, 2).slice_scatter(_o(m, 3, 2), 0, 4),
    "slice_scatter_src_not_broadcast": lambda m: m.slice_scatter(_o(m, 6, 2), _o(m, 2), 0, 0, 2),
    "slice_scatter_step_0": lambda m: _o(m, 6, 2).slice_scatter(_o(m, 3, 2), 0, 0, 6, 0),
    "slice_scatter_step_negative": lambda m: m.slice_scatter(_o(m, 6, 2), _o(m, 3, 2), 0, 0, 6, -1),
    "slice_scatter_0d": lambda m: m.slice_scatter(m.tensor(1.0), m.tensor(2.0)),
    "slice_scatter_dim_out_of_range": lambda m: _o(m, 6, 2).slice_scatter(_o(m, 6, 2), 2),
    "diagonal_scatter_src_shape": lambda m: _o(m, 3, 4).diagonal_scatter(_o(m, 4)),
    "diagonal_scatter_dims_src_shape": lambda m: m.diagonal_scatter(
        _o(m, 2, 3, 4), _o(m, 4, 2), -1, 2, 0
    ),
    "diagonal_scatter_same_dims": lambda m: _o(m, 3, 4).diagonal_scatter(_o(m, 3), 0, 1, 1),
    "diagonal_scatter_vector": lambda m: m.diagonal_scatter(_o(m, 3), _o(m, 3)),
    "repeat_interleave_negative": lambda m: m.repeat_interleave(_o(m, 3, 4), -1, 0),
    "repeat_interleave_dim_out_of_range": lambda m: _o(m, 3, 4).repeat_interleave(2, 2),
    "repeat_interleave_0d_dim": lambda m: m.repeat_interleave(m.tensor(2.0), 3, 0),
    "repeat_interleave_output_size": lambda m: _o(m, 3, 4).repeat_interleave(2, 0, output_size=5),
    "repeat_interleave_negative_count": lambda m: m.repeat_interleave(
        _o(m, 3, 4), m.tensor([1, -1, 2]), 0
    ),
    "repeat_interleave_counts_length": lambda m: _o(m, 3, 4).repeat_interleave(m.tensor([1, 2]), 0),
    "repeat_interleave_no_counts": lambda m: _o(m, 3, 4).repeat_interleave(
        m.tensor([], dtype=m.int64), 0
    ),
    "repeat_interleave_float_counts": lambda m: m.repeat_interleave(
        _o(m, 3, 4), m.tensor([1.0, 2, 1]), 0
    ),
    "repeat_interleave_2d_counts": lambda m: _o(m, 3, 4).repeat_interleave(
        m.tensor([[1, 2, 1]]), 5
    ),
    "repeat_interleave_counts_dim_out_of_range": lambda m: _o(m, 3, 4).repeat_interleave(
        m.tensor([1, 2, 1]), 5
    ),
    "repeat_interleave_counts_output_size": lambda m: m.repeat_interleave(
        _o(m, 3, 4), m.tensor([1, 2, 0]), 0, output_size=4
    ),
    "repeat_interleave_bool": lambda m: m.repeat_interleave(_o(m, 3, 4), True),
    "repeat_interleave_float_method": lambda m: _o(m, 2).repeat_interleave(2.0),
    "repeat_interleave_method_alone": lambda m: m.tensor([1, 2]).repeat_interleave(),
    "repeat_interleave_indices_0d": lambda m: m.repeat_interleave(m.tensor(2)),
    "repeat_interleave_indices_2d": lambda m: m.repeat_interleave(m.tensor([[1, 2]])),
    "repeat_interleave_indices_float": lambda m: m.repeat_interleave(m.tensor([1.0, 2])),
    "repeat_interleave_indices_negative": lambda m: m.repeat_interleave(m.tensor([-1, 2])),
}


@pytest.mark.parametrize("fn", params(ERRORS))
def test_refusals_as_torch(fn):
    check_error(fn)


def _ints(m, dtype: str = "int32"):
    return m.arange(12, dtype=getattr(m, dtype)).reshape(3, 4)


VALUES = {
    "trace_int32": lambda m: _ints(m).trace(),
    "trace_uint8": lambda m: _ints(m, "uint8").trace(),
    "trace_float64": lambda m: _ints(m).to(m.float64).trace(),
    "trace_empty": lambda m: m.ones(0, 3, requires_grad=True).trace(),
    "ravel_int": lambda m: _ints(m).t().ravel(),
    "ravel_empty": lambda m: m.ones(0, 3, requires_grad=True).t().ravel(),
    "broadcast_to_bool": lambda m: m.broadcast_to(m.tensor([True, False]), (3, 2)),
    "select_tensor_index": lambda m: _ints(m).select(0, m.tensor(1)),
    "select_keywords": lambda m: m.select(_ints(m), dim=1, index=-1),
    "positive_int": lambda m: m.positive(_ints(m)),
    "tile_int": lambda m: _ints(m, "int64").tile((2, 1, 2)),
    "tile_0d_empty": lambda m: m.tile(m.tensor(1.5, requires_grad=True), ()),
    "tile_bool_later_in_list": lambda m: m.ones(2, 3, requires_grad=True).tile([2, True]),
    "fliplr_bool": lambda m: m.fliplr(_ints(m) > 5),
    "flipud_int": lambda m: _ints(m).flipud(),
    "rot90_int": lambda m: _ints(m, "int64").rot90(),
    "rot90_tuple_dims": lambda m: m.rot90(m.ones(2, 3, requires_grad=True), 1, (1, 0)),
    "moveaxis_0d": lambda m: m.moveaxis(m.tensor(1.0, requires_grad=True) * 1, 0, 0),
    "tensor_split_sections": lambda m: _ints(m).tensor_split(3, 1),
    "tensor_split_indices": lambda m: m.tensor_split(_ints(m), [-9, 2, 1, 9]),
    "tensor_split_no_indices": lambda m: _ints(m).tensor_split([]),
    "tensor_split_keywords": lambda m: m.tensor_split(_ints(m), indices=[1], dim=1),
    "tensor_split_sections_keyword": lambda m: m.tensor_split(_ints(m), sections=2, dim=-1),
    "tensor_split_0d_tensor": lambda m: _ints(m).tensor_split(m.tensor(2)),
    "tensor_split_parts_written": lambda m: _written_part(m, lambda t: t.tensor_split(2)),
    "hsplit_0d_tensor": lambda m: _ints(m).hsplit(m.tensor(2)),
    "hsplit_parts_written": lambda m: _written_part(m, lambda t: t.hsplit(2)),
    "vsplit_indices": lambda m: m.vsplit(_ints(m), [1, 1]),
    "dsplit_bool": lambda m: m.dsplit(_ints(m).reshape(1, 3, 4) > 3, [3]),
    "split_with_sizes_keywords": lambda m: _ints(m).split_with_sizes(split_sizes=[1, 3], dim=1),
    "diag_embed_int": lambda m: m.diag_embed(_ints(m, "int64"), 1, 0, 2),
    "diag_embed_bool": lambda m: (_ints(m) > 4).diag_embed(),
    "diag_int_vector": lambda m: m.diag(m.arange(3, dtype=m.int32), 2),
    "diag_bool_matrix": lambda m: (_ints(m) > 4).diag(-1),
    "diag_past_the_corner": lambda m: m.diag(m.ones(3, 4, requires_grad=True), 7),
    "diagflat_leaf": lambda m: m.ones(2, 3, requires_grad=True).diagflat(),
    "diagflat_int": lambda m: m.diagflat(_ints(m).t(), -2),
    "take_along_dim_int": lambda m: m.take_along_dim(_ints(m), m.tensor([[3], [0], [1]]), 1),
    "take_along_dim_same_shape": lambda m: m.ones(3, 4, requires_grad=True).take_along_dim(
        m.zeros(3, 4, dtype=m.int64), 1
    ),
    "take_int": lambda m: _ints(m).take(m.tensor([[1, -1]])),
    "take_empty_index": lambda m: m.ones(0, requires_grad=True).take(m.tensor([], dtype=m.int64)),
    "select_scatter_int": lambda m: _ints(m).select_scatter(m.tensor([7, 8, 9]), 1, 2),
    "slice_scatter_empty": lambda m: m.slice_scatter(
        _ints(m), m.zeros(3, 0, dtype=m.int32), 1, 3, 1
    ),
    "diagonal_scatter_bool": lambda m: (_ints(m) > 4).diagonal_scatter(m.ones(3, dtype=m.bool)),
    "repeat_interleave_indices": lambda m: m.repeat_interleave(m.tensor([1, 0, 3])),
    "repeat_interleave_indices_int32": lambda m: m.repeat_interleave(
        m.tensor([1, 2], dtype=m.int32)
    ),
    "repeat_interleave_int": lambda m: _ints(m, "int64").repeat_interleave(2, 1),
    "repeat_interleave_int32_counts": lambda m: m.repeat_interleave(
        m.ones(3, 4, requires_grad=True), m.tensor([1, 2, 1], dtype=m.int32), 0
    ),
    "repeat_interleave_output_size": lambda m: m.ones(3, 4, requires_grad=True).repeat_interleave(
        m.tensor([1, 2, 0]), 0, output_size=3
    ),
    "repeat_interleave_0d_counts": lambda m: m.repeat_interleave(
        m.tensor(2.0, requires_grad=True), m.tensor(3)
    ),
}


def _written_part(m, split):
    """A part written in place, then used: torch allows it (each part is a plain view)."""
    x = m.ones(4, 2, requires_grad=True)
    parts = split(x * 1)
    parts[0].mul_(3)
    return parts[0] * 2


@pytest.mark.parametrize("fn", params(VALUES))
def test_values_as_torch(fn):
    check_value(fn)


def test_trace_is_the_recorder_and_the_method_is_torchs():
    with gs.trace() as tr:
        y = (gs.ones(2, 2, requires_grad=True) * 3).trace()
        z = gs.trace(gs.ones(2, 2, requires_grad=True) * 2)  # given a tensor: torch's op
    assert isinstance(tr, gs.Trace)
    assert y.item() == 6.0 and z.item() == 4.0
    assert [e.op for e in tr.events if e.kind == "node_created"].count("TraceBackward0") == 2


def test_positive_is_the_tensor_itself():
    for m in (gs, torch):
        x = m.ones(3, requires_grad=True) * 2
        assert m.positive(x) is x and x.positive() is x and +x is x


def _layout(m, op):
    x = m.arange(24.0).reshape(2, 3, 4).requires_grad_()
    y = op(m, x * 1)
    base = y._base
    return tuple(y.stride()), y.is_contiguous(), base is not None, y.grad_fn.name()


LAYOUTS = {
    "ravel": lambda m, x: x.ravel(),
    "ravel_noncontig": lambda m, x: x.transpose(0, 2).ravel(),
    "broadcast_to": lambda m, x: m.broadcast_to(x[:, :1], (2, 5, 4)),
    "select": lambda m, x: x.select(2, 1),
    "moveaxis": lambda m, x: m.moveaxis(x, 2, 0),
    "tile": lambda m, x: x.tile(2),
    "fliplr": lambda m, x: m.fliplr(x),
    "rot90_k1": lambda m, x: x.rot90(),
    "rot90_k2": lambda m, x: x.rot90(2, (2, 1)),
    "rot90_k3": lambda m, x: m.rot90(x, 3, (0, 2)),
    "rot90_k0": lambda m, x: m.rot90(x, -4),
    "tensor_split": lambda m, x: x.tensor_split(3, -1)[1],
    "hsplit": lambda m, x: m.hsplit(x, [1])[1],
    "split_with_sizes": lambda m, x: x.split_with_sizes([1, 2], 1)[1],
    "diag_embed": lambda m, x: x.diag_embed(1, 0, 2),
    "diag": lambda m, x: m.diag(x[0], 1),
    "diagflat": lambda m, x: x.diagflat(),
    "repeat_interleave": lambda m, x: x.repeat_interleave(2, 1),
    "repeat_interleave_flat": lambda m, x: m.repeat_interleave(x.transpose(0, 1), 2),
}


@pytest.mark.parametrize("op", sorted(LAYOUTS))
def test_strides_and_views_as_torch(op):
    assert _layout(gs, LAYOUTS[op]) == _layout(torch, LAYOUTS[op])


def test_a_view_writes_through_to_its_base():
    def run(m):
        x = m.zeros(2, 3)
        x.select(1, -1).fill_(5.0)
        x.ravel()[0] = 1.0
        return x.tolist()

    assert run(gs) == run(torch)


def test_double_backward_of_rot90_and_trace():
    def run(m):
        x = m.tensor(np.arange(1.0, 7.0).reshape(2, 3), dtype=m.float64, requires_grad=True)
        y = (x.rot90() ** 3).sum() + (x.t() @ x).trace() ** 2
        (g,) = m.autograd.grad(y, x, create_graph=True)
        (h,) = m.autograd.grad(g.sum(), x)
        return np.array([g.tolist(), h.tolist()])

    np.testing.assert_allclose(run(gs), run(torch), rtol=1e-12)


SRC_OF_ANOTHER_DTYPE = {
    "select_scatter": lambda m, a, src: m.select_scatter(a, src[0], 0, 1),
    "slice_scatter": lambda m, a, src: a.slice_scatter(src[:3, :2], 1, 1, 3),
    "diagonal_scatter": lambda m, a, src: m.diagonal_scatter(a, src[1, :3], 1),
}


@pytest.mark.parametrize("op", sorted(SRC_OF_ANOTHER_DTYPE))
def test_a_src_of_another_dtype_gets_its_gradient_in_its_dtype(op):
    def run(m):
        a = m.tensor(np.arange(12.0).reshape(3, 4), requires_grad=True)
        src = m.tensor(np.ones((4, 4)) / 3, dtype=m.float64, requires_grad=True)
        out = SRC_OF_ANOTHER_DTYPE[op](m, a, src)
        (out * m.arange(12.0).reshape(3, 4)).sum().backward()
        return str(out.dtype)[-7:], a.grad.tolist(), str(src.grad.dtype)[-7:], src.grad.tolist()

    assert run(gs) == run(torch)
