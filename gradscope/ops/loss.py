"""Losses: nll_loss (nll_loss2d where samples have dims of their own) and mse_loss.

cross_entropy is log_softmax followed by nll_loss, or, against class probabilities, a few
table ops (``AddBackward1`` among them, in elementwise: the smoothing of the targets).

Each backward is also an op of its own under ``create_graph=True``, as in torch
(``NllLossBackwardBackward0``, ``NllLoss2DBackwardBackward0``, ``MseLossBackwardBackward0``).
"""

from __future__ import annotations

import numpy as np

from ..autograd.function import Function, apply
from ..backend import fp_quiet, xp_of
from ..errors import scalar_type_name, shape_str
from ._broadcast import cast_like, unbroadcast
from ._graph import cast_to, constant, sum_to, zeros_grad
from ._jvp import terms
from .activation import LogSigmoidBackward0
from .elementwise import AddBackward1, DivBackward1, LogitBackward0
from .reduce import _mean

# ---------------------------------------------------------------- nll_loss

# Log-probabilities come as (C,), (N, C) or (N, C, H, W), with the class on dim 1 (dim 0
# for one sample); the targets give one class per sample: (), (N,) or (N, H, W).


def _sample_shape(shape) -> tuple:
    """The shape of the samples of log-probabilities of ``shape``: every dim but the class."""
    return () if len(shape) == 1 else (shape[0],) + tuple(shape[2:])


def _at_targets(xp, shape, target, weight, ignore_index, dtype):
    """Where each sample's target class sits in log-probabilities of ``shape`` (an index
    tuple; class 0 where the target is ignored), each sample's weight (0 there), and
    which samples are kept."""
    samples = _sample_shape(shape)
    tg = target.reshape(samples)
    valid = tg != ignore_index
    safe = xp.where(valid, tg, 0)
    w = valid.astype(dtype) if weight is None else xp.where(valid, weight.reshape(-1)[safe], 0)
    index = list(xp.indices(samples))
    index.insert(min(1, len(shape) - 1), safe)
    return tuple(index), w, valid


def _nll_terms(u, target, weight, ignore_index):
    """Minus each sample's weighted target entry of ``u`` (0 where ignored), and the weights."""
    xp = xp_of(u)
    index, w, valid = _at_targets(xp, u.shape, target, weight, ignore_index, u.dtype)
    with fp_quiet():  # a -inf entry of class weight 0: NaN, as torch
        picked = -u[index] * w
    # where, not a product with the mask: an ignored sample's loss is 0, not -0 (nor NaN)
    return xp.where(valid, picked, 0).astype(u.dtype, copy=False), w


def _nll_picked(u, target, weight, ignore_index, reduction):
    """nll_loss of ``u`` (log-probabilities, or the gradient of its backward): minus the
    weighted target entries, reduced (a mean divides by the weights of the samples kept)."""
    picked, w = _nll_terms(u, target, weight, ignore_index)
    if reduction == "none":
        return picked
    s = picked.sum()
    if reduction == "mean":
        with fp_quiet():  # every target ignored: 0 / 0, NaN as in torch
            s = s / w.sum()
    return xp_of(u).asarray(s, dtype=u.dtype)


def _nll_backward(g, shape, dtype, target, weight, total_weight, reduction, ignore_index):
    """nll_loss's gradient for log-probabilities of ``shape``: ``-g`` (over the total
    weight for a mean, times the class weight) at each sample's target, zero elsewhere."""
    xp = xp_of(g)
    index, w, _ = _at_targets(xp, shape, target, weight, ignore_index, dtype)
    out = xp.zeros(shape, dtype=dtype)
    if reduction == "mean" and total_weight == 0:  # every target ignored: nothing to take
        return out
    scale = -(g / total_weight) if reduction == "mean" else -g
    out[index] = xp.where(w != 0, scale * w, 0)
    return out


