"""``scaled_dot_product_attention`` as torch 2.13 records it on the CPU.

torch picks one of two paths, and gradscope picks the same one:

* the fused kernel, one ``ScaledDotProductFlashAttentionForCpuBackward0`` node that saves
  ``query``, ``key``, ``value``, ``output``, ``logsumexp`` (``(B, H, L)``, in float32 for
  half precisions) and the additive ``attn_mask``, when query, key and value are 4-D with
  the same batch, heads (or grouped heads with ``enable_gqa``) and head size, no dropout,
  non-empty sequences, a last dimension of stride 1, and a mask (if any) that does not
  require grad, 2-D or 4-D and broadcastable to ``(B, H, L, S)`` without growing;
* otherwise the math composite (``_scaled_dot_product_attention_math``): ``q * sqrt(s)``,
  ``matmul(q, k.mT * sqrt(s))``, the mask added in place, ``_safe_softmax`` (which gives 0
  for a row that is all ``-inf``), dropout as a product with a mask, ``matmul`` with ``v``.

The fused node's backward has no derivative of its own in torch: differentiating the
gradients it gives raises, and it has no forward mode.
"""

from __future__ import annotations

import math

import numpy as np

from .. import creation
from ..autograd.function import Function, apply
from ..backend import xp_of
from ..errors import cpp_type_name
from ..tensor import Tensor
from . import api
from ._graph import no_forward_mode
from .activation import SoftmaxBackward0, _quiet, _softmax
from .elementwise import MulBackward1, NotImplementedBackward

_FLASH = "_scaled_dot_product_flash_attention_for_cpu"


class SafeSoftmaxBackward0(SoftmaxBackward0):
    """``_safe_softmax``: softmax, with 0 for a row whose inputs are all ``-inf`` (where
    softmax gives NaN). Saves its result; its gradient and double backward are softmax's."""

    _name = "SafeSoftmaxBackward0"
    complex_rule = None  # not checked against torch, which refuses complex tensors

    def forward(self, a, dim):
        self.dim = dim
        out = _softmax(a, dim)
        if a.size == 0:
            return out
        xp = xp_of(a)
        masked = xp.all(xp.isneginf(a), axis=dim, keepdims=True)
        return xp.where(masked, xp.zeros((), out.dtype), out)


def safe_softmax(a, dim: int):
    """``torch._safe_softmax(a, dim)``."""
    return apply(SafeSoftmaxBackward0, (a,), dim % max(a.ndim, 1))


# -- the fused CPU kernel ------------------------------------------------------------


def _scores(q, k, mask, is_causal: bool, scale: float):
    """``q k^T * scale``, the mask added and the causal part set to ``-inf``, in the
    accumulation dtype (float32 for half precisions)."""
    xp = xp_of(q)
    acc = np.promote_types(q.dtype, np.float32)
    s = xp.matmul(q.astype(acc, copy=False), xp.swapaxes(k.astype(acc, copy=False), -1, -2))
    s *= acc.type(scale)
    if mask is not None:
        s = s + mask.astype(acc, copy=False)
    if is_causal:
        L, S = s.shape[-2:]
        keep = xp.tril(xp.ones((L, S), dtype=bool))
        s = xp.where(keep, s, acc.type(-np.inf))
    return s


def _repeat_heads(x, groups: int):
    return x if groups == 1 else xp_of(x).repeat(x, groups, axis=1)


