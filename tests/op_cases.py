"""One table of op cases, shared by gradcheck, torch parity and forward-mode tests.

Each ``Case`` names an op, gives a function ``fn(m, *tensors)`` written once for both
libraries (``m`` is ``gradscope`` or ``torch``), the shapes of its float inputs, which of
them require grad and the domain their values are drawn from. Integer or boolean
operands (indices, targets, masks) are built inside ``fn`` with ``m.tensor``.

    >>> case = CASES_BY_NAME["mul"]
    >>> xs = case.arrays()              # NumPy float64 inputs, seeded by the case name
    >>> case.fn(gs, *to_gs(case, xs))   # a gradscope tensor with grad_fn MulBackward0
"""

from __future__ import annotations

import warnings
import zlib
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Case:
    """One op to check: ``fn(m, *inputs)`` on inputs of ``shapes``."""

    name: str
    fn: Callable
    shapes: tuple
    grad: tuple | None = None  # which inputs require grad (default: all)
    domain: str | tuple = "real"  # per input: real, pos, away (from 0 and +-0.5)
    gradcheck: bool = True  # float64 finite differences apply
    forward_ad: bool = True  # forward mode is compared (torch has it, and so does gradscope)
    saved: bool = True  # compare saved tensors (CopySlices hides its op's in torch)

    def requires(self) -> tuple:
        return self.grad if self.grad is not None else (True,) * len(self.shapes)

    def domains(self) -> tuple:
        d = self.domain
        return d if isinstance(d, tuple) else (d,) * len(self.shapes)

    def arrays(self) -> list:
        """The inputs as float64 NumPy arrays, the same on every run."""
        rng = np.random.default_rng(zlib.crc32(self.name.encode()))
        out = []
        for shape, dom in zip(self.shapes, self.domains()):
            if dom == "pos":
                x = rng.uniform(0.5, 2.0, size=shape)
            else:
                x = rng.standard_normal(size=shape)
                if dom == "away":  # keep clear of the kinks of abs/relu/clamp(+-0.5)
                    for k in (-0.5, 0.0, 0.5):
                        near = np.abs(x - k) < 0.1
                        x = np.where(near, x + np.where(x >= k, 0.1, -0.1), x)
            out.append(np.asarray(x, dtype=np.float64))
        return out


def to_gs(case: Case, arrays, dtype=None) -> list:
    import gradscope as gs

    dtype = dtype or gs.float32
    return [gs.tensor(a, dtype=dtype, requires_grad=rg) for a, rg in zip(arrays, case.requires())]


def to_torch(case: Case, arrays, dtype=None) -> list:
    import torch

    dtype = dtype or torch.float32
    return [
        torch.tensor(a, dtype=dtype, requires_grad=rg) for a, rg in zip(arrays, case.requires())
    ]


# -------------------------------------------------------------------- in-place helpers
# In-place ops run on a non-leaf copy (``a * 1``), as a leaf that requires grad refuses them.


def _inplace(method, *args, **kwargs):
    def fn(m, a, *rest):
        t = a * 1
        getattr(t, method)(*[r for r in rest], *args, **kwargs)
        return t

    return fn


def _view_then_write(view_of, write):
    """A view taken, then its base (or a sibling view) written in place, then the view used:
    the view's grad_fn must follow the write (torch gives it an ``AsStridedBackward0``)."""

    def fn(m, a, *rest):
        base = a * 1
        v = view_of(base)
        write(base, *rest)
        return v * 2

    return fn


def _setitem(index_of, value_of):
    def fn(m, a, *rest):
        t = a * 1
        t[index_of(m)] = value_of(m, *rest)
        return t

    return fn


def _broadcast_mse(m, a, b, reduction):
    """mse_loss of operands of two shapes, without the warning torch and gradscope give."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return _F(m).mse_loss(a, b, reduction=reduction)


def _kl_div_mean(m, x, t):
    """kl_div's default reduction, without the warning torch and gradscope give for it."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return _F(m).kl_div(x, t)


def _F(m):  # noqa: N802
    return m.nn.functional


def _bn_mean(m, x):
    """Running means for batch_norm's eval cases, over 3 channels."""
    return m.tensor([0.1, -0.2, 0.3], dtype=x.dtype)


def _bn_var(m, x):
    return m.tensor([0.5, 1.5, 2.0], dtype=x.dtype)


C = Case
S43, S3, S4, S0 = (4, 3), (3,), (4,), ()

CASES: list[Case] = [
    # ---------------------------------------------------------------- arithmetic
    C("add", lambda m, a, b: a + b, (S43, S43)),
    C("add_broadcast", lambda m, a, b: a + b, (S43, S3)),
    C("add_broadcast_both", lambda m, a, b: a + b, ((4, 1), (1, 3))),
    C("add_scalar", lambda m, a: a + 2, (S43,)),
    C("radd_scalar", lambda m, a: 2.5 + a, (S43,)),
    C("add_0d", lambda m, a, s: a + s, (S43, S0)),
    C("add_alpha", lambda m, a, b: m.add(a, b, alpha=2), (S43, S43)),
    C("add_const", lambda m, a, b: a + b, (S43, S43), grad=(True, False)),
    C("sub", lambda m, a, b: a - b, (S43, S43)),
    C("sub_broadcast", lambda m, a, b: a - b, (S43, (4, 1))),
    C("sub_scalar", lambda m, a: a - 2, (S43,)),
    C("rsub_scalar", lambda m, a: 2 - a, (S43,)),
    C("mul", lambda m, a, b: a * b, (S43, S43)),
    C("mul_broadcast", lambda m, a, b: a * b, ((4, 1), (1, 3))),
    C("mul_self", lambda m, a: a * a, (S43,)),
    C("mul_const_right", lambda m, a, c: a * c, (S43, S43), grad=(True, False)),
    C("mul_const_left", lambda m, c, a: c * a, (S43, S43), grad=(False, True)),
    C("mul_int_scalar", lambda m, a: a * 2, (S43,)),
    C("mul_float_scalar", lambda m, a: a * 2.5, (S43,)),
    C("rmul_scalar", lambda m, a: 3 * a, (S43,)),
    C("mul_0d", lambda m, a, s: a * s, (S43, S0)),
    C("mul_0d_const", lambda m, a, s: a * s, (S43, S0), grad=(True, False)),
    C("mul_0d_both", lambda m, a, b: a * b, (S0, S0)),
    C("div", lambda m, a, b: a / b, (S43, S43), domain=("real", "pos")),
    C("div_broadcast", lambda m, a, b: a / b, (S43, S3), domain=("real", "pos")),
    C("div_const", lambda m, a, c: a / c, (S43, S43), grad=(True, False), domain="pos"),
    C("div_const_num", lambda m, c, a: c / a, (S43, S43), grad=(False, True), domain="pos"),
    C("div_scalar", lambda m, a: a / 2, (S43,)),
    C("rdiv_scalar", lambda m, a: 2 / a, (S43,), domain="pos"),
    C("neg", lambda m, a: -a, (S43,)),
    C("neg_fn", lambda m, a: m.neg(a), (S43,)),
    # ---------------------------------------------------------------- pow
    C("pow_2", lambda m, a: a**2, (S43,)),
    C("pow_half", lambda m, a: a**0.5, (S43,), domain="pos"),
    C("pow_neg_half", lambda m, a: a**-0.5, (S43,), domain="pos"),
    C("pow_fn_3", lambda m, a: m.pow(a, 3), (S43,)),
    C("pow_0d_int", lambda m, a: a**2, (S0,)),
    C("pow_tensor", lambda m, a, b: a**b, (S43, S43), domain="pos"),
    C("pow_tensor_const_exp", lambda m, a, b: a**b, (S43, S43), grad=(True, False), domain="pos"),
    C("pow_tensor_broadcast", lambda m, a, b: a**b, (S43, S3), domain="pos"),
    C("pow_scalar_base", lambda m, a: 2**a, (S43,)),
    C("pow_fn_scalar_base", lambda m, a: m.pow(1.5, a), (S43,)),
    C("square", lambda m, a: m.square(a), (S43,)),
    # ---------------------------------------------------------------- matmul
    C("matmul_1d_1d", lambda m, a, b: a @ b, (S4, S4)),
    C("matmul_2d_1d", lambda m, a, b: a @ b, ((5, 4), S4)),
    C("matmul_1d_2d", lambda m, a, b: a @ b, (S4, S43)),
    C("matmul_2d_2d", lambda m, a, b: a @ b, ((5, 4), S43)),
    C("matmul_only_a", lambda m, a, b: a @ b, ((5, 4), S43), grad=(True, False)),
    C("matmul_only_b", lambda m, a, b: a @ b, ((5, 4), S43), grad=(False, True)),
    C("matmul_batched", lambda m, a, b: a @ b, ((2, 5, 4), (2, 4, 3))),
    C("matmul_batched_2d", lambda m, a, b: a @ b, ((2, 5, 4), S43)),
    C("matmul_1d_batched", lambda m, a, b: a @ b, (S4, (2, 4, 3))),
    C("matmul_fn", lambda m, a, b: m.matmul(a, b), ((5, 4), S43)),
    C("mm", lambda m, a, b: m.mm(a, b), ((5, 4), S43)),
    C("mv_only_vec", lambda m, a, b: a @ b, ((5, 4), S4), grad=(False, True)),
    C("matmul_3d_1d", lambda m, a, b: a @ b, ((2, 5, 4), S4)),
    C("matmul_2d_3d", lambda m, a, b: a @ b, (S43, (2, 3, 5))),
    C("matmul_2d_3d_const_a", lambda m, a, b: a @ b, (S43, (2, 3, 5)), grad=(False, True)),
    C("matmul_batched_2d_const_b", lambda m, a, b: a @ b, ((2, 5, 4), S43), grad=(True, False)),
    C(
        "matmul_noncontig_3d",
        lambda m, a, b: a.transpose(0, 1) @ b,
        ((5, 2, 4), S43),
        grad=(True, False),
    ),
    C("matmul_broadcast_batch", lambda m, a, b: a @ b, ((2, 1, 5, 4), (3, 4, 2))),
    C("matmul_1d_batched_const", lambda m, a, b: a @ b, (S4, (2, 4, 3)), grad=(True, False)),
    C("matmul_batched_1d_const", lambda m, a, b: a @ b, ((2, 3, 4), S4), grad=(False, True)),
    # ---------------------------------------------------------------- math
    C("abs", lambda m, a: a.abs(), (S43,), domain="away"),
    C("abs_op", lambda m, a: abs(a), (S43,), domain="away"),
    # ---------------------------------------------------------------- rounding
    C("sign", lambda m, a: a.sign(), (S43,), domain="away"),
    C("sgn", lambda m, a: m.sgn(a), (S43,), domain="away"),
    C("floor", lambda m, a: a.floor(), (S43,)),
    C("ceil", lambda m, a: m.ceil(a), (S43,)),
    C("trunc", lambda m, a: a.trunc(), (S43,)),
    C("round", lambda m, a: m.round(a), (S43,)),
    C("round_decimals", lambda m, a: a.round(decimals=2), (S43,)),
    C("round_negative_decimals", lambda m, a: (a * 50).round(decimals=-1), (S43,)),
    C("frac", lambda m, a: a.frac(), (S43,)),
    C("frac_fn_0d", lambda m, a: m.frac(a * 3), (S0,)),
    C("remainder_scalar", lambda m, a: a % 0.75, (S43,)),
    C("remainder_fn_scalar", lambda m, a: m.remainder(a, -0.75), (S43,)),
    C("remainder", lambda m, a, b: a % b, (S43, S43), domain=("real", "pos")),
    C("remainder_negative", lambda m, a, b: a.remainder(-b), (S43, S43), domain=("real", "pos")),
    C("remainder_broadcast", lambda m, a, b: a % b, (S43, S3), domain=("real", "pos")),
    C(
        "remainder_const_divisor",
        lambda m, a, b: a % b,
        (S43, S43),
        grad=(True, False),
        domain=("real", "pos"),
    ),
    C(
        "remainder_const_dividend",
        lambda m, a, b: a % b,
        (S43, S3),
        grad=(False, True),
        domain=("real", "pos"),
    ),
    C("fmod_scalar", lambda m, a: a.fmod(0.75), (S43,)),
    C("fmod", lambda m, a, b: m.fmod(a, b), (S43, S43), domain=("real", "pos")),
    C("fmod_broadcast", lambda m, a, b: a.fmod(-b), (S3, S43), domain=("real", "pos")),
    C(
        "div_floor",
        lambda m, a, b: a.div(b, rounding_mode="floor"),
        (S43, S43),
        domain=("real", "pos"),
    ),
    C(
        "div_trunc_broadcast",
        lambda m, a, b: m.div(a, b, rounding_mode="trunc"),
        (S43, S3),
        domain=("real", "pos"),
    ),
    C("div_floor_scalar", lambda m, a: a.div(0.5, rounding_mode="floor"), (S43,)),
    C(
        "div_mode_none",
        lambda m, a, b: a.div(b, rounding_mode=None),
        (S43, S3),
        domain=("real", "pos"),
    ),
    C("div_mode_none_scalar", lambda m, a: a.div(4, rounding_mode=None), (S43,)),
    C("exp", lambda m, a: a.exp(), (S43,)),
    C("exp_0d", lambda m, a: m.exp(a), (S0,)),
    C("log", lambda m, a: a.log(), (S43,), domain="pos"),
    C("sqrt", lambda m, a: a.sqrt(), (S43,), domain="pos"),
    C("sin", lambda m, a: a.sin(), (S43,)),
    C("cos", lambda m, a: m.cos(a), (S43,)),
    C("tanh", lambda m, a: a.tanh(), (S43,)),
    C("sigmoid", lambda m, a: m.sigmoid(a), (S43,)),
    C("relu", lambda m, a: a.relu(), (S43,), domain="away"),
    C(
        "relu_functional_inplace",
        lambda m, a: _F(m).relu(a * 1, inplace=True),
        (S43,),
        domain="away",
    ),
    C("relu_fn", lambda m, a: m.relu(a), (S43,), domain="away"),
    C("clamp_both", lambda m, a: a.clamp(-0.5, 0.5), (S43,), domain="away"),
    C("clamp_min", lambda m, a: m.clamp(a, min=0), (S43,), domain="away"),
    C("clamp_max", lambda m, a: a.clamp(max=0.5), (S43,), domain="away"),
    C("clamp_tensor", lambda m, a, lo, hi: m.clamp(a, lo - 1, hi + 1), (S43, S43, S43)),
    C(
        "clamp_tensor_const",
        lambda m, a, lo, hi: m.clamp(a, lo - 1, hi + 1),
        (S43, S43, S43),
        grad=(True, False, False),
    ),
    C("clamp_tensor_crossed", lambda m, a, lo, hi: m.clamp(a, lo, hi), (S43, S43, S43)),
    C("clamp_tensor_broadcast", lambda m, a, lo: m.clamp(a, lo, lo + 0.5), (S3, S43)),
    C("clamp_tensor_min", lambda m, a, lo: m.clamp(a, min=lo), (S43, S3), grad=(True, False)),
    # ---------------------------------------------------------------- reductions
    C("sum", lambda m, a: a.sum(), (S43,)),
    C("sum_0d", lambda m, a: a.sum(), (S0,)),
    C("sum_dim", lambda m, a: a.sum(0), (S43,)),
    C("sum_dim_neg_keepdim", lambda m, a: a.sum(-1, keepdim=True), (S43,)),
    C("sum_dims", lambda m, a: m.sum(a, (0, 2)), ((2, 3, 4),)),
    C("mean", lambda m, a: a.mean(), (S43,)),
    C("mean_dim", lambda m, a: a.mean(1), (S43,)),
    C("mean_dim_keepdim", lambda m, a: m.mean(a, dim=0, keepdim=True), (S43,)),
    C("mean_dims", lambda m, a: a.mean((1, 2)), ((2, 3, 4),)),
    C("sum_dim_empty", lambda m, a: a.sum(dim=[]), (S43,)),  # no dims listed: all of them
    C("mean_dim_empty_keepdim", lambda m, a: a.mean(dim=[], keepdim=True), (S43,)),
    C("max_full", lambda m, a: a.max(), (S43,)),
    C("min_full", lambda m, a: m.min(a), (S43,)),
    C("max_dim", lambda m, a: a.max(1)[0], (S43,)),
    C("max_dim_keepdim", lambda m, a: a.max(dim=0, keepdim=True).values, (S43,)),
    C("min_dim", lambda m, a: m.min(a, -1).values, (S43,)),
    C("max_binary", lambda m, a, b: m.max(a, b), (S43, S43)),
    C("minimum", lambda m, a, b: m.minimum(a, b), (S43, S43)),
    # ---------------------------------------------------------------- softmax
    C("softmax", lambda m, a: a.softmax(-1), (S43,)),
    C("softmax_dim0", lambda m, a: m.softmax(a, dim=0), (S43,)),
    C("softmax_1d", lambda m, a: m.softmax(a, 0), (S4,)),
    C("log_softmax", lambda m, a: a.log_softmax(1), (S43,)),
    C("log_softmax_dim0", lambda m, a: m.log_softmax(a, 0), ((2, 3, 4),)),
    # ---------------------------------------------------------------- shapes
    C("reshape", lambda m, a: a.reshape(3, 4), (S43,)),
    C("reshape_tuple_infer", lambda m, a: a.reshape((-1,)), (S43,)),
    C("reshape_noncontig", lambda m, a: a.T.reshape(12), (S43,)),
    C("view", lambda m, a: a.view(2, 6), (S43,)),
    C("view_0d", lambda m, a: a.view(1, 1), (S0,)),
    C("flatten", lambda m, a: a.flatten(), ((2, 3, 4),)),
    C("flatten_start", lambda m, a: m.flatten(a, 1), ((2, 3, 4),)),
    C("transpose", lambda m, a: a.transpose(0, 1), (S43,)),
    C("transpose_3d", lambda m, a: m.transpose(a, -1, 0), ((2, 3, 4),)),
    C("T", lambda m, a: a.T, (S43,)),
    C("t", lambda m, a: a.t(), (S43,)),
    C("permute", lambda m, a: a.permute(2, 0, 1), ((2, 3, 4),)),
    C("permute_tuple", lambda m, a: m.permute(a, (1, 0, 2)), ((2, 3, 4),)),
    C("unsqueeze", lambda m, a: a.unsqueeze(0), (S43,)),
    C("unsqueeze_neg", lambda m, a: m.unsqueeze(a, -1), (S43,)),
    C("squeeze", lambda m, a: a.squeeze(), ((4, 1, 3),)),
    C("squeeze_dim", lambda m, a: a.squeeze(1), ((4, 1, 3),)),
    C("squeeze_dims", lambda m, a: a.squeeze((0, 1)), ((1, 1, 3),)),
    C("expand", lambda m, a: a.expand(2, 3, 4), ((3, 1),)),
    C("expand_neg1", lambda m, a: a.expand(-1, 4), ((3, 1),)),
    C("expand_0d", lambda m, a: a.expand(3), (S0,)),
    C("cat", lambda m, a, b: m.cat([a, b]), (S43, (2, 3))),
    C("cat_dim1", lambda m, a, b: m.cat((a, b), dim=1), (S43, (4, 2))),
    C("cat_const", lambda m, a, b: m.cat([a, b], -1), (S43, S43), grad=(False, True)),
    C("stack", lambda m, a, b: m.stack([a, b]), (S43, S43)),
    C("stack_last", lambda m, a, b, c: m.stack([a, b, c], dim=-1), (S3, S3, S3)),
    C("where", lambda m, a, b: m.where(m.tensor([[True, False, True]]), a, b), (S43, S43)),
    C(
        "where_broadcast",
        lambda m, a, b: m.where(m.tensor([True, False, True]), a, b),
        (S43, (4, 1)),
    ),
    C("where_scalar", lambda m, a: m.where(m.tensor([True, False, True]), a, 0.0), (S43,)),
    C("masked_fill", lambda m, a: a.masked_fill(m.tensor([True, False, True]), 0.5), (S43,)),
    C(
        "masked_fill_tensor_value",
        lambda m, a, v: a.masked_fill(m.tensor([[True], [False], [True], [False]]), v),
        (S43, S0),
    ),
    C(
        "masked_fill_larger_mask",  # out of place, the tensor broadcasts to the mask
        lambda m, a: a.masked_fill(m.tensor([[True, False, True], [False, False, True]]), 2.0),
        (S3,),
    ),
    C(
        "masked_fill_in_place",
        lambda m, a: (a * 1).masked_fill_(m.tensor([False, True, True]), -1.0) * a,
        (S43,),
    ),
    C(
        "where_const",
        lambda m, a, b: m.where(m.tensor([True, False, True]), a, b),
        (S43, S43),
        grad=(False, True),
    ),
    # ---------------------------------------------------------------- indexing
    C("index_int", lambda m, a: a[1], (S43,)),
    C("index_int_neg", lambda m, a: a[-1], (S43,)),
    C("index_two_ints", lambda m, a: a[1, 2], (S43,)),
    C("index_slice", lambda m, a: a[1:3], (S43,)),
    C("index_slice_step", lambda m, a: a[::2], (S43,)),
    C("index_col", lambda m, a: a[:, 1], (S43,)),
    C("index_none", lambda m, a: a[None], (S43,)),
    C("index_ellipsis", lambda m, a: a[..., 1], ((2, 3, 4),)),
    C("index_mixed_basic", lambda m, a: a[0, None, 1:, ...], ((2, 3, 4),)),
    C("index_tensor", lambda m, a: a[m.tensor([0, 2, 2])], (S43,)),
    C("index_tensor_0d", lambda m, a: a[m.tensor(3)], (S43,)),
    C("index_list", lambda m, a: a[[3, 1]], (S43,)),
    C("index_mask", lambda m, a: a[m.tensor([True, False, True, True])], (S43,)),
    C("index_mask_2d", lambda m, a: a[m.tensor([[True, False, True]] * 4)], (S43,)),
    C("index_tensors_pair", lambda m, a: a[m.tensor([0, 1, 3]), m.tensor([2, 0, 2])], (S43,)),
    C("index_slice_tensor", lambda m, a: a[1:, m.tensor([0, 2])], (S43,)),
    C("index_int_tensor", lambda m, a: a[0, m.tensor([1, 2])], (S43,)),
    C("index_full_slice", lambda m, a: a[:], (S43,)),
    C("index_full_slices", lambda m, a: a[:, :], (S43,)),
    C("index_only_ellipsis", lambda m, a: a[...], (S43,)),
    C("index_slice_past_end", lambda m, a: a[0:10], (S43,)),
    C("index_empty_slice", lambda m, a: a[3:1], (S43,)),
    C("index_tensor_then_tensor", lambda m, a: a[m.tensor([0, 3]), 1:][:, m.tensor([1])], (S43,)),
    C("index_tensor_2d", lambda m, a: a[m.tensor([[0, 1], [3, 3]])], (S43,)),
    C("index_split_advanced", lambda m, a: a[m.tensor([0, 1]), :, m.tensor([2, 3])], ((2, 3, 4),)),
    C(
        "index_mask_ellipsis",
        lambda m, a: a[..., m.tensor([True, False, True, True])],
        ((2, 3, 4),),
    ),
    C("index_0d_pair", lambda m, a: a[m.tensor(1), m.tensor(2)], (S43,)),
    # ---------------------------------------------------------------- nn.functional
    C("F_relu", lambda m, a: _F(m).relu(a), (S43,), domain="away"),
    C("F_softmax", lambda m, a: _F(m).softmax(a, dim=1), (S43,)),
    C("F_log_softmax", lambda m, a: _F(m).log_softmax(a, dim=-1), (S43,)),
    C("F_cross_entropy", lambda m, a: _F(m).cross_entropy(a, m.tensor([0, 2, 1, 2])), (S43,)),
    C("F_cross_entropy_1d", lambda m, a: _F(m).cross_entropy(a, m.tensor(3)), ((10,),)),
    C(
        "F_cross_entropy_sum",
        lambda m, a: _F(m).cross_entropy(a, m.tensor([0, 2, 1, 2]), reduction="sum"),
        (S43,),
    ),
    C("F_nll_loss", lambda m, a: _F(m).nll_loss(a, m.tensor([1, 0, 2, 2])), (S43,)),
    C(
        "F_cross_entropy_smoothed",
        lambda m, a: _F(m).cross_entropy(a, m.tensor([0, 2, 1, 2]), label_smoothing=0.2),
        (S43,),
    ),
    C(
        "F_cross_entropy_smoothed_1d",
        lambda m, a: _F(m).cross_entropy(a, m.tensor(3), label_smoothing=0.1),
        ((5,),),
    ),
    C(
        "F_cross_entropy_smoothed_weighted_ignore",
        lambda m, a: _F(m).cross_entropy(
            a,
            m.tensor([0, 2, -100, 1]),
            weight=m.tensor([0.5, 2.0, 1.5], dtype=a.dtype),
            label_smoothing=0.3,
        ),
        (S43,),
    ),
    C(
        "F_cross_entropy_smoothed_none",
        lambda m, a: _F(m).cross_entropy(
            a, m.tensor([0, 2, 1, 2]), reduction="none", label_smoothing=0.2
        ),
        (S43,),
    ),
    C(
        "F_cross_entropy_smoothed_sum_weighted",
        lambda m, a: _F(m).cross_entropy(
            a,
            m.tensor([0, 2, 1, 2]),
            weight=m.tensor([0.5, 2.0, 1.5], dtype=a.dtype),
            reduction="sum",
            label_smoothing=1.0,
        ),
        (S43,),
    ),
    C(
        "F_cross_entropy_weighted",
        lambda m, a: _F(m).cross_entropy(
            a, m.tensor([0, 2, -100, 2]), weight=m.tensor([0.5, 2.0, 1.5], dtype=a.dtype)
        ),
        (S43,),
    ),
    C(
        "F_nll_loss_weighted_none",
        lambda m, a: _F(m).nll_loss(
            a,
            m.tensor([1, 0, 2, 2]),
            weight=m.tensor([0.5, 2.0, 1.5], dtype=a.dtype),
            reduction="none",
        ),
        (S43,),
    ),
    C(
        "F_nll_loss_weighted_1d",
        lambda m, a: _F(m).nll_loss(
            a, m.tensor(2), weight=m.tensor([0.5, 2.0, 1.5], dtype=a.dtype)
        ),
        ((3,),),
    ),
    C(
        "F_nll_loss_none",
        lambda m, a: _F(m).nll_loss(a, m.tensor([1, 0, 2, 2]), reduction="none"),
        (S43,),
    ),
    C("F_mse_loss", lambda m, a, b: _F(m).mse_loss(a, b), (S43, S43), grad=(True, False)),
    C("F_mse_loss_both", lambda m, a, b: _F(m).mse_loss(a, b, reduction="sum"), (S43, S43)),
    C("F_linear", lambda m, x, w, b: _F(m).linear(x, w, b), (S43, (2, 3), (2,))),
    C("F_linear_nobias", lambda m, x, w: _F(m).linear(x, w), (S43, (2, 3))),
    C(
        "F_linear_const_x",
        lambda m, x, w, b: _F(m).linear(x, w, b),
        (S43, (2, 3), (2,)),
        grad=(False, True, True),
    ),
    C("F_linear_1d", lambda m, x, w, b: _F(m).linear(x, w, b), (S3, (2, 3), (2,))),
    C("F_linear_3d", lambda m, x, w, b: _F(m).linear(x, w, b), ((2, 4, 3), (2, 3), (2,))),
    C(
        "F_linear_3d_noncontig",
        lambda m, x, w, b: _F(m).linear(x.transpose(0, 1), w, b),
        ((4, 2, 3), (2, 3), (2,)),
    ),
    C("F_linear_3d_nobias", lambda m, x, w: _F(m).linear(x, w), ((2, 4, 3), (2, 3))),
    # ---------------------------------------------------------------- in place (non-leaf)
    C("iadd", _inplace("add_"), (S43, S43)),
    C("iadd_scalar", _inplace("add_", 2), (S43,)),
    C("isub_alpha", _inplace("sub_", alpha=2), (S43, S3)),
    C("imul", _inplace("mul_"), (S43, S43)),
    C("imul_scalar", _inplace("mul_", 2), (S43,)),
    C("idiv", _inplace("div_"), (S43, S43), domain=("real", "pos")),
    C("idiv_scalar", _inplace("div_", 4), (S43,)),
    C("irelu", _inplace("relu_"), (S43,), domain="away"),
    C("ipow_scalar", _inplace("pow_", 2), (S43,)),
    C("ipow", _inplace("pow_"), (S43, S43), domain="pos"),
    C("ipow_op", lambda m, a: _ipow(a * 1, 3), (S43,)),
    C("iremainder", _inplace("remainder_"), (S43, S3), domain=("real", "pos")),
    C("imod_op_scalar", lambda m, a: _imod(a * 1, 0.75), (S43,)),
    C("ifmod_scalar", _inplace("fmod_", 0.75), (S43,)),
    C("idiv_floor", _inplace("div_", rounding_mode="floor"), (S43, S43), domain=("real", "pos")),
    C("ifloor", _inplace("floor_"), (S43,)),
    C("iround_decimals", _inplace("round_", decimals=1), (S43,)),
    C("ifrac", _inplace("frac_"), (S43,)),
    C("isign", _inplace("sign_"), (S43,), domain="away"),
    C("izero", _inplace("zero_"), (S43,)),
    C("ifill", _inplace("fill_", 2.0), (S43,)),
    C("icopy", _inplace("copy_"), (S43, S43)),
    C("icopy_broadcast", _inplace("copy_"), (S43, S3)),
    C("icopy_scalar_tensor", _inplace("copy_"), (S43, S0)),
    C(
        "icopy_through_a_view",
        lambda m, a, b: (lambda t: (t[1:3].copy_(b), t)[1])(a * 1),
        (S43, S3),
    ),
    C("iadd_op", lambda m, a, b: _iadd(a * 1, b), (S43, S43)),
    C("setitem_int", _setitem(lambda m: 0, lambda m, b: b), (S43, S3)),
    C("setitem_slice_scalar", _setitem(lambda m: slice(1, 3), lambda m: 0.5), (S43,)),
    C(
        "setitem_mask_scalar",
        _setitem(lambda m: m.tensor([True, False, True, False]), lambda m: 0.5),
        (S43,),
    ),
    C("setitem_tensor_index", _setitem(lambda m: m.tensor([0, 2]), lambda m, b: b), (S43, S3)),
    C("inplace_then_use", lambda m, a, b: _iadd(a * 2, b).exp(), (S43, S43)),
    # A view used after an in-place write to its base or a sibling: its grad_fn follows
    # the write (AsStridedBackward0), and so does its tangent.
    C(
        "view_after_base_mul_",
        _view_then_write(lambda t: t[1:3], lambda t: t.mul_(3)),
        (S43,),
    ),
    C(
        "view_after_base_add_tensor",
        _view_then_write(lambda t: t.T, lambda t, b: t.add_(b)),
        (S43, S43),
    ),
    C(
        "view_after_sibling_write",
        _view_then_write(lambda t: t[:, :2], lambda t, b: t[:, 1:].mul_(b)),
        (S43, (2,)),
        saved=False,
    ),
    C(
        "view_after_base_write_nested",
        _view_then_write(lambda t: t[1:][:, 0], lambda t: t.relu_()),
        (S43,),
        domain="away",
    ),
    C(
        "broadcast_view_after_base_write",
        _view_then_write(lambda t: t[:1].expand(3, 3), lambda t: t.mul_(2)),
        (S43,),
    ),
    C(
        # setitem into an expanded view: the one element it overwrites is every element of
        # its row, so that row's gradient is gone (torch's CopySlices over the view)
        "setitem_into_expanded_view",
        lambda m, a, s: _setitem_expanded(a, s),
        (S43, S0),
        saved=False,
    ),
    C("ifill_tensor", lambda m, a, s: _fill_tensor(a * 1, s), (S43, S0)),
    C("setitem_int_tensor_value", _setitem(lambda m: 1, lambda m, b: b), (S43, (1, 3))),
    C("setitem_0d_index", _setitem(lambda m: m.tensor(1), lambda m, b: b), (S43, S3)),
    C("setitem_pair", _setitem(lambda m: (0, 1), lambda m: 0.5), (S43,)),
    C(
        "setitem_slice_tensor_index",
        _setitem(lambda m: (slice(1, None), m.tensor([0, 2])), lambda m: 1.0),
        (S43,),
        saved=False,  # the index it saves is its wrapped IndexPutBackward0's in torch
    ),
    C("setitem_list_index", _setitem(lambda m: [0, 2], lambda m, b: b), (S43, S3)),
    C("setitem_const_value", _setitem(lambda m: 2, lambda m, b: b), (S43, S3), grad=(True, False)),
    C("view_imul", lambda m, a: _on_view(a * 1, lambda v: v.mul_(2), 1), (S43,), saved=False),
    C(
        "view_iadd_tensor",
        lambda m, a, b: _on_view(a * 1, lambda v: v.add_(b), 0),
        (S43, S3),
        saved=False,
    ),
    C(
        "view_slice_imul_tensor",
        lambda m, a, b: _on_view(a * 1, lambda v: v.mul_(b), slice(1, 3)),
        (S43, S3),
        saved=False,
    ),
    C(
        "view_irelu",
        lambda m, a: _on_view(a * 1, lambda v: v.relu_(), (slice(None), 1)),
        (S43,),
        domain="away",
        saved=False,
    ),
    C(
        "view_setitem",
        lambda m, a, b: _on_view(a * 1, lambda v: v.__setitem__(1, b[0]), 2),
        (S43, S3),
        saved=False,
    ),
    C("view_then_use", lambda m, a: _view_then_use(a * 1), (S43,), saved=False),
    C(
        "view_of_base_without_grad",
        lambda m, a, b: _on_view(a * 1, lambda v: v.mul_(b), 0),
        (S43, S3),
        grad=(False, True),
        saved=False,
    ),
    # ------------------------------------------------ losses: K-dim inputs, class probabilities
    C(
        "F_nll_loss_3d",
        lambda m, a: _F(m).nll_loss(a, m.tensor([[0, 1, 2, -100], [1, 1, 0, 2]])),
        ((2, 3, 4),),
    ),
    C(
        "F_nll_loss_3d_weighted_none",
        lambda m, a: _F(m).nll_loss(
            a,
            m.tensor([[0, 1, 2, 1], [1, 2, 0, 2]]),
            weight=m.tensor([0.5, 2.0, 1.5], dtype=a.dtype),
            ignore_index=1,
            reduction="none",
        ),
        ((2, 3, 4),),
    ),
    C(
        "F_nll_loss_4d_weighted_sum",
        lambda m, a: _F(m).nll_loss(
            a,
            m.tensor([[[0, 1], [2, 2]], [[1, -100], [0, 2]]]),
            weight=m.tensor([0.5, 2.0, 1.5], dtype=a.dtype),
            reduction="sum",
        ),
        ((2, 3, 2, 2),),
    ),
    C(
        "F_nll_loss_4d_none",
        lambda m, a: _F(m).nll_loss(
            a, m.tensor([[[0, 1], [2, 2]], [[1, 0], [0, 2]]]), reduction="none"
        ),
        ((2, 3, 2, 2),),
    ),
    C(
        "F_nll_loss_5d",
        lambda m, a: _F(m).nll_loss(a, m.tensor([[[[0, 1]], [[2, 2]]], [[[1, 0]], [[0, 2]]]])),
        ((2, 3, 2, 1, 2),),
    ),
    C(
        "F_cross_entropy_3d",
        lambda m, a: _F(m).cross_entropy(a, m.tensor([[0, 1, 2, -100], [1, 1, 0, 2]])),
        ((2, 3, 4),),
    ),
    C(
        "F_cross_entropy_3d_smoothed_weighted",
        lambda m, a: _F(m).cross_entropy(
            a,
            m.tensor([[0, 1, 2, -100], [1, 1, 0, 2]]),
            weight=m.tensor([0.5, 2.0, 1.5], dtype=a.dtype),
            label_smoothing=0.2,
        ),
        ((2, 3, 4),),
    ),
    C(
        "F_cross_entropy_4d_smoothed_none",
        lambda m, a: _F(m).cross_entropy(
            a,
            m.tensor([[[0, 1], [2, 2]], [[1, 0], [0, 2]]]),
            label_smoothing=0.3,
            reduction="none",
        ),
        ((2, 3, 2, 2),),
    ),
    C(
        "F_cross_entropy_probs",
        lambda m, a, p: _F(m).cross_entropy(a, p),
        (S43, S43),
        grad=(True, False),
    ),
    C("F_cross_entropy_probs_both", lambda m, a, p: _F(m).cross_entropy(a, p), (S43, S43)),
    C(
        "F_cross_entropy_probs_smoothed_weighted_sum",
        lambda m, a, p: _F(m).cross_entropy(
            a,
            p,
            weight=m.tensor([0.5, 2.0, 1.5], dtype=a.dtype),
            reduction="sum",
            label_smoothing=0.2,
        ),
        (S43, S43),
    ),
    C(
        "F_cross_entropy_probs_weight_grad_none",
        lambda m, a, p, w: _F(m).cross_entropy(a, p, weight=w, reduction="none"),
        (S43, S43, S3),
        grad=(True, False, True),
    ),
    C(
        "F_cross_entropy_probs_1d_smoothed",
        lambda m, a, p: _F(m).cross_entropy(a, p, label_smoothing=0.1),
        ((5,), (5,)),
    ),
    C(
        "F_cross_entropy_probs_3d_weighted",
        lambda m, a, p: _F(m).cross_entropy(a, p, weight=m.tensor([0.5, 2.0, 1.5], dtype=a.dtype)),
        ((2, 3, 4), (2, 3, 4)),
        grad=(True, False),
    ),
    C(
        "F_mse_loss_f64_target",
        lambda m, a, b: _F(m).mse_loss(a, b.double()),
        (S43, S43),
    ),
    C("unbind_rows", lambda m, a: (lambda r: r[0] * r[2] + r[1])(a.unbind(0)), (S43,)),
    C("unbind_dim1", lambda m, a: (lambda r: r[1] - r[0])(m.unbind(a, -1)), (S43,)),
    C("iterate_rows", lambda m, a: (lambda r: r[3] * r[1] - r[0])(list(a)), (S43,)),
    C("split_size", lambda m, a: (lambda p: p[0] * p[1][:1] + p[1][1:])(a.split(2)), (S43,)),
    C("split_sizes_dim1", lambda m, a: (lambda p: p[1] * p[0])(m.split(a, [1, 2], 1)), (S43,)),
    C("chunk_uneven", lambda m, a: (lambda p: p[0].sum(0) - p[1].sum(0))(a.chunk(3)), (S43,)),
    C(
        "F_mse_loss_broadcast_both",
        lambda m, a, b: _broadcast_mse(m, a, b, "sum"),
        ((4, 1), (1, 3)),
    ),
    C(
        "F_mse_loss_broadcast_target_none",
        lambda m, a, b: _broadcast_mse(m, a, b, "none"),
        (S43, S3),
    ),
    C(
        "F_mse_loss_int_target_none",
        lambda m, a: _F(m).mse_loss(a, m.tensor([[1, -1, 0]] * 4), reduction="none"),
        (S43,),
        forward_ad=False,  # torch's forward mode refuses an integer target
    ),
    C("F_linear_row_bias", lambda m, x, w, b: _F(m).linear(x, w, b), ((2, 4, 3), (2, 3), (1, 2))),
    C(
        "F_linear_noncontig_f64_bias",
        lambda m, x, w, b: _F(m).linear(x.transpose(0, 1), w, b.double()),
        ((4, 2, 3), (2, 3), (2,)),
    ),
]

