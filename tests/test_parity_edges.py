"""gradscope against torch where the op table is thin: misuse, error paths and edge cases.

Each case is run once under torch and once under gradscope, with the same code (``m`` is
the module). An error case must raise the same exception type, and gradscope's message must
be torch's (a gradscope hint may follow on a new line). A value case must give the same
dtypes, shapes, ``requires_grad``, ``grad_fn`` names and values (gradients included, where
the case returns them). A warning case checks that gradscope warns exactly when torch does.

Cases that gradscope gets wrong today are marked ``xfail(strict=True)`` with a one-line
description; fixing one turns it into an XPASS failure, and the mark should then go.
"""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest

import gradscope as gs
from tests.parity import (
    check_error,
    check_value,
    check_warns_as_torch,
    fail_unless,
    leaf_hook,
    nonleaf_hook,
    norm,
    params,
)

torch = pytest.importorskip("torch", reason="torch is the reference for parity tests")


# --------------------------------------------------------------------------- helpers


def _o(m, *s):  # noqa: N802 - a short name for the tables
    return m.ones(*s)


def L(m, *s):  # noqa: N802 - short, for the tables
    """A leaf that requires grad: [1, 2, 3] by default."""
    if not s:
        return m.tensor([1.0, 2.0, 3.0], requires_grad=True)
    return m.ones(*s, requires_grad=True)


def F(m):  # noqa: N802 - torch.nn.functional, as scripts call it
    return m.nn.functional


def _cm(m):
    """A complex128 3x3 matrix."""
    re = m.tensor([[1.0, 2.0, 0.5], [0.3, -1.0, 2.0], [1.5, 0.2, -0.7]], dtype=m.float64)
    return m.complex(re, re.flip(0) * 0.5)


def _z(m, values):
    """A complex128 leaf that requires grad."""
    return m.tensor(values, dtype=m.complex128, requires_grad=True)


def _modified_exp(m, dtype):
    """Backward through ``exp`` whose saved output was written in place."""
    y = m.ones(2, dtype=dtype, requires_grad=True).exp()
    y.mul_(2)
    y.abs().sum().backward()


def grads(m, f, *leaves):
    """``f(*leaves)``, then ``out.sum().backward()``: the output and each leaf's grad."""
    out = f(*leaves)
    out.sum().backward()
    return (out, *[leaf.grad for leaf in leaves])


NAN, INF = float("nan"), float("inf")
BCAST = "raises NumPy's ValueError, not torch's RuntimeError, on a broadcast mismatch"

# --------------------------------------------------------------------------- errors

