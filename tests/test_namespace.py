"""torch's top-level functions that a script written for torch 2.13 reaches for, against
torch: predicates and dtype questions (``all``, ``any``, ``allclose``, ``equal``,
``result_type``, ``promote_types``, ``can_cast``, ``broadcast_shapes``,
``set_default_dtype``), index and value ranges (``tril_indices``, ``triu_indices``,
``logspace``), searching (``isin``, ``searchsorted``, ``bucketize``), the stacking
functions' errors and ``meshgrid``'s warning, ``vander`` (whose backward torch refuses),
random sampling (shapes, dtypes, the distributions' moments, nodes and errors: the draws
themselves cannot be torch's), and the top-level forms of methods and ``nn.functional``'s
ops. The differentiable ones are in ``tests/op_cases.py`` too."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from parity import check_error, check_value, params

import gradscope as gs

torch = pytest.importorskip("torch", reason="torch is the reference for parity tests")

NAN, INF = float("nan"), float("inf")


def _x(m, rg=True):
    return m.tensor([[1.0, 0.0, 3.0], [4.0, 5.0, -6.0]], requires_grad=rg)


def _name(d) -> str:
    """A dtype's name without its module (``float32``), to compare gradscope's with torch's."""
    return str(d).rsplit(".", 1)[-1]


B = [1.0, 3.0, 5.0, 7.0]