class NllLossBackward0(Function):
    """Negative log-likelihood of class targets, run as ``(logp, target, weight or None)``
    on (C,) or (N, C) log-probabilities; saves self, target, total_weight (0 when nothing
    is reduced, as torch) and the class weights if any."""

    _name = "NllLossBackward0"
    _edges = 1  # the target and the weights get no edge, as in torch

    def forward(self, logp, target, weight, reduction, ignore_index):
        xp = xp_of(logp)
        picked, w = _nll_terms(logp, target, weight, ignore_index)
        total_weight = xp.asarray(0 if reduction == "none" else w.sum(), dtype=logp.dtype)
        self.reduction, self.ignore_index = reduction, ignore_index
        self.save(self=logp, target=target, total_weight=total_weight)
        if weight is not None:
            self.save(weight=weight)
        if reduction == "none":
            return picked
        s = picked.sum()
        if reduction == "mean":
            with fp_quiet():  # every target ignored: 0 / 0, NaN as in torch
                s = s / total_weight
        return xp.asarray(s, dtype=logp.dtype)

    def backward(self, g):
        logp = self.saved("self")
        weight = self.saved("weight") if "weight" in self._saved else None
        return (
            _nll_backward(
                g,
                logp.shape,
                logp.dtype,
                self.saved("target"),
                weight,
                self.saved("total_weight"),
                self.reduction,
                self.ignore_index,
            ),
        )

    def backward_graph(self, g):
        logp = self.saved_tensor("self")  # first: raises torch's error once released
        weight = self.saved("weight") if "weight" in self._saved else None
        args = (self.saved("target"), weight, self.saved("total_weight"))
        args += (self.reduction, self.ignore_index)
        return (apply(self._backward_op, (g, logp), *args),)

    def jvp(self, xs, out, tangents):
        t, target, weight = tangents[0], xs[1], xs[2]
        return _nll_picked(t, target, weight, self.ignore_index, self.reduction)


class NllLoss2DBackward0(NllLossBackward0):
    """nll_loss of (N, C, H, W) log-probabilities against (N, H, W) targets (torch runs
    other shapes with dims past the class on a (N, C, 1, -1) view of them)."""

    _name = "NllLoss2DBackward0"


class NllLossBackwardBackward0(Function):
    """nll_loss's backward as an op, run as ``(g, logp)``: linear in ``g``, whose gradient
    is nll_loss of ``u`` with the same targets, weights and reduction; it reads no value of
    ``logp``, whose gradient is zero (torch's ``zeros_like``)."""

    _name = "NllLossBackwardBackward0"

    def forward(self, g, logp, target, weight, total_weight, reduction, ignore_index):
        self.shape = logp.shape
        self.target, self.weight, self.total_weight = target, weight, total_weight
        self.reduction, self.ignore_index = reduction, ignore_index
        return _nll_backward(
            g, logp.shape, logp.dtype, target, weight, total_weight, reduction, ignore_index
        )

    def backward(self, u):
        ng, nl = self.needs_input_grad
        gg = None
        if ng:
            gg = _nll_picked(u, self.target, self.weight, self.ignore_index, self.reduction)
        return gg, xp_of(u).zeros(self.shape, u.dtype) if nl else None

    def backward_graph(self, u):
        ng, nl = self.needs_input_grad
        gg = None
        if ng:
            weight = None if self.weight is None else constant(self.weight)
            inputs = (u, constant(self.target), weight)
            gg = apply(self._forward_op, inputs, self.reduction, self.ignore_index)
        return gg, zeros_grad(self.shape, u) if nl else None

    def jvp(self, xs, out, tangents):
        tg = tangents[0]  # linear in g; logp's values are not read
        if tg is None:
            return None
        return _nll_backward(
            tg,
            self.shape,
            out.dtype,
            self.target,
            self.weight,
            self.total_weight,
            self.reduction,
            self.ignore_index,
        )


class NllLoss2DBackwardBackward0(NllLossBackwardBackward0):
    """nll_loss2d's backward as an op (see ``NllLossBackwardBackward0``)."""

    _name = "NllLoss2DBackwardBackward0"


# each loss node and the op its backward is under create_graph=True, and back
NllLossBackward0._backward_op = NllLossBackwardBackward0
NllLoss2DBackward0._backward_op = NllLoss2DBackwardBackward0
NllLossBackwardBackward0._forward_op = NllLossBackward0
NllLoss2DBackwardBackward0._forward_op = NllLoss2DBackward0