ERRORS = {
    "version_error_names_a_complex_tensor_by_its_cpp_type": lambda m: _modified_exp(
        m, m.complex128
    ),
    "complex_of_longs": lambda m: m.complex(m.tensor([1]), m.tensor([2])),
    "complex_of_float_and_double": lambda m: m.complex(m.ones(2), m.ones(2, dtype=m.float64)),
    "complex_of_a_number": lambda m: m.complex(m.ones(2), 1.0),
    "complex_unbroadcastable": lambda m: m.complex(m.ones(2), m.ones(3)),
    "polar_of_float_and_double": lambda m: m.polar(m.ones(2), m.ones(2, dtype=m.float64)),
    "vector_norm_complex_dtype_of_reals": lambda m: m.linalg.vector_norm(
        m.ones(2), dtype=m.complex128
    ),
    "vector_norm_real_dtype_of_complex": lambda m: m.linalg.vector_norm(
        m.tensor([1j, 2]), dtype=m.float64
    ),
    "trace_of_a_vector_namespace": lambda m: m.trace(_o(m, 3)),
    # binary ops whose broadcast errors are torch's today
    "add_fn_shapes": lambda m: m.add(_o(m, 3), _o(m, 4)),
    "mul_fn_shapes": lambda m: m.mul(_o(m, 3), _o(m, 4)),
    "sub_fn_shapes": lambda m: m.sub(_o(m, 3), _o(m, 4)),
    "div_fn_shapes": lambda m: m.div(_o(m, 3), _o(m, 4)),
    "pow_fn_shapes": lambda m: m.pow(_o(m, 3), _o(m, 4)),
    "add_3d_shapes": lambda m: _o(m, 2, 3, 4) * _o(m, 3, 3, 4),
    "add_rg_shapes": lambda m: L(m) + _o(m, 4),
    "where_rg_shapes": lambda m: m.where(L(m, 2, 3) > 0, L(m, 2, 3), _o(m, 4, 2)),
    # ... and those that are not
    "eq_shapes": lambda m: _o(m, 3) == _o(m, 4),
    "ne_shapes": lambda m: _o(m, 3) != _o(m, 4),
    "lt_shapes": lambda m: _o(m, 3) < _o(m, 4),
    "le_shapes": lambda m: _o(m, 3) <= _o(m, 4),
    "gt_shapes": lambda m: _o(m, 3) > _o(m, 4),
    "ge_shapes": lambda m: _o(m, 3) >= _o(m, 4),
    "maximum_shapes": lambda m: m.maximum(_o(m, 3), _o(m, 4)),
    "minimum_shapes": lambda m: m.minimum(L(m), _o(m, 4)),
    "max_binary_shapes": lambda m: m.max(_o(m, 3), _o(m, 4)),
    "clamp_tensor_shapes": lambda m: L(m, 2, 3).clamp(_o(m, 4, 2)),
    "mse_loss_shapes": lambda m: F(m).mse_loss(_o(m, 3), _o(m, 4)),
    "linear_bias_shape": lambda m: F(m).linear(_o(m, 2, 3), _o(m, 4, 3), _o(m, 3)),
    # matmul family
    "mm_1d": lambda m: m.mm(_o(m, 3), _o(m, 3, 2)),
    "mm_3d": lambda m: m.mm(_o(m, 2, 3, 4), _o(m, 4, 2)),
    "mm_rg_shapes": lambda m: m.mm(L(m, 2, 3), L(m, 4, 5)),
    "bmm_batch": lambda m: m.bmm(_o(m, 2, 3, 4), _o(m, 3, 4, 2)),
    "bmm_inner": lambda m: m.bmm(_o(m, 2, 3, 4), _o(m, 2, 5, 2)),
    "mv_shapes": lambda m: _o(m, 2, 3).mv(_o(m, 4)),
    "matmul_0d_both": lambda m: m.tensor(2.0) @ m.tensor(3.0),
    "matmul_0d_right": lambda m: _o(m, 3) @ m.tensor(1.0),
    "bmm_2d": lambda m: m.bmm(_o(m, 3, 4), _o(m, 4, 2)),
    "mv_2d_vector": lambda m: _o(m, 2, 3).mv(_o(m, 3, 1)),
    "matmul_int_by_float": lambda m: m.arange(6).reshape(2, 3) @ _o(m, 3, 2),
    "matmul_f32_by_f64": lambda m: _o(m, 2, 3) @ m.ones(3, 2, dtype=m.float64),
    "mm_f32_by_f64": lambda m: m.mm(_o(m, 2, 3), m.ones(3, 2, dtype=m.float64)),
    "linear_f64_weight": lambda m: F(m).linear(_o(m, 1, 2), m.ones(3, 2, dtype=m.float64)),
    "linear_0d_input": lambda m: F(m).linear(m.tensor(1.0), _o(m, 4, 1)),
    # cat / stack
    "cat_dim_range": lambda m: m.cat([_o(m, 2, 3), _o(m, 2, 3)], dim=2),
    "cat_neg_dim_range": lambda m: m.cat([_o(m, 2, 3), _o(m, 2, 3)], dim=-3),
    "cat_mismatch_dim1": lambda m: m.cat([_o(m, 2, 3), _o(m, 3, 3)], dim=1),
    "cat_ndim_3": lambda m: m.cat([_o(m, 2, 3, 1), _o(m, 2, 3)], dim=1),
    "stack_empty": lambda m: m.stack([]),
    "stack_dim_range": lambda m: m.stack([_o(m, 2, 3), _o(m, 2, 3)], dim=4),
    "stack_neg_dim_range": lambda m: m.stack([_o(m, 2, 3), _o(m, 2, 3)], dim=-4),
    "stack_ndim": lambda m: m.stack([_o(m, 2, 3), _o(m, 2)]),
    "cat_0d": lambda m: m.cat([m.tensor(1.0), m.tensor(2.0)]),
    "cat_0d_second": lambda m: m.cat([_o(m, 2), m.tensor(2.0)]),
    "cat_a_tensor": lambda m: m.cat(_o(m, 2, 3)),
    # reshape / view / flatten
    "reshape_two_infer": lambda m: _o(m, 4, 3).reshape(-1, -1),
    "view_two_infer": lambda m: _o(m, 4, 3).view(-1, -1),
    "view_after_transpose": lambda m: _o(m, 2, 3).transpose(0, 1).view(-1),
    "view_after_permute": lambda m: _o(m, 2, 3, 4).permute(2, 0, 1).view(24),
    "view_of_column_slice": lambda m: m.arange(6.0).reshape(2, 3)[:, 1:].view(4),
    "view_of_expand": lambda m: _o(m, 3).expand(2, 3).view(6),
    "reshape_size": lambda m: _o(m, 4, 3).reshape(5, 3),
    "view_size_infer": lambda m: _o(m, 4, 3).view(5, -1),
    "view_0d_to_2": lambda m: m.tensor(2.0).view(2),
    "flatten_dim_range": lambda m: _o(m, 2, 3).flatten(0, 2),
    "reshape_negative_2": lambda m: _o(m, 4, 3).reshape(-2, 6),
    "reshape_infer_with_0": lambda m: _o(m, 0, 3).reshape(-1, 0),
    "view_float_size": lambda m: _o(m, 4, 3).view(2.0, 6),
    # expand
    "expand_new_dim_infer": lambda m: _o(m, 3).expand(-1, 3),
    "expand_negative_2": lambda m: _o(m, 3).expand(-2),
    "expand_shrink": lambda m: _o(m, 3).expand(1),
    "expand_non_singleton": lambda m: _o(m, 2, 1).expand(3, 4),
    # squeeze / unsqueeze / transpose / permute
    "squeeze_dim_range": lambda m: _o(m, 2, 1).squeeze(2),
    "squeeze_neg_dim_range": lambda m: _o(m, 2, 1).squeeze(-3),
    "squeeze_dims_range": lambda m: _o(m, 2, 1).squeeze((0, 5)),
    "squeeze_0d_dim1": lambda m: m.tensor(1.0).squeeze(1),
    "unsqueeze_neg_range": lambda m: _o(m, 2, 3).unsqueeze(-4),
    "unsqueeze_0d_range": lambda m: m.tensor(1.0).unsqueeze(2),
    "transpose_neg_range": lambda m: _o(m, 2, 3).transpose(-3, 0),
    "transpose_0d_range": lambda m: m.tensor(1.0).transpose(0, 1),
    "permute_dim_range": lambda m: _o(m, 2, 3).permute(0, 2),
    "permute_too_few": lambda m: _o(m, 2, 3).permute(0),
    "permute_neg_duplicate": lambda m: _o(m, 2, 3).permute(1, -1),
    "t_3d": lambda m: _o(m, 2, 3, 4).t(),
    "squeeze_duplicate_dims": lambda m: _o(m, 1, 1).squeeze((0, 0)),
    "permute_too_many": lambda m: _o(m, 2, 3).permute(0, 1, 2),
    # reductions
    "sum_dim_range": lambda m: _o(m, 2, 3).sum(-3),
    "sum_dims_range": lambda m: _o(m, 2, 3).sum((0, 2)),
    "mean_dim_range": lambda m: _o(m, 2, 3).mean(2),
    "max_dim_range": lambda m: _o(m, 2, 3).max(2),
    "min_dim_range": lambda m: _o(m, 2, 3).min(-3),
    "argmax_dim_range": lambda m: _o(m, 2, 3).argmax(2),
    "max_empty": lambda m: m.ones(0).max(),
    "min_empty": lambda m: m.ones(0).min(),
    "sum_0d_dim1": lambda m: m.tensor(2.0).sum(1),
    "max_0d_dim1": lambda m: m.tensor(2.0).max(1),
    "softmax_0d_dim1": lambda m: m.tensor(2.0).softmax(1),
    "log_softmax_dim_range": lambda m: _o(m, 2, 3).log_softmax(2),
    "F_softmax_dim_range": lambda m: F(m).softmax(_o(m, 2, 3), dim=2),
    "sum_duplicate_dims": lambda m: _o(m, 2, 3).sum((0, 0)),
    "sum_duplicate_dims_neg": lambda m: _o(m, 2, 3).sum((1, -1)),
    "mean_duplicate_dims": lambda m: _o(m, 2, 3).mean((0, 0)),
    "max_empty_dim": lambda m: m.ones(0, 3).max(0),
    "argmax_empty": lambda m: m.ones(0).argmax(),
    # indexing
    "index_neg_out_of_range": lambda m: _o(m, 4, 3)[-5],
    "index_tensor_neg_out_of_range": lambda m: _o(m, 4, 3)[m.tensor([0, -5])],
    "index_list_out_of_range": lambda m: _o(m, 4, 3)[[0, 7]],
    "index_mask_wrong_length": lambda m: _o(m, 4, 3)[m.tensor([True, False])],
    "index_mask_dim1_wrong": lambda m: _o(m, 4, 3)[:, m.tensor([True, False])],
    "index_0d_too_many": lambda m: m.tensor(2.0)[0, 0],
    "setitem_out_of_range": lambda m: _o(m, 3).__setitem__(5, 1.0),
    "setitem_tensor_out_of_range": lambda m: _o(m, 3).__setitem__(m.tensor([5]), 1.0),
    "setitem_row_shape": lambda m: _o(m, 2, 3).__setitem__(0, _o(m, 2)),
    "setitem_str_value": lambda m: _o(m, 2, 3).__setitem__(0, "x"),
    "stride_dim_out_of_range": lambda m: _o(m, 2, 3).stride(2),
    "stride_dim_of_0d": lambda m: m.tensor(1.0).stride(0),
    "setitem_none_value": lambda m: _o(m, 2).__setitem__(0, None),
    "setitem_dict_value_into_int": lambda m: m.ones(2, dtype=m.int64).__setitem__(0, {}),
    "setitem_object_value": lambda m: _o(m, 2).__setitem__(0, object()),
    "setitem_complex_into_float": lambda m: _o(m, 2).__setitem__(0, 1 + 2j),
    "setitem_complex_into_double": lambda m: m.ones(2, dtype=m.float64).__setitem__(0, 2j),
    "setitem_complex_into_int32": lambda m: m.ones(2, dtype=m.int32).__setitem__(0, 1 + 2j),
    "setitem_numpy_complex_into_float": lambda m: _o(m, 2).__setitem__(0, np.complex128(1j)),
    # torch takes Python numbers and NumPy integers only
    "setitem_list_value": lambda m: _o(m, 2, 3).__setitem__(0, [1.0, 2.0, 3.0]),
    "setitem_tuple_value": lambda m: _o(m, 2, 3).__setitem__(0, (1.0, 2.0, 3.0)),
    "setitem_ndarray_value": lambda m: _o(m, 2, 3).__setitem__(0, np.ones(3)),
    "setitem_0d_ndarray_value": lambda m: _o(m, 2, 3).__setitem__(0, np.array(2.0)),
    "setitem_numpy_float32_value": lambda m: _o(m, 2).__setitem__(0, np.float32(2)),
    "setitem_numpy_bool_value": lambda m: _o(m, 2).__setitem__(0, np.bool_(True)),
    "setitem_fraction_value": lambda m: _o(m, 2).__setitem__(0, Fraction(1, 2)),
    "setitem_decimal_value": lambda m: _o(m, 2).__setitem__(0, Decimal(1)),
    "no_grad_view_backward_from_itself": lambda m: _no_grad_view(m)[2].backward(m.ones(2)),
    "no_grad_view_grad_of_it": lambda m: _no_grad_view_grad(m),
    "no_grad_view_setitem": lambda m: _no_grad_view(m)[2].__setitem__(0, 1.0),
    "no_grad_view_mul_": lambda m: _no_grad_view(m)[2].mul_(2),
    "no_grad_view_numpy": lambda m: _no_grad_view(m)[2].numpy(),
    "copy_shape_mismatch": lambda m: m.zeros(3).copy_(m.ones(2)),
    "copy_more_dims_than_target": lambda m: m.zeros(3).copy_(m.ones(2, 3)),
    "copy_into_a_leaf": lambda m: m.ones(3, requires_grad=True).copy_(m.zeros(3)),
    "copy_a_list": lambda m: m.zeros(3).copy_([1, 2, 3]),
    "index_second_dim_out_of_range": lambda m: _o(m, 4, 3)[0, 3],
    "index_second_dim_neg_out_of_range": lambda m: _o(m, 4, 3)[0, -4],
    # an index tensor out of range: torch names its place among the indexed dimensions
    "index_tensor_second_dim": lambda m: _o(m, 4, 3)[:, m.tensor([3])],
    "index_tensor_after_ellipsis": lambda m: _o(m, 2, 4, 3)[..., m.tensor([3])],
    "index_tensor_after_int": lambda m: _o(m, 2, 4, 3)[0, :, m.tensor([3])],
    "index_tensor_after_none": lambda m: _o(m, 4, 3)[:, None, m.tensor([3])],
    "index_second_of_two_tensors": lambda m: _o(m, 2, 4, 3)[m.tensor([0]), :, m.tensor([3])],
    "index_tensor_after_mask": lambda m: _o(m, 2, 4, 3)[
        :, m.tensor([True, False, True, False]), m.tensor([3])
    ],
    "index_tensor_after_2d_mask": lambda m: _o(m, 2, 4, 3)[
        m.ones(2, 4, dtype=m.bool), m.tensor([3])
    ],
    "index_tensors_first_bad_place": lambda m: _o(m, 4, 3)[m.tensor([0, 9]), m.tensor([7, 0])],
    "index_tensors_broadcast_first_bad_place": lambda m: _o(m, 2, 4, 3)[
        :, m.tensor([[1], [9]]), m.tensor([0, 7])
    ],
    "setitem_tensor_second_dim": lambda m: _o(m, 4, 3).__setitem__(
        (slice(None), m.tensor([3])), 1.0
    ),
    "setitem_tensor_after_ellipsis": lambda m: _o(m, 2, 4, 3).__setitem__(
        (Ellipsis, m.tensor([3])), _o(m, 2, 4, 1)
    ),
    "index_0d_int": lambda m: m.tensor(2.0)[0],
    "index_too_many_with_ellipsis": lambda m: _o(m, 2)[..., 0, 0],
    "index_tensors_not_broadcastable": lambda m: _o(m, 4, 3)[m.tensor([0, 1]), m.tensor([0, 1, 2])],
    "index_float": lambda m: _o(m, 4, 3)[1.0],
    "index_slice_step_0": lambda m: m.arange(4)[::0],
    "setitem_mask_value_count": lambda m: m.tensor([1.0, -1.0, 2.0]).__setitem__(
        m.tensor([True, False, True]), m.tensor([5.0, 6.0, 7.0])
    ),
    # losses
    "ce_target_batch_mismatch": lambda m: F(m).cross_entropy(L(m, 2, 3), m.tensor([0, 1, 2])),
    "ce_target_2d": lambda m: F(m).cross_entropy(L(m, 2, 3), m.tensor([[0], [1]])),
    "ce_target_neg": lambda m: F(m).cross_entropy(L(m, 2, 3), m.tensor([0, -1])),
    "ce_float_target_1d": lambda m: F(m).cross_entropy(L(m, 2, 3), m.tensor([0.0, 1.0])),
    "ce_1d_input_oob": lambda m: F(m).cross_entropy(m.tensor([1.0, 2.0, 3.0]), m.tensor(3)),
    "nll_target_oob": lambda m: F(m).nll_loss(L(m, 2, 3), m.tensor([0, 3])),
    "nll_float_target": lambda m: F(m).nll_loss(L(m, 2, 3), m.tensor([0.0, 1.0])),
    "nll_int32_target": lambda m: F(m).nll_loss(L(m, 2, 3), m.tensor([0, 1], dtype=m.int32)),
    "ce_int32_target": lambda m: F(m).cross_entropy(L(m, 2, 3), m.tensor([0, 1], dtype=m.int32)),
    "nll_batch_mismatch": lambda m: F(m).nll_loss(L(m, 2, 3), m.tensor([0])),
    "nll_0d_input": lambda m: F(m).nll_loss(m.tensor(1.0), m.tensor(0)),
    "mse_int": lambda m: F(m).mse_loss(m.ones(3, dtype=m.int64), m.ones(3, dtype=m.int64)),
    # scalars, conversion, autograd misuse
    "item_empty": lambda m: m.ones(0).item(),
    "backward_int_tensor": lambda m: m.arange(3).sum().backward(),
    "numpy_of_nonleaf": lambda m: (L(m) * 2).numpy(),
    "leaf_relu_": lambda m: L(m).relu_(),
    "leaf_zero_": lambda m: L(m).zero_(),
    "leaf_fill_": lambda m: L(m).fill_(2.0),
    "leaf_div_": lambda m: L(m).div_(2),
    "leaf_sub_": lambda m: L(m).sub_(2),
    "leaf_iadd": lambda m: L(m).__iadd__(1),
    "requires_grad_int_zeros": lambda m: m.zeros(3, dtype=m.int64, requires_grad=True),
    "requires_grad_int_full": lambda m: m.full((2,), 3, requires_grad=True),
    "requires_grad_arange": lambda m: m.arange(3, requires_grad=True),
    "requires_grad_int_ones_like": lambda m: m.ones_like(m.arange(3), requires_grad=True),
    "len_0d": lambda m: len(m.tensor(1.0)),
    "iter_0d": lambda m: list(m.tensor(1.0)),
    "autograd_grad_twice": lambda m: (
        lambda x: (lambda y: (m.autograd.grad(y, x), m.autograd.grad(y, x)))((x * x).sum())
    )(L(m)),
    "float_of_many": lambda m: float(_o(m, 2)),
    "int_of_many": lambda m: int(_o(m, 2)),
    "bool_of_empty": lambda m: bool(m.ones(0)),
    "autograd_backward_counts": lambda m: m.autograd.backward(
        [L(m).sum(), L(m).sum()], [m.tensor(1.0)]
    ),
    "backward_gradient_as_list": lambda m: (L(m) * 2).backward([1.0, 1.0, 1.0]),
    "autograd_grad_inputs_empty": lambda m: m.autograd.grad(L(m).sum(), []),
    "autograd_grad_input_float": lambda m: m.autograd.grad(L(m).sum(), [1.0]),
    "requires_grad_set_to_int": lambda m: setattr(_o(m, 2), "requires_grad", 1),
    "randint_requires_grad": lambda m: m.randint(0, 3, (2,), requires_grad=True),
    # hooks that return something else than a gradient of the same kind
    "leaf_hook_changes_size": lambda m: leaf_hook(m, lambda g: m.ones(2)),
    "nonleaf_hook_changes_size": lambda m: nonleaf_hook(m, lambda g: m.ones(1)),
    "leaf_hook_changes_dtype": lambda m: leaf_hook(m, lambda g: g.double()),
    "hook_returns_float": lambda m: leaf_hook(m, lambda g: 3.0),
    "node_posthook_wrong_count": lambda m: (
        lambda x: (
            lambda y: (
                y.grad_fn.register_hook(lambda gi, go: (m.ones(1),)),
                y.sum().backward(),
            )
        )(x * 2)
    )(L(m)),
    # where
    "where_long_condition": lambda m: m.where(m.tensor([1, 0, 1]), _o(m, 3), m.zeros(3)),
    "where_float_condition": lambda m: m.where(m.tensor([1.0, 0.0, 1.0]), _o(m, 3), m.zeros(3)),
    # Python objects as operands and data
    "add_none": lambda m: _o(m, 2) + None,
    "tensor_of_none": lambda m: m.tensor(None),
    "add_list": lambda m: _o(m, 2) + [1.0, 2.0],
    "add_str": lambda m: _o(m, 2) + "a",
    "ones_dtype_str": lambda m: m.ones(2, dtype="float32"),
    "arange_step_sign": lambda m: m.arange(0, 5, -1),
    "randn_int_dtype": lambda m: m.randn(2, dtype=m.int64),
    "pow_int_negative_scalar": lambda m: m.tensor([2, 3]) ** -1,
    "relu_bool": lambda m: F(m).relu(m.tensor([True])),
    "add_alpha_float_on_ints": lambda m: m.add(m.arange(2), m.arange(2), alpha=0.5),
    "numpy_asarray_requires_grad": lambda m: np.asarray(L(m) * 2),
    "numpy_function_requires_grad": lambda m: np.exp(L(m)),
    "tensor_of_many_element_tensors": lambda m: m.tensor([m.ones(2), m.ones(2)]),
    "format_spec_of_vector": lambda m: f"{m.ones(2):.2f}",
}


