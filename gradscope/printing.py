"""Tensor ``repr`` as torch prints it: ``tensor([ 0.5465, -0.5304], requires_grad=True)``.

The rules are torch's (``torch/_tensor_str.py``): one width for every element, chosen
from the nonzero finite values; integer-valued floats print as ``1.``; scientific notation
when the values span more than 1000x or leave [1e-4, 1e8]; rows wrap at 80 columns;
more than 1000 elements are summarized with ``...`` (3 items at each edge).
Printing works on a host copy of the array.
"""

from __future__ import annotations

import math

import numpy as np

from . import dtypes

PRECISION = 4
THRESHOLD = 1000
EDGEITEMS = 3
LINEWIDTH = 80

_ALWAYS_DEFAULT = (np.dtype(np.int64), np.dtype(np.bool_))


class _Formatter:
    """Chooses one format (int, fixed or scientific) and one width for all elements."""

    def __init__(self, arr: np.ndarray) -> None:
        self.floating = arr.dtype.kind == "f"
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        flat = arr.reshape(-1)
        if not self.floating:
            for v in flat.tolist():
                self.max_width = max(self.max_width, len(str(v)))
            return
        vals = flat[np.isfinite(flat) & (flat != 0)].astype(np.float64)
        if vals.size == 0:
            return
        mags = np.abs(vals)
        lo, hi = float(mags.min()), float(mags.max())
        self.int_mode = bool(np.all(vals == np.ceil(vals)))
        self.sci_mode = hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4
        for v in vals.tolist():
            if self.sci_mode:
                w = len(f"{v:.{PRECISION}e}")
            elif self.int_mode:
                w = len(f"{v:.0f}") + 1
            else:
                w = len(f"{v:.{PRECISION}f}")
            self.max_width = max(self.max_width, w)

    def format(self, v) -> str:
        if self.floating:
            if self.sci_mode:
                s = f"{v:{self.max_width}.{PRECISION}e}"
            elif self.int_mode:
                s = f"{v:.0f}"
                if not (math.isinf(v) or math.isnan(v)):
                    s += "."
            else:
                s = f"{v:.{PRECISION}f}"
        else:
            s = str(v)
        return " " * (self.max_width - len(s)) + s


class _ComplexFormatter:
    """A complex element as torch prints it: the real parts formatted together, the
    imaginary parts together, joined with their sign (``0.0000+1.0000j``)."""

    def __init__(self, arr: np.ndarray) -> None:
        self.real, self.imag = _Formatter(arr.real), _Formatter(arr.imag)
        self.max_width = self.real.max_width + self.imag.max_width + 1

    def format(self, v) -> str:
        imag = (self.imag.format(v.imag) + "j").lstrip()
        sign = "" if imag[0] in "+-" else "+"
        return self.real.format(v.real) + sign + imag


def _formatter(arr: np.ndarray):
    return _ComplexFormatter(arr) if arr.dtype.kind == "c" else _Formatter(arr)


def _summarized(arr: np.ndarray) -> np.ndarray:
    """The elements that will be shown (edges only, when summarizing): they set the format."""
    if arr.ndim == 0:
        return arr
    if arr.shape[0] > 2 * EDGEITEMS:
        rows = list(range(EDGEITEMS)) + list(range(arr.shape[0] - EDGEITEMS, arr.shape[0]))
    else:
        rows = range(arr.shape[0])
    if arr.ndim == 1:
        return arr[list(rows)]
    return np.stack([_summarized(arr[i]) for i in rows])


def _vector(arr, indent: int, summarize: bool, fmt: _Formatter) -> str:
    per_line = max(1, math.floor((LINEWIDTH - indent) / (fmt.max_width + 2)))
    if summarize and arr.shape[0] > 2 * EDGEITEMS:
        data = (
            [fmt.format(v) for v in arr[:EDGEITEMS].tolist()]
            + [" ..."]
            + [fmt.format(v) for v in arr[-EDGEITEMS:].tolist()]
        )
    else:
        data = [fmt.format(v) for v in arr.tolist()]
    lines = [", ".join(data[i : i + per_line]) for i in range(0, len(data), per_line)]
    return "[" + ("," + "\n" + " " * (indent + 1)).join(lines) + "]"