VALUES = {
    # all / any, as functions and methods
    "all": lambda m: m.all(_x(m)),
    "all_dim": lambda m: m.all(_x(m), 1),
    "all_dim_keepdim": lambda m: m.all(_x(m), dim=0, keepdim=True),
    "all_dims": lambda m: m.all(_x(m), dim=(0, 1)),
    "all_no_dims": lambda m: m.all(_x(m), dim=()),
    "all_0d_dim": lambda m: m.all(m.tensor(2.0), 0),
    "all_nan": lambda m: m.all(m.tensor([NAN, 1.0])),
    "all_empty": lambda m: m.all(m.zeros(0, 3), 0),
    "all_uint8": lambda m: m.all(m.tensor([1, 0, 2], dtype=m.uint8)),
    "all_ints_dim": lambda m: m.all(m.tensor([[0, 1], [2, 3]]), -1),
    "any": lambda m: m.any(_x(m) * 0),
    "any_dim": lambda m: m.any(m.tensor([[0, 1], [0, 0]]), 1, True),
    "any_uint8_dim": lambda m: m.any(m.tensor([[0, 3], [0, 0]], dtype=m.uint8), 0),
    "any_empty": lambda m: m.any(m.zeros(0, 3), 0),
    "all_method": lambda m: _x(m).all(1),
    "any_method": lambda m: _x(m).any(dim=0, keepdim=True),
    "all_method_whole": lambda m: m.tensor([True, False]).all(),
    # comparisons
    "allclose": lambda m: m.allclose(_x(m), _x(m) + 1e-9),
    "allclose_not": lambda m: m.allclose(_x(m), _x(m) + 1e-3),
    "allclose_tolerances": lambda m: m.allclose(m.tensor([1.0, 2.0]), m.tensor([1.1, 2.1]), rtol=0, atol=0.2),
    "allclose_nan": lambda m: m.allclose(m.tensor([NAN]), m.tensor([NAN])),
    "allclose_nan_equal": lambda m: m.allclose(m.tensor([NAN, INF]), m.tensor([NAN, INF]), equal_nan=True),
    "allclose_broadcast": lambda m: m.allclose(m.ones(2, 3), m.ones(3)),
    "allclose_ints": lambda m: m.allclose(m.tensor([1, 2]), m.tensor([1, 2])),
    "allclose_method": lambda m: _x(m).allclose(_x(m, rg=False), 1e-5, 1e-8, True),
    "equal": lambda m: m.equal(_x(m), _x(m).clone()),
    "equal_shapes": lambda m: m.equal(m.ones(2, 3), m.ones(3)),
    "equal_dtypes": lambda m: m.equal(m.tensor([1, 2]), m.tensor([1.0, 2.0])),
    "equal_nan": lambda m: m.equal(m.tensor([NAN]), m.tensor([NAN])),
    "equal_method": lambda m: _x(m).equal(_x(m) * 2),
    "is_floating_point": lambda m: (m.is_floating_point(_x(m)), m.is_floating_point(m.tensor([1]))),
    "is_complex": lambda m: m.is_complex(_x(m)),
    "is_nonzero": lambda m: (m.is_nonzero(m.tensor([0.5])), m.is_nonzero(m.tensor(0))),
    "is_nonzero_nan": lambda m: m.is_nonzero(m.tensor(NAN)),
    "is_same_size": lambda m: (m.is_same_size(_x(m), _x(m)), m.is_same_size(_x(m), m.ones(3))),
    "is_signed": lambda m: (m.is_signed(_x(m)), m.is_signed(m.tensor([1], dtype=m.uint8))),
    "get_device": lambda m: m.get_device(_x(m)),
    "is_inference": lambda m: m.is_inference(_x(m)),
    # dtypes and shapes
    "result_type": lambda m: _name(m.result_type(_x(m), m.tensor(1.0, dtype=m.float64))),
    "result_type_dims": lambda m: _name(m.result_type(m.ones(2, dtype=m.float16), m.ones(2))),
    "result_type_int_float": lambda m: _name(m.result_type(m.tensor([1]), 1.0)),
    "result_type_number_first": lambda m: _name(m.result_type(1.0, m.tensor([1]))),
    "result_type_numbers": lambda m: [_name(m.result_type(a, b)) for a, b in [(1, 2.0), (1, 2), (True, False), (1, 1j)]],
    "result_type_bool_uint8": lambda m: _name(m.result_type(True, m.tensor([1], dtype=m.uint8))),
    "result_type_int8_big": lambda m: _name(m.result_type(m.tensor([1], dtype=m.int8), 1000)),
    "promote_types": lambda m: [_name(m.promote_types(a, b)) for a, b in [(m.int32, m.float16), (m.uint8, m.int8), (m.bool, m.int16), (m.float32, m.float64), (m.int64, m.uint8)]],
    "can_cast": lambda m: [m.can_cast(a, b) for a, b in [(m.float32, m.int32), (m.int32, m.float32), (m.float64, m.float32), (m.int64, m.uint8), (m.bool, m.uint8), (m.uint8, m.bool), (m.complex64, m.float64), (m.int8, m.uint8), (m.float16, m.complex64)]],
    "broadcast_shapes": lambda m: m.broadcast_shapes((2, 1), (3,), (1, 1, 1)),
    "broadcast_shapes_ints": lambda m: m.broadcast_shapes(2, (3, 2)),
    "broadcast_shapes_size": lambda m: m.broadcast_shapes(m.Size([2, 1]), [4]),
    "broadcast_shapes_none": lambda m: m.broadcast_shapes(),
    "broadcast_shapes_zero": lambda m: m.broadcast_shapes((0, 1), (3,)),
    "get_default_dtype": lambda m: _name(m.get_default_dtype()),
    # index and value ranges
    "tril_indices": lambda m: m.tril_indices(3, 4),
    "tril_indices_offset": lambda m: m.tril_indices(3, 4, 1),
    "tril_indices_below_all": lambda m: m.tril_indices(3, 4, -5),
    "triu_indices": lambda m: m.triu_indices(3, 4, -1),
    "triu_indices_int32": lambda m: m.triu_indices(3, 3, dtype=m.int32),
    "triu_indices_empty": lambda m: m.triu_indices(0, 3),
    "logspace": lambda m: m.logspace(0, 2, 3),
    "logspace_base": lambda m: m.logspace(0, 3, 4, base=2),
    "logspace_negative_base": lambda m: m.logspace(0, 2, 3, base=-2.0),
    "logspace_int64": lambda m: m.logspace(0, 3, 4, dtype=m.int64),
    "logspace_uint8_wraps": lambda m: m.logspace(0, 4, 5, dtype=m.uint8),
    "logspace_float64": lambda m: m.logspace(0, 1, 5, dtype=m.float64),
    "logspace_one": lambda m: m.logspace(2, 5, 1),
    "logspace_none": lambda m: m.logspace(2, 5, 0),
    "logspace_requires_grad": lambda m: m.logspace(1, 2, 2, requires_grad=True),
    "logspace_tensors": lambda m: m.logspace(m.tensor(0.0), m.tensor(1.0), 3),
    # searching
    "isin": lambda m: m.isin(_x(m), m.tensor([1, 3, 5])),
    "isin_floats": lambda m: m.isin(_x(m), m.tensor(B)),
    "isin_number_elements": lambda m: (m.isin(3.0, m.tensor(B)), m.isin(3, m.tensor([3.0])), m.isin(3.5, m.tensor([3]))),
    "isin_number_test": lambda m: m.isin(_x(m), 3),
    "isin_invert": lambda m: m.isin(_x(m), m.tensor(B), invert=True),
    "isin_assume_unique": lambda m: m.isin(_x(m), m.tensor(B), assume_unique=True),
    "isin_nan_inf_zero": lambda m: m.isin(m.tensor([NAN, INF, -0.0, 1.0]), m.tensor([NAN, INF, 0.0])),
    "isin_int_float": lambda m: m.isin(m.tensor([1, 3, 5]), m.tensor([1.5, 3.0])),
    "isin_int8_wide": lambda m: m.isin(m.tensor([1], dtype=m.int8), m.tensor([257])),
    "isin_uint8_wraps_number": lambda m: m.isin(m.tensor([255], dtype=m.uint8), -1),
    "isin_empty": lambda m: m.isin(m.zeros(0), m.tensor(B)),
    "isin_2d_test": lambda m: m.isin(m.tensor([1, 3, 5]), m.tensor([[1, 2], [5, 6]])),
    "isin_0d": lambda m: m.isin(m.tensor(3.0), m.tensor(B)),
    "searchsorted": lambda m: m.searchsorted(m.tensor(B), _x(m)),
    "searchsorted_right": lambda m: m.searchsorted(m.tensor(B), _x(m), right=True),
    "searchsorted_side": lambda m: m.searchsorted(m.tensor(B), _x(m), side="right"),
    "searchsorted_side_over_right": lambda m: m.searchsorted(m.tensor(B), _x(m), right=False, side="right"),
    "searchsorted_int32": lambda m: m.searchsorted(m.tensor(B), _x(m), out_int32=True),
    "searchsorted_number": lambda m: (m.searchsorted(m.tensor(B), 4.0), m.searchsorted(m.tensor(B), 3, right=True)),
    "searchsorted_0d": lambda m: m.searchsorted(m.tensor(B), m.tensor(2.5)),
    "searchsorted_rows": lambda m: m.searchsorted(m.tensor([[1.0, 2, 3], [2, 4, 6]]), m.tensor([[2.5], [2.5]])),
    "searchsorted_rows_3d": lambda m: m.searchsorted(m.tensor([[[1.0, 2], [3, 4]]]), m.tensor([[[1.5, 3], [3.5, 0]]])),
    "searchsorted_sorter": lambda m: m.searchsorted(m.tensor([3.0, 1, 2]), m.tensor([2.5, 0.5, 9.0]), sorter=m.tensor([1, 2, 0])),
    "searchsorted_sorter_rows": lambda m: m.searchsorted(m.tensor([[3.0, 1, 2]]), m.tensor([[2.5]]), sorter=m.tensor([[1, 2, 0]]), side="right"),
    "searchsorted_specials": lambda m: m.searchsorted(m.tensor(B), m.tensor([NAN, INF, -INF, 3.0])),
    "searchsorted_mixed_dtypes": lambda m: (m.searchsorted(m.tensor(B), m.tensor([1, 3, 5])), m.searchsorted(m.tensor([1, 3], dtype=m.int8), m.tensor([2.5]))),
    "searchsorted_empty_sequence": lambda m: m.searchsorted(m.zeros(0), _x(m)),
    "searchsorted_empty_values": lambda m: m.searchsorted(m.tensor(B), m.zeros(0)),
    "bucketize": lambda m: m.bucketize(_x(m), m.tensor(B)),
    "bucketize_right_int32": lambda m: m.bucketize(_x(m), m.tensor(B), right=True, out_int32=True),
    "bucketize_number": lambda m: m.bucketize(4, m.tensor(B)),
    "bucketize_0d": lambda m: m.bucketize(m.tensor(4.0), m.tensor(B)),
    "bucketize_ints": lambda m: m.bucketize(m.tensor([1, 3, 5]), m.tensor(B)),
    # stacking beyond the op table: integer tensors, promotion, nothing to stack
    "hstack_promotes": lambda m: m.hstack([m.tensor([1]), m.tensor([1.5])]),
    "block_diag_ints_bools": lambda m: m.block_diag(m.tensor([1, 2]), m.tensor([[True]])),
    "block_diag_none": lambda m: m.block_diag(),
    "block_diag_empty_block": lambda m: m.block_diag(m.zeros(0, 2), m.tensor([1.0, 2.0], requires_grad=True)),
    "combinations_ints": lambda m: m.combinations(m.arange(3)),
    "combinations_r0": lambda m: m.combinations(m.tensor([1.0, 2.0], requires_grad=True), r=0),
    "combinations_r_past_n": lambda m: m.combinations(m.arange(3), r=4),
    "combinations_empty": lambda m: m.combinations(m.zeros(0)),
    "cartesian_prod_one": lambda m: m.cartesian_prod(m.tensor([1, 2])),
    "atleast_1d_same": lambda m: (lambda t: m.atleast_1d(t) is t)(_x(m)),
    "atleast_none": lambda m: m.atleast_2d(),
    "broadcast_tensors_same": lambda m: (lambda t: m.broadcast_tensors(t, t)[0] is t)(_x(m)),
    "broadcast_tensors_none": lambda m: m.broadcast_tensors(),
    "broadcast_tensors_dtypes": lambda m: m.broadcast_tensors(m.ones(2, 3), m.tensor([1, 2, 3])),
    "meshgrid_one": lambda m: m.meshgrid(m.tensor([1.0, 2.0], requires_grad=True), indexing="xy"),
    "meshgrid_ints": lambda m: m.meshgrid(m.arange(2), m.arange(3), indexing="xy"),
    "vander": lambda m: m.vander(m.tensor([1.0, 2.0, 3.0], requires_grad=True)),
    "vander_increasing_N": lambda m: m.vander(m.tensor([1.0, -2.0, 0.5]), N=4, increasing=True),
    "vander_N1": lambda m: m.vander(m.tensor([1.0, 2.0], requires_grad=True), N=1),
    "vander_N0": lambda m: m.vander(m.tensor([1.0, 2.0]), N=0),
    "vander_int8": lambda m: m.vander(m.tensor([1, 2, 3], dtype=m.int8)),
    "vander_bool": lambda m: m.vander(m.tensor([True, False])),
    # top-level forms of methods and nn.functional's ops
    "rsub_ints": lambda m: m.rsub(m.tensor([1, 2]), 5),
    "rsub_int_float": lambda m: m.rsub(m.tensor([1, 2]), 5.5),
    "rsub_int_alpha": lambda m: m.rsub(m.tensor([1, 2]), 5, alpha=2),
    "fill_int": lambda m: m.fill(m.tensor([1, 2]), 2.5),
    "dropout_eval_same": lambda m: (lambda t: m.dropout(t, 0.5, False) is t)(_x(m)),
    "dropout_p1": lambda m: m.dropout(_x(m), 1.0, True),
    "kl_div_sum": lambda m: m.kl_div(_x(m), m.ones(2, 3), 2),
    "triplet_margin_loss_mean": lambda m: m.triplet_margin_loss(_x(m), _x(m) * 2, _x(m) * 3, 1.0, 2, 1e-6, False, 1),
    "bce_with_logits_pos_weight": lambda m: m.binary_cross_entropy_with_logits(_x(m), m.ones(2, 3), None, m.tensor([1.0, 2.0, 3.0])),
    "max_pool1d": lambda m: m.max_pool1d(_x(m).view(1, 2, 3), 2),
    "max_pool2d": lambda m: m.max_pool2d(_x(m).view(1, 1, 2, 3), 2, 1),
    "avg_pool1d": lambda m: m.avg_pool1d(_x(m).view(1, 2, 3), 2),
    "group_norm": lambda m: m.group_norm(_x(m).view(2, 3, 1), 1),
    "rms_norm": lambda m: m.rms_norm(_x(m), [3]),
    "cosine_similarity": lambda m: m.cosine_similarity(_x(m), _x(m) + 1, 1, 1e-8),
    "pairwise_distance": lambda m: m.pairwise_distance(_x(m), _x(m) * 2, 1.0, 1e-6, True),
    "celu_hardshrink_prelu": lambda m: (m.celu(_x(m), 0.5), m.hardshrink(_x(m), 2.0), m.prelu(_x(m), m.tensor([0.25]))),
    "conv1d": lambda m: m.conv1d(_x(m).view(1, 2, 3), m.ones(1, 2, 2), None, 1, 1),
    "conv2d": lambda m: m.conv2d(_x(m).view(1, 1, 2, 3), m.ones(1, 1, 2, 2)),
    "conv_transpose2d": lambda m: m.conv_transpose2d(_x(m).view(1, 1, 2, 3), m.ones(1, 1, 2, 2), None, 2),
    "adaptive_avg_pool1d": lambda m: m.adaptive_avg_pool1d(_x(m).view(1, 2, 3), 2),
    "in_place_functions": lambda m: [getattr(m, f)(m.tensor([0.25, 0.5]))for f in ("exp_", "sigmoid_", "tanh_", "sqrt_", "log1p_", "zero_", "neg_", "square_", "trunc_", "relu_", "detach_")],
    "in_place_functions_args": lambda m: (m.clip_(m.tensor([0.25, 3.0]), 0, 1), m.clamp_min_(m.tensor([0.25, 3.0]), 1), m.fill_(m.tensor([0.25, 3.0]), 7), m.nan_to_num_(m.tensor([NAN, INF]), 0.0, 9.0)),
    "threshold_": lambda m: m.threshold_(m.tensor([0.25, 3.0]), 1.0, -1.0),
    "selu_celu_in_place": lambda m: (m.selu_(m.tensor([0.25, -3.0])), m.celu_(m.tensor([0.25, -3.0]), 2.0)),
    "dropout_in_place_eval": lambda m: m.dropout_(m.tensor([0.25, -3.0]), 0.5, False),
}  # fmt: skip

