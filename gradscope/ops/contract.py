"""Contractions and products composed of other ops, as torch composes them: ``einsum``,
``tensordot``, ``inner``, ``vdot``, ``ger``, ``kron`` and ``chain_matmul``.

Each records the nodes torch records for it (permutes, views, ``bmm``/``mm``/``dot``,
sums), so that the graph a script builds shows what torch would show.

    >>> gs.einsum("ij,jk->ik", a, b).grad_fn.name()
    'ViewBackward0'
"""

from __future__ import annotations

import warnings
from collections import deque

from ..autograd.function import Function, apply
from ..errors import refuse_kernel
from ..events.callsite import user_stacklevel
from . import api as F
from . import linalg as L
from . import linalg_api as LA
from . import shape as S
from ._jvp import terms

# ---------------------------------------------------------------- einsum

_LETTERS = 26
_ELLIPSIS = 2 * _LETTERS  # the code of "..." among the labels 0..51 (A-Z, then a-z)
_ALPHA = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")


def _code(c: int) -> int:
    return c - 65 if c < 97 else c - 97 + _LETTERS


def _letter(s: int) -> str:
    return chr(s + 65) if s < _LETTERS else chr(s - _LETTERS + 97)


def _sublist_letter(n) -> str:
    if n is Ellipsis:
        return "..."
    if 0 <= n < _LETTERS:
        return chr(65 + n)
    if _LETTERS <= n < _ELLIPSIS:
        return chr(97 + n - _LETTERS)
    raise ValueError("einsum(): subscript in subscript list is not within the valid range [0, 52)")


def einsum(*args):
    """Einstein summation: ``einsum("ij,jk->ik", a, b)`` is ``a @ b``.

    The operands come as arguments or as one list; ``...`` stands for the dims no label
    names (broadcast between operands); without ``->`` the output is ``...`` and then the
    labels used once, in alphabetical order (upper case first); a label repeated in one
    operand takes its diagonal; labels absent from the output are summed. The sublist form
    ``einsum(a, [0, 1], b, [1, 2], [0, 2])`` works too.

    Recorded as torch records it: each operand's diagonals (``DiagonalBackward0`` and a
    ``PermuteBackward0``), its missing dims (``UnsqueezeBackward0``) and one
    ``PermuteBackward0`` to line the dims up; then, operand by operand from the left, dims
    used by one side only summed (``SumBackward1``) and each pair contracted as torch's
    ``sumproduct_pair`` does (``MulBackward0``, or permute, reshape, ``BmmBackward0``,
    view and permute); a final ``ViewBackward0`` drops the summed dims (``SumBackward1``
    for a single operand). This is torch's path without opt_einsum: with the opt_einsum
    package installed, torch contracts three or more operands in the order opt_einsum
    finds, and so does gradscope (``_einsum`` takes torch's ``path`` for that).
    """
    if len(args) < 2:
        raise ValueError(
            "einsum(): must specify the equation string and at least one operand, or at "
            "least one operand and its subscripts list"
        )
    if type(args[0]) is F.Tensor:
        equation = ",".join("".join(_sublist_letter(s) for s in sub) for sub in args[1::2])
        if len(args) % 2 == 1:
            equation += "->" + "".join(_sublist_letter(s) for s in args[-1])
            operands = args[:-1:2]
        else:
            operands = args[::2]
    else:
        equation, operands = args[0], args[1:]
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        return einsum(equation, *operands[0])
    if not isinstance(equation, str):
        raise TypeError(
            f"einsum(): argument 'equation' (position 1) must be str, not {type(equation).__name__}"
        )
    for i, t in enumerate(operands):
        if type(t) is not F.Tensor:
            raise TypeError(
                f"expected Tensor as element {i} in argument 1, but got {type(t).__name__}"
            )
    return _einsum(equation, list(operands), _opt_einsum_path(equation, operands))


def _opt_einsum_path(equation: str, operands) -> list | None:
    """torch's contraction order when the opt_einsum package is installed (three or more
    operands); None (left to right) without it."""
    if len(operands) <= 2:
        return None
    try:
        import opt_einsum
    except ImportError:
        return None
    path = opt_einsum.contract_path(equation, *[t._data for t in operands], optimize="auto")[0]
    return [i for pair in path for i in pair]


