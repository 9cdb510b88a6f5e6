"""``Tensor``: an array, the buffer that accounts for it, and its place in the graph.

Ops are one-line delegations to ``gradscope.ops.api``; the graph lives in
``gradscope.autograd``.
"""

from __future__ import annotations

import copy
import itertools
import warnings
import weakref
from numbers import Real
from time import perf_counter

import numpy as np

from . import autograd as _autograd
from . import backend, dtypes
from .autograd import function as _function
from .autograd.leaf import AccumulateGrad
from .errors import (
    M_NONLEAF_GRAD,
    M_NUMPY_OF_GRAD,
    M_ONE_ELEMENT,
    M_SCALAR_OF_GRAD,
    cpp_type_name,
    py_type_name,
    scalar_type_name,
)
from .events import callsite, emit
from .events.callsite import user_frame, user_stacklevel
from .events.emit import dtype_str
from .events.schema import TensorAllocated
from .memory import buffers
from .memory.buffers import array_nbytes
from .ops import api as F
from .ops import contract as C
from .ops import inplace as IP
from .ops import linalg_api as _linalg
from .ops import linalg_more as _linalg_more
from .ops import products as P
from .ops import special as SP
from .ops import stats as ST
from .ops import unsafe as _unsafe
from .ops import windows as WI
from .ops import writes as WR

_ids = itertools.count(1)
_ALLOCATED = TensorAllocated.kind


def _device_str(arr) -> str:
    return "cpu" if type(arr) is np.ndarray else str(backend.device_of(arr))


def _operator(fn, is_operand=None):
    """``fn(self, other)`` as an operator method: NotImplemented for an ``other`` that is
    neither a tensor, a number nor an array (Python then tries ``other``'s method, or
    raises its TypeError)."""
    is_operand = is_operand or _is_operand

    def op(self, other):
        if type(other) in _OPERANDS or is_operand(other):
            return fn(self, other)
        return NotImplemented

    op.__name__ = op.__qualname__ = fn.__name__
    return op


def _reflected(fn, is_operand=None):
    """As ``_operator``, for ``fn(other, self)``."""
    is_operand = is_operand or _is_operand

    def op(self, other):
        if type(other) in _OPERANDS or is_operand(other):
            return fn(other, self)
        return NotImplemented

    op.__name__ = op.__qualname__ = fn.__name__
    return op


def _is_operand(v) -> bool:
    return isinstance(v, (Tensor, int, float, complex, np.generic)) or _is_array(v)


def _is_exponent(v) -> bool:
    """An operand of ``**``: torch takes any real number there (a ``Fraction`` too)."""
    return _is_operand(v) or isinstance(v, Real)


def _is_array(v) -> bool:
    return isinstance(v, np.ndarray) or hasattr(v, "__cuda_array_interface__")


def _to_device_or_dtype(a, dev, dt, first: bool) -> tuple:
    """``(device, dtype)`` of ``Tensor.to`` after its positional argument ``a``, neither a
    dtype nor a tensor: a device; first, a number, which torch's parser takes as the tensor
    ``other`` it wraps it in (a bool's dtype, or float64 or complex128); after, a bool
    (``non_blocking``, ``copy``: nothing to do here)."""
    if isinstance(a, (str, int, np.integer, backend.Device)) and not isinstance(a, bool):
        return a, dt
    if not first and isinstance(a, bool):
        return dev, dt
    for kinds, dtype in _NUMBER_DTYPES if first else ():
        if isinstance(a, kinds):
            return dev, dtype
    raise TypeError(
        f"to() received an invalid combination of arguments - got ({py_type_name(a)}), but "
        "expected one of:\n * (torch.device device = None, torch.dtype dtype = None, bool "
        "non_blocking = False, bool copy = False, *, torch.memory_format memory_format = None)"
        "\n * (torch.dtype dtype, bool non_blocking = False, bool copy = False, *, "
        "torch.memory_format memory_format = None)\n * (Tensor tensor, bool non_blocking = "
        "False, bool copy = False, *, torch.memory_format memory_format = None)\n"
    )


_NUMBER_DTYPES = (
    ((bool, np.bool_), dtypes.bool_),
    ((float, np.floating), dtypes.float64),
    ((complex, np.complexfloating), dtypes.complex128),
)

_warned_scalar_of_grad = False


def warn_scalar_of_grad() -> None:
    """torch's warning on reading a number out of a tensor that requires grad: once a
    process, as torch gives it."""
    global _warned_scalar_of_grad
    if not _warned_scalar_of_grad:
        _warned_scalar_of_grad = True
        warnings.warn(M_SCALAR_OF_GRAD, UserWarning, stacklevel=user_stacklevel())


