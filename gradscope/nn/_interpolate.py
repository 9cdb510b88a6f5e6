"""``interpolate`` and its deprecated wrappers ``upsample``, ``upsample_nearest`` and
``upsample_bilinear``, with torch's argument handling, checks and messages; one node per
call (``gradscope.ops.upsample``), or the adaptive average pools for ``mode='area'``.

    >>> x = gs.arange(4.0).reshape(1, 1, 2, 2)
    >>> F.interpolate(x, scale_factor=2, mode="bilinear").grad_fn  # no grad: None
    >>> F.interpolate(x.requires_grad_(), size=(3, 5)).grad_fn.name()
    'UpsampleNearest2DBackward0'
"""

from __future__ import annotations

import math
import warnings
from numbers import Number

import numpy as np

from ..autograd.function import apply
from ..errors import py_type_name, scalar_type_name
from ..events.callsite import user_stacklevel
from ..ops import api
from ..ops import upsample as U
from ._conv import _int_list

_NODES = {
    ("nearest", 3): U.UpsampleNearest1DBackward0,
    ("nearest", 4): U.UpsampleNearest2DBackward0,
    ("nearest", 5): U.UpsampleNearest3DBackward0,
    ("nearest-exact", 3): U.UpsampleNearestExact1DBackward0,
    ("nearest-exact", 4): U.UpsampleNearestExact2DBackward0,
    ("nearest-exact", 5): U.UpsampleNearestExact3DBackward0,
    ("linear", 3): U.UpsampleLinear1DBackward0,
    ("bilinear", 4): U.UpsampleBilinear2DBackward0,
    ("trilinear", 5): U.UpsampleTrilinear3DBackward0,
    ("bicubic", 4): U.UpsampleBicubic2DBackward0,
}
_AA_NODES = {"bilinear": U.UpsampleBilinear2DAaBackward0, "bicubic": U.UpsampleBicubic2DAaBackward0}

# the kernel torch names when it refuses a dtype (its 2-d nearest and bilinear CPU kernels
# are the channels-last ones for every 4-d input)
_KERNELS = {
    ("nearest", 3): "compute_indices_weights_nearest",
    ("nearest", 4): "upsample_nearest2d_channels_last",
    ("nearest", 5): "compute_indices_weights_nearest",
    ("nearest-exact", 3): "compute_indices_weights_nearest",
    ("nearest-exact", 4): "upsample_nearest2d_channels_last",
    ("nearest-exact", 5): "compute_indices_weights_nearest",
    ("linear", 3): "compute_indices_weights_linear",
    ("bilinear", 4): "upsample_bilinear2d_channels_last",
    ("trilinear", 5): "compute_indices_weights_linear",
    ("bicubic", 4): "compute_indices_weights_cubic",
}
_MODES = "nearest | linear | bilinear | bicubic | trilinear | lanczos | area | nearest-exact"


def _is_integer(x) -> bool:
    """torch's ``_is_integer``: a Python or NumPy int, or a tensor of integers."""
    if isinstance(x, (int, np.integer)):
        return True
    return hasattr(x, "is_floating_point") and not x.is_floating_point()


def _output_size(shape, scales) -> list:
    """``floor(size * scale)`` per dim, in float64, as torch's ``compute_output_size``."""
    out = []
    for n, s in zip(shape, scales):
        v = float(n) * float(s)
        if not math.isfinite(v) or not -(2.0**63) <= v < 2.0**63:
            raise RuntimeError("value cannot be converted to type int64_t without overflow")
        out.append(int(v))
    return out


def _upsample_name(mode: str, dim: int) -> str:
    """The name of torch's function for ``mode`` over ``dim`` dims."""
    prefix = "_" if mode == "nearest-exact" else ""
    return f"{prefix}upsample_{mode.replace('-', '_')}{dim}d"


def _check_scales(mode: str, dim: int, scales) -> None:
    """torch's parser's TypeError for a scale factor that is not a number (its upsampling
    function ``upsample_<mode><dim>d`` refuses it; past the first, it counts from 1)."""
    for i, s in enumerate(scales):
        if not isinstance(s, (Number, np.number)) and not hasattr(s, "__float__"):
            fn = _upsample_name(mode, dim)
            raise TypeError(
                f"{fn}(): argument 'scale_factors' must be tuple of floats, but found element "
                f"of type {py_type_name(s)} at pos {i + 1 if i else 0}"
            )