@pytest.mark.parametrize("fn", params(ERRORS))
def test_error(fn):
    check_error(fn)


# --------------------------------------------------------------------------- values


def _alias(m, view, write):
    x = m.arange(6.0).reshape(2, 3)
    write(view(x))
    return x


def _w0(v):
    v[0] = 100.0


def _set(t, index, value):
    t[index] = value
    return t


def _no_grad_view(m, base_is_leaf=True):
    """A view made under no_grad of a tensor that requires grad: as torch, it requires
    grad with no grad_fn, and the ops that use it record edges that lead nowhere."""
    x = m.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = x if base_is_leaf else x * 2
    with m.no_grad():
        v = b[:2]
    return x, b, v


def _no_grad_view_backward(m, base_is_leaf=True):
    x, b, v = _no_grad_view(m, base_is_leaf)
    seen = []
    v.register_hook(seen.append)
    y = (v * 2).sum()
    flags = (v.requires_grad, v.grad_fn is None, v.is_leaf, y.requires_grad)
    edges = [n is None for n, _ in y.grad_fn.next_functions[0][0].next_functions]
    y.backward()
    v.retain_grad()
    return flags, edges, x.grad, v.grad, seen, v.retains_grad


def _no_grad_view_flags(m):
    x, b, v = _no_grad_view(m)
    with m.no_grad():
        w = v[:1]
    u = v[0]  # a view made in grad mode records a node, whose edge leads nowhere
    return (
        v.requires_grad_(False).requires_grad,
        w.requires_grad,
        w.grad_fn is None,
        u.grad_fn.name(),
        u.grad_fn.next_functions[0][0] is None,
        v.detach().requires_grad,
        repr(v),
    )


def _no_grad_view_grad(m):
    x, b, v = _no_grad_view(m)
    return m.autograd.grad((v * 2).sum(), v)


def _no_grad_view_in_no_grad(m):
    x, b, v = _no_grad_view(m)
    with m.no_grad():
        v.mul_(2)  # written in no_grad mode: allowed, not recorded
        r = (v * 2).requires_grad
    return x, r


def _grad_at_edges(m, f):
    x = m.tensor([-1.0, 0.0, 0.5, 2.0], requires_grad=True)
    f(x).sum().backward()
    return x.grad


def _second_at_edges(m, f):
    x = m.tensor([-1.0, 0.0, 0.5, 2.0], requires_grad=True)
    (g,) = m.autograd.grad(f(x).sum(), x, create_graph=True)
    g.sum().backward()
    return g, x.grad


def _copy_records(m):
    """copy_ into a non-leaf: CopyBackwards, a zero gradient for the old values, the
    incoming one (summed to its shape, in its dtype) for the source."""
    a = m.ones(2, 3, dtype=m.float64, requires_grad=True)
    t = a * 1
    src = m.tensor([5.0, 6.0, 7.0], requires_grad=True)
    t.copy_(src)
    names = (t.grad_fn.name(), [n.name() for n, _ in t.grad_fn.next_functions], t._version)
    (t * m.arange(6.0, dtype=m.float64).reshape(2, 3)).sum().backward()
    return names, a.grad, src.grad, src.grad.dtype == m.float32


def _copy_in_no_grad(m):
    q = m.ones(3, requires_grad=True)
    with m.no_grad():
        q.copy_(m.tensor([4.0, 5.0, 6.0]))
    return q, q._version, q.requires_grad


def _set_false(m):
    """``t[False] = v`` writes, records and checks nothing, even into a leaf or with a value
    of another shape; ``t[0, False] = v`` is a write."""
    leaf = _o(m, 2, 3).requires_grad_()
    leaf[False] = 5.0
    y = leaf * 1
    y[False] = m.ones(5)
    before = y._version
    y[0, False] = 5.0
    return leaf._version, y._version - before, y.grad_fn.name(), y


