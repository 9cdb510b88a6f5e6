"""Bad arguments to ``nn.functional``'s convolutions, pools, fold/unfold, pad, norms,
embedding and linear get torch's exception, never a raw Python or NumPy error from inside
gradscope, nor a result where torch refuses (and a result where torch computes one).

Where torch's message comes from its argument parser (a float or None where ints go),
gradscope's is the parser's text; where torch's is its overload-resolution text (several
lines, naming how each argument was passed), gradscope's is a one-line TypeError naming
the argument.
"""

from __future__ import annotations

import numpy as np
import pytest

from tests.parity import check_error, check_parser_type_error, check_value, params

torch = pytest.importorskip("torch", reason="torch is the reference for parity tests")


def X(m, *shape):  # noqa: N802 - short, for the tables
    return m.ones(*shape)


def F(m):  # noqa: N802
    return m.nn.functional


def IDX(m, *values):  # noqa: N802
    return m.tensor(list(values))


ERRORS = {
    # ints where torch's parser wants them
    "max_pool1d_stride_none_element": lambda m: F(m).max_pool1d(
        X(m, 2, 3, 5), kernel_size=(2,), stride=(None,), padding=0
    ),
    "max_pool1d_float_kernel": lambda m: F(m).max_pool1d(X(m, 1, 2, 6), 2.0),
    "max_pool2d_float_second_kernel": lambda m: F(m).max_pool2d(X(m, 1, 2, 6, 6), (2, 1.5)),
    "max_pool2d_indices_none_kernel": lambda m: F(m).max_pool2d(
        X(m, 1, 2, 6, 6), None, return_indices=True
    ),
    "max_pool3d_indices_float_kernel": lambda m: F(m).max_pool3d(
        X(m, 2, 3, 4, 2, 2), 1.5, return_indices=True
    ),
    "avg_pool1d_float_kernel_element": lambda m: F(m).avg_pool1d(X(m, 1, 2, 4), (1.5,)),
    "avg_pool2d_none_in_stride": lambda m: F(m).avg_pool2d(X(m, 1, 2, 4, 4), 2, (1, None)),
    "avg_pool3d_float_divisor": lambda m: F(m).avg_pool3d(
        X(m, 1, 2, 4, 4, 4), 2, divisor_override=1.5
    ),
    "lp_pool1d_float_kernel": lambda m: F(m).lp_pool1d(X(m, 1, 2, 4), 2, 1.5),
    "lp_pool2d_none_in_kernel": lambda m: F(m).lp_pool2d(X(m, 1, 2, 4, 4), 1.5, (1, None)),
    "lp_pool3d_none_kernel": lambda m: F(m).lp_pool3d(X(m, 1, 2, 4, 4, 4), 2, None),
    "lp_pool2d_float_kernel": lambda m: F(m).lp_pool2d(X(m, 1, 2, 4, 4), 2.5, 1.5, stride=(1,)),
    "adaptive_avg_pool1d_none": lambda m: F(m).adaptive_avg_pool1d(X(m, 1, 2, 5), None),
    "adaptive_avg_pool1d_none_element": lambda m: F(m).adaptive_avg_pool1d(X(m, 1, 2, 5), (None,)),
    "adaptive_max_pool1d_none": lambda m: F(m).adaptive_max_pool1d(X(m, 2, 5), None),
    "adaptive_max_pool1d_none_element": lambda m: F(m).adaptive_max_pool1d(X(m, 2, 2, 5), (None,)),
    "adaptive_avg_pool2d_none": lambda m: F(m).adaptive_avg_pool2d(X(m, 2, 2, 3, 5), None),
    "adaptive_avg_pool2d_float_element": lambda m: F(m).adaptive_avg_pool2d(
        X(m, 2, 2, 3, 5), (1, 1.5)
    ),
    "adaptive_max_pool3d_none": lambda m: F(m).adaptive_max_pool3d(X(m, 1, 2, 2, 2, 3), None),
    "unfold_float_kernel": lambda m: F(m).unfold(X(m, 1, 2, 5, 5), kernel_size=(1.5, 2)),
    "unfold_none_in_dilation": lambda m: F(m).unfold(X(m, 1, 5, 5), 2, (1, None)),
    "fold_float_stride": lambda m: F(m).fold(X(m, 8, 4), 3, 2, 1, 0, 1.5),
    "layer_norm_float_shape": lambda m: F(m).layer_norm(X(m, 4), 4.0),
    "layer_norm_none_in_shape": lambda m: F(m).layer_norm(X(m, 4), [4, None]),
    "layer_norm_float_weight": lambda m: F(m).layer_norm(X(m, 4), (4,), 1.5),
    "softmax_float_dim": lambda m: F(m).softmax(X(m, 2, 3), dim=1.5),
    "softmax_bool_dim": lambda m: F(m).softmax(X(m, 2, 3), dim=True),
    "softmax_numpy_float_dim": lambda m: F(m).softmax(X(m, 2, 3), dim=np.float32(1.0)),
    "softmin_float_dim": lambda m: F(m).softmin(X(m, 3), 1.0),
    "log_softmax_float_dim": lambda m: F(m).log_softmax(X(m, 4), 1.5),
    # tensors where torch's parser wants them
    "linear_weight_none": lambda m: F(m).linear(X(m, 2, 3), None),
    "linear_weight_float": lambda m: F(m).linear(X(m, 2, 3), 1.5),
    "linear_weight_list": lambda m: F(m).linear(X(m, 2, 3), [X(m, 2)]),
    "linear_bias_float": lambda m: F(m).linear(X(m, 2, 3), X(m, 2, 3), 1.5),
    "embedding_indices_list": lambda m: F(m).embedding([1, 2], X(m, 0, 3)),
    "embedding_weight_none": lambda m: F(m).embedding(IDX(m, 0, 1), None),
    "embedding_indices_list_max_norm": lambda m: F(m).embedding([1, 2], X(m, 5), max_norm=1.0),
    "embedding_renorm_1d_weight": lambda m: F(m).embedding(
        m.tensor([1.0, 2.0]), X(m, 5), max_norm=1.0
    ),
    "embedding_renorm_float_indices": lambda m: F(m).embedding(
        m.tensor([1.0]), X(m, 0, 3), max_norm=0.0
    ),
    "embedding_renorm_index_out_of_range": lambda m: F(m).embedding(
        IDX(m, 1, 0), X(m, 0, 3), padding_idx=0, max_norm=1.0
    ),
    "embedding_empty_weight": lambda m: F(m).embedding(m.tensor([1, 2], dtype=m.int32), X(m, 0, 3)),
    "embedding_float_padding_idx_out_of_range_rows": lambda m: F(m).embedding(
        IDX(m, 7, 1), X(m, 5, 3), padding_idx=1.5
    ),
    "conv_transpose1d_weight_none": lambda m: F(m).conv_transpose1d(X(m, 1, 3, 4), None),
    "bilinear_input2_float": lambda m: F(m).bilinear(X(m, 2, 3), 1.5, X(m, 5, 3, 4)),
    "bilinear_weight_list": lambda m: F(m).bilinear(X(m, 2, 3), X(m, 2, 4), [1.0]),
    "batch_norm_running_mean_float": lambda m: F(m).batch_norm(X(m, 2, 3), 1.5, X(m, 3)),
    "batch_norm_weight_int": lambda m: F(m).batch_norm(X(m, 2, 3), X(m, 3), X(m, 3), 1),
    "group_norm_weight_list": lambda m: F(m).group_norm(X(m, 2, 6), 2, [1.0]),
    "instance_norm_weight_int": lambda m: F(m).instance_norm(X(m, 2, 3, 4), None, None, 1),
    "cross_entropy_target_none": lambda m: F(m).cross_entropy(X(m, 2, 3), None),
    "nll_loss_target_list": lambda m: F(m).nll_loss(X(m, 2, 3), [0, 1]),
    "nll_loss_weight_float": lambda m: F(m).nll_loss(X(m, 2, 3), IDX(m, 0, 1), 1.5),
    "pad_value_str": lambda m: F(m).pad(X(m, 2, 3), (1, 1), value="a"),
    "pad_value_list": lambda m: F(m).pad(X(m, 2, 3), (1, 1), value=[1.0]),
    "pad_mode_none": lambda m: F(m).pad(X(m, 2, 3), (1, 1), mode=None),
    "embedding_max_norm_list": lambda m: F(m).embedding(IDX(m, 1), X(m, 3, 2), max_norm=[1.0]),
    "conv2d_module_float_kernel": lambda m: m.nn.Conv2d(3, 4, 1.5),
    "conv_transpose2d_module_none_kernel": lambda m: m.nn.ConvTranspose2d(3, 4, None),
    # zero or negative sizes
    "unfold_zero_dilation": lambda m: F(m).unfold(X(m, 1, 2, 5, 5), 2, dilation=(0, -1)),
    "unfold_negative_dilation": lambda m: F(m).unfold(X(m, 2, 5, 5), 1, dilation=-1),
    "unfold_negative_kernel": lambda m: F(m).unfold(X(m, 2, 5, 5), (2, -1)),
    "unfold_empty_padding": lambda m: F(m).unfold(X(m, 2, 5, 5), 1, padding=()),
    "unfold_short_kernel": lambda m: F(m).unfold(X(m, 2, 5, 5), (3,)),
    "unfold_2d_zero_stride": lambda m: F(m).unfold(X(m, 5, 5), 3, stride=0),
    "unfold_2d_input": lambda m: F(m).unfold(X(m, 5, 5), 2),
    "unfold_0d_input": lambda m: F(m).unfold(m.tensor(1.0), 2),
    "fold_zero_stride": lambda m: F(m).fold(X(m, 1, 8, 4), 0, -1, stride=0),
    "fold_empty_kernel": lambda m: F(m).fold(X(m, 1, 8, 4), 2, ()),
    "fold_negative_kernel": lambda m: F(m).fold(X(m, 1, 8, 5), (-1, 3), -1),
    "fold_three_output_sizes": lambda m: F(m).fold(X(m, 8, 4), (3, 0, 2), (2, 0)),
    "fold_negative_padding": lambda m: F(m).fold(X(m, 1, 7, 4), (4, 0), 2, padding=-1),
    "fold_1d_input": lambda m: F(m).fold(X(m, 8), 3, (2,)),
    "conv2d_same_zero_groups": lambda m: F(m).conv2d(
        X(m, 2, 2, 0, 2), X(m, 4, 2, 0), X(m, 1, 1), padding="same", groups=0
    ),
    "conv2d_same_weight_dims": lambda m: F(m).conv2d(
        X(m, 2, 2, 3, 2), X(m, 4, 2, 1), None, padding="same"
    ),
    "conv2d_same_dilation_broadcast": lambda m: F(m).conv2d(
        X(m, 1, 3, 1, 4), X(m, 4, 3, 6, 6), None, padding="same", dilation=(1, 0, 0)
    ),
    "conv1d_same_empty_kernel_groups": lambda m: F(m).conv1d(
        X(m, 2, 2, 1), X(m, 0, 2, 0), X(m, 7), padding="same", groups=3
    ),
    "conv2d_negative_dilation": lambda m: F(m).conv2d(
        X(m, 1, 3, 2, 0), X(m, 0, 3, 3, 2), X(m, 7), padding=(0, 2), dilation=(-1, -1)
    ),
    "conv3d_zero_dilation_empty_input": lambda m: F(m).conv3d(
        X(m, 2, 3, 2, 0, 5), X(m, 2, 3, 1, 6, 3), None, dilation=0
    ),
    "conv1d_zero_dilation_one_sample": lambda m: F(m).conv1d(
        X(m, 1, 3, 5), X(m, 2, 3, 2), None, 1, 0, 0
    ),
    "conv2d_negative_groups_first": lambda m: F(m).conv2d(
        X(m, 4, 1, 1), X(m, 2, 3, 1), X(m, 7), stride=(2, -1), groups=-1
    ),
    "conv1d_2d_weight": lambda m: F(m).conv1d(X(m, 1, 4, 0), X(m, 3, 1), X(m, 3), groups=-1),
    "conv1d_empty_length_padded": lambda m: F(m).conv1d(X(m, 1, 2, 0), X(m, 3, 2, 1), padding=1),
    "conv2d_empty_kernel_one_sample": lambda m: F(m).conv2d(X(m, 1, 4, 3, 3), X(m, 2, 4, 0, 1)),
    "conv3d_empty_kernel_one_sample": lambda m: F(m).conv3d(
        X(m, 1, 4, 3, 3, 3), X(m, 2, 4, 0, 1, 1)
    ),
    "conv2d_empty_kernel_batch": lambda m: F(m).conv2d(X(m, 2, 4, 3, 3), X(m, 2, 4, 0, 0)),
    "conv2d_dilated_empty_kernel": lambda m: F(m).conv2d(
        X(m, 1, 4, 3, 3), X(m, 2, 4, 0, 1), dilation=0
    ),
    "conv2d_empty_batch_empty_kernel": lambda m: F(m).conv2d(X(m, 0, 4, 3, 3), X(m, 2, 4, 0, 0)),
    "conv1d_4d_weight": lambda m: F(m).conv1d(X(m, 1, 4, 3), X(m, 2, 4, 2, 2)),
    "conv_transpose1d_4d_weight": lambda m: F(m).conv_transpose1d(X(m, 1, 4, 1), X(m, 2, 4, 2, 2)),
    "conv_transpose2d_groups_read_before_dilation": lambda m: F(m).conv_transpose2d(
        X(m, 4, 3, 3), X(m, 2, 4, 0, 0), X(m, 2), groups=1.5, dilation=None
    ),
    "conv_transpose3d_stride_str": lambda m: F(m).conv_transpose3d(
        X(m, 1, 4, 3, 3, 3), X(m, 2, 4), stride="valid"
    ),
    "conv_transpose1d_empty_length": lambda m: F(m).conv_transpose1d(
        X(m, 1, 2, 0), X(m, 2, 0, 0), None, stride=(2,)
    ),
    "conv_transpose1d_empty_kernel": lambda m: F(m).conv_transpose1d(
        X(m, 1, 4, 1), X(m, 4, 3, 0), None, output_padding=(3,), groups=2
    ),
    "max_pool1d_empty_length": lambda m: F(m).max_pool1d(X(m, 2, 2, 0), (1,)),
    "max_pool1d_indices_empty_kernel": lambda m: F(m).max_pool1d(
        X(m, 1, 3, 2), (), padding=(0,), return_indices=True
    ),
    "max_pool1d_indices_1d_input": lambda m: F(m).max_pool1d(X(m, 1), (), return_indices=True),
    "max_pool1d_indices_zero_kernel": lambda m: F(m).max_pool1d(
        X(m, 1, 3, 0), 0, padding=(-1,), return_indices=True
    ),
    "max_pool1d_padding_length": lambda m: F(m).max_pool1d(X(m, 1, 3, 4), 2, (), (1, 2)),
    "max_pool1d_stride_length": lambda m: F(m).max_pool1d(X(m, 1, 3, 4), 2, (1, 1)),
    "max_pool2d_padding_past_half_the_undilated_kernel": lambda m: F(m).max_pool2d(
        X(m, 1, 2, 5), 3, 1, 2, 2
    ),
    "max_pool2d_negative_padding": lambda m: F(m).max_pool2d(X(m, 2, 3, 5, 0), 2, padding=-1),
    "avg_pool1d_empty_kernel": lambda m: F(m).avg_pool1d(X(m, 2, 2, 0), ()),
    "avg_pool1d_empty_padding": lambda m: F(m).avg_pool1d(X(m, 1, 2, 0), (3,), (0,), ()),
    "avg_pool2d_empty_plane": lambda m: F(m).avg_pool2d(X(m, 3, 0, 0), 2),
    "avg_pool2d_negative_kernel_padding": lambda m: F(m).avg_pool2d(
        X(m, 1, 3, 2, 5), (7, -1), padding=(0, 1), divisor_override=2
    ),
    "avg_pool3d_negative_kernel": lambda m: F(m).avg_pool3d(X(m, 3, 2, 2, 0), -1),
    "lp_pool1d_two_kernel_sizes": lambda m: F(m).lp_pool1d(X(m, 1, 2, 4), 0, (1, 7), stride=1),
    "lp_pool2d_negative_stride": lambda m: F(m).lp_pool2d(X(m, 1, 2, 4, 4), 2, 1, stride=-1),
    "adaptive_avg_pool1d_no_size": lambda m: F(m).adaptive_avg_pool1d(X(m, 2, 3), ()),
    "adaptive_max_pool1d_two_sizes": lambda m: F(m).adaptive_max_pool1d(X(m, 2, 5), (3, 2)),
    "adaptive_max_pool1d_empty_length": lambda m: F(m).adaptive_max_pool1d(X(m, 2, 2, 0), 1),
    "adaptive_max_pool2d_1d_input": lambda m: F(m).adaptive_max_pool2d(X(m, 0), ()),
    "adaptive_avg_pool2d_no_size": lambda m: F(m).adaptive_avg_pool2d(X(m, 2, 2, 0, 1), ()),
    "adaptive_avg_pool2d_short_input": lambda m: F(m).adaptive_avg_pool2d(X(m, 0), (-1, 7)),
    "interpolate_area_negative_size_3d": lambda m: F(m).interpolate(
        X(m, 1, 2, 4, 1, 0), size=-1, mode="area"
    ),
    "interpolate_float_size_wrong_mode": lambda m: F(m).interpolate(
        X(m, 1, 2, 4, 4), size=0.5, mode="linear"
    ),
    "interpolate_float_size_1d_input": lambda m: F(m).interpolate(X(m, 5), size=1.5),
    "interpolate_area_bool_size": lambda m: F(m).interpolate(
        X(m, 0, 2, 4, 4), size=True, mode="area"
    ),
    "pad_replicate_empty_plane": lambda m: F(m).pad(
        X(m, 2, 3, 0, 2), (3, 1, 0, 0, 1, 0), mode="replicate"
    ),
    "pad_replicate_empty": lambda m: F(m).pad(X(m, 0, 0), (3, -1), mode="replicate"),
    "pad_replicate_empty_no_padding": lambda m: F(m).pad(X(m, 0, 0), (0, 0), mode="replicate"),
    "pad_reflect_empty_channels": lambda m: F(m).pad(X(m, 2, 0, 3), (1, 1), mode="reflect"),
    "conv3d_same_empty_kernel_crops_an_empty_input": lambda m: F(m).conv3d(
        X(m, 2, 4, 4, 0, 0), X(m, 2, 3, 1, 2, 0), X(m, 7), padding="same"
    ),
    "lp_pool2d_unpacks_the_last_list_first": lambda m: F(m).lp_pool2d(
        X(m, 1, 2, 4, 4), -1, (0, 1.5), stride=(3, None)
    ),
    "pad_float_second_element": lambda m: F(m).pad(X(m, 2, 0), (-1, 1.5), mode="replicate"),
    "pad_int": lambda m: F(m).pad(X(m, 2, 3), 1),
    "cosine_similarity_float_dim_first": lambda m: F(m).cosine_similarity(
        X(m, 3), X(m, 2, 4), dim=1.0
    ),
    "pixel_shuffle_float_factor": lambda m: F(m).pixel_shuffle(X(m, 8, 2), 1.5),
    "pixel_unshuffle_float_factor": lambda m: F(m).pixel_unshuffle(X(m, 1, 4, 4), 2.0),
    "channel_shuffle_float_groups": lambda m: F(m).channel_shuffle(X(m, 1, 4, 4), 2.0),
    "nll_loss_float_target_dtype_first": lambda m: F(m).nll_loss(X(m, 4), X(m, 4)),
    "nll_loss_0d_target_of_no_samples": lambda m: F(m).nll_loss(
        X(m, 0, 3), m.tensor(1), weight=X(m, 3)
    ),
    "cross_entropy_elementwise_mean_is_mean": lambda m: F(m).cross_entropy(
        X(m, 4, 3, 2), m.ones(4, 2, 2, dtype=m.int64), reduction="elementwise_mean"
    ),
    "nll_loss_elementwise_mean_is_mean": lambda m: F(m).nll_loss(
        X(m, 4, 3, 2, 2), m.ones(4, dtype=m.int64), reduction="elementwise_mean"
    ),
    "interpolate_none_second_scale": lambda m: F(m).interpolate(
        X(m, 1, 2, 4, 4, 4), scale_factor=(2.0, 2.0, None), mode="trilinear"
    ),
    "layer_norm_weight_type_before_shape_unpacking": lambda m: F(m).layer_norm(
        X(m, 3), [3, None], 1.5
    ),
    "batch_norm_weight_size_before_running_var_alone": lambda m: F(m).batch_norm(
        X(m, 2, 6, 2), X(m, 6), None, X(m, 3), None, training=True
    ),
    "instance_norm_eval_running_var_alone": lambda m: F(m).instance_norm(
        X(m, 4, 3, 2), None, X(m, 3), use_input_stats=False
    ),
    "batch_norm_running_var_alone": lambda m: F(m).batch_norm(
        X(m, 4, 3), X(m, 3), None, X(m, 3), X(m, 3), training=True
    ),
    "batch_norm_eval_without_running_mean": lambda m: F(m).batch_norm(
        X(m, 4, 3), None, X(m, 2), X(m, 3), X(m, 3), training=False
    ),
    "batch_norm_2d_running_mean": lambda m: F(m).batch_norm(
        X(m, 4, 3, 5), X(m, 3, 1), X(m, 3), None, None, training=False
    ),
    "batch_norm_2d_weight_backward": lambda m: (
        F(m)
        .batch_norm(
            X(m, 4, 3, 2), m.zeros(3), X(m, 3), X(m, 3, 1).requires_grad_(), None, training=True
        )
        .sum()
        .backward()
    ),
    "batch_norm_empty_input_empty_weight": lambda m: F(m).batch_norm(
        X(m, 0, 3), X(m, 2), X(m, 2), X(m, 0), training=True
    ),
}