# One list per family of ops, each grown at its end.
CASES += [
    # ---------------------------------------------------------------- more math
    C("log1p", lambda m, a: a.log1p(), (S43,), domain="pos"),
    C("log1p_0d", lambda m, a: m.log1p(a - 1.2), (S0,), domain="pos"),
    C("logit", lambda m, a: (a * 0.4).logit(), (S43,), domain="pos"),
    C("lerp", lambda m, a, b: m.lerp(a, b, 0.3), (S43, S43)),
    C("lerp_large_weight", lambda m, a, b: a.lerp(b, 0.8), (S43, S3)),
    C("lerp_tensor_weight", lambda m, a, b, w: m.lerp(a, b, w), (S43, S43, S3)),
    C("ilerp", _inplace("lerp_", 0.6), (S43, S43)),
    C("addcmul", lambda m, a, b, c: m.addcmul(a, b, c, value=2), (S43, S43, S3)),
    C("addcmul_method", lambda m, a, b, c: a.addcmul(b, c), (S3, S43, S43)),
    C(
        "addcdiv",
        lambda m, a, b, c: m.addcdiv(a, b, c, value=-0.5),
        (S43, S43, S3),
        domain=("real", "real", "pos"),
    ),
    C("iaddcmul", _inplace("addcmul_", value=0.5), (S43, S43, S3)),
    C("iaddcdiv", _inplace("addcdiv_", value=2), (S43, S3, S43), domain=("real", "real", "pos")),
    C("logit_eps", lambda m, a: m.logit(a * 0.4, eps=0.1), (S43,), domain="pos"),
    C("logit_clamped", lambda m, a: m.logit(a * 0.02, 0.1), (S43,), domain="pos"),
    C("expm1", lambda m, a: m.expm1(a), (S43,)),
    C("log2", lambda m, a: m.log2(a), (S43,), domain="pos"),
    C("log10", lambda m, a: a.log10(), (S43,), domain="pos"),
    C("exp2", lambda m, a: a.exp2(), (S43,)),
    C("rsqrt", lambda m, a: m.rsqrt(a), (S43,), domain="pos"),
    C("tan", lambda m, a: (a - 1.25).tan(), (S43,), domain="pos"),
    C("atan", lambda m, a: m.atan(a), (S43,)),
    C("asin", lambda m, a: m.asin(a - 1.25), (S43,), domain="pos"),
    C("acos", lambda m, a: (a - 1.25).acos(), (S43,), domain="pos"),
    C("acosh", lambda m, a: m.acosh(a + 0.75), (S43,), domain="pos"),
    C("asinh", lambda m, a: a.asinh(), (S43,)),
    C("atanh", lambda m, a: m.atanh(a - 1.25), (S43,), domain="pos"),
    C("arccosh_alias", lambda m, a: (a + 0.75).arccosh(), (S43,), domain="pos"),
    C("sinh", lambda m, a: a.sinh(), (S43,)),
    C("cosh", lambda m, a: m.cosh(a), (S43,)),
    C("atan2", lambda m, a, b: m.atan2(a, b), (S43, S43)),
    C("atan2_method_broadcast", lambda m, a, b: a.atan2(b), (S43, S3)),
    C("atan2_const_other", lambda m, a, b: m.atan2(a, b), (S43, S43), grad=(True, False)),
    C("atan2_const_self", lambda m, a, b: m.atan2(a, b), (S3, S43), grad=(False, True)),
    C("atan2_0d", lambda m, a, s: m.atan2(s, a), (S43, S0)),
    C("clamp_min_number", lambda m, a: m.clamp_min(a, 0.5), (S43,), domain="away"),
    C("clamp_max_number", lambda m, a: a.clamp_max(-0.5), (S43,), domain="away"),
    C("clamp_min_tensor", lambda m, a, b: m.clamp_min(a, b), (S43, S43)),
    C("clamp_max_tensor_broadcast", lambda m, a, b: a.clamp_max(b), (S3, S43)),
    C("clamp_min_tensor_const", lambda m, a, b: a.clamp_min(b), (S43, S3), grad=(True, False)),
    C("clip", lambda m, a: m.clip(a, -0.5, 0.5), (S43,), domain="away"),
    C("clip_tensor_min", lambda m, a, b: a.clip(b), (S43, S43)),
    C("nan_to_num", lambda m, a: m.nan_to_num(a), (S43,)),
    C("nan_to_num_log", lambda m, a: m.nan_to_num(a.log(), nan=0.5, neginf=-3.0), (S43,)),
    C("iexp", _inplace("exp_"), (S43,)),
    C("ilog", _inplace("log_"), (S43,), domain="pos"),
    C("isqrt", _inplace("sqrt_"), (S43,), domain="pos"),
    C("ineg", _inplace("neg_"), (S43,)),
    C("iabs", _inplace("abs_"), (S43,), domain="away"),
    C("isigmoid", _inplace("sigmoid_"), (S43,)),
    C("itanh", _inplace("tanh_"), (S43,)),
    C("ireciprocal", _inplace("reciprocal_"), (S43,), domain="pos"),
    C("isquare", _inplace("square_"), (S43,)),
    C("ilog1p", _inplace("log1p_"), (S43,), domain="pos"),
    C("ierf", _inplace("erf_"), (S43,)),
    C("isin", _inplace("sin_"), (S43,)),
    C("icos", _inplace("cos_"), (S43,)),
    C("ilogit", lambda m, a: (a * 0.4).logit_(0.05), (S43,), domain="pos"),
    C("iexpm1", _inplace("expm1_"), (S43,)),
    C("ilog2", _inplace("log2_"), (S43,), domain="pos"),
    C("ilog10", _inplace("log10_"), (S43,), domain="pos"),
    C("iexp2", _inplace("exp2_"), (S43,)),
    C("irsqrt", _inplace("rsqrt_"), (S43,), domain="pos"),
    C("itan", lambda m, a: (a - 1.25).tan_(), (S43,), domain="pos"),
    C("iatan", _inplace("atan_"), (S43,)),
    C("iasin", lambda m, a: (a - 1.25).asin_(), (S43,), domain="pos"),
    C("iacos", lambda m, a: (a - 1.25).acos_(), (S43,), domain="pos"),
    C("isinh", _inplace("sinh_"), (S43,)),
    C("icosh", _inplace("cosh_"), (S43,)),
    C("iatan2", _inplace("atan2_"), (S43, S3)),
    C("iclamp_min", _inplace("clamp_min_", 0.5), (S43,), domain="away"),
    C("iclamp_max_tensor", _inplace("clamp_max_"), (S43, S43)),
    C("iclip", _inplace("clip_", -0.5, 0.5), (S43,), domain="away"),
    C("inan_to_num", _inplace("nan_to_num_", posinf=2.0), (S43,)),
    C(
        "ilog_on_view",
        lambda m, a: _on_view(a * 1, lambda v: v.log_(), slice(1, 3)),
        (S43,),
        domain="pos",
        saved=False,  # torch's CopySlices hides what its LogBackward0 saved
    ),
    C("erf", lambda m, a: m.erf(a), (S43,)),
    C("erf_method_3d", lambda m, a: (a * 2).erf(), ((2, 3, 2),)),
]
CASES += [
    # ---------------------------------------------------------------- more reductions
    C("var", lambda m, a: a.var(), (S43,)),
    C("var_dim", lambda m, a: a.var(1), (S43,)),
    C("var_dims_keepdim", lambda m, a: m.var(a, (0, 2), keepdim=True), ((2, 3, 4),)),
    C("var_unbiased_false", lambda m, a: a.var(-1, False), (S43,)),
    C("var_correction", lambda m, a: a.var(0, correction=2), (S43,)),
    C("var_correction_float_full", lambda m, a: m.var(a, correction=0.5), (S43,)),
    C("var_0d", lambda m, a: a.var(correction=0), (S0,)),
    # torch's backward counts 1 element for dim=[] (not the 12 it reduces): not a true
    # derivative, so compared with torch alone
    C(
        "var_dim_empty_list",
        lambda m, a: a.var([], correction=0),
        (S43,),
        gradcheck=False,
        forward_ad=False,
    ),
    C("std", lambda m, a: a.std(), (S43,)),
    C("std_dim", lambda m, a: m.std(a, 0), (S43,)),
    C("std_dims_correction", lambda m, a: a.std((0, -1), correction=0), ((2, 3, 4),)),
    C("std_keepdim", lambda m, a: a.std(1, keepdim=True), (S43,)),
    C("var_mean_var", lambda m, a: m.var_mean(a, 1)[0], (S43,)),
    C("var_mean_mean", lambda m, a: m.var_mean(a, (0, 2), keepdim=True)[1], ((2, 3, 4),)),
    C("var_mean_both", lambda m, a: _joined(m.var_mean(a, correction=0)), (S43,)),
    C("std_mean_both", lambda m, a: _joined(m.std_mean(a, -1)), (S43,)),
    C("std_mean_std", lambda m, a: m.std_mean(a, unbiased=False)[0], (S43,)),
    C("logsumexp", lambda m, a: a.logsumexp(1), (S43,)),
    C("logsumexp_dims_keepdim", lambda m, a: m.logsumexp(a, (0, -1), True), ((2, 3, 4),)),
    C("logsumexp_0d", lambda m, a: a.logsumexp(0), (S0,)),
    C("logsumexp_big", lambda m, a: (a * 100).logsumexp(0), (S43,)),
    C("amax", lambda m, a: a.amax(), (S43,)),
    C("amax_dim", lambda m, a: a.amax(1), (S43,)),
    C("amin_dims_keepdim", lambda m, a: m.amin(a, (0, 2), keepdim=True), ((2, 3, 4),)),
    # every value twice: ties, whose gradient is split evenly between the copies
    C("amax_ties", lambda m, a: m.cat([a, a], 1).amax(-1), (S43,)),
    C("amin_ties_full", lambda m, a: m.cat([a, a]).amin(), (S43,)),
    C("prod", lambda m, a: a.prod(), (S43,)),
    C("prod_dim", lambda m, a: a.prod(1), (S43,)),
    C("prod_dim_keepdim", lambda m, a: m.prod(a, -1, keepdim=True), ((2, 3, 4),)),
    C("prod_0d", lambda m, a: a.prod(), (S0,)),
    C("prod_0d_dim", lambda m, a: a.prod(0), (S0,)),
    C("prod_dtype", lambda m, a: a.prod(0, dtype=m.float64), (S43,)),
    # zeros, where the gradient is the product of the others: one, then several
    C("prod_one_zero", lambda m, a: _zeros_at(m, a, [5]).prod(), (S43,)),
    C("prod_two_zeros", lambda m, a: _zeros_at(m, a, [1, 6]).prod(), (S43,)),
    C("prod_dim_zeros", lambda m, a: _zeros_at(m, a, [0, 4, 5, 10]).prod(1), ((3, 4),)),
    C("norm", lambda m, a: a.norm(), (S43,)),
    C("norm_dim", lambda m, a: a.norm(dim=1), (S43,)),
    C("norm_p1", lambda m, a: m.norm(a, 1, 0), (S43,), domain="away"),
    C("norm_inf_keepdim", lambda m, a: a.norm(float("inf"), 1, True), (S43,)),
    C("norm_neg_inf", lambda m, a: a.norm(float("-inf")), (S43,)),
    C("norm_fro_dims", lambda m, a: a.norm("fro", (0, 2)), ((2, 3, 4),)),
    C("norm_p3", lambda m, a: a.norm(3, -1), (S43,)),
    C("norm_p1_5", lambda m, a: a.norm(1.5), (S43,), domain="away"),
    C("norm_p0_5", lambda m, a: a.norm(0.5, 0), (S43,), domain="away"),
    C("norm_p_neg1", lambda m, a: a.norm(-1, 1), (S43,), domain="away"),
    # a zero row: the gradient there is what torch gives (0 for p >= 1); its second
    # derivative is torch's NaN, so no finite differences
    C(
        "norm_zero_row",
        lambda m, a: (a * _rows(m, 0, 1, 1, 0)).norm(dim=1),
        (S43,),
        gradcheck=False,
    ),
    C(
        "norm_p3_zero_row",
        lambda m, a: (a * _rows(m, 0, 1, 1, 1)).norm(3, 1),
        (S43,),
        gradcheck=False,
    ),
    C("vector_norm", lambda m, a: m.linalg.vector_norm(a, 2, (0, 1), True), (S43,)),
    C("vector_norm_dtype", lambda m, a: m.linalg.vector_norm(a, dtype=m.float64), (S43,)),
    C("cumsum", lambda m, a: a.cumsum(1), (S43,)),
    C("cumsum_dim0_3d", lambda m, a: m.cumsum(a, -3), ((2, 3, 4),)),
    C("cumsum_0d", lambda m, a: a.cumsum(0), (S0,)),
    C("cumsum_dtype", lambda m, a: a.cumsum(0, dtype=m.float64), (S43,)),
    C("cumprod", lambda m, a: a.cumprod(1), (S43,)),
    C("cumprod_dim0", lambda m, a: m.cumprod(a, 0), (S43,)),
    C("cumprod_0d", lambda m, a: a.cumprod(0), (S0,)),
    # zeros: one, two in a row, none in a row; the gradient past a zero is torch's
    C("cumprod_zeros", lambda m, a: _zeros_at(m, a, [1, 4, 6, 11]).cumprod(1), ((3, 4),)),
    C("cumprod_zeros_dim0", lambda m, a: _zeros_at(m, a, [0, 5, 9]).cumprod(0), ((3, 4),)),
]
CASES += [
    # ---------------------------------------------------------------- nn.functional
    C("F_gelu", lambda m, a: _F(m).gelu(a), (S43,)),
    C("F_gelu_tanh", lambda m, a: _F(m).gelu(a, approximate="tanh"), ((2, 3, 2),)),
    C("F_silu", lambda m, a: _F(m).silu(a), (S43,)),
    C("F_silu_inplace", lambda m, a: _F(m).silu(a * 1, inplace=True), (S43,)),
    C("F_leaky_relu", lambda m, a: _F(m).leaky_relu(a, 0.2), (S43,), domain="away"),
    C(
        "F_leaky_relu_inplace",
        lambda m, a: _F(m).leaky_relu(a * 1, inplace=True),
        (S43,),
        domain="away",
    ),
    C("F_softplus", lambda m, a: _F(m).softplus(a), (S43,)),
    C(
        "F_softplus_beta_threshold",
        lambda m, a: _F(m).softplus(a, beta=2, threshold=1.0),
        (S43,),
        domain="away",
    ),
    C("F_elu", lambda m, a: _F(m).elu(a, alpha=0.5), (S43,), domain="away"),
    C("F_elu_inplace", lambda m, a: _F(m).elu(a * 1, inplace=True), (S43,), domain="away"),
    C("F_logsigmoid", lambda m, a: _F(m).logsigmoid(a), (S43,)),
    C("F_hardtanh", lambda m, a: _F(m).hardtanh(a, -0.5, 0.5), (S43,), domain="away"),
    C(
        "F_hardtanh_inplace",
        lambda m, a: _F(m).hardtanh(a * 1, inplace=True),
        (S43,),
        domain="away",
    ),
    C("F_relu6", lambda m, a: _F(m).relu6(a * 4), (S43,), domain="away"),
    C("F_relu6_inplace", lambda m, a: _F(m).relu6(a * 1, inplace=True), (S43,), domain="away"),
    C(
        "F_bce_with_logits",
        lambda m, a, t: _F(m).binary_cross_entropy_with_logits(a, t.sigmoid()),
        (S43, S43),
        grad=(True, False),
    ),
    C(
        "F_bce_with_logits_weights_none",
        lambda m, a, t: _F(m).binary_cross_entropy_with_logits(
            a,
            t.sigmoid(),
            weight=m.tensor([0.5, 1.0, 2.0]),
            reduction="none",
            pos_weight=m.tensor([3.0]),
        ),
        (S43, S43),
    ),
    C(
        "F_bce_with_logits_pos_weight_sum",
        lambda m, a, t: _F(m).binary_cross_entropy_with_logits(
            a, t, reduction="sum", pos_weight=m.tensor([[0.5], [1.0], [2.0], [1.5]])
        ),
        (S43, S43),
    ),
    C(
        "F_bce_with_logits_target_grad",
        lambda m, a, t: _F(m).binary_cross_entropy_with_logits(a, t),
        (S43, S43),
    ),
    C(
        "F_bce",
        lambda m, a, t: _F(m).binary_cross_entropy(a.sigmoid(), t.sigmoid()),
        (S43, S43),
        grad=(True, False),
    ),
    C(
        "F_bce_weighted_none",
        lambda m, a, t: _F(m).binary_cross_entropy(
            a.sigmoid(), t.sigmoid(), weight=m.tensor([0.5, 1.0, 2.0]), reduction="none"
        ),
        (S43, S43),
    ),
    C(
        "F_bce_sum",
        lambda m, a, t: _F(m).binary_cross_entropy(a.sigmoid(), t.sigmoid(), reduction="sum"),
        (S43, S43),
    ),
    C(
        "F_l1_loss",
        lambda m, a, t: _F(m).l1_loss(a, t),
        (S43, S43),
        grad=(True, False),
        domain="away",
    ),
    C(
        "F_l1_loss_none",
        lambda m, a, t: _F(m).l1_loss(a, t * 0.5, reduction="none"),
        (S43, S43),
        domain="away",
    ),
    C(
        "F_l1_loss_sum",
        lambda m, a, t: _F(m).l1_loss(a, t, reduction="sum"),
        (S43, S43),
        domain="away",
    ),
    C("F_smooth_l1_loss", lambda m, a, t: _F(m).smooth_l1_loss(a, t), (S43, S43)),
    C(
        "F_smooth_l1_loss_beta_none",
        lambda m, a, t: _F(m).smooth_l1_loss(a, t * 0, reduction="none", beta=0.5),
        (S43, S43),
        domain="away",
    ),
    C(
        "F_smooth_l1_loss_sum",
        lambda m, a, t: _F(m).smooth_l1_loss(a, t, reduction="sum", beta=2.0),
        (S43, S43),
        grad=(True, False),
    ),
    C("F_huber_loss", lambda m, a, t: _F(m).huber_loss(a, t), (S43, S43)),
    C(
        "F_huber_loss_delta_none",
        lambda m, a, t: _F(m).huber_loss(a, t * 0, reduction="none", delta=0.5),
        (S43, S43),
        domain="away",
    ),
    C(
        "F_huber_loss_sum",
        lambda m, a, t: _F(m).huber_loss(a, t, "sum", 2.0),
        (S43, S43),
        grad=(True, False),
    ),
    C("F_dropout_p1", lambda m, a: _F(m).dropout(a, 1.0), (S43,)),
    C("F_dropout_p1_inplace", lambda m, a: _F(m).dropout(a * 2, p=1.0, inplace=True), (S43,)),
    C("F_dropout_eval", lambda m, a: _F(m).dropout(a * 2, 0.5, training=False), (S43,)),
    C("F_dropout_p0", lambda m, a: _F(m).dropout(a * 2, 0.0), (S43,)),
    C("F_embedding", lambda m, w: _F(m).embedding(m.tensor([[1, 3], [0, 1]]), w), (S43,)),
    C(
        "F_embedding_padding_idx",
        lambda m, w: _F(m).embedding(m.tensor([2, 0, 2, 3]), w, padding_idx=2),
        ((5, 2),),
        gradcheck=False,  # the padding row is picked but gets no gradient: not the derivative
    ),
    C(
        "F_embedding_freq_negative_padding",
        lambda m, w: _F(m).embedding(
            m.tensor([1, 1, 4, 0, 1]), w, padding_idx=-1, scale_grad_by_freq=True
        ),
        ((5, 3),),
        gradcheck=False,  # the gradient is scaled by frequency: not the derivative
    ),
    C("F_embedding_int32_0d", lambda m, w: _F(m).embedding(m.tensor(2, dtype=m.int32), w), (S43,)),
    C("F_mish", lambda m, a: _F(m).mish(a), (S43,)),
    C("F_mish_inplace", lambda m, a: _F(m).mish(a * 1, inplace=True), (S43,)),
    C(
        "F_hardsigmoid",
        lambda m, a: _F(m).hardsigmoid(a * 4),
        (S43,),
        domain="away",
        gradcheck=False,  # torch has no double backward for it (first order: test_parity_nn_more)
    ),
    C("F_hardswish", lambda m, a: _F(m).hardswish(a * 4), (S43,), domain="away"),
    C(
        "F_hardswish_inplace",
        lambda m, a: _F(m).hardswish(a * 4, inplace=True),
        (S43,),
        domain="away",
    ),
    C("F_softsign", lambda m, a: _F(m).softsign(a), (S43,), domain="away"),
    C("F_tanhshrink", lambda m, a: _F(m).tanhshrink(a), (S43,)),
    C("F_softmin", lambda m, a: _F(m).softmin(a, 1), (S43,)),
    C("F_softmin_dtype", lambda m, a: _F(m).softmin(a, dim=0, dtype=m.float64), (S43,)),
    C("F_layer_norm", lambda m, x: _F(m).layer_norm(x, (3,)), (S43,)),
    C(
        "F_layer_norm_affine_2d",
        lambda m, x, w, b: _F(m).layer_norm(x, [3, 4], w, b, eps=1e-3),
        ((2, 3, 4), (3, 4), (3, 4)),
    ),
    C("F_layer_norm_weight_only", lambda m, x, w: _F(m).layer_norm(x, (5,), w), ((2, 3, 5), (5,))),
    C(
        "F_layer_norm_bias_only_const_x",
        # with a weight: without one, torch's double backward drops the bias's term
        lambda m, x, b: _F(m).layer_norm(x, (3,), m.tensor([0.5, 1.0, 2.0], dtype=x.dtype), bias=b),
        (S43, S3),
        grad=(False, True),
    ),
    # ---------------------------------------------------------------- convolution, pooling
    C("F_conv2d", lambda m, x, w, b: _F(m).conv2d(x, w, b), ((2, 3, 5, 5), (4, 3, 3, 3), S4)),
    C(
        "F_conv2d_stride_pad",
        lambda m, x, w, b: _F(m).conv2d(x, w, b, stride=2, padding=1),
        ((2, 3, 6, 6), (2, 3, 3, 3), (2,)),
    ),
    C(
        "F_conv2d_dilation_groups",
        lambda m, x, w: _F(m).conv2d(x, w, stride=(1, 2), padding=(2, 1), dilation=2, groups=2),
        ((2, 4, 7, 7), (4, 2, 3, 2)),
    ),
    C(
        "F_conv2d_same_even",
        lambda m, x, w: _F(m).conv2d(x, w, padding="same"),
        ((2, 2, 5, 5), (3, 2, 4, 3)),
    ),
    C(
        "F_conv2d_valid_unbatched",
        lambda m, x, w, b: _F(m).conv2d(x, w, b, padding="valid"),
        ((3, 5, 5), (2, 3, 2, 2), (2,)),
    ),
    C(
        "F_conv2d_const_weight",
        lambda m, x, w: _F(m).conv2d(x, w, padding=1),
        ((2, 2, 5, 5), (3, 2, 3, 3)),
        grad=(True, False),
    ),
    C(
        "F_conv2d_const_input",
        lambda m, x, w, b: _F(m).conv2d(x, w, b),
        ((2, 2, 5, 5), (3, 2, 3, 3), (3,)),
        grad=(False, True, True),
    ),
    C("F_conv1d", lambda m, x, w, b: _F(m).conv1d(x, w, b), ((2, 3, 7), (4, 3, 3), S4)),
    C(
        "F_conv1d_stride_dilation_groups",
        lambda m, x, w: _F(m).conv1d(x, w, stride=2, padding=2, dilation=2, groups=3),
        ((2, 3, 7), (6, 1, 3)),
    ),
    C(
        "F_conv1d_same",
        lambda m, x, w, b: _F(m).conv1d(x, w, b, padding="same", dilation=2),
        ((2, 2, 6), (3, 2, 3), (3,)),
    ),
    C(
        "F_conv_transpose2d",
        lambda m, x, w, b: _F(m).conv_transpose2d(x, w, b, stride=2, padding=1, output_padding=1),
        ((2, 3, 4, 4), (3, 2, 3, 3), (2,)),
    ),
    C(
        "F_conv_transpose2d_groups_dilation",
        lambda m, x, w: _F(m).conv_transpose2d(x, w, stride=(2, 1), groups=2, dilation=2),
        ((2, 4, 3, 3), (4, 1, 2, 2)),
    ),
    C("F_max_pool2d", lambda m, x: _F(m).max_pool2d(x, 2), ((2, 3, 5, 5),)),
    C(
        "F_max_pool2d_pad_ceil",
        lambda m, x: _F(m).max_pool2d(x, 3, stride=2, padding=1, ceil_mode=True),
        ((2, 2, 6, 6),),
    ),
    C(
        "F_max_pool2d_dilation_unbatched",
        lambda m, x: _F(m).max_pool2d(x, (3, 2), stride=(2, 1), padding=(1, 0), dilation=(2, 1)),
        ((2, 7, 6),),
    ),
    C(
        "F_max_pool2d_indices",
        lambda m, x: _F(m).max_pool2d(x, 2, return_indices=True)[0],
        ((2, 2, 5, 5),),
    ),
    C(
        "F_max_pool1d",
        lambda m, x: _F(m).max_pool1d(x, 3, stride=2, padding=1, ceil_mode=True),
        ((2, 3, 8),),
    ),
    C("F_avg_pool2d", lambda m, x: _F(m).avg_pool2d(x, 2), ((2, 3, 5, 5),)),
    C(
        "F_avg_pool2d_pad_ceil_exclude",
        lambda m, x: _F(m).avg_pool2d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False),
        ((2, 2, 6, 6),),
    ),
    C(
        "F_avg_pool2d_divisor_unbatched",
        lambda m, x: _F(m).avg_pool2d(x, (2, 3), stride=1, padding=1, divisor_override=4),
        ((2, 5, 5),),
    ),
    C("F_avg_pool1d", lambda m, x: _F(m).avg_pool1d(x, 3, 2, 1, ceil_mode=True), ((2, 3, 8),)),
    C("F_adaptive_avg_pool2d", lambda m, x: _F(m).adaptive_avg_pool2d(x, (3, 2)), ((2, 3, 7, 5),)),
    C(
        "F_adaptive_avg_pool2d_none_unbatched",
        lambda m, x: _F(m).adaptive_avg_pool2d(x, (None, 4)),
        ((2, 5, 7),),
    ),
    C("F_adaptive_avg_pool2d_1", lambda m, x: _F(m).adaptive_avg_pool2d(x, 1), ((2, 3, 5, 5),)),
    C("F_adaptive_avg_pool1d", lambda m, x: _F(m).adaptive_avg_pool1d(x, 3), ((2, 3, 7),)),
    C("F_adaptive_avg_pool1d_1", lambda m, x: _F(m).adaptive_avg_pool1d(x, 1), ((2, 3, 7),)),
    C(
        "F_conv3d",
        lambda m, x, w: _F(m).conv3d(x, w, padding=1),
        ((1, 2, 3, 3, 3), (2, 2, 2, 2, 2)),
    ),
    C(
        "F_conv_transpose3d",
        lambda m, x, w: _F(m).conv_transpose3d(x, w, stride=2),
        ((1, 2, 2, 2, 2), (2, 2, 2, 2, 2)),
    ),
    C("F_max_pool3d", lambda m, x: _F(m).max_pool3d(x, 2, 1, 1), ((1, 2, 3, 3, 3),)),
    C(
        "F_avg_pool3d",
        lambda m, x: _F(m).avg_pool3d(x, 2, 1, 1, ceil_mode=True),
        ((1, 2, 3, 3, 3),),
    ),
    C(
        "F_batch_norm_train",
        lambda m, x, w, b: _F(m).batch_norm(
            x, m.zeros(3, dtype=x.dtype), m.ones(3, dtype=x.dtype), w, b, training=True
        ),
        ((4, 3, 2), S3, S3),
    ),
    C(
        "F_batch_norm_train_no_stats",
        lambda m, x: _F(m).batch_norm(x, None, None, training=True, eps=1e-3),
        ((5, 3),),
    ),
    C(
        "F_batch_norm_train_4d_weight_only",
        lambda m, x, w: _F(m).batch_norm(x, None, None, w, training=True),
        ((2, 3, 2, 2), S3),
    ),
    C(
        "F_batch_norm_eval",
        lambda m, x, w, b: _F(m).batch_norm(
            x, _bn_mean(m, x), _bn_var(m, x), w, b, training=False, eps=1e-3
        ),
        ((4, 3, 2), S3, S3),
    ),
    C(
        "F_batch_norm_eval_no_affine",
        lambda m, x: _F(m).batch_norm(x, _bn_mean(m, x), _bn_var(m, x)),
        ((5, 3),),
    ),
    C(
        "F_group_norm_affine",
        lambda m, x, w, b: _F(m).group_norm(x, 2, w, b, eps=1e-3),
        ((2, 4, 3), S4, S4),
    ),
    C("F_group_norm_2d", lambda m, x: _F(m).group_norm(x, 3), ((2, 6),)),
    C("F_group_norm_4d_weight_only", lambda m, x, w: _F(m).group_norm(x, 1, w), ((2, 3, 2, 2), S3)),
    C(
        "F_group_norm_bias_only_const_x",
        lambda m, x, b: _F(m).group_norm(x, 2, m.tensor([0.5, 1.0, 2.0, 1.5], dtype=x.dtype), b),
        ((3, 4, 2), S4),
        grad=(False, True),
    ),
    C("F_rms_norm", lambda m, x: _F(m).rms_norm(x, (3,)), (S43,)),
    C(
        "F_rms_norm_weight_2d",
        lambda m, x, w: _F(m).rms_norm(x, [3, 4], w, eps=1e-3),
        ((2, 3, 4), (3, 4)),
    ),
    C("F_normalize", lambda m, x: _F(m).normalize(x), (S43,)),
    C("F_normalize_p1_dim0", lambda m, x: _F(m).normalize(x, p=1.0, dim=0), (S43,), domain="away"),
    C("F_cosine_similarity", lambda m, a, b: _F(m).cosine_similarity(a, b), (S43, S43)),
    C(
        "F_cosine_similarity_broadcast",
        lambda m, a, b: _F(m).cosine_similarity(a, b, dim=-1, eps=1e-6),
        ((2, 3, 4), S4),
    ),
    # ---------------------------------------------------------------- threshold, glu, prelu,
    # celu, shrinks
    C("F_threshold", lambda m, a: _F(m).threshold(a, 0.5, 2.0), (S43,), domain="away"),
    C(
        "F_threshold_inplace",
        lambda m, a: _F(m).threshold(a * 1, -0.5, 0.0, inplace=True),
        (S43,),
        domain="away",
    ),
    C("F_threshold_", lambda m, a: _F(m).threshold_(a * 1, 0.0, 3.0), (S43,), domain="away"),
    C("F_glu", lambda m, a: _F(m).glu(a), ((2, 3, 4),)),
    C("F_glu_dim0", lambda m, a: _F(m).glu(a, 0), (S43,)),
    C("F_prelu", lambda m, a, w: _F(m).prelu(a, w), ((2, 3, 4), S3), domain="away"),
    C("F_prelu_one_weight", lambda m, a, w: _F(m).prelu(a, w), (S43, (1,)), domain="away"),
    C("F_prelu_0d_weight", lambda m, a, w: _F(m).prelu(a, w), ((2, 3), S0), domain="away"),
    C("F_prelu_1d", lambda m, a, w: _F(m).prelu(a, w), (S4, (1,)), domain="away"),
    C(
        "F_prelu_const_weight",
        lambda m, a, w: _F(m).prelu(a, w),
        (S43, S3),
        grad=(True, False),
        domain="away",
    ),
    C("F_celu", lambda m, a: _F(m).celu(a, 0.5), (S43,), domain="away"),
    C("F_celu_inplace", lambda m, a: _F(m).celu(a * 1, 2.0, inplace=True), (S43,), domain="away"),
    C("F_celu_", lambda m, a: _F(m).celu_(a * 1), (S43,), domain="away"),
    C("F_softshrink", lambda m, a: _F(m).softshrink(a), (S43,), domain="away"),
    C("F_softshrink_0", lambda m, a: _F(m).softshrink(a, 0.0), (S43,), domain="away"),
    C("F_hardshrink", lambda m, a: _F(m).hardshrink(a, lambd=0.5), (S43,), domain="away"),
    # ---------------------------------------------------------------- kl_div, distances
    C(
        "F_kl_div_none",
        lambda m, x, t: _F(m).kl_div(x, t, reduction="none"),
        (S43, S43),
        domain=("real", "pos"),
    ),
    C(
        "F_kl_div_mean",
        _kl_div_mean,
        (S43, S43),
        domain=("real", "pos"),
    ),
    C(
        "F_kl_div_batchmean",
        lambda m, x, t: _F(m).kl_div(x, t, reduction="batchmean"),
        ((2, 3, 2), (3, 2)),
        domain=("real", "pos"),
    ),
    C(
        "F_kl_div_log_target_sum",
        lambda m, x, t: _F(m).kl_div(x, t, reduction="sum", log_target=True),
        (S43, S43),
    ),
    C(
        "F_kl_div_log_target_batchmean",
        lambda m, x, t: _F(m).kl_div(x, t, reduction="batchmean", log_target=True),
        (S43, S43),
    ),
    C("F_pairwise_distance", lambda m, a, b: _F(m).pairwise_distance(a, b), (S43, S43)),
    C(
        "F_pairwise_distance_p1_keepdim",
        lambda m, a, b: _F(m).pairwise_distance(a, b, p=1.0, keepdim=True),
        (S43, S3),
        domain="away",
    ),
    C(
        "F_pairwise_distance_p3_1d",
        lambda m, a, b: _F(m).pairwise_distance(a, b, 3.0, eps=1e-3),
        (S4, S4),
    ),
    C(
        "F_triplet_margin_loss",
        lambda m, a, p, n: _F(m).triplet_margin_loss(a, p, n),
        (S43, S43, S43),
    ),
    C(
        "F_triplet_margin_loss_swap_sum",
        lambda m, a, p, n: _F(m).triplet_margin_loss(
            a, p, n, margin=2.0, p=1, swap=True, reduction="sum"
        ),
        (S43, S43, S43),
        domain="away",
    ),
    # ---------------------------------------------------------------- padding
    C("F_pad_constant", lambda m, x: _F(m).pad(x, (1, 2)), ((2, 3, 4),)),
    C(
        "F_pad_constant_crop_value",
        lambda m, x: _F(m).pad(x, (1, -2, 0, 1), value=0.5),
        ((2, 3, 4),),
    ),
    C("F_pad_constant_all_crop", lambda m, x: _F(m).pad(x, (-1, 0)), (S43,)),
    C("F_pad_reflect_1d", lambda m, x: _F(m).pad(x, (2, 1), mode="reflect"), ((2, 2, 4),)),
    C("F_pad_reflect_1d_unbatched", lambda m, x: _F(m).pad(x, (-1, 2), "reflect"), (S43,)),
    C("F_pad_reflect_2d", lambda m, x: _F(m).pad(x, (1, 2, 2, 0), "reflect"), ((1, 2, 3, 4),)),
    C(
        "F_pad_reflect_3d",
        lambda m, x: _F(m).pad(x, (1, 0, 1, 2, 1, 1), "reflect"),
        ((2, 2, 3, 3),),
    ),
    C("F_pad_replicate_1d", lambda m, x: _F(m).pad(x, (3, -1), "replicate"), ((2, 2, 4),)),
    C("F_pad_replicate_2d", lambda m, x: _F(m).pad(x, (1, 2, 2, 0), "replicate"), ((2, 3, 4),)),
    C(
        "F_pad_replicate_3d",
        lambda m, x: _F(m).pad(x, (1, 0, 1, 2, 1, 1), "replicate"),
        ((1, 2, 2, 3, 3),),
    ),
    C("F_pad_circular_1d", lambda m, x: _F(m).pad(x, (2, 1), "circular"), ((2, 2, 4),)),
    C("F_pad_circular_crop", lambda m, x: _F(m).pad(x, (-1, 2), "circular"), (S43,)),
    C("F_pad_circular_2d", lambda m, x: _F(m).pad(x, (1, 2, 2, 0), "circular"), ((1, 2, 3, 4),)),
    C(
        "F_pad_circular_3d",
        lambda m, x: _F(m).pad(x, (1, 0, 1, 2, 1, 1), "circular"),
        ((2, 2, 3, 3),),
    ),
]
CASES += [
    # ---------------------------------------------------------------- shapes and indexing
    C("gather", lambda m, a: a.gather(0, m.tensor([[0, 1, 2], [1, 0, 3]])), (S43,)),
    C("gather_dim1_repeats", lambda m, a: m.gather(a, 1, m.tensor([[2, 2], [0, 1]])), (S43,)),
    C("gather_neg_dim", lambda m, a: m.gather(a, -1, m.tensor([[[1], [0]]])), ((2, 3, 4),)),
    C("gather_0d", lambda m, a: a.gather(0, m.tensor(0)), (S0,)),
    C("index_select", lambda m, a: a.index_select(0, m.tensor([3, 0, 3])), (S43,)),
    C("index_select_dim1", lambda m, a: m.index_select(a, -1, m.tensor([2, 0])), ((2, 3, 4),)),
    C("index_select_0d_index", lambda m, a: a.index_select(1, m.tensor(1)), (S43,)),
    C("index_select_0d", lambda m, a: a.index_select(0, m.tensor([0])), (S0,)),
    C(
        "scatter_add",
        lambda m, a, s: a.scatter_add(0, m.tensor([[0, 1, 2], [0, 0, 3]]), s),
        (S43, (2, 3)),
    ),
    C(
        "scatter_add_dim1",
        lambda m, a, s: m.scatter_add(a, 1, m.tensor([[2, 2], [0, 1], [1, 1], [0, 0]]), s),
        (S43, (4, 2)),
    ),
    C(
        "scatter_add_const_self",
        lambda m, a, s: m.scatter_add(a, 0, m.tensor([[3, 1, 0]]), s),
        (S43, (1, 3)),
        grad=(False, True),
    ),
    C(
        "scatter_src",
        lambda m, a, s: a.scatter(0, m.tensor([[0, 1, 2], [1, 0, 3]]), s),
        (S43, (2, 3)),
    ),
    C(
        "scatter_src_dim1",
        lambda m, a, s: m.scatter(a, -1, m.tensor([[2], [0], [1], [1]]), s),
        (S43, (4, 1)),
    ),
    C("scatter_value", lambda m, a: a.scatter(0, m.tensor([[0, 1, 2], [1, 0, 3]]), 2.5), (S43,)),
    C("scatter_value_kw", lambda m, a: m.scatter(a, 1, m.tensor([[0], [2]]), value=-1), (S43,)),
    C("masked_select", lambda m, a: a.masked_select(m.tensor([True, False, True])), (S43,)),
    C(
        "masked_select_broadcast",
        lambda m, a: m.masked_select(a, m.tensor([[True], [False], [True], [True]])),
        (S3,),
    ),
    C("masked_select_0d", lambda m, a: a.masked_select(m.tensor(True)), (S0,)),
    C("repeat", lambda m, a: a.repeat(2, 1, 3), (S43,)),
    C("repeat_list", lambda m, a: a.repeat([1, 2]), (S43,)),
    C("repeat_ones", lambda m, a: a.repeat(1, 1), (S43,)),
    C("repeat_zero", lambda m, a: a.repeat(0, 2), (S43,)),
    C("repeat_0d", lambda m, a: a.repeat(3, 2), (S0,)),
    C("flip", lambda m, a: a.flip(0), (S43,)),
    C("flip_dims", lambda m, a: m.flip(a, (-1, 0)), ((2, 3, 4),)),
    C("flip_0d", lambda m, a: a.flip(0), (S0,)),
    C("roll", lambda m, a: a.roll(1, 0), (S43,)),
    C("roll_dims", lambda m, a: m.roll(a, (-1, 5), (2, 0)), ((2, 3, 4),)),
    C("roll_flat", lambda m, a: a.roll(5), (S43,)),
    C("narrow", lambda m, a: a.narrow(0, 1, 2), (S43,)),
    C("narrow_neg_start", lambda m, a: m.narrow(a, -1, -2, 2), ((2, 3, 4),)),
    C("movedim", lambda m, a: a.movedim(0, -1), ((2, 3, 4),)),
    C("movedim_lists", lambda m, a: m.movedim(a, (2, 0), (0, 1)), ((2, 3, 4),)),
    C("swapaxes", lambda m, a: a.swapaxes(0, 1), (S43,)),
    C("swapdims", lambda m, a: m.swapdims(a, -1, 0), ((2, 3, 4),)),
    C("unflatten", lambda m, a: a.unflatten(0, (2, 2)), (S43,)),
    C("unflatten_infer", lambda m, a: m.unflatten(a, -1, (2, -1)), ((2, 3, 4),)),
    C("unflatten_noncontig", lambda m, a: a.T.unflatten(1, (2, 1, 2)), (S43,)),
    C(
        "narrow_then_write",
        _view_then_write(lambda b: b.narrow(1, 1, 2), lambda b, s: b.mul_(s)),
        (S43, S0),
    ),
    C("tril", lambda m, a: a.tril(), (S43,)),
    C("itril", _inplace("tril_"), (S43,)),
    C("itriu_diagonal", _inplace("triu_", 1), ((2, 3, 4),)),
    C("tril_diagonal", lambda m, a: m.tril(a, diagonal=-1), ((2, 3, 4),)),
    C("triu", lambda m, a: a.triu(1), (S43,)),
    C("triu_neg", lambda m, a: m.triu(a, -2), ((3, 3),)),
    C("diagonal", lambda m, a: a.diagonal(), (S43,)),
    C("diagonal_offset", lambda m, a: m.diagonal(a, 1), (S43,)),
    C("diagonal_dims", lambda m, a: a.diagonal(-1, 2, 0), ((2, 3, 4),)),
    C("diagonal_in_place", lambda m, a: _diagonal_doubled(a * 1) * a, ((3, 3),), saved=False),
    C("ravel", lambda m, a: a.ravel(), ((2, 3, 4),)),
    C("ravel_noncontig", lambda m, a: m.ravel(a.transpose(0, 1)), ((2, 3, 4),)),
    C("ravel_0d", lambda m, a: a.ravel(), (S0,)),
    C("broadcast_to", lambda m, a: m.broadcast_to(a, (2, 4, 3)), (S3,)),
    C("broadcast_to_neg1", lambda m, a: a.broadcast_to((2, -1, 3)), ((4, 1),)),
    C("broadcast_to_same", lambda m, a: m.broadcast_to(a, [4, 3]), (S43,)),
    C("moveaxis", lambda m, a: a.moveaxis(0, -1), ((2, 3, 4),)),
    C("moveaxis_lists", lambda m, a: m.moveaxis(a, (2, 0), (0, 1)), ((2, 3, 4),)),
    C("select", lambda m, a: a.select(1, -1), ((2, 3, 4),)),
    C("select_function", lambda m, a: m.select(a, -1, 2), (S43,)),
    C("select_to_0d", lambda m, a: a.select(0, 1), (S4,)),
    C("trace", lambda m, a: a.trace(), (S43,)),
    C("trace_square", lambda m, a: (a * 2).trace(), ((3, 3),)),
    C("trace_wide", lambda m, a: a.t().trace(), (S43,)),
    C("positive", lambda m, a: m.positive(a * 2), (S43,)),
    C("positive_method", lambda m, a: (a - 1).positive(), ((2, 3, 4),)),
    C("tile", lambda m, a: a.tile((2,)), ((2, 3, 4),)),
    C("tile_more_dims", lambda m, a: m.tile(a, (2, 1, 3)), (S43,)),
    C("tile_ints", lambda m, a: a.tile(2, 2), (S43,)),
    C("tile_empty", lambda m, a: a.tile(()), (S43,)),
    C("tile_0d", lambda m, a: m.tile(a, [3]), (S0,)),
    C("fliplr", lambda m, a: m.fliplr(a), (S43,)),
    C("fliplr_3d", lambda m, a: a.fliplr(), ((2, 3, 4),)),
    C("flipud", lambda m, a: a.flipud(), (S4,)),
    C("flipud_2d", lambda m, a: m.flipud(a), (S43,)),
    C("rot90", lambda m, a: a.rot90(), (S43,)),
    C("rot90_k2", lambda m, a: m.rot90(a, 2), (S43,)),
    C("rot90_k3", lambda m, a: m.rot90(a, 3, [1, 0]), (S43,)),
    C("rot90_neg", lambda m, a: m.rot90(a, -1, [2, 0]), ((2, 3, 4),)),
    C("rot90_k4", lambda m, a: a.rot90(4), (S43,)),
    C("rot90_k5_neg_dims", lambda m, a: a.rot90(5, (-1, 0)), ((2, 3, 4),)),
    C("tensor_split", lambda m, a: m.cat(a.tensor_split(3)[::-1]), ((7, 2),)),
    C("tensor_split_indices", lambda m, a: m.cat(m.tensor_split(a, [1, 5], 1)[::-1], 1), ((2, 7),)),
    C("tensor_split_overlapping", lambda m, a: m.cat(a.tensor_split([5, 1, -2])), ((7, 2),)),
    C(
        "tensor_split_tensor",
        lambda m, a: m.cat(a.tensor_split(m.tensor([2, 9]), -1)[::-1], -1),
        ((2, 3, 4),),
        forward_ad=False,  # torch's forward mode reads the index tensor's data, which it lacks
    ),
    C("tensor_split_more_than_size", lambda m, a: m.cat(a.tensor_split(5)[::-1]), ((3, 2),)),
    C("hsplit", lambda m, a: (lambda p: p[0] * p[1])(a.hsplit(2)), ((3, 4),)),
    C("hsplit_vector", lambda m, a: m.cat(m.hsplit(a, [1, 3])[::-1]), (S4,)),
    C("vsplit", lambda m, a: (lambda p: p[1] - p[0])(a.vsplit(2)), (S43,)),
    C("vsplit_indices", lambda m, a: m.cat(m.vsplit(a, [3])[::-1]), (S43,)),
    C("dsplit", lambda m, a: m.cat(m.dsplit(a, [1])[::-1], 2), ((2, 3, 4),)),
    C("dsplit_sections", lambda m, a: (lambda p: p[0] * p[1])(a.dsplit(2)), ((2, 3, 4),)),
    C(
        "split_with_sizes",
        lambda m, a: (lambda p: p[1] * p[0][:1])(a.split_with_sizes([1, 3])),
        (S43,),
    ),
    C(
        "split_with_sizes_function",
        lambda m, a: (lambda p: p[0] - p[1])(m.split_with_sizes(a, [2, 2], -1)),
        ((3, 4),),
    ),
    C("diag_embed", lambda m, a: a.diag_embed(), (S43,)),
    C("diag_embed_offset_dims", lambda m, a: m.diag_embed(a, -2, 2, 0), (S43,)),
    C("diag_embed_vector", lambda m, a: m.diag_embed(a, 1), (S4,)),
    C("diag_vector", lambda m, a: a.diag(), (S4,)),
    C("diag_vector_offset", lambda m, a: m.diag(a, -2), (S3,)),
    C("diag_matrix", lambda m, a: m.diag(a, 1), (S43,)),
    C("diag_matrix_transposed", lambda m, a: a.t().diag(-1), (S43,)),
    C("diagflat", lambda m, a: a.diagflat(), ((2, 3),)),
    C("diagflat_offset", lambda m, a: m.diagflat(a.t(), 1), ((2, 3),)),
    C("diagflat_0d", lambda m, a: a.diagflat(-1), (S0,)),
    C(
        "take_along_dim",
        lambda m, a: m.take_along_dim(a, m.tensor([[0, 2], [1, 1], [2, 0], [0, 0]]), 1),
        (S43,),
    ),
    C(
        "take_along_dim_broadcast",
        lambda m, a: a.take_along_dim(m.tensor([[[0], [2]]]), -2),
        ((2, 3, 1),),
    ),
    C("take_along_dim_flat", lambda m, a: a.take_along_dim(m.tensor([[0, 5], [11, 5]])), (S43,)),
    C("take", lambda m, a: a.take(m.tensor([[0, 5], [11, -1]])), (S43,)),
    C("take_repeats", lambda m, a: m.take(a.t(), m.tensor([2, 2, -12, 7])), (S43,)),
    C("take_0d_index", lambda m, a: a.take(m.tensor(3)), ((2, 3, 4),)),
    C("select_scatter", lambda m, a, b: m.select_scatter(a, b, 0, 1), (S43, S3)),
    C("select_scatter_method", lambda m, a, b: a.select_scatter(b, -1, -1), (S43, S4)),
    C(
        "select_scatter_const_src",
        lambda m, a, b: m.select_scatter(a * 2, b, 1, 0),
        (S43, S4),
        grad=(True, False),
    ),
    C("slice_scatter", lambda m, a, b: m.slice_scatter(a, b, 1, 0, 4, 2), ((3, 4), (3, 2))),
    C("slice_scatter_defaults", lambda m, a, b: a.slice_scatter(b), (S43, S43)),
    C("slice_scatter_negative", lambda m, a, b: a.slice_scatter(b, 0, -3, -1), ((6, 2), (2, 2))),
    C(
        "slice_scatter_const_self",
        lambda m, a, b: m.slice_scatter(a, b, start=3),
        ((6, 2), (3, 2)),
        grad=(False, True),
    ),
    C("diagonal_scatter", lambda m, a, b: m.diagonal_scatter(a, b), ((3, 4), S3)),
    C("diagonal_scatter_offset", lambda m, a, b: a.diagonal_scatter(b, 2), ((3, 4), (2,))),
    C(
        "diagonal_scatter_dims",
        lambda m, a, b: m.diagonal_scatter(a, b, -1, 2, 0),
        ((2, 3, 4), (3, 2)),
    ),
    C("repeat_interleave", lambda m, a: a.repeat_interleave(2), (S43,)),
    C("repeat_interleave_dim", lambda m, a: m.repeat_interleave(a, 3, dim=1), (S43,)),
    C("repeat_interleave_neg_dim", lambda m, a: a.repeat_interleave(2, -2), ((2, 3, 4),)),
    C("repeat_interleave_noncontig", lambda m, a: m.repeat_interleave(a.t(), 2), (S43,)),
    C("repeat_interleave_0d", lambda m, a: a.repeat_interleave(3), (S0,)),
    C("repeat_interleave_zero", lambda m, a: m.repeat_interleave(a, 0, 0), (S43,)),
    C(
        "repeat_interleave_tensor",
        lambda m, a: a.repeat_interleave(m.tensor([1, 0, 2, 1]), 0),
        (S43,),
    ),
    C("repeat_interleave_one_count", lambda m, a: m.repeat_interleave(a, m.tensor([2])), (S43,)),
    C("outer", lambda m, a, b: m.outer(a, b), (S4, S3)),
    C("outer_method", lambda m, a, b: a.outer(b), (S3, S3)),
    C("outer_const", lambda m, a, b: m.outer(a, b), (S4, S3), grad=(False, True)),
    C("sort", lambda m, a: a.sort()[0], (S43,)),
    C("sort_desc_dim0", lambda m, a: m.sort(a, 0, descending=True).values, (S43,)),
    C("sort_stable", lambda m, a: m.sort(a, stable=True, dim=1).values, ((2, 3, 4),)),
    C("sort_0d", lambda m, a: a.sort().values, (S0,)),
    C("sort_indices_gather", lambda m, a: a.gather(1, a.argsort(1, descending=True)), (S43,)),
    C("topk", lambda m, a: a.topk(2).values, (S43,)),
    C("topk_smallest_dim0", lambda m, a: m.topk(a, 3, 0, largest=False)[0], (S43,)),
    C("topk_0d", lambda m, a: a.topk(1).values, (S0,)),
]


