"""Matrix products: mm, mv, dot, bmm, and the fused ``beta * self + alpha * product``
forms addmm (what ``linear`` runs on), addmv, addr, baddbmm and addbmm.

Each saves an operand only when the other one requires grad, as torch does.
"""

from __future__ import annotations

from ..autograd.function import Function, apply
from ..backend import xp_of
from ..errors import cpp_type_name, refuse_kernel, scalar_type_name, shape_str
from ._broadcast import unbroadcast
from ._graph import cast_to, sum_to
from ._jvp import terms
from .elementwise import MulBackward1


def _transposed(b) -> bool:
    """True when ``b`` is the transpose of a C-ordered matrix (``W.t()`` in ``linear``)."""
    return not b.flags.c_contiguous and b.flags.f_contiguous


def same_dtype(kernel: str, a, b) -> None:
    """torch's error when the two operands of a product (arrays) differ in dtype; its
    kernels check after the shapes, but ``dot`` before them."""
    da, db = a.dtype, b.dtype
    if da == db:
        return
    if kernel == "dot":
        text = (
            "dot : expected both vectors to have same dtype, but found "
            f"{scalar_type_name(da)} and {scalar_type_name(db)}"
        )
    elif kernel == "mv":  # addmv lists (self, mat, vec), self taking the vector's dtype
        text = (
            f"addmv input tensors must have the same dtype, but got {scalar_type_name(db)}, "
            f"{scalar_type_name(da)}, and {scalar_type_name(db)}"
        )
    elif kernel == "bmm":
        text = f"expected scalar type {scalar_type_name(da)} but found {scalar_type_name(db)}"
    else:
        text = (
            "expected m1 and m2 to have the same dtype, but got: "
            f"{cpp_type_name(da)} != {cpp_type_name(db)}"
        )
    raise RuntimeError(text)


def _no_bools(kernel: str, a) -> None:
    """torch's products have no bool kernel: its error, named as on the CPU."""
    if a.dtype.kind == "b":
        refuse_kernel(kernel, a.dtype)


def _mat2_grad(a, g, transposed: bool):
    """``a.T @ g`` laid out like mat2, so that a weight used as ``W.t()`` gets a C-ordered
    gradient and ``.grad`` needs no transposing copy (torch does the same)."""
    if transposed:
        return (g.T @ a).T
    return a.T @ g


class MmBackward0(Function):
    _name = "MmBackward0"
    complex_rule = "conj"

    def forward(self, a, b):
        if a.shape[1] != b.shape[0]:
            raise RuntimeError(
                f"mat1 and mat2 shapes cannot be multiplied ({a.shape[0]}x{a.shape[1]} and "
                f"{b.shape[0]}x{b.shape[1]})"
            )
        same_dtype("mm", a, b)
        _no_bools("addmm_impl_cpu_", a)
        na, nb = self.needs_input_grad
        if na:
            self.save(mat2=b)
        if nb:
            self.save(self=a)
            self.mat2_t = _transposed(b)
        return a @ b

    def backward(self, g):
        na, nb = self.needs_input_grad
        ga = g @ self.saved("mat2").T if na else None
        gb = _mat2_grad(self.saved("self"), g, self.mat2_t) if nb else None
        return ga, gb

    def backward_graph(self, g):
        na, nb = self.needs_input_grad
        ga = g.mm(self.saved_tensor("mat2").t()) if na else None
        gb = self.saved_tensor("self").t().mm(g) if nb else None
        return ga, gb

    def jvp(self, xs, out, tangents):
        (a, b), (ta, tb) = xs, tangents
        return terms(None if ta is None else ta @ b, None if tb is None else a @ tb)


