"""torch's ``_trilinear``, which ``bilinear`` runs: three inputs, each unsqueezed at its
``expand`` dims, multiplied with broadcasting and summed over ``sumdim``. One
``TrilinearBackward0``, whose gradients are ``_trilinear`` again (so its second
derivative is the same node)."""

from __future__ import annotations

from ..autograd.function import Function, apply
from ..backend import xp_of
from ._jvp import terms

_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _sumproduct(left, right, sums):
    """torch's ``sumproduct_pair`` on full-rank operands (1 where expanded): a summed dim
    that only one operand has is summed in it first; the others are contracted after the
    product; summed dims are kept as 1."""
    xp = xp_of(left)
    both = []
    for d in sums:
        sl, sr = left.shape[d] != 1, right.shape[d] != 1
        if sl and sr:
            both.append(d)
        elif sl:
            left = left.sum(axis=d, keepdims=True)
        elif sr:
            right = right.sum(axis=d, keepdims=True)
    nd = left.ndim
    ls = [d for d in range(nd) if left.shape[d] != 1]
    rs = [d for d in range(nd) if right.shape[d] != 1]
    out = [d for d in range(nd) if d not in both and (d in ls or d in rs)]
    sub = "".join(_LETTERS[d] for d in ls) + "," + "".join(_LETTERS[d] for d in rs)
    r = xp.einsum(sub + "->" + "".join(_LETTERS[d] for d in out), _squeeze(left), _squeeze(right))
    shape = [1 if d in sums else max(left.shape[d], right.shape[d]) for d in range(nd)]
    return r.reshape(shape)


def _squeeze(a):
    return a.reshape([n for n in a.shape if n != 1])


def trilinear(i1, i2, i3, expand1, expand2, expand3, sumdim, unroll_dim: int = 1):
    """``sum(unsqueeze(i1, expand1) * unsqueeze(i2, expand2) * unsqueeze(i3, expand3),
    sumdim)`` in torch's order: ``i1`` with ``i2`` summed over the dims ``i3`` lacks, then
    with ``i3`` over the rest (``unroll_dim``, torch's loop, summed last)."""
    xp = xp_of(i1)
    nd = i1.ndim + len(expand1)
    i1, i2, i3 = (
        xp.expand_dims(a, tuple(e)) for a, e in ((i1, expand1), (i2, expand2), (i3, expand3))
    )
    sums = [d for d in sumdim if d != unroll_dim]
    s12 = [d for d in sums if d in expand3]
    s23 = [d for d in sums if d not in expand3]
    r = _sumproduct(_sumproduct(i1, i2, s12), i3, s23)
    if unroll_dim in sumdim:
        r = r.sum(axis=unroll_dim, keepdims=True)
    r = r + 0  # (torch adds into zeros: no -0)
    return r.reshape([n for d, n in enumerate(r.shape) if d not in sumdim]) if nd else r


class TrilinearBackward0(Function):
    """Saves ``i1``, ``i2`` and ``i3`` where another input's gradient needs them (as
    torch's ``wrap_opt_if``) and the dims lists as ``expand1`` ... ``sumdim``."""

    _name = "TrilinearBackward0"

    def forward(self, i1, i2, i3, expand1, expand2, expand3, sumdim):
        n1, n2, n3 = self.needs_input_grad
        keep = {"i1": n2 or n3, "i2": n1 or n3, "i3": n1 or n2}
        self.save(**{k: x for (k, need), x in zip(keep.items(), (i1, i2, i3)) if need})
        for k, need in keep.items():  # torch's ``_saved_i1`` ... is None where not saved
            if not need:
                self.__dict__[k] = None
        self.expand1, self.expand2, self.expand3 = tuple(expand1), tuple(expand2), tuple(expand3)
        self.sumdim = tuple(sumdim)
        return trilinear(i1, i2, i3, expand1, expand2, expand3, sumdim)

    def _grads(self, g, get, op):
        n1, n2, n3 = self.needs_input_grad
        e1, e2, e3, s = self.expand1, self.expand2, self.expand3, self.sumdim
        return (
            op(g, get("i2"), get("i3"), s, e2, e3, e1) if n1 else None,
            op(get("i1"), g, get("i3"), e1, s, e3, e2) if n2 else None,
            op(get("i1"), get("i2"), g, e1, e2, s, e3) if n3 else None,
        )

    def backward(self, g):
        return self._grads(g, self.saved, trilinear)

    def backward_graph(self, g):
        def op(a, b, c, *dims):
            return apply(TrilinearBackward0, (a, b, c), *dims)

        return self._grads(g, self.saved_tensor, op)

    def jvp(self, xs, out, tangents):
        i1, i2, i3 = xs
        t1, t2, t3 = tangents
        e = (self.expand1, self.expand2, self.expand3, self.sumdim)
        return terms(
            None if t1 is None else trilinear(t1, i2, i3, *e),
            None if t2 is None else trilinear(i1, t2, i3, *e),
            None if t3 is None else trilinear(i1, i2, t3, *e),
        )