# IEEE specials inside ops: the values torch gives (VALUES), and no warning (WARNINGS)
SPECIALS = {
    "exp_overflow": lambda m: m.tensor([1000.0]).exp(),
    "exp_overflow_grad": lambda m: m.tensor([100.0], requires_grad=True).exp().sum().backward(),
    "inf_times_zero": lambda m: m.tensor([INF]) * 0,
    "inf_minus_inf": lambda m: m.tensor([INF]) - m.tensor([INF]),
    "inf_grad_times_zero": lambda m: grads(m, lambda x: x * m.tensor([INF, 0.0]), L(m, 2)),
    "zero_div_zero_tensor": lambda m: m.tensor([0.0]) / m.tensor([0.0]),
    "sigmoid_of_minus_large": lambda m: (
        m.tensor([-1000.0], requires_grad=True).sigmoid().sum().backward()
    ),
    "tanh_grad_of_inf": lambda m: m.tensor([INF], requires_grad=True).tanh().sum().backward(),
    "mean_of_inf_and_minus_inf": lambda m: m.tensor([INF, -INF]).mean(),
    "float16_overflow": lambda m: m.tensor([60000.0], dtype=m.float16) * 2,
    "cast_nan_to_int": lambda m: m.tensor([float("nan")]).to(m.int64),
    "mse_of_inf": lambda m: F(m).mse_loss(m.tensor([INF]), m.tensor([INF])),
}


