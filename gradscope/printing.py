"""Tensor ``repr`` as torch prints it: ``tensor([1., 2.], requires_grad=True)``."""

from __future__ import annotations

import numpy as np


def _format_array(arr: np.ndarray) -> str:
    if arr.dtype.kind == "f":
        finite = arr[np.isfinite(arr)]
        if finite.size and np.all(finite == np.round(finite)) and np.abs(finite).max() < 1e8:
            body = np.array2string(
                arr, separator=", ", floatmode="unique", suppress_small=True,
                threshold=1000, edgeitems=3, prefix="tensor(", max_line_width=80,
                formatter={"float_kind": lambda v: f"{v:.0f}." if np.isfinite(v) else str(v)},
            )
        else:
            big = finite.size and (np.abs(finite).max() >= 1e8 or (np.abs(finite[finite != 0]).min() < 1e-4 if np.any(finite != 0) else False))
            fmt = (lambda v: f"{v:.4e}") if big else (lambda v: f"{v:.4f}")
            body = np.array2string(
                arr, separator=", ", threshold=1000, edgeitems=3, prefix="tensor(",
                max_line_width=80, formatter={"float_kind": fmt},
            )
        return body
    if arr.dtype.kind == "b":
        return np.array2string(
            arr, separator=", ", prefix="tensor(", threshold=1000,
            formatter={"bool": lambda v: "True" if v else "False"},
        )
    return np.array2string(arr, separator=", ", prefix="tensor(", threshold=1000, max_line_width=80)


def tensor_repr(t) -> str:
    arr = t._data
    if type(arr) is not np.ndarray:
        arr = arr.get()
    body = _format_array(arr)
    extras = []
    dev = t._buffer.device
    if dev != "cpu":
        extras.append(f"device='{dev}'")
    if arr.size == 0 and arr.ndim == 1:
        body = "[]"
    if arr.dtype not in (np.dtype(np.float32), np.dtype(np.int64), np.dtype(np.bool_)) or (
        arr.size == 0 and arr.dtype != np.float32
    ):
        extras.append(f"dtype=gradscope.{arr.dtype}")
    if arr.size == 0 and arr.ndim > 1:
        extras.insert(0, f"size={tuple(arr.shape)}")
    if t.grad_fn is not None:
        extras.append(f"grad_fn=<{t.grad_fn.name()}>")
    elif t._rg:
        extras.append("requires_grad=True")
    return "tensor(" + ", ".join([body] + extras) + ")"
