"""``gs.cuda``: whether a GPU is usable, and CuPy's memory pool figures."""

from __future__ import annotations

from . import backend


def is_available() -> bool:
    """True when CuPy is installed and sees a GPU."""
    return backend.cuda_available()


def device_count() -> int:
    if not is_available():
        return 0
    return backend.cupy().cuda.runtime.getDeviceCount()


def memory_pool_bytes() -> dict[str, int]:
    """CuPy's default memory pool: ``used_bytes`` (held by arrays) and ``total_bytes`` (reserved)."""
    if backend._cupy is None:
        return {"used_bytes": 0, "total_bytes": 0}
    pool = backend._cupy.get_default_memory_pool()
    return {"used_bytes": int(pool.used_bytes()), "total_bytes": int(pool.total_bytes())}


def synchronize() -> None:
    if backend._cupy is not None:
        backend._cupy.cuda.Device().synchronize()