ERRORS = {
    "all_dim": lambda m: m.all(_x(m), 2),
    "all_dims_twice": lambda m: m.all(_x(m), (0, 0)),
    "all_not_tensor": lambda m: m.all([True]),
    "allclose_dtypes": lambda m: m.allclose(_x(m), _x(m).double()),
    "allclose_shapes": lambda m: m.allclose(_x(m), m.ones(2)),
    "allclose_number": lambda m: m.allclose(_x(m), 1.0),
    "equal_number": lambda m: m.equal(_x(m), 1),
    "is_floating_point_number": lambda m: m.is_floating_point(1.0),
    "is_nonzero_many": lambda m: m.is_nonzero(_x(m)),
    "is_same_size_number": lambda m: m.is_same_size(_x(m), 1),
    "result_type_string": lambda m: m.result_type(_x(m), "a"),
    "promote_types_int": lambda m: m.promote_types(m.int32, 1),
    "can_cast_string": lambda m: m.can_cast(m.float32, "a"),
    "broadcast_shapes": lambda m: m.broadcast_shapes((2, 3), (4,)),
    "broadcast_shapes_middle": lambda m: m.broadcast_shapes((5, 1, 3), [2, 1], (1, 4, 1)),
    "broadcast_shapes_negative": lambda m: m.broadcast_shapes((2, -1), (2,)),
    "broadcast_shapes_float": lambda m: m.broadcast_shapes((2.0,), (2,)),
    "set_default_dtype_int": lambda m: m.set_default_dtype(m.int64),
    "set_default_dtype_complex": lambda m: m.set_default_dtype(m.complex64),
    "tril_indices_row": lambda m: m.tril_indices(-1, 3),
    "triu_indices_col": lambda m: m.triu_indices(3, -2),
    "triu_indices_float": lambda m: m.triu_indices(3, 3, dtype=m.float32),
    "tril_indices_bool": lambda m: m.tril_indices(3, 3, dtype=m.bool),
    "logspace_steps": lambda m: m.logspace(2, 5, -1),
    "isin_bools": lambda m: m.isin(m.tensor([True]), m.tensor([True])),
    "isin_bool_test": lambda m: m.isin(m.tensor(B), m.tensor([True])),
    "isin_bool_number": lambda m: m.isin(m.tensor(B), True),
    "isin_numbers": lambda m: m.isin(1, 2),
    "isin_list": lambda m: m.isin([1.0], m.tensor(B)),
    "searchsorted_side": lambda m: m.searchsorted(m.tensor(B), _x(m), side="up"),
    "searchsorted_opposites": lambda m: m.searchsorted(m.tensor(B), _x(m), right=True, side="left"),
    "searchsorted_rows": lambda m: m.searchsorted(m.tensor([[1.0, 2, 3], [2, 4, 6]]), m.tensor([2.5])),
    "searchsorted_0d_sequence": lambda m: m.searchsorted(m.tensor(1.0), _x(m)),
    "searchsorted_number_rows": lambda m: m.searchsorted(m.ones(2, 3), 2.5),
    "searchsorted_0d_rows": lambda m: m.searchsorted(m.ones(2, 3), m.tensor(2.5)),
    "searchsorted_sorter_shape": lambda m: m.searchsorted(m.tensor(B), _x(m), sorter=m.tensor([0, 1])),
    "searchsorted_sorter_dtype": lambda m: m.searchsorted(m.tensor(B), _x(m), sorter=m.tensor([0, 1, 2, 3], dtype=m.int32)),
    "searchsorted_sorter_range": lambda m: m.searchsorted(m.tensor(B), _x(m), sorter=m.tensor([0, 1, 2, 7])),
    "searchsorted_sorter_negative": lambda m: m.searchsorted(m.tensor(B), _x(m), sorter=m.tensor([0, 1, 2, -1])),
    "searchsorted_bools": lambda m: m.searchsorted(m.tensor([False, True]), m.tensor([True])),
    "searchsorted_list": lambda m: m.searchsorted(m.tensor(B), [1.0]),
    "bucketize_2d": lambda m: m.bucketize(_x(m), _x(m)),
    "bucketize_0d": lambda m: m.bucketize(_x(m), m.tensor(1.0)),
    "bucketize_number_boundaries": lambda m: m.bucketize(m.tensor(B), 1.0),
    "hstack_empty": lambda m: m.hstack([]),
    "vstack_tensor": lambda m: m.vstack(_x(m)),
    "row_stack_empty": lambda m: m.row_stack([]),
    "row_stack_tensor": lambda m: m.row_stack(_x(m)),
    "dstack_empty": lambda m: m.dstack(()),
    "column_stack_empty": lambda m: m.column_stack([]),
    "column_stack_dims": lambda m: m.column_stack([m.ones(2, 1, 1), m.ones(2, 1)]),
    "vstack_sizes": lambda m: m.vstack([_x(m), m.ones(4)]),
    "atleast_1d_number": lambda m: m.atleast_1d(1.0),
    "broadcast_tensors_shapes": lambda m: m.broadcast_tensors(m.ones(2, 3), m.ones(4)),
    "broadcast_tensors_list": lambda m: m.broadcast_tensors([_x(m), _x(m)]),
    "block_diag_list": lambda m: m.block_diag([_x(m)]),
    "block_diag_3d": lambda m: m.block_diag(_x(m), m.ones(1, 1, 1)),
    "cartesian_prod_2d": lambda m: m.cartesian_prod(_x(m), m.ones(2)),
    "cartesian_prod_none": lambda m: m.cartesian_prod(),
    "meshgrid_indexing": lambda m: m.meshgrid(m.ones(2), m.ones(3), indexing="zz"),
    "meshgrid_dtypes": lambda m: m.meshgrid(m.ones(2), m.ones(3, dtype=m.float64), indexing="ij"),
    "meshgrid_empty": lambda m: m.meshgrid([], indexing="ij"),
    "combinations_negative": lambda m: m.combinations(m.ones(3), r=-1),
    "combinations_2d": lambda m: m.combinations(_x(m)),
    "vander_2d": lambda m: m.vander(_x(m)),
    "vander_negative_N": lambda m: m.vander(m.ones(3), N=-1),
    "vander_backward": lambda m: m.vander(m.tensor([1.0, 2.0, 3.0], requires_grad=True)).sum().backward(),
    "vander_backward_N2": lambda m: m.vander(m.tensor([1.0, 2.0, 3.0], requires_grad=True), N=2).sum().backward(),
    "rsub_bool": lambda m: m.rsub(m.tensor([True]), 1),
    "rsub_float_alpha_ints": lambda m: m.rsub(m.tensor([1, 2]), 5, alpha=1.5),
    "rsub_shapes": lambda m: m.rsub(m.ones(2), m.ones(3)),
    "fill_1d_value": lambda m: m.fill(_x(m), m.ones(2)),
    "relu_function_number": lambda m: m.relu_(1.0),
    "exp_function_leaf": lambda m: m.exp_(_x(m)),
}  # fmt: skip