def _check_sizes(input, output_size) -> None:
    """torch's ``upsample_Nd_common_check`` and the non-empty check after it."""
    spatial = tuple(input.shape[2:])
    if any(n <= 0 for n in spatial) or any(o <= 0 for o in output_size):
        names = "DHW"[-len(spatial) :]
        if len(spatial) == 1:
            raise RuntimeError(
                "Input and output sizes should be greater than 0, but got input "
                f"(W: {spatial[0]}) and output (W: {output_size[0]})"
            )
        fin = ", ".join(f"{k}: {v}" for k, v in zip(names, spatial))
        fout = ", ".join(f"{k}: {v}" for k, v in zip(names, output_size))
        raise RuntimeError(
            f"Input and output sizes should be greater than 0, but got input ({fin}) "
            f"output ({fout})"
        )
    if input.shape[1] == 0:
        raise RuntimeError(
            f"Non-empty {input.ndim}D data tensor expected but got a tensor with sizes "
            f"[{', '.join(map(str, input.shape))}]"
        )


def _check_dtype(input, kernel: str) -> None:
    dt = input._data.dtype
    if dt.kind != "f":
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{scalar_type_name(dt)}'")


def _resample(input, mode, output_size, scales, align_corners, antialias):
    nd = input.ndim
    if not _is_integer(output_size[0]) or isinstance(output_size[0], bool):
        fn = _upsample_name(mode, nd - 2)
        raise TypeError(
            f"{fn}(): argument 'output_size' must be tuple of ints, but found element of type "
            f"{py_type_name(output_size[0])} at pos 0"
        )
    output_size = [int(o) for o in output_size]
    _check_sizes(input, output_size)
    if antialias:
        _check_dtype(input, "compute_index_ranges_weights")
        if input._data.dtype == np.float16:
            raise NotImplementedError("\"compute_index_ranges_weights\" not implemented for 'Half'")
        node = _AA_NODES[mode]
    else:
        _check_dtype(input, _KERNELS[mode, nd])
        node = _NODES[mode, nd]
    scales = tuple(None if s is None else float(s) for s in scales)
    if node._aligns:
        return apply(node, (input,), output_size, scales, bool(align_corners))
    return apply(node, (input,), output_size, scales)


def _area(input, output_size):
    from . import functional as F

    nd = input.ndim
    if nd == 3:
        return F.adaptive_avg_pool1d(input, output_size)
    if nd == 4:
        return F.adaptive_avg_pool2d(input, output_size)
    size = _int_list("adaptive_avg_pool3d", "output_size", 2, output_size, 3)
    if any(o < 0 for o in size):
        raise RuntimeError(
            "adaptive_avg_pool3d: elements of output_size must be greater than or equal to 0 "
            f"but received {{{size[0]}, {size[1]},{size[2]}}}"
        )
    if size == (1, 1, 1):  # torch takes the mean, a node of its own
        return api.mean(input, (-1, -2, -3), keepdim=True)
    _check_dtype(input, "adaptive_avg_pool3d_cpu")
    return apply(U.AdaptiveAvgPool3DBackward0, (input,), size)