class MvBackward0(Function):
    _name = "MvBackward0"
    complex_rule = "conj"

    def forward(self, a, v):
        if a.shape[1] != v.shape[0]:
            raise RuntimeError(
                f"size mismatch, got input ({a.shape[0]}), mat ({a.shape[0]}x{a.shape[1]}), "
                f"vec ({v.shape[0]})"
            )
        same_dtype("mv", a, v)
        _no_bools("addmv_impl_cpu", a)
        na, nv = self.needs_input_grad
        if nv:
            self.save(self=a)
        if na:
            self.save(vec=v)
        return a @ v

    def backward(self, g):
        na, nv = self.needs_input_grad
        xp_outer = g[:, None] * self.saved("vec")[None, :] if na else None
        gv = self.saved("self").T @ g if nv else None
        return xp_outer, gv

    def backward_graph(self, g):
        na, nv = self.needs_input_grad
        ga = g.view(-1, 1) * self.saved_tensor("vec") if na else None
        gv = self.saved_tensor("self").t().mv(g) if nv else None
        return ga, gv

    def jvp(self, xs, out, tangents):
        (a, b), (ta, tb) = xs, tangents
        return terms(None if ta is None else ta @ b, None if tb is None else a @ tb)


class DotBackward0(Function):
    _name = "DotBackward0"
    complex_rule = "conj"

    def forward(self, a, b):
        same_dtype("dot", a, b)
        if a.shape[0] != b.shape[0]:
            raise RuntimeError(
                f"inconsistent tensor size, expected tensor [{a.shape[0]}] and src [{b.shape[0]}] to have the same "
                f"number of elements, but got {a.shape[0]} and {b.shape[0]} elements respectively"
            )
        _no_bools("dot", a)
        na, nb = self.needs_input_grad
        if nb:
            self.save(self=a)
        if na:
            self.save(tensor=b)
        return a @ b

    def backward(self, g):
        na, nb = self.needs_input_grad
        ga = g * self.saved("tensor") if na else None
        gb = g * self.saved("self") if nb else None
        return ga, gb

    def backward_graph(self, g):
        na, nb = self.needs_input_grad
        ga = g * self.saved_tensor("tensor") if na else None
        gb = g * self.saved_tensor("self") if nb else None
        return ga, gb

    def jvp(self, xs, out, tangents):
        (a, b), (ta, tb) = xs, tangents
        return terms(None if ta is None else ta @ b, None if tb is None else a @ tb)


class BmmBackward0(Function):
    _name = "BmmBackward0"
    complex_rule = "conj"

    def forward(self, a, b):
        if a.shape[0] != b.shape[0] or a.shape[2] != b.shape[1]:
            raise RuntimeError(
                f"Expected size for first two dimensions of batch2 tensor to be: "
                f"[{a.shape[0]}, {a.shape[2]}] but got: [{b.shape[0]}, {b.shape[1]}]."
            )
        same_dtype("bmm", a, b)
        _no_bools("bmm", a)
        na, nb = self.needs_input_grad
        if na:
            self.save(mat2=b)
        if nb:
            self.save(self=a)
        return a @ b

    def backward(self, g):
        na, nb = self.needs_input_grad
        ga = g @ self.saved("mat2").swapaxes(1, 2) if na else None
        gb = self.saved("self").swapaxes(1, 2) @ g if nb else None
        return ga, gb

    def backward_graph(self, g):
        na, nb = self.needs_input_grad
        ga = g.bmm(self.saved_tensor("mat2").transpose(1, 2)) if na else None
        gb = self.saved_tensor("self").transpose(1, 2).bmm(g) if nb else None
        return ga, gb

    def jvp(self, xs, out, tangents):
        (a, b), (ta, tb) = xs, tangents
        return terms(None if ta is None else ta @ b, None if tb is None else a @ tb)


def _times(x, s):
    """``x * s`` in ``x``'s dtype (torch's ``maybe_multiply``: nothing done for 1)."""
    if s == 1:
        return x
    if x.dtype.kind in "iu":  # torch casts the scalar to the integral type first
        s = int(s)
    out = x * s
    return out if out.dtype == x.dtype else out.astype(x.dtype)


def _plus(product, bias, beta, alpha):
    """``beta * bias + alpha * product`` (in the promoted dtype); a ``beta`` of 0 ignores
    ``bias``, whose nan and inf then do not spread, as in torch's kernels."""
    out = _times(product, alpha)
    if beta == 0:
        return out
    if bias.dtype.kind == "b" and out.dtype.kind == "b":
        return out | bias
    if out is not product or out.dtype != xp_of(out).result_type(out, bias):
        return out + _times(bias, beta)
    out += _times(bias, beta)  # in the fresh product: no second buffer
    return out