def _parse_operands(lhs: bytes, n: int) -> list:
    labels: list[list[int]] = [[] for _ in range(n)]
    ell_seen, cur, i = False, 0, 0
    while i < len(lhs):
        c = lhs[i]
        if c == 32:  # a space
            pass
        elif c == 46:  # "."
            if ell_seen:
                raise RuntimeError(
                    f"einsum(): found '.' for operand {cur} for which an ellipsis was already found"
                )
            if not (i + 2 < len(lhs) and lhs[i + 1] == 46 and lhs[i + 2] == 46):
                raise RuntimeError(
                    f"einsum(): found '.' for operand {cur} that is not part of any ellipsis"
                )
            i += 2
            labels[cur].append(_ELLIPSIS)
            ell_seen = True
        elif c == 44:  # ","
            cur += 1
            if cur >= n:
                raise RuntimeError(
                    "einsum(): fewer operands were provided than specified in the equation"
                )
            ell_seen = False
        else:
            if c not in _ALPHA:
                raise RuntimeError(
                    f"einsum(): invalid subscript given at index {i} in the equation string, "
                    "subscripts must be in [a-zA-Z]"
                )
            labels[cur].append(_code(c))
        i += 1
    if cur != n - 1:
        raise RuntimeError("einsum(): more operands were provided than specified in the equation")
    return labels


def _parse_output(rhs: bytes, offset: int, count: list, perm: list, ell_dims: int) -> tuple:
    """The output's labels placed in ``perm``; (dims placed, where ``...`` starts, whether
    it is there)."""
    at, ell_at, ell_out, i = 0, 0, False, 0
    while i < len(rhs):
        c = rhs[i]
        if c == 32:
            pass
        elif c == 46:
            if ell_out:
                raise RuntimeError(
                    "einsum(): found '.' for output but an ellipsis (...) was already found"
                )
            if not (i + 2 < len(rhs) and rhs[i + 1] == 46 and rhs[i + 2] == 46):
                raise RuntimeError(
                    "einsum(): found '.' for output that is not part of any ellipsis (...)"
                )
            i += 2
            ell_at, at, ell_out = at, at + ell_dims, True
        else:
            if c not in _ALPHA:
                raise RuntimeError(
                    f"einsum(): invalid subscript given at index {offset + i} in the equation "
                    "string, subscripts must be in [a-zA-Z]"
                )
            s = _code(c)
            if count[s] == 0 or perm[s] != -1:
                why = (
                    " appears more than once in the output"
                    if perm[s] > -1
                    else " does not appear in the equation for any input operand"
                )
                raise RuntimeError(f"einsum(): output subscript {chr(c)}{why}")
            perm[s] = at
            at += 1
        i += 1
    return at, ell_at, ell_out


