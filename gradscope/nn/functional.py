"""``gs.nn.functional``: relu, softmax, log_softmax, cross_entropy, nll_loss, mse_loss, linear."""

from __future__ import annotations

import contextlib
import warnings
from numbers import Number

import numpy as np

from .. import creation, dtypes
from ..autograd.function import apply, apply_inplace
from ..backend import fp_quiet, xp_of
from ..errors import py_type_name, refuse_kernel, scalar_type_name, shape_str, tensor_type_name
from ..events.callsite import user_stacklevel
from ..ops import activation as A
from ..ops import api
from ..ops import loss as L
from ..ops import norm as N
from ..ops import pad as P
from ..ops import reduce as R
from ..ops import shape as S
from ..ops.api._common import tensor_first
from ..ops.elementwise import AddBackward0, AddBackward1, DivBackward1, MulBackward1
from ..ops.linalg import AddmmBackward0
from ..ops.loss import (
    MseLossBackward0,
    NllLoss2DBackward0,
    NllLossBackward0,
    check_target,
    check_target_2d,
)
from ..ops.products import check_expands
from ._conv import _int_arg, _int_list, _tensor_arg, _tensor_args


def relu(input, inplace: bool = False):
    """``max(input, 0)``; with ``inplace``, written into ``input`` (``relu_``)."""
    return api.relu_(input) if inplace else api.relu(input)


def _softmax_dim(name: str, input, dim) -> int:
    """``dim`` of ``softmax``-like ``name``: torch's implicit (deprecated) choice, with its
    warning, where None; the parser's TypeError where not an int."""
    if dim is None:
        return _implicit_dim(name, input)
    if type(dim) is not int and (isinstance(dim, bool) or not hasattr(type(dim), "__index__")):
        raise TypeError(
            f"softmax(): argument 'dim' (position 1) must be int, not {py_type_name(dim)}"
            if name != "log_softmax"
            else f"log_softmax(): argument 'dim' (position 1) must be int, not {py_type_name(dim)}"
        )
    return dim


def softmax(input, dim=None, dtype=None):
    """``exp(input) / sum(exp(input))`` along ``dim``; without one, torch's implicit
    (deprecated) choice, with its warning."""
    return api.softmax(input, _softmax_dim("softmax", input, dim), dtype)


def log_softmax(input, dim=None, dtype=None):
    """``log(softmax(input))`` along ``dim``; without one, as ``softmax``."""
    return api.log_softmax(input, _softmax_dim("log_softmax", input, dim), dtype)


def _implicit_dim(name: str, input) -> int:
    warnings.warn(
        f"Implicit dimension choice for {name} has been deprecated. Change the call to "
        "include dim=X as an argument.",
        UserWarning,
        stacklevel=user_stacklevel(),
    )
    return api.implicit_softmax_dim(input)


sigmoid = api.sigmoid
tanh = api.tanh

from ._attention import (  # noqa: E402 - attention, in a module of its own
    multi_head_attention_forward,
    scaled_dot_product_attention,
)
from ._conv import (  # noqa: E402 - the convolutions and pools, kept in a module of their own
    adaptive_avg_pool1d,
    adaptive_avg_pool2d,
    avg_pool1d,
    avg_pool2d,
    conv1d,
    conv2d,
    conv_transpose2d,
    max_pool1d,
    max_pool2d,
)

__all__ = [
    "hardshrink",
    "softshrink",
    "celu_",
    "celu",
    "prelu",
    "glu",
    "threshold_",
    "threshold",
    "adaptive_avg_pool1d",
    "adaptive_avg_pool2d",
    "avg_pool1d",
    "avg_pool2d",
    "conv1d",
    "conv2d",
    "conv_transpose2d",
    "max_pool1d",
    "max_pool2d",
    "multi_head_attention_forward",
    "scaled_dot_product_attention",
    "batch_norm",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cosine_similarity",
    "cross_entropy",
    "dropout",
    "elu",
    "embedding",
    "gelu",
    "group_norm",
    "hardsigmoid",
    "hardswish",
    "hardtanh",
    "huber_loss",
    "kl_div",
    "l1_loss",
    "layer_norm",
    "leaky_relu",
    "linear",
    "log_softmax",
    "logsigmoid",
    "mish",
    "mse_loss",
    "nll_loss",
    "normalize",
    "one_hot",
    "pairwise_distance",
    "pad",
    "relu",
    "relu6",
    "rms_norm",
    "selu",
    "sigmoid",
    "silu",
    "smooth_l1_loss",
    "softmax",
    "softmin",
    "softplus",
    "softsign",
    "tanh",
    "tanhshrink",
    "triplet_margin_loss",
]


def nll_loss(input, target, weight=None, ignore_index: int = -100, reduction: str = "mean"):
    """Negative log-likelihood of ``target`` classes under log-probabilities ``input``:
    (C,) or (N, C) with a class per sample, or (N, C, d1, ...) with (N, d1, ...) targets."""
    reduction = _check_reduction(reduction)
    _tensor_arg("nll_loss_nd", "target", 2, target)
    _tensor_args("nll_loss_nd", ("weight", 3, weight))
    if input.ndim == 0:
        raise ValueError("Expected 1 or more dimensions (got 0)")
    batch = target.shape[0] if target.ndim else 0  # (torch reads a 0-d target's as 0)
    if input.ndim > 1 and batch != input.shape[0]:
        raise ValueError(
            f"Expected input batch_size ({input.shape[0]}) to match target batch_size ({batch})."
        )
    if input.ndim > 2:
        return _nll_loss_nd(input, target, weight, ignore_index, reduction)
    _check_weight_grad("nll_loss_forward", weight)
    check_target(input.shape, target.shape, target._data.dtype)
    classes = input.shape[-1]
    if weight is not None and tuple(weight.shape) != (classes,):
        raise RuntimeError(
            f"weight tensor should be defined either for all {classes} classes or no "
            f"classes but got weight tensor of shape: {list(weight.shape)}"
        )
    _check_weight_dtype(input, weight)
    _check_classes(target, classes, ignore_index)
    return apply(NllLossBackward0, (input, target, weight), reduction, ignore_index)


def _nll_loss_nd(input, target, weight, ignore_index, reduction):
    """nll_loss of (N, C, d1, ...) log-probabilities, as torch runs it: nll_loss2d, on a
    (N, C, 1, -1) view of them unless they are (N, C, H, W)."""
    if input.ndim == 4:
        return _nll_loss2d(input, target, weight, ignore_index, reduction)
    n, c = input.shape[:2]
    out_size = (n,) + tuple(input.shape[2:])
    if tuple(target.shape[1:]) != tuple(input.shape[2:]):
        raise RuntimeError(
            f"Expected target size {shape_str(out_size)}, got {shape_str(target.shape)}"
        )
    logp = input.contiguous()
    logp = api.view(logp, (n, c, 1, -1) if logp.numel() else (n, c, 0, 0))
    target = target.contiguous()
    target = api.view(target, (n, 1, -1) if target.numel() else (n, 0, 0))
    out = _nll_loss2d(logp, target, weight, ignore_index, reduction)
    return api.view(out, out_size) if reduction == "none" else out


def _nll_loss2d(input, target, weight, ignore_index, reduction):
    """nll_loss of (N, C, H, W) log-probabilities against (N, H, W) targets."""
    _check_weight_grad("nll_loss2d_forward", weight)
    numel = None if weight is None else weight.numel()
    check_target_2d(input.shape, target.shape, target._data.dtype, numel)
    _check_weight_dtype(input, weight)
    _check_classes(target, input.shape[1], ignore_index)
    return apply(NllLoss2DBackward0, (input, target, weight), reduction, ignore_index)


def _check_weight_grad(kernel: str, weight) -> None:
    if weight is not None and weight.requires_grad:
        raise RuntimeError(
            f"The function '{kernel}' is not differentiable with respect to argument "
            "'weight'. This input cannot have requires_grad True."
        )


def _check_weight_dtype(input, weight) -> None:
    """Class weights must be in the input's dtype (torch's kernels do not promote them)."""
    if weight is not None and weight._data.dtype != input._data.dtype:
        raise RuntimeError(
            f"expected scalar type {scalar_type_name(input._data.dtype)} but found "
            f"{scalar_type_name(weight._data.dtype)}"
        )


def _check_classes(target, classes: int, ignore_index: int) -> None:
    t = target._data
    outside = ((t < 0) | (t >= classes)) & (t != ignore_index)
    if outside.any():
        raise IndexError(f"Target {int(t[outside].ravel()[0])} is out of bounds.")


