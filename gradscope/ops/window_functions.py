"""Signal windows: ``hann_window``, ``hamming_window``, ``blackman_window``,
``bartlett_window`` and ``kaiser_window``, computed as ATen computes them (in the
requested dtype, from ``arange``; a periodic window is the symmetric one of length + 1
without its last point), as new leaves.

    >>> gs.hann_window(4)
    tensor([0.0000, 0.5000, 1.0000, 0.5000])
"""

from __future__ import annotations

import math

import numpy as np

from .. import backend, creation, dtypes
from ..errors import cpp_type_name


def _window(name: str, window_length, periodic, dtype, device, requires_grad, body):
    """Checks as torch's ``window_function_checks``, then ``body(xp, n, np_dtype)`` on the
    symmetric length ``n`` (one more when periodic), cut back to ``window_length``."""
    creation._check_dtype(name, dtype)
    if not isinstance(window_length, (int, np.integer)) or isinstance(window_length, bool):
        raise TypeError(
            f"{name}(): argument 'window_length' (position 1) must be int, not "
            f"{type(window_length).__name__}"
        )
    np_dtype = dtypes.resolve(dtype) or dtypes.default_float.np
    dev = backend.device(device)
    if np_dtype.kind != "f":
        raise RuntimeError(
            f"{name} expects floating point dtypes, got: TensorOptions(dtype="
            f"{cpp_type_name(np_dtype)}, device={dev}, layout=Strided (default), "
            "requires_grad=false (default), pinned_memory=false, memory_format=(nullopt))"
        )
    if window_length < 0:
        raise RuntimeError(
            f"{name} requires non-negative window_length, got window_length={window_length}"
        )
    xp = backend.xp_for(dev)
    n = int(window_length)
    if n <= 1:
        arr = xp.ones(n, dtype=np_dtype)
    else:
        full = n + 1 if periodic else n
        arr = body(xp, full, np_dtype)[:n].copy()
    return creation._leaf(arr, requires_grad)


def _hamming_body(alpha, beta):
    def body(xp, n, dt):
        w = xp.arange(n, dtype=dt) * dt.type(math.pi * 2.0 / (n - 1))
        return (xp.cos(w) * dt.type(-beta) + dt.type(alpha)).astype(dt, copy=False)

    return body


def hamming_window(
    window_length: int,
    periodic: bool = True,
    alpha: float = 0.54,
    beta: float = 0.46,
    *,
    dtype=None,
    device=None,
    requires_grad: bool = False,
):
    """``alpha - beta * cos(2 pi k / (N - 1))``."""
    body = _hamming_body(alpha, beta)
    return _window("hamming_window", window_length, periodic, dtype, device, requires_grad, body)


def hann_window(
    window_length: int, periodic: bool = True, *, dtype=None, device=None, requires_grad=False
):
    """``0.5 - 0.5 cos(2 pi k / (N - 1))``: ATen's Hamming window with 0.5 and 0.5."""
    body = _hamming_body(0.5, 0.5)
    return _window("hann_window", window_length, periodic, dtype, device, requires_grad, body)


def _blackman(xp, n, dt):
    w = xp.arange(n, dtype=dt) * dt.type(math.pi / (n - 1))
    out = xp.cos(w * dt.type(4)) * dt.type(0.08) - xp.cos(w * dt.type(2)) * dt.type(0.5)
    return (out + dt.type(0.42)).astype(dt, copy=False)


def blackman_window(
    window_length: int, periodic: bool = True, *, dtype=None, device=None, requires_grad=False
):
    """``0.42 - 0.5 cos(2 pi k / (N - 1)) + 0.08 cos(4 pi k / (N - 1))``."""
    return _window(
        "blackman_window", window_length, periodic, dtype, device, requires_grad, _blackman
    )


def _bartlett(xp, n, dt):
    w = xp.arange(n, dtype=dt) * dt.type(2.0 / (n - 1))
    first_half = ((n - 1) >> 1) + 1
    w[first_half:] = w[first_half:] * dt.type(-1) + dt.type(2)
    return w


def bartlett_window(
    window_length: int, periodic: bool = True, *, dtype=None, device=None, requires_grad=False
):
    """A triangle: ``2k / (N - 1)`` rising, then ``2 - 2k / (N - 1)``."""
    return _window(
        "bartlett_window", window_length, periodic, dtype, device, requires_grad, _bartlett
    )


def kaiser_window(
    window_length: int,
    periodic: bool = True,
    beta: float = 12.0,
    *,
    dtype=None,
    device=None,
    requires_grad: bool = False,
):
    """``I0(beta sqrt(1 - ((k - a) / a) ** 2)) / I0(beta)`` with ``a = (N - 1) / 2``
    (``I0``: the modified Bessel function of order 0)."""

    def body(xp, n, dt):
        # ATen computes in the dtype's opmath (float for float32); NumPy's i0 is float64's,
        # so float32 values may differ from torch's in the last place
        k = xp.arange(n, dtype=np.float64)
        a = (n - 1) / 2.0
        arg = beta * xp.sqrt(xp.abs(1 - ((k - a) / a) ** 2))
        i0 = np.i0 if xp is np else xp.i0
        return (i0(arg) / i0(xp.asarray(beta, dtype=np.float64))).astype(dt)

    return _window("kaiser_window", window_length, periodic, dtype, device, requires_grad, body)


__all__ = [
    "bartlett_window",
    "blackman_window",
    "hamming_window",
    "hann_window",
    "kaiser_window",
]