class Tensor:
    """A multi-dimensional array that can record the operations applied to it.

    Example::

        x = gs.tensor([1.0, 2.0, 3.0], requires_grad=True)
        (x ** 2).sum().backward()
        x.grad  # tensor([2., 4., 6.])
    """

    __slots__ = (
        "_data",
        "_buffer",
        "_vc",
        "_grad_fn",
        "_rg",
        "_grad",
        "_id",
        "__weakref__",
        "__dict__",
    )
    __hash__ = object.__hash__
    # NumPy's operators give way to a tensor's (``np.float64(2) * t`` is a tensor in the
    # graph), as they do to torch's
    __array_priority__ = 1000

    # rarely set attributes live in __dict__; these are their defaults
    _hooks = None
    _post_acc_hooks = None
    _retains = False
    _accum = None
    _base = None  # a view's base (the tensor that owns the memory)
    _view_version = 0  # a view: the version counter's value when its grad_fn was set
    _view_in_grad_mode = False  # a view made while grad mode was on
    # an output of a function of several views (unbind, split) made in grad mode, or a view
    # made in grad mode of such a tensor: torch refuses to record writes into it
    _multi_view = False
    # a view made in grad mode of a view made in no_grad mode: the op that made it (torch
    # counts it as made in no_grad mode too, and names it in its errors)
    _no_grad_via = None
    # a view made in no_grad mode of a tensor that requires grad: as in torch it requires
    # grad too, with no grad_fn, and the ops that use it record edges that lead nowhere
    _grad_to_nowhere = False
    name = None

    def __init__(self, data, *, dtype=None, device=None, requires_grad: bool = False) -> None:
        from .creation import _to_array

        arr = _to_array(data, dtype, device)
        self._init(arr, buffers.new(array_nbytes(arr), _device_str(arr)), [0], None)
        if requires_grad:
            self.requires_grad_(True)
        if emit.sinks:
            self._emit_alloc("leaf", None, None)

    # -- construction (internal) ------------------------------------------------------
    def _init(self, data, buffer, vc, grad_fn) -> None:
        self._data = data
        self._buffer = buffer
        self._vc = vc
        self._grad_fn = grad_fn
        self._rg = grad_fn is not None
        self._grad = None
        self._id = next(_ids)

    @staticmethod
    def _make(data, node, role: str | None = None, node_id=None, name=None, record=True) -> Tensor:
        """A tensor over a freshly allocated array (a new buffer); with ``record=False`` its
        ``tensor_allocated`` is left to the caller (``apply`` puts it with the node's)."""
        if type(data) is np.ndarray:  # the common case, without a helper call
            buf = buffers.new(data.nbytes if data.base is None else array_nbytes(data))
        else:
            if isinstance(data, np.generic):
                data = np.asarray(data)  # NumPy gives scalars for 0-d results
            buf = buffers.new(array_nbytes(data), _device_str(data))
        t = Tensor.__new__(Tensor)
        t._data = data
        t._buffer = buf
        t._vc = [0]
        t._grad_fn = node
        t._rg = node is not None
        t._grad = None
        t._id = next(_ids)
        # without a node it is a leaf, as autograd calls any tensor without one
        if emit.sinks and record:
            if node is not None:
                t._emit_alloc(role or "activation", node.id, name)
            elif role is None and _function._custom_alloc is not None:  # a user's function
                t._emit_alloc(*_function._custom_alloc, name)
            else:
                t._emit_alloc(role or "leaf", node_id, name)
        return t

    @staticmethod
    def _view(data, src: Tensor, node, op: str | None = None) -> Tensor:
        """A tensor over part of ``src``'s buffer (shares its version counter), made by the
        view op named ``op``."""
        t = Tensor.__new__(Tensor)
        t._data = data
        t._buffer = src._buffer
        t._vc = src._vc
        t._grad_fn = node
        t._grad = None
        t._id = next(_ids)
        t._view_version = src._vc[0]
        t._view_in_grad_mode = enabled = _function.state.enabled
        if node is not None:
            t._rg = True
        elif not enabled and src._rg:
            t._rg = t._grad_to_nowhere = True
        else:
            t._rg = False
        base = src._base
        if base is None:
            t._base = src
        else:
            t._base = base
            if enabled and (src._multi_view or not src._view_in_grad_mode):
                if src._multi_view:  # as torch, a view of one is one
                    t._multi_view = True
                elif op is not None:  # as torch, a view of one made in no_grad mode is too
                    t._view_in_grad_mode = False
                    t._no_grad_via = op
        return t

    @staticmethod
    def _share(data, buffer, vc) -> Tensor:
        """A tensor over an existing buffer, outside the graph."""
        t = Tensor.__new__(Tensor)
        t._init(data, buffer, vc, None)
        return t

    @staticmethod
    def _from_array(arr) -> Tensor:
        return Tensor._make(arr, None, role="temp")

    def _emit_alloc(self, role: str, node_id, name) -> None:
        buffer_id, nbytes, device = self._buffer
        if name is None and role == "leaf":
            name = callsite.leaf_name or _assigned_name()
            if name is not None:
                self.name = name  # so its gradient can be called "<name>.grad"
        emit.put(
            (
                _ALLOCATED,
                perf_counter(),
                device,
                buffers.live_total,
                buffer_id,
                self._id,
                nbytes,
                emit.shape_of(self._data.shape),
                dtype_str(self._data.dtype),
                role,
                node_id,
                name,
            )
        )

    def _xp(self):
        return np if type(self._data) is np.ndarray else backend.cupy()

    def _accumulate_node(self):
        """This leaf's ``AccumulateGrad`` (created on first use, cached weakly, as torch)."""
        ref = self._accum
        node = ref() if ref is not None else None
        if node is None:
            node = AccumulateGrad(self)
            self._accum = weakref.ref(node)
        return node

    def _accumulate_cached(self):
        ref = self._accum
        return ref() if ref is not None else None

    # -- attributes -------------------------------------------------------------------
    @property
    def shape(self):
        return Size(self._data.shape)

    def size(self, dim: int | None = None):
        """The shape, or the size of one dimension."""
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[F._dim(dim, self._data.ndim)]

    def dim(self) -> int:
        return self._data.ndim

    @property
    def ndim(self) -> int:
        return self._data.ndim

    def numel(self) -> int:
        return int(self._data.size)

    def nelement(self) -> int:
        return int(self._data.size)

    @property
    def dtype(self) -> dtypes.dtype:
        return dtypes.from_numpy(self._data.dtype)

    @property
    def device(self) -> backend.Device:
        return backend.device(self._buffer.device)

    @property
    def is_cuda(self) -> bool:
        return self._buffer.device != "cpu"

    @property
    def nbytes(self) -> int:
        return int(self._data.nbytes)

    def element_size(self) -> int:
        return int(self._data.itemsize)

    def is_floating_point(self) -> bool:
        return self._data.dtype.kind == "f"

    def is_complex(self) -> bool:
        return self._data.dtype.kind == "c"

    def is_signed(self) -> bool:
        return self._data.dtype.kind in "ifc"

    @property
    def is_cpu(self) -> bool:
        return self._buffer.device == "cpu"

    def get_device(self) -> int:
        """The index of the GPU this tensor is on; -1 on the CPU."""
        dev = self._buffer.device
        return -1 if dev == "cpu" else int(dev.partition(":")[2] or 0)

    @property
    def itemsize(self) -> int:
        return int(self._data.itemsize)

    def is_inference(self) -> bool:
        return False  # gradscope has no inference mode

    def is_same_size(self, other: Tensor) -> bool:
        F._check_tensor_arg("is_same_size", "other", 1, other)
        return self._data.shape == other._data.shape

    def is_nonzero(self) -> bool:
        """Whether this one-element tensor is not zero."""
        if self._data.size != 1:
            raise RuntimeError(
                "Boolean value of Tensor with "
                + ("no values" if self._data.size == 0 else "more than one value")
                + " is ambiguous"
            )
        return bool(self._data.reshape(()).item())

    def is_contiguous(self) -> bool:
        return bool(self._data.flags.c_contiguous)

    def stride(self, dim: int | None = None) -> tuple[int, ...] | int:
        """The step, in elements, from one element to the next along each dimension (or
        along ``dim``), as torch gives it: a view shares its base's memory with its own."""
        data = self._data
        if data.size:
            strides = tuple(s // data.itemsize for s in data.strides)
        else:  # NumPy's are arbitrary here; torch's are those of C order
            strides, step = [], 1
            for n in reversed(data.shape):
                strides.insert(0, step)
                step *= max(n, 1)
            strides = tuple(strides)
        if dim is None:
            return strides
        if not data.ndim:
            raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
        from .ops.api import _dim

        return strides[_dim(dim, data.ndim)]

    def storage_offset(self) -> int:
        """Where this tensor's first element lies in its buffer, in elements (0 unless it
        is a view that starts further in)."""
        if self._base is None:
            return 0
        return (self.data_ptr() - self._base.data_ptr()) // self._data.itemsize

    def data_ptr(self) -> int:
        if type(self._data) is np.ndarray:
            return self._data.__array_interface__["data"][0]
        return self._data.data.ptr

    @property
    def _version(self) -> int:
        return self._vc[0]

    def _view_is_stale(self) -> bool:
        """A view whose base (or a sibling view) was written in place since its grad_fn
        was set: its graph must be brought up to date (``function.refresh_view``)."""
        return self._base is not None and self._vc[0] != self._view_version

    @property
    def grad_fn(self):
        """The node that made this tensor (None for a leaf). A view whose base was written
        in place since gets a new one over the base's history, as in torch."""
        return _function.exposed(self._grad_node())

    def _grad_node(self):
        """``grad_fn``, for gradscope's own use (a node handed to the user answers torch's
        ``_saved_<name>`` from then on: ``function.exposed``)."""
        fn = self._node()
        return fn.node if fn is not None and fn._hidden else fn

    @property
    def output_nr(self) -> int:
        """Which output of its ``grad_fn`` this tensor is (0 but for unbind's, split's)."""
        fn = self._grad_fn
        return fn.nr if fn is not None and fn._hidden else 0

    def _node(self):
        """Where this tensor's gradient goes: ``grad_fn``, or the edge to the one output
        of a node of several (``unbind``'s) that this tensor is."""
        if self._view_is_stale():
            _function.refresh_view(self)
        return self._grad_fn

    @grad_fn.setter
    def grad_fn(self, node) -> None:
        self._grad_fn = node
        if self._base is not None:
            self._view_version = self._vc[0]

    @property
    def requires_grad(self) -> bool:
        if self._view_is_stale():
            if not self._view_in_grad_mode or self._multi_view:
                return self._rg or self._base._rg  # as torch: a view requires grad with its base
            _function.refresh_view(self)
        return self._rg

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        if type(value) is not bool:
            raise RuntimeError("requires_grad must be a bool")
        if self._grad_node() is not None:
            if value:  # it does already: nothing to change
                return
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to "
                "use a computed variable in a subgraph that doesn't require differentiation "
                "use var_no_grad = var.detach()."
            )
        if value and self._data.dtype.kind not in "fc":
            raise RuntimeError(
                "only Tensors of floating point and complex dtype can require gradients"
            )
        if self._grad_to_nowhere:
            return  # as torch: it requires grad with its base, whatever it is told
        self._rg = bool(value)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Set ``requires_grad`` in place; returns self."""
        if type(requires_grad) is not bool:
            raise TypeError(
                "requires_grad_(): argument 'requires_grad' (position 1) must be bool, not "
                f"{type(requires_grad).__name__}"
            )
        if requires_grad and self._data.dtype.kind not in "fc":
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
        self.requires_grad = requires_grad
        return self

    @property
    def is_leaf(self) -> bool:
        return self._grad_node() is None

    @property
    def grad(self):
        if self._grad_node() is not None and not self._retains:
            warnings.warn(M_NONLEAF_GRAD, UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value) -> None:
        if value is self:
            raise RuntimeError("can't assign Variable as its own grad")
        if value is not None:
            if not isinstance(value, Tensor):
                kind = type(value)
                name = (
                    kind.__name__
                    if kind.__module__ == "builtins"
                    else f"{kind.__module__}.{kind.__name__}"
                )
                raise TypeError(
                    f"assigned grad expected to be a Tensor or None but got grad of type {name}"
                )
            if value.shape != self.shape:
                raise RuntimeError(
                    f"attempting to assign a gradient of size '{list(value.shape)}' to a tensor "
                    f"of size '{list(self.shape)}'. Please ensure that the gradient and the "
                    "tensor are the same size"
                )
            if value._data.dtype != self._data.dtype:
                raise RuntimeError(
                    f"attempting to assign a gradient with dtype '{cpp_type_name(value._data.dtype)}' "
                    f"to a tensor with grad_dtype '{scalar_type_name(self._data.dtype)}'. The "
                    "gradient must match the tensor's grad_dtype (defaults to the tensor's "
                    "dtype). You can set the tensor's grad_dtype attribute with a specific "
                    "dtype, or None to allow any dtype. Set grad_dtype with caution. Diverging "
                    "the dtypes of a tensor and its gradient may break downstream systems that "
                    "assume they match."
                )
        self._grad = value

    @property
    def retains_grad(self) -> bool:
        return self._retains

    def retain_grad(self) -> None:
        """Keep ``.grad`` for this non-leaf tensor after backward."""
        if not self._rg:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        node = self._node()
        if node is None or self._retains:  # asked before: its node keeps it, as in torch
            return
        self._retains = True
        node._retain = weakref.ref(self)
        node._watched = True

    def register_hook(self, hook):
        """Call ``hook(grad)`` when this tensor's gradient is computed; a result replaces it."""
        if not self._rg:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        node = self._node()
        if node is not None:
            if node._tensor_hooks is None:
                node._tensor_hooks = []
            node._watched = True
            return _function._Handle(node._tensor_hooks, hook)
        if self._hooks is None:
            self._hooks = []
        return _function._Handle(self._hooks, hook)

    def register_post_accumulate_grad_hook(self, hook):
        """Call ``hook(tensor)`` after a gradient is accumulated into this leaf's ``.grad``;
        it must return None."""
        if not self._rg:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self._grad_node() is not None:
            raise RuntimeError(
                "post accumulate grad hooks cannot be registered on non-leaf tensors"
            )
        if self._post_acc_hooks is None:
            self._post_acc_hooks = []
        return _function._Handle(self._post_acc_hooks, hook)

    @property
    def data(self) -> Tensor:
        """The same buffer, detached, with its own version counter (as torch's ``.data``)."""
        return Tensor._share(self._data, self._buffer, [0])

    @data.setter
    def data(self, other: Tensor) -> None:
        if not isinstance(other, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {py_type_name(other)}")
        if self._rg and other._data.dtype.kind not in "fc":
            raise RuntimeError(
                "data set to a tensor that requires gradients must be floating point or "
                "complex dtype"
            )
        self._data = other._data
        self._buffer = other._buffer

    # -- conversion -------------------------------------------------------------------
    def item(self):
        if self._data.size != 1:
            raise RuntimeError(
                f"a Tensor with {self._data.size} elements cannot be converted to Scalar"
            )
        return self._data.item()

    def tolist(self):
        return self._data.tolist()

    def numpy(self, *, force: bool = False) -> np.ndarray:
        if self._rg and not force:
            raise RuntimeError(M_NUMPY_OF_GRAD)
        if type(self._data) is not np.ndarray:
            raise TypeError(
                f"can't convert {self.device} device type tensor to numpy. Use Tensor.cpu() "
                "to copy the tensor to host memory first."
            )
        _exported_by(self)
        return self._data

    def __array__(self, dtype=None, copy=None):
        arr = self.numpy()  # torch's errors: requires grad, or not on the CPU
        if dtype is not None and arr.dtype != dtype:
            return arr.astype(dtype)
        return arr.copy() if copy else arr

    def __array_wrap__(self, arr, context=None, return_scalar=False):
        """A NumPy function's result on a tensor (``np.exp(t)``), as a new tensor, as in torch."""
        return Tensor._make(np.asarray(arr), None)

    def detach(self) -> Tensor:
        """The same buffer and version counter, outside the graph."""
        return Tensor._share(self._data, self._buffer, self._vc)

    def detach_(self) -> Tensor:
        """Take this tensor out of the graph, in place (a view refuses: use ``detach()``)."""
        if self._base is not None:
            raise RuntimeError(
                "Can't detach views in-place. Use detach() instead. If you are using "
                "DistributedDataParallel (DDP) for training, and gradient_as_bucket_view is set "
                "as True, gradients are views of DDP buckets, and hence detach_() cannot be "
                "called on these gradients. To fix this error, please refer to the "
                "Optimizer.zero_grad() function in torch/optim/optimizer.py as the solution."
            )
        self.grad_fn = None
        self._rg = False
        return self

    def clone(self) -> Tensor:
        return F.apply(F.S.CloneBackward0, (self,))

    def contiguous(self) -> Tensor:
        return self if self._data.flags.c_contiguous else F.apply(F.S.CloneBackward0, (self,), "C")

    def new_zeros(self, *size, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
        """Zeros of ``size``, in this tensor's dtype and on its device unless told."""
        return self._new("zeros", size, dtype, device, requires_grad)

    def new_ones(self, *size, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
        """Ones of ``size``, in this tensor's dtype and on its device unless told."""
        return self._new("ones", size, dtype, device, requires_grad)

    def new_empty(self, *size, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
        """An uninitialised tensor of ``size``, in this tensor's dtype and on its device."""
        return self._new("empty", size, dtype, device, requires_grad)

    def new_full(
        self, size, fill_value, *, dtype=None, device=None, requires_grad: bool = False
    ) -> Tensor:
        """``fill_value`` everywhere in ``size``, in this tensor's dtype and on its device."""
        return self._new("full", (size, fill_value), dtype, device, requires_grad)

    def new_tensor(self, data, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
        """A new leaf holding ``data``, in this tensor's dtype and on its device unless told."""
        return self._new("tensor", (data,), dtype, device, requires_grad)

    def _new(self, name: str, args: tuple, dtype, device, requires_grad: bool) -> Tensor:
        from . import creation  # (creation imports this module)

        return getattr(creation, name)(
            *args,
            dtype=self.dtype if dtype is None else dtype,
            device=self.device if device is None else device,
            requires_grad=requires_grad,
        )

    def to(self, *args, **kwargs) -> Tensor:
        """A copy on another device and/or of another dtype (self when nothing changes)."""
        dev = kwargs.get("device")
        dt = kwargs.get("dtype")
        for a in args:
            if isinstance(a, dtypes.dtype) or a in (float, int, bool):  # Python's types too
                dt = a
            elif isinstance(a, Tensor):
                dt, dev = a.dtype, a.device
            elif a is not None:
                dev, dt = _to_device_or_dtype(a, dev, dt, a is args[0])
        target = backend.device(dev) if dev is not None else None
        np_dtype = dtypes.resolve(dt)
        if (target is None or str(target) == self._buffer.device) and (
            np_dtype is None or np_dtype == self._data.dtype
        ):
            return self
        if target is not None and target.type == "cuda":
            backend.cupy()
        if np_dtype is not None and np_dtype.kind not in "fc":  # integers and bools: no
            grad_mode = _function.state  # gradient flows through them, as in torch
            prev, grad_mode.enabled = grad_mode.enabled, False
            try:
                return F.apply(F.S.ToCopyBackward0, (self,), np_dtype, target)
            finally:
                grad_mode.enabled = prev
        return F.apply(F.S.ToCopyBackward0, (self,), np_dtype, target)

    def cpu(self) -> Tensor:
        return self.to("cpu")

    def cuda(self, device=None) -> Tensor:
        return self.to(
            "cuda"
            if device is None
            else f"cuda:{int(device)}"
            if isinstance(device, int)
            else device
        )

    def type(self, dtype=None, non_blocking: bool = False):
        """With no argument, torch's legacy type name (``torch.FloatTensor``); else this
        tensor as ``dtype``, a dtype or such a name (``"torch.cuda.DoubleTensor"`` moves it
        too). Itself when it already is."""
        from .errors import parse_tensor_type_name, tensor_type_name

        if dtype is None:
            return tensor_type_name(self._data.dtype, self._buffer.device)
        if isinstance(dtype, str):
            name, device = parse_tensor_type_name(dtype)
            if name is None:
                from .ops.predicates import get_default_dtype

                target = get_default_dtype()
            else:
                target = getattr(dtypes, name)
            return self.to(device, target)
        return self.to(dtype)

    def share_memory_(self) -> Tensor:
        """Nothing to do: gradscope's tensors live in one process's memory (torch moves
        them to shared memory, for other processes). Returns this tensor."""
        return self

    def is_shared(self) -> bool:
        """False: no tensor of gradscope's is in memory shared between processes."""
        return False

    def float(self) -> Tensor:
        return self.to(dtypes.float32)

    def double(self) -> Tensor:
        return self.to(dtypes.float64)

    def long(self) -> Tensor:
        return self.to(dtypes.int64)

    def int(self) -> Tensor:
        return self.to(dtypes.int32)

    def bool(self) -> Tensor:
        return self.to(dtypes.bool_)

    def half(self) -> Tensor:
        return self.to(dtypes.float16)

    def byte(self) -> Tensor:
        return self.to(dtypes.uint8)

    def char(self) -> Tensor:
        return self.to(dtypes.int8)

    def short(self) -> Tensor:
        return self.to(dtypes.int16)

    # -- autograd ---------------------------------------------------------------------
    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None) -> None:
        """Accumulate the gradient of this tensor into the leaves' ``.grad``."""
        if _autograd.forward_ad.jvp_depth:
            raise RuntimeError(
                "backward() called inside a functorch transform. This is not supported, "
                "please use functorch.grad or functorch.vjp instead or call backward() "
                "outside of functorch transforms."
            )
        _autograd.backward(
            self, gradient, retain_graph=retain_graph, create_graph=create_graph, inputs=inputs
        )

    # -- printing ---------------------------------------------------------------------
    def __repr__(self) -> str:
        from .printing import tensor_repr

        if self.__dict__.get("_is_param"):  # a module's parameter (``gs.nn.Parameter``)
            return "Parameter containing:\n" + tensor_repr(self)
        return tensor_repr(self)

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(F.unbind(self, 0))

    def __bool__(self) -> bool:
        n = self._data.size
        if n != 1:
            what = "no values" if n == 0 else "more than one value"
            raise RuntimeError(f"Boolean value of Tensor with {what} is ambiguous")
        return bool(self._data.item())

    def __float__(self) -> float:
        if self._data.size != 1:
            raise ValueError(M_ONE_ELEMENT)
        if self._rg:
            warn_scalar_of_grad()
        return float(self._data.item())

    def __int__(self) -> int:
        if self._data.size != 1:
            raise ValueError(M_ONE_ELEMENT)
        return int(self._data.item())

    def __index__(self) -> int:
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self._data.item())

    def __format__(self, spec: str) -> str:
        if self._data.ndim == 0:
            return format(self._data.item(), spec)
        if spec:
            raise TypeError("unsupported format string passed to Tensor.__format__")
        return str(self)

    def __reduce_ex__(self, proto):
        raise TypeError("gradscope tensors are not picklable; save arrays with .numpy()")

    def __copy__(self) -> Tensor:
        """A new leaf over this tensor's memory, as torch's ``copy.copy``: the same values,
        strides and ``requires_grad``, outside the graph and without ``.grad``, with the
        attributes a user set (a parameter stays one); a version counter of its own, at 1
        (torch's copy is made by ``set_``)."""
        new = Tensor._share(self._data, self._buffer, [1])
        new._rg = self.requires_grad
        for k, v in self.__dict__.items():
            if not _internal_attribute(k) or k == "_is_param":
                new.__dict__[k] = v
        return new

    def __deepcopy__(self, memo: dict) -> Tensor:
        """A new leaf over a copy of this tensor's memory, as torch's ``copy.deepcopy``: the
        same dtype, device, strides and ``requires_grad``, a copy of ``.grad`` and of the
        attributes a user set. Tensors that share memory (views) and are copied together
        share the copy's. A module's parameter is copied as torch copies a ``Parameter``:
        a parameter over a copy of its values, without ``.grad`` or attributes. A tensor
        in a graph is refused, as in torch."""
        return self._deepcopy(memo, "leaf")

    def _deepcopy(self, memo: dict, role: str, name: str | None = None) -> Tensor:
        is_param = self.__dict__.get("_is_param", False)
        if not is_param and self._grad_node() is not None:
            raise RuntimeError(M_DEEPCOPY_NONLEAF)
        new = memo.get(id(self))
        if new is not None:
            return new
        if name is None:
            # the user's line is copy.deepcopy's own: it would name the copy after its locals
            name = f"copy of {self.name or self._id}"
        device = self._buffer.device
        if is_param:
            data = self._data.copy(order="K")
            new = Tensor._share(data, buffers.new(array_nbytes(data), device), [0])
            new._is_param, fresh = True, True
        else:
            data, buffer, fresh = _copied_memory(self._data, device, memo)
            # torch's copy is made by ``set_`` onto the copied storage, which counts a write
            new = Tensor._share(data, buffer, [1])
        new._rg = self.requires_grad
        memo[id(self)] = new
        memo.setdefault(id(memo), []).append(self)  # as copy.deepcopy: ids stay unique
        if emit.sinks and fresh:
            new._emit_alloc(role, None, name)
        if not is_param:
            if self._grad is not None:
                new._grad = self._grad._deepcopy(memo, "grad", f"{name}.grad")
            attrs = {k: v for k, v in self.__dict__.items() if not _internal_attribute(k)}
            if attrs:
                new.__dict__.update(copy.deepcopy(attrs, memo))
        return new

    # -- ops (one-line delegations) ---------------------------------------------------
    # an operator gives way (NotImplemented) to an operand that is not a tensor, a number
    # or an array, as torch's do: ``t == None`` is False, ``t + None`` a TypeError
    __add__ = __radd__ = _operator(F.add)
    __mul__ = __rmul__ = _operator(F.mul)
    __sub__ = _operator(F.sub)
    __rsub__ = _operator(F.rsub)
    __truediv__ = _operator(F.div)
    __rtruediv__ = _reflected(F.div)
    __floordiv__ = _operator(F.floor_divide)
    __rfloordiv__ = _reflected(F.floor_divide)
    __mod__ = _operator(F.remainder)
    __rmod__ = _reflected(F.remainder)
    __pow__ = _operator(F.pow, _is_exponent)
    __rpow__ = _reflected(F.pow, _is_exponent)
    __neg__ = F.neg
    __abs__ = F.abs
    __getitem__ = F.getitem
    __setitem__ = F.setitem
    __eq__ = _operator(F.eq)
    __ne__ = _operator(F.ne)
    __lt__ = _operator(F.lt)
    __le__ = _operator(F.le)
    __gt__ = _operator(F.gt)
    __ge__ = _operator(F.ge)
    __iadd__ = _operator(F.add_)
    __isub__ = _operator(F.sub_)
    __imul__ = _operator(F.mul_)
    __itruediv__ = _operator(F.div_)
    __ifloordiv__ = _operator(F.floor_divide_)
    __imod__ = _operator(F.remainder_)
    __ipow__ = _operator(F.pow_, _is_exponent)

    def __matmul__(self, other):
        if type(other) is Tensor:  # a number is no matrix
            return F.matmul(self, other)
        if _is_array(other):
            return F.matmul(self, F.as_tensor_like(other, self))
        return NotImplemented

    def __rmatmul__(self, other):
        if _is_array(other):
            return F.matmul(F.as_tensor_like(other, self), self)
        return NotImplemented

    def __pos__(self):
        return F.positive(self)

    def __invert__(self):
        if self._data.dtype.kind not in "biu":
            raise TypeError(
                "~ (operator.invert) is only implemented on integer and Boolean-type tensors"
            )
        return Tensor._make(~self._data, None)

    def __and__(self, other):
        return F.bitwise("and", self, other)

    def __or__(self, other):
        return F.bitwise("or", self, other)

    def __xor__(self, other):
        return F.bitwise("xor", self, other)

    __rxor__ = __xor__
    __rand__ = __and__
    __ror__ = __or__
    __lshift__ = _operator(IP.bitwise_left_shift)
    __rshift__ = _operator(IP.bitwise_right_shift)
    __rlshift__ = _reflected(IP.bitwise_left_shift)
    __rrshift__ = _reflected(IP.bitwise_right_shift)
    __ilshift__ = _operator(IP.bitwise_left_shift_)
    __irshift__ = _operator(IP.bitwise_right_shift_)

    def __iand__(self, other):
        return F.bitwise("and", self, other, inplace=True)

    def __ior__(self, other):
        return F.bitwise("or", self, other, inplace=True)

    def __ixor__(self, other):
        return F.bitwise("xor", self, other, inplace=True)

    def atan2(self, other):
        return F._atan2(self, other, 1)

    def logical_and(self, other):
        return F._logical("logical_and", self, other, 1)

    def logical_or(self, other):
        return F._logical("logical_or", self, other, 1)

    def logical_xor(self, other):
        return F._logical("logical_xor", self, other, 1)

    add = F.add
    sub = F.sub
    mul = F.mul
    div = F.div
    pow = F.pow
    floor_divide = F.floor_divide
    remainder = F.remainder
    fmod = F.fmod
    matmul = F.matmul
    mm = F.mm
    mv = F.mv
    dot = F.dot
    bmm = F.bmm
    neg = F.neg
    abs = F.abs
    sign = F.sign
    sgn = F.sgn
    angle = F.angle
    floor = F.floor
    ceil = F.ceil
    trunc = F.trunc
    round = F.round
    frac = F.frac
    exp = F.exp
    log = F.log
    sqrt = F.sqrt
    sin = F.sin
    cos = F.cos
    erf = F.erf
    tanh = F.tanh
    sigmoid = F.sigmoid
    relu = F.relu
    clamp = F.clamp
    square = F.square
    reciprocal = F.reciprocal
    sum = F.sum
    mean = F.mean
    max = F.max
    min = F.min
    argmax = F.argmax
    argmin = F.argmin
    softmax = F.softmax
    log_softmax = F.log_softmax
    var = F.var
    std = F.std
    logsumexp = F.logsumexp
    amax = F.amax
    amin = F.amin
    prod = F.prod
    norm = F.norm

    def inverse(self) -> Tensor:
        return _linalg.inv(self)

    def det(self) -> Tensor:
        return _linalg.det(self)

    def cholesky(self, upper: bool = False) -> Tensor:
        return _linalg.torch_cholesky(self, upper)

    def qr(self, some: bool = True) -> tuple:
        return _linalg.torch_qr(self, some)

    def logdet(self) -> Tensor:
        return _linalg.logdet(self)

    def slogdet(self) -> tuple:
        return _linalg.torch_slogdet(self)

    def matrix_power(self, n: int) -> Tensor:
        return _linalg.matrix_power(self, n)

    def cross(self, other: Tensor, dim: int | None = None) -> Tensor:
        return _linalg.torch_cross(self, other, dim)

    def svd(self, some: bool = True, compute_uv: bool = True) -> tuple:
        return _linalg.torch_svd(self, some, compute_uv)

    def pinverse(self, rcond: float = 1e-15) -> Tensor:
        return _linalg.pinverse(self, rcond)

    def matrix_exp(self) -> Tensor:
        return _linalg_more.matrix_exp(self)

    def cholesky_solve(self, input2: Tensor, upper: bool = False) -> Tensor:
        return _linalg_more.cholesky_solve(self, input2, upper)

    def cholesky_inverse(self, upper: bool = False) -> Tensor:
        return _linalg_more.cholesky_inverse(self, upper)

    def triangular_solve(self, A: Tensor, upper=True, transpose=False, unitriangular=False):  # noqa: N803
        return _linalg_more.triangular_solve(self, A, upper, transpose, unitriangular)

    def lu_solve(self, LU_data: Tensor, LU_pivots: Tensor) -> Tensor:  # noqa: N803
        from .ops.linalg_lu import torch_lu_solve

        return torch_lu_solve(self, LU_data, LU_pivots)

    def lu(self, pivot: bool = True, get_infos: bool = False) -> tuple:
        from .ops.linalg_lu import torch_lu

        return torch_lu(self, pivot, get_infos)

    def orgqr(self, input2: Tensor) -> Tensor:
        from .ops.linalg_householder import householder_product

        return householder_product(self, input2)

    cumsum = F.cumsum
    cumprod = F.cumprod
    cummax = F.cummax
    cummin = F.cummin
    logcumsumexp = F.logcumsumexp
    median = F.median
    nanmedian = F.nanmedian
    kthvalue = F.kthvalue
    mode = F.mode
    msort = F.msort
    aminmax = F.aminmax
    gcd, gcd_ = F.gcd, F.gcd_
    lcm, lcm_ = F.lcm, F.lcm_
    ldexp, ldexp_ = F.ldexp, F.ldexp_
    nextafter, nextafter_ = F.nextafter, F.nextafter_
    frexp = F.frexp
    dist = F.dist
    sum_to_size = F.sum_to_size
    adjoint = F.adjoint
    conj = F.conj
    conj_physical = F.conj_physical
    resolve_conj = F.resolve_conj
    resolve_neg = F.resolve_neg
    is_conj = F.is_conj
    is_neg = F.is_neg
    quantile = F.quantile
    nanquantile = F.nanquantile
    reshape = F.reshape
    view = F.view
    flatten = F.flatten
    transpose = F.transpose
    t = F.t
    permute = F.permute
    unbind = F.unbind
    split = F.split
    chunk = F.chunk
    unsafe_split = _unsafe.unsafe_split
    unsafe_chunk = _unsafe.unsafe_chunk
    unsafe_split_with_sizes = _unsafe.unsafe_split_with_sizes
    unsqueeze = F.unsqueeze
    squeeze = F.squeeze
    expand = F.expand
    gather = F.gather
    index_select = F.index_select
    scatter = F.scatter
    scatter_add = F.scatter_add
    scatter_, scatter_add_ = WR.scatter_, WR.scatter_add_
    index_add, index_add_ = WR.index_add_method, WR.index_add_
    index_copy, index_copy_ = WR.index_copy_method, WR.index_copy_
    index_fill, index_fill_ = WR.index_fill, WR.index_fill_
    masked_scatter, masked_scatter_ = WR.masked_scatter, WR.masked_scatter_
    index_put, index_put_ = WR.index_put, WR.index_put_
    put, put_ = WR.put, WR.put_
    scatter_reduce, scatter_reduce_ = WR.scatter_reduce_method, WR.scatter_reduce_
    eq_, ne_, lt_, le_, gt_, ge_ = IP.eq_, IP.ne_, IP.lt_, IP.le_, IP.gt_, IP.ge_
    greater_, greater_equal_, less_, less_equal_ = IP.gt_, IP.ge_, IP.lt_, IP.le_
    not_equal_ = IP.ne_
    logical_and_, logical_or_ = IP.logical_and_, IP.logical_or_
    logical_xor_, logical_not_ = IP.logical_xor_, IP.logical_not_
    bitwise_and, bitwise_and_ = IP.bitwise_and, IP.bitwise_and_
    bitwise_or, bitwise_or_ = IP.bitwise_or, IP.bitwise_or_
    bitwise_xor, bitwise_xor_ = IP.bitwise_xor, IP.bitwise_xor_
    bitwise_not, bitwise_not_ = IP.bitwise_not, IP.bitwise_not_
    bitwise_left_shift, bitwise_left_shift_ = IP.bitwise_left_shift, IP.bitwise_left_shift_
    bitwise_right_shift, bitwise_right_shift_ = IP.bitwise_right_shift, IP.bitwise_right_shift_
    cumsum_, cumprod_ = IP.cumsum_, IP.cumprod_
    fill_diagonal_ = IP.fill_diagonal_
    masked_select = F.masked_select
    repeat = F.repeat
    flip = F.flip
    roll = F.roll
    narrow = F.narrow
    movedim = F.movedim
    swapaxes = F.swapaxes
    swapdims = F.swapdims
    unflatten = F.unflatten
    tril = F.tril
    triu = F.triu
    diagonal = F.diagonal
    ravel = F.ravel
    broadcast_to = F.broadcast_to
    moveaxis = F.moveaxis
    select = F.select
    trace = F.trace
    positive = F.positive
    tile = F.tile_method
    fliplr = F.fliplr
    flipud = F.flipud
    rot90 = F.rot90
    split_with_sizes = F.split_with_sizes_method
    tensor_split = F.tensor_split_method
    hsplit = F.hsplit_method
    vsplit = F.vsplit_method
    dsplit = F.dsplit_method
    diag = F.diag
    diagflat = F.diagflat
    diag_embed = F.diag_embed
    take_along_dim = F.take_along_dim
    take = F.take
    select_scatter = F.select_scatter
    slice_scatter = F.slice_scatter
    diagonal_scatter = F.diagonal_scatter
    repeat_interleave = F.repeat_interleave_method
    outer = F.outer
    ger, inner, vdot, kron = C.ger, C.inner, C.vdot, C.kron
    unfold, narrow_copy = WI.unfold, WI.narrow_copy
    cov, corrcoef = ST.cov, ST.corrcoef
    addmm, addmm_ = P.addmm, P.addmm_
    addmv, addmv_ = P.addmv, P.addmv_
    addr, addr_ = P.addr, P.addr_
    baddbmm, baddbmm_ = P.baddbmm, P.baddbmm_
    addbmm, addbmm_ = P.addbmm, P.addbmm_
    sort = F.sort
    argsort = F.argsort
    topk = F.topk
    eq = F.eq
    ne = F.ne
    lt = F.lt
    le = F.le
    gt = F.gt
    ge = F.ge
    maximum = F.maximum
    minimum = F.minimum
    add_ = F.add_
    sub_ = F.sub_
    mul_ = F.mul_
    div_ = F.div_
    pow_ = F.pow_
    floor_divide_ = F.floor_divide_
    remainder_ = F.remainder_
    fmod_ = F.fmod_
    floor_ = F.floor_
    ceil_ = F.ceil_
    trunc_ = F.trunc_
    round_ = F.round_
    frac_ = F.frac_
    sign_ = F.sign_
    sgn_ = F.sgn_
    zero_ = F.zero_
    fill_ = F.fill_
    copy_ = F.copy_
    relu_ = F.relu_
    clamp_ = F.clamp_
    log1p = F.log1p
    logit = F.logit
    expm1 = F.expm1
    log2 = F.log2
    log10 = F.log10
    exp2 = F.exp2
    rsqrt = F.rsqrt
    tan = F.tan
    atan = F.atan
    asin = F.asin
    acos = F.acos
    sinh = F.sinh
    cosh = F.cosh
    clamp_min = F.clamp_min
    clamp_max = F.clamp_max
    clip = F.clip
    nan_to_num = F.nan_to_num
    isnan = F.isnan
    isinf = F.isinf
    isfinite = F.isfinite
    logical_not = F.logical_not
    exp_ = F.exp_
    log_ = F.log_
    sqrt_ = F.sqrt_
    neg_ = F.neg_
    abs_ = F.abs_
    sigmoid_ = F.sigmoid_
    tanh_ = F.tanh_
    reciprocal_ = F.reciprocal_
    square_ = F.square_
    log1p_ = F.log1p_
    lerp = F.lerp
    lerp_ = F.lerp_
    addcmul = F.addcmul
    addcmul_ = F.addcmul_
    addcdiv = F.addcdiv
    addcdiv_ = F.addcdiv_
    sin_ = F.sin_
    cos_ = F.cos_
    tril_ = F.tril_
    triu_ = F.triu_
    uniform_ = F.uniform_
    normal_ = F.normal_
    erf_ = F.erf_
    logit_ = F.logit_
    expm1_ = F.expm1_
    log2_ = F.log2_
    log10_ = F.log10_
    exp2_ = F.exp2_
    rsqrt_ = F.rsqrt_
    tan_ = F.tan_
    atan_ = F.atan_
    asin_ = F.asin_
    acos_ = F.acos_
    sinh_ = F.sinh_
    cosh_ = F.cosh_
    atan2_ = F.atan2_
    clamp_min_ = F.clamp_min_
    clamp_max_ = F.clamp_max_
    clip_ = F.clip_
    nan_to_num_ = F.nan_to_num_
    xlogy, xlogy_ = F.xlogy, F.xlogy_
    copysign, copysign_ = F.copysign, F.copysign_
    hypot, hypot_ = F._hypot_method, F.hypot_
    logaddexp, logaddexp2 = F._logaddexp_method, F._logaddexp2_method
    fmax, fmin = F._fmax_method, F._fmin_method
    heaviside, heaviside_ = F._heaviside_method, F.heaviside_
    float_power, float_power_ = F.float_power, F.float_power_
    sinc, sinc_ = F.sinc, F.sinc_
    deg2rad, deg2rad_ = F.deg2rad, F.deg2rad_
    rad2deg, rad2deg_ = F.rad2deg, F.rad2deg_
    nansum, nanmean, diff = F.nansum, F.nanmean, F.diff
    lgamma, lgamma_ = SP.lgamma, SP.lgamma_
    digamma, digamma_ = SP.digamma, SP.digamma_
    polygamma, polygamma_ = SP.polygamma_method, SP.polygamma_
    mvlgamma, mvlgamma_ = SP.mvlgamma, SP.mvlgamma_
    erfc, erfc_ = SP.erfc, SP.erfc_
    erfinv, erfinv_ = SP.erfinv, SP.erfinv_
    i0, i0_ = SP.i0, SP.i0_

    # (ops.special_more builds on this module, so these reach it when called)
    def igamma(self, other: Tensor) -> Tensor:
        from .ops.special_more import igamma

        return igamma(self, other)

    def igamma_(self, other: Tensor) -> Tensor:
        from .ops.special_more import igamma_

        return igamma_(self, other)

    def igammac(self, other: Tensor) -> Tensor:
        from .ops.special_more import igammac

        return igammac(self, other)

    def igammac_(self, other: Tensor) -> Tensor:
        from .ops.special_more import igammac_

        return igammac_(self, other)

    # torch's other names for the same methods (the same nodes: x.multiply_(2) records
    # MulBackward0, x.fix() TruncBackward0)
    multiply, multiply_ = F.mul, F.mul_
    divide, divide_ = F.div, F.div_
    subtract, subtract_ = F.sub, F.sub_
    negative, negative_ = F.neg, F.neg_
    absolute, absolute_ = F.abs, F.abs_
    fix, fix_ = F.trunc, F.trunc_
    arccos, arccos_ = F.acos, F.acos_
    arcsin, arcsin_ = F.asin, F.asin_
    arctan, arctan_ = F.atan, F.atan_
    arctan2, arctan2_ = F.atan2, F.atan2_
    acosh, acosh_, arccosh, arccosh_ = F.acosh, F.acosh_, F.acosh, F.acosh_
    asinh, asinh_, arcsinh, arcsinh_ = F.asinh, F.asinh_, F.asinh, F.asinh_
    atanh, atanh_, arctanh, arctanh_ = F.atanh, F.atanh_, F.atanh, F.atanh_
    greater, greater_equal, less, less_equal, not_equal = F.gt, F.ge, F.lt, F.le, F.ne
    unsqueeze_ = F.unsqueeze_
    squeeze_ = F.squeeze_
    transpose_ = F.transpose_
    swapaxes_ = swapdims_ = F.transpose_
    t_ = F.t_

    def true_divide(self, other) -> Tensor:
        """``self / other`` (``div`` without a rounding mode)."""
        return F.div(self, other)

    def true_divide_(self, other) -> Tensor:
        """``self /= other`` in place (``div_`` without a rounding mode)."""
        return F.div_(self, other)

    def ndimension(self) -> int:
        return self._data.ndim

    def type_as(self, other: Tensor) -> Tensor:
        """This tensor in ``other``'s dtype and on its device (itself when it already is)."""
        return self.to(other.device, other.dtype)

    @property
    def T(self) -> Tensor:  # noqa: N802
        return F.T(self)

    @property
    def mT(self) -> Tensor:  # noqa: N802
        if self._data.ndim < 2:  # as torch: a 0-dim tensor is its own, a vector has none
            if self._data.ndim == 0:
                return self
            raise RuntimeError(
                "tensor.mT is only supported on matrices or batches of matrices. Got 1-D tensor."
            )
        return F.transpose(self, -2, -1)

    @property
    def H(self) -> Tensor:  # noqa: N802
        return F._transposed("H", self)

    @property
    def mH(self) -> Tensor:  # noqa: N802
        return F._transposed("mH", self)

    @property
    def real(self) -> Tensor:
        return F.real(self)

    @property
    def imag(self) -> Tensor:
        return F.imag(self)

    def expand_as(self, other: Tensor) -> Tensor:
        return F.expand(self, other.shape)

    def view_as(self, other: Tensor) -> Tensor:
        return F.view(self, other.shape)

    def reshape_as(self, other: Tensor) -> Tensor:
        return F.reshape(self, other.shape)

    def where(self, condition, other) -> Tensor:
        return F.where(condition, self, other)

    masked_fill = F.masked_fill
    masked_fill_ = F.masked_fill_


M_DEEPCOPY_NONLEAF = (
    "Only Tensors created explicitly by the user (graph leaves) support the deepcopy protocol "
    "at the moment.  If you were attempting to deepcopy a module, this may be because of a "
    "torch.nn.utils.weight_norm usage, see https://github.com/pytorch/pytorch/pull/103001"
)


def _internal_attribute(key: str) -> bool:
    """Whether a key of a tensor's ``__dict__`` is gradscope's own (graph, view and hook
    state, the trace's name, a parameter's mark, forward-mode tangents), not the user's."""
    return hasattr(Tensor, key) or key == "_is_param" or "_tangent" in key


def _address(arr) -> int:
    if type(arr) is np.ndarray:
        return arr.__array_interface__["data"][0]
    return arr.data.ptr


def _copied_memory(data, device: str, memo: dict) -> tuple:
    """For a deep copy: ``data``'s layout over a copy of the array that owns its memory,
    that copy's buffer, and whether the buffer is new. One copy is made per owner in a
    ``copy.deepcopy`` call (``memo``), so views copied together share it, as in torch."""
    owner = data
    while owner.base is not None and type(owner.base) is type(owner):
        owner = owner.base
    contiguous = owner.flags.c_contiguous or owner.flags.f_contiguous
    if data is not owner and not contiguous:  # no layout to carry over: a copy of its own
        out = data.copy(order="K")
        return out, buffers.new(array_nbytes(out), device), True
    key = ("gradscope owner", id(owner))
    entry = memo.get(key)
    fresh = entry is None
    if fresh:
        copied = owner.copy(order="K")
        entry = memo[key] = (owner, copied, buffers.new(copied.nbytes, device))
    _, copied, buffer = entry
    if data is owner:
        return copied, buffer, fresh
    xp = np if type(data) is np.ndarray else backend.cupy()
    if data.size == 0:
        return xp.empty(data.shape, data.dtype), buffer, fresh
    offset = _address(data) - _address(owner)
    memory = copied.reshape(-1, order="A").view(xp.uint8)
    first = memory[offset : offset + data.itemsize].view(data.dtype)
    out = xp.lib.stride_tricks.as_strided(first, data.shape, data.strides)
    if type(data) is np.ndarray and not data.flags.writeable:  # an expanded tensor's
        out.flags.writeable = False
    return out, buffer, fresh


class Size(tuple):
    """A shape, printed as torch prints it: ``gradscope.Size([2, 3])``."""

    def __repr__(self) -> str:
        return f"gradscope.Size([{', '.join(str(s) for s in self)}])"

    def numel(self) -> int:
        n = 1
        for s in self:
            n *= s
        return n


# NumPy arrays handed out by numpy(), by their root array's id: (the root, the tensor),
# both weakly; ``from_numpy`` of one shares the tensor's buffer instead of counting its
# bytes again
_exported: dict[int, tuple] = {}


def _root(arr):
    while isinstance(arr.base, np.ndarray):
        arr = arr.base
    return arr


def _exported_by(t: Tensor) -> None:
    if len(_exported) > 4096:  # drop entries whose array or tensor has gone
        for k, (r, owner) in list(_exported.items()):
            if r() is None or owner() is None:
                del _exported[k]
    root = _root(t._data)
    _exported[id(root)] = (weakref.ref(root), weakref.ref(t))


def exporter_buffer(arr: np.ndarray):
    """The buffer of the live tensor whose ``numpy()`` handed out (a view of) ``arr``'s
    memory, or None."""
    root = _root(arr)
    entry = _exported.get(id(root))
    if entry is None or entry[0]() is not root:
        return None
    t = entry[1]()
    return None if t is None or _root(t._data) is not root else t._buffer


def _assigned_name() -> str | None:
    """The variable a leaf is being assigned to on the user's line (``W = gs.randn(...)``)."""
    import linecache
    import re

    f = user_frame(3)
    if f is None:
        return None
    line = linecache.getline(f.f_code.co_filename, f.f_lineno)
    if ";" in line:  # several statements: the one that makes this call, where Python says
        col = _call_column(f)
        if col is None:
            return None
        line = line[line.rfind(";", 0, col) + 1 :]
    m = re.match(r"\s*([A-Za-z_][\w.]*)\s*(?::[^=]*)?=[^=]", line)
    return m.group(1) if m else None


def _call_column(f) -> int | None:
    """The column where frame ``f``'s current instruction starts (Python 3.11 and later)."""
    positions = getattr(f.f_code, "co_positions", None)
    if positions is None:
        return None
    for i, pos in enumerate(positions()):
        if i == f.f_lasti // 2:
            return pos[2]
    return None


# the operands an operator takes without a closer look
_OPERANDS = frozenset((Tensor, float, int, bool))

_function.Tensor = Tensor
F._bind_tensor(Tensor)

# these ops make tensors at import: bound once the class exists
from .ops import counting as _counting  # noqa: E402

Tensor.nonzero, Tensor.argwhere = _counting.nonzero, _counting.argwhere
Tensor.count_nonzero, Tensor.bincount = _counting.count_nonzero, _counting.bincount
Tensor.histc, Tensor.isclose = _counting.histc, _counting.isclose
Tensor.unique, Tensor.unique_consecutive = _counting.unique, _counting.unique_consecutive
Tensor.signbit, Tensor.isreal = _counting.signbit, _counting.isreal
Tensor.isposinf, Tensor.isneginf = _counting.isposinf, _counting.isneginf

from .ops import predicates as _predicates  # noqa: E402
from .ops import sampling as _sampling  # noqa: E402

Tensor.all, Tensor.any = _predicates.all, _predicates.any
Tensor.allclose, Tensor.equal = _predicates.allclose, _predicates.equal
Tensor.bernoulli, Tensor.bernoulli_ = _sampling.bernoulli, _sampling.bernoulli_
Tensor.multinomial, Tensor.random_ = _sampling.multinomial, _sampling.random_
Tensor.exponential_, Tensor.geometric_ = _sampling.exponential_, _sampling.geometric_
Tensor.cauchy_, Tensor.log_normal_ = _sampling.cauchy_, _sampling.log_normal_

from .ops import distance_misc as _distance_misc  # noqa: E402

Tensor.renorm, Tensor.renorm_ = _distance_misc.renorm, _distance_misc.renorm_
