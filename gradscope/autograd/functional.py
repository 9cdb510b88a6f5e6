"""Jacobians, Hessians and their products with vectors, of a Python function of tensors
(``torch.autograd.functional``).

Each is built on ``grad``: a vector-Jacobian product is one backward; a Jacobian is one
backward per output element; a Jacobian-vector product is the "double backward trick"
(the backward is linear in its incoming gradient, so differentiating it with respect to
that gradient gives the forward product); a Hessian is the Jacobian of the gradient. So
every node and saved tensor they make goes through the engine and its events as any other.

As torch's, the functions take the inputs as a tensor or a tuple of tensors and give the
results in the same form; they run ``func`` on new tensors (detached from the caller's
graph unless ``create_graph=True``), and give detached results unless ``create_graph=True``.
An output that does not depend on an input gets zeros, or an error with ``strict=True``.
``vectorize=True`` is accepted and gives the same values (gradscope has no ``vmap``: the
rows are computed one at a time either way), with torch's batched forms: an input's blocks
are views of one tensor of all the outputs' rows, and outputs that require grad but have no
element at all are refused as torch's batched backward refuses them. The forward-mode
strategy gives its Jacobians in lists, as torch's does.
"""

from __future__ import annotations

from collections.abc import Callable

from ..tensor import Tensor
from . import forward_ad
from .grad_mode import enable_grad, is_grad_enabled, set_grad_enabled

__all__ = ["hessian", "hvp", "jacobian", "jvp", "vhp", "vjp"]

_STRATEGIES = ("forward-mode", "reverse-mode")


def _as_tuple(value, what: str, fn_name: str) -> tuple[bool, tuple]:
    """Whether ``value`` was a tuple, and its tensors as a tuple (torch's TypeError for
    anything else)."""
    was_tuple = isinstance(value, tuple)
    values = value if was_tuple else (value,)
    for i, v in enumerate(values):
        if not isinstance(v, Tensor):
            where = f"value at index {i}" if was_tuple else f"given {what}"
            raise TypeError(
                f"The {what} given to {fn_name} must be either a Tensor or a tuple of "
                f"Tensors but the {where} has type {type(v)}."
            )
    return was_tuple, values


def _unpack(values: tuple, was_tuple: bool):
    """``values`` in the form the caller gave: a tuple, or its one tensor."""
    return values if was_tuple else values[0]


def _unpack2(values: tuple, outer: bool, inner: bool):
    """A tuple of tuples (by output, then by input) in the form the caller gave."""
    if not inner:
        values = tuple(v[0] for v in values)
    return values if outer else values[0]


def _fresh(tensors: tuple, create_graph: bool, need_graph: bool) -> tuple:
    """New tensors for ``tensors``, so that ``func``'s own captured tensors are told apart
    from its arguments: a differentiable view where the caller's graph is to be kept,
    else a detached tensor that requires grad as ``need_graph`` says."""
    return tuple(
        t.view_as(t) if create_graph and t.requires_grad else t.detach().requires_grad_(need_graph)
        for t in tensors
    )


def _released(values: tuple, create_graph: bool) -> tuple:
    """``values`` (tensors, or tuples of them) without their graph unless it was asked for."""
    if create_graph:
        return values
    if values and isinstance(values[0], Tensor):
        return tuple(v.detach() for v in values)
    return tuple(_released(v, create_graph) for v in values)


def _check_v(v: tuple, like: tuple, like_is_tuple: bool) -> None:
    """``v`` has one tensor per tensor of ``like``, of the same size."""
    if len(v) != len(like):
        if like_is_tuple:
            raise RuntimeError(
                f"v is a tuple of invalid length: should be {len(like)} but got {len(v)}."
            )
        raise RuntimeError("The given v should contain a single Tensor.")
    for i, (a, b) in enumerate(zip(v, like)):
        if a.size() != b.size():
            entry = f"Entry {i} in " if like_is_tuple else ""
            raise RuntimeError(
                f"{entry}v has invalid size: should be {b.size()} but got {a.size()}."
            )


_STRICT_NEEDS_GRAD = {
    "outputs": (
        "Output {i} of the user-provided function does not require gradients. The outputs "
        "must be computed in a differentiable manner from the input when running in strict "
        "mode."
    ),
    "grad_inputs": (
        "The gradient with respect to input {i} is independent of the inputs of the "
        "user-provided function. This is not allowed in strict mode."
    ),
    "jacobian": (
        "While computing the hessian, found that the jacobian of the user-provided function "
        "with respect to input {i} is independent of the input. This is not allowed in "
        "strict mode. You should ensure that your function is twice differentiable and that "
        "the jacobian depends on the inputs (this would be violated by a linear function for "
        "example)."
    ),
    "hessian": (
        "The hessian of the user-provided function with respect to input {i} is independent "
        "of the input. This is not allowed in strict mode. You should ensure that your "
        "function is thrice differentiable and that the hessian depends on the inputs."
    ),
}