def _einsum(equation: str, operands: list, path: list | None = None):
    """torch's ``at::einsum``: parse, line every operand up on the output's dims then the
    summed ones, and contract pairs (left to right, or in ``path``'s order)."""
    n = len(operands)
    if n == 0:
        raise RuntimeError("einsum(): must provide at least one operand")
    if path is not None:
        size = 1 if n == 1 else (n - 1) * 2
        if len(path) != size:
            raise RuntimeError(
                "einsum(): expected contraction path given in path parameter to have size "
                f"{size} but got {len(path)}"
            )
    eq = equation.encode()
    arrow = eq.find(b"->")
    lhs = eq if arrow < 0 else eq[:arrow]
    op_labels = _parse_operands(lhs, n)

    count = [0] * _ELLIPSIS
    ell_dims = 0  # the most dims any "..." covers
    for i, (t, labels) in enumerate(zip(operands, op_labels)):
        nd, nlabels, has_ell = t.ndim, len(labels), False
        for s in labels:
            if s == _ELLIPSIS:
                nlabels -= 1
                has_ell = True
                ell_dims = max(ell_dims, nd - nlabels)
            else:
                count[s] += 1
        if not (nlabels <= nd if has_ell else nlabels == nd):
            raise RuntimeError(
                f"einsum(): the number of subscripts in the equation ({nlabels}"
                + (
                    ") is more than the number of dimensions ("
                    if has_ell
                    else ") does not match the number of dimensions ("
                )
                + f"{nd}) for operand {i}"
                + ("" if has_ell else " and no ellipsis was given")
            )

    # where each label goes: the output's dims first, then the summed ones
    perm_of = [-1] * _ELLIPSIS
    if arrow < 0:  # implicit output: "..." then the labels used once, in order
        at, ell_at, ell_out = ell_dims, 0, True
        for s in range(_ELLIPSIS):
            if count[s] == 1:
                perm_of[s] = at
                at += 1
    else:
        at, ell_at, ell_out = _parse_output(eq[arrow + 2 :], len(lhs) + 2, count, perm_of, ell_dims)
    out_dims = at
    if not ell_out:
        ell_at, at = at, at + ell_dims
    for s in range(_ELLIPSIS):
        if count[s] > 0 and perm_of[s] == -1:
            perm_of[s] = at
            at += 1
    total = at

    label_size = [1] * _ELLIPSIS
    ell_sizes = [1] * ell_dims
    dim_counts = [0] * total  # per aligned dim, how many operands have it of size > 1
    ops: deque = deque()
    for i, (op, labels) in enumerate(zip(operands, op_labels)):
        permutation = [-1] * total
        dim = 0
        for s in labels:
            if s == _ELLIPSIS:
                covered = operands[i].ndim - (len(labels) - 1)
                for j in range(ell_dims - covered, ell_dims):
                    size = op.shape[dim]
                    if size != 1:
                        if ell_sizes[j] not in (1, size):
                            raise RuntimeError(
                                f"einsum(): dimension {dim} covered by ellipsis in operand "
                                f"{i}has size {size} which does not broadcast with previously "
                                f"seen ellipsis with size {ell_sizes[j]} for the respective "
                                "dimension"
                            )
                        ell_sizes[j] = size
                        dim_counts[ell_at + j] += 1
                    permutation[ell_at + j] = dim
                    dim += 1
            elif permutation[perm_of[s]] == -1:
                size = op.shape[dim]
                if size != 1:
                    if label_size[s] not in (1, size):
                        raise RuntimeError(
                            f"einsum(): subscript {_letter(s)} has size {size} for operand {i} "
                            f"which does not broadcast with previously seen size {label_size[s]}"
                        )
                    label_size[s] = size
                    dim_counts[perm_of[s]] += 1
                permutation[perm_of[s]] = dim
                dim += 1
            else:  # a repeated label: the diagonal, where the label was first
                prev = permutation[perm_of[s]]
                if op.shape[dim] != op.shape[prev]:
                    raise RuntimeError(
                        f"einsum(): subscript {_letter(s)} is repeated for operand {i} but the "
                        f"sizes don't match, {op.shape[dim]} != {op.shape[prev]}"
                    )
                op = F.movedim(F.diagonal(op, 0, prev, dim), -1, prev)
        for k, v in enumerate(permutation):  # the labels it lacks, as dims of size 1
            if v == -1:
                op = F.unsqueeze(op, dim)
                permutation[k] = dim
                dim += 1
        ops.append(F.permute(op, permutation))

    steps = iter(path or ())
    while len(ops) > 1:
        i, j = 0, 1
        if path is not None:
            i, j = next(steps), next(steps)
            if j < i:
                i, j = j, i
            if not (i != j and i >= 0 and j < len(ops)):
                why = (
                    ") cannot contract an operand with itself"
                    if i == j
                    else ") operand index is out of bounds"
                )
                raise RuntimeError(f"einsum(): invalid contraction ({i}, {j}{why}")
        a, b = ops[i], ops[j]
        del ops[j]
        del ops[i]
        sum_dims, a_sum, b_sum = [], [], []
        for d in range(out_dims, total):
            if a.shape[d] != 1 and b.shape[d] != 1:
                dim_counts[d] -= 1
                if dim_counts[d] == 1:
                    sum_dims.append(d)
                    dim_counts[d] = 0
            elif dim_counts[d] == 1:
                if a.shape[d] != 1:
                    a_sum.append(d)
                    dim_counts[d] = 0
                elif b.shape[d] != 1:
                    b_sum.append(d)
                    dim_counts[d] = 0
        if a_sum:
            a = F.sum(a, a_sum, True)
        if b_sum:
            b = F.sum(b, b_sum, True)
        if path is not None:
            ops.append(sumproduct_pair(a, b, sum_dims))
        else:
            ops.appendleft(sumproduct_pair(a, b, sum_dims))

    result = ops[0]
    if total > out_dims:
        if n > 1:  # the summed dims are all of size 1 by now
            return F.view(result, tuple(result.shape[:out_dims]))
        return F.sum(result, list(range(out_dims, total)))
    return result