def check_target(logp_shape, target_shape, target_dtype) -> None:
    """torch's checks of the targets of ``nll_loss`` of (C,) or (N, C) log-probabilities,
    with its messages."""
    if len(target_shape) > 1:
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    _check_target_dtype(target_dtype)
    if len(logp_shape) == 2 and not target_shape:  # (of no samples, as torch reads it)
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    if len(logp_shape) == 2 and tuple(target_shape) != (logp_shape[0],):
        raise ValueError(
            f"Expected input batch_size ({logp_shape[0]}) to match target batch_size "
            f"({target_shape[0] if target_shape else 0})."
        )
    if len(logp_shape) == 1 and len(target_shape) == 1 and target_shape[0] != 1:
        raise ValueError(
            f"For 1D input, 1D target must have size 1, but got target size: {target_shape[0]}"
        )


def _check_target_dtype(dtype) -> None:
    if dtype not in (np.dtype(np.int64), np.dtype(np.uint8)):
        raise RuntimeError(
            f"expected target dtype to be Long or Byte, but got {scalar_type_name(dtype)}"
        )


def check_target_2d(logp_shape, target_shape, target_dtype, weight_numel) -> None:
    """torch's checks of ``nll_loss2d``: (N, C, H, W) log-probabilities, (N, H, W) targets
    of int64 and class weights of C elements, with its messages."""
    if len(target_shape) != 3:
        raise RuntimeError(
            "only batches of spatial targets supported (3D tensors) but got targets of "
            f"dimension: {len(target_shape)}"
        )
    _check_target_dtype(target_dtype)
    if weight_numel is not None and weight_numel != logp_shape[1]:
        raise RuntimeError("weight tensor should be defined either for all or no classes")
    n, _, h, w = logp_shape
    if (n, h, w) != tuple(target_shape):
        raise RuntimeError(
            f"size mismatch (got input: {shape_str(logp_shape)} , target: {shape_str(target_shape)}"
        )
    if target_dtype != np.dtype(np.int64):
        raise RuntimeError(f"expected scalar type Long but found {scalar_type_name(target_dtype)}")


# ---------------------------------------------------------------- mse_loss


class MseLossBackward0(Function):
    """Squared errors of ``a`` against ``target`` (which may broadcast), computed in
    ``dtype`` (torch's result type of the pair); saves both as they came."""

    _name = "MseLossBackward0"
    complex_rule = "conj"

    def forward(self, a, target, reduction, dtype):
        self.save(self=a, target=target)
        self.reduction = reduction
        self.shapes = (a.shape, target.shape)  # a target may broadcast against the input
        self.dtypes = (a.dtype, target.dtype)
        d = a.astype(dtype, copy=False) - target.astype(dtype, copy=False)
        sq = d * d
        if reduction == "none":
            return sq
        s = sq.sum() if reduction == "sum" else _mean(sq, None, False, sq.size)
        return xp_of(a).asarray(s, dtype=dtype)

    def backward(self, g):
        a, t = self.saved("self"), self.saved("target")
        d = _mse_backward(g, a, t, self.reduction)
        na, nt = self.needs_input_grad
        return (
            cast_like(unbroadcast(d, self.shapes[0]), self.dtypes[0]) if na else None,
            cast_like(unbroadcast(-d, self.shapes[1]), self.dtypes[1]) if nt else None,
        )

    def backward_graph(self, g):
        # as torch: the target's gradient is the same op with the operands swapped
        a, t = self.saved_tensor("self"), self.saved_tensor("target")
        na, nt = self.needs_input_grad
        ga = gt = None
        if na:
            ga = sum_to(apply(MseLossBackwardBackward0, (g, a, t), self.reduction), self.shapes[0])
        if nt:
            gt = sum_to(apply(MseLossBackwardBackward0, (g, t, a), self.reduction), self.shapes[1])
        return ga, gt

    def jvp(self, xs, out, tangents):
        (a, target), (ta, tt) = xs, tangents
        d = 2 * (a - target) * terms(ta, None if tt is None else -tt)
        if self.reduction != "none":
            d = d.sum() if self.reduction == "sum" else d.mean()
        return xp_of(out).asarray(d, dtype=out.dtype)