def _joined(pair):
    """Both outputs of a two-output op in one result: a gradient reaches the node by both."""
    first, second = pair
    return first * 2 + second * second


def _rows(m, *scale):
    """A column of per-row factors (0 zeroes a row)."""
    return m.tensor([[float(v)] for v in scale])


def _zeros_at(m, a, flat: list):
    """``a`` with zeros at the ``flat`` positions (a gradient still flows to the others)."""
    mask = np.zeros(a.shape, dtype=bool)
    mask.reshape(-1)[flat] = True
    return a.masked_fill(m.tensor(mask), 0.0)


def _setitem_expanded(a, s):
    w = (a * 1)[:, :1].expand(4, 3)
    w[1, 2] = s * 2
    return w * 2


def _fill_tensor(t, s):
    t.fill_(s)
    return t


def _on_view(t, op, index):
    op(t[index])
    return t


def _diagonal_doubled(t):
    t.diagonal().mul_(2)
    return t


def _view_then_use(t):
    v = t[1:]
    v.mul_(3)
    return v * v


def _ipow(t, e):
    t **= e
    return t


def _imod(t, b):
    t %= b
    return t


def _iadd(t, b):
    t += b
    return t


CASES += [
    # ---------------------------------------------------------------- fused products
    C("addmm", lambda m, c, a, b: m.addmm(c, a, b), ((5, 3), (5, 4), S43)),
    C(
        "addmm_beta_alpha",
        lambda m, c, a, b: m.addmm(c, a, b, beta=0.5, alpha=-2),
        (S3, (5, 4), S43),
    ),
    C("addmm_beta0", lambda m, c, a, b: c.addmm(a, b, beta=0, alpha=3), ((1, 3), (5, 4), S43)),
    C(
        "addmm_only_mat2",
        lambda m, c, a, b: m.addmm(c, a, b),
        (S3, (5, 4), S43),
        grad=(False, False, True),
    ),
    C("addmm_in_place", _inplace("addmm_", beta=2, alpha=0.5), ((5, 3), (5, 4), S43)),
    C("addmv", lambda m, c, a, v: m.addmv(c, a, v, beta=2, alpha=0.5), ((5,), (5, 4), S4)),
    C("addmv_bcast", lambda m, c, a, v: c.addmv(a, v), ((1,), (5, 4), S4)),
    C(
        "addmv_only_vec",
        lambda m, c, a, v: m.addmv(c, a, v),
        ((5,), (5, 4), S4),
        grad=(False, False, True),
    ),
    C("addmv_in_place", _inplace("addmv_", alpha=3), ((5,), (5, 4), S4)),
    C("addr", lambda m, c, a, b: m.addr(c, a, b, beta=-1, alpha=2), ((5, 3), (5,), S3)),
    C("addr_bcast", lambda m, c, a, b: c.addr(a, b), (S3, (5,), S3)),
    C("addr_in_place", _inplace("addr_", beta=0.5), ((5, 3), (5,), S3)),
    C(
        "baddbmm",
        lambda m, c, a, b: m.baddbmm(c, a, b, beta=0.5, alpha=2),
        ((2, 5, 3), (2, 5, 4), (2, 4, 3)),
    ),
    C("baddbmm_bcast", lambda m, c, a, b: c.baddbmm(a, b), ((5, 1), (2, 5, 4), (2, 4, 3))),
    C("baddbmm_in_place", _inplace("baddbmm_", alpha=-1), ((2, 5, 3), (2, 5, 4), (2, 4, 3))),
    C(
        "addbmm",
        lambda m, c, a, b: m.addbmm(c, a, b, beta=2, alpha=0.5),
        ((5, 3), (2, 5, 4), (2, 4, 3)),
    ),
    C("addbmm_bcast", lambda m, c, a, b: c.addbmm(a, b), (S3, (2, 5, 4), (2, 4, 3))),
    C(
        "addbmm_only_batch1",
        lambda m, c, a, b: m.addbmm(c, a, b),
        (S3, (2, 5, 4), (2, 4, 3)),
        grad=(False, True, False),
    ),
    C("addbmm_in_place", _inplace("addbmm_", beta=0), ((5, 3), (2, 5, 4), (2, 4, 3))),
]

