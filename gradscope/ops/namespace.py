"""torch's top-level names for ops gradscope has elsewhere: the function forms of
in-place methods (``torch.relu_(t)`` is ``t.relu_()``), of a tensor's predicates
(``torch.is_signed(t)``), and of ``nn.functional``'s ops (``torch.conv2d``,
``torch.batch_norm``, ...), plus ``fill`` and ``rsub``.

The functional ones take torch's top-level arguments, which are ATen's and sometimes not
``nn.functional``'s: ``torch.batch_norm(input, weight, bias, running_mean, running_var,
training, momentum, eps, cudnn_enabled)``, ``torch.embedding(weight, indices, ...)``
(weight first; ``padding_idx=-1`` is none), ``torch.dropout(input, p, train)``, and the
losses' ``reduction`` as an int (0 none, 1 mean, 2 sum) that defaults to 0: torch's
argument parser reads ATen's default ``Mean`` as 0, so ``torch.kl_div(x, t)`` is the
unreduced loss. Each records the nodes its ``nn.functional`` op records.
"""

from __future__ import annotations

import warnings

from ..autograd.function import apply
from ..nn import functional as F  # noqa: N812
from ..tensor import Tensor
from . import api
from . import elementwise as E
from . import shape as S
from ._broadcast import cast_like, unbroadcast
from ._graph import cast_to, sum_to
from ._jvp import terms, times
from .api import _check_tensor_arg

# ------------------------------------------------------------------------ methods


def _method_function(name: str):
    """torch's function form of the tensor method ``name``: ``f(input, *args)`` is
    ``input.name(*args)``, refusing an ``input`` that is not a tensor as torch does."""
    method = getattr(Tensor, name)

    def fn(input, *args, **kwargs):  # noqa: A002 - torch's name
        _check_tensor_arg(name, "input", 1, input)
        return method(input, *args, **kwargs)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"``input.{name}(...)``, as a function."
    return fn


abs_ = _method_function("abs_")
acos_ = _method_function("acos_")
acosh_ = _method_function("acosh_")
addmv_ = _method_function("addmv_")
arccos_ = _method_function("arccos_")
arccosh_ = _method_function("arccosh_")
arcsin_ = _method_function("arcsin_")
arcsinh_ = _method_function("arcsinh_")
arctan_ = _method_function("arctan_")
arctanh_ = _method_function("arctanh_")
asin_ = _method_function("asin_")
asinh_ = _method_function("asinh_")
atan_ = _method_function("atan_")
atanh_ = _method_function("atanh_")
ceil_ = _method_function("ceil_")
clamp_ = _method_function("clamp_")
clamp_max_ = _method_function("clamp_max_")
clamp_min_ = _method_function("clamp_min_")
clip_ = _method_function("clip_")
cos_ = _method_function("cos_")
cosh_ = _method_function("cosh_")
detach_ = _method_function("detach_")
erf_ = _method_function("erf_")
exp2_ = _method_function("exp2_")
exp_ = _method_function("exp_")
expm1_ = _method_function("expm1_")
fill_ = _method_function("fill_")
fix_ = _method_function("fix_")
floor_ = _method_function("floor_")
frac_ = _method_function("frac_")
gcd_ = _method_function("gcd_")
get_device = _method_function("get_device")
is_inference = _method_function("is_inference")
is_signed = _method_function("is_signed")
lcm_ = _method_function("lcm_")
ldexp_ = _method_function("ldexp_")
log10_ = _method_function("log10_")
log1p_ = _method_function("log1p_")
log2_ = _method_function("log2_")
log_ = _method_function("log_")
logit_ = _method_function("logit_")
nan_to_num_ = _method_function("nan_to_num_")
neg_ = _method_function("neg_")
negative_ = _method_function("negative_")
reciprocal_ = _method_function("reciprocal_")
relu_ = _method_function("relu_")
round_ = _method_function("round_")
rsqrt_ = _method_function("rsqrt_")
sigmoid_ = _method_function("sigmoid_")
sin_ = _method_function("sin_")
sinh_ = _method_function("sinh_")
sqrt_ = _method_function("sqrt_")
square_ = _method_function("square_")
tan_ = _method_function("tan_")
tanh_ = _method_function("tanh_")
trunc_ = _method_function("trunc_")
zero_ = _method_function("zero_")


# ------------------------------------------------------------------------ fill, rsub