def _nested(arr, indent: int, summarize: bool, fmt: _Formatter) -> str:
    if arr.ndim == 0:
        return fmt.format(arr.item())
    if arr.ndim == 1:
        return _vector(arr, indent, summarize, fmt)
    n = arr.shape[0]
    if summarize and n > 2 * EDGEITEMS:
        parts = (
            [_nested(arr[i], indent + 1, summarize, fmt) for i in range(EDGEITEMS)]
            + ["..."]
            + [_nested(arr[i], indent + 1, summarize, fmt) for i in range(n - EDGEITEMS, n)]
        )
    else:
        parts = [_nested(arr[i], indent + 1, summarize, fmt) for i in range(n)]
    return "[" + ("," + "\n" * (arr.ndim - 1) + " " * (indent + 1)).join(parts) + "]"


def array_str(arr: np.ndarray, indent: int) -> str:
    """The body of a tensor's repr (what follows ``tensor(``)."""
    if arr.size == 0:
        return "[]"
    summarize = arr.size > THRESHOLD
    fmt = _formatter(_summarized(arr) if summarize else arr)
    return _nested(arr, indent, summarize, fmt)


def _add_suffixes(body: str, suffixes: list, indent: int) -> str:
    """``body`` with its suffixes (``dtype=``, ``grad_fn=``, ...), each on a new line where
    torch starts one: lengths are measured as torch's text (``torch.float64``), so that the
    lines break at the same places, 4 characters longer for each ``gradscope.``."""
    parts = [body]
    last_line_len = len(body) - body.rfind("\n") + 1
    for suffix in suffixes:
        n = len(suffix.replace("gradscope.", "torch."))
        if last_line_len + n + 2 > LINEWIDTH:
            parts.append(",\n" + " " * indent + suffix)
            last_line_len = indent + n
        else:
            parts.append(", " + suffix)
            last_line_len += n + 2
    parts.append(")")
    return "".join(parts)


def _host(arr) -> np.ndarray:
    return arr if type(arr) is np.ndarray else arr.get()


def tensor_repr(t) -> str:
    """``repr(t)``, as torch would print it (``dtype=gradscope.float64`` for torch's dtype)."""
    arr = _host(t._data)
    prefix = "tensor("
    indent = len(prefix)
    suffixes = []
    dev = t._buffer.device
    if dev != "cpu":
        suffixes.append(f"device='{dev}'")
    dtype_suffix = f"dtype=gradscope.{arr.dtype}"
    if arr.dtype == np.bool_:
        dtype_suffix = "dtype=gradscope.bool"
    if arr.size == 0:
        if arr.ndim != 1:
            suffixes.append(f"size={tuple(arr.shape)}")
        if arr.dtype != dtypes.default_float.np:
            suffixes.append(dtype_suffix)
        body = "[]"
    else:
        if arr.dtype not in _ALWAYS_DEFAULT and arr.dtype not in (
            dtypes.default_float.np,
            dtypes.default_complex(),
        ):
            suffixes.append(dtype_suffix)
        body = array_str(arr, indent)
    node = t._grad_node()
    if node is not None:
        suffixes.append(f"grad_fn=<{node._name}>")  # (torch: the class name)
    elif t._rg:
        suffixes.append("requires_grad=True")
    if "_tangent" in t.__dict__:
        from .autograd import forward_ad

        tangent = forward_ad.unpack_dual(t).tangent
        if tangent is not None:
            suffixes.append(f"tangent={tangent!r}")
    return _add_suffixes(prefix + body, suffixes, indent)