CASES += [
    # ---------------------------------------------------------------- index writes
    C("index_add", lambda m, a, s: a.index_add(0, m.tensor([3, 0]), s), (S43, (2, 3))),
    C(
        "index_add_alpha_dim1",
        lambda m, a, s: m.index_add(a, 1, m.tensor([2, 0, 2]), s, alpha=-2),
        (S43, (4, 3)),
    ),
    C(
        "index_add_only_src",
        lambda m, a, s: a.index_add(0, m.tensor([1]), s),
        (S43, (1, 3)),
        grad=(False, True),
    ),
    C(
        "index_add_in_place",
        lambda m, a, s: (a * 1).index_add_(0, m.tensor([3, 3]), s, alpha=0.5),
        (S43, (2, 3)),
    ),
    C("index_copy", lambda m, a, s: a.index_copy(0, m.tensor([3, 0]), s), (S43, (2, 3))),
    C("index_copy_dim1", lambda m, a, s: m.index_copy(a, -1, m.tensor([2, 0]), s), (S43, (4, 2))),
    C(
        "index_copy_only_self",
        lambda m, a, s: a.index_copy(0, m.tensor([1]), s),
        (S43, (1, 3)),
        grad=(True, False),
    ),
    C(
        "index_copy_in_place",
        lambda m, a, s: (a * 1).index_copy_(1, m.tensor([1]), s),
        (S43, (4, 1)),
    ),
    C("index_fill", lambda m, a: a.index_fill(0, m.tensor([3, 0, 3]), -1.5), (S43,)),
    C("index_fill_tensor", lambda m, a, v: m.index_fill(a, 1, m.tensor([2, 2, 0]), v), (S43, S0)),
    C("index_fill_in_place", lambda m, a: (a * 1).index_fill_(1, m.tensor([-1]), 2), (S43,)),
    C(
        "index_fill_tensor_in_place",
        lambda m, a, v: (a * 1).index_fill_(0, m.tensor(1), v),
        (S43, S0),
    ),
    C(
        "scatter_in_place",
        lambda m, a, s: (a * 1).scatter_(0, m.tensor([[0, 1, 2], [1, 0, 3]]), s),
        (S43, (2, 3)),
    ),
    C(
        "scatter_value_in_place",
        lambda m, a: (a * 1).scatter_(1, m.tensor([[0], [2]]), 2.5),
        (S43,),
    ),
    C(
        "scatter_add_in_place",
        lambda m, a, s: (a * 1).scatter_add_(0, m.tensor([[0, 1, 2], [0, 0, 3]]), s),
        (S43, (2, 3)),
    ),
    C(
        "masked_scatter",
        lambda m, a, s: a.masked_scatter(
            m.tensor(
                [
                    [True, False, True],
                    [False, False, True],
                    [True, True, True],
                    [False, False, False],
                ]
            ),
            s,
        ),
        (S43, (2, 4)),
    ),
    C(
        "masked_scatter_bcast",
        lambda m, a, s: m.masked_scatter(a, m.tensor([True, False, True]), s),
        (S43, (9,)),
    ),
    C(
        "masked_scatter_in_place",
        lambda m, a, s: (a * 1).masked_scatter_(m.tensor([[True], [False], [True], [True]]), s),
        (S43, (3, 4)),
    ),
    C("put", lambda m, a, s: a.put(m.tensor([0, 5, -1]), s), (S43, S3)),
    C(
        "put_accumulate",
        lambda m, a, s: m.put(a, m.tensor([[0, 5], [0, 11]]), s, accumulate=True),
        (S43, (2, 2)),
    ),
    C("put_in_place", lambda m, a, s: (a * 1).put_(m.tensor([2, 4]), s), (S43, (2,))),
    C(
        "put_in_place_accumulate",
        lambda m, a, s: (a * 1).put_(m.tensor([2, 2]), s, True),
        (S43, (2,)),
    ),
    C("index_put", lambda m, a, v: m.index_put(a, (m.tensor([3, 0]),), v), (S43, (2, 3))),
    C(
        "index_put_bcast",
        lambda m, a, v: a.index_put((m.tensor([3, 0]), m.tensor([1, 1])), v),
        (S43, (1,)),
    ),
    C(
        "index_put_accumulate",
        lambda m, a, v: a.index_put((m.tensor([3, 3, 0]),), v, accumulate=True),
        (S43, S3),
    ),
    C(
        "index_put_in_place",
        lambda m, a, v: (a * 1).index_put_((m.tensor([1]), m.tensor([2])), v),
        (S43, (1,)),
    ),
    C(
        "index_put_in_place_accumulate",
        lambda m, a, v: (a * 1).index_put_((m.tensor([1, 1]),), v, accumulate=True),
        (S43, (2, 3)),
    ),
]


def _scatter_reduce_case(reduce: str, include_self: bool):
    def fn(m, a, s):
        index = m.tensor([[0, 1, 2], [0, 1, 1], [3, 1, 1]])
        return a.scatter_reduce(0, index, s, reduce, include_self=include_self)

    return fn


CASES += [
    # ---------------------------------------------------------------- scatter_reduce
    *[
        C(
            f"scatter_reduce_{red}{'' if inc else '_exclude'}",
            _scatter_reduce_case(red, inc),
            (S43, (3, 3)),
            forward_ad=red != "prod",  # torch has no forward-mode rule for prod
        )
        for red in ("sum", "prod", "mean", "amax", "amin")
        for inc in (True, False)
    ],
    C(
        "scatter_reduce_dim1_only_src",
        lambda m, a, s: m.scatter_reduce(
            a, 1, m.tensor([[2, 2], [0, 1], [1, 1], [0, 0]]), s, "mean"
        ),
        (S43, (4, 2)),
        grad=(False, True),
    ),
    C(
        "scatter_reduce_in_place",
        lambda m, a, s: (a * 1).scatter_reduce_(0, m.tensor([[0, 1, 2], [0, 1, 1]]), s, "amax"),
        (S43, (2, 3)),
    ),
    C(
        "scatter_reduce_prod_zeros",
        lambda m, a, s: m.scatter_reduce(
            a * m.tensor([[0.0, 1, 1], [1, 1, 1], [1, 1, 0], [1, 1, 1]]),
            0,
            m.tensor([[0, 1, 2], [3, 1, 2]]),
            s * m.tensor([[1.0, 0, 1], [1, 1, 0]]),
            "prod",
        ),
        (S43, (2, 3)),
        forward_ad=False,
    ),
]

CASES += [
    # ---------------------------------------------------------------- in-place comparisons
    *[
        C(f"i{op}_scalar", _inplace(op + "_", 0.25), (S43,), domain="away")
        for op in ("eq", "ne", "lt", "le", "gt", "ge", "greater", "less_equal", "not_equal")
    ],
    C("ieq_tensor", _inplace("eq_"), (S43, S3)),
    C("ige_tensor_const", _inplace("ge_"), (S43, S43), grad=(True, False)),
    C("igreater_equal_tensor", _inplace("greater_equal_"), (S43, S43)),
    C("icumsum", _inplace("cumsum_", 1), (S43,)),
    C("icumprod", _inplace("cumprod_", 0), (S43,)),
    C("icumprod_neg_dim", _inplace("cumprod_", -1, dtype=None), (S43,)),
    C("ifill_diagonal", _inplace("fill_diagonal_", 2.5), (S43,), saved=False),
    C("ifill_diagonal_wrap", _inplace("fill_diagonal_", -1, wrap=True), ((7, 2),), saved=False),
    C("ifill_diagonal_3d", _inplace("fill_diagonal_", 0.5), ((2, 2, 2),), saved=False),
]


def _float_power_(m, a, b):
    t = a.double() * 1  # float_power_ writes into float64 tensors only
    t.float_power_(b)
    return t


CASES += [
    C("hypot", lambda m, a, b: m.hypot(a, b), (S43, S43)),
    C("hypot_method_broadcast", lambda m, a, b: a.hypot(b), (S43, S3)),
    C("hypot_const_other", lambda m, a, b: m.hypot(a, b), (S43, S3), grad=(True, False)),
    C("hypot_0d", lambda m, a, s: m.hypot(s, a), (S43, S0)),
    C("ihypot", _inplace("hypot_"), (S43, S3)),
    C("logaddexp", lambda m, a, b: m.logaddexp(a, b), (S43, S43)),
    C("logaddexp_method_broadcast", lambda m, a, b: a.logaddexp(b), (S3, S43)),
    C("logaddexp_const_self", lambda m, a, b: m.logaddexp(a, b), (S43, S43), grad=(False, True)),
    C("logaddexp2", lambda m, a, b: m.logaddexp2(a, b), (S43, S43)),
    C("logaddexp2_method_0d", lambda m, a, s: a.logaddexp2(s), (S43, S0)),
    C("xlogy", lambda m, a, b: m.xlogy(a, b), (S43, S43), domain=("real", "pos")),
    C("xlogy_method_broadcast", lambda m, a, b: a.xlogy(b), (S43, S3), domain=("real", "pos")),
    C(
        "xlogy_const_other",
        lambda m, a, b: m.xlogy(a, b),
        (S3, S43),
        grad=(True, False),
        domain=("real", "pos"),
    ),
    C("xlogy_number_other", lambda m, a: m.xlogy(a, 2.5), (S43,)),
    C("xlogy_number_self", lambda m, b: m.xlogy(1.5, b), (S43,), domain="pos"),
    C("xlogy_0d", lambda m, a, s: m.xlogy(s, a), (S43, S0), domain=("pos", "real")),
    C("ixlogy", _inplace("xlogy_"), (S43, S3), domain=("real", "pos")),
    C("ixlogy_number", _inplace("xlogy_", 3.0), (S43,)),
    C("copysign", lambda m, a, b: m.copysign(a, b), (S43, S43), domain="away"),
    C("copysign_method_broadcast", lambda m, a, b: a.copysign(b), (S43, S3), domain="away"),
    C("copysign_number", lambda m, a: m.copysign(a, -1.0), (S43,), domain="away"),
    C(
        "copysign_const_other",
        lambda m, a, b: m.copysign(a, b),
        (S43, S3),
        grad=(True, False),
        domain="away",
    ),
    C("icopysign", _inplace("copysign_"), (S43, S3), domain="away"),
    C("icopysign_number", _inplace("copysign_", -2), (S43,), domain="away"),
    C("fmax", lambda m, a, b: m.fmax(a, b), (S43, S43)),
    C("fmax_method_broadcast", lambda m, a, b: a.fmax(b), (S43, S3)),
    C("fmax_const_other", lambda m, a, b: m.fmax(a, b), (S43, S3), grad=(True, False)),
    C("fmin", lambda m, a, b: m.fmin(a, b), (S43, S43)),
    C("fmin_method_0d", lambda m, a, s: a.fmin(s), (S43, S0)),
    C("sinc", lambda m, a: m.sinc(a), (S43,)),
    C("sinc_method", lambda m, a: (a * 3).sinc(), (S43,)),
    C("isinc", _inplace("sinc_"), (S43,)),
    C("deg2rad", lambda m, a: m.deg2rad(a), (S43,)),
    C("rad2deg_method", lambda m, a: a.rad2deg(), (S43,)),
    C("ideg2rad", _inplace("deg2rad_"), (S43,)),
    C("irad2deg", _inplace("rad2deg_"), (S43,)),
    C("float_power", lambda m, a, b: m.float_power(a, b), (S43, S43), domain=("pos", "real")),
    C("float_power_method", lambda m, a, b: a.float_power(b), (S43, S3), domain=("pos", "real")),
    C("float_power_number", lambda m, a: m.float_power(a, 2), (S43,)),
    C("float_power_self_number", lambda m, b: m.float_power(2.5, b), (S43,)),
    C("ifloat_power", _float_power_, (S43, S3), domain=("pos", "real")),
    C("ifloat_power_number", lambda m, a: (a.double() * 1).float_power_(0.5), (S43,), domain="pos"),
]


def _with_nans(a):
    return a.masked_fill(a > 0.5, float("nan"))


CASES += [
    C("nansum", lambda m, a: m.nansum(a), (S43,)),
    C("nansum_nan_dim", lambda m, a: _with_nans(a).nansum(1), (S43,), domain="away"),
    C(
        "nansum_dims_keepdim",
        lambda m, a: m.nansum(_with_nans(a), (0, 1), True),
        (S43,),
        domain="away",
    ),
    C("nansum_0d", lambda m, a: m.nansum(a, 0), (S0,)),
    C("nanmean", lambda m, a: m.nanmean(_with_nans(a)), (S43,), domain="away"),
    C(
        "nanmean_dim_keepdim",
        lambda m, a: _with_nans(a).nanmean(0, keepdim=True),
        (S43,),
        domain="away",
    ),
    C("diff", lambda m, a: m.diff(a), (S43,)),
    C("diff_method_n2_dim0", lambda m, a: a.diff(2, 0), (S43,)),
    C("diff_n0", lambda m, a: m.diff(a, 0), (S43,)),
    C(
        "diff_prepend_append",
        lambda m, a, p, q: m.diff(a, prepend=p, append=q),
        (S43, (4, 1), (4, 2)),
    ),
    C(
        "diff_append_const",
        lambda m, a, q: m.diff(a, dim=0, append=q),
        (S43, (1, 3)),
        grad=(True, False),
    ),
]

# ------------------------------------------------------------------ linear algebra
# Matrices are made well conditioned inside ``fn`` (a diagonal added, or ``a a^T + I``).


def _wc(m, a):
    """``a`` plus 4 on its diagonal: far from singular."""
    return a + 4 * m.eye(a.shape[-1])


def _spd(m, a):
    """``a a^T + I``: symmetric positive definite (a positive determinant)."""
    return a @ a.mT + m.eye(a.shape[-1])


S33, B233 = (3, 3), (2, 3, 3)
CASES += [
    C("linalg_inv", lambda m, a: m.linalg.inv(_wc(m, a)), (S33,)),
    C("linalg_inv_batched", lambda m, a: m.linalg.inv(_wc(m, a)), (B233,)),
    C("inverse_method", lambda m, a: _wc(m, a).inverse(), (S33,)),
    C("linalg_det", lambda m, a: m.linalg.det(a), (S33,)),
    C("linalg_det_batched", lambda m, a: m.linalg.det(a), (B233,)),
    C("det_method", lambda m, a: m.det(a) + a.det(), (S33,)),
    C("linalg_slogdet", lambda m, a: m.linalg.slogdet(a).logabsdet, (S33,)),
    C("linalg_slogdet_batched", lambda m, a: m.linalg.slogdet(a)[1], (B233,)),
    C("slogdet_both", lambda m, a: m.slogdet(a)[0] * m.slogdet(a)[1], (S33,)),
    C("logdet", lambda m, a: m.logdet(_spd(m, a)), (S33,)),
    C("logdet_method_batched", lambda m, a: _spd(m, a).logdet(), (B233,)),
    C("linalg_solve", lambda m, a, b: m.linalg.solve(_wc(m, a), b), (S33, (3, 2))),
    C("linalg_solve_vector", lambda m, a, b: m.linalg.solve(_wc(m, a), b), (S33, (3,))),
    C(
        "linalg_solve_right",
        lambda m, a, b: m.linalg.solve(_wc(m, a), b, left=False),
        (S33, (2, 3)),
    ),
    C("linalg_solve_broadcast", lambda m, a, b: m.linalg.solve(_wc(m, a), b), (B233, (3, 2))),
    C("linalg_solve_batched_vectors", lambda m, a, b: m.linalg.solve(_wc(m, a), b), (B233, (2, 3))),
    C(
        "linalg_solve_b_only",
        lambda m, a, b: m.linalg.solve(_wc(m, a), b),
        (S33, (3, 2)),
        grad=(False, True),
    ),
    C(
        "linalg_solve_a_only",
        lambda m, a, b: m.linalg.solve(_wc(m, a), b),
        (S33, (3, 2)),
        grad=(True, False),
    ),
    C("matrix_norm_fro", lambda m, a: m.linalg.matrix_norm(a), (B233,)),
    C("matrix_norm_1", lambda m, a: m.linalg.matrix_norm(a, 1), (S43,), domain="away"),
    C(
        "matrix_norm_neg_inf_keepdim",
        lambda m, a: m.linalg.matrix_norm(a, -float("inf"), keepdim=True),
        (B233,),
        domain="away",
    ),
    C(
        "matrix_norm_inf_dims",
        lambda m, a: m.linalg.matrix_norm(a, float("inf"), dim=(0, 2)),
        ((3, 2, 4),),
        domain="away",
    ),
    C("linalg_norm_matrix", lambda m, a: m.linalg.norm(a), (S43,)),
    C("linalg_norm_ord1", lambda m, a: m.linalg.norm(a, 1), (S43,), domain="away"),
    C("linalg_norm_vector_dim", lambda m, a: m.linalg.norm(a, 3, dim=1), (S43,)),
    C(
        "linalg_norm_fro_dims",
        lambda m, a: m.linalg.norm(a, "fro", dim=(0, 2), keepdim=True),
        ((2, 3, 4),),
    ),
    C("matrix_power_0", lambda m, a: m.linalg.matrix_power(a, 0), (S33,)),
    C("matrix_power_1", lambda m, a: m.linalg.matrix_power(a, 1), (S33,)),
    C("matrix_power_3", lambda m, a: m.linalg.matrix_power(a, 3), (S33,)),
    C("matrix_power_6", lambda m, a: m.matrix_power(a * 0.5, 6), (S33,)),
    C("matrix_power_neg2", lambda m, a: _wc(m, a).matrix_power(-2), (S33,)),
    C("matrix_power_batched", lambda m, a: m.linalg.matrix_power(a, 5), (B233,)),
    C(
        "multi_dot_4",
        lambda m, a, b, c, d: m.linalg.multi_dot([a, b, c, d]),
        ((2, 5), (5, 3), (3, 4), (4, 2)),
    ),
    C("multi_dot_3", lambda m, a, b, c: m.linalg.multi_dot([a, b, c]), ((2, 5), (5, 3), (3, 6))),
    C(
        "multi_dot_vectors",
        lambda m, v, a, b, w: m.linalg.multi_dot([v, a, b, w]),
        ((3,), S33, (3, 4), (4,)),
    ),
    C("multi_dot_2_vector", lambda m, a, v: m.linalg.multi_dot([a, v]), ((2, 3), (3,))),
    C("linalg_cross", lambda m, a, b: m.linalg.cross(a, b), ((4, 3), (4, 3))),
    C(
        "linalg_cross_broadcast",
        lambda m, a, b: m.linalg.cross(a, b, dim=1),
        ((1, 3, 2), (4, 3, 2)),
    ),
    C("cross_dim", lambda m, a, b: m.cross(a, b, dim=0), ((3, 2), (3, 2))),
    C("cross_method_one_grad", lambda m, a, b: a.cross(b, 1), ((2, 3), (2, 3)), grad=(True, False)),
    C("linalg_vecdot", lambda m, a, b: m.linalg.vecdot(a, b, dim=0), (S43, (4, 1))),
]


CASES += [
    # ------------------------------------------------------- einsum and the other contractions
    C("einsum_matmul", lambda m, a, b: m.einsum("ij,jk->ik", a, b), ((2, 3), (3, 4))),
    C("einsum_implicit", lambda m, a, b: m.einsum("ij,kj", a, b), ((2, 3), (4, 3))),
    C("einsum_output_swapped", lambda m, a, b: m.einsum("ij,jk->ki", a, b), ((2, 3), (3, 4))),
    C("einsum_batched", lambda m, a, b: m.einsum("bij,bjk->bik", a, b), ((2, 2, 3), (2, 3, 2))),
    C("einsum_transpose", lambda m, a: m.einsum("ij->ji", a), (S43,)),
    C("einsum_sum_all", lambda m, a: m.einsum("ij->", a), (S43,)),
    C("einsum_diagonal", lambda m, a: m.einsum("ii->i", a), (S33,)),
    C("einsum_trace", lambda m, a: m.einsum("ii", a), (S33,)),
    C("einsum_dot", lambda m, a, b: m.einsum("i,i->", a, b), (S4, S4)),
    C("einsum_outer", lambda m, a, b: m.einsum("i,j->ij", a, b), (S3, S4)),
    C("einsum_hadamard", lambda m, a, b: m.einsum("ij,ij->ij", a, b), (S43, S43)),
    C(
        "einsum_ellipsis_broadcast",
        lambda m, a, b: m.einsum("...ij,...jk->...ik", a, b),
        ((2, 1, 2, 3), (2, 3, 2)),
    ),
    C("einsum_ellipsis_sum", lambda m, a, b: m.einsum("...i,...i->...", a, b), ((2, 1, 3), (4, 3))),
    C("einsum_one_side_sums", lambda m, a, b: m.einsum("ij,jk->", a, b), ((2, 3), (3, 4))),
    C(
        "einsum_three",
        lambda m, a, b, c: m.einsum("ij,jk,kl->il", a, b, c),
        ((2, 3), (3, 4), (4, 2)),
    ),
    C(
        "einsum_attention",
        lambda m, q, k: m.einsum("bhqd,bhkd->bhqk", q, k),
        ((1, 2, 3, 4), (1, 2, 2, 4)),
    ),
    C("einsum_repeated_in_two", lambda m, a, b: m.einsum("ii,ij->j", a, b), (S33, (3, 2))),
    C("einsum_list", lambda m, a, b: m.einsum("i,i", [a, b]), (S4, S4)),
    C("einsum_sublist", lambda m, a, b: m.einsum(a, [0, 1], b, [1, 2], [0, 2]), ((2, 3), (3, 4))),
    C(
        "einsum_const_operand",
        lambda m, a, b: m.einsum("ij,j->i", a, b),
        (S43, S3),
        grad=(False, True),
    ),
    C("tensordot_2", lambda m, a, b: m.tensordot(a, b, 2), ((2, 3, 4), (3, 4, 2))),
    C(
        "tensordot_lists",
        lambda m, a, b: m.tensordot(a, b, ([1, 2], [1, 0])),
        ((2, 3, 4), (4, 3, 2)),
    ),
    C("tensordot_0", lambda m, a, b: m.tensordot(a, b, 0), ((2, 3), S4)),
    C(
        "tensordot_broadcast_dim",
        lambda m, a, b: m.tensordot(a, b, ([1], [0])),
        ((2, 1, 4), (3, 4)),
    ),
    C("tensordot_to_one", lambda m, a, b: m.tensordot(a, b, 2), ((2, 3), (2, 3))),
    C(
        "tensordot_to_one_permuted",
        lambda m, a, b: m.tensordot(a, b, ([0, 1], [1, 0])),
        ((3, 2), (2, 3)),
    ),
    C("inner", lambda m, a, b: m.inner(a, b), ((2, 3), (4, 3))),
    C("inner_vectors", lambda m, a, b: a.inner(b), (S4, S4)),
    C("inner_0d", lambda m, a, b: m.inner(a, b), (S0, S43)),
    C("vdot", lambda m, a, b: m.vdot(a, b), (S4, S4)),
    C("vdot_method_one_grad", lambda m, a, b: a.vdot(b), (S4, S4), grad=(False, True)),
    C("ger", lambda m, a, b: m.ger(a, b), (S3, S4)),
    C("kron", lambda m, a, b: m.kron(a, b), ((2, 3), (2, 2))),
    C("kron_dims_differ", lambda m, a, b: a.kron(b), ((2, 3), S3)),
    C("chain_matmul", lambda m, a, b, c: m.chain_matmul(a, b, c), ((2, 5), (5, 3), (3, 6))),
    C("chain_matmul_one", lambda m, a: m.chain_matmul(a), (S43,)),
]