def _check_reduction(reduction) -> str:
    """``reduction`` as torch's ``_Reduction.get_enum`` reads it: ``elementwise_mean`` is
    ``mean`` (deprecated, with its warning); anything else not a reduction, a ValueError."""
    if reduction in ("none", "mean", "sum"):
        return reduction
    if reduction == "elementwise_mean":
        warnings.warn(
            "reduction='elementwise_mean' is deprecated. Please use reduction='mean' instead.",
            stacklevel=user_stacklevel(),
        )
        return "mean"
    raise ValueError(f"{reduction} is not a valid value for reduction")


def cross_entropy(
    input,
    target,
    weight=None,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
):
    """``nll_loss(log_softmax(input, 1), target)``: torch's two nodes, LogSoftmax then NllLoss
    (or NllLoss2D, for (N, C, d1, ...) input and (N, d1, ...) targets).

    With ``label_smoothing`` ε, as torch: ``(1 - ε) * nll + ε / C * smooth``, where
    ``smooth`` is minus the (class-weighted) sum of the log-probabilities of each sample,
    reduced as the loss is (a mean divides by the samples kept, or their target weights).

    A ``target`` of ``input``'s shape holds class probabilities instead (see
    ``_cross_entropy_probs``).
    """
    reduction = _check_reduction(reduction)
    _tensor_arg("cross_entropy_loss", "target", 2, target)
    _tensor_args("cross_entropy_loss", ("weight", 3, weight))
    if input.shape == target.shape:
        return _cross_entropy_probs(input, target, weight, ignore_index, reduction, label_smoothing)
    _check_label_smoothing(label_smoothing)
    dim = 0 if input.ndim == 1 else 1
    logp = log_softmax(input, dim)
    nll = nll_loss(logp, target, weight, ignore_index, reduction)
    if label_smoothing <= 0.0:  # as torch, a negative one is no smoothing
        return nll
    classes = input.shape[dim]
    if weight is None:
        smooth = -logp.sum(dim)
    else:
        shape = [1] * input.ndim
        shape[dim] = weight.shape[0]
        with fp_quiet():  # a -inf log-probability times 0: NaN, as torch
            smooth = -(logp * (weight if dim == 0 else api.view(weight, tuple(shape)))).sum(dim)
    ignored = target == ignore_index
    smooth.masked_fill_(ignored, 0.0)
    if reduction == "mean":
        kept = ~ignored
        denominator = kept.sum() if weight is None else weight[target[kept]].sum()
        smooth = smooth.sum() / denominator
    elif reduction == "sum":
        smooth = smooth.sum()
    return apply(MulBackward1, (nll,), 1 - label_smoothing) + apply(
        MulBackward1, (smooth,), label_smoothing / classes
    )


def _check_label_smoothing(label_smoothing: float) -> None:
    if label_smoothing > 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")


