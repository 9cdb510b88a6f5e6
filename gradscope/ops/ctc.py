"""The connectionist temporal classification loss: torch's ``_ctc_loss`` node on the CPU.

``CtcLossBackward0`` is run as ``(log_probs, targets)`` on (T, N, C) log-probabilities
and int64 targets, either padded (N, S) or concatenated (sum of the target lengths,); the
targets get no edge. It gives each sample's negative log-likelihood (N,) and saves what
torch's node saves: ``log_probs``, ``targets``, ``result0`` (the losses) and ``result1``
(``log_alpha``, (N, T, 2 * S + 1), -inf where torch leaves it unwritten), with
``input_lengths``, ``target_lengths`` (tuples), ``blank`` and ``zero_infinity``.

Both recursions run in log space as torch's kernel writes them (the three terms of each
step summed after subtracting their maximum), vectorised over the batch and the
positions of the extended label sequence (the targets with a blank before, between and
after them), with a loop over time only. The gradient is with respect to
``log_probs``, as torch's ``ctc_loss_backward``: ``exp(log_probs) - exp(log(sum of
alpha * beta over the positions of label c) + nll - log_probs)``, times the incoming
gradient, up to each sample's input length, zero past it (and zero for a sample whose
loss is infinite with ``zero_infinity``). Like torch's, it assumes ``log_probs`` were
normalised (``log_softmax``): the ``exp(log_probs)`` term is the softmax's share, which
``log_softmax``'s backward cancels.

Under ``create_graph=True`` the gradient has torch's ``NotImplemented`` node, which
refuses a second backward; there is no forward mode, as in torch.
"""

from __future__ import annotations

import numpy as np

from ..autograd.function import Function, apply
from ..backend import fp_quiet, scatter_at, xp_of
from ._graph import no_forward_mode

_NEG_INF = -np.inf


def _logsumexp3(a, b, c):
    """``log(exp(a) + exp(b) + exp(c))`` as torch's kernel writes it: the maximum taken
    out (0 where all three are -inf)."""
    xp = xp_of(a)
    m = xp.maximum(xp.maximum(a, b), c)
    m = xp.where(m == _NEG_INF, 0, m)
    return xp.log(xp.exp(a - m) + xp.exp(b - m) + xp.exp(c - m)) + m


def _shift(a, k: int):
    """``a`` moved ``k`` positions along its last dim, -inf coming in (``k`` > 0: to
    higher positions; ``k`` < 0: to lower ones)."""
    xp = xp_of(a)
    out = xp.full(a.shape, _NEG_INF, dtype=a.dtype)
    if k > 0:
        out[..., k:] = a[..., :-k]
    else:
        out[..., :k] = a[..., -k:]
    return out


def _extended(xp, targets, target_lengths, batch: int, blank: int):
    """Each sample's extended labels (N, 2 * S + 1) (blank at even positions, blank
    too past its own length), which positions are its own (s <= 2 * length), and where
    the step from s - 2 is allowed (a label unlike the one two positions back)."""
    tl = xp.asarray(target_lengths, dtype=np.int64).reshape(batch)
    smax = max(target_lengths) if target_lengths else 0
    k = xp.arange(smax)
    if targets.ndim == 1:  # concatenated: each sample's run starts after the ones before
        starts = xp.cumsum(tl) - tl
        idx = xp.minimum(starts[:, None] + k, max(targets.shape[0] - 1, 0))
        labels = targets[idx] if targets.shape[0] else xp.zeros(idx.shape, np.int64)
    else:
        labels = targets[:, :smax]
    labels = xp.where(k < tl[:, None], labels, blank)
    ext = xp.full((batch, 2 * smax + 1), blank, dtype=np.int64)
    ext[:, 1::2] = labels
    pos = xp.arange(2 * smax + 1)
    own = pos <= 2 * tl[:, None]
    skip = xp.zeros(ext.shape, dtype=bool)
    skip[:, 2:] = ext[:, 2:] != ext[:, :-2]
    return ext, own, skip, tl