@pytest.mark.parametrize("fn", params(VALUES))
def test_values_as_torch(fn):
    check_value(fn)


@pytest.mark.parametrize("fn", params(ERRORS))
def test_errors_as_torch(fn):
    check_error(fn)


# ------------------------------------------------------------------------ dtypes


def test_set_default_dtype_changes_what_floats_make():
    assert gs.get_default_dtype() is gs.float32
    try:
        gs.set_default_dtype(gs.float64)
        assert gs.get_default_dtype() is gs.float64
        assert gs.tensor([1.5]).dtype is gs.float64
        assert gs.zeros(2).dtype is gs.float64
        assert gs.arange(3).dtype is gs.int64
        assert (gs.arange(3) * 0.5).dtype is gs.float64
        assert gs.result_type(1, 2.0) is gs.float64
    finally:
        gs.set_default_dtype(gs.float32)
    assert gs.tensor([1.5]).dtype is gs.float32


@pytest.mark.parametrize("default", ["float64", "float32"])
def test_the_default_complex_dtype_and_printed_dtypes_follow_the_default_float(default):
    """torch's default complex dtype is complex128 under a float64 default, and its repr
    leaves out the default float and complex dtypes, whichever they are."""

    def what(m):
        return [
            str(m.tensor(1j).dtype).split(".")[-1],
            str(m.tensor([[1.0, 2j]]).dtype).split(".")[-1],
            str((m.ones(2) * 1j).dtype).split(".")[-1],
            str(m.result_type(1, 2j)).split(".")[-1],
            repr(m.tensor([1.0, 2.0])).replace("torch.", "gradscope."),
            repr(m.tensor([1.0, 2.0], dtype=m.float32)).replace("torch.", "gradscope."),
            repr(m.tensor([], dtype=m.float32)).replace("torch.", "gradscope."),
            repr(m.tensor([1.0], dtype=m.float64)).replace("torch.", "gradscope."),
            "dtype=" in repr(m.tensor([1j])),
            "dtype=" in repr(m.tensor([1j], dtype=m.complex64)),
        ]

    results = []
    for m in (torch, gs):
        m.set_default_dtype(getattr(m, default))
        try:
            results.append(what(m))
        finally:
            m.set_default_dtype(m.float32)
    assert results[1] == results[0]