def _cross_entropy_probs(input, target, weight, ignore_index, reduction, label_smoothing):
    """cross_entropy against class probabilities, in torch's ops: ``-(log_softmax(input)
    * target * weight)`` summed over the classes, then summed or averaged over the samples.

    ``label_smoothing`` ε mixes ``target`` with the uniform distribution first:
    ``target * (1 - ε) + ε / C``. ``ignore_index`` has no meaning here, so only a negative
    one (the default) is accepted.
    """
    if target._data.dtype.kind != "f":
        raise RuntimeError(
            "Expected floating point type for target with class probabilities, got "
            f"{scalar_type_name(target._data.dtype)}"
        )
    if ignore_index >= 0:
        raise RuntimeError("ignore_index is not supported for floating point target")
    if input.ndim == 0:
        raise IndexError("Dimension specified as 1 but tensor has no dimensions")
    dim = 0 if input.ndim == 1 else 1
    classes = input.shape[dim]
    if weight is not None and tuple(weight.shape) != (classes,):
        raise RuntimeError(
            f"cross_entropy: weight tensor should be defined either for all {classes} "
            f"classes or no classes but got weight tensor of shape: {list(weight.shape)}"
        )
    logp = log_softmax(input, dim)
    if label_smoothing > 0.0:
        _check_label_smoothing(label_smoothing)
        target = apply(MulBackward1, (target,), 1 - label_smoothing)
        target = apply(AddBackward1, (target,), label_smoothing / classes)
    with fp_quiet():  # a -inf log-probability times 0: NaN, as torch
        losses = logp * target
        if weight is not None:
            shape = [1] * input.ndim
            shape[dim] = classes
            losses = losses * (weight if dim == 0 else api.view(weight, tuple(shape)))
    if reduction == "none":
        return -losses.sum(dim)
    total = losses.sum()
    if reduction == "sum":
        return -total
    if not input.numel():  # no samples: torch's mean is NaN
        return -total.fill_(float("nan"))
    return apply(DivBackward1, (-total,), input.numel() // classes)


def mse_loss(input, target, reduction: str = "mean"):
    """Mean squared error, in the dtype torch gives ``input - target`` once broadcast."""
    input, target = _broadcast_pair("mse_loss", input, target)
    reduction = _check_reduction(reduction)
    # both broadcast before torch promotes them, so neither counts as 0-dim
    dtype = dtypes.result_type(input._data.dtype, 1, None, target._data.dtype, 1)
    if dtype.kind != "f":
        kernel = "mse_cuda" if input._buffer.device.startswith("cuda") else "mse_cpu"
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{scalar_type_name(dtype)}'")
    return apply(MseLossBackward0, (input, target), reduction, dtype)


def _broadcast_pair(op: str, input, target) -> tuple:
    """``input`` and ``target`` broadcast together, with torch's warning where they differ."""
    if input.shape != target.shape:
        warnings.warn(
            f"Using a target size ({_size(target.shape)}) that is different to the input size "
            f"({_size(input.shape)}). This will likely lead to incorrect results due to "
            "broadcasting. Please ensure they have the same size.",
            stacklevel=user_stacklevel(),
        )
        try:
            shape = np.broadcast_shapes(tuple(input.shape), tuple(target.shape))
        except ValueError:
            raise api._broadcast_error(op, input, target) from None
        # as torch's broadcast_tensors: an operand that grows is expanded (ExpandBackward0)
        if tuple(input.shape) != shape:
            input = api.expand(input, shape)
        if tuple(target.shape) != shape:
            target = api.expand(target, shape)
    return input, target


def linear(input, weight, bias=None):
    """``input @ weight.T + bias``, recorded as torch records it.

    2-D input with a bias is one ``AddmmBackward0``; other contiguous inputs with a bias of
    one dim (once squeezed) are folded to 2-D, run through addmm and viewed back; the rest
    is ``matmul``, then the bias added as torch's ``add_`` adds it (into the product's shape
    and dtype).
    """
    if not isinstance(weight, api.Tensor) or not isinstance(bias, (api.Tensor, type(None))):
        _tensor_arg("linear", "weight", 2, weight)
        _tensor_args("linear", ("bias", 3, bias))
    if input.ndim == 0 or weight.ndim == 0:
        raise RuntimeError(
            "both arguments to linear need to be at least 1D, but they are "
            f"{input.ndim}D and {weight.ndim}D"
        )
    if bias is not None and (input.ndim == 2 or (input.is_contiguous() and _fusable(bias))):
        api._check_device(input, weight)
        shape = input.shape
        flat = input if input.ndim == 2 else api.reshape(input, (_prod(shape[:-1]), shape[-1]))
        mat2 = api.t(weight)
        _check_addmm(bias, flat, mat2)
        out = apply(AddmmBackward0, (bias, flat, mat2))
        return out if input.ndim == 2 else api.view(out, tuple(shape[:-1]) + (out.shape[1],))
    out = api.matmul(input, api.t(weight))
    return out if bias is None else _add_into(out, bias)


def _fusable(bias) -> bool:
    """Whether torch folds ``linear`` into addmm for this bias (with a contiguous input)."""
    one_dim = bias.ndim == 1 or sum(n != 1 for n in bias.shape) == 1
    return one_dim and bias.is_contiguous()


def _add_into(out, bias):
    """``out + bias`` with the result in ``out``'s shape and dtype (torch's ``out.add_(bias)``
    on a fresh product), one ``AddBackward0``."""
    out, bias = api._on_one_device(out, bias)
    try:
        joint = np.broadcast_shapes(tuple(out.shape), tuple(bias.shape))
    except ValueError:
        raise api._broadcast_error("add_", out, bias) from None
    if joint != tuple(out.shape):
        raise RuntimeError(
            f"output with shape {shape_str(out.shape)} doesn't match the broadcast shape "
            f"{shape_str(joint)}"
        )
    dtype = out._data.dtype
    result = dtypes.result_type(dtype, out.ndim, None, bias._data.dtype, bias.ndim)
    if not np.can_cast(result, dtype, casting="same_kind"):
        raise RuntimeError(
            f"result type {scalar_type_name(result)} can't be cast to the desired output type "
            f"{scalar_type_name(dtype)}"
        )
    return apply(AddBackward0, (out, bias), 1, dtype)


def _check_addmm(bias, mat1, mat2) -> None:
    """torch's checks of ``addmm(bias, mat1, mat2)``, in its order, with its messages."""
    for name, m in (("self", bias), ("mat1", mat1)):
        if m._data.dtype != mat2._data.dtype:
            raise RuntimeError(
                f"{name} and mat2 must have the same dtype, but got "
                f"{scalar_type_name(m._data.dtype)} and {scalar_type_name(mat2._data.dtype)}"
            )
    if mat2.ndim != 2:
        raise RuntimeError(f"mat2 must be a matrix, got {mat2.ndim}-D tensor")
    if mat1.shape[1] != mat2.shape[0]:
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({mat1.shape[0]}x{mat1.shape[1]} "
            f"and {mat2.shape[0]}x{mat2.shape[1]})"
        )
    check_expands(bias, (mat1.shape[0], mat2.shape[1]))


def _prod(sizes) -> int:
    n = 1
    for s in sizes:
        n *= s
    return n


# ---------------------------------------------------------------- pointwise activations


def _float_kernel(kernel: str, input) -> None:
    """torch's error for an activation whose kernel has no integer or bool loop."""
    if input._data.dtype.kind not in "fc":
        refuse_kernel(kernel, input._data.dtype)


def _activation(cls, input, inplace: bool, *args):
    return apply_inplace(cls, input, (input,), *args) if inplace else apply(cls, (input,), *args)


def gelu(input, approximate: str = "none"):
    """``x * Phi(x)`` (Phi the standard normal's CDF); ``approximate='tanh'`` uses the tanh
    approximation of it."""
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    _float_kernel("GeluKernelImpl", input)
    return apply(A.GeluBackward0, (input,), approximate)


def silu(input, inplace: bool = False):
    """``x * sigmoid(x)``."""
    _float_kernel("silu_cpu", input)
    return _activation(A.SiluBackward0, input, inplace)


def leaky_relu(input, negative_slope: float = 0.01, inplace: bool = False):
    """``x`` where positive, ``negative_slope * x`` elsewhere."""
    _float_kernel("leaky_relu_cpu", input)
    if inplace:
        return apply_inplace(A.LeakyReluBackward1, input, (input,), negative_slope)
    return apply(A.LeakyReluBackward0, (input,), negative_slope)


def softplus(input, beta: float = 1.0, threshold: float = 20.0):
    """``log(1 + exp(beta x)) / beta``, and ``x`` where ``beta x > threshold``."""
    _float_kernel("softplus_cpu", input)
    return apply(A.SoftplusBackward0, (input,), beta, threshold)


def elu(input, alpha: float = 1.0, inplace: bool = False):
    """``x`` where positive, ``alpha * (exp(x) - 1)`` elsewhere."""
    _float_kernel("elu_cpu", input)
    if inplace:
        return apply_inplace(A.EluBackward1, input, (input,), alpha, 1, 1)
    return apply(A.EluBackward0, (input,), alpha, 1, 1)


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def selu(input, inplace: bool = False):
    """``scale * elu(x, alpha)`` with the self-normalising constants (an elu node)."""
    _float_kernel("elu_cpu", input)
    if inplace:
        return apply_inplace(A.EluBackward1, input, (input,), _SELU_ALPHA, _SELU_SCALE, 1)
    return apply(A.EluBackward0, (input,), _SELU_ALPHA, _SELU_SCALE, 1)


def logsigmoid(input):
    """``log(sigmoid(x))``, without overflow."""
    _float_kernel("log_sigmoid_cpu", input)
    return apply(A.LogSigmoidBackward0, (input,))


def hardtanh(input, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False):
    """``x`` clipped to ``[min_val, max_val]``."""
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    if input._data.dtype.kind == "b":
        raise RuntimeError("Bool inputs not supported for hardtanh")
    return _activation(A.HardtanhBackward0, input, inplace, min_val, max_val)


def relu6(input, inplace: bool = False):
    """``x`` clipped to ``[0, 6]`` (a hardtanh)."""
    return hardtanh(input, 0, 6, inplace)


def mish(input, inplace: bool = False):
    """``x * tanh(softplus(x))``."""
    _float_kernel("mish_cpu", input)
    return _activation(A.MishBackward0, input, inplace)


def hardsigmoid(input, inplace: bool = False):
    """``relu6(x + 3) / 6``."""
    _float_kernel("hardsigmoid_cpu", input)
    return _activation(A.HardsigmoidBackward0, input, inplace)


def hardswish(input, inplace: bool = False):
    """``x * relu6(x + 3) / 6``."""
    _float_kernel("hardswish_cpu", input)
    return _activation(A.HardswishBackward0, input, inplace)


def softsign(input):
    """``x / (1 + |x|)`` (torch's Abs, Add and Div nodes)."""
    return input / (input.abs() + 1)


def tanhshrink(input):
    """``x - tanh(x)``."""
    return input - input.tanh()


def softmin(input, dim=None, _stacklevel: int = 3, dtype=None):
    """``softmax(-input)`` along ``dim``; without one, torch's implicit choice, warned."""
    return api.softmax(-input, _softmax_dim("softmin", input, dim), dtype)


# ---------------------------------------------------------------- pointwise losses


def _no_weight_grad(op: str, name: str, weight) -> None:
    if weight is not None and weight.requires_grad:
        raise RuntimeError(
            f"The function '{op}' is not differentiable with respect to argument '{name}'. "
            "This input cannot have requires_grad True."
        )


def _size(shape) -> str:
    return f"torch.Size({list(shape)})"


def _weight_into(op: str, weight, input):
    """A weight's array for a loss over ``input``, checked as torch's in-place ``mul_``
    into the loss checks it (it broadcasts to ``input``'s shape, the loss keeping its own)."""
    if weight is None:
        return None
    shape = tuple(input.shape)
    try:
        joint = np.broadcast_shapes(shape, tuple(weight.shape))
    except ValueError:
        raise api._broadcast_error(op, input, weight) from None
    if joint != shape:
        raise RuntimeError(
            f"output with shape {shape_str(shape)} doesn't match the broadcast shape "
            f"{shape_str(joint)}"
        )
    return weight._data


def binary_cross_entropy_with_logits(
    input,
    target,
    weight=None,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
    pos_weight=None,
):
    """Binary cross entropy of ``sigmoid(input)`` against ``target``, computed from the
    logits without overflow; ``pos_weight`` weighs the positive term, ``weight`` each
    element."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    reduction = _check_reduction(reduction)
    if input.shape != target.shape:
        raise ValueError(
            f"Target size ({_size(target.shape)}) must be the same as input size "
            f"({_size(input.shape)})"
        )
    _float_kernel("log_sigmoid_cpu", input)
    dtype = dtypes.result_type(input._data.dtype, 1, None, target._data.dtype, 1)
    kind = target._data.dtype.kind
    if kind == "b":  # torch's ``(1 - target)``, then its product written into that
        raise RuntimeError(
            "Subtraction, the `-` operator, with two bool tensors is not supported. Use the "
            "`^` or `logical_xor()` operator instead."
        )
    if kind in "iu":
        raise RuntimeError(
            f"result type {scalar_type_name(dtype)} can't be cast to the desired output type "
            f"{scalar_type_name(target._data.dtype)}"
        )
    op = "binary_cross_entropy_with_logits"
    _no_weight_grad(op, "weight", weight)
    _no_weight_grad(op, "pos_weight", pos_weight)
    w = _weight_into(op, weight, input)
    pw = _weight_into(op, pos_weight, input)
    cls = L.BinaryCrossEntropyWithLogitsBackward0
    return apply(cls, (input, target), reduction, dtype, w, pw)


def binary_cross_entropy(
    input, target, weight=None, size_average=None, reduce=None, reduction: str = "mean"
):
    """Binary cross entropy of probabilities ``input`` against ``target``, each log
    clamped at -100."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    reduction = _check_reduction(reduction)
    if input.shape != target.shape:
        raise ValueError(
            f"Using a target size ({_size(target.shape)}) that is different to the input size "
            f"({_size(input.shape)}) is deprecated. Please ensure they have the same size."
        )
    op = "binary_cross_entropy"
    if weight is not None:
        _check_expandable(weight.shape, target.shape)
        _no_weight_grad(op, "weight", weight)
        weight = api.expand(weight, tuple(target.shape))
    dtype = input._data.dtype
    if target._data.dtype != dtype:
        raise RuntimeError(
            f"Found dtype {scalar_type_name(target._data.dtype)} but expected "
            f"{scalar_type_name(dtype)}"
        )
    _float_kernel("binary_cross_entropy", input)
    for name, t in (("input", input), ("target", target)):
        v = t._data
        if not ((v >= 0) & (v <= 1)).all():
            raise RuntimeError(f"all elements of {name} should be between 0 and 1")
    w = None if weight is None else weight._data
    return apply(L.BinaryCrossEntropyBackward0, (input, target), reduction, dtype, w)


def _check_expandable(shape, target) -> None:
    """torch's ``_infer_size(target, weight)`` as binary_cross_entropy runs it."""
    n = max(len(shape), len(target))
    for i in range(n - 1, -1, -1):
        a = target[i - n + len(target)] if i - n + len(target) >= 0 else 1
        b = shape[i - n + len(shape)] if i - n + len(shape) >= 0 else 1
        if a != b and a != 1 and b != 1:
            raise RuntimeError(
                f"Attempting to broadcast a dimension of length {b} at {i - n}! Mismatching "
                f"argument at index 1 had {_size(shape)}; but expected shape should be "
                f"broadcastable to {list(target)}"
            )


def l1_loss(input, target, size_average=None, reduce=None, reduction: str = "mean", weight=None):
    """Mean absolute error: ``|input - target|``, then its mean or sum (torch's nodes);
    with ``weight``, each error weighed and a mean taken over the weights."""
    in_shape = input.shape
    input, target = _broadcast_pair("l1_loss", input, target)
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if weight is None:
        reduction = _check_reduction(reduction)
        return _l1(input, target, reduction)
    _check_weight_shape(weight, in_shape)
    loss = api.abs(api.sub(input, target)) * weight
    if reduction == "mean":
        return loss.sum() / weight.sum()
    return _weighted_reduction(loss, reduction)


def _check_weight_shape(weight, shape) -> None:
    if weight.shape != shape:
        raise ValueError("Weights and input must have the same size.")


def _weighted_reduction(loss, reduction: str):
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    if reduction == "mean":
        return loss.mean()
    raise ValueError(f"Invalid reduction mode: {reduction}. Expected one of 'none', 'mean', 'sum'.")


def _legacy_reduction(size_average, reduce, reduction: str) -> str:
    """``reduction``, or what torch's deprecated ``size_average``/``reduce`` make of it."""
    if size_average is None and reduce is None:
        return reduction
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    out = "mean" if size_average and reduce else "sum" if reduce else "none"
    warnings.warn(
        f"size_average and reduce args will be deprecated, please use reduction='{out}' instead.",
        stacklevel=user_stacklevel(),
    )
    return out


def _l1(input, target, reduction):
    loss = api.abs(api.sub(input, target))
    if reduction == "none":
        return loss
    return loss.sum() if reduction == "sum" else loss.mean()


def _pair_dtype(kernel: str, input, target):
    dtype = dtypes.result_type(input._data.dtype, 1, None, target._data.dtype, 1)
    if dtype.kind != "f":
        refuse_kernel(kernel, dtype)
    return dtype


def smooth_l1_loss(
    input, target, size_average=None, reduce=None, reduction: str = "mean", beta: float = 1.0
):
    """``0.5 d**2 / beta`` where ``|d| < beta``, ``|d| - 0.5 beta`` elsewhere (``d =
    input - target``), reduced; ``beta=0`` is ``l1_loss``."""
    input, target = _broadcast_pair("smooth_l1_loss", input, target)
    reduction = _legacy_reduction(size_average, reduce, reduction)
    reduction = _check_reduction(reduction)
    if beta == 0.0:
        return _l1(input, target, reduction)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    dtype = _pair_dtype("smooth_l1_cpu", input, target)
    return apply(L.SmoothL1LossBackward0, (input, target), reduction, dtype, beta)


def huber_loss(input, target, reduction: str = "mean", delta: float = 1.0, weight=None):
    """``0.5 d**2`` where ``|d| < delta``, ``delta (|d| - 0.5 delta)`` elsewhere (``d =
    input - target``), reduced, in ``input``'s dtype; with ``weight``, each term weighed."""
    in_shape = input.shape
    input, target = _broadcast_pair("huber_loss", input, target)
    if weight is not None:
        _check_weight_shape(weight, in_shape)
        return _weighted_reduction(_huber(input, target, "none", delta) * weight, reduction)
    return _huber(input, target, reduction, delta)


def _huber(input, target, reduction: str, delta: float):
    reduction = _check_reduction(reduction)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    _pair_dtype("huber_cpu", input, target)
    if input._data.dtype.kind != "f":
        refuse_kernel("huber_cpu", input._data.dtype)
    return apply(L.HuberLossBackward0, (input, target), reduction, input._data.dtype, delta)


# ---------------------------------------------------------------- one_hot, dropout


def one_hot(tensor, num_classes: int = -1):
    """``tensor``'s class indices (int64) as rows of ``num_classes`` zeros with a one at the
    class (``-1``: one more than the largest index); no gradient."""
    from .. import creation

    if type(num_classes) is not int:
        raise TypeError(
            "one_hot(): argument 'num_classes' (position 2) must be int, not "
            f"{type(num_classes).__name__}"
        )
    t = tensor._data
    if t.dtype != np.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if t.size == 0 and num_classes <= 0:
        raise RuntimeError("Can not infer total number of classes from empty tensor.")
    if t.size:
        if int(t.min()) < 0:
            raise RuntimeError("Class values must be non-negative.")
        if num_classes == -1:
            num_classes = int(t.max()) + 1
        elif int(t.max()) >= num_classes:
            raise RuntimeError("Class values must be smaller than num_classes.")
    xp = xp_of(t)
    out = (t[..., None] == xp.arange(num_classes)).astype(np.int64)
    return creation._leaf(out, False)


def dropout(input, p: float = 0.5, training: bool = True, inplace: bool = False):
    """Each element zeroed with probability ``p`` and the rest scaled by ``1 / (1 - p)``
    while ``training`` (torch's ``input * mask``, one ``MulBackward0``); the mask is drawn
    from gradscope's generator (``gs.manual_seed``)."""
    from .. import creation

    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if p == 0 or not training or input.numel() == 0:
        return input
    dtype = input._data.dtype
    if dtype.kind not in "fc":
        raise RuntimeError(
            f"result type Float can't be cast to the desired output type {scalar_type_name(dtype)}"
        )
    xp = xp_of(input._data)
    if p == 1:
        noise = xp.zeros((), dtype)
    else:
        rng = creation._rng if xp is np else xp.random
        with _on_device(input):
            kept = rng.random(tuple(input.shape)) < 1 - p
            noise = kept.astype(dtype) / dtype.type(1 - p)
    noise = creation._leaf(noise, False)
    return api.mul_(input, noise) if inplace else api.mul(input, noise)


def _on_device(t):
    """A context on ``t``'s GPU (CuPy draws and allocates on the current one)."""
    if type(t._data) is np.ndarray:
        return contextlib.nullcontext()
    return xp_of(t._data).cuda.Device(t._data.device.id)


# ---------------------------------------------------------------- embedding, layer_norm


def embedding(
    input,
    weight,
    padding_idx: int | None = None,
    max_norm: float | None = None,
    norm_type: float = 2.0,
    scale_grad_by_freq: bool = False,
    sparse: bool = False,
):
    """The rows of ``weight`` at the indices ``input`` (int64 or int32); ``padding_idx``'s
    row gets no gradient, and with ``max_norm`` each row picked is first scaled down in
    place to that norm at most."""
    if padding_idx is None:
        padding_idx = -1
    elif padding_idx > 0:  # (torch's Python, word for word)
        if not padding_idx < weight.shape[0]:
            raise AssertionError("Padding_idx must be within num_embeddings")
    elif padding_idx < 0:
        if not padding_idx >= -weight.shape[0]:
            raise AssertionError("Padding_idx must be within num_embeddings")
        padding_idx = weight.shape[0] + padding_idx
    if max_norm is not None:
        if not isinstance(input, api.Tensor):  # (torch's Python makes it contiguous first)
            raise AttributeError(f"'{type(input).__name__}' object has no attribute 'contiguous'")
        _embedding_renorm(weight, input, max_norm, norm_type)
    _tensor_arg("embedding", "weight", 1, weight)
    _tensor_arg("embedding", "indices", 2, input)
    padding_idx = _int_arg("embedding", "padding_idx", 3, padding_idx)
    if sparse:
        raise NotImplementedError("embedding(sparse=True): gradscope has no sparse gradients")
    if weight.ndim != 2:
        raise RuntimeError("'weight' must be 2-D")
    idx = _index_tensor("embedding", 1, input)
    if idx.size and weight.shape[0] == 0:
        raise RuntimeError("index_select(): self indexing axis dim should be positive")
    if idx.size and (int(idx.min()) < 0 or int(idx.max()) >= weight.shape[0]):
        raise IndexError("index out of range in self")
    return apply(S.EmbeddingBackward0, (weight, input), padding_idx, scale_grad_by_freq, False)


def _index_tensor(fn: str, arg: int, input):
    """``input``'s indices, or torch's error where they are neither int64 nor int32."""
    idx = input._data
    if idx.dtype not in (np.dtype(np.int64), np.dtype(np.int32)):
        raise RuntimeError(
            f"Expected tensor for argument #{arg} 'indices' to have one of the following scalar "
            f"types: Long, Int; but got {tensor_type_name(idx.dtype, input._buffer.device)} "
            f"instead (while checking arguments for {fn})"
        )
    return idx


def _embedding_renorm(weight, input, max_norm: float, norm_type: float) -> None:
    """torch's ``embedding_renorm_``: each row picked whose norm exceeds ``max_norm``
    scaled (in place, outside the graph) to ``max_norm``."""
    _tensor_arg("embedding_renorm_", "self", 1, weight)
    _tensor_arg("embedding_renorm_", "indices", 2, input)
    _float_arg("embedding_renorm_", "max_norm", 3, max_norm)
    _float_arg("embedding_renorm_", "norm_type", 4, norm_type)
    if weight.ndim != 2:
        raise RuntimeError(
            f"Expected 2-dimensional tensor, but got {weight.ndim}-dimensional tensor for "
            "argument #1 'self' (while checking arguments for embedding_renorm_)"
        )
    idx = _index_tensor("embedding_renorm_", 2, input)
    w = weight._data
    xp = xp_of(w)
    n = w.shape[0]
    bad = idx[(idx < -n) | (idx >= n)]
    if bad.size:  # (torch selects the rows in order, the lowest index first)
        raise IndexError(
            f"select(): index {int(bad.min())} out of range for tensor of size "
            f"{shape_str(w.shape)} at dimension 0"
        )
    rows = xp.unique(idx.reshape(-1) % max(n, 1))
    picked = w[rows]
    norms = (xp.abs(picked) ** norm_type).sum(axis=1) ** (1.0 / norm_type)
    over = norms > max_norm
    scale = (max_norm / (norms + 1e-7)).astype(w.dtype)
    w[rows[over]] = picked[over] * scale[over, None]
    weight._vc[0] += 1


def layer_norm(input, normalized_shape, weight=None, bias=None, eps: float = 1e-5):
    """``input`` normalised to mean 0 and variance 1 over its last dims (those of
    ``normalized_shape``), then scaled by ``weight`` and shifted by ``bias``."""
    if not isinstance(normalized_shape, (tuple, list)):  # (nor an int, for it)
        raise TypeError(
            "layer_norm(): argument 'normalized_shape' (position 2) must be tuple of ints, not "
            f"{py_type_name(normalized_shape)}"
        )
    # the parser reads each argument's type (a list's by its first element) before it
    # unpacks the rest of a list
    _int_list("layer_norm", "normalized_shape", 2, normalized_shape[:1], 0)
    _tensor_args("layer_norm", ("weight", 3, weight), ("bias", 4, bias))
    shape = _int_list("layer_norm", "normalized_shape", 2, normalized_shape, 0)
    if not shape:
        raise RuntimeError(
            "Expected normalized_shape to be at least 1-dimensional, i.e., containing at least "
            "one element, but got normalized_shape = []"
        )
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != shape:
            raise RuntimeError(
                f"Expected {name} to be of same shape as normalized_shape, but got {name} of "
                f"shape {list(t.shape)} and normalized_shape = {list(shape)}"
            )
    if tuple(input.shape[input.ndim - len(shape) :]) != shape or input.ndim < len(shape):
        raise RuntimeError(
            f"Given normalized_shape={list(shape)}, expected input with shape "
            f"[*, {', '.join(map(str, shape))}], but got input of size{list(input.shape)}"
        )
    dtype = input._data.dtype
    if dtype.kind != "f":
        refuse_kernel("LayerNormKernelImpl", dtype)
    for t in (weight, bias):
        if t is not None and t._data.dtype != dtype:
            raise RuntimeError(
                f"mixed dtype (CPU): expect parameter to have scalar type of {scalar_type_name(dtype)}"
            )
    return apply(A.NativeLayerNormBackward0, (input, weight, bias), shape, eps)


# ---------------------------------------------------------------- batch_norm, group_norm


def batch_norm(
    input,
    running_mean,
    running_var,
    weight=None,
    bias=None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
):
    """Each channel (dim 1) normalised to mean 0 and variance 1 over the other dims, then
    scaled by ``weight`` and shifted by ``bias``. Training, with the batch's statistics,
    and ``running_mean``/``running_var`` (if given) moved towards them by ``momentum``, in
    place; otherwise with the running statistics."""
    tensors = (("weight", 2, weight), ("bias", 3, bias))
    tensors += (("running_mean", 4, running_mean), ("running_var", 5, running_var))
    if type(momentum) not in (int, float):
        _tensor_args("batch_norm", *tensors)  # (the parser reads them first)
        raise TypeError(
            "batch_norm(): argument 'momentum' (position 7) must be float, not "
            f"{type(momentum).__name__}"
        )
    if training:
        size = tuple(input.shape)
        if size[0] * _prod(size[2:]) == 1:
            raise ValueError(
                f"Expected more than 1 value per channel when training, got input size {_size(size)}"
            )
        if not eps > 0:
            raise ValueError(f"batch_norm eps must be positive during training, but got {eps}")
    elif eps < 0:
        raise ValueError(f"batch_norm eps must be non-negative, but got {eps}")
    _tensor_args("batch_norm", *tensors)
    if input.ndim < 2:
        api._dim(1, input.ndim)
    if input.numel() == 0:  # torch's shortcut, before it checks the other tensors' sizes
        out = input.clone()
        if weight is not None:
            out = out * _first(weight)
        return out if bias is None else out + _first(bias)
    dtype = input._data.dtype
    if dtype.kind != "f":
        refuse_kernel("batch_norm", dtype)
    c = input.shape[1]
    for name, t in (("running_mean", running_mean), ("running_var", running_var)):
        if t is not None and t.numel() != c:
            raise RuntimeError(f"{name} should contain {c} elements not {t.numel()}")
        if t is None and not training:
            raise RuntimeError(f"{name} must be defined in evaluation mode")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and t.numel() != c:
            raise RuntimeError(f"{name} should contain {c} elements not {t.numel()}")
    if (running_mean is None) != (running_var is None):
        raise ValueError("running_mean and running_var must either both be None or neither be None")
    for t in (running_mean, running_var):
        if t is not None and t.ndim != 1:  # (torch's kernel reads them as vectors)
            raise RuntimeError(f"TensorAccessor expected 1 dims but tensor has {t.ndim}")
    for t in (weight, bias, running_mean, running_var):
        if t is not None and t._data.dtype != dtype:
            raise RuntimeError(
                f"mixed dtype (CPU): expect parameter to have scalar type of {scalar_type_name(dtype)}"
            )
    inputs = (input, weight, bias, running_mean, running_var)
    return apply(N.NativeBatchNormBackward0, inputs, bool(training), float(momentum), eps)


def _first(t):
    """``t[0]``, with torch's error for an empty ``t``."""
    if t.ndim and t.shape[0] == 0:
        raise IndexError(
            f"select(): index 0 out of range for tensor of size {shape_str(t.shape)} at dimension 0"
        )
    return t[0]


def group_norm(input, num_groups: int, weight=None, bias=None, eps: float = 1e-5):
    """Each sample's channels split into ``num_groups`` groups, each normalised to mean 0
    and variance 1 over its channels and the other dims, then scaled by ``weight`` and
    shifted by ``bias`` per channel."""
    if input.ndim < 2:
        raise RuntimeError(
            f"Expected at least 2 dimensions for input tensor but received {input.ndim}"
        )
    size = [input.shape[0] * input.shape[1] // num_groups, num_groups] + list(input.shape[2:])
    if size[0] * _prod(size[2:]) == 1:
        raise ValueError(
            f"Expected more than 1 value per channel when training, got input size {size}"
        )
    if isinstance(num_groups, bool) or not isinstance(num_groups, int):
        raise TypeError(
            "group_norm(): argument 'num_groups' (position 2) must be int, not "
            f"{py_type_name(num_groups)}"
        )
    _tensor_args("group_norm", ("weight", 3, weight), ("bias", 4, bias))
    if num_groups <= 0:
        raise RuntimeError(f"Expected num groups to be greater than 0, got {num_groups}")
    shape = list(input.shape)
    c = shape[1]
    if c % num_groups:
        raise RuntimeError(
            "Expected number of channels in input to be divisible by num_groups, but got "
            f"input of shape {shape} and num_groups={num_groups}"
        )
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and (t.ndim != 1 or t.numel() != c):
            # torch's text shows the weight's shape for either
            wshape = list(weight.shape) if weight is not None else [0]
            raise RuntimeError(
                f"Expected {name} to be a vector of size equal to the number of channels in "
                f"input, but got {name} of shape {wshape} and input of shape {shape}"
            )
    dtype = input._data.dtype
    if dtype.kind != "f":
        refuse_kernel("GroupNormKernelImpl", dtype)
    for t in (weight, bias):
        if t is not None and t._data.dtype != dtype:
            raise RuntimeError(
                f"mixed dtype (CPU): expect parameter to have scalar type of {scalar_type_name(dtype)}"
            )
    return apply(N.NativeGroupNormBackward0, (input, weight, bias), num_groups, eps)


# ---------------------------------------------------------------- rms_norm, normalize, distances


def rms_norm(input, normalized_shape, weight=None, eps: float | None = None):
    """``input`` divided by its root mean square over its last dims (those of
    ``normalized_shape``), then scaled by ``weight``: torch's composite of Pow, Mean, Add,
    Rsqrt and Mul nodes. ``eps`` defaults to the dtype's machine epsilon."""
    if isinstance(normalized_shape, int) or not all(type(n) is int for n in normalized_shape):
        raise TypeError(
            "rms_norm(): argument 'normalized_shape' (position 2) must be tuple of ints, not "
            f"{type(normalized_shape).__name__}"
        )
    shape = tuple(normalized_shape)
    if weight is not None and tuple(weight.shape) != shape:
        raise RuntimeError(
            "Expected weight to be of same shape as normalized_shape, but got weight of "
            f"shape {list(weight.shape)} and normalized_shape = {list(shape)}"
        )
    if tuple(input.shape[input.ndim - len(shape) :]) != shape or input.ndim < len(shape):
        raise RuntimeError(
            f"Given normalized_shape={list(shape)}, expected input with shape "
            f"[*{', '.join(map(str, shape))}], but got input of size{list(input.shape)}"
        )
    dtype = input._data.dtype
    if dtype.kind != "f":
        refuse_kernel("rms_norm", dtype)
    if weight is not None and weight._data.dtype.kind == "c":  # torch drops its imaginary part
        raise NotImplementedError("rms_norm: gradscope does not take a complex weight")
    if eps is None:
        eps = float(np.finfo(dtype).eps)
    dims = tuple(range(input.ndim - len(shape), input.ndim))
    ms = api.pow(input, 2).mean(dims, keepdim=True)
    out = api.mul(input, apply(AddBackward1, (ms,), eps).rsqrt())
    return out if weight is None else api.mul(out, weight)


def normalize(input, p: float = 2.0, dim: int = 1, eps: float = 1e-12, out=None):
    """``input`` divided by its ``p``-norm along ``dim`` (at least ``eps``)."""
    if out is not None:
        raise NotImplementedError("normalize(out=...): gradscope has no out= arguments")
    denom = input.norm(p, dim, keepdim=True).clamp_min(eps).expand_as(input)
    return input / denom


def cosine_similarity(x1, x2, dim: int = 1, eps: float = 1e-8):
    """The cosine of the angle between ``x1`` and ``x2`` (broadcast) along ``dim``: each
    divided by its norm (at least ``eps``) first, then their product summed."""
    _tensor_arg("cosine_similarity", "x2", 2, x2)
    dim = _int_arg("cosine_similarity", "dim", None, dim)  # (the parser's, as a keyword)
    if eps < 0:
        raise RuntimeError(f"eps must be non-negative, got: {eps:g}")
    dtype = np.result_type(x1._data.dtype, x2._data.dtype)
    if dtype.kind != "f":
        raise RuntimeError(
            "expected common dtype to be floating point, yet common dtype is "
            f"{scalar_type_name(dtype)}"
        )
    try:
        shape = np.broadcast_shapes(tuple(x1.shape), tuple(x2.shape))
    except ValueError:
        raise api._broadcast_error("cosine_similarity", x1, x2) from None
    api._dim(dim, len(shape))
    if tuple(x1.shape) != tuple(x2.shape):  # torch expands both then, either may be full
        x1, x2 = x1.expand(shape), x2.expand(shape)
    from .. import linalg
    from ..autograd.grad_mode import no_grad

    n1 = linalg.vector_norm(x1, 2, dim=dim, keepdim=True).clone()
    n2 = linalg.vector_norm(x2, 2, dim=dim, keepdim=True).clone()
    with no_grad():  # as torch: the clamp is not part of the gradient
        n1.clamp_min_(eps)
        n2.clamp_min_(eps)
    return ((x1 / n1) * (x2 / n2)).sum(dim)


_PAD_MODES = ("constant", "reflect", "replicate", "circular")


def pad(input, pad, mode: str = "constant", value: float | None = None):
    """``input`` padded by ``pad``, (left, right) pairs from the last dim backwards:
    with ``value`` (``constant``; negative entries crop), or by reflecting, replicating or
    wrapping (``circular``) its edges, over the last 1, 2 or 3 dims."""
    if not isinstance(pad, (tuple, list)):  # (nor an int, for it)
        raise TypeError(
            f"pad(): argument 'pad' (position 2) must be tuple of ints, not {py_type_name(pad)}"
        )
    pad = _int_list("pad", "pad", 2, pad, 0)
    if not isinstance(mode, str):
        raise TypeError(
            f"pad(): argument 'mode' (position 3) must be str, not {py_type_name(mode)}"
        )
    if value is not None:
        _float_arg("pad", "value", 4, value)
    if mode not in _PAD_MODES:
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    nd = input.ndim
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) > 2 * nd:
        raise RuntimeError(
            "Padding length should be less than or equal to two times the input dimension but "
            f"got padding length {len(pad)} and input of dimension {nd}"
        )
    if mode == "constant":
        _check_constant_pad(input.shape, pad)
        return apply(P.ConstantPadNdBackward0, (input,), pad, 0.0 if value is None else value)
    if value is not None and value != 0:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
    k = len(pad) // 2
    if k not in (1, 2, 3) or nd not in (k + 1, k + 2):
        raise NotImplementedError(
            f"Padding size {len(pad)} is not supported for {nd}D input tensor.\n"
            "Supported combinations for non-constant padding:\n"
            "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
            "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
            "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)"
        )
    if mode == "circular":
        return _pad_circular(input, pad)
    shape = tuple(input.shape)
    if 0 in shape[1 if nd == k + 2 else 0 :]:  # (a batch of none is the one empty dim)
        raise RuntimeError(
            f"Expected {k + 1}D or {k + 2}D (batch mode) tensor with possibly 0 batch size and "
            f"other non-zero dimensions for input, but got: {list(shape)}"
        )
    if mode == "reflect":
        for i, arg in enumerate((4, 6, 8)[:k]):
            left, right, n = pad[2 * i], pad[2 * i + 1], shape[nd - 1 - i]
            if not (left < n and right < n):
                raise RuntimeError(
                    f"Argument #{arg}: Padding size should be less than the corresponding input "
                    f"dimension, but got: padding ({left}, {right}) at dimension {nd - 1 - i} of "
                    f"input {list(shape)}"
                )
    out = list(shape)
    for i in range(k):
        out[nd - 1 - i] += pad[2 * i] + pad[2 * i + 1]
    if k == 1 and out[-1] < 1:
        raise RuntimeError(f"input (W: {shape[-1]}) is too small. Calculated output W: {out[-1]}")
    bad = [n for n in out if n < 0]
    if bad:
        raise RuntimeError(f"Trying to create tensor with negative dimension {bad[0]}: {out}")
    table = P.REFLECTION if mode == "reflect" else P.REPLICATION
    return apply(table[k], (input,), pad)


def _float_arg(fn: str, name: str, pos: int, v) -> None:
    """torch's parser's refusal of ``v`` where argument ``name`` of ``fn`` is a float."""
    if not isinstance(v, (int, float, np.integer, np.floating)) and not (
        isinstance(v, api.Tensor) and v.numel() == 1
    ):
        raise TypeError(
            f"{fn}(): argument '{name}' (position {pos}) must be float, not {py_type_name(v)}"
        )


def _check_constant_pad(shape, pad) -> None:
    """torch's checks of ``constant_pad_nd``, which crops with ``narrow`` first."""
    nd = len(shape)
    for i in range(len(pad) // 2):
        n = shape[nd - 1 - i]
        left, right = pad[2 * i], pad[2 * i + 1]
        if left < 0:
            n += left
        if right < 0:
            n += right
        if n < 0:
            raise RuntimeError("narrow(): length must be non-negative.")


def _pad_circular(input, pad):
    """torch's ``_pad_circular``: the input copied into a new tensor, then the wrapped
    edges copied from it, a slice at a time (so a graph of ``CopySlices``)."""
    k = len(pad) // 2
    nd = input.ndim
    in_shape = tuple(input.shape)
    out_shape = list(in_shape)
    for i in range(k):  # the first padded dim first, as torch
        d = nd - k + i
        left, right = pad[2 * (k - i - 1)], pad[2 * (k - i - 1) + 1]
        out_shape[d] = in_shape[d] + left + right
        if not (left <= in_shape[d] and right <= in_shape[d]):
            raise RuntimeError("Padding value causes wrapping around more than once.")
        if out_shape[d] < 0:
            raise RuntimeError("Negative padding value is resulting in an empty dimension")
    out = input.new_empty(tuple(out_shape))
    out_slice, in_slice = out, input
    for i in range(k):
        d = nd - 1 - i
        left, right = pad[2 * i], pad[2 * i + 1]
        out_slice = _slice(out_slice, d, max(left, 0), out_shape[d] - max(right, 0))
        in_slice = _slice(in_slice, d, max(-left, 0), in_shape[d] - max(-right, 0))
    out_slice.copy_(in_slice)
    for i in range(k):
        d = nd - 1 - i
        left, right = pad[2 * i], pad[2 * i + 1]
        n = out_shape[d]
        if left > 0:
            src = _slice(out, d, n - left - max(right, 0), n - max(right, 0))
            _slice(out, d, 0, left).copy_(src)
        if right > 0:
            src = _slice(out, d, max(left, 0), max(left, 0) + right)
            _slice(out, d, n - right, n).copy_(src)
    return out


def _slice(t, dim: int, start: int, end: int):
    return api.narrow(t, dim, start, end - start)


_KL_MEAN_WARNING = (
    "reduction: 'mean' divides the total loss by both the batch size and the support size."
    "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
    "'mean' will be changed to behave the same as 'batchmean' in the next major release."
)


def kl_div(
    input,
    target,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
    log_target: bool = False,
):
    """The pointwise KL divergence ``target * (log(target) - input)`` of log-probabilities
    ``input`` from ``target`` (itself log-probabilities with ``log_target``), reduced;
    ``batchmean`` divides the sum by the batch size."""
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce, reduction)
    elif reduction == "mean":
        warnings.warn(_KL_MEAN_WARNING, UserWarning, stacklevel=user_stacklevel())
    kernel_reduction = "sum" if reduction == "batchmean" else reduction
    kernel_reduction = _check_reduction(kernel_reduction)
    for t in (input, target):
        if t.dtype.is_complex:
            raise RuntimeError("kl_div: Complex inputs not supported.")
        if not t.dtype.is_floating_point:
            raise RuntimeError("kl_div: Integral inputs not supported.")
    if log_target:
        loss = api.mul(api.exp(target), api.sub(target, input))
    else:
        loss = api.sub(api.xlogy(target, target), api.mul(target, input))
    loss = _weighted_reduction(loss, kernel_reduction)
    if reduction == "batchmean" and input.ndim != 0:
        # torch divides by the batch size as a 0-d int64 tensor (a DivBackward0)
        loss = api.div(loss, creation.tensor(input.shape[0], device=input.device))
    return loss


def pairwise_distance(x1, x2, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False):
    """The ``p``-norm of ``x1 - x2 + eps`` along the last dim (the inputs broadcast)."""
    diff = api.sub(x1, x2)
    if not (diff.dtype.is_floating_point or diff.dtype.is_complex):
        diff = diff.to(dtypes.default_float)  # integers (never in a graph) + eps: floats
    diff = apply(AddBackward1, (diff,), eps)
    last = max(x1.ndim, x2.ndim) - 1
    dims = api._reduction_dims("norm", diff, [last])
    return apply(R.NormBackward1, (diff,), p, dims, keepdim, None)


def triplet_margin_loss(
    anchor,
    positive,
    negative,
    margin: float = 1.0,
    p: float = 2.0,
    eps: float = 1e-6,
    swap: bool = False,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
):
    """``max(margin + d(anchor, positive) - d(anchor, negative), 0)``, reduced, with ``d``
    the ``pairwise_distance``; ``swap`` takes the smaller of d(a, n) and d(p, n)."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    reduction = _check_reduction(reduction)
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    dims = (anchor.ndim, positive.ndim, negative.ndim)
    if len(set(dims)) != 1:
        raise RuntimeError(
            "The anchor, positive, and negative tensors are expected to have the same number "
            f"of dimensions, but got: anchor {dims[0]}D, positive {dims[1]}D, and negative "
            f"{dims[2]}D inputs"
        )
    dist_pos = pairwise_distance(anchor, positive, p, eps)
    dist_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        dist_neg = api.minimum(dist_neg, pairwise_distance(positive, negative, p, eps))
    loss = api.clamp_min(api.sub(apply(AddBackward1, (dist_pos,), margin), dist_neg), 0)
    return _weighted_reduction(loss, reduction)


# ---------------------------------------------------------------- threshold, glu, prelu,
# celu and the shrinks


def threshold(input, threshold: float, value: float, inplace: bool = False):
    """``x`` where ``x > threshold``, ``value`` elsewhere."""
    for position, (name, v) in enumerate((("threshold", threshold), ("value", value)), 2):
        if not isinstance(v, Number):
            raise TypeError(
                f"threshold(): argument '{name}' (position {position}) must be Number, not "
                f"{py_type_name(v)}"
            )
    if inplace:
        return apply_inplace(A.ThresholdBackward1, input, (input,), threshold, value)
    return apply(A.ThresholdBackward0, (input,), threshold, value)


def threshold_(input, threshold: float, value: float):
    """``threshold`` written into ``input``."""
    return globals()["threshold"](input, threshold, value, inplace=True)


def glu(input, dim: int = -1):
    """``a * sigmoid(b)``, with ``a`` and ``b`` the two halves of ``input`` along ``dim``."""
    if input.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    d = api._dim(dim, input.ndim)
    if input.shape[d] % 2:
        raise RuntimeError(
            f"Halving dimension must be even, but dimension {d} is size {input.shape[d]}"
        )
    _float_kernel("glu_cpu", input)
    return apply(A.GluBackward0, (input,), dim)


def prelu(input, weight):
    """``x`` where positive, ``weight * x`` elsewhere: one weight, or one per channel (dim 1)."""
    if input.dtype != weight.dtype:
        raise RuntimeError(
            "prelu: Type promoting not supported. Got "
            f"{scalar_type_name(input._data.dtype)} and {scalar_type_name(weight._data.dtype)}"
        )
    n = weight.numel()
    if n != 1:
        if input.ndim == 0:
            raise RuntimeError("Not allow zero-dim input tensor.")
        channels = input.shape[1] if input.ndim > 1 else 1
        if channels != n:
            raise RuntimeError(
                "Mismatch of parameter numbers and input channel size. Found parameter "
                f"numbers = {n} and channel size = {channels}."
            )
    if weight.ndim > 1:
        raise RuntimeError(
            f"prelu: Expected `weight` to be a scalar or 1D tensor, but got: ndim = {weight.ndim}"
        )
    if input.ndim != weight.ndim:
        shape = [1] * input.ndim
        if input.ndim > 1:
            shape[1] = n
        weight = weight.reshape(shape)
    _float_kernel("prelu_cpu", input)
    return apply(A.PreluKernelBackward0, (input, weight))


def celu(input, alpha: float = 1.0, inplace: bool = False):
    """``max(0, x) + min(0, alpha * (exp(x / alpha) - 1))``."""
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError: alpha cannot be 0 for CELU")
    _float_kernel("elu_cpu", input)
    if inplace:
        return apply_inplace(A.CeluBackward1, input, (input,), alpha, 1, 1 / alpha)
    return apply(A.CeluBackward0, (input,), alpha, 1, 1 / alpha)


def celu_(input, alpha: float = 1.0):
    """``celu`` written into ``input``."""
    return celu(input, alpha, inplace=True)


def softshrink(input, lambd: float = 0.5):
    """``x - lambd`` above ``lambd``, ``x + lambd`` below ``-lambd``, 0 between."""
    _float_kernel("softshrink_check", input)
    top = float(np.finfo(input._data.dtype).max)
    if not 0 <= lambd <= top:
        raise RuntimeError(
            f"lambda must be in range [0, {top:g}] for input dtype "
            f"{scalar_type_name(input._data.dtype)}, but found {lambd:g}"
        )
    return apply(A.SoftshrinkBackward0, (input,), lambd)


def hardshrink(input, lambd: float = 0.5):
    """``x`` where ``|x| > lambd``, 0 elsewhere."""
    _float_kernel("hardshrink_cpu", input)
    return apply(A.HardshrinkBackward0, (input,), lambd)


from ._losses2 import (  # noqa: E402 - more losses, in a module of their own
    cosine_embedding_loss,
    gaussian_nll_loss,
    hinge_embedding_loss,
    margin_ranking_loss,
    multi_margin_loss,
    multilabel_margin_loss,
    multilabel_soft_margin_loss,
    poisson_nll_loss,
    soft_margin_loss,
)

__all__ += [
    "cosine_embedding_loss",
    "gaussian_nll_loss",
    "hinge_embedding_loss",
    "margin_ranking_loss",
    "multi_margin_loss",
    "multilabel_margin_loss",
    "multilabel_soft_margin_loss",
    "poisson_nll_loss",
    "soft_margin_loss",
]

from ._dropout2 import (  # noqa: E402 - channel and alpha dropout
    alpha_dropout,
    dropout1d,
    dropout2d,
    dropout3d,
    feature_alpha_dropout,
)

__all__ += ["alpha_dropout", "dropout1d", "dropout2d", "dropout3d", "feature_alpha_dropout"]

from ._norm2 import instance_norm, local_response_norm  # noqa: E402

__all__ += ["instance_norm", "local_response_norm"]

from ._resample import channel_shuffle, fold, pixel_shuffle, pixel_unshuffle, unfold  # noqa: E402

__all__ += ["channel_shuffle", "fold", "pixel_shuffle", "pixel_unshuffle", "unfold"]

from ._misc_functional import (  # noqa: E402
    adaptive_max_pool1d,
    adaptive_max_pool2d,
    bilinear,
    pdist,
)

__all__ += ["adaptive_max_pool1d", "adaptive_max_pool2d", "bilinear", "pdist"]

from ._interpolate import (  # noqa: E402 - resampling
    interpolate,
    upsample,
    upsample_bilinear,
    upsample_nearest,
)

__all__ += ["interpolate", "upsample", "upsample_bilinear", "upsample_nearest"]

from ._conv import conv_transpose1d, conv_transpose3d  # noqa: E402
from ._conv3d import (  # noqa: E402 - the 3-d convolution and pools
    adaptive_avg_pool3d,
    adaptive_max_pool3d,
    avg_pool3d,
    conv3d,
    max_pool3d,
)

__all__ += ["adaptive_avg_pool3d", "adaptive_max_pool3d", "avg_pool3d", "conv3d", "max_pool3d"]
__all__ += ["conv_transpose1d", "conv_transpose3d"]

from ._functional_more2 import (  # noqa: E402 - more pools and activations
    gumbel_softmax,
    lp_pool1d,
    lp_pool2d,
    lp_pool3d,
    max_unpool1d,
    max_unpool2d,
    rrelu,
    rrelu_,
    triplet_margin_with_distance_loss,
)

__all__ += [
    "gumbel_softmax",
    "lp_pool1d",
    "lp_pool2d",
    "lp_pool3d",
    "max_unpool1d",
    "max_unpool2d",
    "rrelu",
    "rrelu_",
    "triplet_margin_with_distance_loss",
]

from ._embedding_bag import embedding_bag  # noqa: E402 - bags of embedding rows

__all__ += ["embedding_bag"]

from ._grid_sample import affine_grid, grid_sample  # noqa: E402 - sampling grids

__all__ += ["affine_grid", "grid_sample"]

from ._ctc import ctc_loss  # noqa: E402 - the connectionist temporal classification loss

__all__ += ["ctc_loss"]

from ._fractional import (  # noqa: E402 - fractional max pooling
    fractional_max_pool2d,
    fractional_max_pool2d_with_indices,
    fractional_max_pool3d,
    fractional_max_pool3d_with_indices,
)
from ._functional_more2 import max_unpool3d  # noqa: E402

__all__ += [
    "fractional_max_pool2d",
    "fractional_max_pool2d_with_indices",
    "fractional_max_pool3d",
    "fractional_max_pool3d_with_indices",
    "max_unpool3d",
]


# ---------------------------------------------------------------- the pools with indices
# torch's ``*_with_indices`` forms: the pool's ``(output, indices)`` whatever
# ``return_indices`` says


def max_pool1d_with_indices(
    input,
    kernel_size,
    stride=None,
    padding=0,
    dilation=1,
    ceil_mode: bool = False,
    return_indices: bool = False,
):
    """``max_pool1d(..., return_indices=True)``."""
    return max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool2d_with_indices(
    input,
    kernel_size,
    stride=None,
    padding=0,
    dilation=1,
    ceil_mode: bool = False,
    return_indices: bool = False,
):
    """``max_pool2d(..., return_indices=True)``."""
    return max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool3d_with_indices(
    input,
    kernel_size,
    stride=None,
    padding=0,
    dilation=1,
    ceil_mode: bool = False,
    return_indices: bool = False,
):
    """``max_pool3d(..., return_indices=True)``."""
    return max_pool3d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def adaptive_max_pool1d_with_indices(input, output_size, return_indices: bool = False):
    """``adaptive_max_pool1d(..., return_indices=True)``."""
    return adaptive_max_pool1d(input, output_size, True)


def adaptive_max_pool2d_with_indices(input, output_size, return_indices: bool = False):
    """``adaptive_max_pool2d(..., return_indices=True)``."""
    return adaptive_max_pool2d(input, output_size, True)


def adaptive_max_pool3d_with_indices(input, output_size, return_indices: bool = False):
    """``adaptive_max_pool3d(..., return_indices=True)``."""
    return adaptive_max_pool3d(input, output_size, True)


__all__ += [
    "adaptive_max_pool1d_with_indices",
    "adaptive_max_pool2d_with_indices",
    "adaptive_max_pool3d_with_indices",
    "max_pool1d_with_indices",
    "max_pool2d_with_indices",
    "max_pool3d_with_indices",
]


# ---------------------------------------------------------------- in-place activations
# torch's F-level in-place forms: the op written into ``input``, its in-place node


def relu_(input):
    """``relu`` written into ``input`` (``ReluBackward0``)."""
    return api.relu_(input)


def elu_(input, alpha: float = 1.0, scale: float = 1.0, input_scale: float = 1.0):
    """``scale * elu(input_scale * x, alpha)`` written into ``input`` (``EluBackward1``;
    its backward refuses a negative ``alpha``, as torch's)."""
    _float_kernel("elu_cpu", input)
    return apply_inplace(A.EluBackward1, input, (input,), alpha, scale, input_scale)


def hardtanh_(input, min_val: float = -1.0, max_val: float = 1.0):
    """``hardtanh`` written into ``input`` (``HardtanhBackward0``). Unlike ``hardtanh`` it
    takes ``min_val > max_val`` (torch's clamp: everything becomes ``max_val``)."""
    if input._data.dtype.kind == "b":
        raise RuntimeError("Bool inputs not supported for hardtanh")
    return apply_inplace(A.HardtanhBackward0, input, (input,), min_val, max_val)


def leaky_relu_(input, negative_slope: float = 0.01):
    """``leaky_relu`` written into ``input`` (``LeakyReluBackward1``; its backward refuses
    a negative slope, as torch's)."""
    return leaky_relu(input, negative_slope, inplace=True)


def selu_(input):
    """``selu`` written into ``input`` (``EluBackward1``)."""
    return selu(input, inplace=True)


__all__ += ["elu_", "hardtanh_", "leaky_relu_", "relu_", "selu_"]


# The functions whose first argument torch's parser refuses unless it is a tensor: they
# refuse it the same way ("relu(): argument 'input' (position 1) must be Tensor, not
# float") rather than fail inside or compute (a NumPy scalar).
_TENSOR_FIRST = (
    "adaptive_avg_pool1d",
    "alpha_dropout",
    "avg_pool1d",
    "avg_pool2d",
    "avg_pool3d",
    "bilinear",
    "celu",
    "celu_",
    "channel_shuffle",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
    "cosine_similarity",
    "dropout",
    "elu",
    "elu_",
    "feature_alpha_dropout",
    "gelu",
    "hardshrink",
    "hardsigmoid",
    "hardswish",
    "hardtanh",
    "hardtanh_",
    "leaky_relu",
    "leaky_relu_",
    "linear",
    "logsigmoid",
    "mish",
    "one_hot",
    "pairwise_distance",
    "pdist",
    "pixel_shuffle",
    "pixel_unshuffle",
    "prelu",
    "relu",
    "relu6",
    "relu_",
    "rrelu",
    "rrelu_",
    "scaled_dot_product_attention",
    "selu",
    "selu_",
    "silu",
    "softplus",
    "softshrink",
    "threshold_",
)
_PARSER_NAMES = {  # where torch's parser names the function or the argument otherwise
    "bilinear": ("bilinear", "input1"),
    "cosine_similarity": ("cosine_similarity", "x1"),
    "logsigmoid": ("log_sigmoid", "input"),
    "pairwise_distance": ("pairwise_distance", "x1"),
    "scaled_dot_product_attention": ("scaled_dot_product_attention", "query"),
}
for _name in _TENSOR_FIRST:
    globals()[_name] = tensor_first(globals()[_name], *_PARSER_NAMES.get(_name, (_name,)))
del _name