def _sum_heads(g, groups: int):
    if groups == 1:
        return g
    b, h, s, e = g.shape
    return g.reshape(b, h // groups, groups, s, e).sum(axis=2)


class ScaledDotProductFlashAttentionForCpuBackward0(Function):
    """torch's fused CPU attention, run as ``(query, key, value, attn_mask)`` (the mask, or
    None, has no edge). Saves the inputs, the output and ``logsumexp``, the log of each
    query's softmax denominator (``(B, H, L)``; 0 for a row with nothing to attend to, whose
    output is 0)."""

    _name = "ScaledDotProductFlashAttentionForCpuBackward0"
    _edges = 3

    def forward(self, q, k, v, mask, is_causal, scale, groups):
        self.dropout_p, self.is_causal, self.scale = 0.0, is_causal, scale
        self.groups = groups
        s = _scores(q, _repeat_heads(k, groups), mask, is_causal, _scale(q, scale))
        xp = xp_of(s)
        with _quiet():
            top = s.max(axis=-1, keepdims=True)
            empty = xp.isneginf(top)
            top = xp.where(empty, xp.zeros((), s.dtype), top)
            p = xp.exp(s - top)
            total = p.sum(axis=-1, keepdims=True)
            lse = xp.where(empty, xp.zeros((), s.dtype), top + xp.log(total))
            p /= xp.where(empty, xp.ones((), s.dtype), total)
        # laid out as ``query`` is (torch's kernel writes into ``empty_like(query)``), so
        # that what reshapes the output is a view where it is one in torch
        out = xp.empty_like(q)
        out[...] = xp.matmul(p, _repeat_heads(v, groups).astype(p.dtype, copy=False))
        if True in self.needs_input_grad:
            self.save(query=q, key=k, value=v, output=out, logsumexp=lse[..., 0])
            if mask is None:
                self.attn_mask = None  # what ``_saved_attn_mask`` gives, as torch's
            else:
                self.save(attn_mask=mask)
        return out

    def _grads(self, g):
        q, k, v = self.saved("query"), self.saved("key"), self.saved("value")
        out, lse = self.saved("output"), self.saved("logsumexp")
        mask = self.saved("attn_mask") if "attn_mask" in self._saved else None
        groups, scale = self.groups, _scale(q, self.scale)
        kr, vr = _repeat_heads(k, groups), _repeat_heads(v, groups)
        s = _scores(q, kr, mask, self.is_causal, scale)
        xp = xp_of(s)
        acc = s.dtype
        with _quiet():
            p = xp.exp(s - lse[..., None])
            g_ = g.astype(acc, copy=False)
            gv = xp.matmul(xp.swapaxes(p, -1, -2), g_)
            gp = xp.matmul(g_, xp.swapaxes(vr.astype(acc, copy=False), -1, -2))
            d = (g_ * out.astype(acc, copy=False)).sum(axis=-1, keepdims=True)
            gs_ = p * (gp - d) * acc.type(scale)
            gq = xp.matmul(gs_, kr.astype(acc, copy=False))
            gk = xp.matmul(xp.swapaxes(gs_, -1, -2), q.astype(acc, copy=False))
        dt = q.dtype
        gk, gv = _sum_heads(gk, groups), _sum_heads(gv, groups)
        return gq.astype(dt, copy=False), gk.astype(dt, copy=False), gv.astype(dt, copy=False)

    def backward(self, g):
        gq, gk, gv = self._grads(g)
        nq, nk, nv = self.needs_input_grad[:3]
        return gq if nq else None, gk if nk else None, gv if nv else None

    def backward_graph(self, g):
        """The gradients as values under torch's ``NotImplemented`` node (over the incoming
        gradient, the inputs and the output, where they require grad): differentiating
        them raises, as in torch."""
        grads = self._grads(g._data)
        ins = [g, *(self.saved_tensor(s) for s in ("query", "key", "value", "output"))]
        ins = tuple(t for t in ins if type(t) is Tensor and t.requires_grad)
        op = _FLASH + "_backward"
        return tuple(
            apply(NotImplementedBackward, ins, op, gr) if need else None
            for gr, need in zip(grads, self.needs_input_grad[:3])
        )

    jvp = no_forward_mode(_FLASH)  # torch has no forward-mode rule for it


def _scale(q, scale) -> float:
    return 1.0 / math.sqrt(q.shape[-1]) if scale is None else float(scale)


# -- choosing the path -----------------------------------------------------------------


def _mask_fits(mask, q, k) -> bool:
    """torch's ``check_attn_mask_shape``."""
    if mask is None:
        return True
    if mask.requires_grad:
        return False
    b, h, L = q.shape[:3]
    S = k.shape[2]
    if mask.shape[-2] not in (L, 1) or mask.shape[-1] not in (S, 1):
        return False
    if mask.ndim == 2:
        return True
    return mask.ndim == 4 and mask.shape[0] in (1, b) and mask.shape[1] in (1, h)


def _heads_fit(q, k, v, enable_gqa: bool) -> bool:
    """torch's ``check_batch_size_and_num_heads_dense`` (grouped heads allowed)."""
    if not q.shape[0] == k.shape[0] == v.shape[0]:
        return False
    hq, hk, hv = q.shape[1], k.shape[1], v.shape[1]
    if enable_gqa:
        return hk == hv and hq % hk == 0
    return hq == hk == hv


def _uses_flash(q, k, v, mask, dropout_p, enable_gqa) -> bool:
    if dropout_p > 0.0 or not q.ndim == k.ndim == v.ndim == 4:
        return False
    return (
        _heads_fit(q, k, v, enable_gqa)
        and _mask_fits(mask, q, k)
        and q.shape[-1] == k.shape[-1] == v.shape[-1]
        # (torch's kernel reads the values along the keys' length: a different one is
        # left to the composite here, which refuses it)
        and k.shape[2] == v.shape[2]
        and q.shape[2] != 0
        and k.shape[2] != 0
        and all(t.ndim == 0 or t.stride(-1) == 1 for t in (q, k, v))
        and q.dtype == k.dtype == v.dtype
        and q._data.dtype.kind == "f"
    )


def _validate(q, k, v, mask) -> None:
    """torch's ``validate_sdpa_input``."""
    qd, kd, vd = (cpp_type_name(t._data.dtype) for t in (q, k, v))
    if not q._data.dtype == k._data.dtype == v._data.dtype:
        raise RuntimeError(
            "Expected query, key, and value to have the same dtype, but got query.dtype: "
            f"{qd} key.dtype: {kd} and value.dtype: {vd} instead."
        )
    if not (q.device == k.device == v.device):
        raise RuntimeError(
            "Expected query, key, and value to have the same device type, but got "
            f"query.device: {q.device} key.device: {k.device} and value.device: {v.device} "
            "instead."
        )
    if q.ndim < 2 or k.ndim < 2 or v.ndim < 2:
        raise RuntimeError(
            "Expected query, key, and value to all be  at least 2 dimensional, but got "
            f"query.dim: {q.ndim} key.dim: {k.ndim} and value.dim: {v.ndim} instead."
        )
    if mask is not None:
        md = mask._data.dtype
        if not (md == np.bool_ or md == np.float32 or md == q._data.dtype):
            raise RuntimeError(
                "Expected attn_mask dtype to be bool or float or to match query dtype, but "
                f"got attn_mask.dtype: {cpp_type_name(md)} and  query.dtype: {qd} instead."
            )


def _additive(mask, dtype):
    """A boolean mask as torch's additive one (0 where True, ``-inf`` elsewhere)."""
    if mask is None or mask._data.dtype != np.bool_:
        return mask
    m = mask._data
    xp = xp_of(m)
    return creation._leaf(xp.where(m, dtype.type(0), dtype.type(-np.inf)), False)


def scaled_dot_product_attention(
    query,
    key,
    value,
    attn_mask=None,
    dropout_p: float = 0.0,
    is_causal: bool = False,
    scale=None,
    enable_gqa: bool = False,
):
    """``softmax(query @ key.mT * scale + attn_mask) @ value``, with dropout on the
    weights; recorded as torch records it on the CPU (the fused node, or the composite)."""
    _validate(query, key, value, attn_mask)
    flash = _uses_flash(query, key, value, attn_mask, dropout_p, enable_gqa)
    mask = _additive(attn_mask, query._data.dtype)
    if flash:
        groups = query.shape[1] // key.shape[1]
        return apply(
            ScaledDotProductFlashAttentionForCpuBackward0,
            (query, key, value, mask),
            is_causal,
            scale,
            groups,
        )
    return _math(query, key, value, mask, dropout_p, is_causal, scale, enable_gqa)


def _gqa(q, k, v, enable_gqa: bool):
    if not enable_gqa:
        return k, v
    hq, hk, hv = q.shape[-3], k.shape[-3], v.shape[-3]
    if hq == hk == hv:
        return k, v
    if hq % hk or hq % hv:
        raise RuntimeError("Number of heads in key and value must divide the number of heads in ")
    return (
        api.repeat_interleave(k, hq // hk, -3),
        api.repeat_interleave(v, hq // hv, -3),
    )


def _check_in_place(shape, mask_shape) -> None:
    """torch's error for a mask that would grow the scores it is added to in place."""
    try:
        out = np.broadcast_shapes(tuple(shape), tuple(mask_shape))
    except ValueError:
        return  # (the add gives torch's error for sizes that do not broadcast)
    if out != tuple(shape):
        a, b = ", ".join(map(str, shape)), ", ".join(map(str, out))
        raise RuntimeError(f"output with shape [{a}] doesn't match the broadcast shape [{b}]")


def _math(q, k, v, mask, dropout_p, is_causal, scale, enable_gqa):
    """torch's ``_scaled_dot_product_attention_math``, op for op."""
    from ..nn.functional import dropout

    negative = scale is not None and scale < 0
    factor = math.sqrt(_scale(q, abs(scale) if negative else scale))
    query = apply(MulBackward1, (q,), -factor if negative else factor)
    if is_causal:
        if mask is not None:
            raise RuntimeError(
                "_scaled_dot_product_attention: Explicit attn_mask should not be set when "
                "is_causal=True"
            )
        L, S = query.shape[-2], k.shape[-2]
        xp = xp_of(query._data)
        dt = query._data.dtype
        keep = xp.tril(xp.ones((L, S), dtype=bool))
        mask = creation._leaf(xp.where(keep, dt.type(0), dt.type(-np.inf)), False)
    k, v = _gqa(query, k, v, enable_gqa)
    attn = api.matmul(query, apply(MulBackward1, (api.transpose(k, -2, -1),), factor))
    if mask is not None:
        # torch adds in place; gradscope's matmul output is a view of its product to
        # autograd (torch's ``_unsafe_view`` is not), where an in-place add would record
        # CopySlices: out of place, the same AddBackward0 over the same graph
        _check_in_place(attn.shape, mask.shape)
        attn = api.add(attn, mask)
    attn = safe_softmax(attn, -1)
    if dropout_p > 0.0:
        if dropout_p > 1.0:
            raise RuntimeError(
                f"dropout probability has to be between 0 and 1, but got {dropout_p}"
            )
        attn = dropout(attn, dropout_p, True)
    return api.matmul(attn, v)