# ------------------------------------------------------------------------ meshgrid


def test_meshgrid_warns_once_without_indexing(monkeypatch):
    from gradscope.ops import stacking

    monkeypatch.setattr(stacking, "_warned_meshgrid", False)
    a, b = gs.tensor([1.0, 2.0]), gs.tensor([3.0, 4.0, 5.0])
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        first = gs.meshgrid(a, b)
        gs.meshgrid(a, b)
        gs.meshgrid(a, b, indexing="ij")
    assert [str(w.message) for w in rec] == [
        "torch.meshgrid: in an upcoming release, it will be required to pass the indexing argument."
    ]
    assert rec[0].filename == __file__  # the user's line, not gradscope's
    want = torch.meshgrid(torch.tensor([1.0, 2.0]), torch.tensor([3.0, 4.0, 5.0]), indexing="ij")
    for g, w in zip(first, want):
        assert g.tolist() == w.tolist()


def test_meshgrid_refuses_a_matrix_naming_it():
    with pytest.raises(RuntimeError) as e:
        gs.meshgrid(gs.ones(2, 3), indexing="ij")
    assert str(e.value).startswith(
        "torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got: "
    )
    assert "FloatTensor{2,3}" in str(e.value)


def test_vander_records_torchs_nodes():
    def tree(m):
        r = m.vander(m.tensor([1.0, 2.0, 3.0], requires_grad=True))
        flip = r.grad_fn
        second = flip.next_functions[0][0]
        first, cumprod = (n for n, _ in second.next_functions)
        return [
            flip.name(),
            second.name(),
            cumprod.name(),
            [None if n is None else n.name() for n, _ in first.next_functions],
        ]

    assert tree(gs) == tree(torch)