def _mse_backward(g, a, t, reduction):
    """mse_loss's gradient in ``a``: ``2 (a - t) g``, over the element count for a mean."""
    d = 2 * (a - t) * g
    return d / d.size if reduction == "mean" else d


class MseLossBackwardBackward0(Function):
    """mse_loss's backward as an op, ``2 (a - t) g`` (``/ n`` for a mean) in ``a``'s dtype,
    run as ``(g, a, t)``: the gradients are the same op on ``u`` summed to ``g``'s shape
    for ``g``, and ``2 u g`` (``/ n``) summed to each operand's shape, negated for ``t``."""

    _name = "MseLossBackwardBackward0"

    def forward(self, g, a, t, reduction):
        ng, na, nt = self.needs_input_grad
        self.reduction = reduction
        self.shapes = (g.shape, a.shape, t.shape)
        self.dtypes = (g.dtype, a.dtype, t.dtype)
        if ng:
            self.save(self=a, target=t)
        if na or nt:
            self.save(grad_output=g)
        out = cast_like(_mse_backward(g, a, t, reduction), a.dtype)
        self.numel = out.size
        return out

    def _scale(self, x):
        return x / self.numel if self.reduction == "mean" else x

    def backward(self, u):
        ng, na, nt = self.needs_input_grad
        gg = ga = gt = None
        if ng:
            gg = unbroadcast(
                _mse_backward(u, self.saved("self"), self.saved("target"), self.reduction),
                self.shapes[0],
            )
            gg = cast_like(gg, self.dtypes[0])
        if na or nt:
            c = self._scale(2 * u * self.saved("grad_output"))
            ga = cast_like(unbroadcast(c, self.shapes[1]), self.dtypes[1]) if na else None
            gt = cast_like(unbroadcast(-c, self.shapes[2]), self.dtypes[2]) if nt else None
        return gg, ga, gt

    def backward_graph(self, u):
        ng, na, nt = self.needs_input_grad
        gg = ga = gt = None
        if ng:
            a, t = self.saved_tensor("self"), self.saved_tensor("target")
            gg = apply(MseLossBackwardBackward0, (u, a, t), self.reduction)
            gg = cast_to(sum_to(gg, self.shapes[0]), self.dtypes[0])
        if na or nt:
            c = self._scale(2 * (u * self.saved_tensor("grad_output")))
            ga = cast_to(sum_to(c, self.shapes[1]), self.dtypes[1]) if na else None
            gt = cast_to(sum_to(-c, self.shapes[2]), self.dtypes[2]) if nt else None
        return gg, ga, gt

    def jvp(self, xs, out, tangents):
        (g, a, t), (tg, ta, tt) = xs, tangents
        terms_ = []
        if tg is not None:
            terms_.append(2 * (a - t) * tg)
        if ta is not None:
            terms_.append(2 * ta * g)
        if tt is not None:
            terms_.append(-2 * tt * g)
        total = terms(*terms_)
        if total is None:
            return None
        return xp_of(out).asarray(self._scale(total), dtype=out.dtype)


# ---------------------------------------------------------------- pointwise losses
# binary_cross_entropy(_with_logits), smooth_l1_loss and huber_loss: one term per element
# of an input and a target of one shape (the functional expands them first), reduced.


def _reduce(loss, reduction):
    """``loss`` summed, averaged (NaN over no elements, as torch) or left as it is."""
    if reduction == "none":
        return loss
    with fp_quiet():
        s = loss.sum() if reduction == "sum" else loss.sum() / loss.size
    return xp_of(loss).asarray(s, dtype=loss.dtype)


