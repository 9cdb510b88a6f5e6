"""Error texts, worded as torch words them (tests compare them)."""

from typing import NoReturn

M_FREED = (
    "Trying to backward through the graph a second time (or directly access saved tensors "
    "after they have already been freed). Saved intermediate values of the graph are freed "
    "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
    "backward through the graph a second time or if you need to access saved tensors after "
    "calling backward."
)
M_SCALAR = "grad can be implicitly created only for scalar outputs"
M_ONE_ELEMENT = "only one element tensors can be converted to Python scalars"
M_SCALAR_OF_GRAD = (
    "Converting a tensor with requires_grad=True to a scalar may lead to unexpected "
    "behavior.\nConsider using tensor.detach() first."
)
M_NUMPY_OF_GRAD = (
    "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead."
)
M_BOOL_SUB = (
    "Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying to "
    "invert a mask, use the `~` or `logical_not()` operator instead."
)
M_LEAF_INPLACE = "a leaf Variable that requires grad is being used in an in-place operation."
M_NO_GRAD_VIEW_WRITTEN = (
    "A view was created in no_grad mode and its base or another view of its base has been "
    "modified inplace with grad mode enabled. Given that this use case is ambiguous and "
    "error-prone, it is forbidden. You can clarify your code by moving both the view and the "
    "inplace either both inside the no_grad block (if you don't want the inplace to be "
    "tracked) or both outside (if you want the inplace to be tracked)."
)
M_NO_GRAD_VIEW_INPLACE = (
    "A view was created in no_grad mode and is being modified inplace with grad mode enabled. "
    "Given that this use case is ambiguous and error-prone, it is forbidden. You can clarify "
    "your code by moving both the view and the inplace either both inside the no_grad block "
    "(if you don't want the inplace to be tracked) or both outside (if you want the inplace "
    "to be tracked)."
)
M_INTERNAL_OVERLAP = (
    "unsupported operation: more than one element of the written-to tensor refers to a "
    "single memory location. Please clone() the tensor before performing the operation."
)
M_PARTIAL_OVERLAP = (
    "unsupported operation: some elements of the input tensor and the written-to tensor "
    "refer to a single memory location. Please clone() the tensor before performing the "
    "operation."
)
M_VERSION_HINT = (
    "Hint: enable anomaly detection to find the operation that failed to compute its "
    "gradient, with torch.autograd.set_detect_anomaly(True, check_nan=False)."
)
M_VERSION_HINT_ANOMALY = (
    "Hint: the backtrace further above shows the operation that failed to compute its "
    "gradient. The variable in question was changed in there or anywhere later. Good luck!"
)
M_DTYPE_VIEW = (
    "gradscope does not differentiate a view of another dtype (real, imag, view_as_real, "
    "view_as_complex) {what}; use a copy (clone()) instead"
)
M_NONLEAF_GRAD = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
    "attribute won't be populated during autograd.backward(). If you indeed want the .grad "
    "field to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. "
    "If you access the non-leaf Tensor by mistake, make sure you access the leaf Tensor "
    "instead. See github.com/pytorch/pytorch/pull/30531 for more information."
)

_TYPE_NAMES = {
    "float32": "FloatTensor",
    "float64": "DoubleTensor",
    "float16": "HalfTensor",
    "int64": "LongTensor",
    "int32": "IntTensor",
    "int16": "ShortTensor",
    "int8": "CharTensor",
    "uint8": "ByteTensor",
    "bool": "BoolTensor",
    "complex64": "ComplexFloatTensor",
    "complex128": "ComplexDoubleTensor",
}


def scalar_type_name(np_dtype) -> str:
    """torch's name of a dtype in its messages, e.g. ``Float`` or ``Long``."""
    name = str(np_dtype)
    return _TYPE_NAMES[name][: -len("Tensor")] if name in _TYPE_NAMES else name


_CPP_NAMES = {
    "float16": "c10::Half",
    "float32": "float",
    "float64": "double",
    "int64": "long int",
    "int32": "int",
    "int16": "short int",
    "int8": "signed char",
    "uint8": "unsigned char",
    "bool": "bool",
    "complex64": "c10::complex<float>",
    "complex128": "c10::complex<double>",
}


def cpp_type_name(np_dtype) -> str:
    """The C++ name some torch messages give a dtype, e.g. ``long int``."""
    return _CPP_NAMES.get(str(np_dtype), str(np_dtype))


def tensor_type_name(np_dtype, device: str = "cpu") -> str:
    """torch's legacy type name, e.g. ``torch.FloatTensor`` or ``torch.cuda.FloatTensor``."""
    base = _TYPE_NAMES.get(str(np_dtype), "Tensor")
    return f"torch.cuda.{base}" if device.startswith("cuda") else f"torch.{base}"


def shape_str(shape) -> str:
    """A shape as torch prints it: ``[4, 3]``."""
    return "[" + ", ".join(str(s) for s in shape) + "]"


def size_str(shape) -> str:
    """A shape as ``torch.Size([4, 3])``."""
    return f"torch.Size({shape_str(shape)})"


_HEAPTYPE = 1 << 9  # Py_TPFLAGS_HEAPTYPE: a class defined in Python


def py_type_name(obj) -> str:
    """The name torch's C++ messages give an object's type (CPython's ``tp_name``), e.g.
    ``float``, ``NoneType``, ``Tensor`` or ``numpy.ndarray``."""
    t = type(obj)
    if t.__flags__ & _HEAPTYPE or t.__module__ == "builtins":
        return t.__name__
    return f"{t.__module__}.{t.__name__}"


def refuse_forward_ad(op: str) -> NoReturn:
    """Raise torch's error for forward mode through ``op``, which has no forward-mode rule
    in torch (``_cdist_forward``, ``grid_sampler_2d``)."""
    raise NotImplementedError(
        f"Trying to use forward AD with {op} that does not support it because it has not "
        "been implemented yet.\nPlease file an issue to PyTorch at "
        "https://github.com/pytorch/pytorch/issues/new?template=feature-request.yml so "
        "that we can prioritize its implementation or submit a PR adding the "
        "implementation to derivatives.yaml"
    )


def devices_differ(devices) -> str:
    """Torch's error for an op given tensors on two devices (``devices``, strings): the
    CUDA one named first."""
    ds = sorted(set(devices), key=lambda d: (not d.startswith("cuda"), d))
    return (
        "Expected all tensors to be on the same device, but found at least two devices, "
        f"{ds[0]} and {ds[1]}!"
    )


def refuse_kernel(kernel: str, np_dtype) -> NoReturn:
    """Raise torch's error for a dtype its kernel ``kernel`` has no loop for (named as on
    the CPU): ``"frac_cpu" not implemented for 'Long'``."""
    raise NotImplementedError(f"\"{kernel}\" not implemented for '{scalar_type_name(np_dtype)}'")


class _LinAlgError(RuntimeError):
    """A linear-algebra routine failed on its input (a singular matrix), as torch's
    ``torch.linalg.LinAlgError`` (whose class is named ``_LinAlgError`` too)."""


LinAlgError = _LinAlgError