VALUES = {
    # linear algebra of complex matrices, without a gradient
    "qr_complex": lambda m: m.linalg.qr(_cm(m)),
    "svdvals_complex": lambda m: m.linalg.svdvals(_cm(m)),
    "svd_singular_values_complex": lambda m: m.linalg.svd(_cm(m))[1],
    "slogdet_complex": lambda m: m.linalg.slogdet(_cm(m)),
    "logdet_complex": lambda m: m.logdet(_cm(m)),
    "lu_factor_complex": lambda m: m.linalg.lu_factor(_cm(m))[0],
    "logsumexp_complex": lambda m: m.logsumexp(_cm(m), 1),
    "acosh_in_place_complex": lambda m: m.tensor([1 + 2j, -0.5 + 0.1j, 3 + 0j]).acosh_(),
    "asinh_in_place_complex": lambda m: m.tensor([1 + 2j, -0.5 + 0.1j, 3 + 0j]).asinh_(),
    "atanh_in_place_complex": lambda m: m.tensor([1 + 2j, -0.5 + 0.1j, 3 + 0j]).atanh_(),
    # complex tensors made of real parts, and their gradients
    "complex_of_parts_grad": lambda m: grads(
        m,
        lambda a, b: m.view_as_real(m.complex(a, b)) * m.tensor([1.0, -2.0]),
        m.tensor([[1.0], [2.0]], requires_grad=True),
        m.tensor([0.5, -1.0, 3.0], requires_grad=True),
    ),
    "polar_grad": lambda m: grads(
        m,
        lambda a, b: m.view_as_real(m.polar(a, b)) * m.tensor([1.0, -2.0], dtype=m.float64),
        m.tensor([1.0, 0.0, -2.0], dtype=m.float64, requires_grad=True),
        m.tensor([0.5, 2.0, -1.0], dtype=m.float64, requires_grad=True),
    ),
    # torch.trace, the matrix op, is gs.trace's meaning when it is given a tensor
    "trace_of_a_matrix_namespace": lambda m: grads(m, m.trace, _o(m, 3, 3).requires_grad_()),
    # the gradient of |x| at a 0-dim NaN (NumPy's sign of a 0-dim array is a scalar)
    "abs_0d_nan_grad": lambda m: grads(m, m.abs, m.tensor(NAN, requires_grad=True)),
    "l1_norm_0d_nan_grad": lambda m: grads(
        m, lambda t: m.linalg.vector_norm(t, 1), m.tensor(NAN, requires_grad=True)
    ),
    # complex gradients: acosh's own branch cut, a negative real base's complex log
    "acosh_complex_left_half_grad": lambda m: grads(
        m, lambda z: m.view_as_real(z.acosh()), _z(m, [-1.5 + 0.3j, 1 + 2j, -0.2 - 3j])
    ),
    "pow_negative_number_base_complex_exponent_grad": lambda m: grads(
        m, lambda z: m.view_as_real((-2) ** z), _z(m, [0.5 + 1j, -1.5])
    ),
    "pow_negative_tensor_base_complex_exponent_grad": lambda m: grads(
        m, lambda z: m.view_as_real(m.tensor([-2.0, 3.0], dtype=m.float64) ** z), _z(m, [0.5j, 2])
    ),
    "pow_negative_number_base_real_exponent_grad": lambda m: grads(
        m, lambda x: (-2) ** x, m.tensor([0.5, 2.0], dtype=m.float64, requires_grad=True)
    ),
    "pow_zero_base_grad": lambda m: grads(
        m, lambda x: 0.0**x, m.tensor([-1.5, 0.0, 2.0], dtype=m.float64, requires_grad=True)
    ),
    "stack_new_last_dim": lambda m: m.stack([_o(m, 2, 3), _o(m, 2, 3)], dim=2),
    "cat_single": lambda m: m.cat([L(m)]),
    "stack_single": lambda m: m.stack([L(m)]),
    "cat_rg_and_const": lambda m: grads(m, lambda x: m.cat([x, _o(m, 2)]), L(m)),
    "view_after_transpose_ok": lambda m: _o(m, 2, 3).transpose(0, 1).view(3, 2),
    "reshape_infer_empty": lambda m: _o(m, 0, 3).reshape(3, -1),
    "flatten_0d": lambda m: m.tensor(2.0).flatten(),
    "flatten_neg": lambda m: _o(m, 2, 3, 4).flatten(-2),
    "expand_tuple": lambda m: _o(m, 2, 1).expand((2, 4)),
    "expand_0d_to_empty": lambda m: m.tensor(1.0).expand(0),
    "expand_new_zero_dim": lambda m: _o(m, 3).expand(0, 3),
    "squeeze_0d": lambda m: m.tensor(1.0).squeeze(0),
    "squeeze_non_singleton": lambda m: _o(m, 2, 3).squeeze(0),
    "unsqueeze_0d": lambda m: m.tensor(1.0).unsqueeze(-1),
    "transpose_same_dim": lambda m: _o(m, 2, 3).transpose(1, 1),
    "t_1d": lambda m: _o(m, 3).t(),
    "matmul_empty_inner": lambda m: m.ones(2, 0) @ m.ones(0, 3),
    "matmul_1d_empty": lambda m: m.ones(0) @ m.ones(0),
    "matmul_4d_broadcast": lambda m: grads(m, lambda a, b: a @ b, L(m, 2, 1, 2, 3), L(m, 3, 3, 2)),
    "bmm_grads": lambda m: grads(m, m.bmm, L(m, 2, 2, 3), L(m, 2, 3, 4)),
    "mv_grads": lambda m: grads(m, lambda a, v: a.mv(v), L(m, 2, 3), L(m)),
    # reductions, ties and NaN
    "max_dim_ties": lambda m: m.tensor([[1.0, 3.0, 3.0], [2.0, 2.0, 1.0]]).max(1),
    "min_dim_ties": lambda m: m.tensor([[1.0, 1.0, 3.0], [2.0, 0.0, 0.0]]).min(1),
    "argmax_ties": lambda m: m.tensor([1.0, 3.0, 3.0]).argmax(),
    "argmin_ties": lambda m: m.tensor([1.0, 1.0, 3.0]).argmin(),
    "max_full_ties_grad": lambda m: grads(
        m, lambda x: x.max(), m.tensor([1.0, 3.0, 3.0], requires_grad=True)
    ),
    "min_full_ties_grad": lambda m: grads(
        m, lambda x: x.min(), m.tensor([1.0, 1.0, 3.0], requires_grad=True)
    ),
    "max_dim_ties_grad": lambda m: grads(
        m, lambda x: x.max(1).values, m.tensor([[1.0, 3.0, 3.0]], requires_grad=True)
    ),
    "maximum_ties_grad": lambda m: grads(
        m,
        m.maximum,
        m.tensor([1.0, 2.0], requires_grad=True),
        m.tensor([1.0, 1.0], requires_grad=True),
    ),
    "minimum_ties_grad": lambda m: grads(
        m,
        m.minimum,
        m.tensor([1.0, 2.0], requires_grad=True),
        m.tensor([1.0, 3.0], requires_grad=True),
    ),
    "max_nan": lambda m: m.tensor([1.0, NAN, 3.0]).max(),
    "max_dim_nan": lambda m: m.tensor([[1.0, NAN, 3.0]]).max(1),
    "argmax_nan": lambda m: m.tensor([1.0, NAN, 3.0]).argmax(),
    "maximum_nan": lambda m: m.maximum(m.tensor([1.0, NAN]), m.tensor([NAN, 0.0])),
    "max_dim_nan_grad": lambda m: grads(
        m, lambda x: x.max(0).values, m.tensor([1.0, NAN, 3.0], requires_grad=True)
    ),
    "index_two_ellipses": lambda m: _o(m, 2, 2)[..., ...],
    "sum_empty": lambda m: m.ones(0).sum(),
    "sum_empty_dim": lambda m: m.ones(0, 3).sum(1),
    "max_empty_other_dim": lambda m: m.ones(0, 3).max(1),
    "sum_dims_list": lambda m: _o(m, 2, 3).sum([0, 1]),
    "sum_empty_list": lambda m: grads(m, lambda x: x.sum(dim=[]), L(m, 2, 3)),
    "mean_keepdim_all": lambda m: _o(m, 2, 3).mean((0, 1), keepdim=True),
    "sum_neg_dims_keepdim": lambda m: grads(
        m, lambda x: x.sum((-1, 0), keepdim=True), L(m, 2, 3, 2)
    ),
    "max_keyword_args": lambda m: m.tensor([[1.0, 5.0], [3.0, 2.0]]).max(dim=1, keepdim=True),
    "max_unpacks": lambda m: tuple(m.tensor([[1.0, 5.0], [3.0, 2.0]]).max(1)),
    "softmax_empty": lambda m: m.ones(0, 3).softmax(1),
    "log_softmax_large": lambda m: F(m).log_softmax(m.tensor([1000.0, 0.0]), dim=0),
    "F_softmax_dtype": lambda m: F(m).softmax(_o(m, 2, 3), dim=1, dtype=m.float64),
    # 0-d tensors
    "0d_argmax": lambda m: m.tensor(2.0).argmax(),
    "0d_argmax_dim0": lambda m: m.tensor(2.0).argmax(0),
    "0d_log_softmax": lambda m: grads(
        m, lambda x: x.log_softmax(0), m.tensor(2.0, requires_grad=True)
    ),
    "0d_softmax_neg1": lambda m: grads(
        m, lambda x: x.softmax(-1), m.tensor(2.0, requires_grad=True)
    ),
    "0d_expand": lambda m: grads(m, lambda x: x.expand(2, 3), m.tensor(2.0, requires_grad=True)),
    "0d_view": lambda m: grads(m, lambda x: x.view(1, 1), m.tensor(2.0, requires_grad=True)),
    "0d_reshape": lambda m: grads(m, lambda x: x.reshape(-1), m.tensor(2.0, requires_grad=True)),
    "0d_stack": lambda m: grads(
        m, lambda x: m.stack([x, x * 2], dim=-1), m.tensor(2.0, requires_grad=True)
    ),
    "0d_where": lambda m: grads(
        m, lambda x: m.where(x > 1, x, 0.0), m.tensor(2.0, requires_grad=True)
    ),
    "0d_clamp": lambda m: grads(m, lambda x: x.clamp(0, 1), m.tensor(2.0, requires_grad=True)),
    "0d_index_none": lambda m: grads(m, lambda x: x[None], m.tensor(2.0, requires_grad=True)),
    "0d_index_mask": lambda m: grads(m, lambda x: x[x > 1], m.tensor(2.0, requires_grad=True)),
    "0d_mse": lambda m: grads(
        m, lambda x: F(m).mse_loss(x, m.tensor(1.0)), m.tensor(2.0, requires_grad=True)
    ),
    "0d_setitem": lambda m: _set(m.tensor(2.0), (), 5.0),
    "0d_times_matrix": lambda m: grads(
        m, lambda x: x * _o(m, 2, 2), m.tensor(2.0, requires_grad=True)
    ),
    "0d_item_requires_grad": lambda m: m.tensor(2.5, requires_grad=True).item(),
    "0d_index_into_list": lambda m: [10, 20, 30][m.tensor(1)],
    "0d_format": lambda m: f"{m.tensor(2.5):.2f}",
    "item_1x1": lambda m: m.ones(1, 1).item(),
    "item_int_type": lambda m: type(m.tensor([3]).item()).__name__,
    "item_bool_type": lambda m: type(m.tensor(True).item()).__name__,
    "sum_0d_empty_dims": lambda m: grads(m, lambda x: x.sum(()), m.tensor(2.0, requires_grad=True)),
    # indexing
    "index_neg_tensor": lambda m: m.arange(4)[m.tensor([0, -1])],
    "index_int32_tensor": lambda m: m.arange(4)[m.tensor([0, 2], dtype=m.int32)],
    "index_empty_long": lambda m: m.arange(4)[m.tensor([], dtype=m.int64)],
    "index_slice": lambda m: m.arange(4)[1:3],
    "index_mask_all_false_grad": lambda m: grads(m, lambda x: x[m.tensor([False] * 3)], L(m)),
    "index_duplicate_grad": lambda m: grads(m, lambda x: x[m.tensor([0, 0, 1])], L(m)),
    "setitem_broadcast_row": lambda m: _set(_o(m, 2, 3), slice(None), m.tensor([1.0, 2.0, 3.0])),
    "setitem_mask_tensor_value": lambda m: _set(
        m.tensor([1.0, -1.0, 2.0]), m.tensor([True, False, True]), m.tensor([5.0, 6.0])
    ),
    "setitem_false_writes_nothing": lambda m: _set_false(m),
    "no_grad_view_backward": lambda m: _no_grad_view_backward(m),
    "copy_records_copy_backwards": _copy_records,
    # an inf gradient where relu, clamp or maximum masks it out gives 0, not NaN
    "relu_then_log_at_zero": lambda m: _grad_at_edges(m, lambda x: x.relu().log()),
    "relu_then_sqrt_at_zero": lambda m: _grad_at_edges(m, lambda x: x.relu().sqrt()),
    "clamp_then_log": lambda m: _grad_at_edges(m, lambda x: x.clamp(0, 1).log()),
    "clamp_min_then_log": lambda m: _grad_at_edges(m, lambda x: x.clamp(min=0).log()),
    "clamp_max_then_reciprocal": lambda m: _grad_at_edges(m, lambda x: 1 / x.clamp(max=0.0)),
    "clamp_by_tensor_then_log": lambda m: _grad_at_edges(
        m, lambda x: x.clamp(min=m.zeros(4)).log()
    ),
    "maximum_then_log": lambda m: _grad_at_edges(m, lambda x: m.maximum(x, m.zeros(4)).log()),
    "minimum_then_log": lambda m: _grad_at_edges(m, lambda x: (-m.minimum(x, m.zeros(4))).log()),
    "relu_keeps_a_nan_it_passes": lambda m: _grad_at_edges(
        m, lambda x: x.relu() * m.tensor([1.0, 1.0, float("nan"), 1.0])
    ),
    "masked_scatter_then_log": lambda m: _grad_at_edges(
        m, lambda x: x.masked_scatter(x > 0, m.tensor([0.0, 0.0, 1.0])).log()
    ),
    "relu_log_second_order": lambda m: _second_at_edges(m, lambda x: (x.relu() ** 3).log()),
    "relu_log_forward_mode": lambda m: m.func.jvp(
        lambda x: x.relu().log(), (m.tensor([-1.0, 0.0, 0.5, 2.0]),), (m.ones(4),)
    ),
    "copy_a_number": lambda m: m.zeros(3).copy_(5.0),
    "copy_floats_into_ints": lambda m: m.zeros(3, dtype=m.int64).copy_(m.tensor([1.7, -2.5, 3.2])),
    "copy_in_no_grad": lambda m: _copy_in_no_grad(m),
    "no_grad_view_of_non_leaf_backward": lambda m: _no_grad_view_backward(m, False),
    "no_grad_view_flags": _no_grad_view_flags,
    "no_grad_view_written_in_no_grad": _no_grad_view_in_no_grad,
    # strides and offsets in elements, as torch's
    "stride": lambda m: _o(m, 2, 3, 4).stride(),
    "stride_dims": lambda m: tuple(_o(m, 2, 3, 4).stride(d) for d in (0, 1, -1)),
    "stride_of_views": lambda m: (
        lambda x: (
            x.transpose(0, 2).stride(),
            x.permute(2, 0, 1).stride(),
            x[None].expand(2, 2, 3, 4).stride(),
            x[..., ::2].stride(),
            x[:, 1:, 2].stride(),
            x.split(1, 2)[3].stride(),
        )
    )(_o(m, 2, 3, 4)),
    "stride_of_empty_and_0d": lambda m: (
        m.ones(0, 3).stride(),
        m.ones(3, 0).stride(),
        m.ones(2, 0, 3).stride(),
        m.tensor(1.0).stride(),
    ),
    "storage_offset_of_views": lambda m: (
        lambda x: (
            x.storage_offset(),
            x[1].storage_offset(),
            x[:, 1:, 2].storage_offset(),
            x.unbind(1)[2].storage_offset(),
            x.view(6, 4)[2:].storage_offset(),
            x[1][2].storage_offset(),
        )
    )(_o(m, 2, 3, 4)),
    "grad_strides_of_permuted_leaf": lambda m: (
        lambda w: ((w * 2).sum().backward(), w.grad.stride())[1]
    )(_o(m, 2, 3, 4).permute(2, 0, 1).requires_grad_()),
    "setitem_real_complex_into_float": lambda m: _set(_o(m, 2), 0, 3 + 0j),
    "setitem_numpy_float64_value": lambda m: _set(_o(m, 2), 0, np.float64(2.5)),
    "setitem_numpy_int_values": lambda m: _set(_set(_o(m, 3), 0, np.int8(-2)), 1, np.uint8(7)),
    "setitem_complex_into_bool": lambda m: _set(m.ones(2, dtype=m.bool), 0, 0j),
    # views share memory as torch's
    "view_alias": lambda m: _alias(m, lambda x: x.view(6), _w0),
    "reshape_alias": lambda m: _alias(m, lambda x: x.reshape(6), _w0),
    "T_alias": lambda m: _alias(m, lambda x: x.T, _w0),
    "T_reshape_copies": lambda m: _alias(m, lambda x: x.T.reshape(6), _w0),
    "select_alias": lambda m: _alias(m, lambda x: x[1], _w0),
    "slice_alias": lambda m: _alias(m, lambda x: x[:, 1:], lambda v: v.mul_(2)),
    "advanced_index_copies": lambda m: _alias(m, lambda x: x[m.tensor([0])], lambda v: v.mul_(2)),
    "detach_alias": lambda m: _alias(m, lambda x: x.detach(), lambda v: v.mul_(2)),
    "view_of_row_slice": lambda m: m.arange(6.0).reshape(2, 3)[1:].view(3),
    "view_of_step": lambda m: m.arange(6.0)[::2].view(3),
    "contiguous_then_view": lambda m: m.arange(6.0).reshape(2, 3).T.contiguous().view(6),
    "is_contiguous_T": lambda m: m.arange(6.0).reshape(2, 3).T.is_contiguous(),
    # numerics: NaN and inf where torch gives them
    "log_of_negative": lambda m: m.tensor([-1.0, 0.0, 1.0]).log(),
    "sqrt_of_negative": lambda m: m.tensor([-1.0, 0.0, 4.0]).sqrt(),
    "div_by_zero": lambda m: m.tensor([1.0, -1.0, 0.0]) / 0,
    "int_div_by_zero": lambda m: m.tensor([1, -1, 0]) / 0,
    "pow_negative_base_half": lambda m: m.tensor([-8.0, 4.0]) ** 0.5,
    "pow_zero_negative": lambda m: m.tensor([0.0]) ** -1,
    **SPECIALS,
    "pow_zero_zero": lambda m: m.tensor([0.0]) ** 0,
    "pow_grad_at_zero": lambda m: grads(
        m, lambda x: x**2, m.tensor([0.0, -1.0], requires_grad=True)
    ),
    "pow_0_grad": lambda m: grads(m, lambda x: x**0, m.tensor([0.0, -1.0], requires_grad=True)),
    "pow_half_grad_at_zero": lambda m: grads(
        m, lambda x: x**0.5, m.tensor([0.0, 4.0], requires_grad=True)
    ),
    "pow_tensor_grad_zero_base": lambda m: grads(
        m,
        lambda x, e: x**e,
        m.tensor([0.0, 2.0], requires_grad=True),
        m.tensor([2.0, 0.0], requires_grad=True),
    ),
    "sqrt_grad_at_zero": lambda m: grads(m, m.sqrt, m.tensor([0.0, 4.0], requires_grad=True)),
    "log_grad_at_zero": lambda m: grads(m, m.log, m.tensor([0.0, 4.0], requires_grad=True)),
    "abs_grad_at_zero": lambda m: grads(m, m.abs, m.tensor([0.0, -2.0, 2.0], requires_grad=True)),
    "relu_grad_at_zero": lambda m: grads(m, m.relu, m.tensor([0.0, -2.0, 2.0], requires_grad=True)),
    "clamp_grad_at_bounds": lambda m: grads(
        m, lambda x: x.clamp(0.0, 1.0), m.tensor([0.0, 1.0, 0.5, 2.0], requires_grad=True)
    ),
    "clamp_min_above_max": lambda m: grads(
        m, lambda x: x.clamp(2.0, 1.0), m.tensor([0.0, 1.5, 3.0], requires_grad=True)
    ),
    "clamp_tensor_min_above_max": lambda m: grads(
        m,
        lambda x: x.clamp(m.tensor(2.0), m.tensor(1.0)),
        m.tensor([0.0, 1.5, 3.0], requires_grad=True),
    ),
    "clamp_nan": lambda m: m.tensor([NAN, 1.0]).clamp(0.0, 0.5),
    "clamp_nan_grad": lambda m: grads(
        m, lambda x: x.clamp(0.0, 0.5), m.tensor([NAN, 1.0], requires_grad=True)
    ),
    "relu_nan": lambda m: m.tensor([NAN, -1.0]).relu(),
    "relu_nan_grad": lambda m: grads(
        m, lambda x: x.relu(), m.tensor([NAN, -1.0, -0.0, 0.0, 2.0], requires_grad=True)
    ),
    "relu_nan_forward_mode": lambda m: m.func.jvp(
        lambda x: x.relu(), (m.tensor([NAN, -1.0, -0.0, 0.0, 2.0]),), (m.ones(5),)
    ),
    "softmax_inf": lambda m: F(m).softmax(m.tensor([INF, 0.0]), dim=0),
    "softmax_neg_inf_grad": lambda m: grads(
        m, lambda x: x.softmax(0), m.tensor([-INF, -INF, 0.0], requires_grad=True)
    ),
    "log_softmax_inf_grad": lambda m: grads(
        m, lambda x: x.log_softmax(1), m.tensor([[INF, 0.0], [-INF, 0.0]], requires_grad=True)
    ),
    "ce_inf_logit_grad": lambda m: grads(
        m,
        lambda x: F(m).cross_entropy(x, m.tensor([0, 1, 2])),
        m.tensor([[INF, 0.0, 1.0], [-INF, -INF, -INF], [-INF, 0.0, 1.0]], requires_grad=True),
    ),
    "nll_weight_0_neg_inf": lambda m: grads(
        m,
        lambda x: F(m).nll_loss(
            x, m.tensor([0, 1, -100]), weight=m.tensor([0.0, 1.0, 2.0]), reduction="none"
        ),
        m.tensor([[-INF, 0.0, 1.0], [1.0, 0.0, 1.0], [-INF, 0.0, 1.0]], requires_grad=True),
    ),
    "nll_weight_0_neg_inf_mean": lambda m: F(m).nll_loss(
        m.tensor([[-INF, 0.0], [1.0, 0.0]]), m.tensor([0, 1]), weight=m.tensor([0.0, 1.0])
    ),
    # losses
    "ce_sum": lambda m: grads(
        m, lambda x: F(m).cross_entropy(x, m.tensor([0, 2]), reduction="sum"), L(m, 2, 3)
    ),
    "ce_none": lambda m: grads(
        m, lambda x: F(m).cross_entropy(x, m.tensor([0, 2]), reduction="none"), L(m, 2, 3)
    ),
    "ce_weight": lambda m: grads(
        m,
        lambda x: F(m).cross_entropy(x, m.tensor([0, 2]), weight=m.tensor([1.0, 2.0, 3.0])),
        L(m, 2, 3),
    ),
    "ce_label_smoothing": lambda m: grads(
        m, lambda x: F(m).cross_entropy(x, m.tensor([0, 2]), label_smoothing=0.1), L(m, 2, 3)
    ),
    "ce_0d_target": lambda m: F(m).cross_entropy(m.tensor([1.0, 2.0, 3.0]), m.tensor(1)),
    "ce_f64_input": lambda m: F(m).cross_entropy(m.ones(2, 3, dtype=m.float64), m.tensor([0, 1])),
    "nll_ignore_index": lambda m: grads(
        m, lambda x: F(m).nll_loss(x, m.tensor([5, 1]), ignore_index=5), L(m, 2, 3)
    ),
    "mse_none": lambda m: grads(
        m, lambda x: F(m).mse_loss(x, m.zeros(2, 3), reduction="none"), L(m, 2, 3)
    ),
    "mse_sum": lambda m: grads(
        m, lambda x: F(m).mse_loss(x, m.zeros(2, 3), reduction="sum"), L(m, 2, 3)
    ),
    "mse_broadcast_warns_and_computes": lambda m: F(m).mse_loss(_o(m, 3, 1), _o(m, 3)),
    # dtypes that match
    "f64_leaf_times_f32_grads": lambda m: grads(
        m, lambda a, b: a * b, m.ones(3, dtype=m.float64, requires_grad=True), L(m)
    ),
    "int_times_rg": lambda m: grads(m, lambda a: m.arange(3) * a, L(m)),
    "bool_times_rg": lambda m: grads(m, lambda a: m.tensor([True, False, True]) * a, L(m)),
    "int_div_rg": lambda m: grads(m, lambda a: m.arange(1, 4) / a, L(m)),
    "bool_div_bool": lambda m: m.tensor([True, False]) / m.tensor([True, True]),
    "int_eq_float": lambda m: m.arange(3) == 1.0,
    "compare_requires_grad": lambda m: L(m) > 1.5,
    "compare_reflected": lambda m: 2 > L(m),
    "cat_int32_int64": lambda m: m.cat([m.arange(2, dtype=m.int32), m.arange(2)]),
    "stack_f32_f64": lambda m: m.stack([_o(m, 2), m.ones(2, dtype=m.float64)]),
    "pow_int_by_f32_tensor": lambda m: m.arange(2) ** _o(m, 2),
    "rdiv_of_f64": lambda m: 3 / m.arange(1, 3, dtype=m.float64),
    "int_tanh": lambda m: m.tensor([1]).tanh(),
    "f16_mean": lambda m: m.ones(3, dtype=m.float16).mean(),
    "to_long_of_rg": lambda m: L(m).to(m.int64),
    "double_of_rg": lambda m: L(m).double(),
    "tensor_of_tensors": lambda m: m.tensor([m.tensor(1.0), m.tensor(2.0)]),
    "tensor_from_numpy_int32": lambda m: m.tensor(np.array([1, 2], dtype=np.int32)),
    "tensor_from_mixed_bool_int": lambda m: m.tensor([True, 2]),
    # autograd edge cases that match
    "backward_1x1_root": lambda m: (lambda x: ((x * 2).sum().reshape(1, 1).backward(), x.grad)[1])(
        L(m)
    ),
    "backward_int_gradient": lambda m: (
        lambda x: ((x * 2).backward(m.tensor([1, 1, 1])), x.grad)[1]
    )(L(m)),
    "leaf_backward": lambda m: (lambda x: (x.backward(), x.grad)[1])(
        m.tensor(2.0, requires_grad=True)
    ),
    "hook_scales_leaf_grad": lambda m: leaf_hook(m, lambda g: g * 10),
    "hook_scales_nonleaf_grad": lambda m: nonleaf_hook(m, lambda g: g * 10),
    "retain_grad_nonleaf": lambda m: (
        lambda x: (lambda y: (y.retain_grad(), (y * y).sum().backward(), y.grad)[2])(x * 2)
    )(L(m)),
    "backward_inputs_only_x": lambda m: (
        lambda x, w: ((x * w).sum().backward(inputs=[x]), x.grad, w.grad)[1:]
    )(L(m), L(m)),
    "grad_allow_unused": lambda m: (
        lambda x: m.autograd.grad((x * 2).sum(), [x, L(m)], allow_unused=True)
    )(L(m)),
    "inplace_view_then_backward": lambda m: (
        lambda x: (lambda y: (y[1:].mul_(2), y.sum().backward(), x.grad)[2])(x * 1)
    )(L(m)),
    "fill_by_rg_0d": lambda m: (
        lambda s: (lambda t: (t.fill_(s), t.sum().backward(), s.grad)[2])(_o(m, 3) * 1)
    )(m.tensor(2.0, requires_grad=True)),
    "broadcast_0d_grad": lambda m: (lambda s: ((s * L(m)).sum().backward(), s.grad)[1])(
        m.tensor(2.0, requires_grad=True)
    ),
    "broadcast_col_row_grads": lambda m: grads(
        m, lambda a, b: a * b * m.arange(12.0).reshape(3, 4), L(m, 3, 1), L(m, 1, 4)
    ),
    # --- wrong today
    "max_nan_grad": lambda m: grads(
        m, lambda x: x.max(), m.tensor([1.0, NAN, 3.0], requires_grad=True)
    ),
    "min_nan_grad": lambda m: grads(
        m, lambda x: x.min(), m.tensor([1.0, NAN, 3.0], requires_grad=True)
    ),
    "max_two_nans_grad": lambda m: grads(
        m, lambda x: x.max(), m.tensor([NAN, NAN, 3.0], requires_grad=True)
    ),
    "maximum_nan_grad": lambda m: grads(
        m,
        lambda x, y: m.maximum(x, y),
        m.tensor([1.0, NAN, 3.0], requires_grad=True),
        m.tensor([NAN, 0.0, 0.0], requires_grad=True),
    ),
    "sum_0d_dim0": lambda m: grads(m, lambda x: x.sum(0), m.tensor(2.0, requires_grad=True)),
    "sum_0d_dim_neg1": lambda m: m.tensor(2.0).sum(-1),
    "mean_0d_dim0_keepdim": lambda m: grads(
        m, lambda x: x.mean(0, keepdim=True), m.tensor(2.0, requires_grad=True)
    ),
    "max_0d_dim0": lambda m: grads(m, lambda x: x.max(0).values, m.tensor(2.0, requires_grad=True)),
    "min_0d_dim_neg1": lambda m: m.tensor(2.0).min(-1),
    "transpose_0d": lambda m: grads(
        m, lambda x: x.transpose(0, -1), m.tensor(2.0, requires_grad=True)
    ),
    "sum_dim_none_keepdim": lambda m: grads(m, lambda x: x.sum(dim=None, keepdim=True), L(m, 2, 3)),
    "mean_dim_none_keepdim": lambda m: grads(
        m, lambda x: x.mean(dim=None, keepdim=True), L(m, 2, 3)
    ),
    "argmax_keepdim_no_dim": lambda m: m.arange(6.0).reshape(2, 3).argmax(keepdim=True),
    "index_true": lambda m: m.arange(4.0)[True],
    "index_false": lambda m: m.arange(4.0)[False],
    "index_empty_list": lambda m: m.arange(4)[[]],
    "cat_empty_1d_with_2d": lambda m: m.cat([_o(m, 2, 3), m.ones(0)]),
    "cat_int_float": lambda m: grads(m, lambda x: m.cat([m.arange(2), x]), L(m)),
    "stack_int_float": lambda m: m.stack([m.arange(2), _o(m, 2)]),
    "maximum_f32_int64": lambda m: grads(m, lambda x: m.maximum(x, m.arange(3)), L(m)),
    "maximum_f32_f64_0d": lambda m: m.maximum(_o(m, 2), m.tensor(0.5, dtype=m.float64)),
    "max_binary_int_0d": lambda m: m.max(_o(m, 2, 3), m.tensor(1)),
    "clamp_tensor_bounds_f64": lambda m: m.ones(2).clamp(
        m.tensor(0.0, dtype=m.float64), m.tensor(0.5, dtype=m.float64)
    ),
    "clamp_tensor_bounds_int": lambda m: grads(
        m, lambda x: x.clamp(m.tensor(0), m.tensor(2)), L(m)
    ),
    "clamp_int_by_float_tensors": lambda m: m.arange(3).clamp(m.tensor(0.5), m.tensor(1.5)),
    "rdiv_int_tensor": lambda m: 3 / m.arange(1, 3),
    "div_fn_scalar_by_int_tensor": lambda m: m.div(3, m.arange(1, 3)),
    "reciprocal_int": lambda m: m.arange(1, 3).reciprocal(),
    "mse_f32_f64": lambda m: grads(
        m, lambda x: F(m).mse_loss(x, m.zeros(3, dtype=m.float64)), L(m)
    ),
    "bool_pow_int": lambda m: m.tensor([True, False]) ** 2,
    "int_pow_int_tensor_negative": lambda m: m.tensor([2, 3]) ** m.tensor([-1, 2]),
    "rpow_int_negative": lambda m: 2 ** m.tensor([-1, 2]),
    "tensor_of_empty_nested": lambda m: m.tensor([[]]),
    "eq_none": lambda m: _o(m, 2) == None,  # noqa: E711 - the comparison under test
    "eq_str": lambda m: _o(m, 2) == "a",
    "ce_probability_targets": lambda m: grads(
        m,
        lambda x: F(m).cross_entropy(x, m.tensor([[0.2, 0.3, 0.5], [1.0, 0.0, 0.0]])),
        L(m, 2, 3),
    ),
    "ce_k_dim": lambda m: F(m).cross_entropy(m.ones(2, 3, 4), m.zeros(2, 4, dtype=m.int64)),
    "nll_k_dim": lambda m: F(m).nll_loss(m.ones(2, 3, 4), m.zeros(2, 4, dtype=m.int64)),
    "mean_dtype_kwarg": lambda m: m.arange(4).mean(dtype=m.float32),
    # NumPy operands and functions meet tensors as they meet torch's
    "numpy_scalar_times_leaf": lambda m: grads(m, lambda x: np.float64(3.0) * x, L(m)),
    "numpy_scalar_minus_leaf": lambda m: grads(m, lambda x: np.float64(3.0) - x, L(m)),
    "numpy_float32_plus_leaf": lambda m: grads(m, lambda x: np.float32(2.0) + x, L(m)),
    "numpy_int_times_leaf": lambda m: grads(m, lambda x: np.int64(2) * x, L(m)),
    "numpy_scalar_over_leaf": lambda m: grads(m, lambda x: np.float64(3.0) / x, L(m)),
    "numpy_function_of_tensor": lambda m: np.exp(m.tensor([0.0, 1.0])),
    "numpy_asarray_of_tensor": lambda m: m.tensor(np.asarray(m.tensor([1.0, 2.0]))),
    "tensor_of_one_element_tensors": lambda m: m.tensor([m.tensor([1.0]), m.tensor(2.0), 3]),
    "tensor_of_int_tensors": lambda m: m.tensor([m.tensor(1), m.tensor(2)]),
}


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("fn", params(VALUES))
def test_value(fn):
    check_value(fn)