CASES += [
    # ------------------------------------------------------- windows, integrals and moments
    C("unfold", lambda m, a: a.unfold(0, 3, 2), ((7,),)),
    C("unfold_overlapping", lambda m, a: a.unfold(1, 3, 1), ((2, 5),)),
    C("unfold_middle_dim", lambda m, a: a.unfold(-2, 2, 1) * 2, ((2, 4, 3),)),
    C("unfold_0d", lambda m, a: a.unfold(0, 1, 1), (S0,)),
    C("narrow_copy", lambda m, a: m.narrow_copy(a, 1, 1, 2), (S43,)),
    C("narrow_copy_method", lambda m, a: a.narrow_copy(0, 2, 2), (S43,)),
    C("trapezoid", lambda m, y: m.trapezoid(y), ((5,),)),
    C("trapezoid_dx_dim", lambda m, y: m.trapezoid(y, dx=0.5, dim=0), (S43,)),
    C("trapezoid_x", lambda m, y, x: m.trapezoid(y, x), (S43, S3)),
    C("trapezoid_x_same_shape", lambda m, y, x: m.trapz(y, x, dim=0), (S43, S43)),
    C("trapz", lambda m, y: m.trapz(y, dx=2.0), (S43,)),
    C("cumulative_trapezoid", lambda m, y: m.cumulative_trapezoid(y), ((5,),)),
    C("cumulative_trapezoid_x", lambda m, y, x: m.cumulative_trapezoid(y, x), (S43, S3)),
    C("cumulative_trapezoid_dx", lambda m, y: m.cumulative_trapezoid(y, dx=2.0, dim=0), (S43,)),
    C("cov", lambda m, a: m.cov(a), ((3, 5),)),
    C("cov_vector", lambda m, a: m.cov(a), ((5,),)),
    C("cov_correction_0", lambda m, a: a.cov(correction=0), ((3, 5),)),
    C("cov_fweights", lambda m, a: m.cov(a, fweights=m.tensor([1, 2, 1, 1, 3])), ((3, 5),)),
    C("cov_aweights", lambda m, a, w: m.cov(a, aweights=w), ((3, 5), (5,)), domain=("real", "pos")),
    C(
        "cov_both_weights",
        lambda m, a, w: m.cov(a, fweights=m.tensor([1, 2, 1, 1, 3]), aweights=w),
        ((3, 5), (5,)),
        domain=("real", "pos"),
    ),
    C("corrcoef", lambda m, a: m.corrcoef(a), ((3, 5),), domain="away"),
    C("corrcoef_vector", lambda m, a: a.corrcoef(), ((5,),)),
]


# cdist's p-norm kernel (CdistBackward0) has no forward mode and no second derivative in
# torch: its first derivative is checked in tests/test_cdist.py
_CDIST = dict(gradcheck=False, forward_ad=False)
CASES += [
    C("cdist", lambda m, a, b: m.cdist(a, b), (S43, (5, 3)), **_CDIST),
    C("cdist_p1", lambda m, a, b: m.cdist(a, b, p=1), (S43, (5, 3)), domain="away", **_CDIST),
    C("cdist_p_half", lambda m, a, b: m.cdist(a, b, p=0.5), (S43, (2, 3)), **_CDIST),
    C("cdist_p3_batched", lambda m, a, b: m.cdist(a, b, p=3), ((2, 4, 3), (1, 5, 3)), **_CDIST),
    C("cdist_inf", lambda m, a, b: m.cdist(a, b, p=float("inf")), (S43, (2, 3)), **_CDIST),
    C(
        "cdist_one_grad",
        lambda m, a, b: m.cdist(a, b, p=1.5),
        (S43, (2, 3)),
        grad=(False, True),
        **_CDIST,
    ),
    # p=2 through a matrix product: torch has its second derivative, not its forward mode
    C(
        "cdist_mm",
        lambda m, a, b: m.cdist(a, b, compute_mode="use_mm_for_euclid_dist"),
        (S43, (5, 3)),
        forward_ad=False,
    ),
    C(
        "cdist_mm_batched",
        lambda m, a, b: m.cdist(a, b, compute_mode="use_mm_for_euclid_dist"),
        ((2, 4, 3), (5, 3)),
        forward_ad=False,
    ),
    C("cdist_many_rows", lambda m, a, b: m.cdist(a, b), ((26, 2), (3, 2)), forward_ad=False),
]


# Singular vectors are fixed up to their signs only: the cases see them through functions
# that do not depend on the signs (``U * U``, the product of the factors).
def _svd_product(m, r, k=None):
    u, s, vh = r
    if k is not None:
        u, vh = u[..., :k], vh[..., :k, :]
    return (u * s[..., None, :]) @ vh


def _svd_squares(m, a, full=False):
    u, s, vh = m.linalg.svd(a, full_matrices=full)
    k = s.shape[-1]
    return (u[..., :k] ** 2 * s[..., None, :]) @ vh[..., :k, :] ** 2


def _sym(m, a):
    return _wc(m, a + a.mT)


CASES += [
    C("svd_product", lambda m, a: _svd_product(m, m.linalg.svd(a, False)), ((3, 4),)),
    C("svd_product_tall", lambda m, a: _svd_product(m, m.linalg.svd(a, False)), (S43,)),
    C("svd_u_squared", lambda m, a: m.linalg.svd(a, full_matrices=False).U ** 2, (S43,)),
    C("svd_vh_squared", lambda m, a: m.linalg.svd(a, full_matrices=False).Vh ** 2, ((3, 4),)),
    C(
        "svd_squares_batched",
        lambda m, a: (lambda r: r.U**2 * r.S[..., None, :] + r.Vh**2)(m.linalg.svd(a)),
        (B233,),
    ),
    C("svd_squares_full_square", lambda m, a: _svd_squares(m, a, True), (S33,)),
    C("svd_squares_full_tall", lambda m, a: _svd_squares(m, a, True), (S43,)),
    C("svd_squares_full_wide", lambda m, a: _svd_squares(m, a, True), ((3, 4),)),
    C("svd_product_full_wide", lambda m, a: _svd_product(m, m.linalg.svd(a), 3), ((3, 4),)),
    C("svdvals", lambda m, a: m.linalg.svdvals(a), (S43,)),
    C("svdvals_batched", lambda m, a: m.linalg.svdvals(a), ((2, 3, 4),)),
    C("svd_s_only", lambda m, a: m.linalg.svd(a).S * 2, (B233,)),
    C(
        "torch_svd",
        lambda m, a: (lambda r: (r.U * r.S[..., None, :]) @ r.V.mT + r.V[0] ** 2)(m.svd(a)),
        (S43,),
    ),
    C("torch_svd_not_some", lambda m, a: m.svd(a, some=False).V[..., :3] ** 2, ((3, 4),)),
    C("torch_svd_no_uv", lambda m, a: m.svd(a, compute_uv=False).S, (B233,)),
    C("svd_method", lambda m, a: a.svd().U ** 2, (S33,)),
    C("matrix_norm_nuc", lambda m, a: m.linalg.matrix_norm(a, "nuc"), (B233,)),
    C(
        "matrix_norm_nuc_keepdim",
        lambda m, a: m.linalg.matrix_norm(a, "nuc", (0, 2), True),
        (B233,),
    ),
    C("matrix_norm_2", lambda m, a: m.linalg.matrix_norm(a, 2), (S43,)),
    C("matrix_norm_2_dims", lambda m, a: m.linalg.matrix_norm(a, 2, dim=(-1, -3)), ((2, 3, 4),)),
    C("matrix_norm_minus_2", lambda m, a: m.linalg.matrix_norm(a, -2, keepdim=True), (B233,)),
    C("linalg_norm_nuc", lambda m, a: m.linalg.norm(a, "nuc"), (S43,)),
    C("linalg_norm_2", lambda m, a: m.linalg.norm(a, 2), ((3, 4),)),
    C("linalg_norm_minus_2_dims", lambda m, a: m.linalg.norm(a, -2, dim=(0, 2)), (B233,)),
    C("linalg_pinv", lambda m, a: m.linalg.pinv(a), ((3, 4),)),
    C("linalg_pinv_tall", lambda m, a: m.linalg.pinv(a), (S43,)),
    C("linalg_pinv_batched", lambda m, a: m.linalg.pinv(a), (B233,)),
    C("linalg_pinv_hermitian", lambda m, a: m.linalg.pinv(_sym(m, a), hermitian=True), (B233,)),
    C("pinverse", lambda m, a: m.pinverse(a), (S43,)),
    C("pinverse_method", lambda m, a: a.pinverse(), ((3, 4),)),
    C("linalg_cond", lambda m, a: m.linalg.cond(a), (B233,)),
    C("linalg_cond_2_wide", lambda m, a: m.linalg.cond(a, 2), ((3, 4),)),
    C("linalg_cond_minus_2", lambda m, a: m.linalg.cond(a, -2), (S33,)),
]


def _both(r):
    """``min * 2 + max`` of an ``aminmax`` result (both outputs in one gradient)."""
    return r.min * 2 + r.max


def _nan_at(m, a, flat: list):
    """``a`` with NaN at the ``flat`` positions (no gradient reaches them)."""
    mask = np.zeros(a.shape, dtype=bool)
    mask.reshape(-1)[flat] = True
    return a.masked_fill(m.tensor(mask), float("nan"))


CASES += [
    # ------------------------------------------------------- order statistics, running extremes
    C("median_full", lambda m, a: a.median(), (S43,)),
    C("median_full_even", lambda m, a: m.median(a), ((2, 3),)),
    C("median_dim", lambda m, a: a.median(1).values, (S43,)),
    C("median_dim_keepdim", lambda m, a: m.median(a, 0, keepdim=True)[0], (S43,)),
    C("median_0d", lambda m, a: a.median(0)[0], (S0,)),
    C("nanmedian_full", lambda m, a: _nan_at(m, a, [1, 5, 6]).nanmedian(), (S43,)),
    C("nanmedian_dim", lambda m, a: m.nanmedian(_nan_at(m, a, [0, 4, 5]), 1).values, (S43,)),
    C("kthvalue", lambda m, a: a.kthvalue(2, 1).values, (S43,)),
    C("kthvalue_dim0_keepdim", lambda m, a: m.kthvalue(a, 3, 0, True)[0], (S43,)),
    C("kthvalue_last", lambda m, a: a.kthvalue(3).values, ((2, 3, 3),)),
    # a repeated column makes each row's mode that column's value (both copies move together)
    C("mode", lambda m, a: m.cat([a, a[:, :1]], 1).mode(1).values, (S43,)),
    C("mode_keepdim", lambda m, a: m.mode(a, 0, keepdim=True)[0], (S43,)),
    C("cummax", lambda m, a: a.cummax(1).values, (S43,)),
    C("cummax_dim0", lambda m, a: m.cummax(a, 0)[0], (S43,)),
    C("cummin", lambda m, a: a.cummin(-1).values, ((2, 3, 4),)),
    C("cummax_0d", lambda m, a: a.cummax(0).values, (S0,)),
    C("logcumsumexp", lambda m, a: a.logcumsumexp(1), (S43,)),
    C("logcumsumexp_dim0", lambda m, a: m.logcumsumexp(a * 3, 0), (S43,)),
    C("logcumsumexp_0d", lambda m, a: a.logcumsumexp(0), (S0,)),
    C("msort", lambda m, a: a.msort(), (S43,)),
    C("msort_fn", lambda m, a: m.msort(a), ((5,),)),
    C("aminmax", lambda m, a: _both(a.aminmax()), (S43,)),
    C("aminmax_dim_max", lambda m, a: m.aminmax(a, dim=1).max, (S43,)),
    C("aminmax_dim_keepdim_min", lambda m, a: a.aminmax(dim=0, keepdim=True)[0], (S43,)),
    C("aminmax_ties", lambda m, a: _both(m.cat([a, a], 1).aminmax(dim=-1)), (S43,)),
    C("aminmax_0d", lambda m, a: _both(a.aminmax(dim=0)), (S0,)),
    C("quantile", lambda m, a: a.quantile(0.3), (S43,)),
    C("quantile_dim", lambda m, a: m.quantile(a, 0.75, dim=1, keepdim=True), (S43,)),
    C(
        "quantile_q_tensor_midpoint",
        lambda m, a: a.quantile(m.tensor([0.2, 0.5], dtype=a.dtype), 0, interpolation="midpoint"),
        ((2, 5, 3),),
    ),
    C("quantile_nearest", lambda m, a: a.quantile(0.45, -1, interpolation="nearest"), (S43,)),
    C("quantile_lower_0d", lambda m, a: a.quantile(0.5, interpolation="lower"), (S0,)),
    C(
        "nanquantile",
        lambda m, a: m.nanquantile(_nan_at(m, a, [0, 4]), m.tensor([0.1, 0.9], dtype=a.dtype), 1),
        (S43,),
    ),
]


def _exps(m):
    """Integer exponents for ``ldexp``, one per column of a (4, 3) input (none negative:
    torch's gradient through a negative integer exponent is 0, as an integer power)."""
    return m.tensor([1, 0, 3])


CASES += [
    # ---------------------------------------------------------------- number formats
    C("ldexp", lambda m, a: m.ldexp(a, _exps(m)), (S43,)),
    C("ldexp_float_exponent", lambda m, a, b: a.ldexp(b), (S43, S3)),
    C("ldexp_exponent_only", lambda m, a, b: m.ldexp(a, b), (S43, S43), grad=(False, True)),
    C("ildexp", lambda m, a, b: _inplace("ldexp_")(m, a, b), (S43, S43)),
    C("nextafter", lambda m, a, b: m.nextafter(a, b), (S43, S43)),
    C("nextafter_broadcast", lambda m, a, b: a.nextafter(b), (S43, S3)),
    C(
        "inextafter",
        lambda m, a, b: _inplace("nextafter_")(m, a, b),
        (S43, S43),
        grad=(True, False),
    ),
    C("frexp_mantissa", lambda m, a: m.frexp(a).mantissa, (S43,)),
    C("frexp_method", lambda m, a: a.frexp()[0] * 3, (S0,)),
    # ---------------------------------------------------------------- distances, shapes
    C("dist", lambda m, a, b: m.dist(a, b), (S43, S43)),
    C("dist_broadcast_p1", lambda m, a, b: a.dist(b, 1), (S43, S3), domain="away"),
    C("dist_p3", lambda m, a, b: m.dist(a, b, p=3), (S43, (4, 1))),
    C("dist_inf", lambda m, a, b: m.dist(a, b, float("inf")), (S43, S43)),
    C("dist_other_only", lambda m, a, b: m.dist(a, b, 1.5), (S43, S43), grad=(False, True)),
    C("sum_to_size", lambda m, a: a.sum_to_size(3), (S43,)),
    C("sum_to_size_keep", lambda m, a: a.sum_to_size(1, 3), (S43,)),
    C("sum_to_size_3d", lambda m, a: a.sum_to_size((3, 1)), ((2, 3, 4),)),
    C("sum_to_size_empty", lambda m, a: a.sum_to_size([]), (S43,)),
    C("H", lambda m, a: a.H * 2, (S43,)),
    C("mH", lambda m, a: a.mH * 2, ((2, 4, 3),)),
    C("adjoint", lambda m, a: m.adjoint(a) * 2, (S43,)),
    C(
        "conj_family",
        lambda m, a: a.conj() * m.conj_physical(a) + a.resolve_conj() - m.real(a),
        (S43,),
    ),
]


# Cholesky factors, eigen- and QR decompositions: inputs made well conditioned inside the case
# (SPD, symmetric); eigenvectors and the QR factors are fixed up to signs only, so the cases
# see them through functions that do not depend on the signs.
def _spd3(m, a):
    """``a a^T + 3 I``: symmetric positive definite, well conditioned."""
    return a @ a.mT + 3 * m.eye(a.shape[-1])


def _eigh_parts(m, a):
    w, v = m.linalg.eigh(_sym(m, a))
    return (v * w[..., None, :]) @ v.mT + v * v


def _qr_parts(m, r):
    q, rr = r
    return m.cat([(q @ rr) * 2, rr.abs()], -2)


CASES += [
    C("linalg_cholesky", lambda m, a: m.linalg.cholesky(_spd3(m, a)), (S33,)),
    C("linalg_cholesky_batched", lambda m, a: m.linalg.cholesky(_spd3(m, a)), (B233,)),
    C("linalg_cholesky_upper", lambda m, a: m.linalg.cholesky(_spd3(m, a), upper=True), (B233,)),
    # torch's cholesky (not linalg's) has no forward mode
    C("cholesky_fn", lambda m, a: m.cholesky(_spd3(m, a)), (S33,), forward_ad=False),
    C(
        "cholesky_method_upper",
        lambda m, a: _spd3(m, a).cholesky(upper=True),
        (B233,),
        forward_ad=False,
    ),
    C("linalg_eigh", lambda m, a: _eigh_parts(m, a), (S33,)),
    C("linalg_eigh_batched", lambda m, a: _eigh_parts(m, a), (B233,)),
    C("linalg_eigh_values", lambda m, a: m.linalg.eigh(_sym(m, a)).eigenvalues, (B233,)),
    C("linalg_eigh_vectors", lambda m, a: m.linalg.eigh(_sym(m, a)).eigenvectors ** 2, (B233,)),
    C("linalg_eigh_upper", lambda m, a: m.linalg.eigh(_sym(m, a), UPLO="U")[1] ** 2, (S33,)),
    C("linalg_eigvalsh", lambda m, a: m.linalg.eigvalsh(_sym(m, a)), (B233,)),
    C("linalg_eigvalsh_upper", lambda m, a: m.linalg.eigvalsh(_sym(m, a), UPLO="U"), (S33,)),
    C("linalg_qr", lambda m, a: _qr_parts(m, m.linalg.qr(_wc(m, a))), (S33,)),
    C("linalg_qr_batched", lambda m, a: _qr_parts(m, m.linalg.qr(_wc(m, a))), (B233,)),
    C("linalg_qr_tall", lambda m, a: _qr_parts(m, m.linalg.qr(a)), (S43,)),
    C("linalg_qr_wide", lambda m, a: _qr_parts(m, m.linalg.qr(a)), ((3, 4),)),
    C("linalg_qr_q_squared", lambda m, a: m.linalg.qr(a).Q ** 2, (S43,)),
    C("linalg_qr_r_abs", lambda m, a: m.linalg.qr(a).R.abs(), ((2, 4, 3),)),
    C("linalg_qr_complete_wide", lambda m, a: _qr_parts(m, m.linalg.qr(a, "complete")), ((3, 4),)),
    C("qr_fn", lambda m, a: _qr_parts(m, m.qr(a)), (S43,)),
    C("qr_method", lambda m, a: _qr_parts(m, a.qr()), (B233,)),
]


# ---------------------------------------------------------- unsafe splits, recurrent cells
# A cell's inputs: x (3, 4), h (3, 5) [, c (3, 5)], w_ih (g*5, 4), w_hh (g*5, 5), b_ih, b_hh.


def _cell_shapes(gates: int, states: int = 1) -> tuple:
    g = gates * 5
    return ((3, 4),) + ((3, 5),) * states + ((g, 4), (g, 5), (g,), (g,))


CASES += [
    C(
        "unsafe_chunk",
        lambda m, a: (lambda p: p[0].sigmoid_() * p[2])((a * 1).unsafe_chunk(3, 1)),
        ((2, 6),),
    ),
    C(
        "unsafe_split",
        lambda m, a: (lambda p: p[1] * p[0][:, :2])(m.unsafe_split(a, 4, 1)),
        ((2, 6),),
    ),
    C(
        "unsafe_split_with_sizes",
        lambda m, a: (lambda p: p[0] * p[1][:, 1:3])(a.unsafe_split_with_sizes([2, 4], 1)),
        ((2, 6),),
    ),
    C("unsafe_chunk_empty", lambda m, a: m.cat(m.unsafe_chunk(a, 2, 0)), ((0, 3),)),
    C("rnn_tanh_cell", lambda m, *a: m.rnn_tanh_cell(*a), _cell_shapes(1)),
    C("rnn_relu_cell", lambda m, *a: m.rnn_relu_cell(*a), _cell_shapes(1), domain="away"),
    C("rnn_tanh_cell_no_bias", lambda m, *a: m.rnn_tanh_cell(*a[:4]), _cell_shapes(1)[:4]),
    C(
        "lstm_cell",
        lambda m, x, h, c, *w: (lambda r: r[0] + 2 * r[1])(m.lstm_cell(x, (h, c), *w)),
        _cell_shapes(4, 2),
    ),
    C("gru_cell", lambda m, *a: m.gru_cell(*a), _cell_shapes(3)),
    C("gru_cell_no_bias", lambda m, *a: m.gru_cell(*a[:4]), _cell_shapes(3)[:4]),
    C(
        "rnn_tanh_layers",
        lambda m, x, h, *w: (lambda r: r[0].sum(0) + r[1][1])(
            m.rnn_tanh(x, h, list(w), True, 2, 0.0, True, False, False)
        ),
        ((3, 2, 4), (2, 2, 5), (5, 4), (5, 5), (5,), (5,), (5, 5), (5, 5), (5,), (5,)),
    ),
    C(
        "pack_padded_sequence",
        lambda m, a: m.nn.utils.rnn.pack_padded_sequence(a, [3, 2, 1, 1]).data,
        ((3, 4, 2),),
        forward_ad=False,  # torch has no forward derivative for _pack_padded_sequence
    ),
    C(
        "pack_padded_unsorted_batch_first",
        lambda m, a: m.nn.utils.rnn.pack_padded_sequence(a, [1, 3, 2], True, False).data,
        ((3, 3, 2),),
        forward_ad=False,
    ),
    C(
        "pad_packed_sequence",
        lambda m, a: m.nn.utils.rnn.pad_packed_sequence(
            m.nn.utils.rnn.pack_padded_sequence(a, [1, 3, 2, 1], enforce_sorted=False),
            batch_first=True,
            total_length=4,
        )[0],
        ((3, 4, 2),),
        forward_ad=False,
    ),
    C(
        "gru_bidirectional",
        lambda m, x, h, *w: (lambda r: r[0][-1] * 2 + r[1].sum(0).repeat(1, 2))(
            m.gru(x, h, list(w), False, 1, 0.0, True, True, False)
        ),
        ((3, 2, 4), (2, 2, 5), (15, 4), (15, 5), (15, 4), (15, 5)),
    ),
    # scaled_dot_product_attention: the math composite (3-D and 2-D inputs, a causal or a
    # boolean mask), and torch's fused CPU node (4-D, one head size), whose gradient torch
    # cannot differentiate again and which has no forward mode
    C(
        "F_sdpa_causal",
        lambda m, q, k, v: _F(m).scaled_dot_product_attention(q, k, v, is_causal=True),
        ((2, 3, 4), (2, 5, 4), (2, 5, 3)),
    ),
    C(
        "F_sdpa_bool_mask_2d",
        lambda m, q, k, v: _F(m).scaled_dot_product_attention(
            q, k, v, attn_mask=m.tensor([[True, False, True, True], [False, True, True, False]])
        ),
        ((2, 3), (4, 3), (4, 5)),
    ),
    C(
        "F_sdpa_scale_gqa",
        lambda m, q, k, v: _F(m).scaled_dot_product_attention(q, k, v, scale=-0.7, enable_gqa=True),
        ((1, 4, 2, 3), (1, 2, 3, 3), (1, 2, 3, 2)),
    ),
    C(
        "F_sdpa_fused",
        lambda m, q, k, v: _F(m).scaled_dot_product_attention(q, k, v),
        ((2, 2, 3, 4), (2, 2, 5, 4), (2, 2, 5, 4)),
        gradcheck=False,
        forward_ad=False,
    ),
    C(
        "F_sdpa_fused_mask_causal",
        lambda m, q, k, v: _F(m).scaled_dot_product_attention(
            q,
            k,
            v,
            attn_mask=m.tensor([[[[0.5, -1.0, 0.0, 2.0, 0.1]]], [[[1.0, 0.0, 0.0, -3.0, 0.2]]]]),
            is_causal=True,
            enable_gqa=True,
        ),
        ((2, 4, 3, 2), (2, 2, 5, 2), (2, 2, 5, 2)),
        gradcheck=False,
        forward_ad=False,
    ),
]

CASES += [
    # ---------------------------------------------------------------- special functions
    C("erfc", lambda m, a: m.erfc(a), (S43,)),
    C("erfc_method_3d", lambda m, a: (a * 2).erfc(), ((2, 3, 2),)),
    C("ierfc", _inplace("erfc_"), (S43,)),
    C("erfinv", lambda m, a: m.erfinv(a - 1.25), (S43,), domain="pos"),
    C("erfinv_method", lambda m, a: (a * 0.45).erfinv(), (S43,), domain="pos"),
    C("ierfinv", lambda m, a: (a - 1.25).erfinv_(), (S43,), domain="pos"),
    C("lgamma", lambda m, a: m.lgamma(a), (S43,), domain="pos"),
    C("lgamma_method_large", lambda m, a: (a * 4).lgamma(), (S43,), domain="pos"),
    C("lgamma_negative", lambda m, a: m.lgamma(a * 0.4 - 2.9), (S43,), domain="pos"),
    C("ilgamma", _inplace("lgamma_"), (S43,), domain="pos"),
    C("digamma", lambda m, a: m.digamma(a), (S43,), domain="pos"),
    C("digamma_negative", lambda m, a: (a * 0.4 - 1.9).digamma(), (S43,), domain="pos"),
    C("idigamma", _inplace("digamma_"), (S43,), domain="pos"),
    C("polygamma_0", lambda m, a: m.polygamma(0, a), (S43,), domain="pos"),
    # torch's float64 trigamma stops its asymptotic series early (relative error ~5e-10
    # below 10, where gradscope's is within a few ulp): compared where both are exact
    C("polygamma_1", lambda m, a: m.polygamma(1, a * 10 + 20), (S43,), domain="pos"),
    C("polygamma_3", lambda m, a: m.polygamma(3, a * 3), (S43,), domain="pos"),
    C("polygamma_method_neg", lambda m, a: (a * 0.4 - 0.9).polygamma(2), (S43,), domain="pos"),
    C("ipolygamma", lambda m, a: (a * 1).polygamma_(2), (S43,), domain="pos"),
    C("mvlgamma", lambda m, a: m.mvlgamma(a + 1, 3), (S43,), domain="pos"),
    C("mvlgamma_method_p1", lambda m, a: (a * 2).mvlgamma(1), (S3,), domain="pos"),
    C("imvlgamma", lambda m, a: (a + 1).mvlgamma_(2), (S43,), domain="pos"),
    C("i0", lambda m, a: m.i0(a * 3), (S43,)),
    C("ii0", _inplace("i0_"), (S43,)),
    C("special_i0e", lambda m, a: m.special.i0e(a * 3), (S43,)),
    C("special_i1", lambda m, a: m.special.i1(a * 3), (S43,)),
    C("special_i1e", lambda m, a: m.special.i1e(a * 3), (S43,)),
    C("special_ndtr", lambda m, a: m.special.ndtr(a), (S43,)),
    C("special_ndtri", lambda m, a: m.special.ndtri(a * 0.45), (S43,), domain="pos"),
    C("special_log_ndtr", lambda m, a: m.special.log_ndtr(a * 3), (S43,)),
    C("special_erfcx", lambda m, a: m.special.erfcx(a * 2), (S43,)),
    C("special_entr", lambda m, a: m.special.entr(a), (S43,), domain="pos"),
    C("special_gammaln", lambda m, a: m.special.gammaln(a), (S3,), domain="pos"),
    C("special_psi", lambda m, a: m.special.psi(a), (S3,), domain="pos"),
    C("special_multigammaln", lambda m, a: m.special.multigammaln(a + 1, 2), (S3,), domain="pos"),
    C("special_expit", lambda m, a: m.special.expit(a), (S3,)),
]


def _pair(r):
    """Two outputs (or inputs made alike) in one result: ``first * 2 + second``."""
    first, second = r
    return first * 2 + second


def _three(r):
    a, b, c = r
    return a * 3 + b * 2 + c


