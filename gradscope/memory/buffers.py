"""Buffers: one ``Buffer`` per distinct allocation, shared by every view and saved copy.

A buffer is held by tensors and by saved-for-backward records. When the last holder
lets go, reference counting drops the ``Buffer`` and its bytes leave the live count at
that exact moment (and a ``tensor_freed`` event is recorded if a trace is active).
"""

from __future__ import annotations

import itertools

from ..events import emit
from ..events.emit import dtype_str
from ..events.schema import TensorAllocated, TensorFreed

_ids = itertools.count(1)
live_by_device: dict[str, int] = {}
live_total = 0


class Buffer:
    """Accounting record of one allocation: id, exact size, device."""

    __slots__ = ("id", "nbytes", "device", "__weakref__")

    def __init__(self, nbytes: int, device: str) -> None:
        global live_total
        self.id = next(_ids)
        self.nbytes = nbytes
        self.device = device
        live_total += nbytes
        live_by_device[device] = live_by_device.get(device, 0) + nbytes

    def __del__(self) -> None:
        global live_total
        try:
            live_total -= self.nbytes
            live_by_device[self.device] -= self.nbytes
            if emit.sinks:
                emit.record(TensorFreed, self.device, live_total, self.id, self.nbytes)
        except Exception:  # interpreter shutdown: module globals may already be gone
            pass

    def __repr__(self) -> str:
        return f"Buffer(id={self.id}, nbytes={self.nbytes}, device={self.device!r})"


def array_nbytes(arr) -> int:
    """Bytes of the allocation behind ``arr`` (its base's size when it is a view)."""
    base = arr.base
    if base is None:
        return arr.nbytes
    return getattr(base, "nbytes", arr.nbytes)


def account(arr, device: str, role: str, node_id: int | None, name: str | None = None) -> Buffer:
    """A ``Buffer`` for an array no tensor wraps (a new saved array, a gradient in flight),
    recorded as allocated with ``role``."""
    base = arr.base
    buf = Buffer(arr.nbytes if base is None else array_nbytes(arr), device)
    if emit.sinks:
        emit.record(
            TensorAllocated,
            device,
            live_total,
            buf.id,
            None,
            buf.nbytes,
            arr.shape,
            dtype_str(arr.dtype),
            role,
            node_id,
            name,
        )
    return buf


def live_bytes(device: str | None = None) -> int:
    """Bytes held now by live gradscope buffers, on one device or all of them."""
    if device is None:
        return live_total
    return live_by_device.get(str(device), 0)


def pool_bytes() -> dict | None:
    """CuPy's memory pool per CUDA device in use: ``used_bytes`` and ``total_bytes``.

    None when no CUDA tensor was ever made (CuPy not imported). The pool's ``used_bytes``
    can exceed gradscope's tracked bytes (allocator rounding to 512-byte blocks, CuPy's own
    scratch arrays) and ``total_bytes`` exceeds it by what the pool caches for reuse.
    """
    from .. import backend

    cp = backend._cupy
    if cp is None:
        return None
    out = {}
    pool = cp.get_default_memory_pool()
    for dev in sorted(d for d in live_by_device if d.startswith("cuda")):
        with cp.cuda.Device(int(dev.split(":")[1])):
            out[dev] = {
                "used_bytes": int(pool.used_bytes()),
                "total_bytes": int(pool.total_bytes()),
            }
    return out or None