# --------------------------------------------------------------------------- warnings


def _softmax_double_backward(m, logits):
    """The gradient of the sum of softmax's gradient, for ``logits``."""
    x = m.tensor(logits, requires_grad=True)
    (g,) = m.autograd.grad((x.softmax(0) * m.tensor([1.0, 2.0])).sum(), x, create_graph=True)
    return m.autograd.grad(g.sum(), x)


WARNINGS = {
    "mse_loss_broadcast": lambda m: F(m).mse_loss(_o(m, 3), _o(m, 2, 3)),
    "mse_loss_column": lambda m: F(m).mse_loss(_o(m, 3, 1), _o(m, 3)),
    "nonleaf_grad": lambda m: (L(m) * 2).grad,
    "log_of_negative": lambda m: m.tensor([-1.0, 0.0]).log(),
    "sqrt_of_negative": lambda m: m.tensor([-1.0]).sqrt(),
    "sqrt_grad_at_zero": lambda m: m.tensor([0.0], requires_grad=True).sqrt().sum().backward(),
    "T_of_2d": lambda m: _o(m, 2, 3).T,
    "div_by_zero": lambda m: m.tensor([1.0, 0.0]) / 0,
    "int_div_by_zero": lambda m: m.tensor([1, 0]) / 0,
    "pow_negative_half": lambda m: m.tensor([-8.0]) ** 0.5,
    "pow_negative_third": lambda m: m.pow(m.tensor([-8.0]), 1 / 3),
    "pow_zero_negative": lambda m: m.tensor([0.0]) ** -1,
    **SPECIALS,
    "pow_zero_negative_half": lambda m: m.tensor([0.0, 4.0]) ** -0.5,
    "pow_negative_nan_exponent": lambda m: m.tensor([-1.0]) ** float("nan"),
    "mean_empty": lambda m: m.ones(0).mean(),
    "mean_empty_dim": lambda m: m.ones(0, 3).mean(0),
    "softmax_neg_inf": lambda m: F(m).softmax(m.tensor([-INF, -INF]), dim=0),
    "softmax_inf": lambda m: F(m).softmax(m.tensor([INF, 0.0]), dim=0),
    "log_softmax_neg_inf": lambda m: F(m).log_softmax(m.tensor([-INF, -INF]), dim=0),
    "log_softmax_inf": lambda m: F(m).log_softmax(m.tensor([[INF, 0.0], [1.0, INF]]), dim=1),
    "softmax_inf_backward": lambda m: grads(
        m, lambda x: x.softmax(0), m.tensor([INF, 0.0], requires_grad=True)
    ),
    "softmax_backward_inf_grad": lambda m: (
        F(m)
        .softmax(m.tensor([-INF, 0.0], requires_grad=True), dim=0)
        .backward(m.tensor([INF, 1.0]))
    ),
    "log_softmax_backward_inf_grad": lambda m: (
        m.tensor([-INF, 0.0], requires_grad=True).log_softmax(0).backward(m.tensor([1.0, INF]))
    ),
    "softmax_double_backward_inf": lambda m: _softmax_double_backward(m, [INF, 0.0]),
    "ce_inf_logit": lambda m: grads(
        m,
        lambda x: F(m).cross_entropy(x, m.tensor([0, 1])),
        m.tensor([[INF, 0.0, 1.0], [-INF, -INF, -INF]], requires_grad=True),
    ),
    "ce_label_smoothing_inf_logit": lambda m: grads(
        m,
        lambda x: F(m).cross_entropy(x, m.tensor([0]), label_smoothing=0.1),
        m.tensor([[INF, 0.0, 1.0]], requires_grad=True),
    ),
    "ce_ignored_sample_neg_inf_logit": lambda m: grads(
        m,
        lambda x: F(m).cross_entropy(x, m.tensor([-100, 1])),
        m.tensor([[-INF, 0.0, 1.0], [0.0, 1.0, 2.0]], requires_grad=True),
    ),
    "ce_label_smoothing_weight_neg_inf_logit": lambda m: grads(
        m,
        lambda x: F(m).cross_entropy(
            x, m.tensor([1]), weight=m.tensor([0.0, 1.0, 2.0]), label_smoothing=0.1
        ),
        m.tensor([[-INF, 0.0, 1.0]], requires_grad=True),
    ),
    "nll_weight_0_neg_inf": lambda m: grads(
        m,
        lambda x: F(m).nll_loss(x, m.tensor([0]), weight=m.tensor([0.0, 1.0, 2.0])),
        m.tensor([[-INF, 0.0, 1.0]], requires_grad=True),
    ),
    "ce_probs_neg_inf_logit": lambda m: grads(
        m,
        lambda x: F(m).cross_entropy(x, m.tensor([[0.0, 0.5, 0.5], [0.2, 0.3, 0.5]])),
        m.tensor([[-INF, 0.0, 1.0], [INF, 0.0, 1.0]], requires_grad=True),
    ),
    "ce_probs_weight_inf_logit": lambda m: grads(
        m,
        lambda x: F(m).cross_entropy(
            x, m.tensor([[0.0, 0.5, 0.5]]), weight=m.tensor([1.0, 0.0, 2.0])
        ),
        m.tensor([[0.0, INF, 1.0]], requires_grad=True),
    ),
    "ce_all_ignored": lambda m: F(m).cross_entropy(L(m, 2, 3), m.tensor([-100, -100])),
    "nll_all_ignored": lambda m: F(m).nll_loss(L(m, 2, 3), m.tensor([-100, -100])),
    "max_nan_backward": lambda m: m.tensor([1.0, NAN], requires_grad=True).max().backward(),
    "pow_half_backward_at_zero": lambda m: (
        (m.tensor([0.0], requires_grad=True) ** 0.5).sum().backward()
    ),
    "mse_empty": lambda m: F(m).mse_loss(m.ones(0), m.ones(0)),
    "tensor_of_rg_tensor": lambda m: m.tensor(L(m)),
    "where_uint8_condition": lambda m: m.where(
        m.tensor([1, 0], dtype=m.uint8), _o(m, 2), m.zeros(2)
    ),
}