def sumproduct_pair(left, right, sum_dims: list):
    """``(left * right).sum(sum_dims, keepdim=True)`` of two operands of as many dims, as
    torch's ``sumproduct_pair`` computes it: dims of both sides, of one side and summed
    flattened into one ``bmm``."""
    if not sum_dims:
        return F.mul(left, right)
    summed = set(sum_dims)
    lro, lo, ro = [], [], []
    lro_size = lo_size = ro_size = sum_size = 1
    for i in range(left.ndim):
        sl, sr = left.shape[i] != 1, right.shape[i] != 1
        if i in summed:
            if sl and sr:
                if left.shape[i] != right.shape[i]:
                    raise RuntimeError("non-broadcast dimensions must match")
                sum_size *= left.shape[i]
            elif sl:
                left = F.sum(left, i, True)
            elif sr:
                right = F.sum(right, i, True)
        elif sl and sr:
            if left.shape[i] != right.shape[i]:
                raise RuntimeError("non-broadcast dimensions must match")
            lro.append(i)
            lro_size *= left.shape[i]
        elif sl:
            lo.append(i)
            lo_size *= left.shape[i]
        else:
            ro.append(i)
            ro_size *= right.shape[i]
    if lo and ro and ro[-1] < lo[0]:  # torch's swap: the bmm then lays the output out in order
        left, right, lo, ro, lo_size, ro_size = right, left, ro, lo, ro_size, lo_size
    out_size = (
        [left.shape[d] for d in lro]
        + [left.shape[d] for d in lo]
        + [1] * len(sum_dims)
        + [right.shape[d] for d in ro]
    )
    lperm = lro + lo + sum_dims + ro
    rperm = lro + sum_dims + ro + lo
    operm = [0] * len(lperm)
    for k, d in enumerate(lperm):
        operm[d] = k
    left = F.reshape(F.permute(left, lperm), (lro_size, lo_size, sum_size))
    right = F.reshape(F.permute(right, rperm), (lro_size, sum_size, ro_size))
    return F.permute(F.view(F.bmm(left, right), tuple(out_size)), operm)


# ---------------------------------------------------------------- tensordot, inner, vdot


def tensordot(a, b, dims=2, out=None):
    """The sum of products of ``a`` and ``b`` over ``dims``: a number ``n`` (the last ``n``
    dims of ``a`` with the first ``n`` of ``b``) or two lists of dims.

    Recorded as torch records it: the operands permuted (``PermuteBackward0``; a dim of
    size 1 facing a larger one summed first, ``SumBackward1``), reshaped to matrices and
    multiplied (``MmBackward0``), the product reshaped to the result (``ViewBackward0``);
    contracted down to one element, a ``DotBackward0`` of the flattened operands where
    both are contiguous, else ``squeeze``, ``mul`` and ``sum``.
    """
    if out is not None:
        raise TypeError("tensordot(): gradscope has no out= tensors")
    if not isinstance(dims, (tuple, list, int, F.Tensor)) or isinstance(dims, bool):
        raise RuntimeError(
            "tensordot expects dims to be int or tuple[list[int], list[int]] or "
            f"list[list[int]] containing two lists, but got dims={dims}"
        )
    if isinstance(dims, (tuple, list)):
        dims_a, dims_b = dims
    elif isinstance(dims, F.Tensor):
        if dims.numel() > 1:
            dims_a, dims_b = dims[0].tolist(), dims[1].tolist()
        else:
            n = int(dims.item())
            if n < 0:
                raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
            dims_a, dims_b = list(range(-n, 0)), list(range(n))
    else:
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        if dims > min(a.ndim, b.ndim):
            raise RuntimeError(f"tensordot expects dims < ndim_a or ndim_b, but got dims={dims}")
        dims_a, dims_b = list(range(-dims, 0)), list(range(dims))
    for name, d in (("dims_self", dims_a), ("dims_other", dims_b)):
        if isinstance(d, int):
            raise TypeError(
                f"tensordot(): argument '{name}' (position {3 if name == 'dims_self' else 4}) "
                "must be tuple of ints, not int"
            )
    return _tensordot(a, b, list(dims_a), list(dims_b))


