"""Bad arguments get torch's exception, never a raw Python or NumPy error from inside
gradscope, nor a result where torch refuses.

Where torch's message comes from its argument parser (a float, list, None or bool where
a dim goes), gradscope's is a one-line message of the same type naming the argument;
elsewhere it is torch's own (see tests/parity.py).
"""

from __future__ import annotations

import numpy as np
import pytest

import gradscope as gs
from tests.parity import check_error, check_value, outcome, params

torch = pytest.importorskip("torch", reason="torch is the reference for parity tests")


def X(m, *shape):  # noqa: N802 - short, for the tables
    return m.ones(*shape) if shape else m.tensor(1.0)


ERRORS = {
    "flatten_0d_start_out_of_range": lambda m: X(m).flatten(-2, 4),
    "flatten_0d_end_out_of_range": lambda m: X(m).flatten(0, 1),
    "argmax_of_bools": lambda m: m.tensor([[True, False], [False, True]]).argmax(1),
    "argmin_of_bools": lambda m: m.tensor([True, False]).argmin(),
    # nn.functional's arguments
    "local_response_norm_size_0_3d": lambda m: m.nn.functional.local_response_norm(
        X(m, 1, 3, 4), 0
    ),
    "local_response_norm_size_0_4d": lambda m: m.nn.functional.local_response_norm(
        X(m, 1, 3, 2, 2), 0
    ),
    "instance_norm_running_var_alone": lambda m: m.nn.functional.instance_norm(
        X(m, 2, 3, 2, 2), None, X(m, 3), None, None, use_input_stats=True
    ),
    "instance_norm_running_mean_alone": lambda m: m.nn.functional.instance_norm(
        X(m, 2, 3, 2, 2), X(m, 3), None
    ),
    "cosine_similarity_negative_eps": lambda m: m.nn.functional.cosine_similarity(
        X(m, 4, 2, 3), X(m, 1, 3), dim=2, eps=-1.0
    ),
    "threshold_value_none": lambda m: m.nn.functional.threshold(X(m, 2, 3), 0.1, None),
    "threshold_none": lambda m: m.nn.functional.threshold(X(m, 2), None, 1.0),
    "embedding_float_padding_idx": lambda m: m.nn.functional.embedding(
        m.tensor([[0, 1]]), X(m, 5, 3), padding_idx=1.5
    ),
    "matrix_power_float": lambda m: m.linalg.matrix_power(X(m, 2, 3, 3), 1.5),
    "adaptive_avg_pool2d_empty_plane": lambda m: m.nn.functional.adaptive_avg_pool2d(
        X(m, 2, 2, 5, 0), 7
    ),
    "adaptive_avg_pool1d_empty_plane": lambda m: m.nn.functional.adaptive_avg_pool1d(
        X(m, 2, 3, 0), 2
    ),
    "avg_pool1d_negative_stride": lambda m: m.nn.functional.avg_pool1d(
        X(m, 2, 2, 5), kernel_size=7, stride=(-1,), padding=(0,)
    ),
    "avg_pool2d_negative_stride": lambda m: m.nn.functional.avg_pool2d(X(m, 1, 4, 4), 2, stride=-1),
    "avg_pool2d_float_divisor": lambda m: m.nn.functional.avg_pool2d(
        X(m, 3, 5, 4), kernel_size=1, divisor_override=1.5
    ),
    "group_norm_negative_groups": lambda m: m.nn.functional.group_norm(X(m, 2, 6), -1),
    "group_norm_float_groups": lambda m: m.nn.functional.group_norm(X(m, 2, 6), 1.5),
    "batch_norm_running_mean_alone": lambda m: m.nn.functional.batch_norm(
        X(m, 4, 3), X(m, 3), None, X(m, 3), X(m, 3), training=True
    ),
    "lerp_unbroadcastable": lambda m: m.lerp(X(m, 3, 2), X(m, 0), 0.5),
    "lerp_weight_unbroadcastable": lambda m: m.lerp(X(m, 3, 2), X(m, 2), X(m, 4)),
    "lerp__unbroadcastable": lambda m: X(m, 2, 3).lerp_(X(m, 4), 0.3),
    "addcmul_unbroadcastable": lambda m: m.addcmul(X(m, 2, 3), X(m), X(m, 4), value=1),
    "addcmul__unbroadcastable": lambda m: X(m, 2, 3).addcmul_(X(m, 3), X(m, 4)),
    "addcdiv_unbroadcastable": lambda m: m.addcdiv(X(m, 2), X(m, 3), X(m, 2)),
    "cat_none": lambda m: m.cat(None),
    "cat_number": lambda m: m.cat(1.5),
    "cat_a_generator": lambda m: m.cat(t for t in [X(m, 2)]),
    "cat_element_none": lambda m: m.cat([X(m, 2, 3), None], dim=-2),
    "cat_element_list": lambda m: m.cat([X(m, 2), [1.0]]),
    "stack_element_none": lambda m: m.stack([X(m, 2, 3), None]),
    "stack_none": lambda m: m.stack(None),
    "hstack_element_none": lambda m: m.hstack([X(m, 2), None]),
    "vstack_element_number": lambda m: m.vstack((X(m, 2), 2)),
    "full_of_a_vector": lambda m: m.full((2, 3), X(m, 2)),
    "full_of_a_string": lambda m: m.full((2,), "a"),
    "bilinear_4d_weight": lambda m: m.nn.functional.bilinear(X(m, 3), X(m, 4), X(m, 5, 3, 4, 1)),
    "bilinear_2d_weight": lambda m: m.nn.functional.bilinear(X(m, 2, 3), X(m, 2, 4), X(m, 5, 3)),
    "normalize_negative_p_over_nothing": lambda m: m.nn.functional.normalize(
        X(m, 2, 0), p=-1, dim=1
    ),
    "vector_norm_negative_ord_of_empty": lambda m: m.linalg.vector_norm(X(m, 0), -0.5),
    "norm_negative_p_over_nothing": lambda m: X(m, 2, 0).norm(-1, 1),
    "clamp_number_and_tensor": lambda m: X(m, 3, 2).clamp(0.0, X(m, 2)),
    "clamp_tensor_and_number": lambda m: X(m, 3).clamp(X(m, 3), -1.0),
    "clamp__number_and_tensor": lambda m: X(m, 3).clamp_(0.0, X(m, 3)),
    "clamp_0d_tensor_that_requires_grad_and_number": lambda m: X(m, 3).clamp(
        m.tensor(-0.5, requires_grad=True), 0.5
    ),
    "max_pool1d_of_integers": lambda m: m.nn.functional.max_pool1d(
        m.ones(1, 3, 4, dtype=m.int64), kernel_size=(1,), ceil_mode=True
    ),
}