class _PairLoss(Function):
    """A pointwise loss of ``(input, target)`` computed in ``dtype`` and reduced.

    Subclasses give the terms (``_loss``) and their derivatives in the input and the
    target (``_grads``, on arrays); under ``create_graph`` each records torch's nodes.
    """

    _edges = 2
    weight = None  # the element weights of a weighted loss (binary cross-entropy's)

    def forward(self, x, t, reduction, dtype, *args):
        self.reduction, self.dtype = reduction, dtype
        self.dtypes, self.numel = (x.dtype, t.dtype), x.size
        self.save(self=x, target=t)
        self._args(*args)
        with fp_quiet():
            loss = self._loss(x.astype(dtype, copy=False), t.astype(dtype, copy=False))
        return _reduce(loss.astype(dtype, copy=False), reduction)

    def _scale(self, g):
        return g / self.numel if self.reduction == "mean" else g

    def backward(self, g):
        x, t = self.saved("self"), self.saved("target")
        nx, nt = self.needs_input_grad
        with fp_quiet():
            dx, dt = self._grads(x.astype(self.dtype, copy=False), t.astype(self.dtype, copy=False))
            g = self._scale(g)
            return (
                cast_like(dx * g, self.dtypes[0]) if nx else None,
                cast_like(dt * g, self.dtypes[1]) if nt else None,
            )

    # its backward as an op of its own under create_graph=True, as torch records it
    # (``SmoothL1LossBackwardBackward0``); a subclass without one has its own backward_graph
    _bb: type | None = None

    def backward_graph(self, g):
        # as torch: the target's gradient is the same op with the operands swapped
        x, t = self.saved_tensor("self"), self.saved_tensor("target")
        nx, nt = self.needs_input_grad
        args = (self.reduction, self._limit())
        return (
            cast_to(apply(self._bb, (g, x, t), *args), self.dtypes[0]) if nx else None,
            cast_to(apply(self._bb, (g, t, x), *args), self.dtypes[1]) if nt else None,
        )

    def _finish_graph(self, v, g):
        """``v * g``, weighted, over the element count for a mean: torch's order of ops."""
        v = v * g
        if self.weight is not None:
            v = v * constant(self.weight)
        return apply(DivBackward1, (v,), self.numel) if self.reduction == "mean" else v

    def jvp(self, xs, out, tangents):
        (x, t), (tx, tt) = xs, tangents
        with fp_quiet():
            dx, dt = self._grads(x.astype(self.dtype, copy=False), t.astype(self.dtype, copy=False))
            total = terms(None if tx is None else tx * dx, None if tt is None else tt * dt)
            return _reduce(total.astype(out.dtype, copy=False), self.reduction)


def _log_sigmoid(x):
    xp = xp_of(x)
    return xp.minimum(x, 0) - xp.log1p(xp.exp(-xp.abs(x)))


def _weighted(w, *terms_):
    return terms_ if w is None else tuple(d * w for d in terms_)


class BinaryCrossEntropyWithLogitsBackward0(_PairLoss):
    """``-w [p t log(sigmoid(x)) + (1 - t) log(1 - sigmoid(x))]`` of logits ``x``, with
    ``p`` the ``pos_weight``; saves the (unexpanded) weights given."""

    _name = "BinaryCrossEntropyWithLogitsBackward0"

    def _args(self, weight, pos_weight):
        self.weight, self.pos_weight = weight, pos_weight
        if weight is not None:
            self.save(weight=weight)
        if pos_weight is not None:
            self.save(pos_weight=pos_weight)

    def _loss(self, x, t):
        log_sigmoid = _log_sigmoid(x)
        if self.pos_weight is not None:
            log_sigmoid = log_sigmoid * ((self.pos_weight - 1) * t + 1)
        loss = (1 - t) * x - log_sigmoid
        return loss if self.weight is None else loss * self.weight

    def _grads(self, x, t):
        xp = xp_of(x)
        s = (xp.tanh(x * 0.5) + 1) * 0.5
        pw = self.pos_weight
        if pw is None:
            return _weighted(self.weight, s - t, -x)
        pt = pw * t
        return _weighted(
            self.weight, (pt + 1 - t) * s - pt, _log_sigmoid(-x) - pw * _log_sigmoid(x)
        )

    def jvp(self, xs, out, tangents):
        # torch's rule: both tangents taken, zero or not (an infinite logit times a zero
        # tangent gives NaN), and the target's factor as log_sigmoid(x) - x, not
        # log_sigmoid(-x) as in its backward
        (x, t), xp = xs, xp_of(out)
        tx, tt = (xp.zeros_like(v) if d is None else d for d, v in zip(tangents, xs))
        with fp_quiet():
            x, t = x.astype(self.dtype, copy=False), t.astype(self.dtype, copy=False)
            dx, _ = self._grads(x, t)
            ls = _log_sigmoid(x)
            dt = -x if self.pos_weight is None else (ls - x) - self.pos_weight * ls
            if self.weight is not None:
                dt = dt * self.weight
            return _reduce((tx * dx + tt * dt).astype(out.dtype, copy=False), self.reduction)

    def backward_graph(self, g):
        # torch's ops, in its order: (sigmoid(x) - t) or ((p t + 1 - t) sigmoid(x) - p t)
        # for x, -x or log_sigmoid(-x) - log_sigmoid(x) p for t; then * g (* w) (/ n)
        x, t = self.saved_tensor("self"), self.saved_tensor("target")
        nx, nt = self.needs_input_grad
        pw = None if self.pos_weight is None else constant(self.pos_weight)
        gx = gt = None
        if nx:
            if pw is None:
                dx = x.sigmoid() - t
            else:
                pt = pw * t
                dx = (apply(AddBackward1, (pt,), 1) - t) * x.sigmoid() - pt
            gx = cast_to(self._finish_graph(dx, g), self.dtypes[0])
        if nt:
            if pw is None:
                dt = -x
            else:
                dt = apply(LogSigmoidBackward0, (-x,)) - apply(LogSigmoidBackward0, (x,)) * pw
            gt = cast_to(self._finish_graph(dt, g), self.dtypes[1])
        return gx, gt