# torch's composites of the NumPy-style stacking and grid functions: each case records
# the nodes torch records (cat, views, expands, masked_select, stack)
CASES += [
    C("hstack", lambda m, a, b: m.hstack([a, b]), (S43, (4, 2))),
    C("hstack_1d", lambda m, a, b: m.hstack((a, b)), (S3, S4)),
    C("hstack_0d", lambda m, a, b: m.hstack([a, b]), (S0, S3)),
    C("vstack", lambda m, a, b: m.vstack([a, b]), (S43, S3)),
    C("vstack_0d", lambda m, a, b: m.vstack((a, b)), (S0, S0)),
    C("row_stack", lambda m, a, b: m.row_stack([a, b]), (S3, S3)),
    C("dstack", lambda m, a, b: m.dstack([a, b]), (S43, (4, 3, 2))),
    C("dstack_1d_0d", lambda m, a, b: m.dstack([a, b]), ((1,), S0)),
    C("column_stack", lambda m, a, b: m.column_stack([a, b]), (S4, S43)),
    C("column_stack_0d", lambda m, a, b: m.column_stack([a, b]), (S0, (1, 2))),
    C("atleast_1d_0d", lambda m, a: m.atleast_1d(a) * 2, (S0,)),
    C("atleast_2d_1d", lambda m, a: m.atleast_2d(a) * 2, (S3,)),
    C("atleast_2d_0d_list", lambda m, a, b: _pair(m.atleast_2d([a, b])), (S0, S43)),
    C("atleast_3d", lambda m, a, b: _pair(m.atleast_3d(a, b)), (S3, S43)),
    C("atleast_3d_0d", lambda m, a: m.atleast_3d(a) * 2, (S0,)),
    C("broadcast_tensors", lambda m, a, b, c: _three(m.broadcast_tensors(a, b, c)), (S43, S3, S0)),
    C("meshgrid_ij", lambda m, a, b: _pair(m.meshgrid(a, b, indexing="ij")), (S3, S4)),
    C("meshgrid_xy", lambda m, a, b: _pair(m.meshgrid([a, b], indexing="xy")), (S3, S4)),
    C("meshgrid_3_xy", lambda m, a, b, c: _three(m.meshgrid(a, b, c, indexing="xy")), (S3, (2,), S0)),
    C("block_diag", lambda m, a, b, c: m.block_diag(a, b, c), (S43, S3, S0)),
    C("block_diag_const", lambda m, a, b: m.block_diag(a, b), ((2, 2), S3), grad=(True, False)),
    C("cartesian_prod", lambda m, a, b: m.cartesian_prod(a, b), (S3, (2,))),
    C("cartesian_prod_3", lambda m, a, b, c: m.cartesian_prod(a, b, c), (S3, (2,), (1,))),
    C("combinations", lambda m, a: m.combinations(a), (S4,)),
    C("combinations_3_rep", lambda m, a: m.combinations(a, 3, with_replacement=True), (S3,)),
    C("combinations_1", lambda m, a: m.combinations(a, r=1), (S3,)),
    # torch's top-level forms of methods and of nn.functional's ops
    C("rsub_tensor", lambda m, a, b: m.rsub(a, b, alpha=2), (S43, S3)),
    C("rsub_number_alpha", lambda m, a: m.rsub(a, 2.5, alpha=3), (S43,)),
    C("fill_number", lambda m, a: m.fill(a, 2.0) * a, (S43,)),
    C("fill_tensor", lambda m, a, v: m.fill(a, v) * a, (S43, S0)),
    C("relu_function_inplace", lambda m, a: m.relu_(a * 1), (S43,), domain="away"),
    C("exp_function_inplace", lambda m, a: m.exp_(a * 1), (S43,)),
    C(
        "batch_norm_function",
        lambda m, x, w, b: m.batch_norm(x, w, b, _bn_mean(m, x), _bn_var(m, x), False, 0.1, 1e-5, False),
        (S43, S3, S3),
    ),
    C(
        "layer_norm_function",
        # a constant weight: without one torch's double backward drops the bias's term
        lambda m, x, b: m.layer_norm(x, [3], m.tensor([0.5, 1.0, 2.0], dtype=x.dtype), b, 1e-3),
        (S43, S3),
    ),
    C("embedding_function", lambda m, w: m.embedding(w, m.tensor([0, 2, 2, 1])), (S43,)),
    C(
        "embedding_function_padding_idx",
        lambda m, w: m.embedding(w, m.tensor([0, 2, 2, 1]), 2),
        (S43,),
        gradcheck=False,  # the padding row is picked but gets no gradient: not the derivative
    ),
    C("kl_div_function", lambda m, x, t: m.kl_div(x, t), (S43, S43), domain=("real", "pos")),
    C("kl_div_function_mean", lambda m, x, t: m.kl_div(x, t, 1, log_target=True), (S43, S43)),
    C("triplet_margin_loss_function", lambda m, a, p, n: m.triplet_margin_loss(a, p, n), (S43, S43, S43)),
    C("bce_with_logits_function", lambda m, x, t: m.binary_cross_entropy_with_logits(x, t, None, None, 2), (S43, S43), grad=(True, False), domain=("real", "pos")),
    C("selu_function", lambda m, a: m.selu(a), (S43,)),
    C("threshold_function", lambda m, a: m.threshold(a, 0.1, -1.0), (S43,), domain="away"),
]  # fmt: skip


# ---------------------------------------------------------- more losses: margins, ranking,
# embeddings, Poisson and Gaussian likelihoods


def _signs(m, *shape):
    """A target of +-1 in a fixed pattern."""
    n = int(np.prod(shape))
    return m.tensor([1.0 if i % 3 != 1 else -1.0 for i in range(n)]).reshape(shape)


def _labels(m, *shape):
    """A 0/1 float target in a fixed pattern."""
    n = int(np.prod(shape))
    return m.tensor([float(i % 2 == 0 or i % 5 == 0) for i in range(n)]).reshape(shape)


_ML_TARGET = [[0, 2, -1], [1, -1, 0], [2, 1, 0], [-1, 0, 0]]


CASES += [
    C(
        "F_margin_ranking_loss",
        lambda m, a, b: _F(m).margin_ranking_loss(a, b, _signs(m, 4), margin=0.5),
        (S4, S4),
    ),
    C(
        "F_margin_ranking_loss_none",
        lambda m, a, b: _F(m).margin_ranking_loss(a, b, _signs(m, 4, 3), reduction="none"),
        (S43, S43),
    ),
    C(
        "F_margin_ranking_loss_sum_const_b",
        lambda m, a, b: _F(m).margin_ranking_loss(a, b, _signs(m, 4, 3), 0.2, reduction="sum"),
        (S43, S43),
        grad=(True, False),
    ),
    C(
        "F_hinge_embedding_loss",
        lambda m, a: _F(m).hinge_embedding_loss(a, _signs(m, 4, 3)),
        (S43,),
    ),
    C(
        "F_hinge_embedding_loss_none",
        lambda m, a: _F(m).hinge_embedding_loss(a, _signs(m, 4, 3), 0.5, reduction="none"),
        (S43,),
    ),
    C(
        "F_hinge_embedding_loss_sum",
        lambda m, a: _F(m).hinge_embedding_loss(a, _signs(m, 3), reduction="sum"),
        (S43,),
    ),
    C("F_soft_margin_loss", lambda m, a: _F(m).soft_margin_loss(a, _signs(m, 4, 3)), (S43,)),
    C(
        "F_soft_margin_loss_none",
        lambda m, a: _F(m).soft_margin_loss(a, _signs(m, 4, 3) * 0.5, reduction="none"),
        (S43,),
    ),
    C(
        "F_soft_margin_loss_sum_broadcast",
        lambda m, a: _F(m).soft_margin_loss(a, _signs(m, 3), reduction="sum"),
        (S43,),
    ),
    C(
        "F_multilabel_soft_margin_loss",
        lambda m, a: _F(m).multilabel_soft_margin_loss(a, _labels(m, 4, 3)),
        (S43,),
    ),
    C(
        "F_multilabel_soft_margin_loss_weight_none",
        lambda m, a, w: _F(m).multilabel_soft_margin_loss(a, _labels(m, 4, 3), w, reduction="none"),
        (S43, S3),
    ),
    C(
        "F_multilabel_soft_margin_loss_sum",
        lambda m, a, t: _F(m).multilabel_soft_margin_loss(a, t, reduction="sum"),
        (S43, S43),
    ),
    C(
        "F_multi_margin_loss",
        lambda m, a: _F(m).multi_margin_loss(a * 0.3, m.tensor([0, 1, 2, 1])),
        (S43,),
        gradcheck=False,  # torch has no second derivative nor forward mode for it (see
        forward_ad=False,  # tests/test_functional_more.py for gradcheck and create_graph)
    ),
    C(
        "F_multi_margin_loss_p2_weight_none",
        lambda m, a: _F(m).multi_margin_loss(
            a * 0.3, m.tensor([2, 1, 0, 0]), 2, 0.7, m.tensor([0.5, 1.0, 2.0]), reduction="none"
        ),
        (S43,),
        gradcheck=False,
        forward_ad=False,
    ),
    C(
        "F_multi_margin_loss_1d_sum",
        lambda m, a: _F(m).multi_margin_loss(a * 0.3, m.tensor([2]), reduction="sum"),
        (S4,),
        gradcheck=False,
        forward_ad=False,
    ),
    C(
        "F_multilabel_margin_loss",
        lambda m, a: _F(m).multilabel_margin_loss(a * 0.5, m.tensor(_ML_TARGET)),
        (S43,),
        gradcheck=False,
        forward_ad=False,
    ),
    C(
        "F_multilabel_margin_loss_none",
        lambda m, a: _F(m).multilabel_margin_loss(a * 0.5, m.tensor(_ML_TARGET), reduction="none"),
        (S43,),
        gradcheck=False,
        forward_ad=False,
    ),
    C(
        "F_multilabel_margin_loss_1d_sum",
        lambda m, a: _F(m).multilabel_margin_loss(
            a * 0.5, m.tensor([3, 0, -1, 1]), reduction="sum"
        ),
        (S4,),
        gradcheck=False,
        forward_ad=False,
    ),
    C(
        "F_cosine_embedding_loss",
        lambda m, a, b: _F(m).cosine_embedding_loss(a, b, _signs(m, 4)),
        (S43, S43),
    ),
    C(
        "F_cosine_embedding_loss_none",
        lambda m, a, b: _F(m).cosine_embedding_loss(a, b, _signs(m, 4), 0.3, reduction="none"),
        (S43, S43),
    ),
    C(
        "F_cosine_embedding_loss_1d_sum",
        lambda m, a, b: _F(m).cosine_embedding_loss(a, b, m.tensor(-1.0), -0.2, reduction="sum"),
        (S4, S4),
    ),
    C(
        "F_poisson_nll_loss",
        lambda m, a, t: _F(m).poisson_nll_loss(a, t),
        (S43, S43),
        grad=(True, False),
        domain=("real", "pos"),
    ),
    C(
        "F_poisson_nll_loss_rate_full_none",
        lambda m, a, t: _F(m).poisson_nll_loss(
            a, t * 2, log_input=False, full=True, reduction="none"
        ),
        (S43, S43),
        grad=(True, False),
        domain="pos",
    ),
    C(
        "F_poisson_nll_loss_full_sum_target_grad",
        lambda m, a, t: _F(m).poisson_nll_loss(a, t * 2, full=True, reduction="sum"),
        (S43, S43),
        domain=("real", "pos"),
    ),
    C(
        "F_gaussian_nll_loss",
        lambda m, a, t, v: _F(m).gaussian_nll_loss(a, t, v),
        (S43, S43, S43),
        domain=("real", "real", "pos"),
    ),
    C(
        "F_gaussian_nll_loss_shared_var_full_sum",
        lambda m, a, t, v: _F(m).gaussian_nll_loss(a, t, v, full=True, reduction="sum"),
        (S43, S43, (4, 1)),
        domain=("real", "real", "pos"),
    ),
    C(
        "F_gaussian_nll_loss_var_one_dim_short",
        lambda m, a, t, v: _F(m).gaussian_nll_loss(a, t, v, reduction="none"),
        (S43, S43, S4),
        domain=("real", "real", "pos"),
    ),
    C(
        "F_gaussian_nll_loss_float_var",
        lambda m, a, t: _F(m).gaussian_nll_loss(a, t, 0.5, eps=1e-3),
        (S43, S43),
    ),
]

# channel and alpha dropout where torch's draw does not matter: p = 1, eval, p = 0
CASES += [
    C("F_dropout1d_p1", lambda m, a: _F(m).dropout1d(a, 1.0), ((2, 3, 4),)),
    C(
        "F_dropout1d_unbatched_p1_inplace",
        lambda m, a: _F(m).dropout1d(a * 1, 1.0, inplace=True),
        ((3, 4),),
        forward_ad=False,  # gradscope's forward mode refuses unsqueeze_ (a shape changed in place)
    ),
    C("F_dropout1d_unbatched_eval", lambda m, a: _F(m).dropout1d(a * 2, 0.5, False), ((3, 4),)),
    C("F_dropout2d_p1", lambda m, a: _F(m).dropout2d(a, 1.0), ((2, 3, 2, 2),)),
    C("F_dropout3d_unbatched_p1", lambda m, a: _F(m).dropout3d(a, 1.0), ((2, 2, 2, 2),)),
    C("F_dropout3d_p0", lambda m, a: _F(m).dropout3d(a * 2, 0.0), ((1, 2, 2, 2, 2),)),
    C("F_alpha_dropout_p1", lambda m, a: _F(m).alpha_dropout(a, 1.0, True), (S43,)),
    C("F_alpha_dropout_eval", lambda m, a: _F(m).alpha_dropout(a * 2, 0.5), (S43,)),
    C(
        "F_feature_alpha_dropout_p1_inplace",
        lambda m, a: _F(m).feature_alpha_dropout(a * 1, 1.0, True, True),
        ((2, 3, 2),),
    ),
    C("Softmax2d", lambda m, a: m.nn.Softmax2d()(a), ((2, 3, 2, 2),)),
    C("LogSigmoid", lambda m, a: m.nn.LogSigmoid()(a), (S43,)),
]

# instance_norm (a batch_norm of one sample of N * C channels) and local_response_norm
CASES += [
    C("F_instance_norm", lambda m, x: _F(m).instance_norm(x), ((2, 3, 4),)),
    C(
        "F_instance_norm_affine_2d",
        lambda m, x, w, b: _F(m).instance_norm(x, weight=w, bias=b, eps=1e-3),
        ((2, 3, 2, 3), S3, S3),
    ),
    C(
        "F_instance_norm_running_stats",
        lambda m, x, w: _F(m).instance_norm(
            x, m.zeros(3, dtype=x.dtype), m.ones(3, dtype=x.dtype), w, momentum=0.3
        ),
        ((2, 3, 4), S3),
    ),
    C(
        "F_instance_norm_eval",
        lambda m, x, w, b: _F(m).instance_norm(
            x, _bn_mean(m, x), _bn_var(m, x), w, b, use_input_stats=False
        ),
        ((2, 3, 4), S3, S3),
    ),
    C("F_local_response_norm", lambda m, x: _F(m).local_response_norm(x, 2), ((2, 3, 4),)),
    C(
        "F_local_response_norm_4d",
        lambda m, x: _F(m).local_response_norm(x, 3, 0.5, 0.6, 2.0),
        ((2, 4, 2, 2),),
    ),
    C(
        "F_local_response_norm_5d",
        lambda m, x: _F(m).local_response_norm(x, 4, 0.2),
        ((1, 5, 2, 1, 2),),
    ),
]

# the pixel and channel shuffles
CASES += [
    C("F_pixel_shuffle", lambda m, x: _F(m).pixel_shuffle(x, 2), ((2, 8, 2, 3),)),
    C("F_pixel_shuffle_3d", lambda m, x: _F(m).pixel_shuffle(x, 2), ((4, 1, 2),)),
    C("F_pixel_shuffle_5d", lambda m, x: _F(m).pixel_shuffle(x, 2), ((2, 1, 4, 1, 2),)),
    C("F_pixel_unshuffle", lambda m, x: _F(m).pixel_unshuffle(x, 2), ((2, 2, 4, 6),)),
    C("F_pixel_unshuffle_3d", lambda m, x: _F(m).pixel_unshuffle(x, 3), ((1, 3, 3),)),
    C("F_channel_shuffle", lambda m, x: _F(m).channel_shuffle(x, 3), ((2, 6, 2),)),
    C("ChannelShuffle_4d", lambda m, x: m.nn.ChannelShuffle(2)(x), ((1, 4, 2, 2),)),
    C("F_unfold", lambda m, x: _F(m).unfold(x, 2), ((2, 3, 3, 4),)),
    C(
        "F_unfold_unbatched_padded_strided",
        lambda m, x: _F(m).unfold(x, (2, 3), dilation=(1, 2), padding=1, stride=2),
        ((2, 4, 5),),
    ),
    C("F_fold", lambda m, x: _F(m).fold(x, (3, 3), 2), ((2, 8, 4),)),
    C(
        "F_fold_unbatched_padded",
        lambda m, x: _F(m).fold(x, (4, 5), (2, 2), padding=1, stride=(2, 1)),
        ((4, 18),),
    ),
]

# pdist (PdistBackward0: like cdist's kernel, no forward mode and no second derivative in
# torch; its first derivative is checked in tests/test_misc_functional.py) and renorm
CASES += [
    C("pdist", lambda m, a: m.pdist(a), ((4, 3),), **_CDIST),
    C("F_pdist_p1", lambda m, a: _F(m).pdist(a, 1), ((4, 3),), domain="away", **_CDIST),
    C("F_pdist_p_half", lambda m, a: _F(m).pdist(a, 0.5), ((3, 2),), **_CDIST),
    C("F_pdist_p3_transposed", lambda m, a: _F(m).pdist(a.t(), 3), ((2, 4),), **_CDIST),
    C("F_pdist_inf", lambda m, a: _F(m).pdist(a, float("inf")), ((4, 3),), **_CDIST),
    C("renorm", lambda m, a: m.renorm(a, 2, 0, 1.0), ((3, 4),)),
    C("renorm_p1_last_dim", lambda m, a: a.renorm(1, -1, 1.5), ((2, 3, 2),), domain="away"),
    C("renorm_inplace", lambda m, a: (a * 1).renorm_(2, 1, 0.8), ((2, 3),)),
]

# bilinear: inputs viewed as rows, one TrilinearBackward0, viewed back, bias added
CASES += [
    C(
        "F_bilinear",
        lambda m, a, b, w, c: _F(m).bilinear(a, b, w, c),
        ((4, 3), (4, 2), (5, 3, 2), (5,)),
    ),
    C(
        "F_bilinear_batched_no_bias",
        lambda m, a, b, w: _F(m).bilinear(a, b, w),
        ((2, 3, 3), (2, 3, 2), (4, 3, 2)),
    ),
    C(
        "F_bilinear_1d",
        lambda m, a, b, w, c: _F(m).bilinear(a, b, w, c),
        ((3,), (2,), (4, 3, 2), (4,)),
    ),
    C(
        "F_bilinear_some_grads",
        lambda m, a, b, w, c: _F(m).bilinear(a, b, w, c),
        ((4, 3), (4, 2), (5, 3, 2), (5,)),
        grad=(True, False, False, True),
    ),
]

# adaptive max pools: one AdaptiveMaxPool2DBackward0 (1-d: unsqueezed and squeezed back)
CASES += [
    C("F_adaptive_max_pool2d", lambda m, x: _F(m).adaptive_max_pool2d(x, (2, 3)), ((2, 2, 5, 7),)),
    C(
        "F_adaptive_max_pool2d_unbatched_none",
        lambda m, x: _F(m).adaptive_max_pool2d(x, (3, None)),
        ((2, 4, 3),),
    ),
    C(
        "F_adaptive_max_pool2d_grow",
        lambda m, x: _F(m).adaptive_max_pool2d(x, 4, return_indices=True)[0],
        ((1, 2, 3, 2),),
    ),
    C("F_adaptive_max_pool1d", lambda m, x: _F(m).adaptive_max_pool1d(x, 3), ((2, 3, 7),)),
    C("AdaptiveMaxPool1d_2d_input", lambda m, x: m.nn.AdaptiveMaxPool1d(2)(x), ((3, 5),)),
]

# interpolate, one case per node
CASES += [
    C(
        "F_interpolate_nearest_1d",
        lambda m, x: _F(m).interpolate(x, scale_factor=1.7),
        ((2, 2, 5),),
    ),
    C(
        "F_interpolate_nearest_exact_2d",
        lambda m, x: _F(m).interpolate(x, size=(5, 2), mode="nearest-exact"),
        ((1, 2, 3, 4),),
    ),
    C(
        "F_interpolate_linear_align_corners",
        lambda m, x: _F(m).interpolate(x, size=7, mode="linear", align_corners=True),
        ((2, 1, 4),),
    ),
    C(
        "F_interpolate_bilinear",
        lambda m, x: _F(m).interpolate(x, scale_factor=(1.5, 0.7), mode="bilinear"),
        ((1, 2, 4, 5),),
    ),
    C(
        "F_interpolate_bicubic",
        lambda m, x: _F(m).interpolate(x, scale_factor=2.5, mode="bicubic"),
        ((1, 1, 3, 2),),
    ),
    C(
        "F_interpolate_bilinear_antialias",
        lambda m, x: _F(m).interpolate(x, size=(3, 2), mode="bilinear", antialias=True),
        ((1, 2, 7, 5),),
    ),
    C(
        "F_interpolate_trilinear",
        lambda m, x: _F(m).interpolate(x, size=(3, 2, 4), mode="trilinear"),
        ((1, 1, 2, 3, 2),),
    ),
    C(
        "F_interpolate_area_3d",
        lambda m, x: _F(m).interpolate(x, size=(2, 2, 1), mode="area"),
        ((1, 2, 3, 4, 2),),
    ),
]

# power-average pools: torch's composite (Pow, AvgPool2D, Sign, Abs, Relu, Mul, Pow)
CASES += [
    C("F_lp_pool1d_p2", lambda m, x: _F(m).lp_pool1d(x, 2, 3, 2), ((2, 3, 7),), domain="pos"),
    C("F_lp_pool2d_p3", lambda m, x: _F(m).lp_pool2d(x, 3, (2, 3)), ((1, 2, 4, 6),), domain="pos"),
    C(
        "LPPool2d_ceil",
        lambda m, x: m.nn.LPPool2d(2, 2, ceil_mode=True)(x),
        ((2, 5, 5),),
        domain="pos",
    ),
    C(
        "F_lp_pool3d_p2",
        lambda m, x: _F(m).lp_pool3d(x, 2, (2, 2, 3)),
        ((1, 2, 3, 4, 5),),
        domain="pos",
    ),
]


# max unpooling: one MaxUnpool2DBackward0 (1-d: unsqueezed at -1 and squeezed back)
def _unpool_indices(m, shape, d):
    """Distinct flat indices (no repeats) for a max unpool of stride 2 from ``shape``."""
    size = shape[-1] * 2 if d == 1 else shape[-2] * shape[-1] * 4
    rng = np.random.default_rng(7)
    idx = [
        rng.permutation(size)[: int(np.prod(shape[-d:]))] for _ in range(int(np.prod(shape[:-d])))
    ]
    return m.tensor(np.stack(idx).reshape(shape))


CASES += [
    C(
        "F_max_unpool2d",
        lambda m, x: _F(m).max_unpool2d(x, _unpool_indices(m, (2, 2, 2, 3), 2), 2),
        ((2, 2, 2, 3),),
    ),
    C(
        "F_max_unpool1d",
        lambda m, x: _F(m).max_unpool1d(x, _unpool_indices(m, (2, 3), 1), 2),
        ((2, 3),),
    ),
]

# rrelu: RreluWithNoiseBackward0 saving self and noise (deterministic out of training, or
# with equal bounds)
CASES += [
    C("F_rrelu_eval", lambda m, x: _F(m).rrelu(x, 0.1, 0.3), ((3, 4),), domain="away"),
    C(
        "F_rrelu_training_equal_bounds",
        lambda m, x: _F(m).rrelu(x, 0.2, 0.2, training=True),
        ((3, 4),),
        domain="away",
    ),
]

# triplet loss with a distance function: torch's composite (pairwise_distance by default)
CASES += [
    C(
        "F_triplet_margin_with_distance_loss_swap",
        lambda m, a, p, n: _F(m).triplet_margin_with_distance_loss(
            a, p, n, margin=3.0, swap=True, reduction="none"
        ),
        ((4, 3), (4, 3), (4, 3)),
    ),
    C(
        "TripletMarginWithDistanceLoss_cosine",
        lambda m, a, p, n: m.nn.TripletMarginWithDistanceLoss(
            distance_function=lambda x, y: 1 - _F(m).cosine_similarity(x, y), margin=1.5
        )(a, p, n),
        ((4, 3), (4, 3), (4, 3)),
    ),
]


# matrix_exp and the triangular and Cholesky solvers (well conditioned inside the case)
def _tri(m, a):
    return a + 4 * m.eye(a.shape[-1])


def _chol(m, a, upper=False):
    return m.linalg.cholesky(a @ a.mT + 3 * m.eye(a.shape[-1]), upper=upper)


def _ts(m, b, a, *args):
    s, c = m.triangular_solve(b, _tri(m, a), *args)
    return s * 2 + c.sum(-1, keepdim=True)


CASES += [
    C("matrix_exp", lambda m, a: m.linalg.matrix_exp(a), (S33,)),
    C("matrix_exp_batched", lambda m, a: m.matrix_exp(a * 2), (B233,)),
    C("matrix_exp_method", lambda m, a: (a * 0.1).matrix_exp(), ((2, 2),)),
    C(
        "solve_triangular_upper",
        lambda m, a, b: m.linalg.solve_triangular(_tri(m, a), b, upper=True),
        (S33, (3, 2)),
    ),
    C(
        "solve_triangular_lower_broadcast",
        lambda m, a, b: m.linalg.solve_triangular(_tri(m, a), b, upper=False),
        (B233, (3, 2)),
    ),
    C(
        "solve_triangular_right_unit",
        lambda m, a, b: m.linalg.solve_triangular(a, b, upper=True, left=False, unitriangular=True),
        (B233, (2, 2, 3)),
    ),
    C(
        "solve_triangular_b_only",
        lambda m, a, b: m.linalg.solve_triangular(_tri(m, a), b, upper=False),
        (S33, (3, 2)),
        grad=(False, True),
    ),
    C(
        "solve_triangular_a_only",
        lambda m, a, b: m.linalg.solve_triangular(_tri(m, a), b, upper=True, left=False),
        (S33, (2, 3)),
        grad=(True, False),
    ),
    C("cholesky_solve", lambda m, b, a: m.cholesky_solve(b, _chol(m, a)), ((3, 2), S33)),
    C(
        "cholesky_solve_upper_broadcast",
        lambda m, b, a: m.cholesky_solve(b, _chol(m, a, True), upper=True),
        ((3, 2), B233),
    ),
    C(
        "cholesky_solve_method_b_only",
        lambda m, b, a: b.cholesky_solve(_chol(m, a)),
        ((2, 3, 1), S33),
        grad=(True, False),
    ),
    # torch's forward mode of cholesky_inverse disagrees with finite differences; gradscope's
    # is checked against them in tests/test_linalg_more.py
    C("cholesky_inverse", lambda m, a: m.cholesky_inverse(_chol(m, a)), (B233,), forward_ad=False),
    C(
        "cholesky_inverse_upper_method",
        lambda m, a: _chol(m, a, True).cholesky_inverse(upper=True),
        (S33,),
        forward_ad=False,
    ),
    # torch's forward mode of triangular_solve takes A's tangent whole (not its triangle,
    # nor transposed): gradscope's is checked against finite differences in
    # tests/test_linalg_more.py
    C(
        "triangular_solve",
        lambda m, b, a: m.triangular_solve(b, _tri(m, a))[0],
        ((3, 2), S33),
        forward_ad=False,
    ),
    C(
        "triangular_solve_both_outputs",
        lambda m, b, a: _ts(m, b, a, False, True),
        ((2, 3, 2), S33),
        forward_ad=False,
    ),
    C(
        "triangular_solve_unit_broadcast",
        lambda m, b, a: _ts(m, b, a, True, False, True),
        ((3, 2), B233),
        forward_ad=False,
    ),
    C(
        "triangular_solve_coefficient_only",
        lambda m, b, a: m.triangular_solve(b, _tri(m, a)).cloned_coefficient,
        ((3, 2), S33),
        forward_ad=False,
    ),
]


# the LU factorisation
def _lu_parts(m, a):
    p, low, up = m.linalg.lu(a)
    return p @ low * 2 + up


def _lu_unpacked(m, a):
    p, low, up = m.lu_unpack(*m.linalg.lu_factor(a))
    return low * 3 + up


def _lu_solve(m, a, b, **kw):
    lu, piv = m.linalg.lu_factor(_wc(m, a))
    return m.linalg.lu_solve(lu, piv, b, **kw)


CASES += [
    C("linalg_lu_factor", lambda m, a: m.linalg.lu_factor(a).LU, (S33,)),
    C(
        "linalg_lu_factor_ex_batched",
        lambda m, a: m.linalg.lu_factor_ex(a)[0],
        (B233,),
    ),
    C("linalg_lu", lambda m, a: _lu_parts(m, a), (B233,)),
    C("linalg_lu_u", lambda m, a: m.linalg.lu(a).U, (S33,)),
    C("lu_unpack", lambda m, a: _lu_unpacked(m, a), (B233,)),
    C("linalg_lu_factor_tall", lambda m, a: m.linalg.lu_factor(a).LU, ((2, 4, 3),)),
    C("linalg_lu_wide", lambda m, a: m.linalg.lu(a).L * 2 + m.linalg.lu(a).U[..., :2], ((2, 3),)),
    C("lu_unpack_tall", lambda m, a: m.lu_unpack(*m.linalg.lu_factor(a)).L, ((4, 2),)),
    C("lu_unpack_wide", lambda m, a: m.lu_unpack(*m.linalg.lu_factor(a)).U, ((2, 2, 4),)),
    C("linalg_lu_solve", lambda m, a, b: _lu_solve(m, a, b), (S33, (3, 2))),
    C(
        "linalg_lu_solve_adjoint_broadcast",
        lambda m, a, b: _lu_solve(m, a, b, adjoint=True),
        (B233, (3, 2)),
    ),
    C(
        "linalg_lu_solve_right",
        lambda m, a, b: _lu_solve(m, a, b, left=False),
        (S33, (2, 2, 3)),
    ),
    C(
        "linalg_lu_solve_right_adjoint",
        lambda m, a, b: _lu_solve(m, a, b, left=False, adjoint=True),
        (S33, (2, 3)),
    ),
    C(
        "linalg_lu_solve_b_only",
        lambda m, a, b: _lu_solve(m, a, b),
        (S33, (3, 2)),
        grad=(False, True),
    ),
]

CASES += [
    C("householder_product", lambda m, a, t: m.linalg.householder_product(a, t), (S33, (3,))),
    C(
        "householder_product_tall_batched",
        lambda m, a, t: m.linalg.householder_product(a, t),
        ((2, 4, 3), (2, 2)),
    ),
    C("orgqr_method", lambda m, a, t: a.orgqr(t), ((4, 2), (1,))),
    C(
        "householder_product_tau_only",
        lambda m, a, t: m.orgqr(a, t),
        ((3, 2), (2,)),
        grad=(False, True),
    ),
]

# negative powers of a batch: the inverse itself for -1, then bmm's over it (torch's graph)
CASES += [
    C("matrix_power_minus_one_batched", lambda m, a: m.linalg.matrix_power(_wc(m, a), -1), (B233,)),
    C("matrix_power_minus_three_batched", lambda m, a: m.matrix_power(_wc(m, a), -3), (B233,)),
]