def _check_strict(values: tuple, kind: str, strict: bool) -> None:
    """With ``strict``, every one of ``values`` exists and requires grad."""
    if not strict:
        return
    for i, v in enumerate(values):
        if v is None:
            raise RuntimeError(
                f"The output of the user-provided function is independent of input {i}. "
                "This is not allowed in strict mode."
            )
        if not v.requires_grad:
            raise RuntimeError(_STRICT_NEEDS_GRAD[kind].format(i=i))


def _grad(outputs: tuple, inputs: tuple, grad_outputs=None, **kw) -> tuple:
    """``grad`` of the outputs that require grad (None for every input when none does)."""
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    pairs = [(o, g) for o, g in zip(outputs, grad_outputs) if o is not None and o.requires_grad]
    if not pairs:
        return (None,) * len(inputs)
    from . import grad

    outs, gos = zip(*pairs)
    return grad(outs, inputs, gos, allow_unused=True, **kw)


_STRICT_UNUSED = {
    "back": "The output of the user-provided function is independent of input {i}. This is "
    "not allowed in strict mode.",
    "back_trick": "The gradient with respect to the input is independent of entry {i} in the "
    "grad_outputs when using the double backward trick to compute forward mode gradients. "
    "This is not allowed in strict mode.",
    "double_back": "The jacobian of the user-provided function is independent of input {i}. "
    "This is not allowed in strict mode.",
    "double_back_trick": "The hessian of the user-provided function is independent of entry "
    "{i} in the grad_jacobian. This is not allowed in strict mode as it prevents from using "
    "the double backward trick to replace forward mode AD.",
}


def _zeros_for_none(grads: tuple, refs: tuple, strict: bool, create_graph: bool, stage: str):
    """``grads`` with zeros (shaped as ``refs``) for the ones that do not exist; with
    ``strict``, an error instead, and one for a gradient without a graph of its own where
    ``create_graph`` asked for one."""
    from ..creation import zeros_like

    out = []
    for i, g in enumerate(grads):
        if g is None:
            if strict:
                raise RuntimeError(_STRICT_UNUSED[stage].format(i=i))
            g = zeros_like(refs[i])
        elif strict and create_graph and not g.requires_grad:
            what = "hessian" if "double" in stage else "jacobian"
            raise RuntimeError(
                f"The {what} of the user-provided function is independent of input {i}. "
                "This is not allowed in strict mode when create_graph=True."
            )
        out.append(g)
    return tuple(out)


def _single_element(values: tuple, what: str) -> None:
    if len(values) != 1 or values[0].nelement() != 1:
        raise RuntimeError(f"The vector v can only be None if {what}")


def _call(func: Callable, inputs: tuple, fn_name: str, strict: bool) -> tuple[bool, tuple]:
    """``func(*inputs)`` as a tuple of tensors, checked."""
    was_tuple, outputs = _as_tuple(func(*inputs), "outputs of the user-provided function", fn_name)
    _check_strict(outputs, "outputs", strict)
    return was_tuple, outputs


def _one_scalar(was_tuple: bool, outputs: tuple, fn_name: str) -> None:
    """The function given to ``hessian``/``vhp``/``hvp`` returns one one-element tensor."""
    if was_tuple:
        raise RuntimeError(f"The function given to {fn_name} should return a single Tensor")
    if outputs[0].nelement() != 1:
        raise RuntimeError(
            f"The Tensor returned by the function given to {fn_name} should contain a "
            "single element"
        )


def _vector(v, like: tuple, like_is_tuple: bool, fn_name: str, create_graph: bool, none_msg: str):
    """The caller's ``v`` as a tuple shaped as ``like`` (None only where ``like`` is one
    one-element tensor)."""
    if v is None:
        _single_element(like, none_msg)
        return None
    _, v = _as_tuple(v, "v", fn_name)
    v = _fresh(v, create_graph, need_graph=False)
    _check_v(v, like, like_is_tuple)
    return v