@pytest.mark.parametrize("fn", params(WARNINGS))
def test_warns_as_torch(fn):
    check_warns_as_torch(fn)


# --------------------------------------------------------------------------- repr


REPRS = {
    "f64_0d": lambda m: m.tensor(1 / 3, dtype=m.float64),
    "f16_0d": lambda m: m.tensor(1.5, dtype=m.float16),
    "int32_0d": lambda m: m.tensor(3, dtype=m.int32),
    "int8": lambda m: m.tensor([1, -2], dtype=m.int8),
    "bool_false_0d": lambda m: m.tensor(False),
    "empty_bool": lambda m: m.zeros(0, dtype=m.bool),
    "empty_int32": lambda m: m.zeros(0, dtype=m.int32),
    "empty_requires_grad": lambda m: m.zeros(0, requires_grad=True),
    "empty_3d": lambda m: m.zeros(2, 0, 3),
    "empty_grad_fn": lambda m: m.zeros(0, requires_grad=True) * 2,
    "0d_requires_grad": lambda m: m.tensor(2.0, requires_grad=True),
    "0d_sci": lambda m: m.tensor(1e-7),
    "0d_inf": lambda m: m.tensor(INF),
    "big_and_one": lambda m: m.tensor([1e20, 1.0]),
    "mixed_sci": lambda m: m.tensor([-1e-10, 1e10]),
    "precise": lambda m: m.tensor([0.123456789, 10.5]),
    "int_valued_1e8": lambda m: m.tensor([1e8, 1.0]),
    "f64_thirds": lambda m: m.tensor([1 / 3, 2 / 3], dtype=m.float64),
    "summarised_1001": lambda m: m.arange(1001, dtype=m.float32),
    "summarised_requires_grad": lambda m: m.ones(2000, requires_grad=True),
    "summarised_grad_fn": lambda m: m.ones(2000, requires_grad=True) * 2,
    "summarised_tall": lambda m: m.arange(2000).reshape(1000, 2),
    "summarised_bool": lambda m: m.zeros(1200, dtype=m.bool),
    "summarised_4d": lambda m: m.arange(1296, dtype=m.float32).reshape(6, 6, 6, 6),
    "wrapped_negatives": lambda m: -m.arange(30, dtype=m.float32) / 3,
    "wrapped_bools": lambda m: m.ones(30, dtype=m.bool),
    "3d_grad_fn": lambda m: m.ones(2, 2, 2, requires_grad=True) * 2,
    "max_indices": lambda m: L(m).max(0).indices,
    "str_of_sum": lambda m: L(m).sum(),
    "max_dim_result": lambda m: m.tensor([[1.0, 5.0], [3.0, 2.0]]).max(1),
    # complex: real and imaginary parts formatted apart, joined with their sign
    "complex_mixed": lambda m: m.tensor([1j, 2 + 3.5j, -1.25 - 0.5j]),
    "complex_sci_imag": lambda m: m.tensor([[1 + 1j, 1e5j], [0j, 3]]),
    "complex_0d": lambda m: m.tensor(1j),
    "complex_negative_zero": lambda m: m.tensor(complex(0.0, -0.0)),
    "complex_specials": lambda m: m.tensor([complex(NAN, 1), complex(INF, -2)]),
    "complex128_wrapped": lambda m: m.arange(30, dtype=m.float64).reshape(3, 10) * (1 + 0.5j),
    "complex_requires_grad": lambda m: m.tensor([1 + 2j, 3j], requires_grad=True),
    "complex_summarised": lambda m: m.arange(1200, dtype=m.float32) * (1 - 1j),
    # an int tensor and a Python complex: the default complex dtype, as torch
    "int_times_complex": lambda m: m.arange(3) * (1 + 0.5j),
    # lines break where torch's do (gradscope.float64 measured as torch.float64)
    "f64_requires_grad_wrapped": lambda m: m.arange(20, dtype=m.float64).requires_grad_(),
    "f64_grad_fn_near_80_cols": lambda m: (
        m.tensor([NAN, 5.157e-06], dtype=m.float64, requires_grad=True) * 1
    ),
}