class BinaryCrossEntropyBackward0(_PairLoss):
    """``-w [t log(x) + (1 - t) log(1 - x)]`` of probabilities ``x``, each log clamped at
    -100; saves the weight, expanded to the target's shape."""

    _name = "BinaryCrossEntropyBackward0"

    def _args(self, weight):
        self.weight = weight
        if weight is not None:
            self.save(weight=weight)

    def _loss(self, x, t):
        xp = xp_of(x)
        loss = (t - 1) * xp.maximum(xp.log1p(-x), -100) - t * xp.maximum(xp.log(x), -100)
        return loss if self.weight is None else loss * self.weight

    def _grads(self, x, t):
        xp = xp_of(x)
        dx = (x - t) / xp.maximum((1 - x) * x, 1e-12)
        return _weighted(self.weight, dx, -xp.log(x / (1 - x)))

    def backward_graph(self, g):
        x, t = self.saved_tensor("self"), self.saved_tensor("target")
        nx, nt = self.needs_input_grad
        gx = gt = None
        if nx:
            gx = apply(BinaryCrossEntropyBackwardBackward0, (g, x, t), self.reduction, self.weight)
            gx = cast_to(gx, self.dtypes[0])
        if nt:  # torch's ops, in its order: -logit(x) * g (* w) (/ n)
            gt = self._finish_graph(-apply(LogitBackward0, (x,), None), g)
            gt = cast_to(gt, self.dtypes[1])
        return gx, gt


_BCE_EPS = 1e-12  # torch's, added to x and 1 - x in the second derivatives


