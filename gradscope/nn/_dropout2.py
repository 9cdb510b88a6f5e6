"""Channel dropout (``dropout1d``/``2d``/``3d``) and alpha dropout (``alpha_dropout``,
``feature_alpha_dropout``), recorded as torch records them.

All run torch's ``_dropout_impl``: the input times a noise tensor (one ``MulBackward0``
saving the noise, in place with ``inplace``), and for alpha dropout a shift added in
place (``AddBackward0``). Feature (channel) dropout draws one value per (sample,
channel), shaped ``(N, C, 1, ...)``, so whole channels are zeroed. The noise comes from
gradscope's generator (``gs.manual_seed``), so it cannot equal torch's.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from .. import creation
from ..backend import xp_of
from ..errors import scalar_type_name
from ..events.callsite import user_stacklevel
from ..ops import api
from .functional import _on_device

_ALPHA = 1.7580993408473766  # torch's: -SELU's scale times its alpha


def _check_p(p: float) -> None:
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _dropout_impl(input, p: float, train: bool, feature: bool, alpha: bool, inplace: bool):
    """torch's ``_dropout_impl``: ``input * noise`` (``+ b`` for alpha dropout)."""
    if p == 0 or not train or input.numel() == 0:
        return input
    if feature and input.ndim < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    dtype = input._data.dtype
    if dtype.kind not in "fc":
        raise RuntimeError(
            f"result type Float can't be cast to the desired output type {scalar_type_name(dtype)}"
        )
    xp = xp_of(input._data)
    multiply = api.mul_ if inplace else api.mul
    if p == 1:
        return multiply(input, creation._leaf(xp.zeros((), dtype), False))
    shape = tuple(input.shape)
    if feature:
        shape = shape[:2] + (1,) * (len(shape) - 2)
    rng = creation._rng if xp is np else xp.random
    with _on_device(input):
        kept = (rng.random(shape) < 1 - p).astype(dtype)
        if alpha:
            a = 1.0 / math.sqrt((_ALPHA * _ALPHA * p + 1) * (1 - p))
            b = (kept - 1) * dtype.type(_ALPHA * a) + dtype.type(_ALPHA * a * p)
            noise = kept * dtype.type(a)
        else:
            noise = kept / dtype.type(1 - p)
    out = multiply(input, creation._leaf(noise.astype(dtype, copy=False), False))
    if alpha:
        out = api.add_(out, creation._leaf(b.astype(dtype, copy=False), False))
    return out


def _feature_dropout(input, p, training, inplace):
    return _dropout_impl(input, p, training, True, False, inplace)


def _channel_dropout(input, p: float, training: bool, inplace: bool, batched: bool):
    """Feature dropout, of a sample without its batch dim as a batch of one."""
    if not batched:
        input = input.unsqueeze_(0) if inplace else api.unsqueeze(input, 0)
    result = _feature_dropout(input, p, training, inplace)
    if not batched:
        result = result.squeeze_(0) if inplace else api.squeeze(result, 0)
    return result


def dropout1d(input, p: float = 0.5, training: bool = True, inplace: bool = False):
    """Whole channels of (N, C, L) or (C, L) input zeroed with probability ``p`` while
    ``training``, the rest scaled by ``1 / (1 - p)``."""
    _check_p(p)
    nd = input.ndim
    if nd not in (2, 3):
        raise RuntimeError(
            f"dropout1d: Expected 2D or 3D input, but received a {nd}D input. Note that "
            "dropout1d exists to provide channel-wise dropout on inputs with 1 spatial "
            "dimension, a channel dimension, and an optional batch dimension (i.e. 2D or 3D "
            "inputs)."
        )
    return _channel_dropout(input, p, training, inplace, nd == 3)


def dropout2d(input, p: float = 0.5, training: bool = True, inplace: bool = False):
    """Whole channels of (N, C, H, W) input zeroed with probability ``p`` while
    ``training``; (N, C, L) input, with torch's warning, as ``dropout1d``."""
    _check_p(p)
    nd = input.ndim
    if nd not in (3, 4):
        warnings.warn(
            f"dropout2d: Received a {nd}-D input to dropout2d, which is deprecated and will "
            "result in an error in a future release. To retain the behavior and silence this "
            "warning, please use dropout instead. Note that dropout2d exists to provide "
            "channel-wise dropout on inputs with 2 spatial dimensions, a channel dimension, "
            "and an optional batch dimension (i.e. 3D or 4D inputs).",
            stacklevel=user_stacklevel(),
        )
    if nd == 3:
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D "
            "dropout behavior is desired - input is interpreted as shape (N, C, L), where C "
            "is the channel dim. This behavior will change in a future release to interpret "
            "the input as one without a batch dimension, i.e. shape (C, H, W). To maintain "
            "the 1D channel-wise dropout behavior, please switch to using dropout1d instead.",
            stacklevel=user_stacklevel(),
        )
    return _feature_dropout(input, p, training, inplace)


def dropout3d(input, p: float = 0.5, training: bool = True, inplace: bool = False):
    """Whole channels of (N, C, D, H, W) or (C, D, H, W) input zeroed with probability
    ``p`` while ``training``."""
    _check_p(p)
    nd = input.ndim
    if nd not in (4, 5):
        warnings.warn(
            f"dropout3d: Received a {nd}-D input to dropout3d, which is deprecated and will "
            "result in an error in a future release. To retain the behavior and silence this "
            "warning, please use dropout instead. Note that dropout3d exists to provide "
            "channel-wise dropout on inputs with 3 spatial dimensions, a channel dimension, "
            "and an optional batch dimension (i.e. 4D or 5D inputs).",
            stacklevel=user_stacklevel(),
        )
    return _channel_dropout(input, p, training, inplace, nd == 5)


def alpha_dropout(input, p: float = 0.5, training: bool = False, inplace: bool = False):
    """Dropout that keeps SELU's zero mean and unit variance: dropped elements set to
    SELU's negative saturation, then all scaled and shifted back (``a x + b``)."""
    _check_p(p)
    return _dropout_impl(input, p, training, False, True, inplace)


def feature_alpha_dropout(input, p: float = 0.5, training: bool = False, inplace: bool = False):
    """``alpha_dropout`` of whole channels (one draw per sample and channel)."""
    _check_p(p)
    return _dropout_impl(input, p, training, True, True, inplace)