# ------------------------------------------------------------------------ sampling


def _moments(t) -> tuple:
    x = np.asarray(t, dtype=np.float64)
    return float(x.mean()), float(x.std())


SHAPES_AND_DTYPES = {
    "normal_tensors": lambda m: m.normal(m.zeros(2, 3), m.ones(3)),
    "normal_tensor_number": lambda m: m.normal(m.zeros(4, dtype=m.float64), 2.0),
    "normal_number_tensor": lambda m: m.normal(1.0, m.ones(2, 2)),
    "normal_numbers_size": lambda m: m.normal(1.0, 2.0, (2, 3)),
    "normal_numbers_size_kw": lambda m: m.normal(
        1, 2, size=(2,), dtype=m.float64, requires_grad=True
    ),
    "normal_empty_int": lambda m: m.normal(0.0, 1.0, (0,), dtype=m.int64),
    "normal_joint_dtype": lambda m: m.normal(m.zeros(3, dtype=m.float64), m.ones(3)),
    "bernoulli": lambda m: m.bernoulli(m.tensor([0.0, 1.0, 0.5])),
    "bernoulli_float64": lambda m: m.bernoulli(m.full((3,), 0.5, dtype=m.float64)),
    "bernoulli_p_ints": lambda m: m.bernoulli(m.tensor([5, 6]), 0.5),
    "bernoulli_method": lambda m: m.tensor([0.0, 1.0]).bernoulli(0.3),
    "bernoulli_in_place": lambda m: m.zeros(3).bernoulli_(),
    "bernoulli_in_place_ints": lambda m: m.tensor([5, 6]).bernoulli_(0.5),
    "bernoulli_in_place_bools": lambda m: m.tensor([True, False]).bernoulli_(0.5),
    "bernoulli_in_place_tensor": lambda m: m.zeros(2, 3).bernoulli_(m.tensor([0.2, 0.5, 0.8])),
    "multinomial": lambda m: m.multinomial(m.tensor([0.0, 1.0, 3.0, 0.0]), 2),
    "multinomial_replacement": lambda m: m.multinomial(m.tensor([0.0, 1.0, 3.0, 0.0]), 5, True),
    "multinomial_rows": lambda m: m.multinomial(m.tensor([[1.0, 1.0, 0.0], [0.0, 0.0, 2.0]]), 1),
    "multinomial_method": lambda m: m.tensor([1.0, 2.0]).multinomial(2),
    "multinomial_no_rows": lambda m: m.multinomial(m.ones(0, 3), 2),
    "multinomial_float64": lambda m: m.multinomial(m.ones(3, dtype=m.float64), 1),
    "randperm": lambda m: m.randperm(5),
    "randperm_float": lambda m: m.randperm(4, dtype=m.float32, requires_grad=True),
    "randperm_half": lambda m: m.randperm(5, dtype=m.float16),
    "randperm_none": lambda m: m.randperm(0),
    "randint_like": lambda m: m.randint_like(m.zeros(2, 3), 5),
    "randint_like_low": lambda m: m.randint_like(m.zeros(4), 2, 5),
    "randint_like_dtype": lambda m: m.randint_like(m.zeros(4), 5, dtype=m.int64),
    "randint_like_bool": lambda m: m.randint_like(m.zeros(4, dtype=m.bool), 2),
    "randint_like_requires_grad": lambda m: m.randint_like(m.zeros(3), 5, requires_grad=True),
    "randint_like_keyword": lambda m: m.randint_like(m.zeros(2), high=5),
    "random_": lambda m: m.zeros(3).random_(),
    "random_to": lambda m: m.zeros(3).random_(5),
    "random_to_keyword": lambda m: m.zeros(3).random_(to=4),
    "random_from_to": lambda m: m.zeros(3, dtype=m.int64).random_(-3, -1),
    "random_uint8": lambda m: m.zeros(3, dtype=m.uint8).random_(),
    "random_bool": lambda m: m.zeros(3, dtype=m.bool).random_(),
    "exponential_": lambda m: m.zeros(3).exponential_(2.0),
    "geometric_": lambda m: m.zeros(3, dtype=m.int64).geometric_(0.5),
    "cauchy_": lambda m: m.zeros(3, dtype=m.float64).cauchy_(),
    "log_normal_": lambda m: m.zeros(3).log_normal_(),
}


