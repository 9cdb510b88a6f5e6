"""Bad arguments of the ``gradscope.*`` functions and the Tensor methods get torch's
exception, never a raw Python error from inside gradscope, nor a result where torch
refuses (a list, None or a string where a tensor or a number goes, a size that is not
ints, type checks before value checks).

Where torch's message is its argument parser's list of overloads, gradscope's is a
one-line TypeError: those cases only check the type.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest

import gradscope as gs
from tests.parity import check_error, check_parser_type_error, check_value, params

torch = pytest.importorskip("torch", reason="torch is the reference for parity tests")


def X(m, *shape):  # noqa: N802 - short, for the tables
    return m.ones(*shape) if shape else m.tensor(1.0)


def L(m, *values):  # noqa: N802
    return m.tensor(list(values), dtype=m.int64)


ERRORS = {
    # a tensor-only argument given something else
    "matmul_float": lambda m: m.matmul(X(m, 2, 3), 1.5),
    "matmul_bool": lambda m: m.matmul(X(m, 2, 3), True),
    "matmul_none": lambda m: m.matmul(X(m, 2, 3), None),
    "matmul_list": lambda m: m.matmul(X(m, 2, 3), [X(m, 2)]),
    "minimum_str": lambda m: m.minimum(X(m, 3), "a"),
    "maximum_float": lambda m: m.maximum(X(m, 3), 1.5),
    "addcmul_tensor1_float": lambda m: m.addcmul(X(m), 1.5, X(m, 4), value=1),
    "addcdiv_tensor2_list": lambda m: m.addcdiv(X(m, 3), X(m, 3), [1.0]),
    "full_like_list": lambda m: m.full_like([1, 2], 1.5),
    "zeros_like_list": lambda m: m.zeros_like([1, 2]),
    "index_select_list": lambda m: X(m, 0, 4).index_select(3, [0, 1]),
    "index_add_method_source_float": lambda m: X(m, 4).index_add(0, L(m, 0, 1), 1.0),
    "index_copy_method_source_float": lambda m: X(m, 0, 4).index_copy(-2, L(m, 0), 1.0),
    "scatter_reduce_method_src_float": lambda m: X(m, 4).scatter_reduce(0, L(m, 0), 1.5, "sum"),
    # an operand that is neither a tensor nor a number
    "add_str": lambda m: m.add(X(m), "a"),
    "add_none": lambda m: m.add(X(m, 3), None),
    "sub_str": lambda m: m.sub(X(m, 3), "a"),
    "sub_none": lambda m: m.sub(X(m, 3, 2), None),
    "mul_tuple": lambda m: m.mul(X(m, 3), (1, 2, 3)),
    "div_none": lambda m: m.div(X(m, 2, 3) > 0, None),
    "div_list": lambda m: m.div(X(m, 3), [1.0, 2.0, 3.0]),
    "add_decimal": lambda m: m.add(X(m, 3), Decimal(1)),
    "add_alpha_list": lambda m: m.add(X(m, 3), X(m, 3), alpha=[1]),
    "sub_alpha_none_of_bools": lambda m: m.sub(X(m, 2, 3) > 0, X(m), alpha=None),
    "add__alpha_none": lambda m: X(m, 3).add_(X(m, 3), alpha=None),
    # sizes that are not ints
    "full_int_size": lambda m: m.full(2, X(m, 2)),
    "full_int_size_none": lambda m: m.full(2, None),
    "full_size_none_element": lambda m: m.full((2, None), 1.5),
    "zeros_float": lambda m: m.zeros(1.5),
    "zeros_tuple_float": lambda m: m.zeros((2, 1.5)),
    "zeros_first_element_none": lambda m: m.zeros([None, 2]),
    "zeros_none": lambda m: m.zeros(None),
    "zeros_negative": lambda m: m.zeros((2, -1)),
    "ones_ints_then_float": lambda m: m.ones(2, 1.5),
    "empty_str": lambda m: m.empty("a"),
    "zeros_bool_first": lambda m: m.zeros(True, 2),
    "expand_float": lambda m: X(m).expand(3, 1.5),
    "expand_float_first": lambda m: X(m, 2, 1).expand(1.5, -1),
    "repeat_float_last": lambda m: X(m, 2, 3).repeat(-1, 4, 1.5),
    "permute_str": lambda m: X(m, 2, 3).permute("a"),
    "permute_then_str": lambda m: X(m, 2, 3).permute(2, "a"),
    "permute_none_first": lambda m: X(m, 3).permute(None, "a"),
    "permute_float_last": lambda m: X(m).permute(3, 1, 1.0),
    "reshape_str": lambda m: X(m, 2, 3).reshape("a"),
    "reshape_list_float": lambda m: X(m, 2, 3).reshape([2, 3.0]),
    "reshape_tuple_float_first": lambda m: X(m, 2, 3).reshape((1.5, 2)),
    "view_list_float": lambda m: X(m, 6).view([2, 3.0]),
    "view_float": lambda m: X(m).view(1.5),
    "flip_then_float": lambda m: X(m, 2, 3).flip(0, 1.5),
    # split and chunk: the parser's checks before any other
    "split_sizes_tuple_dim_tuple": lambda m: X(m, 2, 3).split((1, 2), (1, 2)),
    "split_float_float": lambda m: X(m, 2, 3).split(1.5, 1.5),
    "split_empty_list_float_dim": lambda m: X(m, 0, 4).split([], 1.0),
    "split_none_float_dim": lambda m: X(m, 5).split(None, 1.0),
    "split_float_dim_out_of_range": lambda m: X(m, 5).split(1.5, -3),
    "split_0d_none_dim": lambda m: X(m).split([0, 5], None),
    "split_0d_none_sizes": lambda m: X(m).split(None, 2),
    "split_sizes_negative_dim_message": lambda m: X(m, 5, 4).split([2, 3], -1),
    "chunk_str_dim": lambda m: X(m, 0, 4).chunk(0, "a"),
    "tensor_split_0d_by_float_tensor": lambda m: m.tensor_split(X(m), X(m, 2), -4),
    "to_tuple": lambda m: X(m, 2, 3).to((1, 2)),
    # check order and messages
    "stack_dim_out_of_range_first": lambda m: m.stack([X(m, 2, 3), X(m, 3)], dim=3),
    "concat_of_a_tensor": lambda m: m.concat(X(m, 2, 3), dim=1),
    "getitem_0d_5": lambda m: X(m)[5],
    "getitem_0d_minus_1": lambda m: X(m)[-1],
    "mv_0d": lambda m: m.mv(X(m), X(m, 3)),
    "norm_of_ints_dim_out_of_range": lambda m: L(m, 1, 2).norm(p=0, dim=-4),
    "norm_of_ints_dim_repeated": lambda m: m.ones(2, 3, dtype=m.int64).norm(p=1, dim=(0, -2)),
    "index_fill_2d_value_first": lambda m: X(m, 4).index_fill(-4, L(m, 0, 1), X(m, 2, 4)),
    "index_select_dim_out_of_range_first": lambda m: X(m, 0, 4).index_select(2, X(m, 2)),
    "index_select_dim_before_vector": lambda m: X(m).index_select(1, m.zeros(2, 2, dtype=m.int64)),
    "masked_fill_broadcast_first": lambda m: X(m, 2).masked_fill(m.zeros(2, 3, dtype=m.int64), 1.0),
}


VALUES = {
    # a number as Tensor.to's argument: torch's parser takes it as the tensor it wraps it in
    "to_true": lambda m: X(m, 2, 3).to(True),
    "to_numpy_float": lambda m: X(m, 2, 3).to(np.float32(1.0)),
    "to_float": lambda m: X(m, 2, 3).to(2.5),
    "to_dtype_non_blocking": lambda m: X(m, 2, 3).to(m.float64, True),
    "pow_fraction": lambda m: X(m, 3).requires_grad_() ** Fraction(1, 2),
}


# torch's message lists its overloads: the same type, gradscope's on one line
TYPE_ERRORS = {
    "pow_list": lambda m: m.pow(X(m, 3), [1.0, 2.0, 3.0]),
    "pow_number_list": lambda m: m.pow(2, [1.0, 2.0]),
    "pow__str": lambda m: X(m, 2).pow_("a"),
    "fmod_list": lambda m: m.fmod(X(m, 2, 3) > 0, [1.0, 2.0, 3.0]),
    "fmod_str": lambda m: m.fmod(X(m, 3), "a"),
    "fmod__none": lambda m: X(m, 2).fmod_(None),
    "floor_divide_list": lambda m: m.floor_divide(X(m, 2, 3).double(), [1.0, 2.0, 3.0]),
    "floor_divide_none": lambda m: m.floor_divide(X(m, 3), None),
    "remainder_number_list": lambda m: m.remainder(2, [1.0, 2.0]),
    "copysign_none": lambda m: m.copysign(X(m, 3, 2), None),
    "copysign__list": lambda m: X(m, 2, 3).copysign_([1.0, 2.0, 3.0]),
    "bitwise_and_str": lambda m: m.bitwise_and(X(m, 2, 3).long(), "a"),
    "eq_list": lambda m: m.eq(X(m, 3), [1.0, 2.0, 3.0]),
    "where_list": lambda m: m.where(X(m, 4) > 0, X(m), [1.0, 2.0, 3.0]),
    "lerp_list_weight": lambda m: m.lerp(X(m, 3), X(m, 3), [1.0, 2.0, 3.0]),
    "clamp_list": lambda m: m.clamp(X(m, 3), [1.0, 2.0, 3.0]),
    "masked_fill_none": lambda m: L(m, 1, 2).masked_fill(L(m, 1, 2) > 1, None),
    "linspace_float_steps": lambda m: m.linspace(1, 1, 1.5),
    "arange_none_end": lambda m: m.arange(5, None, -1),
    "narrow_float_length": lambda m: X(m, 4).narrow(0, 3, 1.0),
    "narrow_float_length_dim_out_of_range": lambda m: X(m, 4).narrow(2, 4, 1.0),
    "narrow_str_dim_0d": lambda m: X(m).narrow("a", 0, 0),
    "movedim_int_and_tuple": lambda m: m.movedim(X(m), 5, (1, 0)),
    "tensor_split_str_dim": lambda m: m.tensor_split(X(m), [10], "a"),
    "flatten_str_end": lambda m: X(m, 1).flatten(3, "a"),
    "transpose_str_second": lambda m: X(m, 2, 3).transpose(3, "a"),
    "stack_float_dim": lambda m: m.stack([X(m, 2, 3), X(m)], dim=1.0),
    "scatter_add_none_dim": lambda m: X(m, 3, 4).scatter_add(None, L(m, 0), 1.5),
    "index_add_none_dim": lambda m: X(m, 3, 4).index_add(None, L(m, 0), 1.0),
    "scatter_reduce_float_dim": lambda m: X(m, 3, 4).scatter_reduce(1.0, L(m, 0), X(m, 3), "x"),
    "take_along_dim_float_dim": lambda m: m.take_along_dim(X(m, 4), L(m, 0), dim=1.0),
    "index_select_float_dim": lambda m: X(m, 0, 4).index_select(1.0, m.zeros(2, 2, dtype=m.int64)),
    "index_select_none_dim": lambda m: X(m, 4).index_select(None, X(m, 2)),
}


@pytest.mark.parametrize("fn", params(ERRORS))
def test_error(fn):
    check_error(fn)


@pytest.mark.parametrize("fn", params(VALUES))
def test_value(fn):
    check_value(fn)


@pytest.mark.parametrize("case", TYPE_ERRORS)
def test_a_type_error_as_torch(case):
    check_parser_type_error(TYPE_ERRORS[case])


def test_an_array_operand_still_works():
    """The operators take a NumPy array (as torch's do, through NumPy)."""
    x = gs.ones(3)
    assert (x * np.ones(3)).dtype == gs.float64
    assert (x + np.float32(2.0)).tolist() == [3.0, 3.0, 3.0]
