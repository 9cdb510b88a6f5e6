"""``grid_sample`` and ``affine_grid``, with torch's argument handling, checks, messages
and warnings; one node per call (``gradscope.ops.grid_sample``).

    >>> theta = gs.tensor([[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]], requires_grad=True)
    >>> grid = F.affine_grid(theta, (1, 1, 2, 3), align_corners=False)
    >>> grid.grad_fn.name()
    'AffineGridGeneratorBackward0'
    >>> F.grid_sample(gs.ones(1, 1, 4, 4), grid, align_corners=False).grad_fn.name()
    'GridSampler2DBackward0'
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..autograd.function import apply
from ..errors import refuse_kernel, scalar_type_name, shape_str, size_str
from ..events.callsite import user_stacklevel
from ..ops import grid_sample as G

if TYPE_CHECKING:
    from ..tensor import Tensor

_DEFAULT_CHANGED = (
    "Default grid_sample and affine_grid behavior has changed to align_corners=False since "
    "1.3.0. Please specify align_corners=True if the old behavior is desired. See the "
    "documentation of grid_sample for details."
)
_UNIT_SIZE = (
    "Since version 1.3.0, affine_grid behavior has changed for unit-size grids when "
    "align_corners=True. This is not an intended use case of affine_grid. See the "
    "documentation of affine_grid for details."
)


def _dtype_name(t) -> str:
    return "torch." + str(t.dtype).rsplit(".", 1)[-1]


def _check_grid_sampler(input, grid, mode: int) -> None:  # noqa: A002
    """torch's ``check_grid_sampler_common`` then its 2-d or 3-d check, in its order."""
    sizes, gsizes = shape_str(input.shape), shape_str(grid.shape)
    if grid.ndim and input.ndim and input.shape[0] != grid.shape[0]:
        raise RuntimeError(
            "grid_sampler(): expected grid and input to have same batch size, but got input "
            f"with sizes {sizes} and grid with sizes {gsizes}"
        )
    if grid.shape[-1] != input.ndim - 2:
        raise RuntimeError(
            f"grid_sampler(): expected grid to have size {input.ndim - 2} in last dimension, "
            f"but got grid with sizes {gsizes}"
        )
    for i in range(2, input.ndim):
        if input.shape[i] <= 0:
            raise RuntimeError(
                "grid_sampler(): expected input to have non-empty spatial dimensions, but "
                f"input has sizes {sizes} with dimension {i} being empty"
            )
    nd = 4 if input.ndim == 4 else 5
    if input.ndim != nd or grid.ndim != nd:
        raise RuntimeError(
            f"grid_sampler(): expected {nd}D input and grid with same number of dimensions, "
            f"but got input with sizes {sizes} and grid with sizes {gsizes}"
        )
    if nd == 5 and mode == 2:
        raise RuntimeError("grid_sampler(): bicubic interpolation only supports 4D input")


def grid_sample(
    input: Tensor,  # noqa: A002
    grid: Tensor,
    mode: str = "bilinear",
    padding_mode: str = "zeros",
    align_corners: bool | None = None,
) -> Tensor:
    """``input`` (N, C, H, W) or (N, C, D, H, W) read at the locations ``grid`` gives
    ((N, Ho, Wo, 2) or (N, Do, Ho, Wo, 3), normalised to [-1, 1]), as
    ``torch.nn.functional.grid_sample``.

    ``mode``: ``bilinear`` (trilinear on 5-d input), ``nearest`` or ``bicubic`` (4-d
    input); ``padding_mode``:
    ``zeros``, ``border`` or ``reflection`` for locations outside the input.

        >>> F.grid_sample(x, grid, mode="bilinear", padding_mode="border", align_corners=False)
    """
    if mode not in ("bilinear", "nearest", "bicubic"):
        raise ValueError(
            "nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' or "
            f"'bicubic', but got: '{mode}'"
        )
    if padding_mode not in ("zeros", "border", "reflection"):
        raise ValueError(
            "nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', or "
            f"'reflection', but got: '{padding_mode}'"
        )
    if align_corners is None:
        warnings.warn(_DEFAULT_CHANGED, UserWarning, stacklevel=user_stacklevel())
        align_corners = False
    mode_enum, pad_enum = G.MODES[mode], G.PADDINGS[padding_mode]
    _check_grid_sampler(input, grid, mode_enum)
    dt = input._data.dtype
    if dt.kind != "f":
        refuse_kernel(
            "grid_sampler_2d_cpu_kernel_impl" if input.ndim == 4 else "grid_sampler3d_cpu", dt
        )
    if grid._data.dtype != dt:
        raise RuntimeError(
            f"expected scalar type {scalar_type_name(dt)} but found "
            f"{scalar_type_name(grid._data.dtype)}"
        )
    node = G.GridSampler2DBackward0 if input.ndim == 4 else G.GridSampler3DBackward0
    return apply(node, (input, grid), mode_enum, pad_enum, bool(align_corners))


def affine_grid(theta: Tensor, size: Sequence[int], align_corners: bool | None = None) -> Tensor:
    """The (N, H, W, 2) or (N, D, H, W, 3) sampling grid of the affine maps ``theta``
    ((N, 2, 3) or (N, 3, 4)) for an output of ``size`` (N, C, H, W) or (N, C, D, H, W),
    as ``torch.nn.functional.affine_grid``; for ``grid_sample``.

        >>> F.affine_grid(theta, (1, 3, 8, 8), align_corners=False).shape
        gradscope.Size([1, 8, 8, 2])
    """
    if align_corners is None:
        warnings.warn(_DEFAULT_CHANGED, UserWarning, stacklevel=user_stacklevel())
        align_corners = False
    if not theta.is_floating_point():
        raise ValueError(
            f"Expected theta to have floating point type, but got {_dtype_name(theta)}"
        )
    shape = tuple(theta.shape)
    if len(size) == 4:
        if theta.ndim != 3 or shape[-2:] != (2, 3):
            raise ValueError(
                f"Expected a batch of 2D affine matrices of shape Nx2x3 for size {size}. "
                f"Got {size_str(shape)}."
            )
        spatial = size[-2:]
    elif len(size) == 5:
        if theta.ndim != 3 or shape[-2:] != (3, 4):
            raise ValueError(
                f"Expected a batch of 3D affine matrices of shape Nx3x4 for size {size}. "
                f"Got {size_str(shape)}."
            )
        spatial = size[-3:]
    else:
        raise NotImplementedError(
            "affine_grid only supports 4D and 5D sizes, for 2D and 3D affine transforms, "
            f"respectively. Got size {size}."
        )
    if align_corners and min(spatial) == 1:
        warnings.warn(_UNIT_SIZE, UserWarning, stacklevel=user_stacklevel())
    elif min(size) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {size}")
    size = tuple(int(s) for s in size)
    if shape[0] != size[0]:  # torch's bmm of the base grid by theta^T refuses it
        raise RuntimeError(
            f"Expected size for first two dimensions of batch2 tensor to be: [{size[0]}, "
            f"{shape[-1]}] but got: [{shape[0]}, {shape[-1]}]."
        )
    return apply(G.AffineGridGeneratorBackward0, (theta,), size, bool(align_corners))