class FillBackward0(S.FillBackward2):
    """``torch.fill(input, number)``: a new tensor of ``input``'s shape and dtype."""

    _name = "FillBackward0"
    complex_rule = "as_is"


class FillBackward1(S.FillBackward3):
    """``torch.fill(input, 0-dim tensor)``: the value's gradient is the incoming one's sum."""

    _name = "FillBackward1"
    complex_rule = "as_is"


def fill(input, value) -> Tensor:  # noqa: A002 - torch's name
    """A new tensor of ``input``'s shape, dtype and device, every element ``value`` (a
    number or a 0-dim tensor)."""
    from .. import dtypes

    _check_tensor_arg("fill", "input", 1, input)
    if type(value) is Tensor:
        if value._data.ndim:
            raise RuntimeError(
                "fill_ only supports 0-dimension value tensor but got tensor with "
                f"{value._data.ndim} dimensions."
            )
        return apply(FillBackward1, (input, value))
    return apply(FillBackward0, (input,), dtypes.checked_scalar(value, input._data.dtype))


class RsubBackward0(E.SubBackward0):
    """``rsub(input, other, alpha)``: ``other - alpha * input``, edges in that order."""

    _name = "RsubBackward0"
    complex_rule = "as_is"

    def forward(self, a, b, alpha=1, dtype=None):
        out = super().forward(b, a, alpha, dtype)
        self.shapes, self.dtypes = self.shapes[::-1], self.dtypes[::-1]
        return out

    def backward(self, g):
        na, nb = self.needs_input_grad
        ga = None
        if na:
            ga = cast_like(unbroadcast(-g * self.alpha.conjugate(), self.shapes[0]), self.dtypes[0])
        gb = cast_like(unbroadcast(g, self.shapes[1]), self.dtypes[1]) if nb else None
        return ga, gb

    def backward_graph(self, g):
        na, nb = self.needs_input_grad
        ga = None
        if na:
            ga = -g if self.alpha == 1 else -g * self.alpha.conjugate()
            ga = cast_to(sum_to(ga, self.shapes[0]), self.dtypes[0])
        gb = cast_to(sum_to(g, self.shapes[1]), self.dtypes[1]) if nb else None
        return ga, gb

    def jvp(self, xs, out, tangents):
        ta, tb = tangents[:2]
        return terms(times(ta, -self.alpha), tb)


class _RsubScaled(E.RsubBackward1):
    """``rsub(input, number, alpha)`` with ``alpha`` other than 1: ``number - alpha *
    input`` (torch's ``RsubBackward1`` too)."""

    def forward(self, a, scalar, alpha, dtype=None):
        self.alpha = alpha
        if dtype is not None:  # scaled in the result's dtype, as torch does
            a = a.astype(dtype)
        return super().forward(a * alpha, scalar, dtype)

    def backward(self, g):
        return (-g * self.alpha.conjugate(), None)

    def backward_graph(self, g):
        return (-g * self.alpha.conjugate(), None)

    def jvp(self, xs, out, tangents):
        return -tangents[0] * self.alpha


def rsub(input, other, alpha=1) -> Tensor:  # noqa: A002 - torch's name
    """``other - alpha * input`` (``other`` a tensor or a number)."""
    _check_tensor_arg("rsub", "input", 1, input)
    other = api.as_tensor_like(other, input)
    api._check_bool_sub(input, other)
    if alpha != 1 or type(alpha) is not int:
        alpha = api._alpha(input, other, alpha)
    if type(other) is Tensor:
        input, other = api._on_one_device(input, other)
        promoted = api._promoted(input, other)
        try:
            return apply(RsubBackward0, (input, other), alpha, promoted)
        except ValueError as e:
            if "broadcast" in str(e):
                raise api._broadcast_error("rsub", other, input) from None
            raise
    if alpha == 1:
        return api.rsub(input, other)
    promoted = api._promoted(input, other)
    if type(other) is int:
        other, _ = api._integral_operands(other, promoted or input._data.dtype, ())
    return apply(_RsubScaled, (input,), other, alpha, promoted)


# ------------------------------------------------------------------------ nn.functional

_REDUCTIONS = {0: "none", 1: "mean", 2: "sum"}


def _reduction(reduction: int) -> str:
    return _REDUCTIONS[int(reduction)]