class BinaryCrossEntropyBackwardBackward0(Function):
    """binary_cross_entropy's backward as an op, ``g (x - t) / max(x (1 - x), eps)`` (``w``,
    ``/ n``), run as ``(g, x, t)``: the gradients are ``(x - t) / (x' (1 - x)')`` times ``u``
    summed to ``g``'s shape for ``g``, ``u g (x^2 - 2 x t + t) / (x' (1 - x)')^2`` for ``x``
    and ``-u g / (x' (1 - x)')`` for ``t``, each weighted and over ``n`` for a mean (``x'``
    and ``(1 - x)'`` with torch's ``1e-12`` added)."""

    _name = "BinaryCrossEntropyBackwardBackward0"

    def forward(self, g, x, t, reduction, weight):
        self.reduction, self.weight = reduction, weight
        self.shapes, self.dtypes, self.numel = (
            (g.shape, x.shape, t.shape),
            (g.dtype, x.dtype, t.dtype),
            x.size,
        )
        self.save(self=x, target=t)
        if weight is not None:
            self.save(weight=weight)
        if self.needs_input_grad[1] or self.needs_input_grad[2]:
            self.save(grad_output=g)
        with fp_quiet():
            d = (x - t) / xp_of(x).maximum((1 - x) * x, _BCE_EPS)
            return cast_like(self._finish(d * g), x.dtype)

    def _finish(self, v):
        """``v`` weighted, and over the element count for a mean."""
        if self.weight is not None:
            v = v * self.weight
        return v / self.numel if self.reduction == "mean" else v

    def backward(self, u):
        x, t = self.saved("self"), self.saved("target")
        ng, nx, nt = self.needs_input_grad
        gg = gx = gt = None
        with fp_quiet():
            den = (x + _BCE_EPS) * (1 - x + _BCE_EPS)
            if ng:
                gg = self._finish(u * ((x - t) / den))
                gg = cast_like(unbroadcast(gg, self.shapes[0]), self.dtypes[0])
            if nx or nt:
                ug = u * self.saved("grad_output")
                if nx:
                    gx = self._finish(ug * ((x * x - 2 * x * t + t) / (den * den)))
                    gx = cast_like(gx, self.dtypes[1])
                if nt:
                    gt = cast_like(self._finish(-ug / den), self.dtypes[2])
        return gg, gx, gt

    def backward_graph(self, u):
        x, t = self.saved_tensor("self"), self.saved_tensor("target")
        ng, nx, nt = self.needs_input_grad
        gg = gx = gt = None
        den = (x + _BCE_EPS) * (1 - x + _BCE_EPS)
        w = None if self.weight is None else constant(self.weight)
        n = self.numel if self.reduction == "mean" else 1

        def finish(v):
            v = v if w is None else v * w
            return v / n if n != 1 else v

        if ng:
            gg = cast_to(sum_to(finish(u * ((x - t) / den)), self.shapes[0]), self.dtypes[0])
        if nx or nt:
            ug = u * self.saved_tensor("grad_output")
            if nx:
                gx = cast_to(finish(ug * ((x * x - 2 * x * t + t) / (den * den))), self.dtypes[1])
            if nt:
                gt = cast_to(finish(-ug / den), self.dtypes[2])
        return gg, gx, gt

    def jvp(self, xs, out, tangents):
        (g, x, t), (tg, tx, tt) = xs, tangents
        with fp_quiet():
            den = (x + _BCE_EPS) * (1 - x + _BCE_EPS)
            total = terms(
                None if tg is None else tg * ((x - t) / den),
                None if tx is None else tx * g * ((x * x - 2 * x * t + t) / (den * den)),
                None if tt is None else -tt * g / den,
            )
            return None if total is None else cast_like(self._finish(total), out.dtype)


class SmoothL1LossBackward0(_PairLoss):
    """``0.5 d**2 / beta`` where ``|d| < beta``, ``|d| - 0.5 beta`` elsewhere (``d = x - t``)."""

    _name = "SmoothL1LossBackward0"

    def _args(self, beta):
        self.beta = beta

    def _limit(self):
        return self.beta

    def _loss(self, x, t):
        xp = xp_of(x)
        z = xp.abs(x - t)
        return xp.where(z < self.beta, 0.5 * z * z / self.beta, z - 0.5 * self.beta)

    def _grads(self, x, t):
        xp = xp_of(x)
        d = x - t
        dx = xp.where(d <= -self.beta, -1, xp.where(d >= self.beta, 1, d / self.beta))
        dx = dx.astype(x.dtype, copy=False)
        return dx, -dx