@pytest.mark.parametrize("fn", params(REPRS))
def test_repr(fn):
    ours, theirs = norm(repr(fn(gs))), repr(fn(torch))
    fail_unless(ours == theirs, lambda: f"\ngradscope: {ours}\ntorch:     {theirs}")


def test_scalar_of_a_tensor_that_requires_grad_warns_once_a_process_as_torch():
    """``float(x)`` and ``tensor([x, ...])`` of tensors that require grad: torch's warning,
    once a process (so each library runs in a fresh interpreter here)."""
    script = (
        "import warnings, {m} as t\n"
        "warnings.simplefilter('always')\n"
        "x = t.tensor([1.0, 2.0], requires_grad=True)\n"
        "print(float(x[0] * 2), int(x[1].detach()), x[0].item())\n"
        "print(t.tensor([x[0] * 2, 0.25]).tolist())\n"
        "float(x[1])\n"
    )
    runs = []
    for m in ("torch", "gradscope"):
        r = subprocess.run(
            [sys.executable, "-c", script.format(m=m)], capture_output=True, text=True, timeout=60
        )
        assert r.returncode == 0, r.stderr
        warned = [line for line in r.stderr.splitlines() if "Warning" in line]
        runs.append((r.stdout, [w.split("UserWarning: ", 1)[1] for w in warned]))
    assert runs[0] == runs[1]
    assert len(runs[1][1]) == 1