def _shape_signature(r):
    if isinstance(r, (gs.Tensor, torch.Tensor)):
        gf = r.grad_fn.name() if r.grad_fn is not None else None
        return (_name(r.dtype), tuple(r.shape), r.requires_grad, gf)
    return tuple(_shape_signature(x) for x in r)


@pytest.mark.parametrize("fn", params(SHAPES_AND_DTYPES))
def test_samples_have_torchs_shapes_and_dtypes(fn):
    assert _shape_signature(fn(gs)) == _shape_signature(fn(torch))


def _graph_of(build):
    """``build(m, leaf)``'s node, its edges, the leaf's gradient and the tangent."""

    def run(m):
        x = m.tensor([0.2, 0.5, 0.7], requires_grad=True)
        out = build(m, x)
        names = [
            out.grad_fn.name(),
            [None if n is None else n.name() for n, _ in out.grad_fn.next_functions],
        ]
        try:
            out.sum().backward()
            grad = x.grad.tolist()
        except RuntimeError as e:
            grad = str(e)
        return names, grad

    return run


GRAPHS = {
    "normal_mean": lambda m, x: m.normal(x, 1.0),
    "normal_std": lambda m, x: m.normal(0.0, x),
    "normal_both": lambda m, x: m.normal(x, x * 2),
    "normal_broadcast": lambda m, x: m.normal(x, m.ones(2, 1)),
    "bernoulli": lambda m, x: m.bernoulli(x),
    "bernoulli_p": lambda m, x: m.bernoulli(x, 0.5),
    "bernoulli_": lambda m, x: (x * 1).bernoulli_(),
    "bernoulli_tensor": lambda m, x: (x * 1).bernoulli_(x),
    "random_": lambda m, x: (x * 1).random_(),
    "random_to": lambda m, x: (x * 1).random_(4),
    "random_from_to": lambda m, x: (x * 1).random_(1, 4),
    "exponential_": lambda m, x: (x * 1).exponential_(),
    "geometric_": lambda m, x: (x * 1).geometric_(0.3),
    "cauchy_": lambda m, x: (x * 1).cauchy_(),
    "log_normal_": lambda m, x: (x * 1).log_normal_(),
}


@pytest.mark.parametrize("build", params(GRAPHS))
def test_samples_record_torchs_nodes_and_zero_gradients(build):
    assert _graph_of(build)(gs) == _graph_of(build)(torch)


def test_normal_and_bernoulli_forward_mode_tangents_are_zero():
    for m in (gs, torch):
        fwAD = m.autograd.forward_ad
        with fwAD.dual_level():
            d = fwAD.make_dual(m.zeros(3), m.ones(3))
            assert fwAD.unpack_dual(m.normal(d, 1.0)).tangent.tolist() == [0.0] * 3
            p = fwAD.make_dual(m.full((3,), 0.5), m.ones(3))
            assert fwAD.unpack_dual(m.bernoulli(p)).tangent.tolist() == [0.0] * 3


def test_samples_follow_their_distributions():
    gs.manual_seed(1)
    n = 20_000
    mean, std = _moments(gs.normal(2.0, 3.0, (n,)))
    assert abs(mean - 2.0) < 0.1 and abs(std - 3.0) < 0.1
    mean, std = _moments(gs.normal(gs.full((n,), -1.0), gs.full((n,), 0.5)))
    assert abs(mean + 1.0) < 0.02 and abs(std - 0.5) < 0.02
    assert abs(_moments(gs.bernoulli(gs.full((n,), 0.3)))[0] - 0.3) < 0.02
    assert abs(_moments(gs.zeros(n).bernoulli_(0.8))[0] - 0.8) < 0.02
    assert abs(_moments(gs.zeros(n).exponential_(4.0))[0] - 0.25) < 0.01
    assert abs(_moments(gs.zeros(n).geometric_(0.5))[0] - 2.0) < 0.05
    logs = np.log(np.asarray(gs.zeros(n, dtype=gs.float64).log_normal_(1.0, 0.5)))
    assert abs(logs.mean() - 1.0) < 0.02 and abs(logs.std() - 0.5) < 0.02
    median = float(np.median(np.asarray(gs.zeros(n, dtype=gs.float64).cauchy_(3.0, 2.0))))
    assert abs(median - 3.0) < 0.1
    ints = np.asarray(gs.zeros(n, dtype=gs.int64).random_(-2, 3))
    assert set(ints.tolist()) == {-2, -1, 0, 1, 2}
    top = np.asarray(gs.zeros(n).random_())
    assert top.min() >= 0 and top.max() <= 2**24 and (top == np.round(top)).all()
    assert set(np.asarray(gs.randint_like(gs.zeros(n), 3, 5)).tolist()) == {3.0, 4.0}