class _ClippedBackwardBackward(Function):
    """The backward of a loss whose slope is the clipped difference (smooth_l1, huber) as
    an op, run as ``(g, a, b)`` with the reduction and the clip: ``c(a - b) g`` (``/ n``
    for a mean). The gradients are the same op on ``u`` summed to ``g``'s shape for ``g``,
    and ``u g c'(a - b)`` (``/ n``) for ``a``, negated for ``b``; ``c'`` is 0 where the
    difference is clipped (at the clip itself too, as torch)."""

    def forward(self, g, a, b, reduction, limit):
        self.reduction, self.limit = reduction, limit
        self.shapes, self.dtypes = (g.shape, a.shape, b.shape), (g.dtype, a.dtype, b.dtype)
        ng, na, nb = self.needs_input_grad
        self.save(self=a, target=b)
        if na or nb:
            self.save(grad_output=g)
        with fp_quiet():
            out = cast_like(self._clipped(a - b) * g, a.dtype)
        self.numel = out.size
        return self._scale(out)

    def _scale(self, x):
        return x / self.numel if self.reduction == "mean" else x

    def backward(self, u):
        a, b = self.saved("self"), self.saved("target")
        ng, na, nb = self.needs_input_grad
        gg = ga = gb = None
        with fp_quiet():
            d = a - b
            if ng:
                gg = cast_like(
                    unbroadcast(self._scale(self._clipped(d) * u), self.shapes[0]), self.dtypes[0]
                )
            if na or nb:
                c = self._scale(u * self.saved("grad_output") * self._slope(d))
                ga = cast_like(c, self.dtypes[1]) if na else None
                gb = cast_like(-c, self.dtypes[2]) if nb else None
        return gg, ga, gb

    def backward_graph(self, u):
        a, b = self.saved_tensor("self"), self.saved_tensor("target")
        ng, na, nb = self.needs_input_grad
        gg = ga = gb = None
        if ng:
            gg = apply(type(self), (u, a, b), self.reduction, self.limit)
            gg = cast_to(sum_to(gg, self.shapes[0]), self.dtypes[0])
        if na or nb:
            slope = constant(self._slope(a._data - b._data))
            c = self._scale(u * self.saved_tensor("grad_output") * slope)
            ga = cast_to(c, self.dtypes[1]) if na else None
            gb = cast_to(-c, self.dtypes[2]) if nb else None
        return gg, ga, gb

    def jvp(self, xs, out, tangents):
        (g, a, b), (tg, ta, tb) = xs, tangents
        d = a - b
        slope = self._slope(d)
        total = terms(
            None if tg is None else self._clipped(d) * tg,
            None if ta is None else ta * g * slope,
            None if tb is None else -tb * g * slope,
        )
        if total is None:
            return None
        return xp_of(out).asarray(self._scale(total), dtype=out.dtype)


class SmoothL1LossBackwardBackward0(_ClippedBackwardBackward):
    _name = "SmoothL1LossBackwardBackward0"

    def _clipped(self, d):
        return xp_of(d).clip(d / self.limit, -1, 1)

    def _slope(self, d):
        return (xp_of(d).abs(d) < self.limit).astype(d.dtype) / self.limit


class HuberLossBackwardBackward0(_ClippedBackwardBackward):
    _name = "HuberLossBackwardBackward0"

    def _clipped(self, d):
        return xp_of(d).clip(d, -self.limit, self.limit)

    def _slope(self, d):
        return (xp_of(d).abs(d) < self.limit).astype(d.dtype)


class HuberLossBackward0(_PairLoss):
    """``0.5 d**2`` where ``|d| < delta``, ``delta (|d| - 0.5 delta)`` elsewhere (``d = x - t``)."""

    _name = "HuberLossBackward0"

    def _args(self, delta):
        self.delta = delta

    def _limit(self):
        return self.delta

    def backward(self, g):
        if self.needs_input_grad[1] and self.dtypes[1] != self.dtype:
            # torch's kernel writes the target's gradient in the input's dtype
            raise RuntimeError(
                f"Found dtype {scalar_type_name(self.dtypes[1])} but expected "
                f"{scalar_type_name(self.dtype)}"
            )
        return super().backward(g)

    def _loss(self, x, t):
        xp = xp_of(x)
        z = xp.abs(x - t)
        return xp.where(z < self.delta, 0.5 * z * z, self.delta * (z - 0.5 * self.delta))

    def _grads(self, x, t):
        xp = xp_of(x)
        d = x - t
        dx = xp.where(d <= -self.delta, -self.delta, xp.where(d >= self.delta, self.delta, d))
        dx = dx.astype(x.dtype, copy=False)
        return dx, -dx


SmoothL1LossBackward0._bb = SmoothL1LossBackwardBackward0
HuberLossBackward0._bb = HuberLossBackwardBackward0