VALUES = {
    "avg_pool1d_empty_stride": lambda m: F(m).avg_pool1d(
        m.ones(2, 2, 5, dtype=m.int64), kernel_size=2, stride=(), padding=1, count_include_pad=False
    ),
    "lp_pool1d_empty_stride": lambda m: F(m).lp_pool1d(X(m, 1, 2, 4), 2, 3, stride=()),
    "lp_pool2d_empty_stride": lambda m: F(m).lp_pool2d(X(m, 1, 2, 4, 4), 1, 1, stride=()),
    "max_pool1d_numpy_int_kernel": lambda m: F(m).max_pool1d(X(m, 1, 2, 6), np.int64(2)),
    "adaptive_max_pool2d_to_nothing": lambda m: F(m).adaptive_max_pool2d(X(m, 2, 2, 1, 1), 0),
    "adaptive_avg_pool2d_no_channels_4d": lambda m: F(m).adaptive_avg_pool2d(X(m, 2, 0, 3, 3), 2),
    "adaptive_avg_pool2d_5d_to_1x1": lambda m: F(m).adaptive_avg_pool2d(X(m, 5, 2, 2, 2, 2), 1),
    "embedding_padding_idx_0_of_no_rows": lambda m: F(m).embedding(
        m.zeros(0, dtype=m.int64), X(m, 0, 3), padding_idx=0
    ),
    "batch_norm_empty_batch_sizes_unchecked": lambda m: F(m).batch_norm(
        X(m, 0, 3), None, None, None, X(m, 5), training=False
    ),
    "batch_norm_empty_batch_running_var_alone": lambda m: F(m).batch_norm(
        X(m, 0, 3), X(m, 4), None, X(m, 1), X(m, 5), training=True
    ),
    "batch_norm_empty_batch_2d_running_mean": lambda m: F(m).batch_norm(
        X(m, 0, 3).requires_grad_(), X(m, 3, 1), X(m, 3), None, X(m, 3), training=True
    ),
    "batch_norm_empty_batch_no_weight": lambda m: F(m).batch_norm(
        X(m, 0, 3).requires_grad_(), None, None, training=False
    ),
    "pad_bool_second_element": lambda m: F(m).pad(X(m, 2, 3), (1, True)),
    "mse_loss_elementwise_mean": lambda m: F(m).mse_loss(
        X(m, 2, 3), m.zeros(2, 3), reduction="elementwise_mean"
    ),
    "instance_norm_empty_batch_running_var_alone": lambda m: F(m).instance_norm(
        X(m, 0, 3, 4), None, X(m, 3)
    ),
    "batch_norm_2d_weight_forward": lambda m: F(m).batch_norm(
        X(m, 4, 3), X(m, 3), X(m, 3), X(m, 3, 1), training=True
    ),
}