def _tensordot(a, b, dims1: list, dims2: list):
    """torch's ``at::tensordot`` on two lists of dims."""
    if len(dims1) != len(dims2):
        raise RuntimeError("both dimension lists should have same length")
    if a._data.dtype != b._data.dtype:
        raise RuntimeError("both inputs should have same dtype")
    t1, t2, csize = a, b, 1
    for d1, d2 in zip(dims1, dims2):
        s1, s2 = a.shape[F._dim(d1, a.ndim)], b.shape[F._dim(d2, b.ndim)]
        if s2 == 1:  # a broadcast dim: summed right away
            t1 = F.sum(t1, d1, True)
        elif s1 == 1:
            t2 = F.sum(t2, d2, True)
        else:
            if s1 != s2:
                raise RuntimeError(
                    f"contracted dimensions need to match, but first has size {s1} in dim {d1} "
                    f"and second has size {s2} in dim {d2}"
                )
            csize *= s1
    c1, c2 = _dim_set(dims1, a.ndim), _dim_set(dims2, b.ndim)
    keep1 = [i for i in range(a.ndim) if i not in c1]
    keep2 = [i for i in range(b.ndim) if i not in c2]
    rsizes = [t1.shape[i] for i in keep1] + [t2.shape[i] for i in keep2]
    size1 = size2 = 1
    for i in keep1:
        size1 *= t1.shape[i]
    for i in keep2:
        size2 *= t2.shape[i]
    t1 = F.permute(t1, keep1 + dims1)
    t2 = F.permute(t2, dims2 + keep2)
    if size1 == 1 and size2 == 1:  # down to one element: torch's dot, or mul and sum
        if t1._data.flags.c_contiguous and t2._data.flags.c_contiguous:
            r = F.dot(F.flatten(t1), F.flatten(t2))
        else:
            r = F.sum(F.mul(F.squeeze(t1), F.squeeze(t2)))
        return F.reshape(r, tuple(rsizes))
    t1 = F.reshape(t1, (size1, csize))
    t2 = F.reshape(t2, (csize, size2))
    return F.reshape(F.mm(t1, t2), tuple(rsizes))


def _dim_set(dims: list, ndim: int) -> set:
    """The dims listed (wrapped), with torch's error for one listed twice."""
    seen: set = set()
    for d in dims:
        d = F._dim(d, ndim)
        if d in seen:
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
        seen.add(d)
    return seen


def inner(input, other):  # noqa: A002 - torch's name
    """The sum of products over the last dim of both (a product where one is 0-dim)."""
    F._check_device(input, other)
    if input.ndim == 0 or other.ndim == 0:
        return F.mul(input, other)
    if input.shape[-1] != other.shape[-1]:
        raise RuntimeError(
            "inner() the last dimension must match on both input tensors but got shapes "
            f"{list(input.shape)} and {list(other.shape)}"
        )
    return _tensordot(input, other, [-1], [-1])


def vdot(input, other):  # noqa: A002 - torch's name
    """The dot product of two vectors, the first conjugated (a real tensor is its own
    conjugate): one ``VdotBackward0``."""
    if input.ndim != 1 or other.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {input.ndim}D and {other.ndim}D tensors")
    F._check_device(input, other)
    return apply(VdotBackward0, (input, other))