def _time_mask(xp, input_lengths, batch: int, steps: int):
    """(N, T): whether step t is within each sample's input."""
    il = xp.asarray(input_lengths, dtype=np.int64).reshape(batch)
    return xp.arange(steps) < il[:, None], il


def ctc_alpha(log_probs, targets, input_lengths, target_lengths, blank: int):
    """The negative log-likelihoods (N,) and ``log_alpha`` (N, T, 2 * S + 1)."""
    xp = xp_of(log_probs)
    steps, batch, _ = log_probs.shape
    ext, own, skip, tl = _extended(xp, targets, target_lengths, batch, blank)
    width = ext.shape[1]
    lpn = log_probs.transpose(1, 0, 2)  # (N, T, C)
    lpe = xp.take_along_axis(lpn, xp.broadcast_to(ext[:, None, :], (batch, steps, width)), 2)
    alpha = xp.full((batch, steps, width), _NEG_INF, dtype=log_probs.dtype)
    with fp_quiet():
        alpha[:, 0, 0] = lpe[:, 0, 0]
        if width > 1:
            alpha[:, 0, 1] = xp.where(tl > 0, lpe[:, 0, 1], _NEG_INF)
        for t in range(1, steps):
            prev = alpha[:, t - 1]
            la3 = xp.where(skip, _shift(prev, 2), _NEG_INF)
            cur = _logsumexp3(prev, _shift(prev, 1), la3) + lpe[:, t]
            alpha[:, t] = xp.where(own, cur, _NEG_INF)
        inside, il = _time_mask(xp, input_lengths, batch, steps)
        alpha = xp.where(inside[:, :, None], alpha, _NEG_INF)
        last = xp.take_along_axis(alpha, xp.maximum(il - 1, 0)[:, None, None], 1)[:, 0]
        l1 = xp.take_along_axis(last, (2 * tl)[:, None], 1)[:, 0]
        l2 = xp.take_along_axis(last, xp.maximum(2 * tl - 1, 0)[:, None], 1)[:, 0]
        l2 = xp.where(tl > 0, l2, _NEG_INF)
        m = xp.maximum(l1, l2)
        m = xp.where(m == _NEG_INF, 0, m)
        ll = xp.log(xp.exp(l1 - m) + xp.exp(l2 - m)) + m
        ll = xp.where(tl > 0, ll, l1)
        # no input: the empty target is certain, any other impossible
        ll = xp.where(il == 0, xp.where(tl == 0, 0, _NEG_INF), ll)
    return (-ll).astype(log_probs.dtype, copy=False), alpha


