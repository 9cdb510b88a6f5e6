"""Buffers: one ``Buffer`` per distinct allocation, shared by every view and saved copy.

A buffer is held by tensors and by saved-for-backward records. When the last holder
lets go, reference counting drops the ``Buffer`` and its bytes leave the live count at
that exact moment (and a ``tensor_freed`` event is recorded if a trace is active).
"""

from __future__ import annotations

import itertools
from operator import itemgetter
from time import perf_counter

from ..events import emit
from ..events.emit import dtype_str
from ..events.schema import TensorAllocated, TensorFreed

_ALLOCATED, _FREED = TensorAllocated.kind, TensorFreed.kind

_ids = itertools.count(1)
live_total = 0
_off_cpu: dict[str, int] = {}  # live bytes per device other than the CPU (the CPU's: the rest)


class Buffer(tuple):
    """Accounting record of one allocation: ``(id, nbytes, device)``; made by ``new``.

    A tuple, so that making one runs no Python code: every op result, saved scalar and
    gradient in flight gets one, and only its release (``__del__``) has work to do.
    """

    __slots__ = ()
    id = property(itemgetter(0))
    nbytes = property(itemgetter(1))
    device = property(itemgetter(2))

    def __del__(self) -> None:
        global live_total
        try:
            bid, nbytes, device = self
            live_total -= nbytes
            if device != "cpu":
                _off_cpu[device] -= nbytes
            if emit.sinks:
                emit.put((_FREED, perf_counter(), device, live_total, bid, nbytes))
        except Exception:  # interpreter shutdown: module globals may already be gone
            pass

    def __repr__(self) -> str:
        return f"Buffer(id={self[0]}, nbytes={self[1]}, device={self[2]!r})"


def new(nbytes: int, device: str = "cpu") -> Buffer:
    """A new buffer of ``nbytes`` on ``device``, counted live from now until it is dropped."""
    global live_total
    live_total += nbytes
    if device != "cpu":
        _off_cpu[device] = _off_cpu.get(device, 0) + nbytes
    return Buffer((next(_ids), nbytes, device))


def live_by_device() -> dict[str, int]:
    """Bytes held now per device (devices that never held any are left out)."""
    out = dict(_off_cpu)
    cpu = live_total - sum(out.values())
    if cpu or not out:
        out["cpu"] = cpu
    return out


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
    nbytes = arr.nbytes if base is None else array_nbytes(arr)
    buf = new(nbytes, device)
    if emit.sinks:
        shape = arr.shape
        if base is not None and getattr(base, "dtype", None) == arr.dtype:
            # a view of a new array (a weight's gradient made transposed, then read as
            # W.grad): the allocation is the array behind it, and its shape is what the
            # bytes hold
            shape = base.shape
        emit.put(
            (
                _ALLOCATED,
                perf_counter(),
                device,
                live_total,
                buf[0],
                None,
                nbytes,
                emit.shape_of(shape),
                dtype_str(arr.dtype),
                role,
                node_id,
                name,
            )
        )
    return buf


def live_bytes(device: str | None = None) -> int:
    """Bytes held now by live gradscope buffers, on one device or all of them."""
    if device is None:
        return live_total
    device = str(device)
    if device == "cpu":
        return live_total - sum(_off_cpu.values())
    return _off_cpu.get(device, 0)


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
    for dev in sorted(d for d in _off_cpu if d.startswith("cuda")):
        with cp.cuda.Device(int(dev.split(":")[1])):
            out[dev] = {
                "used_bytes": int(pool.used_bytes()),
                "total_bytes": int(pool.total_bytes()),
            }
    return out or None
