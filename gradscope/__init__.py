"""gradscope: an instrumented reverse-mode autograd engine you can watch.

``import gradscope as gs`` gives a PyTorch-like tensor library (NumPy on the CPU, CuPy on
CUDA) whose every graph node, saved tensor, gradient and free is recorded by ``gs.trace()``.
"""

from . import autograd, cuda, func, linalg, nn, optim
from .autograd.grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
)
from .backend import Device as device
from .creation import (
    arange,
    as_tensor,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    linspace,
    manual_seed,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randn,
    randn_like,
    tensor,
    zeros,
    zeros_like,
)
from .dtypes import (
    bool_ as bool,  # noqa: A004 - torch's name
    complex64,
    complex128,
    dtype,
    float16,
    float32,
    float64,
    int8,
    int16,
    int32,
    int64,
    uint8,
)
from .memory.buffers import live_bytes
from .ops.api import (
    abs,  # noqa: A004
    acos,
    acosh,
    add,
    amax,
    amin,
    argmax,
    argmin,
    argsort,
    asin,
    asinh,
    atan,
    atanh,
    atan2,
    bmm,
    cat,
    ceil,
    chunk,
    clamp,
    clamp_max,
    clamp_min,
    clip,
    cos,
    cumprod,
    cumsum,
    cosh,
    diagonal,
    div,
    dot,
    eq,
    erf,
    exp,
    exp2,
    expand,
    expm1,
    flatten,
    flip,
    floor,
    floor_divide,
    fmod,
    frac,
    gather,
    ge,
    gt,
    index_select,
    isfinite,
    isinf,
    isnan,
    le,
    log,
    log10,
    log1p,
    logit,
    lerp,
    addcmul,
    addcdiv,
    log2,
    log_softmax,
    logsumexp,
    logical_and,
    logical_not,
    logical_or,
    logical_xor,
    lt,
    masked_fill,
    masked_select,
    matmul,
    max,  # noqa: A004
    maximum,
    mean,
    min,  # noqa: A004
    minimum,
    mm,
    movedim,
    mul,
    mv,
    nan_to_num,
    narrow,
    ne,
    neg,
    norm,
    outer,
    permute,
    prod,
    pow,  # noqa: A004
    reciprocal,
    relu,
    remainder,
    reshape,
    roll,
    round,  # noqa: A004
    rsqrt,
    scatter,
    scatter_add,
    sgn,
    sigmoid,
    sign,
    sin,
    sinh,
    softmax,
    sort,
    split,
    sqrt,
    square,
    squeeze,
    stack,
    std,
    std_mean,
    sub,
    sum,  # noqa: A004
    swapaxes,
    swapdims,
    t,
    tan,
    tanh,
    topk,
    transpose,
    tril,
    triu,
    trunc,
    unbind,
    unflatten,
    unsqueeze,
    var,
    var_mean,
    where,
)
from .ops.inplace import (
    bitwise_and,
    bitwise_left_shift,
    bitwise_not,
    bitwise_or,
    bitwise_right_shift,
    bitwise_xor,
)
from .ops.products import addbmm, addmm, addmv, addr, baddbmm
from .ops.writes import (
    index_add,
    index_copy,
    index_fill,
    index_put,
    index_put_,
    masked_scatter,
    put,
    scatter_reduce,
)
from .recorder import Trace, load_trace, mark, trace
from .tensor import Size, Tensor
from .tracefile import TraceFileError

__version__ = "0.1.0"

float = float32  # noqa: A001
double = float64
long = int64
int = int32  # noqa: A001
half = float16

# torch's other names for the same ops: each records the same node as the op it names
multiply = mul
divide = div
subtract = sub
negative = neg
absolute = abs  # noqa: A001
arccos, arcsin, arctan, arctan2 = acos, asin, atan, atan2
arccosh, arcsinh, arctanh = acosh, asinh, atanh
fix = trunc
greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne
concat = concatenate = cat


def true_divide(input, other):  # noqa: A002
    """``input / other``, as torch's ``true_divide`` (``div`` without a rounding mode)."""
    return div(input, other)


def is_tensor(obj) -> bool:  # noqa: D103
    return isinstance(obj, Tensor)


def numel(input: Tensor) -> int:  # noqa: D103
    return input.numel()


def clone(input: Tensor) -> Tensor:  # noqa: D103
    return input.clone()


def detach(input: Tensor) -> Tensor:  # noqa: D103
    return input.detach()


def get_default_dtype() -> dtype:
    """The dtype of floating tensors built from Python floats (float32)."""
    from .dtypes import default_float

    return default_float