def _graph_times(t, s):
    """``maybe_multiply`` in the gradient's graph: torch's scalar product, ``MulBackward1``."""
    return t if s == 1 else apply(MulBackward1, (t,), s)


class _Fused(Function):
    """``beta * self + alpha * (product of two operands)``, run as ``(self, a, b)``; each
    operand is saved only when the other one requires grad, as torch does."""

    slots = ("", "")  # torch's names for the saved operands a and b
    in_dtypes = None  # the inputs' dtypes, where they differ from the result's

    def _save_operands(self, a, b, beta, alpha) -> None:
        _, na, nb = self.needs_input_grad
        sa, sb = self.slots
        if nb:
            self.save(**{sa: a})
        if na:
            self.save(**{sb: b})
        self.alpha, self.beta = alpha, beta

    def _operands(self):
        _, na, nb = self.needs_input_grad
        sa, sb = self.slots
        return (self.saved(sa) if nb else None), (self.saved(sb) if na else None)

    def _operand_tensors(self):
        _, na, nb = self.needs_input_grad
        sa, sb = self.slots
        return (self.saved_tensor(sa) if nb else None), (self.saved_tensor(sb) if na else None)

    def _self_grad(self, g):
        return unbroadcast(_times(g, self.beta), self.bias_shape)

    def _self_grad_graph(self, g):
        return sum_to(_graph_times(g, self.beta), self.bias_shape)

    def backward(self, g):
        nbias, na, nb = self.needs_input_grad
        a, b = self._operands()
        gbias = self._self_grad(g) if nbias else None
        ga = _times(self._grad_a(g, b), self.alpha) if na else None
        gb = _times(self._grad_b(g, a), self.alpha) if nb else None
        if self.in_dtypes is not None:  # (addr promotes): each in its input's dtype
            return tuple(
                x if x is None or x.dtype == d else x.astype(d)
                for x, d in zip((gbias, ga, gb), self.in_dtypes)
            )
        return gbias, ga, gb

    def backward_graph(self, g):
        nbias, na, nb = self.needs_input_grad
        a, b = self._operand_tensors()
        gbias = self._self_grad_graph(g) if nbias else None
        ga = _graph_times(self._graph_a(g, b), self.alpha) if na else None
        gb = _graph_times(self._graph_b(g, a), self.alpha) if nb else None
        if self.in_dtypes is not None:
            return tuple(
                x if x is None else cast_to(x, d) for x, d in zip((gbias, ga, gb), self.in_dtypes)
            )
        return gbias, ga, gb

    def jvp(self, xs, out, tangents):
        (_, a, b), (tbias, ta, tb) = xs, tangents
        return terms(
            None if tbias is None else _times(tbias, self.beta),
            None if ta is None else _times(self._product(ta, b), self.alpha),
            None if tb is None else _times(self._product(a, tb), self.alpha),
        )

    def _product(self, a, b):
        return a @ b


class AddmmBackward0(_Fused):
    """``beta * self + alpha * (mat1 @ mat2)`` in one node (also ``F.linear`` with a bias)."""

    _name = "AddmmBackward0"
    complex_rule = "conj"
    slots = ("mat1", "mat2")

    def forward(self, bias, a, b, beta=1, alpha=1):
        if a.shape[1] != b.shape[0]:
            raise RuntimeError(
                f"mat1 and mat2 shapes cannot be multiplied ({a.shape[0]}x{a.shape[1]} and "
                f"{b.shape[0]}x{b.shape[1]})"
            )
        _no_bools("addmm_impl_cpu_", a)
        self._save_operands(a, b, beta, alpha)
        if self.needs_input_grad[2]:
            self.mat2_t = _transposed(b)
        self.bias_shape = bias.shape
        return _plus(a @ b, bias, beta, alpha)

    def _grad_a(self, g, b):
        return g @ b.T

    def _grad_b(self, g, a):
        return _mat2_grad(a, g, self.mat2_t)

    def _graph_a(self, g, b):
        return g.mm(b.t())

    def _graph_b(self, g, a):
        return a.t().mm(g)