adaptive_avg_pool1d = F.adaptive_avg_pool1d
avg_pool1d = F.avg_pool1d
celu = F.celu
celu_ = F.celu_
conv1d = F.conv1d
conv2d = F.conv2d
conv_transpose2d = F.conv_transpose2d
cosine_similarity = F.cosine_similarity
hardshrink = F.hardshrink
pairwise_distance = F.pairwise_distance
prelu = F.prelu
rms_norm = F.rms_norm
threshold = F.threshold
threshold_ = F.threshold_


def max_pool1d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):  # noqa: A002
    """``nn.functional.max_pool1d`` without indices (torch's top-level form)."""
    return F.max_pool1d(input, kernel_size, stride or None, padding, dilation, ceil_mode)


def max_pool2d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):  # noqa: A002
    """``nn.functional.max_pool2d`` without indices (torch's top-level form)."""
    return F.max_pool2d(input, kernel_size, stride or None, padding, dilation, ceil_mode)


def selu(input) -> Tensor:  # noqa: A002
    """``nn.functional.selu(input)``."""
    return F.selu(input)


def selu_(input) -> Tensor:  # noqa: A002
    """``nn.functional.selu(input, inplace=True)``."""
    return F.selu(input, inplace=True)


def dropout(input, p: float, train: bool) -> Tensor:  # noqa: A002
    """``nn.functional.dropout(input, p, train)``: all three arguments required."""
    return F.dropout(input, p, train)


def dropout_(input, p: float, train: bool) -> Tensor:  # noqa: A002
    """``nn.functional.dropout(input, p, train, inplace=True)``."""
    return F.dropout(input, p, train, inplace=True)


def batch_norm(input, weight, bias, running_mean, running_var, training: bool,  # noqa: A002
               momentum: float, eps: float, cudnn_enabled: bool) -> Tensor:  # fmt: skip
    """``nn.functional.batch_norm`` with ATen's order of arguments: the affine ``weight``
    and ``bias`` before the running statistics, all nine positional."""
    return F.batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps: float = 1e-05,  # noqa: A002
               cudnn_enable: bool = True) -> Tensor:  # fmt: skip
    """``nn.functional.layer_norm`` (``cudnn_enable`` is read and ignored, as on a CPU)."""
    return F.layer_norm(input, normalized_shape, weight, bias, eps)


def group_norm(input, num_groups: int, weight=None, bias=None, eps: float = 1e-05,  # noqa: A002
               cudnn_enabled: bool = True) -> Tensor:  # fmt: skip
    """``nn.functional.group_norm`` (``cudnn_enabled`` is read and ignored)."""
    return F.group_norm(input, num_groups, weight, bias, eps)


def embedding(weight, indices, padding_idx: int = -1, scale_grad_by_freq: bool = False,
              sparse: bool = False) -> Tensor:  # fmt: skip
    """``nn.functional.embedding(indices, weight, ...)`` with ATen's order (the weight
    first); a negative ``padding_idx`` means none."""
    pad = None if padding_idx < 0 else padding_idx
    return F.embedding(indices, weight, pad, scale_grad_by_freq=scale_grad_by_freq, sparse=sparse)


def kl_div(input, target, reduction: int = 0, *, log_target: bool = False) -> Tensor:  # noqa: A002
    """``nn.functional.kl_div`` with an int ``reduction``; 1 is the plain mean over every
    element (without ``nn.functional``'s warning about it)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return F.kl_div(input, target, reduction=_reduction(reduction), log_target=log_target)


def triplet_margin_loss(anchor, positive, negative, margin: float = 1.0, p: float = 2,
                        eps: float = 1e-06, swap: bool = False, reduction: int = 0) -> Tensor:  # fmt: skip
    """``nn.functional.triplet_margin_loss`` with an int ``reduction``."""
    return F.triplet_margin_loss(
        anchor, positive, negative, margin, p, eps, swap, reduction=_reduction(reduction)
    )


def binary_cross_entropy_with_logits(input, target, weight=None, pos_weight=None,  # noqa: A002
                                     reduction: int = 0) -> Tensor:  # fmt: skip
    """``nn.functional.binary_cross_entropy_with_logits`` with ATen's order (``pos_weight``
    before ``reduction``) and an int ``reduction``."""
    return F.binary_cross_entropy_with_logits(
        input, target, weight, reduction=_reduction(reduction), pos_weight=pos_weight
    )
