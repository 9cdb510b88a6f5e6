"""A module's hooks: the handle that removes one, and the backward hooks' two nodes.

As in torch, a module with full backward hooks passes its input tensors and its output
through ``BackwardHookFunction``, an identity that records a ``BackwardHookFunctionBackward``
node on each side: the one on the output sees the gradients coming into the module, the one
on the inputs those leaving it, and the user's hook gets both.
"""

from __future__ import annotations

import itertools
import warnings
import weakref
from collections.abc import Callable

from ..autograd import Function
from ..autograd.grad_mode import is_grad_enabled
from ..events.callsite import user_stacklevel
from ..tensor import Tensor

_next_id = itertools.count()


class RemovableHandle:
    """Returned by a ``register_*_hook`` of a module: ``remove()`` (or leaving a ``with``
    block) unregisters the hook."""

    def __init__(self, hooks: dict, *, extra: tuple[dict | set, ...] = ()) -> None:
        self.id = next(_next_id)
        self._hooks = weakref.ref(hooks)
        self._extra = tuple(weakref.ref(d) for d in extra)

    def remove(self) -> None:
        """Unregister the hook (a second call does nothing)."""
        for ref in (self._hooks, *self._extra):
            table = ref()
            if table is None:
                continue
            if isinstance(table, set):
                table.discard(self.id)
            else:
                table.pop(self.id, None)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc) -> None:
        self.remove()


def add_hook(table: dict, hook: Callable, prepend: bool, extra: tuple = ()) -> RemovableHandle:
    """Put ``hook`` in ``table`` (first with ``prepend``), keyed by a new handle's id."""
    handle = RemovableHandle(table, extra=extra)
    table[handle.id] = hook
    if prepend:
        table.move_to_end(handle.id, last=False)
    return handle


class BackwardHookFunction(Function):
    """The identity whose node a module's backward hooks watch."""

    @staticmethod
    def forward(ctx, *args):
        ctx.mark_non_differentiable(*[a for a in args if not a.requires_grad])
        return args

    @staticmethod
    def backward(ctx, *args):
        return args


class BackwardHook:
    """One call's backward hooks of ``module``: set up on its inputs and its output, it
    calls ``pre_hooks(module, grad_output)`` when the output's gradients arrive and
    ``hooks(module, grad_input, grad_output)`` when the inputs' are made."""

    def __init__(self, module, hooks: list, pre_hooks: list) -> None:
        self.module = module
        self.hooks = hooks
        self.pre_hooks = pre_hooks
        self.grad_outputs: tuple | None = None
        self.n_outputs = -1
        self.output_index: list[int] | None = None
        self.n_inputs = -1
        self.input_index: list[int] | None = None

    @staticmethod
    def _pack(indices, values, size: int) -> tuple:
        res = [None] * size
        for i, v in zip(indices, values):
            res[i] = v
        return tuple(res)

    def _on_tensors(self, args: tuple, watch: Callable) -> tuple[tuple, list[int] | None]:
        """``args`` with its tensors passed through ``BackwardHookFunction`` (whose node
        ``watch`` is given), and where the tensors are; unchanged when none needs a grad."""
        index = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        tensors = [args[i] for i in index]
        if not (any(t.requires_grad for t in tensors) and is_grad_enabled()):
            return args, None
        new = BackwardHookFunction.apply(*tensors)
        watch(next(t._grad_node() for t in new if t._grad_node() is not None))
        out = list(args)
        for i, t in zip(index, new):
            out[i] = t
        return tuple(out), index

    def setup_input_hook(self, args: tuple) -> tuple:
        res, self.input_index = self._on_tensors(args, self._watch_inputs)
        self.n_inputs = len(args)
        return res

    def _watch_inputs(self, node) -> None:
        def hook(grad_input, _):
            if self.grad_outputs is None:
                # the gradient reached the inputs without passing the output (double
                # backward through the module, say): no call, as torch
                return None
            res = self._pack(self.input_index, grad_input, self.n_inputs)
            for user_hook in self.hooks:
                out = user_hook(self.module, res, self.grad_outputs)
                if out is None:
                    continue
                if len(out) != len(res):
                    raise RuntimeError(
                        "Backward hook returned an invalid number of grad_input, "
                        f"got {len(out)}, but expected {len(res)}"
                    )
                res = out
            self.grad_outputs = None
            return tuple(res[i] for i in self.input_index)

        node.register_hook(hook)

    def setup_output_hook(self, result):
        single = not isinstance(result, tuple)
        args = (result,) if single else result
        res, self.output_index = self._on_tensors(args, self._watch_output)
        self.n_outputs = len(args)
        return res[0] if single else res

    def _watch_output(self, node) -> None:
        def hook(_, grad_output):
            self.grad_outputs = self._pack(self.output_index, grad_output, self.n_outputs)
            for pre_hook in self.pre_hooks:
                got = pre_hook(self.module, self.grad_outputs)
                if got is None:
                    continue
                if len(got) != len(self.grad_outputs):
                    raise RuntimeError(
                        "Backward pre hook returned an invalid number of grad_output, "
                        f"got {len(got)}, but expected {len(self.grad_outputs)}"
                    )
                self.grad_outputs = got
            grad_outputs = self.grad_outputs
            if self.input_index is None:  # no input needs a gradient: the hooks run now
                warnings.warn(
                    "Full backward hook is firing when gradients are computed with respect to "
                    "module outputs since no inputs require gradients. See "
                    "https://docs.pytorch.org/docs/main/generated/torch.nn.Module.html"
                    "#torch.nn.Module.register_full_backward_hook for more details.",
                    stacklevel=user_stacklevel(),
                )
                grad_inputs = (None,) * self.n_inputs
                for user_hook in self.hooks:
                    res = user_hook(self.module, grad_inputs, self.grad_outputs)
                    if res is not None and not (
                        isinstance(res, tuple) and all(r is None for r in res)
                    ):
                        raise RuntimeError(
                            "Backward hook for Modules where no input requires gradient should "
                            "always return None or None for all gradients."
                        )
                self.grad_outputs = None
            if grad_outputs is not None:
                return tuple(grad_outputs[i] for i in self.output_index)
            return None

        node.register_hook(hook)