class AddmvBackward0(_Fused):
    """``beta * self + alpha * (mat @ vec)``."""

    _name = "AddmvBackward0"
    complex_rule = "conj"
    slots = ("mat", "vec")

    def forward(self, bias, a, v, beta=1, alpha=1):
        _no_bools("addmv_impl_cpu", a)
        self._save_operands(a, v, beta, alpha)
        self.bias_shape = bias.shape
        return _plus(a @ v, bias, beta, alpha)

    def _grad_a(self, g, v):
        return g[:, None] * v[None, :]

    def _grad_b(self, g, a):
        return a.T @ g

    def _graph_a(self, g, v):
        return g.view(-1, 1) * v

    def _graph_b(self, g, a):
        return a.t().mv(g)


class AddrBackward0(_Fused):
    """``beta * self + alpha * outer(vec1, vec2)``."""

    _name = "AddrBackward0"
    complex_rule = "conj"
    slots = ("vec1", "vec2")

    def forward(self, bias, a, b, beta=1, alpha=1, dtype=None):
        self._save_operands(a, b, beta, alpha)
        self.bias_shape = bias.shape
        if not bias.dtype == a.dtype == b.dtype:
            self.in_dtypes = (bias.dtype, a.dtype, b.dtype)
        if a.dtype.kind == "b":
            out = _plus(a[:, None] & b[None, :], bias, beta, alpha)
        else:
            out = _plus(self._product(a, b), bias, beta, alpha)
        return out if dtype is None or out.dtype == dtype else out.astype(dtype)

    def _product(self, a, b):
        return a[:, None] * b[None, :]

    def _grad_a(self, g, b):
        return g @ b

    def _grad_b(self, g, a):
        return g.T @ a

    def _graph_a(self, g, b):
        return g.mv(b)

    def _graph_b(self, g, a):
        return g.t().mv(a)


class BaddbmmBackward0(_Fused):
    """``beta * self + alpha * (batch1 @ batch2)``, batch by batch."""

    _name = "BaddbmmBackward0"
    complex_rule = "conj"
    slots = ("batch1", "batch2")

    def forward(self, bias, a, b, beta=1, alpha=1):
        _no_bools("baddbmm", a)
        self._save_operands(a, b, beta, alpha)
        self.bias_shape = bias.shape
        return _plus(a @ b, bias, beta, alpha)

    def _grad_a(self, g, b):
        return g @ b.swapaxes(1, 2)

    def _grad_b(self, g, a):
        return a.swapaxes(1, 2) @ g

    def _graph_a(self, g, b):
        return g.bmm(b.transpose(1, 2))

    def _graph_b(self, g, a):
        return a.transpose(1, 2).bmm(g)


class AddbmmBackward0(_Fused):
    """``beta * self + alpha * sum_i(batch1[i] @ batch2[i])``."""

    _name = "AddbmmBackward0"
    complex_rule = "conj"
    slots = ("batch1", "batch2")

    def forward(self, bias, a, b, beta=1, alpha=1):
        _no_bools("addmm_impl_cpu_", a)
        self._save_operands(a, b, beta, alpha)
        self.bias_shape = bias.shape
        self.batch1_sym_argsize_0, self.batch1_sym_argsize_1 = a.shape[0], a.shape[1]
        self.batch2_sym_argsize_2 = b.shape[2]
        return _plus(self._product(a, b), bias, beta, alpha)

    def _product(self, a, b):
        return (a @ b).sum(0)

    def _expanded(self, g):
        return xp_of(g).broadcast_to(g, (self.batch1_sym_argsize_0,) + g.shape)

    def _grad_a(self, g, b):
        return self._expanded(g) @ b.swapaxes(1, 2)

    def _grad_b(self, g, a):
        return a.swapaxes(1, 2) @ self._expanded(g)

    def _graph_expanded(self, g):
        n, m, p = self.batch1_sym_argsize_0, self.batch1_sym_argsize_1, self.batch2_sym_argsize_2
        return g.unsqueeze(0).expand(n, m, p)

    def _graph_a(self, g, b):
        return self._graph_expanded(g).bmm(b.transpose(1, 2))

    def _graph_b(self, g, a):
        return a.transpose(1, 2).bmm(self._graph_expanded(g))


def matmul_shape_error(a_shape, b_shape) -> str:
    """torch's message for operands ``@`` cannot multiply."""
    return (
        f"mat1 and mat2 shapes cannot be multiplied ({shape_str(a_shape)} and {shape_str(b_shape)})"
    )