# angle: pi below 0, 0 elsewhere, for real numbers (a zero gradient); complex ones are in
# test_complex_autograd, with sgn's gradient and conj
CASES += [
    C("angle", lambda m, a: m.angle(a), (S43,), domain="away"),
    C("angle_method", lambda m, a: (a * 2).angle(), (S3,), domain="away"),
    C("conj_real", lambda m, a: m.conj(a) * 2, (S43,)),
]


def _ebag(m, w, idx, offsets=None, psw=None, **kw):
    """embedding_bag over an int64 index list (and offsets list), built in ``m``."""
    o = None if offsets is None else m.tensor(offsets, dtype=m.int64)
    return _F(m).embedding_bag(m.tensor(idx, dtype=m.int64), w, o, per_sample_weights=psw, **kw)


# embedding_bag: torch has neither its second derivative nor its forward mode; gradcheck
# of the first derivative is in test_embedding_bag
_EB_IDX, _EB_OFF, _EB = [0, 2, 1, 4, 2, 3], [0, 2, 2, 5], dict(gradcheck=False, forward_ad=False)
S53 = (5, 3)
CASES += [
    C("F_embedding_bag_sum", lambda m, w: _ebag(m, w, _EB_IDX, _EB_OFF, mode="sum"), (S53,), **_EB),
    C("F_embedding_bag_mean", lambda m, w: _ebag(m, w, _EB_IDX, _EB_OFF), (S53,), **_EB),
    C("F_embedding_bag_max", lambda m, w: _ebag(m, w, _EB_IDX, _EB_OFF, mode="max"), (S53,), **_EB),
    C(
        "F_embedding_bag_2d_sum",
        lambda m, w: _ebag(m, w, [[0, 2], [1, 4], [3, 3]], mode="sum"),
        (S53,),
        **_EB,
    ),
    C("F_embedding_bag_2d_mean", lambda m, w: _ebag(m, w, [[0, 2, 1], [4, 3, 3]]), (S53,), **_EB),
    C(
        "F_embedding_bag_2d_max",
        lambda m, w: _ebag(m, w, [[0, 2], [1, 4], [3, 3]], mode="max"),
        (S53,),
        **_EB,
    ),
    C(
        "F_embedding_bag_per_sample_weights",
        lambda m, w, p: _ebag(m, w, _EB_IDX, _EB_OFF, p, mode="sum"),
        (S53, (6,)),
        **_EB,
    ),
    C(
        "F_embedding_bag_per_sample_weights_2d",
        lambda m, w, p: _ebag(m, w, [[0, 2], [1, 4], [3, 3]], psw=p, mode="sum"),
        (S53, (3, 2)),
        **_EB,
    ),
    C(
        "F_embedding_bag_per_sample_weights_const",
        lambda m, w, p: _ebag(m, w, _EB_IDX, _EB_OFF, p, mode="sum"),
        (S53, (6,)),
        grad=(True, False),
        **_EB,
    ),
    C(
        "F_embedding_bag_per_sample_weights_only",
        lambda m, w, p: _ebag(m, w, _EB_IDX, _EB_OFF, p, mode="sum", padding_idx=2),
        (S53, (6,)),
        grad=(False, True),
        **_EB,
    ),
    C(
        "F_embedding_bag_padding_sum",
        lambda m, w: _ebag(m, w, _EB_IDX, _EB_OFF, mode="sum", padding_idx=2),
        (S53,),
        **_EB,
    ),
    C(
        "F_embedding_bag_padding_mean",
        lambda m, w: _ebag(m, w, [2, 2, 1, 4, 2], [0, 2, 5], padding_idx=-3),
        (S53,),
        **_EB,
    ),
    C(
        "F_embedding_bag_padding_max",
        lambda m, w: _ebag(m, w, [2, 2, 1, 4, 2, 0], [0, 2, 5], mode="max", padding_idx=2),
        (S53,),
        **_EB,
    ),
    C(
        "F_embedding_bag_last_offset_sum",
        lambda m, w: _ebag(m, w, _EB_IDX, [0, 2, 2, 6], mode="sum", include_last_offset=True),
        (S53,),
        **_EB,
    ),
    C(
        "F_embedding_bag_last_offset_mean",
        lambda m, w: _ebag(m, w, _EB_IDX, [0, 1, 6], include_last_offset=True),
        (S53,),
        **_EB,
    ),
    C(
        "F_embedding_bag_last_offset_max",
        lambda m, w: _ebag(m, w, _EB_IDX, [0, 3, 3, 6], mode="max", include_last_offset=True),
        (S53,),
        **_EB,
    ),
    C(
        "F_embedding_bag_freq_sum",
        lambda m, w: _ebag(m, w, [3, 0, 3, 1, 0, 3], [0, 2], mode="sum", scale_grad_by_freq=True),
        (S53,),
        **_EB,
    ),
    C(
        "F_embedding_bag_freq_mean_padding",
        lambda m, w: _ebag(
            m, w, [3, 0, 3, 1, 0, 4], [0, 3], scale_grad_by_freq=True, padding_idx=1
        ),
        (S53,),
        **_EB,
    ),
    C(
        "F_embedding_bag_int32",
        lambda m, w: _F(m).embedding_bag(
            m.tensor(_EB_IDX, dtype=m.int32), w, m.tensor(_EB_OFF, dtype=m.int32), mode="max"
        ),
        (S53,),
        **_EB,
    ),
    C(
        "F_embedding_bag_int32_indices_int64_offsets",
        lambda m, w: _F(m).embedding_bag(m.tensor(_EB_IDX, dtype=m.int32), w, m.tensor(_EB_OFF)),
        (S53,),
        **_EB,
    ),
]


# grid_sample and affine_grid. Sampling locations sit a quarter pixel off every kink (pixel
# centres for bilinear and bicubic, halfway for nearest's rounding, the clip and reflection
# borders) and move a little with the grid input, so finite differences stay on one piece.
def _grid(m, g, spatial, align):
    rng = np.random.default_rng(len(spatial) + 2 * align)
    lead = tuple(g.shape[:-1])
    comps = []
    for d in range(g.shape[-1]):
        n = spatial[-1 - d]
        c = rng.integers(-2, n + 2, size=lead) + rng.choice([0.25, 0.75], size=lead)
        comps.append(2 * c / (n - 1) - 1 if align else (2 * c + 1) / n - 1)
    return m.tensor(np.stack(comps, -1), dtype=g.dtype) + g * 0.02


def _gs(mode="bilinear", padding="zeros", align=False):
    def fn(m, x, g):
        grid = _grid(m, g, tuple(x.shape[2:]), align)
        return _F(m).grid_sample(x, grid, mode, padding, align)

    return fn


_GS2, _GRID2 = (2, 3, 3, 4), (2, 2, 5, 2)
_GSC, _GRIDC = (1, 2, 3, 4), (1, 2, 3, 2)  # bicubic's 16 taps: smaller, for second derivatives
_GS3, _GRID3 = (1, 2, 2, 3, 4), (1, 2, 2, 3, 3)
_NO_FWD = {"forward_ad": False}  # torch has no forward-mode rule for grid_sampler

CASES += [
    C("F_grid_sample_bilinear", _gs(), (_GS2, _GRID2), **_NO_FWD),
    C("F_grid_sample_bilinear_align", _gs(align=True), (_GS2, _GRID2), **_NO_FWD),
    C("F_grid_sample_border", _gs(padding="border"), (_GS2, _GRID2), **_NO_FWD),
    C("F_grid_sample_reflection", _gs(padding="reflection"), (_GS2, _GRID2), **_NO_FWD),
    C(
        "F_grid_sample_reflection_align",
        _gs(padding="reflection", align=True),
        (_GS2, _GRID2),
        **_NO_FWD,
    ),
    C("F_grid_sample_nearest", _gs("nearest"), (_GS2, _GRID2), **_NO_FWD),
    C("F_grid_sample_nearest_border", _gs("nearest", "border", True), (_GS2, _GRID2), **_NO_FWD),
    C("F_grid_sample_input_only", _gs(), (_GS2, _GRID2), grad=(True, False), **_NO_FWD),
    C("F_grid_sample_grid_only", _gs(), (_GS2, _GRID2), grad=(False, True), **_NO_FWD),
    C("F_grid_sample_bicubic", _gs("bicubic"), (_GSC, _GRIDC), **_NO_FWD),
    C("F_grid_sample_bicubic_border", _gs("bicubic", "border", True), (_GSC, _GRIDC), **_NO_FWD),
    C("F_grid_sample_bicubic_reflection", _gs("bicubic", "reflection"), (_GSC, _GRIDC), **_NO_FWD),
    C("F_grid_sample_trilinear", _gs(), (_GS3, _GRID3), **_NO_FWD),
    C("F_grid_sample_trilinear_reflection", _gs(padding="reflection"), (_GS3, _GRID3), **_NO_FWD),
    C("F_grid_sample_3d_nearest", _gs("nearest", "border"), (_GS3, _GRID3), **_NO_FWD),
    C(
        "F_affine_grid_2d",
        lambda m, t: _F(m).affine_grid(t, (2, 3, 4, 5), align_corners=False),
        ((2, 2, 3),),
    ),
    C(
        "F_affine_grid_3d_align",
        lambda m, t: _F(m).affine_grid(t, [2, 1, 2, 3, 4], align_corners=True),
        ((2, 3, 4),),
    ),
    C(
        "F_affine_grid_then_grid_sample",
        lambda m, t, x: _F(m).grid_sample(
            x, _F(m).affine_grid(t * 0.3, (1, 2, 3, 3), align_corners=False), align_corners=False
        ),
        ((1, 2, 3), (1, 2, 4, 4)),
        gradcheck=False,  # the locations are not kept off the pixel centres
        **_NO_FWD,
    ),
]


# ---------------------------------------------------------------- torch.special, the rest
# zeta, gammainc and gammaincc have a derivative for their second argument only, and torch
# no forward-mode rule for them (forward mode refuses, as tests/test_special_more.py checks).
_SECOND_ONLY = {"grad": (False, True), "domain": ("pos", "pos"), "forward_ad": False}

CASES += [
    C(
        "special_xlog1py",
        lambda m, a, b: m.special.xlog1py(a, b),
        (S43, S43),
        domain=("real", "pos"),
    ),
    C(
        "special_xlog1py_broadcast",
        lambda m, a, b: m.special.xlog1py(a, b - 0.4),
        (S43, S3),
        domain=("real", "pos"),
    ),
    C("special_xlog1py_number_other", lambda m, a: m.special.xlog1py(a, 2.5), (S43,)),
    C("special_xlog1py_number_self", lambda m, b: m.special.xlog1py(1.5, b), (S43,), domain="pos"),
    C("special_zeta", lambda m, s, q: m.special.zeta(s + 1.5, q), (S43, S43), **_SECOND_ONLY),
    C(
        "special_zeta_broadcast",
        lambda m, s, q: m.special.zeta(s + 2, q),
        (S3, S43),
        **_SECOND_ONLY,
    ),
    C(
        "special_zeta_number_self",
        lambda m, q: m.special.zeta(3.0, q),
        (S43,),
        domain="pos",
        forward_ad=False,
    ),
    C("special_gammainc", lambda m, a, x: m.special.gammainc(a, x * 2), (S43, S43), **_SECOND_ONLY),
    C(
        "special_gammaincc",
        lambda m, a, x: m.special.gammaincc(a * 3, x),
        (S43, S43),
        **_SECOND_ONLY,
    ),
]


def _ctc(targets, il, tl, unbatched=False, tensors=False, **kw):
    """ctc_loss of log_softmax(x) (torch's gradient assumes normalised log-probabilities),
    the targets and lengths built in ``m``."""

    def fn(m, x):
        lp = x.log_softmax(-1)
        tg = m.tensor(targets)
        lengths = (m.tensor(il), m.tensor(tl)) if tensors else (il, tl)
        return _F(m).ctc_loss(lp, tg, *lengths, **kw)

    return fn


# ctc_loss: torch has no second derivative (a NotImplemented node) and no forward mode for
# it; gradcheck of its first derivative, float64, is in tests/test_ctc_loss.py
_CT = dict(gradcheck=False, forward_ad=False)
_CT_TG = [[1, 2, 2, 3], [4, 1, 0, 0], [3, 3, 3, 1]]
_CT_X = ((7, 3, 5),)
CASES += [
    C("F_ctc_loss_mean", _ctc(_CT_TG, [7, 6, 7], [4, 2, 3]), _CT_X, **_CT),
    C("F_ctc_loss_sum", _ctc(_CT_TG, [7, 6, 7], [4, 2, 3], reduction="sum"), _CT_X, **_CT),
    C("F_ctc_loss_none", _ctc(_CT_TG, [7, 6, 7], [4, 2, 3], reduction="none"), _CT_X, **_CT),
    C(
        "F_ctc_loss_concatenated",
        _ctc([1, 2, 2, 3, 4, 1, 3, 3, 3], (7, 6, 7), (4, 2, 3), reduction="none"),
        _CT_X,
        **_CT,
    ),
    C(
        "F_ctc_loss_tensor_lengths",
        _ctc(_CT_TG, [7, 5, 6], [4, 2, 0], tensors=True),
        _CT_X,
        **_CT,
    ),
    C(
        "F_ctc_loss_blank_3",
        _ctc([[1, 2, 2, 4], [4, 1, 0, 0], [0, 0, 0, 1]], [7, 6, 7], [4, 2, 3], blank=3),
        _CT_X,
        **_CT,
    ),
    C(
        "F_ctc_loss_zero_infinity",
        _ctc(_CT_TG, [3, 6, 5], [4, 2, 3], reduction="sum", zero_infinity=True),
        _CT_X,
        **_CT,
    ),
    C("F_ctc_loss_unbatched", _ctc([1, 2, 2], [6], [3], reduction="none"), ((6, 4),), **_CT),
    C(
        "F_ctc_loss_unbatched_tensor_lengths",
        _ctc([1, 2, 2], 6, 3, tensors=True),
        ((6, 4),),
        **_CT,
    ),
    C(
        "F_ctc_loss_module",
        lambda m, x: m.nn.CTCLoss(blank=1)(
            x.log_softmax(2), m.tensor([[2, 3], [0, 0]]), [5, 4], [2, 1]
        ),
        ((5, 2, 4),),
        **_CT,
    ),
]


# Least squares: tall, wide, batched and broadcast systems, the residuals (gelsd) added in
CASES += [
    C("linalg_lstsq", lambda m, a, b: m.linalg.lstsq(a, b).solution, ((4, 3), (4, 2))),
    C("linalg_lstsq_wide", lambda m, a, b: m.linalg.lstsq(a, b)[0], ((2, 4), (2, 3))),
    C("linalg_lstsq_vector", lambda m, a, b: m.linalg.lstsq(a, b).solution, ((4, 3), (4,))),
    C(
        "linalg_lstsq_batched_vectors",
        lambda m, a, b: m.linalg.lstsq(a, b, driver="gelsd").solution,
        ((2, 4, 3), (2, 4)),
    ),
    C(
        "linalg_lstsq_broadcast",
        lambda m, a, b: m.linalg.lstsq(a, b, driver="gels").solution,
        ((1, 4, 2), (3, 4, 2)),
    ),
    C(
        "linalg_lstsq_residuals",
        lambda m, a, b: (lambda r: r.residuals * 2 + r.solution.sum(-2))(
            m.linalg.lstsq(a, b, driver="gelsd")
        ),
        ((2, 5, 3), (2, 5, 2)),
    ),
    C(
        "linalg_lstsq_residuals_only",
        lambda m, a, b: m.linalg.lstsq(a, b, driver="gelss").residuals,
        ((5, 2), (5,)),
    ),
    C(
        "linalg_lstsq_b_only",
        lambda m, a, b: m.linalg.lstsq(a, b, driver="gels").solution,
        ((4, 3), (4, 2)),
        grad=(False, True),
    ),
    C(
        "linalg_lstsq_a_only",
        lambda m, a, b: m.linalg.lstsq(a, b).solution,
        ((3, 4), (3, 2)),
        grad=(True, False),
    ),
]


# The _ex forms: the nodes of inv, solve and cholesky, with an info beside
CASES += [
    C("linalg_inv_ex", lambda m, a: m.linalg.inv_ex(_wc(m, a)).inverse, (B233,)),
    C("linalg_solve_ex", lambda m, a, b: m.linalg.solve_ex(_wc(m, a), b).result, (S33, (3, 2))),
    C(
        "linalg_solve_ex_right_vectors",
        lambda m, a, b: m.linalg.solve_ex(_wc(m, a), b, left=False, check_errors=True)[0],
        (B233, (2, 4, 3)),
    ),
    C("linalg_solve_ex_vector", lambda m, a, b: m.linalg.solve_ex(_wc(m, a), b)[0], (B233, (2, 3))),
    C("linalg_cholesky_ex", lambda m, a: m.linalg.cholesky_ex(_spd3(m, a)).L, (B233,)),
    C(
        "linalg_cholesky_ex_upper",
        lambda m, a: m.linalg.cholesky_ex(_spd3(m, a), upper=True, check_errors=True)[0],
        (S33,),
    ),
]


# linalg's aliases and the functions torch composes of other ops (vander: cumprod and cat;
# tensorinv and tensorsolve: reshapes around inv_ex and solve)
CASES += [
    C("linalg_matmul", lambda m, a, b: m.linalg.matmul(a, b), ((2, 3, 4), (4, 2))),
    C("linalg_diagonal", lambda m, a: m.linalg.diagonal(a, offset=1), ((2, 3, 4),)),
    C("linalg_diagonal_dims", lambda m, a: m.linalg.diagonal(a, dim1=0, dim2=2), ((3, 2, 4),)),
    C("linalg_vander", lambda m, x: m.linalg.vander(x), ((4,),)),
    C("linalg_vander_batched_n", lambda m, x: m.linalg.vander(x, N=5), ((2, 3),)),
    C(
        "linalg_tensorinv",
        lambda m, a: m.linalg.tensorinv(a + 4 * m.eye(4).reshape(4, 2, 2), ind=1),
        ((4, 2, 2),),
    ),
    C(
        "linalg_tensorinv_ind2",
        lambda m, a: m.linalg.tensorinv(a + 4 * m.eye(6).reshape(2, 3, 6)),
        ((2, 3, 6),),
    ),
    C(
        "linalg_tensorsolve",
        lambda m, a, b: m.linalg.tensorsolve(a + 4 * m.eye(6).reshape(2, 3, 6), b),
        ((2, 3, 6), (2, 3)),
    ),
    C(
        "linalg_tensorsolve_dims",
        lambda m, a, b: m.linalg.tensorsolve(a + 4 * m.eye(6).reshape(6, 2, 3), b, dims=(0,)),
        ((6, 2, 3), (2, 3)),
    ),
]


# F-level in-place activations: the op's in-place node written into a non-leaf copy
CASES += [
    C("F_relu_", lambda m, a: _F(m).relu_(a * 1), (S43,), domain="away"),
    C("F_elu_", lambda m, a: _F(m).elu_(a * 1, 0.5), (S43,), domain="away"),
    C("F_elu__scales", lambda m, a: _F(m).elu_(a * 1, 0.5, 2.0, 1.5), (S43,), domain="away"),
    C("F_hardtanh_", lambda m, a: _F(m).hardtanh_(a * 1, -0.5, 0.5), (S43,), domain="away"),
    C("F_leaky_relu_", lambda m, a: _F(m).leaky_relu_(a * 1, 0.2), (S43,), domain="away"),
    C("F_selu_", lambda m, a: _F(m).selu_(a * 1), (S43,), domain="away"),
]

# the pools' *_with_indices forms: (output, indices), the output compared here
CASES += [
    C(
        "F_max_pool1d_with_indices",
        lambda m, x: _F(m).max_pool1d_with_indices(x, 2)[0],
        ((2, 3, 6),),
    ),
    C(
        "F_max_pool2d_with_indices",
        lambda m, x: _F(m).max_pool2d_with_indices(x, 2, 1, 1)[0],
        ((2, 2, 4, 5),),
    ),
    C(
        "F_max_pool3d_with_indices",
        lambda m, x: _F(m).max_pool3d_with_indices(x, 2)[0],
        ((1, 2, 4, 4, 4),),
    ),
    C(
        "F_adaptive_max_pool1d_with_indices",
        lambda m, x: _F(m).adaptive_max_pool1d_with_indices(x, 3)[0],
        ((2, 3, 7),),
    ),
    C(
        "F_adaptive_max_pool2d_with_indices",
        lambda m, x: _F(m).adaptive_max_pool2d_with_indices(x, (2, 3))[0],
        ((2, 2, 5, 7),),
    ),
    C(
        "F_adaptive_max_pool3d_with_indices",
        lambda m, x: _F(m).adaptive_max_pool3d_with_indices(x, 2)[0],
        ((1, 2, 3, 4, 5),),
    ),
]


# max_unpool3d: one MaxUnpool3DBackward0 saving the indices
def _unpool3d_indices(m, shape):
    """Distinct flat indices (no repeats) for a max unpool of stride 2 from ``shape``."""
    size = int(np.prod(shape[-3:])) * 8
    rng = np.random.default_rng(9)
    idx = [
        rng.permutation(size)[: int(np.prod(shape[-3:]))] for _ in range(int(np.prod(shape[:-3])))
    ]
    return m.tensor(np.stack(idx).reshape(shape))


CASES += [
    C(
        "F_max_unpool3d",
        lambda m, x: _F(m).max_unpool3d(x, _unpool3d_indices(m, (1, 2, 2, 2, 3)), 2),
        ((1, 2, 2, 2, 3),),
    ),
    C(
        "F_max_unpool3d_unbatched_output_size",
        lambda m, x: m.nn.MaxUnpool3d(2)(x, _unpool3d_indices(m, (2, 2, 1, 2)), (5, 3, 4)),
        ((2, 2, 1, 2),),
    ),
]


# fractional max pools: explicit samples (in the input's dtype), so the windows are fixed
def _samples(m, x, shape, seed=3):
    u = np.random.default_rng(seed).random(shape)
    return m.tensor(u, dtype=x.dtype)


CASES += [
    C(
        "F_fractional_max_pool2d",
        lambda m, x: _F(m).fractional_max_pool2d(
            x, 2, output_size=(3, 4), _random_samples=_samples(m, x, (2, 3, 2))
        ),
        ((2, 3, 7, 6),),
    ),
    C(
        "F_fractional_max_pool2d_ratio_unbatched",
        lambda m, x: _F(m).fractional_max_pool2d(
            x, (3, 2), output_ratio=(0.5, 0.7), _random_samples=_samples(m, x, (1, 2, 2))
        ),
        ((2, 8, 7),),
    ),
    C(
        "F_fractional_max_pool2d_with_indices",
        lambda m, x: _F(m).fractional_max_pool2d_with_indices(
            x, 3, 4, _random_samples=_samples(m, x, (1, 2, 2))
        )[0],
        ((1, 2, 9, 9),),
    ),
    C(
        "F_fractional_max_pool3d",
        lambda m, x: _F(m).fractional_max_pool3d(
            x, 2, output_size=(2, 3, 2), _random_samples=_samples(m, x, (2, 2, 3))
        ),
        ((2, 2, 4, 5, 6),),
    ),
    C(
        "F_fractional_max_pool3d_ratio_unbatched",
        lambda m, x: _F(m).fractional_max_pool3d(
            x, (1, 2, 2), output_ratio=0.5, _random_samples=_samples(m, x, (1, 2, 3))
        ),
        ((2, 4, 6, 5),),
    ),
    C(
        "nn_FractionalMaxPool2d",
        lambda m, x: m.nn.FractionalMaxPool2d(
            2, output_size=3, return_indices=True, _random_samples=_samples(m, x, (1, 2, 2))
        )(x)[0],
        ((1, 2, 6, 6),),
    ),
    C(
        "nn_FractionalMaxPool3d",
        lambda m, x: m.nn.FractionalMaxPool3d(
            (2, 1, 2), output_ratio=(0.5, 0.5, 0.6), _random_samples=_samples(m, x, (1, 1, 3))
        )(x),
        ((1, 1, 4, 4, 5),),
    ),
]


CASES_BY_NAME = {c.name: c for c in CASES}
assert len(CASES_BY_NAME) == len(CASES), "case names must be unique"


# ------------------------------------------------------------------------ error cases
# ``fn(m)`` must raise; gradscope's exception type and message must match torch's (a
# gradscope hint may follow torch's text on a new line).


def _second_backward(m, expr):
    x = m.tensor([1.0, -2.0, 3.0], requires_grad=True)
    y = expr(m, x)
    y.backward()
    y.backward()


def _saved_after_backward(m):
    x = m.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()
    y.sum().backward()
    return y.grad_fn._saved_result


def _version(m, build):
    x = m.tensor([0.5, -1.0, 2.0], requires_grad=True)
    build(m, x).sum().backward()


def _sig_mul2(m, x):
    y = x.sigmoid()
    y.mul_(2)
    return y


def _input_saved_add(m, x):
    a = x * 1
    y = a * a
    a.add_(1)
    return y


def _input_saved_mul(m, x):
    a = x.exp()
    y = a * a
    a.mul_(2)
    return y


def _twice(m, x):
    y = x.exp()
    y.mul_(2)
    y.add_(1)
    return y


def _setitem_bump(m, x):
    a = x * 1
    y = a * a
    a[0] = 5.0
    return y


def _detach_bump(m, x):
    a = x * 1
    y = a * a
    a.detach().mul_(2)
    return y


def _leaf_saved(m):
    w = m.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], requires_grad=True)
    x = m.tensor([[1.0, 1.0, 1.0]], requires_grad=True)
    y = x @ w
    with m.no_grad():
        w.mul_(2)
    y.sum().backward()


def _grad_shape(m, shape, expr=lambda x: x * 2):
    x = m.tensor([1.0, 2.0, 3.0], requires_grad=True)
    expr(x).backward(m.ones(*shape))


def _leaf(m):
    return m.tensor([1.0, 2.0, 3.0], requires_grad=True)


def _plain(m):
    return m.tensor([1.0, 2.0, 3.0])


def _no_grad_backward(m):
    x = _leaf(m)
    with m.no_grad():
        y = (x * 2).sum()
    y.backward()


def _set_rg_nonleaf(m):
    y = _leaf(m) * 2
    y.requires_grad = False


def _set_rg_int(m):
    t = m.arange(3)
    t.requires_grad = True


def _expanded_write(m, write):
    """A write torch allows into an expanded view, whose backward it refuses."""
    w = (_leaf(m) * 1)[:1].expand(3)
    write(w)
    (w * 2).sum().backward()


def _r(*shape):
    return lambda m: m.ones(*shape)


def _second_of_margin(m, loss):
    """A second backward through a margin loss torch gives no second derivative."""
    x = m.tensor([[0.1, 0.5, -0.3], [0.2, -0.1, 0.4]], requires_grad=True)
    (g,) = m.autograd.grad(loss(x), x, create_graph=True)
    g.sum().backward()