def ctc_grad(g, log_probs, targets, input_lengths, target_lengths, nll, alpha, blank, zero_inf):
    """torch's ``ctc_loss_backward``: the gradient of the losses (weighted by ``g``, (N,))
    with respect to ``log_probs``, by the beta recursion."""
    xp = xp_of(log_probs)
    steps, batch, classes = log_probs.shape
    ext, own, skip, tl = _extended(xp, targets, target_lengths, batch, blank)
    width = ext.shape[1]
    inside, il = _time_mask(xp, input_lengths, batch, steps)
    lpn = log_probs.transpose(1, 0, 2)
    lpe = xp.take_along_axis(lpn, xp.broadcast_to(ext[:, None, :], (batch, steps, width)), 2)
    beta = xp.full((batch, steps, width), _NEG_INF, dtype=log_probs.dtype)
    pos = xp.arange(width)
    # each sample starts at its last input step, in its last two positions
    start = (pos == 2 * tl[:, None]) | ((pos == 2 * tl[:, None] - 1) & (tl[:, None] > 0))
    skip_next = xp.zeros(ext.shape, dtype=bool)  # s -> s + 2 allowed
    skip_next[:, :-2] = skip[:, 2:]
    with fp_quiet():
        for t in range(steps - 1, -1, -1):
            at_end = (il - 1 == t)[:, None] & start
            cur = xp.full((batch, width), _NEG_INF, dtype=log_probs.dtype)
            if t + 1 < steps:
                nxt = beta[:, t + 1]
                lb3 = xp.where(skip_next, _shift(nxt, -2), _NEG_INF)
                cur = _logsumexp3(nxt, _shift(nxt, -1), lb3) + lpe[:, t]
                cur = xp.where(own & (t < il - 1)[:, None], cur, _NEG_INF)
            beta[:, t] = xp.where(at_end, lpe[:, t], cur)
        ab = xp.where(own[:, None, :], alpha + beta, _NEG_INF)  # (N, T, 2S+1)
        # torch's last step writes the blank's term, then the last label's over it (it
        # takes them to differ): where the last label is the blank, only its term counts
        last = xp.take_along_axis(ext, xp.maximum(2 * tl - 1, 0)[:, None], 1)[:, 0]
        hidden = (tl > 0) & (last == blank) & (il > 0)
        if bool(hidden.any()):
            b = xp.nonzero(hidden)[0]
            ab[b, il[b] - 1, 2 * tl[b]] = _NEG_INF
        # per label: log of the sum over its positions, the largest term taken out
        bi = xp.broadcast_to(xp.arange(batch)[:, None, None], ab.shape)
        ti = xp.broadcast_to(xp.arange(steps)[None, :, None], ab.shape)
        ci = xp.broadcast_to(ext[:, None, :], ab.shape)
        index = (bi.ravel(), ti.ravel(), ci.ravel())
        top = xp.full((batch, steps, classes), _NEG_INF, dtype=ab.dtype)
        scatter_at("max", top, index, ab.ravel())
        top = xp.where(top == _NEG_INF, 0, top)
        total = xp.zeros((batch, steps, classes), dtype=ab.dtype)
        scatter_at("add", total, index, xp.exp(ab - top[index].reshape(ab.shape)).ravel())
        lcab = xp.log(total) + top
        nl = nll[:, None, None]
        grad = (xp.exp(lpn) - xp.exp(lcab + nl - lpn)) * g[:, None, None]
    keep = inside[:, :, None]
    if zero_inf:
        keep = keep & (nll != np.inf)[:, None, None]
    grad = xp.where(keep, grad, 0).astype(log_probs.dtype, copy=False)
    return xp.ascontiguousarray(grad.transpose(1, 0, 2))


class CtcLossBackward0(Function):
    """Each sample's CTC loss, run as ``(log_probs, targets)`` (see the module's text)."""

    _name = "CtcLossBackward0"
    _edges = 1  # the targets get no edge, as in torch
    saves_output = "result0"

    def forward(self, log_probs, targets, input_lengths, target_lengths, blank, zero_infinity):
        nll, alpha = ctc_alpha(log_probs, targets, input_lengths, target_lengths, blank)
        self.input_lengths, self.target_lengths = tuple(input_lengths), tuple(target_lengths)
        self.blank, self.zero_infinity = blank, zero_infinity
        self.save(log_probs=log_probs, targets=targets, result1=alpha)
        return nll

    def backward(self, g):
        return (
            ctc_grad(
                g,
                self.saved("log_probs"),
                self.saved("targets"),
                self.input_lengths,
                self.target_lengths,
                self.saved("result0"),
                self.saved("result1"),
                self.blank,
                self.zero_infinity,
            ),
        )

    def backward_graph(self, g):
        # as torch: the gradient carries a node that refuses a second backward, with an
        # edge to each of its inputs that requires grad
        ins = (g, self.saved_tensor("log_probs"), self.saved_tensor("result0"))
        ins = tuple(t for t in ins if t.requires_grad)
        return (apply(_CtcLossBackwardNotImplemented, ins, g._data, self),)

    jvp = no_forward_mode("_ctc_loss")  # torch has no forward-mode rule for it


class _CtcLossBackwardNotImplemented(Function):
    """``log_probs``' gradient as an op, run on those of ``(grad, log_probs, result0)``
    that require grad: torch's ``NotImplemented`` node, which refuses a second backward."""

    _name = "NotImplemented"
    _namespace = "torch::autograd::"

    def forward(self, *args):
        g, node = args[-2], args[-1]
        return node.backward(g)[0]

    def backward(self, u):
        raise RuntimeError("derivative for aten::_ctc_loss_backward is not implemented")