def _last_backward(out, of, wrt, v, like, strict: bool, create_graph: bool, stage: str):
    """A product's last backward, the gradient of ``of`` with respect to ``wrt`` weighted
    by ``v`` (in the caller's grad mode, unless ``create_graph``), and the function's
    outputs and that product in the forms the caller gave (``out`` and ``like``: tensors
    and whether they came as a tuple)."""
    (outputs, outputs_tuple), (refs, refs_tuple) = out, like
    with set_grad_enabled(create_graph or is_grad_enabled()):
        grads = _grad(of, wrt, v, create_graph=create_graph)
        result = _zeros_for_none(grads, refs, strict, create_graph, stage)
    return (
        _unpack(_released(outputs, create_graph), outputs_tuple),
        _unpack(_released(result, create_graph), refs_tuple),
    )


_V_FOR_OUTPUT = "the user-provided function returns a single Tensor with a single element."
_V_FOR_INPUT = "the input to the user-provided function is a single Tensor with a single element."


def vjp(func: Callable, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """``(func(inputs), v @ J)``: the vector-Jacobian product of ``func`` at ``inputs``,
    one backward."""
    with enable_grad():
        inputs_tuple, inputs = _as_tuple(inputs, "inputs", "vjp")
        inputs = _fresh(inputs, create_graph, need_graph=True)
        outputs_tuple, outputs = _call(func, inputs, "vjp", strict)
        v = _vector(v, outputs, outputs_tuple, "vjp", create_graph, _V_FOR_OUTPUT)
    out = (outputs, outputs_tuple)
    return _last_backward(
        out, outputs, inputs, v, (inputs, inputs_tuple), strict, create_graph, "back"
    )


def jvp(func: Callable, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """``(func(inputs), J @ v)``: the Jacobian-vector product of ``func`` at ``inputs``,
    by the double backward trick."""
    from ..creation import zeros_like

    with enable_grad():
        inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jvp")
        inputs = _fresh(inputs, create_graph, need_graph=True)
        v = _vector(v, inputs, inputs_tuple, "jvp", create_graph, _V_FOR_INPUT)
        outputs_tuple, outputs = _call(func, inputs, "jvp", strict)
        # the backward is linear in these, so their values do not matter (zeros: finite)
        dummies = tuple(zeros_like(o, requires_grad=True) for o in outputs)
        grad_inputs = _grad(outputs, inputs, dummies, create_graph=True)
        _check_strict(grad_inputs, "grad_inputs", strict)
    out = (outputs, outputs_tuple)
    stage = "back_trick"
    return _last_backward(out, grad_inputs, dummies, v, out, strict, create_graph, stage)


def jacobian(
    func: Callable,
    inputs,
    create_graph: bool = False,
    strict: bool = False,
    vectorize: bool = False,
    strategy: str = "reverse-mode",
):
    """The Jacobian of ``func`` at ``inputs``: for output ``i`` and input ``j``, a tensor
    of shape ``output_i.shape + input_j.shape`` (nested as the caller's tuples are).

    ``strategy="reverse-mode"`` runs one backward per output element;
    ``"forward-mode"`` (which needs ``vectorize=True``, as torch's) one forward-mode pass
    per input element.
    """
    if strategy not in _STRATEGIES:
        raise AssertionError(
            'Expected strategy to be either "forward-mode" or "reverse-mode". Hint: If your '
            'function has more outputs than inputs, "forward-mode" tends to be more '
            'performant. Otherwise, prefer to use "reverse-mode".'
        )
    if strategy == "forward-mode":
        if create_graph:
            raise NotImplementedError(
                "torch.autograd.functional.jacobian: `create_graph=True` and "
                '`strategy="forward-mode"` are not supported together (yet). Please either '
                'set `create_graph=False` or `strategy="reverse-mode"`.'
            )
        return _jacobian_forward(func, inputs, strict, vectorize)
    with enable_grad():
        inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jacobian")
        inputs = _fresh(inputs, create_graph, need_graph=True)
        outputs_tuple, outputs = _call(func, inputs, "jacobian", strict)
        if vectorize and strict:
            raise RuntimeError(
                "torch.autograd.functional.jacobian: `strict=True` and `vectorized=True` are "
                "not supported together. Please either set `strict=False` or "
                "`vectorize=False`."
            )
        if vectorize:
            jac = _jacobian_vectorized(outputs, inputs, create_graph)
        else:
            jac = tuple(
                _jacobian_rows(i, out, inputs, create_graph, strict)
                for i, out in enumerate(outputs)
            )
        return _unpack2(_released(jac, create_graph), outputs_tuple, inputs_tuple)


def _jacobian_rows(i: int, out: Tensor, inputs: tuple, create_graph: bool, strict: bool):
    """Output ``i``'s Jacobian with respect to each input, one backward per element."""
    from ..creation import zeros_like
    from ..ops.api import stack

    per_input: list[list] = [[] for _ in inputs]
    flat = out.reshape(-1)
    for k in range(out.nelement()):
        grads = _grad((flat[k],), inputs, retain_graph=True, create_graph=create_graph)
        for j, (g, inp) in enumerate(zip(grads, inputs)):
            if g is None:
                if strict:
                    raise RuntimeError(
                        f"Output {i} of the user-provided function is independent of input "
                        f"{j}. This is not allowed in strict mode."
                    )
                g = zeros_like(inp)
            elif strict and create_graph and not g.requires_grad:
                raise RuntimeError(
                    f"The jacobian of the user-provided function is independent of input {i}. "
                    "This is not allowed in strict mode when create_graph=True."
                )
            per_input[j].append(g)
    return tuple(
        stack(rows, 0).view(out.size() + inp.size()) for rows, inp in zip(per_input, inputs)
    )


def _jacobian_vectorized(outputs: tuple, inputs: tuple, create_graph: bool) -> tuple:
    """The Jacobian as torch's ``vectorize=True`` makes it: for each input, one tensor of
    the rows of all the outputs together (zeros expanded where no output depends on that
    input), split by output. The rows are still computed one backward at a time, but
    each input's blocks are views of one tensor, so they all require grad (under
    ``create_graph``) when any row does, as torch's; and torch's batched backward refuses
    outputs with no element at all."""
    from ..creation import zeros_like
    from ..ops.api import stack

    numels = [o.nelement() for o in outputs]
    total = sum(numels)
    if total == 0 and any(o.requires_grad for o in outputs):
        raise IndexError("index 0 is out of bounds for dimension 0 with size 0")
    rows: list[list] = [[] for _ in inputs]
    for out in outputs:
        flat = out.reshape(-1)
        for k in range(out.nelement()):
            grads = _grad((flat[k],), inputs, retain_graph=True, create_graph=create_graph)
            for j, g in enumerate(grads):
                rows[j].append(g)
    # an output without elements has no rows, but torch's one backward of all of them
    # still reaches the inputs it depends on (with zeros that may require grad)
    empty = tuple(o for o in outputs if o.requires_grad and o.nelement() == 0)
    reached = _grad(empty, inputs, tuple(zeros_like(o) for o in empty), create_graph=create_graph)
    per_input = []
    for inp, col, g0 in zip(inputs, rows, reached):
        if all(g is None for g in col):
            base = zeros_like(inp) if g0 is None else g0
            full = base.expand(total, *inp.shape)
        else:
            full = stack([zeros_like(inp) if g is None else g for g in col], 0)
        blocks, start = [], 0
        for out, n in zip(outputs, numels):
            blocks.append(full[start : start + n].view(out.size() + inp.size()))
            start += n
        per_input.append(blocks)
    return tuple(tuple(blocks[i] for blocks in per_input) for i in range(len(outputs)))


def _jacobian_forward(func: Callable, inputs, strict: bool, vectorize: bool):
    """The Jacobian by forward mode: one pass of dual tensors per input element, its
    tangent a one-hot vector. As torch's, the inputs are used as they are (the results
    keep their graph) and the Jacobians come in lists (a list per output where the
    inputs were a tuple; a list of those where the outputs were a tuple too)."""
    from ..creation import zeros
    from ..ops.api import stack

    if strict:
        raise RuntimeError(
            "torch.autograd.functional.jacobian: `strict=True` and "
            '`strategy="forward-mode"` are not supported together (yet). Please either set '
            '`strict=False` or `strategy="reverse-mode"`.'
        )
    inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jacobian")
    if not vectorize:
        raise NotImplementedError(
            "Computing Jacobian using forward-AD or forward-over-reverse Hessian is"
            "only implemented for `vectorize=True`."
        )
    numels = [inp.nelement() for inp in inputs]
    total = sum(numels)
    columns: list[list] = []  # by output: one tangent per input element
    primals: list = []
    outputs_tuple = False
    # (with no input element at all, one pass with empty tangents gives the outputs)
    for k in range(max(total, 1)):
        with forward_ad.dual_level():
            duals, start = [], 0
            for other, n in zip(inputs, numels):
                tangent = zeros(n, dtype=other.dtype, device=other.device)
                if start <= k < start + n:
                    tangent[k - start] = 1
                duals.append(forward_ad.make_dual(other, tangent.view_as(other)))
                start += n
            outputs_tuple, outs = _as_tuple(func(*duals), "outputs", None)  # (as torch)
            if not columns:
                columns = [[] for _ in outs]
            primals = []
            for col, out in zip(columns, outs):
                primal, tangent = forward_ad.unpack_dual(out)
                primals.append(primal)
                col.append(primal.new_zeros(primal.shape) if tangent is None else tangent)
    result = []
    for col, primal in zip(columns, primals):
        out_shape = tuple(primal.shape)
        # (torch's batched tangents keep the graph they have, whatever the grad mode)
        with enable_grad():
            full = stack(col, -1) if total else None
        per_input, start = [], 0
        for inp, n in zip(inputs, numels):
            shape = out_shape + tuple(inp.shape)
            if full is None:
                block = zeros(shape, dtype=col[0].dtype, device=col[0].device)
            else:
                with enable_grad():
                    block = full[(..., slice(start, start + n))].reshape(shape)
            per_input.append(block)
            start += n
        result.append(per_input)
    return _unpack2(result, outputs_tuple, inputs_tuple)


def hessian(
    func: Callable,
    inputs,
    create_graph: bool = False,
    strict: bool = False,
    vectorize: bool = False,
    outer_jacobian_strategy: str = "reverse-mode",
):
    """The Hessian of ``func`` (which returns one one-element tensor) at ``inputs``: for
    inputs ``i`` and ``j``, a tensor of shape ``input_i.shape + input_j.shape``; the
    Jacobian of the gradient."""
    inputs_tuple, inputs = _as_tuple(inputs, "inputs", "hessian")
    if outer_jacobian_strategy not in _STRATEGIES:
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode".')

    def scalar_func(*inp):
        out = func(*inp)
        was_tuple, outs = _as_tuple(out, "outputs of the user-provided function", "hessian")
        _check_strict(outs, "outputs", strict)
        _one_scalar(was_tuple, outs, "hessian")
        return out.squeeze()

    def gradient(*inp):
        if outer_jacobian_strategy == "forward-mode":
            inp = tuple(t.requires_grad_(True) for t in inp)
        jac = jacobian(scalar_func, inp, create_graph=True)
        _check_strict(jac, "jacobian", strict)
        return jac

    res = jacobian(
        gradient,
        inputs,
        create_graph=create_graph,
        strict=strict,
        vectorize=vectorize,
        strategy=outer_jacobian_strategy,
    )
    return _unpack2(res, inputs_tuple, inputs_tuple)


def _hessian_setup(func: Callable, inputs, v, create_graph: bool, strict: bool, fn_name: str):
    """The shared start of ``vhp`` and ``hvp``: the fresh inputs, ``v``, the one output,
    and its gradient with a graph."""
    inputs_tuple, inputs = _as_tuple(inputs, "inputs", fn_name)
    inputs = _fresh(inputs, create_graph, need_graph=True)
    v = _vector(v, inputs, inputs_tuple, fn_name, create_graph, _V_FOR_INPUT)
    outputs_tuple, outputs = _call(func, inputs, fn_name, strict)
    _one_scalar(outputs_tuple, outputs, fn_name)
    jac = _grad(outputs, inputs, create_graph=True)
    _check_strict(jac, "jacobian", strict)
    return inputs_tuple, inputs, v, outputs_tuple, outputs, jac


def vhp(func: Callable, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """``(func(inputs), v @ H)``: the vector-Hessian product of a scalar ``func`` at
    ``inputs``, a backward through the gradient."""
    with enable_grad():
        inputs_tuple, inputs, v, outputs_tuple, outputs, jac = _hessian_setup(
            func, inputs, v, create_graph, strict, "vhp"
        )
    out, like = (outputs, outputs_tuple), (inputs, inputs_tuple)
    return _last_backward(out, jac, inputs, v, like, strict, create_graph, "double_back")


def hvp(func: Callable, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """``(func(inputs), H @ v)``: the Hessian-vector product of a scalar ``func`` at
    ``inputs``, by the double backward trick on the gradient."""
    from ..creation import zeros_like

    with enable_grad():
        inputs_tuple, inputs, v, outputs_tuple, outputs, jac = _hessian_setup(
            func, inputs, v, create_graph, strict, "hvp"
        )
        dummies = tuple(zeros_like(t, requires_grad=True) for t in inputs)
        double_back = _grad(jac, inputs, dummies, create_graph=True)
        _check_strict(jac, "hessian", strict)
    out, like = (outputs, outputs_tuple), (inputs, inputs_tuple)
    stage = "double_back_trick"
    return _last_backward(out, double_back, dummies, v, like, strict, create_graph, stage)
