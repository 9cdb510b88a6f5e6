"""gradscope: an instrumented reverse-mode autograd engine you can watch.

``import gradscope as gs`` gives a PyTorch-like tensor library (NumPy on the CPU, CuPy on
CUDA) whose every graph node, saved tensor, gradient and free is recorded by ``gs.trace()``.
"""

from . import autograd, cuda, func, linalg, nn, optim, special, utils
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
    addcdiv,
    addcmul,
    adjoint,
    amax,
    amin,
    aminmax,
    argmax,
    argmin,
    argsort,
    asin,
    asinh,
    atan,
    atan2,
    atanh,
    bmm,
    broadcast_to,
    cat,
    ceil,
    chunk,
    clamp,
    clamp_max,
    clamp_min,
    clip,
    conj,
    conj_physical,
    copysign,
    cos,
    cosh,
    cummax,
    cummin,
    cumprod,
    cumsum,
    deg2rad,
    deg2rad_,
    diag,
    diag_embed,
    diagflat,
    diagonal,
    diagonal_scatter,
    diff,
    dist,
    div,
    dot,
    dsplit,
    eq,
    erf,
    exp,
    exp2,
    expand,
    expm1,
    flatten,
    flip,
    fliplr,
    flipud,
    float_power,
    floor,
    floor_divide,
    fmax,
    fmin,
    fmod,
    frac,
    frexp,
    gather,
    gcd,
    ge,
    gt,
    heaviside,
    hsplit,
    hypot,
    imag,
    index_select,
    is_conj,
    is_neg,
    isfinite,
    isinf,
    isnan,
    kthvalue,
    lcm,
    ldexp,
    le,
    lerp,
    log,
    log10,
    log1p,
    log2,
    log_softmax,
    logaddexp,
    logaddexp2,
    logcumsumexp,
    logical_and,
    logical_not,
    logical_or,
    logical_xor,
    logit,
    logsumexp,
    lt,
    masked_fill,
    masked_select,
    matmul,
    max,  # noqa: A004
    maximum,
    mean,
    median,
    min,  # noqa: A004
    minimum,
    mm,
    mode,
    moveaxis,
    movedim,
    msort,
    mul,
    mv,
    nan_to_num,
    nanmean,
    nanmedian,
    nanquantile,
    nansum,
    narrow,
    ne,
    neg,
    nextafter,
    norm,
    outer,
    permute,
    positive,
    pow,  # noqa: A004
    prod,
    quantile,
    rad2deg,
    rad2deg_,
    ravel,
    real,
    reciprocal,
    relu,
    remainder,
    repeat_interleave,
    reshape,
    resolve_conj,
    resolve_neg,
    roll,
    rot90,
    round,  # noqa: A004
    rsqrt,
    scatter,
    scatter_add,
    select,
    select_scatter,
    sgn,
    angle,
    complex,  # noqa: A004
    polar,
    sigmoid,
    sign,
    sin,
    sinc,
    sinc_,
    sinh,
    slice_scatter,
    softmax,
    sort,
    split,
    split_with_sizes,
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
    take,
    take_along_dim,
    tan,
    tanh,
    tensor_split,
    tile,
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
    view_as_complex,
    view_as_real,
    vsplit,
    where,
    xlogy,
    xlogy_,
)
from .ops.contract import chain_matmul, einsum, ger, inner, kron, tensordot, vdot
from .ops.counting import (
    argwhere,
    bincount,
    count_nonzero,
    histc,
    isclose,
    isneginf,
    isposinf,
    isreal,
    nonzero,
    signbit,
    unique,
    unique_consecutive,
)
from .ops.distance import cdist
from .ops.distance_misc import pdist, renorm
from .ops.inplace import (
    bitwise_and,
    bitwise_left_shift,
    bitwise_not,
    bitwise_or,
    bitwise_right_shift,
    bitwise_xor,
)
from .ops.namespace import (
    abs_,
    acos_,
    acosh_,
    adaptive_avg_pool1d,
    addmv_,
    arccos_,
    arccosh_,
    arcsin_,
    arcsinh_,
    arctan_,
    arctanh_,
    asin_,
    asinh_,
    atan_,
    atanh_,
    avg_pool1d,
    batch_norm,
    binary_cross_entropy_with_logits,
    ceil_,
    celu,
    celu_,
    clamp_,
    clamp_max_,
    clamp_min_,
    clip_,
    conv1d,
    conv2d,
    conv_transpose2d,
    cos_,
    cosh_,
    cosine_similarity,
    detach_,
    dropout,
    dropout_,
    embedding,
    erf_,
    exp2_,
    exp_,
    expm1_,
    fill,
    fill_,
    fix_,
    floor_,
    frac_,
    gcd_,
    get_device,
    group_norm,
    hardshrink,
    is_inference,
    is_signed,
    kl_div,
    layer_norm,
    lcm_,
    ldexp_,
    log10_,
    log1p_,
    log2_,
    log_,
    logit_,
    max_pool1d,
    max_pool2d,
    nan_to_num_,
    neg_,
    negative_,
    pairwise_distance,
    prelu,
    reciprocal_,
    relu_,
    rms_norm,
    round_,
    rsqrt_,
    rsub,
    selu,
    selu_,
    sigmoid_,
    sin_,
    sinh_,
    sqrt_,
    square_,
    tan_,
    tanh_,
    threshold,
    threshold_,
    triplet_margin_loss,
    trunc_,
    zero_,
)
from .ops.predicates import (
    all,  # noqa: A004
    allclose,
    any,  # noqa: A004
    broadcast_shapes,
    can_cast,
    equal,
    get_default_dtype,
    is_complex,
    is_floating_point,
    is_nonzero,
    is_same_size,
    promote_types,
    result_type,
    set_default_dtype,
)
from .ops.products import addbmm, addmm, addmv, addr, baddbmm
from .ops.ranges import logspace, tril_indices, triu_indices
from .ops.recurrent import (
    gru,
    gru_cell,
    lstm,
    lstm_cell,
    rnn_relu,
    rnn_relu_cell,
    rnn_tanh,
    rnn_tanh_cell,
)
from .ops.sampling import bernoulli, multinomial, normal, randint_like, randperm
from .ops.searching import bucketize, isin, searchsorted
from .ops.special import (
    digamma,
    erfc,
    erfc_,
    erfinv,
    i0,
    i0_,
    lgamma,
    mvlgamma,
    polygamma,
)
from .ops.stacking import (
    atleast_1d,
    atleast_2d,
    atleast_3d,
    block_diag,
    broadcast_tensors,
    cartesian_prod,
    column_stack,
    combinations,
    dstack,
    hstack,
    meshgrid,
    row_stack,
    vander,
    vstack,
)
from .ops.stats import corrcoef, cov, cumulative_trapezoid, trapezoid, trapz
from .ops.unsafe import unsafe_chunk, unsafe_split, unsafe_split_with_sizes
from .ops.windows import narrow_copy
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
from .recorder import Trace, load_trace, mark
from .recorder import trace as _record
from .tensor import Size, Tensor
from .tracefile import TraceFileError
from .errors import py_type_name as _py_type_name