E = tuple  # (name, fn(m))
ERRORS: list[tuple] = [
    E(("second_backward_pow", lambda m: _second_backward(m, lambda m, x: (x**2).mean()))),
    E(("second_backward_relu", lambda m: _second_backward(m, lambda m, x: m.relu(x).sum()))),
    E(("second_backward_mul2", lambda m: _second_backward(m, lambda m, x: (x * 2).sum()))),
    E(("second_backward_div2", lambda m: _second_backward(m, lambda m, x: (x / 2).sum()))),
    E(("second_backward_mulself", lambda m: _second_backward(m, lambda m, x: (x * x).sum()))),
    E(("second_backward_sigmoid", lambda m: _second_backward(m, lambda m, x: x.sigmoid().sum()))),
    E(("second_backward_select", lambda m: _second_backward(m, lambda m, x: x[1] * 3))),
    E(("saved_after_backward", _saved_after_backward)),
    E(("nonscalar_backward", lambda m: (_leaf(m) * 2).backward())),
    E(("nonscalar_grad", lambda m: m.autograd.grad(_leaf(m) * 2, _leaf(m)))),
    E(("no_grad_backward", lambda m: _plain(m).sum().backward())),
    E(("no_grad_autograd_grad", lambda m: (lambda t: m.autograd.grad(t.sum(), t))(_plain(m)))),
    E(("detach_backward", lambda m: _leaf(m).detach().sum().backward())),
    E(("computed_under_no_grad", _no_grad_backward)),
    E(
        (
            "grad_unused",
            lambda m: (lambda x: m.autograd.grad((x * 2).sum(), [x, _leaf(m)]))(_leaf(m)),
        )
    ),
    E(("version_output_saved", lambda m: _version(m, _sig_mul2))),
    E(("version_input_saved_add", lambda m: _version(m, _input_saved_add))),
    E(("version_input_saved_mul", lambda m: _version(m, _input_saved_mul))),
    E(("version_twice", lambda m: _version(m, _twice))),
    E(("version_setitem", lambda m: _version(m, _setitem_bump))),
    E(("version_detach", lambda m: _version(m, _detach_bump))),
    E(("version_leaf", _leaf_saved)),
    E(("leaf_inplace", lambda m: _leaf(m).add_(1))),
    E(("leaf_inplace_mul", lambda m: _leaf(m).mul_(2))),
    E(("inplace_mul_no_broadcast", lambda m: m.ones(4, 2).mul_(m.ones(3)))),
    E(("inplace_add_no_broadcast", lambda m: m.ones(4, 2).add_(m.ones(3), alpha=2))),
    E(("inplace_sub_no_broadcast", lambda m: m.ones(2, 3).sub_(m.ones(2, 2)))),
    E(("inplace_div_no_broadcast", lambda m: m.ones(4, 2).__itruediv__(m.ones(3)))),
    E(("inplace_add_grows", lambda m: m.ones(3).add_(m.ones(2, 3)))),
    E(("leaf_setitem", lambda m: _leaf(m).__setitem__(0, 1.0))),
    # shapes and assignments
    E(("flatten_start_after_end", lambda m: m.ones(2, 1, 2).flatten(1, 0))),
    E(("permute_duplicate_dims", lambda m: m.ones(2, 2).permute(0, 0))),
    E(("cat_nothing", lambda m: m.cat([]))),
    E(("grad_of_another_dtype", lambda m: setattr(_leaf(m), "grad", m.ones(3, dtype=m.float64)))),
    E(("grad_of_another_size", lambda m: setattr(_leaf(m), "grad", m.ones(2)))),
    E(("grad_not_a_tensor", lambda m: setattr(_leaf(m), "grad", [1.0, 2.0, 3.0]))),
    E(("requires_grad_false_on_a_result", lambda m: (_leaf(m) * 2).requires_grad_(False))),
    # losses
    E(("mse_loss_bad_reduction", lambda m: _F(m).mse_loss(m.ones(2), m.ones(2), reduction="avg"))),
    E(
        (
            "nll_loss_bad_reduction",
            lambda m: _F(m).nll_loss(m.ones(2, 3), m.tensor([0, 1]), reduction="avg"),
        )
    ),
    E(
        (
            "cross_entropy_label_smoothing_out_of_range",
            lambda m: _F(m).cross_entropy(m.ones(2, 3), m.tensor([0, 1]), label_smoothing=1.5),
        )
    ),
    E(
        (
            "cross_entropy_bad_reduction",
            lambda m: _F(m).cross_entropy(m.ones(2, 3), m.tensor([0, 1]), reduction="x"),
        )
    ),
    E(
        (
            "nll_loss_weight_of_wrong_size",
            lambda m: _F(m).nll_loss(m.ones(2, 3), m.tensor([0, 1]), weight=m.ones(2)),
        )
    ),
    E(
        (
            "nll_loss_weight_requiring_grad",
            lambda m: _F(m).nll_loss(
                m.ones(2, 3), m.tensor([0, 1]), weight=m.ones(3, requires_grad=True)
            ),
        )
    ),
    E(
        (
            "cross_entropy_target_out_of_bounds",
            lambda m: _F(m).cross_entropy(m.ones(2, 3), m.tensor([0, 5])),
        )
    ),
    E(
        (
            "nll_loss_weight_of_another_dtype",
            lambda m: _F(m).nll_loss(
                m.ones(2, 3), m.tensor([0, 5]), weight=m.ones(3, dtype=m.float64)
            ),
        )
    ),
    E(
        (
            "cross_entropy_integer_weight",
            lambda m: _F(m).cross_entropy(
                m.ones(2, 3), m.tensor([0, 1]), weight=m.tensor([1, 2, 3])
            ),
        )
    ),
    E(
        (
            "nll_loss_3d_weight_of_another_dtype",
            lambda m: _F(m).nll_loss(
                m.ones(2, 3, 4), m.zeros(2, 4, dtype=m.int64), weight=m.ones(3, dtype=m.float64)
            ),
        )
    ),
    E(("split_zero_size", lambda m: m.ones(4, 2).split(0))),
    E(("split_negative_size", lambda m: m.ones(4, 2).split(-1))),
    E(("split_sizes_not_summing", lambda m: m.ones(4, 2).split([1, 2]))),
    E(("split_sizes_negative", lambda m: m.ones(4, 2).split([2, -1, 3]))),
    E(("split_of_0d", lambda m: m.tensor(1.0).split(1))),
    E(("split_dim_out_of_range", lambda m: m.ones(4, 2).split(2, 2))),
    E(("chunk_zero", lambda m: m.ones(4, 2).chunk(0))),
    E(("unbind_of_0d", lambda m: m.tensor(1.0).unbind())),
    E(("inplace_on_split_output", lambda m: (_leaf(m) * 1).split(2)[0].add_(1))),
    E(("inplace_on_unbind_output", lambda m: (_leaf(m) * 1).unbind()[1].mul_(2))),
    E(("nll_loss_negative_target", lambda m: _F(m).nll_loss(m.ones(2, 3), m.tensor([-2, 1])))),
    # in-place results that do not cast back to the tensor's dtype
    E(("inplace_div_int", lambda m: m.tensor([1, 2, 3]).div_(2))),
    E(("inplace_mul_int_by_float", lambda m: m.tensor([1, 2, 3]).mul_(1.5))),
    E(("inplace_add_int_by_float_tensor", lambda m: m.arange(2).add_(m.ones(2)))),
    E(("inplace_add_bool_by_int", lambda m: m.tensor([True, False]).add_(1))),
    E(("inplace_itruediv_int", lambda m: m.arange(3).__itruediv__(2))),
    E(("inplace_clamp_int_by_floats", lambda m: m.arange(3).clamp_(0.5, 2.5))),
    # `-` on bools
    E(("sub_bools", lambda m: m.tensor([True]) - m.tensor([False]))),
    E(("sub_bool_scalar", lambda m: m.tensor([True]) - True)),
    E(("sub_int_bool", lambda m: m.arange(2) - m.tensor([True, False]))),
    E(("rsub_bool", lambda m: 1 - m.tensor([True]))),
    E(("isub_bools", lambda m: m.tensor([True]).sub_(m.tensor([True])))),
    E(("neg_bool", lambda m: -m.tensor([True]))),
    # an integer cast leaves the graph
    E(("backward_through_long", lambda m: (_leaf(m).long() * 2).sum().backward())),
    # writes into a view whose elements share memory
    E(("expanded_add_", lambda m: m.ones(1).expand(4).add_(1))),
    E(("expanded_relu_", lambda m: m.ones(2, 1).expand(2, 3).relu_())),
    E(("expanded_setitem_slice", lambda m: m.ones(1).expand(4).__setitem__(slice(None), 5.0))),
    E(("expanded_fill_tensor", lambda m: m.ones(1).expand(4).fill_(m.tensor(2.0)))),
    E(("expanded_zero_backward", lambda m: _expanded_write(m, lambda w: w.zero_()))),
    E(("expanded_fill_backward", lambda m: _expanded_write(m, lambda w: w.fill_(2.0)))),
    E(
        (
            "expanded_index_put_backward",
            lambda m: _expanded_write(m, lambda w: w.__setitem__(m.tensor([0]), 5.0)),
        )
    ),
    E(("grad_shape_4", lambda m: _grad_shape(m, (4,)))),
    E(("grad_shape_3x1", lambda m: _grad_shape(m, (3, 1)))),
    E(("grad_shape_scalar_root", lambda m: _grad_shape(m, (3,), lambda x: x.sum()))),
    E(
        (
            "grad_shape_autograd_grad",
            lambda m: (lambda x: m.autograd.grad(x * 2, x, grad_outputs=m.ones(4)))(_leaf(m)),
        )
    ),
    E(("retain_grad_no_rg", lambda m: _plain(m).retain_grad())),
    E(("requires_grad_int_tensor", lambda m: m.tensor([1, 2, 3], requires_grad=True))),
    E(("requires_grad_bool_ones", lambda m: m.ones(3, dtype=m.bool, requires_grad=True))),
    E(("requires_grad_int_method", lambda m: m.arange(3).requires_grad_())),
    E(("requires_grad_int_setter", _set_rg_int)),
    E(("requires_grad_nonleaf", _set_rg_nonleaf)),
    E(("hook_no_rg", lambda m: _plain(m).register_hook(lambda g: g))),
    E(
        (
            "post_acc_hook_nonleaf",
            lambda m: (_leaf(m) * 2).register_post_accumulate_grad_hook(lambda t: None),
        )
    ),
    # shape mismatches, naming the op and both shapes
    E(("add_shapes", lambda m: _r(4, 3)(m) + _r(4)(m))),
    E(("sub_shapes", lambda m: _r(2, 3)(m) - _r(3, 2)(m))),
    E(("mul_shapes", lambda m: _r(3)(m) * _r(4)(m))),
    E(("div_shapes", lambda m: _r(3)(m) / _r(4)(m))),
    E(("pow_shapes", lambda m: _r(3)(m) ** _r(4)(m))),
    E(("masked_fill_long_mask", lambda m: m.ones(3).masked_fill(m.tensor([1, 0, 1]), 0.5))),
    E(("masked_fill_mask_shape", lambda m: m.ones(3).masked_fill(m.tensor([True, False]), 0.5))),
    E(
        (
            "masked_fill_in_place_mask_shape",
            lambda m: m.ones(4).masked_fill_(m.ones(3, dtype=m.bool), 0.5),
        )
    ),
    E(
        (
            "masked_fill_in_place_larger_mask",
            lambda m: m.ones(3).masked_fill_(m.ones(2, 3, dtype=m.bool), 0.5),
        )
    ),
    E(
        (
            "masked_fill_value_with_dims",
            lambda m: m.ones(3).masked_fill(m.tensor([True, False, True]), m.ones(2)),
        )
    ),
    E(("where_shapes", lambda m: m.where(m.ones(3, dtype=m.bool), _r(3)(m), _r(4)(m)))),
    E(("mm_shapes", lambda m: m.mm(_r(2, 3)(m), _r(4, 5)(m)))),
    E(("matmul_2d_shapes", lambda m: _r(2, 3)(m) @ _r(4, 5)(m))),
    E(("matmul_mv_shapes", lambda m: _r(2, 3)(m) @ _r(4)(m))),
    E(("matmul_dot_shapes", lambda m: _r(3)(m) @ _r(4)(m))),
    E(("matmul_vm_shapes", lambda m: _r(3)(m) @ _r(4, 5)(m))),
    E(("matmul_batched_shapes", lambda m: _r(2, 2, 3)(m) @ _r(2, 4, 5)(m))),
    E(("matmul_0d", lambda m: m.tensor(2.0) @ _r(3)(m))),
    E(("cat_shapes", lambda m: m.cat([_r(2, 3)(m), _r(2, 4)(m)]))),
    E(("cat_ndim", lambda m: m.cat([_r(2, 3)(m), _r(3)(m)]))),
    E(("stack_shapes", lambda m: m.stack([_r(2, 3)(m), _r(3, 2)(m)]))),
    E(("view_size", lambda m: _r(4, 3)(m).view(5, 2))),
    E(("reshape_size", lambda m: _r(4, 3)(m).reshape(-1, 5))),
    E(("view_noncontig", lambda m: _r(4, 3)(m).T.view(12))),
    E(("expand_size", lambda m: _r(2, 3)(m).expand(2, 4))),
    E(("expand_fewer", lambda m: _r(2, 3)(m).expand(3))),
    E(("sum_dim_range", lambda m: _r(4, 3)(m).sum(2))),
    E(("softmax_dim_range", lambda m: _r(4, 3)(m).softmax(-3))),
    E(("transpose_dim_range", lambda m: _r(4, 3)(m).transpose(0, 2))),
    E(("unsqueeze_dim_range", lambda m: _r(4, 3)(m).unsqueeze(4))),
    E(("index_out_of_range", lambda m: _r(4, 3)(m)[4])),
    E(("index_too_many", lambda m: _r(4, 3)(m)[1, 2, 0])),
    E(("linear_shapes", lambda m: m.nn.functional.linear(_r(4, 3)(m), _r(2, 4)(m), _r(2)(m)))),
    E(("matmul_fold_shapes", lambda m: _r(2, 5, 4)(m) @ _r(3, 3)(m))),
    E(("matmul_batch_broadcast", lambda m: _r(2, 5, 4)(m) @ _r(3, 4, 3)(m))),
    E(("index_tensor_out_of_range", lambda m: _r(4, 3)(m)[m.tensor([0, 5])])),
    E(("index_mask_shape", lambda m: _r(4, 3)(m)[m.tensor([[True, False, True]])])),
    E(("index_float_tensor", lambda m: _r(4, 3)(m)[m.tensor([1.0])])),
    E(("setitem_value_shape", lambda m: _r(4, 3)(m).__setitem__(0, _r(4)(m)))),
    E(("fill_1d_tensor", lambda m: _r(4, 3)(m).fill_(_r(1)(m)))),
    E(("view_of_leaf_inplace", lambda m: _leaf(m)[0:2].mul_(2))),
    E(("leaf_index_put", lambda m: _leaf(m).__setitem__(m.tensor([True, False, True]), 0.0))),
    E(
        (
            "nll_multi_target",
            lambda m: m.nn.functional.nll_loss(_r(4, 3)(m), m.zeros(4, 1, dtype=m.int64)),
        )
    ),
    E(
        (
            "nll_1d_target_size",
            lambda m: m.nn.functional.nll_loss(_r(3)(m), m.zeros(3, dtype=m.int64)),
        )
    ),
    E(
        (
            "cross_entropy_batch",
            lambda m: m.nn.functional.cross_entropy(_r(4, 3)(m), m.tensor([0, 1, 2])),
        )
    ),
    E(("cross_entropy_float_target", lambda m: m.nn.functional.nll_loss(_r(4, 3)(m), m.ones(4)))),
    E(("mean_int", lambda m: m.arange(3).mean())),
    E(("item_many", lambda m: _r(3)(m).item())),
    E(("numpy_requires_grad", lambda m: _leaf(m).numpy())),
    E(("clamp_none", lambda m: m.clamp(_r(3)(m)))),
    E(("bool_ambiguous", lambda m: bool(_r(3)(m)))),
    E(("softmax_without_dim", lambda m: _r(2, 3)(m).softmax())),
    E(("log_softmax_without_dim", lambda m: m.log_softmax(_r(2, 3)(m)))),
    E(("softmax_int_lastdim", lambda m: m.arange(3).softmax(0))),
    E(("softmax_int_dim0", lambda m: m.ones(2, 3, dtype=m.int64).softmax(0))),
    E(("log_softmax_bool", lambda m: m.tensor([True, False]).log_softmax(-1))),
    E(("log_softmax_int32_dim0", lambda m: _F(m).log_softmax(m.ones(2, 2, dtype=m.int32), 0))),
    E(("zeros_without_size", lambda m: m.zeros())),
    E(("ones_size_twice", lambda m: m.ones(2, size=(2,)))),
    # losses: shapes, dtypes and targets torch refuses
    E(("nll_loss_0d_input", lambda m: _F(m).nll_loss(m.tensor(1.0), m.tensor(0)))),
    E(
        (
            "nll_loss_3d_target_size",
            lambda m: _F(m).nll_loss(_r(2, 3, 4)(m), m.zeros(2, 5, dtype=m.int64)),
        )
    ),
    E(
        (
            "nll_loss_3d_batch",
            lambda m: _F(m).nll_loss(_r(2, 3, 4)(m), m.zeros(3, 4, dtype=m.int64)),
        )
    ),
    E(
        (
            "nll_loss_4d_target_dims",
            lambda m: _F(m).nll_loss(_r(2, 3, 4, 5)(m), m.zeros(2, 4, dtype=m.int64)),
        )
    ),
    E(
        (
            "nll_loss_4d_size",
            lambda m: _F(m).nll_loss(_r(2, 3, 4, 5)(m), m.zeros(2, 4, 6, dtype=m.int64)),
        )
    ),
    E(("nll_loss_3d_float_target", lambda m: _F(m).nll_loss(_r(2, 3, 4)(m), m.zeros(2, 4)))),
    E(
        (
            "nll_loss_3d_byte_target",
            lambda m: _F(m).nll_loss(_r(2, 3, 4)(m), m.zeros(2, 4, dtype=m.uint8)),
        )
    ),
    E(
        (
            "nll_loss_3d_weight_size",
            lambda m: _F(m).nll_loss(
                _r(2, 3, 4)(m), m.zeros(2, 4, dtype=m.int64), weight=m.ones(2)
            ),
        )
    ),
    E(
        (
            "nll_loss_3d_weight_requiring_grad",
            lambda m: _F(m).nll_loss(
                _r(2, 3, 4)(m), m.zeros(2, 4, dtype=m.int64), weight=m.ones(3, requires_grad=True)
            ),
        )
    ),
    E(
        (
            "nll_loss_3d_target_out_of_bounds",
            lambda m: _F(m).nll_loss(_r(2, 3, 4)(m), m.tensor([[0, 1, 2, 3], [0, 0, 0, 0]])),
        )
    ),
    E(
        (
            "nll_loss_weight_requiring_grad_before_target_dtype",
            lambda m: _F(m).nll_loss(_r(2, 3)(m), m.zeros(2), weight=m.ones(3, requires_grad=True)),
        )
    ),
    E(
        (
            "cross_entropy_3d_target_size",
            lambda m: _F(m).cross_entropy(_r(2, 3, 4)(m), m.zeros(2, dtype=m.int64)),
        )
    ),
    E(
        (
            "cross_entropy_probs_long_target",
            lambda m: _F(m).cross_entropy(_r(2, 3)(m), m.zeros(2, 3, dtype=m.int64)),
        )
    ),
    E(
        (
            "cross_entropy_probs_ignore_index",
            lambda m: _F(m).cross_entropy(_r(2, 3)(m), m.zeros(2, 3), ignore_index=0),
        )
    ),
    E(
        (
            "cross_entropy_probs_weight_size",
            lambda m: _F(m).cross_entropy(_r(2, 3)(m), m.zeros(2, 3), weight=m.ones(2)),
        )
    ),
    E(
        (
            "cross_entropy_probs_label_smoothing_out_of_range",
            lambda m: _F(m).cross_entropy(_r(2, 3)(m), m.zeros(2, 3), label_smoothing=1.5),
        )
    ),
    E(("cross_entropy_probs_0d", lambda m: _F(m).cross_entropy(m.tensor(1.0), m.tensor(0.0)))),
    E(
        (
            "cross_entropy_bad_reduction_before_label_smoothing",
            lambda m: _F(m).cross_entropy(
                _r(2, 3)(m), m.tensor([0, 1]), reduction="x", label_smoothing=1.5
            ),
        )
    ),
    E(("mse_loss_shapes", lambda m: _F(m).mse_loss(_r(3)(m), _r(4)(m)))),
    E(("mse_loss_shapes_before_reduction", lambda m: _F(m).mse_loss(_r(3)(m), _r(4)(m), "x"))),
    E(
        (
            "mse_loss_int64",
            lambda m: _F(m).mse_loss(m.ones(3, dtype=m.int64), m.ones(3, dtype=m.int64)),
        )
    ),
    E(
        (
            "mse_loss_bool",
            lambda m: _F(m).mse_loss(m.ones(3, dtype=m.bool), m.ones(3, dtype=m.bool)),
        )
    ),
    E(("relu_bool", lambda m: _F(m).relu(m.tensor([True])))),
    E(("relu_bool_inplace", lambda m: m.tensor([True]).relu_())),
    E(("linear_0d_input", lambda m: _F(m).linear(m.tensor(1.0), _r(4, 1)(m)))),
    E(("linear_bias_shape", lambda m: _F(m).linear(_r(2, 3)(m), _r(4, 3)(m), _r(3)(m)))),
    E(("linear_bias_dims", lambda m: _F(m).linear(_r(2, 3)(m), _r(4, 3)(m), _r(1, 1, 4)(m)))),
    E(("linear_3d_bias_shape", lambda m: _F(m).linear(_r(5, 2, 3)(m), _r(4, 3)(m), _r(3)(m)))),
    E(("linear_1d_weight_bias", lambda m: _F(m).linear(_r(2, 3)(m), _r(3)(m), _r(2)(m)))),
    E(("linear_product_bias_shape", lambda m: _F(m).linear(_r(3)(m), _r(4, 3)(m), _r(2, 4)(m)))),
    E(
        (
            "linear_f64_weight_bias",
            lambda m: _F(m).linear(_r(1, 2)(m), m.ones(3, 2, dtype=m.float64), _r(3)(m)),
        )
    ),
    E(
        (
            "linear_f64_input_bias",
            lambda m: _F(m).linear(m.ones(1, 2, dtype=m.float64), _r(3, 2)(m), _r(3)(m)),
        )
    ),
    E(
        (
            "linear_int_product_float_bias",
            lambda m: _F(m).linear(
                m.ones(2, 5, 3, dtype=m.int64).transpose(0, 1),
                m.ones(4, 3, dtype=m.int64),
                _r(4)(m),
            ),
        )
    ),
    # the margin, ranking, embedding and likelihood losses
    E(
        (
            "margin_ranking_dims",
            lambda m: _F(m).margin_ranking_loss(_r(3)(m), _r(3, 1)(m), _r(3)(m)),
        )
    ),
    E(("margin_ranking_shapes", lambda m: _F(m).margin_ranking_loss(_r(3)(m), _r(4)(m), _r(3)(m)))),
    E(
        (
            "margin_ranking_reduction",
            lambda m: _F(m).margin_ranking_loss(_r(3)(m), _r(3)(m), _r(3)(m), reduction="x"),
        )
    ),
    E(("hinge_embedding_shapes", lambda m: _F(m).hinge_embedding_loss(_r(3)(m), _r(4)(m)))),
    E(
        (
            "hinge_embedding_reduction",
            lambda m: _F(m).hinge_embedding_loss(_r(3)(m), _r(3)(m), 1, None, None, "x"),
        )
    ),
    E(("soft_margin_shapes", lambda m: _F(m).soft_margin_loss(_r(3)(m), _r(4)(m)))),
    E(("soft_margin_target_wider", lambda m: _F(m).soft_margin_loss(_r(3)(m), _r(2, 3)(m)))),
    E(
        (
            "soft_margin_reduction",
            lambda m: _F(m).soft_margin_loss(_r(3)(m), _r(3)(m), reduction="bad"),
        )
    ),
    E(
        (
            "soft_margin_int64",
            lambda m: _F(m).soft_margin_loss(m.ones(3, dtype=m.int64), m.ones(3, dtype=m.int64)),
        )
    ),
    E(
        (
            "soft_margin_target_requiring_grad",
            lambda m: _F(m).soft_margin_loss(_r(3)(m), m.ones(3, requires_grad=True)),
        )
    ),
    E(
        (
            "soft_margin_bool_target_backward",
            lambda m: (
                _F(m)
                .soft_margin_loss(m.ones(3, requires_grad=True), m.ones(3, dtype=m.bool))
                .backward()
            ),
        )
    ),
    E(
        (
            "multilabel_soft_margin_reduction",
            lambda m: _F(m).multilabel_soft_margin_loss(_r(2, 3)(m), _r(2, 3)(m), reduction="x"),
        )
    ),
    E(("multi_margin_p", lambda m: _F(m).multi_margin_loss(_r(2, 3)(m), m.tensor([0, 1]), p=3))),
    E(
        (
            "multi_margin_weight_dims",
            lambda m: _F(m).multi_margin_loss(_r(2, 3)(m), m.tensor([0, 1]), weight=_r(3, 1)(m)),
        )
    ),
    E(
        (
            "multi_margin_target_range",
            lambda m: _F(m).multi_margin_loss(_r(2, 3)(m), m.tensor([0, 3])),
        )
    ),
    E(
        (
            "multi_margin_target_size",
            lambda m: _F(m).multi_margin_loss(_r(2, 3)(m), m.tensor([0, 1, 1])),
        )
    ),
    E(
        (
            "multi_margin_target_2d",
            lambda m: _F(m).multi_margin_loss(_r(2, 3)(m), m.tensor([[0], [1]])),
        )
    ),
    E(("multi_margin_3d", lambda m: _F(m).multi_margin_loss(_r(2, 3, 2)(m), m.tensor([0, 1])))),
    E(
        (
            "multi_margin_empty_classes",
            lambda m: _F(m).multi_margin_loss(_r(2, 0)(m), m.tensor([0, 1])),
        )
    ),
    E(
        (
            "multi_margin_float_target",
            lambda m: _F(m).multi_margin_loss(_r(2, 3)(m), m.tensor([0.0, 1.0])),
        )
    ),
    E(
        (
            "multi_margin_weight_size",
            lambda m: _F(m).multi_margin_loss(_r(2, 3)(m), m.tensor([0, 1]), weight=_r(2)(m)),
        )
    ),
    E(
        (
            "multi_margin_int64",
            lambda m: _F(m).multi_margin_loss(m.ones(2, 3, dtype=m.int64), m.tensor([0, 1])),
        )
    ),
    E(
        (
            "multi_margin_reduction",
            lambda m: _F(m).multi_margin_loss(_r(2, 3)(m), m.tensor([0, 1]), reduction="x"),
        )
    ),
    E(
        (
            "multi_margin_weight_requiring_grad",
            lambda m: _F(m).multi_margin_loss(
                _r(2, 3)(m), m.tensor([0, 1]), weight=m.ones(3, requires_grad=True)
            ),
        )
    ),
    E(
        (
            "multi_margin_weight_dtype",
            lambda m: _F(m).multi_margin_loss(
                _r(2, 3)(m), m.tensor([0, 1]), weight=m.ones(3, dtype=m.float64)
            ),
        )
    ),
    E(
        (
            "multi_margin_create_graph_twice",
            lambda m: _second_of_margin(m, lambda x: _F(m).multi_margin_loss(x, m.tensor([0, 2]))),
        )
    ),
    E(
        (
            "multilabel_margin_target_size",
            lambda m: _F(m).multilabel_margin_loss(_r(2, 3)(m), m.tensor([[0, 1, -1]])),
        )
    ),
    E(
        (
            "multilabel_margin_3d",
            lambda m: _F(m).multilabel_margin_loss(_r(2, 3, 1)(m), m.zeros(2, 3, 1, dtype=m.int64)),
        )
    ),
    E(
        (
            "multilabel_margin_target_range",
            lambda m: _F(m).multilabel_margin_loss(_r(2, 3)(m), m.tensor([[0, -1, 3], [0, 1, 2]])),
        )
    ),
    E(
        (
            "multilabel_margin_target_below_minus_one",
            lambda m: _F(m).multilabel_margin_loss(_r(2, 3)(m), m.tensor([[0, -2, 1], [0, 1, 2]])),
        )
    ),
    E(
        (
            "multilabel_margin_float_target",
            lambda m: _F(m).multilabel_margin_loss(_r(2, 3)(m), m.zeros(2, 3)),
        )
    ),
    E(
        (
            "multilabel_margin_1d_size",
            lambda m: _F(m).multilabel_margin_loss(_r(3)(m), m.tensor([0, 1])),
        )
    ),
    E(
        (
            "multilabel_margin_int64",
            lambda m: _F(m).multilabel_margin_loss(
                m.ones(2, 3, dtype=m.int64), m.zeros(2, 3, dtype=m.int64)
            ),
        )
    ),
    E(
        (
            "multilabel_margin_create_graph_twice",
            lambda m: _second_of_margin(
                m, lambda x: _F(m).multilabel_margin_loss(x, m.tensor([[1, -1, 0], [2, 0, -1]]))
            ),
        )
    ),
    E(
        (
            "cosine_embedding_target_dims",
            lambda m: _F(m).cosine_embedding_loss(_r(2, 3)(m), _r(2, 3)(m), _r(2, 1)(m)),
        )
    ),
    E(
        (
            "cosine_embedding_0d_target_2d_inputs",
            lambda m: _F(m).cosine_embedding_loss(_r(2, 3)(m), _r(2, 3)(m), m.tensor(1.0)),
        )
    ),
    E(
        (
            "cosine_embedding_1d_target_1d_inputs",
            lambda m: _F(m).cosine_embedding_loss(_r(3)(m), _r(3)(m), _r(2)(m)),
        )
    ),
    E(
        (
            "cosine_embedding_shapes",
            lambda m: _F(m).cosine_embedding_loss(_r(2, 3)(m), _r(2, 4)(m), _r(2)(m)),
        )
    ),
    E(
        (
            "cosine_embedding_reduction",
            lambda m: _F(m).cosine_embedding_loss(
                _r(2, 3)(m), _r(2, 3)(m), _r(2)(m), reduction="x"
            ),
        )
    ),
    E(
        (
            "poisson_nll_reduction",
            lambda m: _F(m).poisson_nll_loss(_r(3)(m), _r(3)(m), reduction="x"),
        )
    ),
    E(("poisson_nll_shapes", lambda m: _F(m).poisson_nll_loss(_r(3)(m), _r(4)(m)))),
    E(
        (
            "gaussian_nll_negative_var",
            lambda m: _F(m).gaussian_nll_loss(_r(3)(m), _r(3)(m), -_r(3)(m)),
        )
    ),
    E(
        (
            "gaussian_nll_negative_float_var",
            lambda m: _F(m).gaussian_nll_loss(_r(3)(m), _r(3)(m), -1.0),
        )
    ),
    E(
        (
            "gaussian_nll_var_size",
            lambda m: _F(m).gaussian_nll_loss(_r(2, 3)(m), _r(2, 3)(m), _r(3, 3)(m)),
        )
    ),
    E(
        (
            "gaussian_nll_reduction",
            lambda m: _F(m).gaussian_nll_loss(_r(2, 3)(m), _r(2, 3)(m), _r(2, 3)(m), reduction="x"),
        )
    ),
]
ERRORS += [
    E(("polygamma_negative_n", lambda m: m.polygamma(-1, _r(3)(m)))),
    E(("polygamma_float_n", lambda m: m.polygamma(1.5, _r(3)(m)))),
    E(("polygamma_inplace_int", lambda m: m.arange(3).polygamma_(1))),
    E(("mvlgamma_p_0", lambda m: m.mvlgamma(_r(3)(m), 0))),
    E(("mvlgamma_bool", lambda m: m.mvlgamma(m.tensor([True]), 1))),
    E(("mvlgamma_bool_before_p", lambda m: m.mvlgamma(m.tensor([True]), 0))),
    E(("lgamma_inplace_int", lambda m: m.arange(3).lgamma_())),
    E(("erfinv_inplace_int", lambda m: m.arange(3).erfinv_())),
    E(("erfcx_half", lambda m: m.special.erfcx(m.ones(2, dtype=m.float16)))),
]
ERRORS_BY_NAME = dict(ERRORS)
assert len(ERRORS_BY_NAME) == len(ERRORS)