@pytest.mark.parametrize("fn", params(ERRORS))
def test_error(fn):
    check_error(fn)


@pytest.mark.parametrize("fn", params(VALUES))
def test_value(fn):
    check_value(fn)


# torch refuses these in its overload resolution, several lines naming how each argument
# was passed: gradscope's is a one-line TypeError naming the argument
OVERLOADED = {
    "conv1d_none_in_stride": (
        lambda m: F(m).conv1d(X(m, 3, 5), X(m, 2, 3, 0), X(m, 7), stride=(None,)),
        "conv1d(): argument 'stride'",
    ),
    "conv1d_stride_none": (
        lambda m: F(m).conv1d(X(m, 1, 4, 1), X(m, 2, 1), None, stride=None, dilation=(-1,)),
        "conv1d(): argument 'stride'",
    ),
    "conv1d_weight_none": (
        lambda m: F(m).conv1d(X(m, 1, 3, 4), None),
        "conv1d(): argument 'weight'",
    ),
    "conv2d_module_none_stride": (
        lambda m: m.nn.Conv2d(3, 4, 2, stride=None)(X(m, 1, 3, 5, 5)),
        "conv2d(): argument 'stride'",
    ),
    "conv2d_float_groups": (
        lambda m: F(m).conv2d(X(m, 1, 3, 4, 4), X(m, 2, 3, 1, 1), None, 1, 0, 1, 1.5),
        "conv2d(): argument 'groups'",
    ),
    "conv_transpose2d_float_padding": (
        lambda m: F(m).conv_transpose2d(X(m, 1, 3, 4, 4), X(m, 3, 2, 1, 1), None, 1, 1.5),
        "conv_transpose2d(): argument 'padding'",
    ),
    "interpolate_bool_size": (
        lambda m: F(m).interpolate(X(m, 1, 2, 4, 4), size=True, mode="bilinear"),
        "upsample_bilinear2d(): argument 'output_size'",
    ),
    "interpolate_none_scale": (
        lambda m: F(m).interpolate(X(m, 1, 2, 4), scale_factor=(None,), mode="nearest-exact"),
        "_upsample_nearest_exact1d(): argument 'scale_factors'",
    ),
}


@pytest.mark.parametrize("case", OVERLOADED)
def test_an_argument_torch_refuses_in_overload_resolution_is_a_one_line_type_error(case):
    check_parser_type_error(*OVERLOADED[case])