__version__ = "0.1.0"


def trace(path=None, *, scenario: str | None = None):
    """Record every graph and memory event inside a ``with`` block (streamed to ``path``):
    ``with gs.trace() as tr: ...``.

    Given a tensor, it is torch's ``trace`` instead, the sum of a matrix's diagonal: code
    written for torch calls ``gs.trace(A)`` meaning that, and a tensor is never a path.
    """
    if isinstance(path, Tensor):
        return path.trace()
    return _record(path, scenario=scenario)


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


# the linear-algebra functions torch also has at the top level, and their aliases
inverse = linalg.inv
det = linalg.det
matrix_power = linalg.matrix_power
from .ops.linalg_api import logdet  # noqa: E402
from .ops.linalg_api import torch_cholesky as cholesky  # noqa: E402
from .ops.linalg_api import torch_qr as qr  # noqa: E402
from .ops.linalg_api import torch_cross as cross  # noqa: E402
from .ops.linalg_api import pinverse  # noqa: E402
from .ops.linalg_api import torch_slogdet as slogdet  # noqa: E402
from .ops.linalg_api import torch_svd as svd  # noqa: E402
from .ops.linalg_more import cholesky_inverse, cholesky_solve, triangular_solve  # noqa: E402
from .ops.linalg_lu import lu_unpack  # noqa: E402
from .ops.linalg_lu import torch_lu_solve as lu_solve  # noqa: E402
from .ops.linalg_lu import torch_lu as lu  # noqa: E402
from .ops.linalg_householder import householder_product as orgqr  # noqa: E402

matrix_exp = linalg.matrix_exp


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


from .nn.functional import bilinear, rrelu, rrelu_  # noqa: E402 - torch's top-level forms
from .ops.window_functions import (  # noqa: E402 - signal windows
    bartlett_window,
    blackman_window,
    hamming_window,
    hann_window,
    kaiser_window,
)
from .ops.special_more import igamma, igammac  # noqa: E402 - special.gammainc's first names