class VdotBackward0(Function):
    """``vdot``: ``dot`` with the first operand conjugated, which for real tensors is the
    same rule; saves ``other`` for the first operand's gradient and ``self`` for the
    second's, as torch does. Its rule is torch's for complex tensors too (``self``:
    ``conj(grad) * other``, ``other``: ``grad * self``)."""

    _name = "VdotBackward0"
    complex_rule = "as_is"

    def forward(self, a, b):
        L.same_dtype("dot", a, b)
        if a.shape[0] != b.shape[0]:
            raise RuntimeError(
                f"inconsistent tensor size, expected tensor [{a.shape[0]}] and src "
                f"[{b.shape[0]}] to have the same number of elements, but got {a.shape[0]} "
                f"and {b.shape[0]} elements respectively"
            )
        if a.dtype.kind == "b":
            refuse_kernel("dot", a.dtype)
        na, nb = self.needs_input_grad
        if na:
            self.save(other=b)
        if nb:
            self.save(self=a)
        return a.conj() @ b if a.dtype.kind == "c" else a @ b

    def backward(self, g):
        na, nb = self.needs_input_grad
        ga = None
        if na:
            ga = (g.conj() if g.dtype.kind == "c" else g) * self.saved("other")
        return (ga, g * self.saved("self") if nb else None)

    def backward_graph(self, g):
        na, nb = self.needs_input_grad
        ga = g * self.saved_tensor("other") if na else None
        gb = g * self.saved_tensor("self") if nb else None
        return ga, gb

    def jvp(self, xs, out, tangents):
        (a, b), (ta, tb) = xs, tangents
        if a.dtype.kind == "c":  # vdot(ta, b) + vdot(a, tb)
            ta = None if ta is None else ta.conj()
            a = a.conj()
        return terms(None if ta is None else ta @ b, None if tb is None else a @ tb)


def ger(input, vec2):  # noqa: A002 - torch's name
    """``outer``, under its older name (the same nodes)."""
    return F.outer(input, vec2)


# ---------------------------------------------------------------- kron, chain_matmul


def kron(input, other):  # noqa: A002 - torch's name
    """The Kronecker product: blocks ``input[i, j] * other``, for any number of dims.

    Recorded as torch records it: each operand viewed with interleaved dims of size 1
    (``UnsafeViewBackward0``), their broadcast product (``MulBackward0``) and the result's
    view (``UnsafeViewBackward0``).
    """
    nd = max(input.ndim, other.ndim)
    pa, pb = nd - input.ndim, nd - other.ndim
    a_shape, b_shape, shape = [], [], []
    for i in range(nd):
        sa = input.shape[i - pa] if i >= pa else 1
        sb = other.shape[i - pb] if i >= pb else 1
        a_shape += [sa, 1]
        b_shape += [1, sb]
        shape.append(sa * sb)
    a = apply(S.UnsafeViewBackward0, (input,), tuple(a_shape))
    b = apply(S.UnsafeViewBackward0, (other,), tuple(b_shape))
    product = F.mul(a, b)
    if not F._viewable(product._data, tuple(shape)):  # torch's error: the product is laid
        # out as a non-contiguous operand was, and torch views it
        raise RuntimeError(
            "view size is not compatible with input tensor's size and stride (at least one "
            "dimension spans across two contiguous subspaces). Use .reshape(...) instead."
        )
    return apply(S.UnsafeViewBackward0, (product,), tuple(shape))


_warned_chain_matmul = False


def chain_matmul(*matrices):
    """The product of matrices, in the cheapest order: ``linalg.multi_dot``'s, under its
    deprecated name (torch warns once a process; so does gradscope). One matrix gives its
    copy (``CloneBackward0``)."""
    global _warned_chain_matmul
    if not _warned_chain_matmul:
        _warned_chain_matmul = True
        warnings.warn(
            "torch.chain_matmul is deprecated and will be removed in a future PyTorch release. "
            "Use torch.linalg.multi_dot instead, which accepts a list of two or more tensors "
            "rather than multiple parameters.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
    for i, t in enumerate(matrices):
        if type(t) is not F.Tensor:
            raise TypeError(
                f"expected Tensor as element {i} in argument 0, but got {type(t).__name__}"
            )
    for t in matrices:
        if t.ndim != 2:
            raise RuntimeError(f"Tensor dimension is {t.ndim}, expected 2 instead.")
    if not matrices:
        raise RuntimeError("chain_matmul(): Expected one or more matrices")
    if len(matrices) == 1:
        return matrices[0].clone()
    return LA.multi_dot(list(matrices))
