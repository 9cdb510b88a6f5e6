"""Matrix products: mm, mv, dot, bmm and addmm (what ``linear`` runs on).

Each saves an operand only when the other one requires grad, as torch does.
"""

from __future__ import annotations

from ..autograd.function import Function
from ..errors import cpp_type_name, refuse_kernel, scalar_type_name, shape_str
from ._broadcast import unbroadcast
from ._graph import sum_to
from ._jvp import terms


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


class AddmmBackward0(Function):
    """``bias + mat1 @ mat2`` in one node (``F.linear`` with a bias)."""

    _name = "AddmmBackward0"

    def forward(self, bias, a, b):
        if a.shape[1] != b.shape[0]:
            raise RuntimeError(
                f"mat1 and mat2 shapes cannot be multiplied ({a.shape[0]}x{a.shape[1]} and "
                f"{b.shape[0]}x{b.shape[1]})"
            )
        _no_bools("addmm_impl_cpu_", a)
        _, na, nb = self.needs_input_grad
        if na:
            self.save(mat2=b)
        if nb:
            self.save(mat1=a)
            self.mat2_t = _transposed(b)
        self.bias_shape = bias.shape
        self.alpha = self.beta = 1
        out = a @ b
        out += bias
        return out

    def backward(self, g):
        nbias, na, nb = self.needs_input_grad
        gbias = None
        if nbias:
            gbias = unbroadcast(g, self.bias_shape)
        ga = g @ self.saved("mat2").T if na else None
        gb = _mat2_grad(self.saved("mat1"), g, self.mat2_t) if nb else None
        return gbias, ga, gb

    def backward_graph(self, g):
        nbias, na, nb = self.needs_input_grad
        gbias = sum_to(g, self.bias_shape) if nbias else None
        ga = g.mm(self.saved_tensor("mat2").t()) if na else None
        gb = self.saved_tensor("mat1").t().mm(g) if nb else None
        return gbias, ga, gb

    def jvp(self, xs, out, tangents):
        (_, a, b), (tbias, ta, tb) = xs, tangents
        return terms(tbias, None if ta is None else ta @ b, None if tb is None else a @ tb)


def matmul_shape_error(a_shape, b_shape) -> str:
    """torch's message for operands ``@`` cannot multiply."""
    return (
        f"mat1 and mat2 shapes cannot be multiplied ({shape_str(a_shape)} and {shape_str(b_shape)})"
    )