def test_multinomial_draws_by_weight():
    gs.manual_seed(2)
    w = gs.tensor([0.0, 1.0, 3.0, 0.0])
    counts = np.bincount(np.asarray(gs.multinomial(w, 8000, replacement=True)), minlength=4)
    assert counts[0] == counts[3] == 0
    assert abs(counts[2] / counts.sum() - 0.75) < 0.02
    for _ in range(20):  # without replacement: distinct, the weighted ones first
        got = gs.multinomial(w, 3).tolist()
        assert len(set(got)) == 3 and set(got[:2]) == {1, 2}
    firsts = [gs.multinomial(w, 1).item() for _ in range(2000)]
    assert abs(firsts.count(2) / 2000 - 0.75) < 0.04
    rows = gs.multinomial(gs.tensor([[1.0, 0.0], [0.0, 1.0]]), 1, True)
    assert rows.tolist() == [[0], [1]]


def test_randperm_is_a_permutation_and_seeded():
    gs.manual_seed(3)
    a = gs.randperm(50)
    assert sorted(a.tolist()) == list(range(50))
    gs.manual_seed(3)
    assert gs.randperm(50).tolist() == a.tolist()


SAMPLING_ERRORS = {
    "normal_numbers": lambda m: m.normal(1.0, 2.0),
    "normal_negative_std": lambda m: m.normal(m.zeros(3), -1.0),
    "normal_negative_stds": lambda m: m.normal(m.zeros(3), -m.ones(3)),
    "normal_negative_std_size": lambda m: m.normal(1.0, -0.5, (2,)),
    "normal_shapes": lambda m: m.normal(m.zeros(3), m.ones(4)),
    "normal_int_mean": lambda m: m.normal(m.tensor([1, 2]), 1.0),
    "normal_int_dtype": lambda m: m.normal(1, 2, (2, 3), dtype=m.int64),
    "bernoulli_ints": lambda m: m.bernoulli(m.tensor([0, 1])),
    "bernoulli_bools": lambda m: m.bernoulli(m.tensor([True])),
    "bernoulli_above_one": lambda m: m.bernoulli(m.tensor([1.5])),
    "bernoulli_nan": lambda m: m.bernoulli(m.tensor([NAN])),
    "bernoulli_p": lambda m: m.bernoulli(m.zeros(2), 1.5),
    "bernoulli_in_place_p": lambda m: m.zeros(2).bernoulli_(2.0),
    "bernoulli_in_place_tensor_range": lambda m: m.zeros(3).bernoulli_(m.tensor([2.0, 0, 0])),
    "bernoulli_in_place_int_tensor": lambda m: m.zeros(3).bernoulli_(m.tensor([1, 0, 0])),
    "bernoulli_in_place_shapes": lambda m: m.zeros(3).bernoulli_(m.tensor([0.5, 0.5])),
    "bernoulli_p_backward": lambda m: m.bernoulli(m.tensor([0.5], requires_grad=True), 0.3).sum().backward(),
    "multinomial_ints": lambda m: m.multinomial(m.tensor([1, 2]), 1),
    "multinomial_3d": lambda m: m.multinomial(m.ones(1, 1, 2), 1),
    "multinomial_0d": lambda m: m.multinomial(m.tensor(1.0), 1),
    "multinomial_no_samples": lambda m: m.multinomial(m.ones(2), 0),
    "multinomial_too_many": lambda m: m.multinomial(m.ones(2), 3),
    "multinomial_negative": lambda m: m.multinomial(m.tensor([-1.0, 1.0]), 1),
    "multinomial_inf": lambda m: m.multinomial(m.tensor([INF, 1.0]), 1),
    "multinomial_zeros": lambda m: m.multinomial(m.tensor([[1.0, 1.0], [0.0, 0.0]]), 1),
    "randperm_negative": lambda m: m.randperm(-1),
    "randperm_bool": lambda m: m.randperm(2, dtype=m.bool),
    "randperm_int8": lambda m: m.randperm(200, dtype=m.int8),
    "randperm_half": lambda m: m.randperm(3000, dtype=m.float16),
    "randperm_float": lambda m: m.randperm(2.5),
    "randint_like_order": lambda m: m.randint_like(m.zeros(2), 5, 2),
    "randint_like_uint8": lambda m: m.randint_like(m.zeros(2, dtype=m.uint8), 300),
    "random_order": lambda m: m.zeros(3).random_(5, 2),
    "random_empty_range": lambda m: m.zeros(3).random_(0),
    "random_float": lambda m: m.zeros(3).random_(2.5),
    "random_uint8": lambda m: m.zeros(3, dtype=m.uint8).random_(0, 300),
    "random_int8_from": lambda m: m.zeros(3, dtype=m.int8).random_(-200, 5),
    "random_bool": lambda m: m.zeros(3, dtype=m.bool).random_(0, 3),
    "exponential_lambda": lambda m: m.zeros(3).exponential_(-1.0),
    "exponential_ints": lambda m: m.zeros(3, dtype=m.int64).exponential_(),
    "geometric_p": lambda m: m.zeros(3).geometric_(1.5),
    "geometric_bools": lambda m: m.zeros(3, dtype=m.bool).geometric_(0.5),
    "cauchy_sigma": lambda m: m.zeros(3).cauchy_(0, 0),
    "cauchy_ints": lambda m: m.zeros(3, dtype=m.int64).cauchy_(),
    "log_normal_std": lambda m: m.zeros(3).log_normal_(1, -1),
    "log_normal_ints": lambda m: m.zeros(3, dtype=m.int64).log_normal_(),
}  # fmt: skip


@pytest.mark.parametrize("fn", params(SAMPLING_ERRORS))
def test_sampling_errors_as_torch(fn):
    check_error(fn)