VALUES = {
    "adaptive_avg_pool2d_to_1x1_of_an_empty_plane": lambda m: m.nn.functional.adaptive_avg_pool2d(
        X(m, 2, 0, 5, 3), 1
    ),
    "adaptive_avg_pool2d_of_no_channels_3d": lambda m: m.nn.functional.adaptive_avg_pool2d(
        X(m, 0, 5, 3), 2
    ),
    "threshold_of_ints": lambda m: m.nn.functional.threshold(X(m, 2), 1, 2),
    "clamp_tensor_and_none": lambda m: X(m, 3).clamp(None, X(m, 3) * 0.5),
    "clamp_0d_tensor_and_number": lambda m: X(m, 3).clamp(m.tensor(-0.5, dtype=m.float64), 0.5),
    "clamp_number_and_0d_tensor": lambda m: X(m, 3).clamp(0.0, m.tensor(0.5)),
    "full_of_a_0d_tensor": lambda m: m.full((2,), m.tensor(2.0)),
    "cat_of_a_tuple": lambda m: m.cat((X(m, 2), X(m, 1))),
    "embedding_negative_padding_idx": lambda m: m.nn.functional.embedding(
        m.tensor([[0, 1]]), X(m, 5, 3), padding_idx=-1
    ),
}


@pytest.mark.parametrize("fn", params(VALUES))
def test_value(fn):
    check_value(fn)


@pytest.mark.parametrize("fn", params(ERRORS))
def test_error(fn):
    check_error(fn)


# a dim that is not an int: torch's parser refuses it (TypeError)
NOT_INT_DIMS = {
    "max_list": lambda m: X(m, 2, 3).max([0, 1]),
    "sum_float": lambda m: X(m, 2, 3).sum(dim=1.5),
    "sum_tuple_with_float": lambda m: X(m, 2, 3).sum(dim=(0, 1.0)),
    "transpose_float": lambda m: X(m, 2, 3).transpose(1.0, 0),
    "softmax_str": lambda m: X(m, 2, 3).softmax(dim="a"),
    "softmax_bool": lambda m: X(m, 2, 3).softmax(dim=True),
    "unsqueeze_none": lambda m: X(m, 2, 3).unsqueeze(None),
    "unsqueeze_bool": lambda m: X(m, 2, 3).unsqueeze(True),
    "argmax_float": lambda m: X(m, 2, 3).argmax(1.0),
    "cat_float": lambda m: m.cat([X(m, 2), X(m, 2)], dim=1.0),
    "narrow_float": lambda m: X(m, 2, 3).narrow(1.0, 0, 1),
    "sum_bool": lambda m: X(m, 2, 3).sum(dim=True),
    "gather_float": lambda m: X(m, 2, 3).gather(0.5, m.zeros(1, 1, dtype=m.int64)),
}


@pytest.mark.parametrize("case", NOT_INT_DIMS)
def test_a_dim_that_is_not_an_int_is_a_one_line_type_error(case):
    fn = NOT_INT_DIMS[case]
    te, _ = outcome(fn, torch)
    ge, _ = outcome(fn, gs)
    assert type(te) is TypeError
    assert type(ge) is TypeError, repr(ge)
    assert str(ge).startswith("argument 'dim' must be int, not "), str(ge)
    assert "\n" not in str(ge)


def test_a_numpy_int_is_a_dim():
    x = gs.ones(2, 3)
    assert x.sum(dim=np.int64(1)).shape == (2,)
    assert x.transpose(np.int32(0), 1).shape == (3, 2)


@pytest.mark.parametrize("name", gs._TENSOR_FIRST)
@pytest.mark.parametrize("first", [1.5, [1.0, 2.0], None, np.float32(1.0)], ids=repr)
def test_the_namespace_refuses_a_first_argument_that_is_not_a_tensor(name, first):
    """As torch's parser does, with its message (never an AttributeError from inside)."""
    te, _ = outcome(lambda m: getattr(m, name)(first), torch)
    ge, _ = outcome(lambda m: getattr(m, name)(first), gs)
    assert type(ge) is TypeError, repr(ge)
    if "must be Tensor, not" in str(te):
        assert str(ge) == str(te)


@pytest.mark.parametrize("name", gs.nn.functional._TENSOR_FIRST)
@pytest.mark.parametrize("first", [1.5, None, np.float32(1.0)], ids=repr)
def test_nn_functional_refuses_a_first_argument_that_is_not_a_tensor(name, first):
    te, _ = outcome(lambda m: getattr(m.nn.functional, name)(first), torch)
    ge, _ = outcome(lambda m: getattr(m.nn.functional, name)(first), gs)
    assert type(ge) is TypeError, repr(ge)
    if "must be Tensor, not" in str(te):
        assert str(ge) == str(te)
