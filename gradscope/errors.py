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


def parse_tensor_type_name(name: str) -> tuple[str | None, str]:
    """The dtype name (None: the default dtype) and device of a legacy type name that
    ``Tensor.type`` takes (``torch.DoubleTensor``, ``torch.cuda.FloatTensor``; the
    ``gradscope.`` prefix as well), or torch's ValueError."""
    for prefix, device in (("torch.cuda.", "cuda"), ("torch.", "cpu"), ("gradscope.cuda.", "cuda"), ("gradscope.", "cpu")):  # fmt: skip
        if name.startswith(prefix):
            base = name[len(prefix) :]
            if base == "Tensor":
                return None, device
            for dtype, type_name in _TYPE_NAMES.items():
                if type_name == base:
                    return dtype, device
            break
    raise ValueError(f"invalid type: {name!r}")


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


# torch's refusals of complex tensors, by the node or op gradscope refuses them at: the
# name of the kernel that has no complex loop ("<kernel>" not implemented for
# 'ComplexFloat'), or torch's own exception
_COMPLEX_REFUSALS: dict[str, str | tuple[type, str]] = {
    "AmaxBackward0": "max_values_cpu",
    "AminBackward0": "min_values_cpu",
    "Atan2Backward0": "atan2_cpu",
    "BinaryCrossEntropyWithLogitsBackward0": "log_sigmoid_cpu",
    "CeilBackward0": (NotImplementedError, "ceil is not supported for complex inputs"),
    "CeluBackward0": "elu_cpu",
    "CeluBackward1": "elu_cpu",
    "ClampMaxBackward1": "minimum_cpu",
    "ClampMinBackward1": "maximum_cpu",
    "CopysignBackward0": "copysign_cpu",
    "CummaxBackward0": "cummax_cpu",
    "CumminBackward0": "cummin_cpu",
    "Deg2RadBackward0": (RuntimeError, "deg2rad is not supported for complex tensors."),
    "DigammaBackward0": "digamma",
    "EluBackward0": "elu_cpu",
    "EluBackward1": "elu_cpu",
    "ErfBackward0": "erf_vml_cpu",
    "ErfcBackward0": "erfc_vml_cpu",
    "ErfinvBackward0": "erfinv_vml_cpu",
    "FloorBackward0": (NotImplementedError, "floor is not supported for complex inputs"),
    "FmaxBackward0": (RuntimeError, "fmax not implemented for complex tensors."),
    "FminBackward0": (RuntimeError, "fmin not implemented for complex tensors."),
    "FmodBackward1": "fmod_cpu",
    "FracBackward0": "frac_cpu",
    "HardshrinkBackward0": "hardshrink_cpu",
    "HypotBackward0": "hypot_cpu",
    "I0Backward0": "i0_vml_cpu",
    "LgammaBackward0": "lgamma_vml_cpu",
    "Logaddexp2Backward0": "logaddexp2_cpu",
    "LogitBackward0": "logit_cpu",
    "MaxBackward1": "max_all",
    "MaximumBackward0": (RuntimeError, "maximum not implemented for complex tensors."),
    "MedianBackward0": "median_cpu",
    "MinBackward1": "min_all",
    "MinimumBackward0": (RuntimeError, "minimum not implemented for complex tensors."),
    "ModeBackward0": "mode_cpu",
    "NanmedianBackward0": "median_cpu",
    "NansumBackward0": (RuntimeError, "nansum on CPU does not support complex inputs"),
    "Rad2DegBackward0": (RuntimeError, "rad2deg is not supported for complex tensors."),
    "ReluBackward0": (NotImplementedError, "clamp is not supported for complex types"),
    "RemainderBackward1": "remainder_cpu",
    "RoundBackward0": "round_vml_cpu",
    "RreluWithNoiseBackward0": "leaky_relu_cpu",
    "RreluWithNoiseBackward1": "leaky_relu_cpu",
    "SignBackward0": (
        NotImplementedError,
        "Unlike NumPy, torch.sign is not intended to support complex numbers. Please use "
        "torch.sgn instead.",
    ),
    "SortBackward0": (RuntimeError, " Sort does not support complex dtypes on CPU"),
    "TopkBackward0": (RuntimeError, " topk does not support complex dtypes on CPU"),
    "TruncBackward0": (NotImplementedError, "trunc is not supported for complex inputs"),
    "Unique2Backward0": "unique",
    "UniqueConsecutiveBackward0": "unique",
    "XlogyBackward0": "xlogy_cpu",
    # ops without a node of their own
    "abs_": (RuntimeError, "In-place abs is not supported for complex tensors."),
    "aminmax": "aminmax_cpu",
    "argmax": (RuntimeError, "argmax(): does not support complex input"),
    "argmin": (RuntimeError, "argmin(): does not support complex input"),
    "argsort": (RuntimeError, " Sort does not support complex dtypes on CPU"),
    "floor_divide": "div_floor_cpu",
    "heaviside": (RuntimeError, "heaviside is not yet implemented for complex tensors."),
    "remainder": "remainder_cpu",
    "isin": (RuntimeError, "Unsupported input type encountered for isin(): {dtype}"),
    "isneginf": (RuntimeError, "isneginf does not support complex inputs."),
    "isposinf": (RuntimeError, "isposinf does not support complex inputs."),
    "searchsorted": "searchsorted_out_cpu",
    "signbit": (NotImplementedError, "signbit is not implemented for complex tensors."),
}


def complex_refusal(name: str, np_dtype) -> Exception:
    """The error for node or op ``name`` given a complex tensor of ``np_dtype``: torch's
    where it refuses them too, else gradscope's own."""
    known = _COMPLEX_REFUSALS.get(name)
    if known is None:
        return NotImplementedError(f"{name}: gradscope takes real tensors only")
    dtype = scalar_type_name(np_dtype)
    if type(known) is str:
        return NotImplementedError(f"\"{known}\" not implemented for '{dtype}'")
    return known[0](known[1].format(dtype=dtype))


def refuse_complex_input(name: str, *tensors) -> None:
    """Raise torch's error if any of ``tensors`` (op ``name``'s) is complex."""
    for t in tensors:
        dtype = getattr(getattr(t, "_data", None), "dtype", None)
        if dtype is not None and dtype.kind == "c":
            raise complex_refusal(name, dtype)


def refuse_complex_grad(name: str, out, record: bool) -> None:
    """torch's error for op ``name`` whose complex output would need a gradient."""
    if record and out.dtype.kind == "c":
        raise RuntimeError(
            f"{name} does not support automatic differentiation for outputs with complex dtype."
        )