# The functions torch's argument parser refuses anything but a tensor as the first
# argument of ("exp(): argument 'input' (position 1) must be Tensor, not float"); as the
# gradscope namespace's functions, they refuse it the same way instead of failing inside
# (the tensor methods of the same names need no check).
_TENSOR_FIRST = (
    "abs",
    "absolute",
    "acos",
    "acosh",
    "adjoint",
    "allclose",
    "amax",
    "amin",
    "aminmax",
    "angle",
    "arccos",
    "arccosh",
    "arcsin",
    "arcsinh",
    "arctan",
    "arctan2",
    "arctanh",
    "argmax",
    "argmin",
    "argsort",
    "asin",
    "asinh",
    "atan",
    "atan2",
    "atanh",
    "batch_norm",
    "binary_cross_entropy_with_logits",
    "broadcast_to",
    "ceil",
    "cholesky",
    "cholesky_inverse",
    "cholesky_solve",
    "chunk",
    "complex",
    "conj",
    "conj_physical",
    "corrcoef",
    "cos",
    "cosh",
    "cov",
    "cross",
    "cummax",
    "cummin",
    "cumprod",
    "cumsum",
    "cumulative_trapezoid",
    "deg2rad",
    "deg2rad_",
    "det",
    "diag",
    "diag_embed",
    "diagflat",
    "diagonal",
    "diagonal_scatter",
    "diff",
    "digamma",
    "dist",
    "dot",
    "dropout",
    "dropout_",
    "embedding",
    "equal",
    "erf",
    "erfc",
    "erfc_",
    "erfinv",
    "exp",
    "exp2",
    "expm1",
    "fix",
    "flatten",
    "flip",
    "fliplr",
    "flipud",
    "floor",
    "fmax",
    "fmin",
    "frac",
    "frexp",
    "gather",
    "gcd",
    "ger",
    "group_norm",
    "gru_cell",
    "heaviside",
    "hypot",
    "i0",
    "i0_",
    "igamma",
    "igammac",
    "imag",
    "index_add",
    "index_copy",
    "index_put",
    "index_put_",
    "index_select",
    "inner",
    "inverse",
    "is_conj",
    "is_neg",
    "is_same_size",
    "isclose",
    "kl_div",
    "kron",
    "kthvalue",
    "layer_norm",
    "lcm",
    "ldexp",
    "lgamma",
    "log",
    "log10",
    "log1p",
    "log2",
    "log_softmax",
    "logaddexp",
    "logaddexp2",
    "logcumsumexp",
    "logdet",
    "logical_and",
    "logical_not",
    "logical_or",
    "logical_xor",
    "logit",
    "logsumexp",
    "lstm_cell",
    "lu",
    "lu_solve",
    "lu_unpack",
    "masked_scatter",
    "masked_select",
    "matmul",
    "matrix_exp",
    "matrix_power",
    "max",
    "max_pool1d",
    "max_pool2d",
    "maximum",
    "mean",
    "median",
    "min",
    "minimum",
    "mode",
    "msort",
    "multinomial",
    "mv",
    "mvlgamma",
    "nan_to_num",
    "nanmean",
    "nanmedian",
    "nansum",
    "narrow_copy",
    "neg",
    "negative",
    "nextafter",
    "orgqr",
    "outer",
    "pdist",
    "permute",
    "pinverse",
    "polar",
    "positive",
    "prod",
    "put",
    "qr",
    "rad2deg",
    "rad2deg_",
    "ravel",
    "real",
    "reciprocal",
    "relu",
    "renorm",
    "repeat_interleave",
    "reshape",
    "resolve_conj",
    "resolve_neg",
    "rnn_relu_cell",
    "rnn_tanh_cell",
    "roll",
    "rot90",
    "round",
    "rsqrt",
    "scatter_add",
    "scatter_reduce",
    "select",
    "select_scatter",
    "selu",
    "selu_",
    "sgn",
    "sigmoid",
    "sign",
    "sin",
    "sinc",
    "sinc_",
    "sinh",
    "slice_scatter",
    "slogdet",
    "softmax",
    "sort",
    "split_with_sizes",
    "sqrt",
    "square",
    "squeeze",
    "sum",
    "svd",
    "swapaxes",
    "swapdims",
    "t",
    "take",
    "take_along_dim",
    "tan",
    "tanh",
    "tile",
    "topk",
    "transpose",
    "trapezoid",
    "trapz",
    "triangular_solve",
    "tril",
    "triplet_margin_loss",
    "triu",
    "trunc",
    "unbind",
    "unflatten",
    "unsafe_chunk",
    "unsafe_split",
    "unsafe_split_with_sizes",
    "unsqueeze",
    "vdot",
    "view_as_complex",
    "view_as_real",
    "where",
)
# where torch's parser names that first argument, or the function, otherwise
_PARSER_NAMES = {
    "complex": ("complex", "real"),
    "cumulative_trapezoid": ("cumulative_trapezoid", "y"),
    "embedding": ("embedding", "weight"),
    "lu": ("_lu_with_info", "input"),
    "lu_unpack": ("lu_unpack", "LU_data"),
    "polar": ("polar", "abs"),
    "repeat_interleave": ("repeat_interleave", "repeats"),
    "trapezoid": ("trapezoid", "y"),
    "trapz": ("trapz", "y"),
    "triplet_margin_loss": ("triplet_margin_loss", "anchor"),
    "where": ("where", "condition"),
}


def _tensor_first(name: str, fn):
    name, arg = _PARSER_NAMES.get(name, (name, "input"))

    def checked(*args, **kwargs):
        if not (args and isinstance(args[0], Tensor)):
            first = args[0] if args else next(iter(kwargs.values()), None)
            if not isinstance(first, Tensor):
                raise TypeError(
                    f"{name}(): argument '{arg}' (position 1) must be Tensor, not "
                    f"{_py_type_name(first)}"
                )
        return fn(*args, **kwargs)

    checked.__name__, checked.__qualname__, checked.__doc__ = (
        fn.__name__,
        fn.__qualname__,
        fn.__doc__,
    )
    checked.__wrapped__ = fn
    return checked


for _name in _TENSOR_FIRST:
    globals()[_name] = _tensor_first(_name, globals()[_name])
del _name