def interpolate(
    input,
    size=None,
    scale_factor=None,
    mode: str = "nearest",
    align_corners=None,
    recompute_scale_factor=None,
    antialias: bool = False,
):
    """``input`` (N, C, *spatial) resampled to ``size`` or by ``scale_factor`` along its
    1 to 3 spatial dims, as ``torch.nn.functional.interpolate``.

    ``mode``: ``nearest``, ``nearest-exact``, ``linear`` (3-d input), ``bilinear`` and
    ``bicubic`` (4-d), ``trilinear`` (5-d) or ``area`` (adaptive average pooling).
    ``antialias`` applies to bilinear and bicubic (PIL's filters when downsampling).

        >>> F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=False)
    """
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError(
                "align_corners option can only be set with the interpolating modes: "
                "linear | bilinear | bicubic | trilinear"
            )
    elif align_corners is None:
        align_corners = False

    dim = input.ndim - 2
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        scale_factors = None
        if isinstance(size, (list, tuple)):
            if len(size) != dim:
                raise ValueError(
                    "Input and output must have the same number of spatial dimensions, but got "
                    f"input with spatial dimensions of {list(input.shape[2:])} and output size "
                    f"of {size}. Please provide input tensor in (N, C, d1, d2, ...,dK) format and "
                    "output size in (o1, o2, ...,oK) format."
                )
            if not all(_is_integer(x) for x in size):
                raise TypeError(
                    "expected size to be one of int or Tuple[int] or Tuple[int, int] or "
                    f"Tuple[int, int, int], but got size with types {[type(x) for x in size]}"
                )
            output_size = [int(x) for x in size]
        else:  # (torch leaves one size to the parser of the function it calls)
            output_size = [size] * dim
    elif scale_factor is not None:
        output_size = None
        if isinstance(scale_factor, (list, tuple)):
            if len(scale_factor) != dim:
                raise ValueError(
                    "Input and scale_factor must have the same number of spatial dimensions, "
                    f"but got input with spatial dimensions of {list(input.shape[2:])} and "
                    f"scale_factor of shape {scale_factor}. Please provide input tensor in "
                    "(N, C, d1, d2, ...,dK) format and scale_factor in (s1, s2, ...,sK) format."
                )
            scale_factors = list(scale_factor)
        else:
            scale_factors = [scale_factor] * dim
    else:
        raise ValueError("either size or scale_factor should be defined")

    if recompute_scale_factor and size is not None:
        raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
    if mode == "area" and output_size is None:
        recompute_scale_factor = True
    if recompute_scale_factor:
        # the size from the scale, then the scale forgotten: the kernels use in / out
        output_size = [int(input.shape[i + 2] * scale_factors[i]) for i in range(dim)]
        scale_factors = None

    if antialias and not (mode in ("bilinear", "bicubic", "lanczos") and input.ndim == 4):
        raise ValueError(
            "Anti-alias option is restricted to bilinear, bicubic, and lanczos modes and "
            "requires a 4-D tensor as input"
        )

    nd = input.ndim
    if mode == "area" and nd in (3, 4, 5):
        return _area(input, output_size)
    if (mode, nd) in _NODES:
        if output_size is None:
            _check_scales(mode, dim, scale_factors)
            output_size = _output_size(input.shape[2:], scale_factors)
        scales = scale_factors if scale_factors is not None else [None] * dim
        return _resample(input, mode, output_size, scales, align_corners, antialias)
    if mode == "lanczos" and nd == 4:
        if align_corners:
            raise ValueError("Lanczos mode does not support align_corners=True")
        if not antialias:
            raise ValueError("Lanczos mode requires antialias=True")
        raise NotImplementedError("gradscope: interpolate has no mode='lanczos' yet")

    for need, m in ((4, "bilinear"), (5, "trilinear"), (3, "linear")):
        if mode == m and nd in (3, 4, 5) and nd != need:
            raise NotImplementedError(f"Got {nd}D input, but {m} mode needs {need}D input")
    raise NotImplementedError(
        f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {nd}D) for the modes: "
        f"{_MODES} (got {mode})"
    )


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    """Deprecated: ``interpolate(input, size, scale_factor, mode, align_corners)``."""
    warnings.warn(
        "`nn.functional.upsample` is deprecated. Use `nn.functional.interpolate` instead.",
        stacklevel=user_stacklevel(),
    )
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    """Deprecated: ``interpolate(input, size, scale_factor, mode="nearest")``."""
    warnings.warn(
        "`nn.functional.upsample_nearest` is deprecated. Use `nn.functional.interpolate` instead.",
        stacklevel=user_stacklevel(),
    )
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    """Deprecated: ``interpolate(..., mode="bilinear", align_corners=True)``."""
    warnings.warn(
        "`nn.functional.upsample_bilinear` is deprecated. Use `nn.functional.interpolate` instead.",
        stacklevel=user_stacklevel(),
    )
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)
